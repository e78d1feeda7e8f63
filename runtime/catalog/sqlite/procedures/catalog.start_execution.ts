/** `catalog.start_execution`: the embedded catalog's procedure (one home; SQL Server: the script of the same name). */
import type { Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { bool, num, strOrNull } from '../../catalog-rows.ts';
import { can } from '../object-permissions.ts';
import { catalogError } from '../../../../actors/catalog-errors.ts';
import { randomUUID } from 'node:crypto';
import { SQLITE_TASK_REQUIRES_SCRIPTS } from '../../script-routing.ts';

export function startExecution(db: ProcedureDb, caller: Principal, input: { executionId: number; retryCount?: number }): void {
  const exec = db.visibleExecution(caller, input?.executionId);
  const retry = input.retryCount ?? 0;
  if (typeof retry !== 'number' || !Number.isInteger(retry) || retry < 0 || retry > 2147483646) throw catalogError(27101, 'retry_count');
  if (num(exec['status']) !== 1) throw catalogError(27121);
  // READ + EXECUTE on the project and READ on the bound environment, checked again at start (reference §4.1).
  if (!can(db, caller, 2, num(exec['project_id']), 1) || !can(db, caller, 2, num(exec['project_id']), 3)) throw catalogError(27178, String(exec['project_name']));
  if (exec['environment_name'] !== null && exec['environment_name'] !== undefined) {
    const env = db.get<{ environment_id: number }>('SELECT e.environment_id FROM environments e JOIN folders f ON f.folder_id = e.folder_id WHERE f.name = ? AND e.name = ?', exec['environment_folder_name'], exec['environment_name']);
    if (env === undefined || !can(db, caller, 3, env.environment_id, 1)) throw catalogError(27182, String(exec['environment_name']));
  }
  const current = db.get<{ object_version_lsn: number }>('SELECT object_version_lsn FROM projects WHERE project_id = ?', exec['project_id']);
  if (current === undefined || current.object_version_lsn !== num(exec['project_lsn'])) throw catalogError(27150);
  const missing = db.all<{ parameter_name: string }>('SELECT parameter_name FROM execution_parameter_values WHERE execution_id = ? AND required = 1 AND value_set = 0 ORDER BY execution_parameter_id', input.executionId);
  if (missing.length > 0) throw catalogError(27184, missing.map((m) => m.parameter_name).join(', '));
  const jobId = strOrNull(exec['job_id']);
  // This catalog has no local ISServerExec: only Scale Out executions can run (README.md).
  if (jobId === null) throw catalogError(27255, input.executionId);
  const job = db.get<{ IsCancelled: number }>('SELECT IsCancelled FROM jobs WHERE JobId = ?', jobId);
  if (job === undefined || bool(job.IsCancelled)) throw catalogError(27242, jobId);
  const now = db.nowIso();
  db.run("UPDATE operations SET status = 5, start_time = ?, machine_name = '' WHERE operation_id = ?", now, input.executionId);
  const inputData = JSON.stringify([
    { name: 'execution_id', value: String(input.executionId) },
    { name: 'use32bitruntime', value: bool(exec['use32bitruntime']) ? '1' : '0' },
    { name: 'operation_guid', value: String(exec['operation_guid']) },
  ]);
  db.run(`INSERT INTO tasks (TaskId, JobId, TaskType, InputData, MaxExecutedCount, ExecutedCount, Status, ReadyForDispatchTime, LastUpdatedTime, CreatedTime, RequiresScripts)
    VALUES (?, ?, 0, ?, ?, 0, 1, ?, ?, ?, ${SQLITE_TASK_REQUIRES_SCRIPTS})`, randomUUID(), jobId, inputData, retry + 1, now, now, now, exec['project_lsn'], exec['package_name']);
}
