/**
 * Catalog throughput on this machine: committed task claims/s and committed task state changes/s
 * (heartbeats from many concurrent callers) on the embedded catalog with synchronous=FULL and group
 * commit, beside the raw better-sqlite3 rate of single-row inserts in 100-row transactions (WAL,
 * synchronous=FULL). Goal: state changes/s ≥ half the raw rate. Bounded to about a minute.
 * Run: node --import tsx bench/catalog.ts
 */
import { cpus } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openSqliteCatalog, type SqliteCatalogStore } from '../runtime/catalog/sqlite-catalog-store.ts';
import { readProjectFolder } from '../executor/package/project-archive.ts';
import { SYSTEM_PRINCIPAL as S, type TaskRecord } from '../actors/ports.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sso-bench-catalog-'));
const WORKERS = 8;
const EXECUTIONS = 3000;
const CALLERS = 200;
const SECONDS = 8;

function workerId(i: number): string {
  return `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

async function setup(path: string, groupCommit: boolean): Promise<SqliteCatalogStore> {
  const store = await openSqliteCatalog({ path, groupCommit });
  await store.createFolder(S, { folderName: 'Bench' });
  const project = await readProjectFolder(join(here, '..', 'tests', 'fixtures', 'projects', 'with-dtproj'));
  await store.deployProject(S, { folderName: 'Bench', projectName: project.name, project });
  for (let w = 0; w < WORKERS; w++) {
    await store.updateWorkerAgentStatus(S, { workerAgentId: workerId(w), perfCounters: [], machineProperties: {} });
    await store.enableWorkerAgent(S, { workerAgentId: workerId(w) });
  }
  const ids = await Promise.all(Array.from({ length: EXECUTIONS }, () => store.createExecution(S, { folderName: 'Bench', projectName: project.name, packageName: 'Main.dtsx', runInScaleOut: true })));
  await Promise.all(ids.map(({ executionId }) => store.startExecution(S, { executionId })));
  return store;
}

/** WORKERS concurrent claim loops until the queue is empty or time is up. */
async function claims(store: SqliteCatalogStore): Promise<{ rate: number; tasks: TaskRecord[] }> {
  const tasks: TaskRecord[] = [];
  const start = performance.now();
  const deadline = start + SECONDS * 1000;
  await Promise.all(Array.from({ length: WORKERS }, async (_, w) => {
    while (performance.now() < deadline) {
      const t = await store.pullTask(S, { workerAgentId: workerId(w), leaseMs: 3600000 });
      if (t === null) break;
      tasks.push(t);
    }
  }));
  return { rate: tasks.length / ((performance.now() - start) / 1000), tasks };
}

/** CALLERS concurrent heartbeat loops (update_task_status 2), each on its own leased task. */
async function heartbeats(store: SqliteCatalogStore, tasks: readonly TaskRecord[], seconds: number): Promise<number> {
  let done = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(tasks.slice(0, CALLERS).map(async (t) => {
    while (performance.now() < deadline) {
      await store.updateTaskStatus(S, { workerAgentId: t.workerAgentId!, taskId: t.taskId, attempt: t.executedCount, status: 2, expiredTime: Date.now() + 60000 });
      done++;
    }
  }));
  return done / ((performance.now() - start) / 1000);
}

function rawInserts(path: string, seconds: number): number {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const batch = db.transaction((n: number) => {
    for (let i = 0; i < n; i++) insert.run(`row ${i}`);
  });
  let rows = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    batch(100);
    rows += 100;
  }
  const rate = rows / ((performance.now() - start) / 1000);
  db.close();
  return rate;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

try {
  const cpu = cpus();
  console.log(`machine: ${cpu.length} cpus, ${cpu[0]?.model ?? 'unknown'}, node ${process.version}, ${process.platform}/${process.arch}`);
  console.log(`settings: WAL, synchronous=FULL; ${WORKERS} claiming workers, ${CALLERS} concurrent heartbeat callers, ${SECONDS} s per phase`);

  const raw = rawInserts(join(dir, 'raw.db'), SECONDS);
  console.log(`raw better-sqlite3 single-row inserts in 100-row transactions: ${fmt(raw)} rows/s`);

  const grouped = await setup(join(dir, 'grouped.db'), true);
  const c = await claims(grouped);
  console.log(`committed task claims (group commit):            ${fmt(c.rate)} claims/s (${c.tasks.length} claimed)`);
  const hb = await heartbeats(grouped, c.tasks, SECONDS);
  console.log(`committed state changes (group commit):          ${fmt(hb)} changes/s`);
  await grouped.close();

  const single = await setup(join(dir, 'single.db'), false);
  const cs = await claims(single);
  const hbs = await heartbeats(single, cs.tasks, 3);
  console.log(`committed state changes (one transaction each):  ${fmt(hbs)} changes/s (for comparison)`);
  await single.close();

  const ratio = hb / raw;
  console.log(`ratio state changes / raw inserts: ${ratio.toFixed(2)} (goal ≥ 0.50: ${ratio >= 0.5 ? 'met' : 'NOT met'})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
