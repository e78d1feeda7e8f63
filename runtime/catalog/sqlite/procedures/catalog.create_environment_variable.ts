/**
 * `catalog.create_environment_variable`: MODIFY on the environment. The value must fit @data_type
 * (27147); a sensitive value is stored encrypted with the catalog key. Duplicate name → 27411.
 */
import { catalogError } from '../../../../actors/catalog-errors.ts';
import type { ParameterValue, Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { descriptionArg, identifierName, objectName } from '../../rules/names.ts';
import { DATA_TYPES, storeValue } from '../../rules/parameter-values.ts';
import { findEnvironment } from '../object-permissions.ts';

export function createEnvironmentVariable(db: ProcedureDb, caller: Principal, input: {
  folderName: string; environmentName: string; variableName: string; dataType: string; sensitive: boolean; value: ParameterValue; description?: string | null;
}): { variableId: number } {
  const env = findEnvironment(db, caller, objectName('folder_name', input?.folderName), objectName('environment_name', input.environmentName), 2);
  const name = identifierName('variable_name', input.variableName);
  if (input.dataType === null || input.dataType === undefined) throw catalogError(27100, 'data_type');
  const dataType = DATA_TYPES.find((t) => t.toLowerCase() === String(input.dataType).toLowerCase());
  if (dataType === undefined) throw catalogError(27101, 'data_type');
  if (input.sensitive === null || input.sensitive === undefined) throw catalogError(27100, 'sensitive');
  if (input.value === null || input.value === undefined) throw catalogError(27100, 'value');
  const description = descriptionArg('description', input.description);
  const stored = storeValue(dataType, input.value, name);
  if (db.get('SELECT 1 FROM environment_variables WHERE environment_id = ? AND name = ?', env.environment_id, name) !== undefined) throw catalogError(27411, name, env.name);
  const sensitive = input.sensitive === true;
  const r = db.run('INSERT INTO environment_variables (environment_id, name, description, type, sensitive, value, sensitive_value, base_data_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    env.environment_id, name, description, dataType, sensitive ? 1 : 0, sensitive ? null : stored, sensitive ? db.cipher.encrypt(stored) : null, dataType);
  return { variableId: Number(r.lastInsertRowid) };
}
