/**
 * The embedded catalog's fast heartbeat path (one conditional UPDATE) against its general path: a
 * report the fast statement does not match must get exactly the answer and the error the general
 * path gives, in a group commit beside reports that succeed, and the stored time text must be the
 * same `toISOString` form whatever the clock returns.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openSqliteCatalog, type SqliteCatalogStore } from '../../runtime/catalog/sqlite-catalog-store.ts';
import { readProjectFolder } from '../../executor/package/project-archive.ts';
import { SsoError } from '../../actors/errors.ts';
import { SYSTEM_PRINCIPAL as S, type TaskRecord, type UpdateTaskStatusInput } from '../../actors/ports.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sso-catalog-hb-'));
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));

const W1 = '64c020e2-f819-4c2d-a22f-efb31a91e70a';
const W2 = '0b8f3c1e-2d4a-4e5f-9a6b-7c8d9e0f1a2b';
let n = 0;
let t = Date.parse('2024-01-01T00:00:00.000Z');
const clock = { now: (): number => t };
const open: SqliteCatalogStore[] = [];

/** A catalog with two enabled workers and `count` tasks claimed by W1. */
async function leased(count: number): Promise<{ store: SqliteCatalogStore; tasks: TaskRecord[]; path: string }> {
  const path = join(dir, `catalog-${++n}.db`);
  const store = await openSqliteCatalog({ path, clock });
  open.push(store);
  await store.createFolder(S, { folderName: 'F' });
  const project = await readProjectFolder(join(here, '..', 'fixtures', 'projects', 'with-dtproj'));
  await store.deployProject(S, { folderName: 'F', projectName: project.name, project });
  for (const w of [W1, W2]) {
    await store.updateWorkerAgentStatus(S, { workerAgentId: w, perfCounters: [], machineProperties: {} });
    await store.enableWorkerAgent(S, { workerAgentId: w });
  }
  const tasks: TaskRecord[] = [];
  for (let i = 0; i < count; i++) {
    const { executionId } = await store.createExecution(S, { folderName: 'F', projectName: project.name, packageName: 'Main.dtsx', runInScaleOut: true });
    await store.startExecution(S, { executionId, retryCount: 1 });
    tasks.push((await store.pullTask(S, { workerAgentId: W1, leaseMs: 60000 }))!);
  }
  return { store, tasks, path };
}

/** The task rows' stored text, read through a second connection. */
function storedRows(path: string): Map<string, { ExpiredTime: string | null; LastUpdatedTime: string; Status: number }> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('SELECT TaskId, ExpiredTime, LastUpdatedTime, Status FROM tasks').all() as { TaskId: string; ExpiredTime: string | null; LastUpdatedTime: string; Status: number }[];
    return new Map(rows.map((r) => [r.TaskId, r]));
  } finally {
    db.close();
  }
}

const text = (ms: number): string => new Date(ms).toISOString().replace('Z', '+00:00');

async function outcome(p: Promise<unknown>): Promise<unknown> {
  try {
    return await p;
  } catch (error) {
    return SsoError.is(error) ? `error ${error.number}: ${error.message}` : `thrown ${String(error)}`;
  }
}

const hb = suite('sqlite catalog: heartbeat fast path');
hb.after.each(async () => {
  for (const s of open.splice(0)) await s.close();
});

