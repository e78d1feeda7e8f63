/** `catalog.set_worker_agent_property`: the embedded catalog's procedure (one home; SQL Server: the script of the same name). */
import type { Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { ADMIN_ROLES, requireRole } from '../../rules/roles.ts';
import { catalogError } from '../../../../actors/catalog-errors.ts';

export function setWorkerAgentProperty(db: ProcedureDb, caller: Principal, input: { workerAgentId: string; propertyName: string; propertyValue: string | null }): void {
  requireRole(caller, ADMIN_ROLES);
  const { id } = db.workerRow('WorkerAgentId', input?.workerAgentId);
  const column = ({ DisplayName: 'DisplayName', Description: 'Description', Tags: 'Tags' } as Record<string, string>)[input.propertyName];
  if (column === undefined) throw catalogError(27101, 'PropertyName');
  if (input.propertyValue !== null && typeof input.propertyValue !== 'string') throw catalogError(27101, 'PropertyValue');
  if (column === 'DisplayName' && input.propertyValue !== null && input.propertyValue.length > 256) throw catalogError(27101, 'PropertyValue');
  db.run(`UPDATE worker_agents SET ${column} = ? WHERE WorkerAgentId = ?`, input.propertyValue, id);
}
