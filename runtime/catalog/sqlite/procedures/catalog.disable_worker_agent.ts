/** `catalog.disable_worker_agent`: ssis_admin or sysadmin; NULL id 27100, sentinel 27101, unknown 27243. */
import type { Principal } from '../../../../actors/ports.ts';
import { ADMIN_ROLES, requireRole } from '../../rules/roles.ts';
import type { ProcedureDb } from '../procedure-context.ts';

export function disableWorkerAgent(db: ProcedureDb, caller: Principal, input: { workerAgentId: string }): void {
  requireRole(caller, ADMIN_ROLES);
  const { id } = db.workerRow('WorkerAgentId', input?.workerAgentId);
  db.run('UPDATE worker_agents SET IsEnabled = 0 WHERE WorkerAgentId = ?', id);
}
