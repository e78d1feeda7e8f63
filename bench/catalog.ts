/**
 * Catalog throughput on this machine: committed task claims/s and committed task state changes/s
 * (heartbeats from many concurrent callers) on the embedded catalog with synchronous=FULL and group
 * commit, beside the raw better-sqlite3 rate of single-row inserts in 100-row transactions (WAL,
 * synchronous=FULL). Goal: state changes/s ≥ half the raw rate.
 *
 * Fairness: other processes on the machine come and go within seconds, so the raw baseline and the
 * heartbeats run as short alternating slices (SLICE_MS each, PAIRS pairs per round, the order
 * flipping every pair), and each heartbeat slice is compared with the raw slice beside it; the
 * verdict uses the median of those paired ratios, printed with the best slice of each. Claims are
 * measured once per round with CLAIMERS concurrent callers on a queue of QUEUED tasks, re-queued
 * between rounds by a failure report (the tasks have retries left). About 45 s in all.
 * Run: node --import tsx bench/catalog.ts
 */
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openSqliteCatalog, type SqliteCatalogStore } from '../runtime/catalog/sqlite-catalog-store.ts';
import { readProjectFolder } from '../executor/package/project-archive.ts';
import { SYSTEM_PRINCIPAL as S, type TaskRecord } from '../actors/ports.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sso-bench-catalog-'));
const WORKERS = 8;
const QUEUED = 8000;
const CLAIMERS = 64;
const CALLERS = 200;
const ROUNDS = 3;
const PAIRS = 12;
const SLICE_MS = 500;
const CLAIM_SECONDS_MAX = 8;

