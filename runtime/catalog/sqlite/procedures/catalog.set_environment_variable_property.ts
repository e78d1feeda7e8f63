/** `catalog.set_environment_variable_property`: MODIFY on the environment; the only property is 'Description' (else 27101). */
import { catalogError } from '../../../../actors/catalog-errors.ts';
import type { Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { descriptionArg } from '../../rules/names.ts';
import { findVariable } from '../environment-variables.ts';

export function setEnvironmentVariableProperty(db: ProcedureDb, caller: Principal, input: { folderName: string; environmentName: string; variableName: string; propertyName: string; propertyValue: string | null }): void {
  const { variable } = findVariable(db, caller, input, 2);
  if (input.propertyName === null || input.propertyName === undefined) throw catalogError(27100, 'property_name');
  if (String(input.propertyName).toLowerCase() !== 'description') throw catalogError(27101, 'property_name');
  db.run('UPDATE environment_variables SET description = ? WHERE variable_id = ?', descriptionArg('property_value', input.propertyValue), variable.variable_id);
}
