/** `catalog.update_master_address`: the embedded catalog's procedure (one home; SQL Server: the script of the same name). */
import type { Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { ADMIN_ROLES, requireRole } from '../../rules/roles.ts';
import { catalogError } from '../../../../actors/catalog-errors.ts';

export function updateMasterAddress(db: ProcedureDb, caller: Principal, input: { masterAddress: string }): void {
  requireRole(caller, ADMIN_ROLES);
  if (input?.masterAddress === null || input?.masterAddress === undefined) throw catalogError(27100, 'MasterAddress');
  if (typeof input.masterAddress !== 'string' || input.masterAddress.length > 256) throw catalogError(27101, 'MasterAddress');
  db.setMasterProperty('MASTER_ADDRESS', input.masterAddress);
}
