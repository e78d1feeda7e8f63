/** `catalog.create_environment`: CREATE_OBJECTS on the folder (or ssis_admin / sysadmin). Duplicate name → 27410. */
import { catalogError } from '../../../../actors/catalog-errors.ts';
import type { Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { descriptionArg, objectName } from '../../rules/names.ts';
import { findFolder, grantCreator } from '../object-permissions.ts';

export function createEnvironment(db: ProcedureDb, caller: Principal, input: { folderName: string; environmentName: string; environmentDescription?: string | null }): { environmentId: number } {
  const folderName = objectName('folder_name', input?.folderName);
  const name = objectName('environment_name', input.environmentName);
  const description = descriptionArg('environment_description', input.environmentDescription);
  const folder = findFolder(db, caller, folderName, 100);
  if (db.get('SELECT 1 FROM environments WHERE folder_id = ? AND name = ?', folder.folder_id, name) !== undefined) throw catalogError(27410, name, folder.name);
  const r = db.run('INSERT INTO environments (folder_id, name, description, created_by_name, created_time) VALUES (?, ?, ?, ?, ?)', folder.folder_id, name, description, caller.name, db.nowIso());
  const environmentId = Number(r.lastInsertRowid);
  grantCreator(db, caller, 3, environmentId);
  return { environmentId };
}
