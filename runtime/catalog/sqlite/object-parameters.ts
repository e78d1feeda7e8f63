/** The parameter a set/clear_object_parameter_value names, in the project's current version (embedded catalog). */
import { catalogError } from '../../../actors/catalog-errors.ts';
import type { Principal } from '../../../actors/ports.ts';
import { objectName } from '../rules/names.ts';
import { findProject, type ProjectRow } from './object-permissions.ts';
import type { ProcedureDb } from './procedure-context.ts';

export interface ObjectParameterRow { parameter_id: number; data_type: string; sensitive: number; design_default_value: unknown; parameter_name: string }

export function findObjectParameter(db: ProcedureDb, caller: Principal, input: { objectType: number; folderName: string; projectName: string; objectName?: string | null; parameterName: string }): { project: ProjectRow; parameter: ObjectParameterRow } {
  if (input?.objectType === null || input?.objectType === undefined) throw catalogError(27100, 'object_type');
  if (input.objectType !== 20 && input.objectType !== 30) throw catalogError(27101, 'object_type');
  const project = findProject(db, caller, objectName('folder_name', input.folderName), objectName('project_name', input.projectName), 2);
  if (input.parameterName === null || input.parameterName === undefined) throw catalogError(27100, 'parameter_name');
  // A project parameter's object is the project itself; a package parameter needs @object_name.
  const object = input.objectType === 20 ? project.name : input.objectName;
  if (object === null || object === undefined) throw catalogError(27100, 'object_name');
  const parameter = db.get<ObjectParameterRow>(`SELECT parameter_id, data_type, sensitive, design_default_value, parameter_name FROM object_parameters
    WHERE project_version_lsn = ? AND object_type = ? AND object_name = ? COLLATE NOCASE AND parameter_name = ? COLLATE BINARY`,
  project.object_version_lsn, input.objectType, object, input.parameterName);
  if (parameter === undefined) throw catalogError(27176, input.parameterName);
  return { project, parameter };
}
