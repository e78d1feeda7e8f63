/** `catalog.create_folder`: the embedded catalog's procedure (one home; SQL Server: the script of the same name). */
import type { Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { ADMIN_ROLES, requireRole } from '../../rules/roles.ts';
import { catalogError } from '../../../../actors/catalog-errors.ts';
import { grantCreator } from '../object-permissions.ts';
import { objectName } from '../../rules/names.ts';

export function createFolder(db: ProcedureDb, caller: Principal, input: { folderName: string; description?: string }): { folderId: number } {
  requireRole(caller, ADMIN_ROLES);
  const name = objectName('folder_name', input?.folderName);
  if (input.description !== undefined && input.description !== null && (typeof input.description !== 'string' || input.description.length > 1024)) throw catalogError(27101, 'folder_description');
  if (db.get('SELECT 1 FROM folders WHERE name = ?', name) !== undefined) throw catalogError(27401, name);
  const r = db.run('INSERT INTO folders (name, description, created_by_name, created_time) VALUES (?, ?, ?, ?)', name, input.description ?? null, caller.name, db.nowIso());
  grantCreator(db, caller, 1, Number(r.lastInsertRowid));
  return { folderId: Number(r.lastInsertRowid) };
}
