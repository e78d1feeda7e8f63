/**
 * Object permissions as SSISDB has them (catalog.grant_permission / deny_permission /
 * revoke_permission, reference §4.2): the codes, which permission fits which object, the return
 * codes of the three procedures, and how effective permissions are computed from explicit rows.
 *
 * Effective permission of a caller on an object (one rule for every verb and view):
 * - ssis_admin / sysadmin: every permission;
 * - an explicit DENY on the object (or the matching *_OBJECTS deny on its folder) wins over any grant;
 * - else an explicit GRANT on the object, or the matching *_OBJECTS grant on its folder;
 * - else the implicit grants of roles this catalog keeps for compatibility (decided in issue 14):
 *   ssis_cluster_executor has READ on folders and READ + EXECUTE on projects (it could run every
 *   project before object permissions existed); ssis_logreader has READ on folders and projects (the
 *   logs it reads name them anyway). Neither has anything on environments.
 * The creator of a folder, project, environment or execution is granted READ, MODIFY (EXECUTE on a
 * project) and MANAGE_PERMISSIONS on it when it is made, as SSISDB's init_object_permissions does.
 */
import type { Principal } from '../../../actors/ports.ts';
import { hasRole, isAdmin } from './roles.ts';

export const ObjectClass = { folder: 1, project: 2, environment: 3, operation: 4 } as const;
export type ObjectClassCode = (typeof ObjectClass)[keyof typeof ObjectClass];

export const Permission = {
  READ: 1, MODIFY: 2, EXECUTE: 3, MANAGE_PERMISSIONS: 4,
  CREATE_OBJECTS: 100, READ_OBJECTS: 101, MODIFY_OBJECTS: 102, EXECUTE_OBJECTS: 103, MANAGE_OBJECT_PERMISSIONS: 104,
} as const;
export type PermissionCode = (typeof Permission)[keyof typeof Permission];

/** Which permission types each object class accepts (others → return code 4). */
export const PERMISSIONS_OF: Readonly<Record<ObjectClassCode, readonly number[]>> = {
  1: [1, 4, 100, 101, 102, 103, 104],
  2: [1, 2, 3, 4],
  3: [1, 2, 4],
  4: [1, 2, 4],
};

/** Return codes of grant/deny/revoke_permission (reference §4.2). */
export const PermissionReturn = { ok: 0, badClass: 1, noObject: 2, noPrincipal: 3, badPermission: 4, other: 5 } as const;

/** The folder permission that carries `permission` down to the folder's projects and environments. */
const FOLDER_CARRIES: Readonly<Record<number, number>> = { 1: 101, 2: 102, 3: 103, 4: 104 };

/** What the creator of an object of this class is granted when it is made. */
export const CREATOR_GRANTS: Readonly<Record<ObjectClassCode, readonly number[]>> = {
  1: [1, 4, 100, 101, 102, 103, 104],
  2: [1, 2, 3, 4],
  3: [1, 2, 4],
  4: [1, 2, 4],
};

export interface PermissionRow {
  readonly objectType: number;
  readonly objectId: number;
  readonly permissionType: number;
  readonly isDeny: boolean;
}

/**
 * True when `caller` holds `permission` on the object, given the caller's explicit rows on the object
 * and (for a project or environment) on its folder.
 */
export function holds(caller: Principal, objectType: ObjectClassCode, permission: number, onObject: readonly PermissionRow[], onFolder: readonly PermissionRow[]): boolean {
  if (isAdmin(caller)) return true;
  const carried = objectType === 2 || objectType === 3 ? FOLDER_CARRIES[permission] : undefined;
  const match = (rows: readonly PermissionRow[], p: number | undefined, deny: boolean) => p !== undefined && rows.some((r) => r.permissionType === p && r.isDeny === deny);
  if (match(onObject, permission, true) || match(onFolder, carried, true)) return false;
  if (match(onObject, permission, false) || match(onFolder, carried, false)) return true;
  if (hasRole(caller, ['ssis_cluster_executor'])) {
    if (objectType === 1 && permission === Permission.READ) return true;
    if (objectType === 2 && (permission === Permission.READ || permission === Permission.EXECUTE)) return true;
  }
  // ssis_logreader reads every execution's log, which names folders and projects anyway.
  if (hasRole(caller, ['ssis_logreader']) && (objectType === 1 || objectType === 2) && permission === Permission.READ) return true;
  return false;
}
