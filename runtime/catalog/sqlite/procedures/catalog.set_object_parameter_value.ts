/**
 * `catalog.set_object_parameter_value`: MODIFY on the project. @value_type 'V' stores a server default
 * (of the parameter's type, 27147; encrypted when the parameter is sensitive); 'R' makes the parameter
 * take the value of the environment variable named by @parameter_value when an execution is created
 * with an environment reference.
 */
import { catalogError } from '../../../../actors/catalog-errors.ts';
import type { ParameterValue, Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { identifierName } from '../../rules/names.ts';
import { storeValue } from '../../rules/parameter-values.ts';
import { findObjectParameter } from '../object-parameters.ts';

export function setObjectParameterValue(db: ProcedureDb, caller: Principal, input: {
  objectType: number; folderName: string; projectName: string; parameterName: string; parameterValue: ParameterValue; objectName?: string | null; valueType?: string | null;
}): void {
  const valueType = String(input?.valueType ?? 'V').toUpperCase();
  if (valueType !== 'V' && valueType !== 'R') throw catalogError(27101, 'value_type');
  const { parameter } = findObjectParameter(db, caller, input);
  if (input.parameterValue === null || input.parameterValue === undefined) throw catalogError(27100, 'parameter_value');
  if (valueType === 'R') {
    const variable = identifierName('parameter_value', input.parameterValue);
    db.run("UPDATE object_parameters SET value_type = 'R', referenced_variable_name = ?, value_set = 1, default_value = NULL, sensitive_default_value = NULL WHERE parameter_id = ?", variable, parameter.parameter_id);
    return;
  }
  const stored = storeValue(parameter.data_type, input.parameterValue, parameter.parameter_name);
  if (parameter.sensitive === 1) {
    db.run("UPDATE object_parameters SET value_type = 'V', referenced_variable_name = NULL, value_set = 1, default_value = NULL, sensitive_default_value = ? WHERE parameter_id = ?", db.cipher.encrypt(stored), parameter.parameter_id);
  } else {
    db.run("UPDATE object_parameters SET value_type = 'V', referenced_variable_name = NULL, value_set = 1, default_value = ?, sensitive_default_value = NULL WHERE parameter_id = ?", stored, parameter.parameter_id);
  }
}
