/**
 * `catalog.create_environment_reference`: READ + MODIFY on the project and READ on the environment.
 * 'R' (relative): the environment in the project's folder, @environment_folder_name ignored (stored NULL);
 * 'A' (absolute): the environment in @environment_folder_name (NULL → 27100). Same reference twice → 27412.
 */
import { catalogError } from '../../../../actors/catalog-errors.ts';
import type { Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { objectName } from '../../rules/names.ts';
import { findEnvironment, findProject } from '../object-permissions.ts';

export function createEnvironmentReference(db: ProcedureDb, caller: Principal, input: {
  folderName: string; projectName: string; environmentName: string; referenceType: string; environmentFolderName?: string | null;
}): { referenceId: number } {
  const folderName = objectName('folder_name', input?.folderName);
  const projectName = objectName('project_name', input.projectName);
  const environmentName = objectName('environment_name', input.environmentName);
  if (input.referenceType === null || input.referenceType === undefined) throw catalogError(27100, 'reference_type');
  const type = String(input.referenceType).toUpperCase();
  if (type !== 'R' && type !== 'A') throw catalogError(27101, 'reference_type');
  const envFolder = type === 'A' ? objectName('environment_folder_name', input.environmentFolderName) : null;
  const project = findProject(db, caller, folderName, projectName, 2);
  const env = findEnvironment(db, caller, envFolder ?? folderName, environmentName, 1);
  const same = db.get('SELECT 1 FROM environment_references WHERE project_id = ? AND reference_type = ? AND environment_name = ? COLLATE NOCASE AND COALESCE(environment_folder_name, \'\') = ? COLLATE NOCASE',
    project.project_id, type, env.name, envFolder ?? '');
  if (same !== undefined) throw catalogError(27412, project.name, env.name);
  const r = db.run('INSERT INTO environment_references (project_id, reference_type, environment_folder_name, environment_name) VALUES (?, ?, ?, ?)', project.project_id, type, envFolder, env.name);
  return { referenceId: Number(r.lastInsertRowid) };
}
