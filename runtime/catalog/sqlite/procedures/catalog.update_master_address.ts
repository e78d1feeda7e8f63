/** `catalog.update_master_address`: the embedded catalog's procedure (one home; SQL Server: the script of the same name). */
import type { Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { ADMIN_ROLES, requireRole } from '../../rules/roles.ts';
import { textArg } from '../../rules/names.ts';

export function updateMasterAddress(db: ProcedureDb, caller: Principal, input: { masterAddress: string }): void {
  requireRole(caller, ADMIN_ROLES);
  db.setMasterProperty('MASTER_ADDRESS', textArg('MasterAddress', input?.masterAddress, 256));
}
