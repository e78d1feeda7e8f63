/**
 * Recovery benchmark (issue 8): real processes on this machine — one `scaleout master` and two
 * worker processes (bench/fixtures/recovery-worker.ts: the worker agent with a runner that only
 * holds, so a worker can hold a hundred running tasks), mutual TLS on loopback, the SQLite catalog,
 * a 2-second lease (LeaseInternval 00:00:02, TaskHeartbeatInterval 0.5 s, expiry sweep every 1 s).
 *
 * 1. Master killed (SIGKILL) during a burst of REST submissions, restarted after longer than the
 *    lease: prints the time from the restarted master listening to its first claim (dispatch back),
 *    and to the first claim after the kill.
 * 2. Worker A holding 100 running tasks killed (SIGKILL), worker B enabled and idle: prints the time
 *    from the kill until the first and until all 100 were claimed again by B (claim times are the
 *    catalog's LastPickupTime).
 *
 * Usage: npm run bench:recovery -- [--tasks 100] [--burst 300]
 */
import { cpus, platform, release, totalmem } from 'node:os';
import { startCluster } from '../tests/helpers/fault-cluster.ts';
import type { Submitted } from '../tests/helpers/fault-cluster.ts';
import { killAll } from '../tests/helpers/cli-process.ts';
import { intArg } from './bench-cli.ts';

const TASKS = intArg('tasks', 100, 1);
const BURST = intArg('burst', 300, 1);
const LEASE = 2_000;

console.log(`machine: ${cpus().length} x ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ${platform()} ${release()}, node ${process.version}`);
console.log(`setup:   scaleout master + 2 worker processes (MaxTaskCount ${TASKS}, runs that only hold), mTLS on loopback, SQLite catalog, lease ${LEASE} ms, task heartbeat 500 ms, sweep 1 s`);

const c = await startCluster({ workers: 2, leaseMs: LEASE, taskHeartbeatMs: 500, maxTaskCount: TASKS, workerScript: 'bench/fixtures/recovery-worker.ts' });
const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : NaN);
const claimsAfter = (t: number) => c.query<{ LastPickupTime: string }>('SELECT LastPickupTime FROM tasks WHERE LastPickupTime > ? ORDER BY LastPickupTime', new Date(t).toISOString().replace('Z', '+00:00'));
try {
  await c.startMaster();
  const [a, b] = c.workers;
  await c.startWorker(0);
  await c.startWorker(1);
  await c.deploy();
  // Worker B's pool starts its threads before anything is measured (its re-runs are timed below).
  const warm = await c.submit(TASKS, { seconds: 0, parallel: 25, workers: [b!.agentId], retryCount: 3 });
  await c.waitEnded(warm.map((s) => s.id), 600_000);
  // Phase 1 runs on worker A alone, so that the burst outgrows its slots and tasks wait Ready.
  await c.sql(`EXEC [catalog].[disable_worker_agent] @WorkerAgentId = N'${b!.agentId}'`);

  // ---- 1. master killed during a burst ----
  const burst: Submitted[] = [];
  let stopSubmitting = false;
  const submitting = (async () => {
    while (!stopSubmitting && burst.length < BURST) {
      try { burst.push(...await c.submit(10, { seconds: 3, parallel: 10, retryCount: 2 })); } catch { return; }
    }
  })();
  // More than worker A's slots: some tasks wait Ready when the master is killed.
  await c.waitFor('half of the burst', () => burst.length >= Math.max(BURST / 2, TASKS + 20), 300_000);
  await c.master!.stop('SIGKILL', 10_000);
  const killedAt = Date.now();
  stopSubmitting = true;
  await submitting;
  await new Promise((r) => setTimeout(r, LEASE + 1_000));
  await c.startMaster();
  const readyAt = Date.now();
  const ready = c.query<{ n: number }>('SELECT COUNT(*) AS n FROM tasks WHERE Status = 1')[0]!.n;
  const first = await c.waitFor('the first claim after the restart', () => claimsAfter(readyAt)[0], 120_000);
  await c.waitEnded(burst.map((s) => s.id), 300_000);
  console.log(`master restart: ${burst.length} executions acknowledged, ${ready} tasks Ready at the restart; master down ${readyAt - killedAt} ms (killed → listening)`);
  console.log(`  dispatch back: first claim ${ms(first.LastPickupTime) - readyAt} ms after the restarted master listened (goal: ≤ 1000 ms)`);

  // ---- 2. worker holding TASKS running tasks killed (B still disabled) ----
  const held = await c.submit(TASKS, { seconds: 600, parallel: 25, retryCount: 3 });
  // (On a starved machine a run's first start can outlast the 2 s lease: such a task is re-queued and
  // claimed again by A; what counts is that all of them run on A.)
  await c.waitFor(`${TASKS} tasks running on worker A`, () => c.query<{ n: number }>('SELECT COUNT(*) AS n FROM tasks WHERE Status IN (2, 3) AND WorkerAgentId = ?', a!.agentId)[0]!.n >= TASKS, 600_000);
  // A moment for every run to have started and sent a heartbeat.
  await new Promise((r) => setTimeout(r, 2_000));
  await c.sql(`EXEC [catalog].[enable_worker_agent] @WorkerAgentId = N'${b!.agentId}'`);
  await new Promise((r) => setTimeout(r, 500));
  await a!.child!.stop('SIGKILL', 10_000);
  const workerKilledAt = Date.now();
  const ids = held.map((s) => s.id);
  const rerun = await c.waitFor(`all ${TASKS} tasks claimed again by worker B`, () => {
    const rows = c.query<{ LastPickupTime: string; WorkerAgentId: string; Status: number }>(
      `SELECT t.LastPickupTime, t.WorkerAgentId, t.Status FROM tasks t JOIN executions e ON e.job_id = t.JobId WHERE e.execution_id IN (${ids.join(',')})`);
    return rows.every((r) => r.WorkerAgentId === b!.agentId && ms(r.LastPickupTime) > workerKilledAt) ? rows : false;
  }, 300_000);
  const times = rerun.map((r) => ms(r.LastPickupTime) - workerKilledAt).sort((x, y) => x - y);
  console.log(`worker kill: ${TASKS} running tasks on worker A (SIGKILL), worker B idle`);
  console.log(`  re-run elsewhere: first ${times[0]} ms, all ${TASKS} ${times[times.length - 1]} ms after the kill (goal: ≤ 3000 ms with a 2 s lease)`);
  for (const id of ids) await c.sql(`EXEC [catalog].[stop_operation] @operation_id = ${id}`).catch(() => undefined);
} finally {
  await c.stop();
  await killAll();
}
