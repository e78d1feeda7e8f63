/**
 * `catalog.rename_environment`: MODIFY on the environment. References name their environment, so the
 * references that named the old name (relative ones from the same folder, absolute ones naming this
 * folder) are renamed with it.
 */
import { catalogError } from '../../../../actors/catalog-errors.ts';
import type { Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { objectName } from '../../rules/names.ts';
import { findEnvironment } from '../object-permissions.ts';

export function renameEnvironment(db: ProcedureDb, caller: Principal, input: { folderName: string; environmentName: string; newEnvironmentName: string }): void {
  const folderName = objectName('folder_name', input?.folderName);
  const name = objectName('environment_name', input.environmentName);
  const newName = objectName('new_environment_name', input.newEnvironmentName);
  const env = findEnvironment(db, caller, folderName, name, 2);
  const clash = db.get<{ environment_id: number }>('SELECT environment_id FROM environments WHERE folder_id = ? AND name = ?', env.folder_id, newName);
  if (clash !== undefined && clash.environment_id !== env.environment_id) throw catalogError(27410, newName, folderName);
  db.run('UPDATE environments SET name = ? WHERE environment_id = ?', newName, env.environment_id);
  db.run(`UPDATE environment_references SET environment_name = ? WHERE environment_name = ? COLLATE NOCASE AND (
      (reference_type = 'R' AND project_id IN (SELECT project_id FROM projects WHERE folder_id = ?))
      OR (reference_type = 'A' AND environment_folder_name = ? COLLATE NOCASE))`, newName, env.name, env.folder_id, folderName);
}
