/**
 * Dispatch benchmark: one master and one worker on this machine (the `scaleout up` composition:
 * mutual TLS, the SQLite catalog with every state change committed, Piscina threads) running an
 * empty package. Measures start-to-running latency (p50/p99) of executions submitted one at a time,
 * then end-to-end executions/s for a burst. Usage:
 *   npm run bench:dispatch -- [--latency 500] [--burst 20000] [--max-tasks 10] [--engine]
 * --engine runs bench/fixtures/EmptyProject/Empty.dtsx through the real package engine; without it a
 * runner that succeeds at once stands in, so the figures are Scale Out's own cost.
 * --processes runs the worker in its own process (bench/dispatch-worker.ts), as in production; the
 * cost counters and CPU figures are then the master process's alone.
 */
import { cpus, loadavg, totalmem, tmpdir, release, platform } from 'node:os';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { SYSTEM_PRINCIPAL } from '../actors/ports.ts';
import { readProjectFolder } from '../executor/package/project-archive.ts';
import { startLocalCluster } from '../runtime/local/local-cluster.ts';
import { ensureDataFolder } from '../runtime/local/data-folder.ts';
import { startMaster } from '../runtime/master/index.ts';
import type { RunningMaster } from '../runtime/master/index.ts';
import { startExecution } from '../runtime/transport/master-server.ts';
import type { Assignment } from '../runtime/master/agent-hub.ts';
import { bySource, msBySource, installCounters, snapshot, since } from './dispatch-counters.ts';
import type { CostCounters } from './dispatch-counters.ts';
import { intArg, percentile } from './bench-cli.ts';

installCounters();
// The master's catalog runs in a thread of its own (runtime/catalog/sqlite-catalog-thread.ts): its
// statements are counted there and read back (`benchCounters`).
process.env['SCALEOUT_CATALOG_THREAD_PRELOAD'] = new URL('./thread-counters.ts', import.meta.url).href;
interface ThreadCounters { counters: CostCounters; bySource: [string, number][] | null; msBySource: [string, number][] | null }
async function threadCounters(): Promise<ThreadCounters | null> {
  const read = (store as unknown as { benchCounters?: () => Promise<ThreadCounters | null> }).benchCounters;
  return read === undefined ? null : await read();
}

const LATENCY_RUNS = intArg('latency', 500);
const BURST = intArg('burst', 20_000);
const MAX_TASKS = intArg('max-tasks', 10);
const ENGINE = process.argv.includes('--engine');
const PROCESSES = process.argv.includes('--processes');
const PROJECT_DIR = fileURLToPath(new URL('./fixtures/EmptyProject', import.meta.url));
const RUNNER = new URL('./fixtures/empty-runner.ts', import.meta.url);

const waitingRunning = new Map<number, () => void>();
const waitingFinal = new Map<number, () => void>();
const finals = new Map<number, number>();
const observer = {
  taskAssigned(a: Assignment) { waitingRunning.get(a.executionId)?.(); },
  taskReported(a: Assignment, _reported: number, _effective: number, operationStatus: number | undefined) {
    if (operationStatus === undefined || ![3, 4, 6, 7, 9].includes(operationStatus)) return;
    finals.set(a.executionId, operationStatus);
    waitingFinal.get(a.executionId)?.();
  },
};


