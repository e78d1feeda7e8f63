/** Shared lookups of the environment variable procedures (embedded catalog). */
import { catalogError } from '../../../actors/catalog-errors.ts';
import type { ParameterValue, Principal } from '../../../actors/ports.ts';
import { identifierName, objectName } from '../rules/names.ts';
import { loadValue } from '../rules/parameter-values.ts';
import { findEnvironment, type EnvironmentRow } from './object-permissions.ts';
import type { ProcedureDb } from './procedure-context.ts';

export interface VariableRow { variable_id: number; name: string; type: string; sensitive: number; value: unknown; sensitive_value: unknown }

/** The environment (with `permission`) and the variable in it, by case-sensitive name; missing → 27183. */
export function findVariable(db: ProcedureDb, caller: Principal, input: { folderName: string; environmentName: string; variableName: string }, permission: number): { env: EnvironmentRow; variable: VariableRow } {
  const env = findEnvironment(db, caller, objectName('folder_name', input?.folderName), objectName('environment_name', input.environmentName), permission);
  const name = identifierName('variable_name', input.variableName);
  const variable = db.get<VariableRow>('SELECT variable_id, name, type, sensitive, value, sensitive_value FROM environment_variables WHERE environment_id = ? AND name = ?', env.environment_id, name);
  if (variable === undefined) throw catalogError(27183, name);
  return { env, variable };
}

/** The variable's value in clear (decrypting a sensitive one): only for binding an execution. */
export function variableValue(db: ProcedureDb, v: VariableRow): ParameterValue {
  return v.sensitive === 1 ? db.cipher.decrypt(v.sensitive_value, `environment variable '${v.name}'`) : loadValue(v.type, v.value);
}
