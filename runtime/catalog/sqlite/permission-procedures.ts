/**
 * The body shared by catalog.grant_permission, catalog.deny_permission and catalog.revoke_permission
 * (each has its own file naming it): argument checks that answer with SSISDB's return codes rather
 * than errors (reference §4.2), and MANAGE_PERMISSIONS on the object (or ssis_admin / sysadmin).
 */
import type { Principal } from '../../../actors/ports.ts';
import { PERMISSIONS_OF, PermissionReturn, type ObjectClassCode } from '../rules/permissions.ts';
import { can } from './object-permissions.ts';
import type { ProcedureDb } from './procedure-context.ts';

export interface PermissionInput { objectType: number; objectId: number; principalId: number; permissionType: number }

const TABLE: Readonly<Record<number, [string, string]>> = {
  1: ['folders', 'folder_id'], 2: ['projects', 'project_id'], 3: ['environments', 'environment_id'], 4: ['operations', 'operation_id'],
};

export function changePermission(db: ProcedureDb, caller: Principal, input: PermissionInput, action: 'grant' | 'deny' | 'revoke'): { returnCode: number } {
  const objectType = Number(input?.objectType);
  const table = TABLE[objectType];
  if (table === undefined) return { returnCode: PermissionReturn.badClass };
  const objectId = Number(input.objectId);
  if (!Number.isInteger(objectId) || db.get(`SELECT 1 FROM ${table[0]} WHERE ${table[1]} = ?`, objectId) === undefined) return { returnCode: PermissionReturn.noObject };
  // Managing permissions needs MANAGE_PERMISSIONS; an object the caller may not see is "no object".
  const cls = objectType as ObjectClassCode;
  if (!can(db, caller, cls, objectId, 1) && !can(db, caller, cls, objectId, 4)) return { returnCode: PermissionReturn.noObject };
  const principal = Number.isInteger(Number(input.principalId)) ? db.get<{ name: string }>('SELECT name FROM principals WHERE rowid = ?', Number(input.principalId)) : undefined;
  if (principal === undefined) return { returnCode: PermissionReturn.noPrincipal };
  if (!PERMISSIONS_OF[cls].includes(Number(input.permissionType))) return { returnCode: PermissionReturn.badPermission };
  if (!can(db, caller, cls, objectId, 4)) return { returnCode: PermissionReturn.other };
  if (action === 'revoke') {
    db.run('DELETE FROM object_permissions WHERE object_type = ? AND object_id = ? AND principal_name = ? AND permission_type = ?', objectType, objectId, principal.name, Number(input.permissionType));
  } else {
    db.run(`INSERT INTO object_permissions (object_type, object_id, principal_name, permission_type, is_deny, grantor_name) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (object_type, object_id, principal_name, permission_type) DO UPDATE SET is_deny = excluded.is_deny, grantor_name = excluded.grantor_name`,
    objectType, objectId, principal.name, Number(input.permissionType), action === 'deny' ? 1 : 0, caller.name);
  }
  return { returnCode: PermissionReturn.ok };
}