function workerId(i: number): string {
  return `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

/** A catalog with WORKERS enabled workers and `executions` started Scale Out executions, each task with retries left. */
async function setup(path: string, groupCommit: boolean, executions: number): Promise<SqliteCatalogStore> {
  const store = await openSqliteCatalog({ path, groupCommit });
  await store.createFolder(S, { folderName: 'Bench' });
  const project = await readProjectFolder(join(here, '..', 'tests', 'fixtures', 'projects', 'with-dtproj'));
  await store.deployProject(S, { folderName: 'Bench', projectName: project.name, project });
  for (let w = 0; w < WORKERS; w++) {
    await store.updateWorkerAgentStatus(S, { workerAgentId: workerId(w), perfCounters: [], machineProperties: {} });
    await store.enableWorkerAgent(S, { workerAgentId: workerId(w) });
  }
  const ids = await Promise.all(Array.from({ length: executions }, () => store.createExecution(S, { folderName: 'Bench', projectName: project.name, packageName: 'Main.dtsx', runInScaleOut: true })));
  await Promise.all(ids.map(({ executionId }) => store.startExecution(S, { executionId, retryCount: 100 })));
  return store;
}

/** CLAIMERS concurrent claim loops (spread over the WORKERS) until the queue is empty or time is up. */
async function claims(store: SqliteCatalogStore): Promise<{ rate: number; tasks: TaskRecord[] }> {
  const tasks: TaskRecord[] = [];
  const start = performance.now();
  const deadline = start + CLAIM_SECONDS_MAX * 1000;
  await Promise.all(Array.from({ length: CLAIMERS }, async (_, c) => {
    while (performance.now() < deadline) {
      const t = await store.pullTask(S, { workerAgentId: workerId(c % WORKERS), leaseMs: 3600000 });
      if (t === null) break;
      tasks.push(t);
    }
  }));
  return { rate: tasks.length / ((performance.now() - start) / 1000), tasks };
}

/** CALLERS concurrent heartbeat loops (update_task_status 2), each on its own leased task. */
async function heartbeats(store: SqliteCatalogStore, tasks: readonly TaskRecord[], ms: number): Promise<number> {
  let done = 0;
  const start = performance.now();
  const deadline = start + ms;
  await Promise.all(tasks.slice(0, CALLERS).map(async (t) => {
    while (performance.now() < deadline) {
      await store.updateTaskStatus(S, { workerAgentId: t.workerAgentId!, taskId: t.taskId, attempt: t.executedCount, status: 2, expiredTime: Date.now() + 60000 });
      done++;
    }
  }));
  return done / ((performance.now() - start) / 1000);
}

/** Every leased task reported failed: with retries left, each goes back to the queue (untimed). */
async function requeue(store: SqliteCatalogStore, tasks: readonly TaskRecord[]): Promise<void> {
  const results = await Promise.all(tasks.map((t) => store.updateTaskStatus(S, { workerAgentId: t.workerAgentId!, taskId: t.taskId, attempt: t.executedCount, status: 4, expiredTime: Date.now() })));
  const stuck = results.filter((r) => r.status !== 1).length;
  if (stuck > 0) throw new Error(`bench: ${stuck} tasks did not go back to the queue`);
}

/** The raw baseline: one connection, single-row inserts, 100 per transaction. */
function rawInserts(db: Database.Database, ms: number): number {
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const batch = db.transaction((n: number) => {
    for (let i = 0; i < n; i++) insert.run(`row ${i}`);
  });
  let rows = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    batch(100);
    rows += 100;
  }
  return rows / ((performance.now() - start) / 1000);
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(9);
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  const cpu = cpus();
  console.log(`machine: ${cpu.length} cpus, ${cpu[0]?.model ?? 'unknown'}, node ${process.version}, ${process.platform}/${process.arch}`);
  console.log(`settings: WAL, synchronous=FULL; ${ROUNDS} rounds, each: claims (${CLAIMERS} concurrent claimers, ${QUEUED} queued tasks), then ${PAIRS} pairs of ${SLICE_MS} ms slices raw inserts / heartbeats (${CALLERS} concurrent callers)`);

  const raw = new Database(join(dir, 'raw.db'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  const grouped = await setup(join(dir, 'grouped.db'), true, QUEUED);

  const rawRates: number[] = [];
  const claimRates: number[] = [];
  const beatRates: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const c = await claims(grouped);
    if (c.tasks.length < CALLERS) throw new Error(`bench: only ${c.tasks.length} tasks claimed`);
    claimRates.push(c.rate);
    const from = rawRates.length;
    for (let pair = 0; pair < PAIRS; pair++) {
      if (pair % 2 === 0) {
        rawRates.push(rawInserts(raw, SLICE_MS));
        beatRates.push(await heartbeats(grouped, c.tasks, SLICE_MS));
      } else {
        beatRates.push(await heartbeats(grouped, c.tasks, SLICE_MS));
        rawRates.push(rawInserts(raw, SLICE_MS));
      }
    }
    await requeue(grouped, c.tasks);
    const r = rawRates.slice(from);
    const b = beatRates.slice(from);
    console.log(`round ${round}: claims ${fmt(c.rate)} claims/s (${c.tasks.length}) | raw inserts median ${fmt(median(r))} rows/s | state changes median ${fmt(median(b))} changes/s | paired ratio median ${median(b.map((x, i) => x / r[i]!)).toFixed(2)}`);
  }
  raw.close();
  await grouped.close();

  const single = await setup(join(dir, 'single.db'), false, CALLERS);
  const cs = await claims(single);
  const hbs = await heartbeats(single, cs.tasks, 2000);
  await single.close();

  const ratio = median(beatRates.map((b, i) => b / rawRates[i]!));
  const slices = `${rawRates.length} slices`;
  console.log(`raw better-sqlite3 single-row inserts in 100-row transactions: ${fmt(median(rawRates))} rows/s median, ${fmt(Math.max(...rawRates))} best of ${slices}`);
  console.log(`committed task claims (group commit):                          ${fmt(median(claimRates))} claims/s median, ${fmt(Math.max(...claimRates))} best of ${ROUNDS} rounds`);
  console.log(`committed state changes (group commit):                        ${fmt(median(beatRates))} changes/s median, ${fmt(Math.max(...beatRates))} best of ${slices}`);
  console.log(`committed state changes (one transaction each):                ${fmt(hbs)} changes/s (for comparison, one 2 s run)`);
  console.log(`ratio state changes / raw inserts: ${ratio.toFixed(2)} median of paired slices, ${(Math.max(...beatRates) / Math.max(...rawRates)).toFixed(2)} best / best (goal ≥ 0.50: ${ratio >= 0.5 ? 'met' : 'NOT met'})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
