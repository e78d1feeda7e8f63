/** `catalog.set_execution_parameter_value`: the embedded catalog's procedure (one home; SQL Server: the script of the same name). */
import type { Principal, ParameterValue } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { VALID_LOGGING_LEVELS } from '../../../../actors/catalog-codes.ts';
import { bool, num } from '../../catalog-rows.ts';
import { catalogError } from '../../../../actors/catalog-errors.ts';
import { storeValue } from '../../rules/parameter-values.ts';

export function setExecutionParameterValue(db: ProcedureDb, caller: Principal, input: { executionId: number; objectType: number; parameterName: string; parameterValue: ParameterValue }): void {
  const exec = db.visibleExecution(caller, input?.executionId);
  if (input.objectType === null || input.objectType === undefined) throw catalogError(27100, 'object_type');
  if (![20, 30, 50].includes(input.objectType)) throw catalogError(27101, 'object_type');
  if (input.parameterName === null || input.parameterName === undefined) throw catalogError(27100, 'parameter_name');
  if (input.parameterValue === null || input.parameterValue === undefined) throw catalogError(27100, 'parameter_value');
  if (num(exec['status']) !== 1) throw catalogError(27224);
  // Names are matched case-sensitively, as SSISDB does (binary comparison).
  const p = db.get<{ execution_parameter_id: number; parameter_data_type: string; sensitive: number }>(
    'SELECT execution_parameter_id, parameter_data_type, sensitive FROM execution_parameter_values WHERE execution_id = ? AND object_type = ? AND parameter_name = ? COLLATE BINARY',
    input.executionId, input.objectType, input.parameterName,
  );
  if (p === undefined) throw catalogError(27176, input.parameterName);
  const value = storeValue(p.parameter_data_type, input.parameterValue, input.parameterName);
  if (input.objectType === 50 && input.parameterName === 'LOGGING_LEVEL') {
    if (!VALID_LOGGING_LEVELS.has(Number(value))) throw catalogError(27217, String(input.parameterValue));
    if (value === 100) {
      db.run(`INSERT OR IGNORE INTO execution_parameter_values (execution_id, object_type, parameter_data_type, parameter_name, parameter_value, base_data_type)
        VALUES (?, 50, 'String', 'CUSTOMIZED_LOGGING_LEVEL', NULL, 'String')`, input.executionId);
    } else {
      db.run("DELETE FROM execution_parameter_values WHERE execution_id = ? AND object_type = 50 AND parameter_name = 'CUSTOMIZED_LOGGING_LEVEL'", input.executionId);
    }
  }
  // No customized logging levels can be created in this catalog, so any name is unknown.
  if (input.objectType === 50 && input.parameterName === 'CUSTOMIZED_LOGGING_LEVEL') throw catalogError(27237, String(input.parameterValue));
  if (bool(p.sensitive)) {
    db.run("UPDATE execution_parameter_values SET sensitive_parameter_value = ?, parameter_value = NULL, value_set = 1, runtime_override = 1, value_source = 'X', referenced_variable_name = NULL WHERE execution_parameter_id = ?", value === null ? null : db.cipher.encrypt(value), p.execution_parameter_id);
  } else {
    db.run("UPDATE execution_parameter_values SET parameter_value = ?, value_set = 1, runtime_override = 1, value_source = 'X', referenced_variable_name = NULL WHERE execution_parameter_id = ?", value, p.execution_parameter_id);
  }
}