const dir = mkdtempSync(join(tmpdir(), 'scaleout-bench-'));
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ${platform()} ${release()}, node ${process.version}`);
console.log(`setup:   1 master + 1 worker (MaxTaskCount ${MAX_TASKS}) ${PROCESSES ? 'in two processes' : 'in one process'} over mutual TLS on localhost, SQLite catalog (WAL, synchronous=FULL, group commit), ${ENGINE ? 'real package engine on Empty.dtsx' : 'empty runner fixture (no package engine)'}`);
console.log(`load:    ${loadavg().map((l) => l.toFixed(2)).join(' ')} (1/5/15 min load average at the start; other processes share the cores)`);
const env = { ...process.env, SCALEOUT_WORKER_MaxTaskCount: String(MAX_TASKS), SCALEOUT_LOG_LEVEL: process.env['SCALEOUT_LOG_LEVEL'] ?? 'warn' };
const cluster = PROCESSES ? await startTwoProcesses(join(dir, 'data')) : await startLocalCluster(join(dir, 'data'), { observer, env, ...(ENGINE ? {} : { runner: RUNNER }) });
const store = cluster.master.service.store;
const hub = cluster.master.service.hub;

/** The master here, the worker as a child process (bench/dispatch-worker.ts), the worker enabled. */
async function startTwoProcesses(dataDir: string): Promise<{ master: RunningMaster; stop(): Promise<void> }> {
  const data = await ensureDataFolder(dataDir);
  const master = await startMaster(data.masterConfig, { env, host: 'localhost', observer });
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./dispatch-worker.ts', import.meta.url)), data.workerConfig, ...(ENGINE ? ['--engine'] : [])], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => { child.kill('SIGTERM'); await exited; await master.stop(); };
  try {
    const deadline = Date.now() + 60_000;
    while (!master.service.hub.connectedAgents().some((a) => a.agentId === data.agentId)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('the worker process did not connect within 60 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    await master.service.store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: data.agentId });
    await master.service.requestRefresh();
  } catch (err) {
    await stop();
    throw err;
  }
  return { master, stop };
}
try {
  await store.createFolder(SYSTEM_PRINCIPAL, { folderName: 'Bench' });
  await store.deployProject(SYSTEM_PRINCIPAL, { folderName: 'Bench', projectName: 'EmptyProject', project: await readProjectFolder(PROJECT_DIR) });
  const body = { folder: 'Bench', project: 'EmptyProject', package: 'Empty.dtsx' } as const;
  const until = (map: Map<number, () => void>, id: number) => new Promise<void>((resolve) => map.set(id, () => { map.delete(id); resolve(); }));

  // Warm-up: thread start, project download and cache, prepared statements.
  for (let i = 0; i < 5; i++) {
    const id = await startExecution(store, SYSTEM_PRINCIPAL, body);
    const done = until(waitingFinal, id);
    hub.kick();
    await done;
  }

  // 1. Latency: one at a time, from the start_execution call to the task's claim committed as running.
  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_RUNS; i++) {
    const { executionId } = await store.createExecution(SYSTEM_PRINCIPAL, { folderName: 'Bench', projectName: 'EmptyProject', packageName: 'Empty.dtsx', runInScaleOut: true, useAnyWorker: true, use32BitRuntime: false });
    const running = until(waitingRunning, executionId);
    const done = until(waitingFinal, executionId);
    const t0 = performance.now();
    await store.startExecution(SYSTEM_PRINCIPAL, { executionId, retryCount: 0 });
    hub.kick();
    await running;
    latencies.push(performance.now() - t0);
    await done;
  }
  latencies.sort((a, b) => a - b);
  if (LATENCY_RUNS > 0) {
    console.log(`latency: ${LATENCY_RUNS} executions one at a time, start_execution → running: p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms, max ${latencies[latencies.length - 1]!.toFixed(2)} ms`);
  }

  // 2. Burst: submit BURST executions at once, wait for every one to end.
  if (BURST > 0) {
    finals.clear();
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = process.cpuUsage();
    const costs0 = snapshot();
    const thread0 = await threadCounters();
    const t0 = performance.now();
    let ended = 0;
    const all = new Promise<void>((resolve) => { observer.taskReported = (a, _r, _e, status) => {
      if (status === undefined || ![3, 4, 6, 7, 9].includes(status) || finals.has(a.executionId)) return;
      finals.set(a.executionId, status);
      if (++ended === BURST) resolve();
    }; });
    const ids: number[] = [];
    const SUBMIT_CHUNK = 500;
    for (let i = 0; i < BURST; i += SUBMIT_CHUNK) {
      const chunk = await Promise.all(Array.from({ length: Math.min(SUBMIT_CHUNK, BURST - i) }, () => startExecution(store, SYSTEM_PRINCIPAL, body)));
      ids.push(...chunk);
      hub.kick();
    }
    const submitted = performance.now() - t0;
    await all;
    const total = performance.now() - t0;
    const elu = performance.eventLoopUtilization(elu0);
    const cpu = process.cpuUsage(cpu0);
    const costs = since(costs0);
    const thread1 = await threadCounters();
    if (thread0 !== null && thread1 !== null) {
      // The catalog thread's statements and commits count with the main thread's.
      costs.statements += thread1.counters.statements - thread0.counters.statements;
      costs.commits += thread1.counters.commits - thread0.counters.commits;
      if (bySource !== null && thread1.bySource !== null && thread1.msBySource !== null) {
        const before = new Map(thread0.bySource ?? []), msBefore = new Map(thread0.msBySource ?? []);
        for (const [sql, n] of thread1.bySource) bySource.set(sql, (bySource.get(sql) ?? 0) + n - (before.get(sql) ?? 0));
        for (const [sql, ms] of thread1.msBySource) msBySource!.set(sql, (msBySource!.get(sql) ?? 0) + ms - (msBefore.get(sql) ?? 0));
      }
    }
    const succeeded = [...finals.values()].filter((s) => s === 7).length;
    const view = await store.queryView(SYSTEM_PRINCIPAL, 'catalog.executions');
    const idSet = new Set(ids);
    const inCatalog = view.rows.filter((r) => idSet.has(Number(r['execution_id'])) && Number(r['status']) === 7).length;
    console.log(`burst:   ${BURST} executions submitted in ${(submitted / 1000).toFixed(2)} s, all ended in ${(total / 1000).toFixed(2)} s: ${(BURST / (total / 1000)).toFixed(0)} executions/s end to end (${succeeded} succeeded; ${inCatalog} committed as succeeded in catalog.executions)`);
    // Where the ceiling is: a main thread busy ~100% of the time is the bottleneck, whatever the cores.
    console.log(`         main thread busy ${(elu.utilization * 100).toFixed(0)}% of the burst (${(elu.active / BURST).toFixed(2)} ms per execution); process CPU ${((cpu.user + cpu.system) / 1000 / BURST).toFixed(2)} ms per execution (user ${(cpu.user / 1000 / BURST).toFixed(2)}, system ${(cpu.system / 1000 / BURST).toFixed(2)})`);
    const per = (n: number) => (n / BURST).toFixed(2);
    if (bySource !== null) {
      for (const [sql, n] of [...bySource].sort((x, y) => (msBySource!.get(y[0]) ?? 0) - (msBySource!.get(x[0]) ?? 0)).slice(0, 30)) {
        console.log(`  ${per(n)} × ${((msBySource!.get(sql) ?? 0) / BURST).toFixed(3)} ms  ${sql.replace(/\s+/g, ' ').slice(0, 150)}`);
      }
      console.log(`  SQL time in all (main thread${thread1 !== null ? ' and catalog thread' : ''}): ${([...msBySource!.values()].reduce((a, b) => a + b, 0) / BURST).toFixed(3)} ms per execution`);
    }
    console.log(`         per execution: ${per(costs.statements)} SQL statements, ${per(costs.commits)} commits, ${per(costs.frames)} frames, ${per(costs.actors)} actors started, ${per(costs.fileOps)} file operations (main thread), ${(elu.active / BURST).toFixed(2)} main-thread ms${PROCESSES ? ' (master process only)' : ''}${thread1 !== null ? '; SQL statements and commits include the catalog thread\'s' : ''}`);
  }
} finally {
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
