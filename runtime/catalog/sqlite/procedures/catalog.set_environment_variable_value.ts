/** `catalog.set_environment_variable_value`: MODIFY on the environment; the value must fit the variable's type (27147). */
import { catalogError } from '../../../../actors/catalog-errors.ts';
import type { ParameterValue, Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { storeValue } from '../../rules/parameter-values.ts';
import { findVariable } from '../environment-variables.ts';

export function setEnvironmentVariableValue(db: ProcedureDb, caller: Principal, input: { folderName: string; environmentName: string; variableName: string; value: ParameterValue }): void {
  const { variable } = findVariable(db, caller, input, 2);
  if (input.value === null || input.value === undefined) throw catalogError(27100, 'value');
  const stored = storeValue(variable.type, input.value, variable.name);
  if (variable.sensitive === 1) db.run('UPDATE environment_variables SET sensitive_value = ?, value = NULL WHERE variable_id = ?', db.cipher.encrypt(stored), variable.variable_id);
  else db.run('UPDATE environment_variables SET value = ? WHERE variable_id = ?', stored, variable.variable_id);
}
