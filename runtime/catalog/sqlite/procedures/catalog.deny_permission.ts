/** `catalog.deny_permission`: returns 0 ok, 1 bad object class, 2 no object, 3 no principal, 4 bad permission, 5 other (no MANAGE_PERMISSIONS). */
import type { Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { changePermission, type PermissionInput } from '../permission-procedures.ts';

export function denyPermission(db: ProcedureDb, caller: Principal, input: PermissionInput): { returnCode: number } {
  return changePermission(db, caller, input, 'deny');
}
