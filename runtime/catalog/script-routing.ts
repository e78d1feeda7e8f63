/**
 * Routing executions by script capability (issue 10, deliverable 4): a task whose package needs the
 * script runtime (`tasks.RequiresScripts`, from `packages.requires_scripts`, from the deploy-time
 * analysis in executor/package/script-usage.ts) is not claimed by a worker that reports it cannot run
 * scripts while another worker that can run it is there to take it.
 *
 * The claim rule, as one WHERE condition on the candidate task row (alias `t` by default):
 *   the task needs no scripts,
 *   OR the claiming worker can run scripts,
 *   OR no OTHER worker that could claim this task can run scripts: enabled, seen within the online
 *      window (LastOnlineTime, refreshed by every worker heartbeat), allowed by the job
 *      (job_worker_agents holds it or the any-worker sentinel), and able to run scripts.
 * In the last case the Mono-less worker takes the task anyway and fails it up front with the
 * validation message naming each script ("Mono is not installed on this worker …"): an execution
 * that no worker can run fails clearly instead of waiting for ever.
 *
 * "Can run scripts" is read from the worker's `ScriptTasks` machine property (executor/script/
 * capability.ts): a value starting with `unsupported` means no; any other value, or no property at
 * all (a worker of another build), means yes: routing only ever steers away from a worker that said no.
 *
 * The condition is self-contained (its own sub-queries, its own parameters) so that any claim
 * statement — one task or a batch — can AND it in. The SQL Server text lives in
 * catalog-sql/sqlserver/0600_procedure.internal.pull_task.sql; tests/catalog/mssql-scripts.test.ts
 * checks it matches `SQLSERVER_SCRIPT_ROUTING_CONDITION`.
 */
import { ANY_WORKER_ID } from '../../actors/catalog-codes.ts';
import { SCRIPT_CAPABILITY_PROPERTY } from '../../executor/script/capability.ts';

/** What a worker's ScriptTasks property starts with when it cannot run scripts. */
export const SCRIPTS_UNSUPPORTED_PREFIX = 'unsupported';

/** Default online window: the hub's default `workerOfflineAfterMs` (5 × the default AgentHeartbeatInterval of 60 s). */
export const DEFAULT_SCRIPT_ROUTING_ONLINE_MS = 300_000;

export interface ScriptRoutingInput {
  /** The worker claiming (lower-case GUID, as stored). */
  readonly workerAgentId: string;
  /** Catalog time of the claim, ms since the epoch. */
  readonly nowMs: number;
  /** A worker whose LastOnlineTime is older than now − this is not counted as able to take the task. */
  readonly onlineWindowMs?: number;
}

export interface SqlFragment {
  readonly sql: string;
  /** Positional (`?`) parameters, in order of appearance. */
  readonly params: readonly unknown[];
}

const incapable = (worker: string): string =>
  `EXISTS (SELECT 1 FROM machine_properties AS mp WHERE mp.WorkerAgentId = ${worker} AND mp.PropertyName = '${SCRIPT_CAPABILITY_PROPERTY}'`
  + ` AND mp.PropertyValue LIKE '${SCRIPTS_UNSUPPORTED_PREFIX}%')`;

/**
 * The SQLite claim condition for the task row aliased `taskAlias`. `iso` formats catalog times as the
 * store stores them (fixed-width ISO-8601 UTC text, so text order is time order).
 */
export function sqliteScriptRoutingCondition(input: ScriptRoutingInput, iso: (ms: number) => string, taskAlias = 't'): SqlFragment {
  const window = input.onlineWindowMs ?? DEFAULT_SCRIPT_ROUTING_ONLINE_MS;
  const sql = `(${taskAlias}.RequiresScripts = 0
    OR NOT ${incapable('?')}
    OR NOT EXISTS (SELECT 1 FROM worker_agents AS sw JOIN job_worker_agents AS sj ON sj.JobId = ${taskAlias}.JobId AND sj.WorkerAgentId IN (sw.WorkerAgentId, ?)
      WHERE sw.IsEnabled = 1 AND sw.LastOnlineTime >= ? AND NOT ${incapable('sw.WorkerAgentId')}))`;
  return { sql, params: [input.workerAgentId, ANY_WORKER_ID, iso(input.nowMs - window)] };
}

/**
 * The same condition in T-SQL, as `internal.pull_task` uses it: `t` is the task row; `@WorkerAgentId`,
 * `@any` (the sentinel), `@now` and `@OnlineWindowInMs` are the procedure's variables.
 */
export const SQLSERVER_SCRIPT_ROUTING_CONDITION = `(t.RequiresScripts = 0
          OR NOT EXISTS (SELECT 1 FROM internal.machine_properties AS mp WHERE mp.WorkerAgentId = @WorkerAgentId
                         AND mp.PropertyName = N'${SCRIPT_CAPABILITY_PROPERTY}' AND mp.PropertyValue LIKE N'${SCRIPTS_UNSUPPORTED_PREFIX}%')
          OR NOT EXISTS (SELECT 1 FROM internal.worker_agents AS sw
                         JOIN internal.job_worker_agents AS sj ON sj.JobId = t.JobId AND sj.WorkerAgentId IN (sw.WorkerAgentId, @any)
                         WHERE sw.IsEnabled = 1 AND sw.LastOnlineTime >= DATEADD(millisecond, -@OnlineWindowInMs, @now)
                           AND NOT EXISTS (SELECT 1 FROM internal.machine_properties AS mp WHERE mp.WorkerAgentId = sw.WorkerAgentId
                                           AND mp.PropertyName = N'${SCRIPT_CAPABILITY_PROPERTY}' AND mp.PropertyValue LIKE N'${SCRIPTS_UNSUPPORTED_PREFIX}%')))`;

/**
 * SQLite: the value of `tasks.RequiresScripts` for a new task of an execution, from the package row the
 * execution runs (parameters: project_lsn, package_name).
 */
export const SQLITE_TASK_REQUIRES_SCRIPTS = 'COALESCE((SELECT requires_scripts FROM packages WHERE project_version_lsn = ? AND name = ?), 0)';
