/**
 * `catalog.set_environment_variable_protection`: MODIFY on the environment. Making a variable sensitive
 * encrypts its value with the catalog key; making it non-sensitive decrypts it back into the clear column.
 */
import { catalogError } from '../../../../actors/catalog-errors.ts';
import type { Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { storeValue } from '../../rules/parameter-values.ts';
import { findVariable, variableValue } from '../environment-variables.ts';

export function setEnvironmentVariableProtection(db: ProcedureDb, caller: Principal, input: { folderName: string; environmentName: string; variableName: string; sensitive: boolean }): void {
  const { variable } = findVariable(db, caller, input, 2);
  if (input.sensitive === null || input.sensitive === undefined) throw catalogError(27100, 'sensitive');
  const sensitive = input.sensitive === true;
  if ((variable.sensitive === 1) === sensitive) return;
  const value = variableValue(db, variable);
  if (sensitive) db.run('UPDATE environment_variables SET sensitive = 1, value = NULL, sensitive_value = ? WHERE variable_id = ?', db.cipher.encrypt(value), variable.variable_id);
  else db.run('UPDATE environment_variables SET sensitive = 0, sensitive_value = NULL, value = ? WHERE variable_id = ?', storeValue(variable.type, value, variable.name), variable.variable_id);
}