hb('refusals queued in one group beside good heartbeats get their own errors; only the good ones write', async () => {
  const { store, tasks, path } = await leased(8);
  const before = storedRows(path);
  t += 1500;
  const exp = t + 30000;
  const base = (i: number): UpdateTaskStatusInput => ({ workerAgentId: W1, taskId: tasks[i]!.taskId, attempt: 1, status: 2, expiredTime: exp });
  // All queued in the same tick: one group transaction.
  const results = await Promise.all([
    outcome(store.updateTaskStatus(S, base(0))),
    outcome(store.updateTaskStatus(S, { ...base(1), attempt: 2 })),
    outcome(store.updateTaskStatus(S, { ...base(2), workerAgentId: W2 })),
    outcome(store.updateTaskStatus(S, { ...base(3), attempt: '1' as unknown as number })),
    outcome(store.updateTaskStatus(S, { ...base(4), expiredTime: Number.NaN })),
    outcome(store.updateTaskStatus(S, { ...base(5), workerAgentId: W2, expiredTime: undefined as unknown as number })),
    outcome(store.updateTaskStatus(S, { ...base(6), status: 3 })),
    outcome(store.updateTaskStatus(S, { ...base(7), attempt: 1.5 })),
  ]);
  const ids = tasks.map((x) => x.taskId);
  assert.equal(results[0], { status: 2 });
  assert.equal(results[6], { status: 3 });
  // Stale attempt, another worker, an attempt that is not a number, a missing expiry on a task the
  // caller does not hold (27246 comes first), a fractional attempt.
  for (const i of [1, 2, 3, 5, 7]) assert.match(String(results[i]), new RegExp(`^error 27246: .*${ids[i]}`), `report ${i}`);
  // A NaN expiry on a task the caller holds.
  assert.match(String(results[4]), /^error 27101: .*ExpiredTime/);
  const after = storedRows(path);
  for (const i of [0, 6]) {
    assert.is(after.get(ids[i]!)!.ExpiredTime, text(exp));
    assert.is(after.get(ids[i]!)!.LastUpdatedTime, text(t));
  }
  assert.is(after.get(ids[6]!)!.Status, 3);
  for (const i of [1, 2, 3, 4, 5, 7]) assert.equal(after.get(ids[i]!), before.get(ids[i]!), `task ${i} changed`);
});

hb('GUIDs in another spelling take the general path and still renew', async () => {
  const { store, tasks, path } = await leased(2);
  t += 1000;
  assert.equal(await store.updateTaskStatus(S, { workerAgentId: W1.toUpperCase(), taskId: `{${tasks[0]!.taskId.toUpperCase()}}`, attempt: 1, status: 2, expiredTime: t + 5000 }), { status: 2 });
  assert.equal(await store.updateTaskStatus(S, { workerAgentId: ` ${W1} `, taskId: tasks[1]!.taskId, attempt: 1, status: 2, expiredTime: t + 6000 }), { status: 2 });
  const rows = storedRows(path);
  assert.is(rows.get(tasks[0]!.taskId)!.ExpiredTime, text(t + 5000));
  assert.is(rows.get(tasks[1]!.taskId)!.ExpiredTime, text(t + 6000));
});

hb('a cancelled task answers 6 and its lease is still renewed', async () => {
  const { store, tasks, path } = await leased(1);
  await store.stopOperation(S, { operationId: tasks[0]!.executionId });
  t += 700;
  assert.equal(await store.updateTaskStatus(S, { workerAgentId: W1, taskId: tasks[0]!.taskId, attempt: 1, status: 2, expiredTime: t + 9000 }), { status: 6 });
  assert.is(storedRows(path).get(tasks[0]!.taskId)!.ExpiredTime, text(t + 9000));
});

hb('stored times are the toISOString text for fractional, alternating and second-crossing clock values', async () => {
  const { store, tasks, path } = await leased(1);
  const id = tasks[0]!.taskId;
  const times = [t + 0.75, t + 999.999, t + 1000, t + 61_000.5, t + 1999, t - 1, t + 86_400_000 * 400 + 7];
  for (const now of times) {
    t = now;
    const exp = now + 60_000.9;
    assert.equal(await store.updateTaskStatus(S, { workerAgentId: W1, taskId: id, attempt: 1, status: 2, expiredTime: exp }), { status: 2 });
    const row = storedRows(path).get(id)!;
    assert.is(row.LastUpdatedTime, text(now), `now ${now}`);
    assert.is(row.ExpiredTime, text(exp), `expiry ${exp}`);
  }
});

hb.run();
