/** `catalog.clear_object_parameter_value`: MODIFY on the project; the parameter goes back to its design default ('V', value_set 0). */
import type { Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { findObjectParameter } from '../object-parameters.ts';

export function clearObjectParameterValue(db: ProcedureDb, caller: Principal, input: { folderName: string; projectName: string; objectType: number; objectName?: string | null; parameterName: string }): void {
  const { parameter } = findObjectParameter(db, caller, input);
  db.run("UPDATE object_parameters SET value_type = 'V', referenced_variable_name = NULL, value_set = 0, default_value = design_default_value, sensitive_default_value = NULL WHERE parameter_id = ?", parameter.parameter_id);
}
