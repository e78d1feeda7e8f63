import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { openSqliteCatalog } from '../../runtime/catalog/sqlite-catalog-store.ts';
import type { SqliteCatalogStore } from '../../runtime/catalog/sqlite-catalog-store.ts';
import { MasterService } from '../../runtime/master/master-service.ts';
import { startExecution } from '../../runtime/transport/master-server.ts';
import { readProjectArchive, readProjectFolder } from '../../executor/package/project-archive.ts';
import { TEST_PROJECT_DIR } from '../helpers/scale-out-harness.ts';
import { makeCert } from '../helpers/test-certs.ts';

// The master's reconcile (runtime/master/README.md, "Reconcile"): an execution whose task is final
// but whose operation is not gets, at master start and after each expiry sweep, the end its task
// implies (succeeded → 7, failed → 4, canceled → 3, as its actor would), through the catalog
// procedures its actor uses; every other execution is left as it is.
//
// How the bad state is built: every step runs through the embedded catalog's own procedures
// (start_execution, claim_tasks, update_task_status, stop_operation), which commit a task's end and its
// operation's end in ONE transaction, so through them the state cannot arise. It arises on a catalog
// whose procedures commit the two apart (the original update_task_status, then
// update_operation_status_for_task from the master): a crash or a failed commit between them. That
// second commit is undone here by a direct write on the file (the operation back to what it was
// before the end, end_time cleared), which is exactly what the missing commit leaves.

const test = suite('master reconcile: executions whose task ended without their end');
const S = SYSTEM_PRINCIPAL;
let dir: string;
const W = randomUUID();

test.before(() => { dir = mkdtempSync(join(tmpdir(), 'scaleout-reconcile-')); });
test.after(() => { rmSync(dir, { recursive: true, force: true }); });

const dbPath = () => join(dir, 'ssisdb.sqlite');

async function prepare(store: SqliteCatalogStore): Promise<void> {
  await store.createFolder(S, { folderName: 'Tests' });
  await store.deployProject(S, { folderName: 'Tests', projectName: 'TestProject', project: await readProjectFolder(TEST_PROJECT_DIR) });
  await store.updateWorkerAgentStatus(S, { workerAgentId: W, perfCounters: [], machineProperties: { MachineName: 'reconcile-test' } });
  await store.enableWorkerAgent(S, { workerAgentId: W });
}

const start = (store: SqliteCatalogStore, retryCount = 0) =>
  startExecution(store, S, { folder: 'Tests', project: 'TestProject', package: 'Param.dtsx', retryCount });

/** Claims the oldest ready task for W (it must be the one of `executionId`) and reports its first heartbeat. */
async function claimAndRun(store: SqliteCatalogStore, executionId: number): Promise<{ taskId: string; attempt: number }> {
  // claim_tasks: the claim and the execution's move to running in one transaction, as the master claims.
  const [t] = await store.claimTasks!(S, { workerAgentId: W, leaseMs: 600_000, limit: 1 });
  assert.ok(t, `a task was claimed for execution ${executionId}`);
  assert.is(t.executionId, executionId);
  await store.updateTaskStatus(S, { workerAgentId: W, taskId: t.taskId, attempt: t.executedCount, status: 2, expiredTime: Date.now() + 600_000 });
  return { taskId: t.taskId, attempt: t.executedCount };
}

async function end(store: SqliteCatalogStore, executionId: number, status: 4 | 5 | 6): Promise<void> {
  const { taskId, attempt } = await claimAndRun(store, executionId);
  await store.updateTaskStatus(S, { workerAgentId: W, taskId, attempt, status, expiredTime: Date.now() });
}

/** The missing second commit (see the file comment): the operation as it was before its end. */
function uncommitEnd(executionId: number, operationStatus: 2 | 8, stopId?: number): void {
  const db = new Database(dbPath());
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare('UPDATE operations SET status = ?, end_time = NULL, stopped_by_name = NULL WHERE operation_id = ?').run(operationStatus, executionId);
    if (stopId !== undefined) db.prepare('UPDATE operations SET status = 2, end_time = NULL WHERE operation_id = ?').run(stopId);
  } finally {
    db.close();
  }
}

