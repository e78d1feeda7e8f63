/**
 * Object permissions in the embedded catalog: reads the explicit rows and applies the one rule of
 * rules/permissions.ts. Lookups that need a permission treat "not permitted" as "not found", as
 * SSISDB's procedures do (their messages say "does not exist or you do not have permission").
 */
import { catalogError } from '../../../actors/catalog-errors.ts';
import type { Principal } from '../../../actors/ports.ts';
import { CREATOR_GRANTS, holds, ObjectClass, type ObjectClassCode, type PermissionRow } from '../rules/permissions.ts';
import { isAdmin } from '../rules/roles.ts';
import type { ProcedureDb } from './procedure-context.ts';

function rowsFor(db: ProcedureDb, caller: Principal, objectType: number, objectId: number): PermissionRow[] {
  return db.all<{ permission_type: number; is_deny: number }>(
    'SELECT permission_type, is_deny FROM object_permissions WHERE object_type = ? AND object_id = ? AND principal_name = ?', objectType, objectId, caller.name,
  ).map((r) => ({ objectType, objectId, permissionType: r.permission_type, isDeny: r.is_deny === 1 }));
}

/** The folder holding a project or environment (undefined for a folder or operation). */
export function folderOf(db: ProcedureDb, objectType: ObjectClassCode, objectId: number): number | undefined {
  if (objectType === ObjectClass.project) return db.get<{ folder_id: number }>('SELECT folder_id FROM projects WHERE project_id = ?', objectId)?.folder_id;
  if (objectType === ObjectClass.environment) return db.get<{ folder_id: number }>('SELECT folder_id FROM environments WHERE environment_id = ?', objectId)?.folder_id;
  return undefined;
}

export function can(db: ProcedureDb, caller: Principal, objectType: ObjectClassCode, objectId: number, permission: number): boolean {
  if (isAdmin(caller)) return true;
  const folder = folderOf(db, objectType, objectId);
  return holds(caller, objectType, permission, rowsFor(db, caller, objectType, objectId), folder === undefined ? [] : rowsFor(db, caller, ObjectClass.folder, folder));
}

/**
 * READ + MODIFY on an operation (what set_execution_parameter_value, add_execution_worker,
 * start_execution and stop_operation need): ssis_admin / sysadmin, its creator unless denied, or a
 * principal granted both.
 */
export function mayModifyOperation(db: ProcedureDb, caller: Principal, operationId: number, creatorName: string): boolean {
  if (isAdmin(caller)) return true;
  const rows = rowsFor(db, caller, 4, operationId);
  if (rows.some((r) => r.isDeny && (r.permissionType === 1 || r.permissionType === 2))) return false;
  if (creatorName === caller.name) return true;
  return rows.some((r) => !r.isDeny && r.permissionType === 1) && rows.some((r) => !r.isDeny && r.permissionType === 2);
}

/** init_object_permissions: the creator of an object is granted what CREATOR_GRANTS lists. */
export function grantCreator(db: ProcedureDb, caller: Principal, objectType: ObjectClassCode, objectId: number): void {
  if (db.get('SELECT 1 FROM principals WHERE name = ?', caller.name) === undefined) return; // SYSTEM and admins without a login row
  for (const p of CREATOR_GRANTS[objectType]) {
    db.run('INSERT OR IGNORE INTO object_permissions (object_type, object_id, principal_name, permission_type, is_deny, grantor_name) VALUES (?, ?, ?, ?, 0, ?)', objectType, objectId, caller.name, p, caller.name);
  }
}

/** Removes every explicit permission on an object that is going away. */
export function dropPermissions(db: ProcedureDb, objectType: ObjectClassCode, objectId: number): void {
  db.run('DELETE FROM object_permissions WHERE object_type = ? AND object_id = ?', objectType, objectId);
}

/** Ids of the objects of a class the caller may READ (views filter by it). */
export function readableIds(db: ProcedureDb, caller: Principal, objectType: 1 | 2 | 3): Set<number> {
  const table = objectType === 1 ? 'folders' : objectType === 2 ? 'projects' : 'environments';
  const id = objectType === 1 ? 'folder_id' : objectType === 2 ? 'project_id' : 'environment_id';
  const ids = db.all<{ id: number }>(`SELECT ${id} AS id FROM ${table}`).map((r) => r.id);
  return new Set(ids.filter((i) => can(db, caller, objectType, i, 1)));
}

export interface FolderRow { folder_id: number; name: string }
export interface ProjectRow { project_id: number; folder_id: number; name: string; object_version_lsn: number }
export interface EnvironmentRow { environment_id: number; folder_id: number; name: string }

/** A folder by name: missing, or not readable → 27402. */
export function findFolder(db: ProcedureDb, caller: Principal, name: string, permission = 1): FolderRow {
  const f = db.get<FolderRow>('SELECT folder_id, name FROM folders WHERE name = ?', name);
  if (f === undefined || !can(db, caller, 1, f.folder_id, 1) || !can(db, caller, 1, f.folder_id, permission)) throw catalogError(27402, name);
  return f;
}

/** A project by folder and name; missing, or lacking READ or `permission` → 27403. */
export function findProject(db: ProcedureDb, caller: Principal, folderName: string, projectName: string, permission = 1): ProjectRow {
  const p = db.get<ProjectRow>('SELECT p.project_id, p.folder_id, p.name, p.object_version_lsn FROM projects p JOIN folders f ON f.folder_id = p.folder_id WHERE f.name = ? AND p.name = ?', folderName, projectName);
  if (p === undefined || !can(db, caller, 2, p.project_id, 1) || !can(db, caller, 2, p.project_id, permission)) throw catalogError(27403, projectName, folderName);
  return p;
}

/** An environment by folder and name; missing, or lacking READ or `permission` → 27182. */
export function findEnvironment(db: ProcedureDb, caller: Principal, folderName: string, environmentName: string, permission = 1): EnvironmentRow {
  const e = db.get<EnvironmentRow>('SELECT e.environment_id, e.folder_id, e.name FROM environments e JOIN folders f ON f.folder_id = e.folder_id WHERE f.name = ? AND e.name = ?', folderName, environmentName);
  if (e === undefined || !can(db, caller, 3, e.environment_id, 1) || !can(db, caller, 3, e.environment_id, permission)) throw catalogError(27182, environmentName);
  return e;
}
