/**
 * Issue 15: a liveness-only worker heartbeat commits nothing by itself. Its LastOnlineTime and perf
 * counters wait in memory and are written by the next group transaction, by a timer at most
 * LIVENESS_FLUSH_MS later, or before this store's own reads show them; a second connection (another
 * process) sees them only then. Heartbeats that carry machine properties, a certificate, or come
 * while a mutation is queued take the general (committed) path. Also: `hasReadyTasks`, and a claim
 * with nothing ready answers [] without a transaction while keeping its refusals.
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
import { SYSTEM_PRINCIPAL as S } from '../../actors/ports.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sso-liveness-'));
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
const test = suite('sqlite: liveness heartbeats ride the group commit');

const W1 = '64c020e2-f819-4c2d-a22f-efb31a91e70a';
const W2 = '0b8f3c1e-2d4a-4e5f-9a6b-7c8d9e0f1a2b';
let t = Date.parse('2024-01-01T00:00:00.000Z');
const clock = { now: (): number => t };
let n = 0;
const open: SqliteCatalogStore[] = [];
test.after.each(async () => { for (const s of open.splice(0)) await s.close(); });

async function catalog(): Promise<{ store: SqliteCatalogStore; path: string; other: Database.Database }> {
  const path = join(dir, `c-${++n}.db`);
  const store = await openSqliteCatalog({ path, clock });
  open.push(store);
  for (const w of [W1, W2]) {
    await store.updateWorkerAgentStatus(S, { workerAgentId: w, perfCounters: [], machineProperties: { MachineName: `m-${w.slice(0, 4)}` } });
    await store.enableWorkerAgent(S, { workerAgentId: w });
  }
  const other = new Database(path, { readonly: true });
  return { store, path, other };
}
const lastOnline = (db: Database.Database, w: string) => (db.prepare('SELECT LastOnlineTime FROM worker_agents WHERE WorkerAgentId = ?').get(w) as { LastOnlineTime: string }).LastOnlineTime;
const counters = (db: Database.Database, w: string) => (db.prepare('SELECT COUNT(*) AS n FROM worker_agent_perfcounter WHERE WorkerAgentId = ?').get(w) as { n: number }).n;

test('a liveness heartbeat is not committed alone; the store\'s own views show it at once, another connection after the flush', async () => {
  const { store, other } = await catalog();
  const before = lastOnline(other, W1);
  t += 5_000;
  const beat = { workerAgentId: W1, perfCounters: [{ name: 'CPU', value: 12.5, timestamp: t }], machineProperties: {} };
  assert.equal(await store.updateWorkerAgentStatus(S, beat), { isEnabled: true, registered: false });
  assert.is(lastOnline(other, W1), before, 'nothing committed by the heartbeat itself');
  assert.is(counters(other, W1), 0);
  const view = (await store.queryView(S, 'catalog.worker_agents')).rows.find((r) => String(r['WorkerAgentId']).toLowerCase() === W1)!;
  assert.is(String(view['LastOnlineTime']), new Date(t).toISOString().replace('Z', '+00:00'), 'the view flushed it first');
  assert.is(lastOnline(other, W1), new Date(t).toISOString().replace('Z', '+00:00'), 'committed once shown');
  assert.is(counters(other, W1), 1);
  assert.is((await store.getWorkerAgent(W1))!.lastOnlineTime, t);
});

test('the next group transaction carries the pending beats; a newer beat of the same worker wins', async () => {
  const { store, other } = await catalog();
  t += 1_000;
  await store.updateWorkerAgentStatus(S, { workerAgentId: W1, perfCounters: [], machineProperties: {} });
  t += 1_000;
  await store.updateWorkerAgentStatus(S, { workerAgentId: W1, perfCounters: [], machineProperties: {} });
  const latest = new Date(t).toISOString().replace('Z', '+00:00');
  await store.createFolder(S, { folderName: 'F' }); // any mutation: its COMMIT carries the beats
  assert.is(lastOnline(other, W1), latest);
});

test('the timer commits pending beats within LIVENESS_FLUSH_MS when nothing else is written', async () => {
  const { store, other } = await catalog();
  t += 2_000;
  await store.updateWorkerAgentStatus(S, { workerAgentId: W2, perfCounters: [], machineProperties: {} });
  const expected = new Date(t).toISOString().replace('Z', '+00:00');
  // Waits for the store's own timer (the flush is the behaviour under test, not a duration).
  for (let i = 0; i < 100 && lastOnline(other, W2) !== expected; i++) await new Promise((r) => setTimeout(r, 50));
  assert.is(lastOnline(other, W2), expected);
});

test('refusals are the same on the liveness path: bad counters 27101, unknown worker registers (general path), bad id 27101', async () => {
  const { store, other } = await catalog();
  try {
    await store.updateWorkerAgentStatus(S, { workerAgentId: W1, perfCounters: [{ name: '', value: 1, timestamp: t }], machineProperties: {} });
    assert.unreachable('empty counter name');
  } catch (err) {
    assert.ok(SsoError.is(err));
    assert.is((err as SsoError).number, 27101);
  }
  try {
    await store.updateWorkerAgentStatus(S, { workerAgentId: 'nope', perfCounters: [], machineProperties: {} });
    assert.unreachable('bad id');
  } catch (err) {
    assert.ok(SsoError.is(err));
  }
  const W3 = '9d6f1a2b-0000-4000-8000-000000000003';
  assert.equal(await store.updateWorkerAgentStatus(S, { workerAgentId: W3, perfCounters: [], machineProperties: {} }), { isEnabled: false, registered: true });
  assert.ok(other.prepare('SELECT 1 FROM worker_agents WHERE WorkerAgentId = ?').get(W3), 'a registration is committed before it is answered');
});

test('a worker deleted while its beat waits: the beat is dropped, nothing fails', async () => {
  const { store, other } = await catalog();
  await store.updateWorkerAgentStatus(S, { workerAgentId: W2, perfCounters: [{ name: 'CPU', value: 1, timestamp: t }], machineProperties: {} });
  await store.disableWorkerAgent(S, { workerAgentId: W2 });
  await store.deleteWorkerAgent(S, { workerAgentId: W2 });
  await store.createFolder(S, { folderName: 'G' });
  assert.is(other.prepare('SELECT 1 FROM worker_agents WHERE WorkerAgentId = ?').get(W2), undefined);
  assert.is(counters(other, W2), 0);
});

test('hasReadyTasks and an idle claim: [] with no task ready, refusals kept; a queued start is seen by the claim after it', async () => {
  const { store } = await catalog();
  await store.createFolder(S, { folderName: 'F' });
  const project = await readProjectFolder(join(here, '..', 'fixtures', 'projects', 'with-dtproj'));
  await store.deployProject(S, { folderName: 'F', projectName: project.name, project });
  assert.is(await store.hasReadyTasks!(), false);
  assert.equal(await store.claimTasks!(S, { workerAgentId: W1, leaseMs: 1000, limit: 5 }), []);
  try {
    await store.claimTasks!(S, { workerAgentId: '9d6f1a2b-0000-4000-8000-00000000000f', leaseMs: 1000, limit: 1 });
    assert.unreachable('unknown worker');
  } catch (err) {
    assert.is((err as SsoError).number, 27243);
  }
  const { executionId } = await store.createExecution(S, { folderName: 'F', projectName: project.name, packageName: 'Main.dtsx', runInScaleOut: true, useAnyWorker: true });
  // Start and claim queued in the same turn: the claim runs after the start in the same group.
  const [, claimed] = await Promise.all([store.startExecution(S, { executionId, retryCount: 0 }), store.claimTasks!(S, { workerAgentId: W1, leaseMs: 1000, limit: 5 })]);
  assert.equal(claimed.map((c) => c.executionId), [executionId]);
  assert.is(await store.hasReadyTasks!(), false);
});

test.run();
