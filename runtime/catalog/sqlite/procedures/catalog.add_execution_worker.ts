/** `catalog.add_execution_worker`: the embedded catalog's procedure (one home; SQL Server: the script of the same name). */
import type { Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { ANY_WORKER_ID } from '../../../../actors/catalog-codes.ts';
import { catalogError } from '../../../../actors/catalog-errors.ts';
import { guidParam } from '../../rules/guids.ts';
import { strOrNull } from '../../catalog-rows.ts';

export function addExecutionWorker(db: ProcedureDb, caller: Principal, input: { executionId: number; workerAgentId: string }): void {
  if (input?.workerAgentId === null || input?.workerAgentId === undefined) throw catalogError(27100, 'workeragent_id');
  const exec = db.visibleExecution(caller, input.executionId);
  const jobId = strOrNull(exec['job_id']);
  if (jobId === null) throw catalogError(27255, input.executionId);
  const wid = guidParam('workeragent_id', input.workerAgentId);
  if (wid === ANY_WORKER_ID) throw catalogError(27101, 'workeragent_id');
  if (db.get('SELECT 1 FROM job_worker_agents WHERE JobId = ? AND WorkerAgentId = ?', jobId, ANY_WORKER_ID) !== undefined) throw catalogError(27251);
  if (db.get('SELECT 1 FROM worker_agents WHERE WorkerAgentId = ?', wid) === undefined) throw catalogError(27243, wid);
  if (db.get('SELECT 1 FROM job_worker_agents WHERE JobId = ? AND WorkerAgentId = ?', jobId, wid) !== undefined) throw catalogError(27406, wid, input.executionId);
  db.run('INSERT INTO job_worker_agents (JobId, WorkerAgentId) VALUES (?, ?)', jobId, wid);
}
