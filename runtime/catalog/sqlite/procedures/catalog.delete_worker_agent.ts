/** `catalog.delete_worker_agent`: the embedded catalog's procedure (one home; SQL Server: the script of the same name). */
import type { Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { ADMIN_ROLES, requireRole } from '../../rules/roles.ts';

export function deleteWorkerAgent(db: ProcedureDb, caller: Principal, input: { workerAgentId: string }): void {
  requireRole(caller, ADMIN_ROLES);
  const { id } = db.workerRow('WorkerAgentId', input?.workerAgentId);
  db.run('DELETE FROM worker_agents WHERE WorkerAgentId = ?', id);
}