function operationRow(executionId: number): Record<string, unknown> {
  const db = new Database(dbPath(), { readonly: true });
  try { return db.prepare('SELECT * FROM operations WHERE operation_id = ?').get(executionId) as Record<string, unknown>; } finally { db.close(); }
}

function taskStatus(executionId: number): number {
  const db = new Database(dbPath(), { readonly: true });
  try {
    return (db.prepare('SELECT t.Status FROM tasks t JOIN executions e ON e.job_id = t.JobId WHERE e.execution_id = ?').get(executionId) as { Status: number }).Status;
  } finally { db.close(); }
}

function newMaster(store: SqliteCatalogStore, logLines: string[], sweepMs: number): MasterService {
  const cert = makeCert('localhost', { server: true });
  return new MasterService({
    store, logger: pino({ level: 'info' }, new Writable({ write(c, _e, cb) { logLines.push(String(c)); cb(); } })),
    port: 0, host: '127.0.0.1', sslCertThumbprint: cert.thumbprint,
    https: { key: cert.key, cert: cert.cert, requestCert: true, rejectUnauthorized: false },
    verifyAgentPeer: () => ({ ok: false, reason: 'no worker connects in this test' }), readProjectArchive: (b) => readProjectArchive(b),
    masterHeartbeatIntervalMs: 60_000, dealWithExpiredTasksIntervalMs: sweepMs, cleanupCompletedJobsIntervalMs: 3_600_000,
  });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('a master starting on the catalog ends them as their tasks did and leaves every other execution as it is', async () => {
  const store = await openSqliteCatalog({ path: dbPath() });
  let succeeded: number, failed: number, canceled: number, stopId: number, normal: number, running: number, pending: number;
  try {
    await prepare(store);
    succeeded = await start(store);
    await end(store, succeeded, 5);
    failed = await start(store);
    await end(store, failed, 4);
    canceled = await start(store);
    const c = await claimAndRun(store, canceled);
    ({ stopOperationId: stopId } = await store.stopOperation(S, { operationId: canceled }));
    assert.is(await store.getOperationStatus(canceled), 8, 'stopping while held');
    await store.updateTaskStatus(S, { workerAgentId: W, taskId: c.taskId, attempt: c.attempt, status: 6, expiredTime: Date.now() });
    normal = await start(store);
    await end(store, normal, 5);
    running = await start(store);
    await claimAndRun(store, running);
    pending = await start(store);
    // Through the procedures every end was committed with its task.
    assert.equal([await store.getOperationStatus(succeeded), await store.getOperationStatus(failed), await store.getOperationStatus(canceled)], [7, 4, 3]);
  } finally {
    await store.close();
  }
  uncommitEnd(succeeded, 2);
  uncommitEnd(failed, 2);
  uncommitEnd(canceled, 8, stopId);
  assert.equal([taskStatus(succeeded), taskStatus(failed), taskStatus(canceled)], [5, 4, 6], 'the tasks are final');
  assert.equal([operationRow(succeeded)['status'], operationRow(failed)['status'], operationRow(canceled)['status'], operationRow(stopId)['status']], [2, 2, 8, 2], 'their operations are not');
  const untouched = [normal, running, pending].map((id) => operationRow(id));
  assert.equal(untouched.map((r) => r['status']), [7, 2, 5]);

  // The read, through the catalog thread's proxy too (SCALEOUT_CATALOG_THREAD): exactly the three.
  const threaded = await openSqliteCatalog({ path: dbPath(), thread: true });
  try {
    assert.type(threaded.listUnfinishedEndedExecutions, 'function', 'the thread proxy has the read');
    const listed = await threaded.listUnfinishedEndedExecutions!();
    assert.equal(listed.map((x) => [x.executionId, x.operationStatus, x.taskStatus, x.workerAgentId, x.attempt, x.isCancelled]), [
      [succeeded, 2, 5, W, 1, false], [failed, 2, 4, W, 1, false], [canceled, 8, 6, W, 1, true],
    ]);
  } finally {
    await threaded.close();
  }

  const store2 = await openSqliteCatalog({ path: dbPath() });
  const logLines: string[] = [];
  const master = newMaster(store2, logLines, 3_600_000);
  try {
    await master.start();
    const executions = new Map((await store2.queryView(S, 'catalog.executions')).rows.map((r) => [Number(r['execution_id']), r]));
    assert.is(Number(executions.get(succeeded)?.['status']), 7, 'catalog.executions: succeeded task → 7');
    assert.is(Number(executions.get(failed)?.['status']), 4, 'catalog.executions: failed task → 4');
    assert.is(Number(executions.get(canceled)?.['status']), 3, 'catalog.executions: canceled task → 3');
    assert.equal([normal, running, pending].map((id) => Number(executions.get(id)?.['status'])), [7, 2, 5], 'catalog.executions: the others as they were');
    assert.is(await store2.getOperationStatus(succeeded), 7, 'succeeded task → 7');
    assert.is(await store2.getOperationStatus(failed), 4, 'failed task → 4');
    assert.is(await store2.getOperationStatus(canceled), 3, 'canceled task → 3');
    assert.is(await store2.getOperationStatus(stopId), 7, 'its stop operation completed (update_cancelled_operation_status)');
    assert.ok(operationRow(succeeded)['end_time'], 'an end time was committed');
    assert.ok(operationRow(canceled)['stopped_by_name'] !== null, 'stopped_by taken from the stop operation');
    const after = [normal, running, pending].map((id) => operationRow(id));
    assert.equal(after, untouched, 'the other executions are untouched');
    assert.is(master.hub.actors.stateOf(`execution:${pending}`), 'pending', 'the live ones are rebuilt as before');
    assert.is(master.hub.actors.stateOf(`execution:${running}`), 'running');
    assert.ok(logLines.some((l) => l.includes('reconcile: 3 execution(s) ended as their task had')), 'the reconcile is logged');
    // A second pass finds nothing left.
    assert.equal(await master.hub.dispatcher.reconcileEndedExecutions(), []);
  } finally {
    await master.close();
  }
});

test('a failed reconcile commit is retried by the expiry sweep, which also heals an end lost while the master runs', async () => {
  // A fresh catalog file for this case.
  rmSync(dir, { recursive: true, force: true });
  dir = mkdtempSync(join(tmpdir(), 'scaleout-reconcile-'));
  const store = await openSqliteCatalog({ path: dbPath() });
  let atStart: number;
  try {
    await prepare(store);
    atStart = await start(store);
    await end(store, atStart, 5);
  } finally {
    await store.close();
  }
  uncommitEnd(atStart, 2);

  const real = await openSqliteCatalog({ path: dbPath() });
  // The store the master runs on: the first end-status commit fails as a full disk would.
  let failures = 0;
  const store2 = new Proxy(real, {
    get(target, prop) {
      if (prop === 'updateOperationStatusForTask') {
        return async (...args: Parameters<SqliteCatalogStore['updateOperationStatusForTask']>) => {
          if (failures++ === 0) throw new Error('SQLITE_FULL: database or disk is full (injected)');
          return target.updateOperationStatusForTask(...args);
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const logLines: string[] = [];
  const master = newMaster(store2, logLines, 200);
  try {
    await master.start();
    assert.is(failures, 1, 'the reconcile at start tried once and failed');
    assert.ok(logLines.some((l) => l.includes('reconcile: could not commit the end of this execution')), 'the failure is logged');
    assert.is(await real.getOperationStatus(atStart), 2, 'not ended yet');
    assert.is(await waitFor('the sweep to end it', async () => ((await real.getOperationStatus(atStart)) === 7 ? 7 : undefined)), 7);

    // While the master runs: a task ends through the catalog (no actor of this master holds it) and
    // the end's commit is lost.
    const lost = await start(real);
    await end(real, lost, 4);
    uncommitEnd(lost, 2);
    assert.is(await waitFor('the sweep to end the lost one', async () => { const st = await real.getOperationStatus(lost); return st === 2 ? undefined : st; }), 4);
  } finally {
    await master.close();
  }
});

test.run();
