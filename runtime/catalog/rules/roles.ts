/**
 * Role rules both catalog adapters apply (reference §1.11): which database roles a verb accepts.
 * SSISDB checks roles BESIDE object permissions (rules/permissions.ts): a role is one way in, an
 * object grant is the other.
 */
import { catalogError } from '../../../actors/catalog-errors.ts';
import type { Role } from '../../../actors/catalog-codes.ts';
import type { Principal } from '../../../actors/ports.ts';

export const ADMIN_ROLES: readonly Role[] = ['ssis_admin', 'sysadmin'];
export const SCALE_OUT_ROLES: readonly Role[] = ['ssis_admin', 'ssis_cluster_executor', 'sysadmin'];
export const LOG_READER_ROLES: readonly Role[] = ['ssis_admin', 'sysadmin', 'ssis_logreader'];
export const WORKER_LOG_ROLES: readonly Role[] = ['ssis_admin', 'sysadmin', 'ssis_cluster_worker'];

export function hasRole(caller: Principal, roles: readonly Role[]): boolean {
  return caller.roles.some((r) => roles.includes(r));
}

/** 27140 naming the roles when the caller has none of them. */
export function requireRole(caller: Principal, roles: readonly Role[]): void {
  if (!hasRole(caller, roles)) throw catalogError(27140, roles.join(', '));
}

export function isAdmin(caller: Principal): boolean {
  return hasRole(caller, ADMIN_ROLES);
}
