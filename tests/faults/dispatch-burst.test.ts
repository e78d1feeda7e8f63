import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { killAll } from '../helpers/cli-process.ts';
import { runsByTag, startCluster } from '../helpers/fault-cluster.ts';
import type { FaultCluster, Submitted } from '../helpers/fault-cluster.ts';

// Finding 7 (issue 8): with master and worker as separate processes, dispatch stalled with tasks
// Ready while the worker was connected, enabled and idle, until any POST woke the master. The
// cause: when the runs of a wave end while the catalog is slow to commit (a busy master: 2,000
// REST submissions), the worker's `pull` for the slots they free is answered at once, before their
// final reports are committed, so the master's `worker:` actor, still counting the runs, grants
// nothing; the committed reports then freed the slots without waking dispatch, and the worker (its
// pull already outstanding) never asked again. Here the catalog is made slow on purpose: the test
// holds its write lock (as any other process may) while a wave of runs ends.
const test = suite('faults: bursts of REST submissions to separate master and worker processes');
let c: FaultCluster;
const CAPACITY = 4;

test.before(async () => {
  // The worker's own heartbeat (AgentHeartbeatInterval) makes it pull again; at its default
  // (1 minute) it cannot hide a stall within the bounds below.
  c = await startCluster({ workers: 1, maxTaskCount: CAPACITY, leaseMs: 10_000, agentHeartbeatMs: 60_000 });
  await c.startMaster();
  await c.startWorker(0);
  await c.deploy();
});
test.after(async () => { await c?.stop(); await killAll(); });

async function endAll(batch: readonly Submitted[], what: string): Promise<void> {
  const ended = await c.waitEnded(batch.map((s) => s.id), 30_000).catch((err: Error) => {
    const ready = c.query<{ n: number }>('SELECT COUNT(*) AS n FROM tasks WHERE Status = 1')[0]!.n;
    throw new Error(`${what}: ${err.message}; tasks still Ready with the worker idle: ${ready}`);
  });
  for (const s of batch) assert.is(ended.get(s.id), 7, `execution ${s.id} succeeded`);
}

test('a wave of runs ends while the catalog is slow to commit: the next wave is still dispatched', async () => {
  const batch = await c.submit(2 * CAPACITY, { parallel: 2 * CAPACITY, seconds: 2 });
  await c.waitFor('the first wave to run', () => c.markerLines().filter((l) => l.kind === 'start').length >= CAPACITY, 30_000);
  // Hold the catalog's write lock from before the first wave ends until a moment after all of it
  // ended: its final reports wait, the worker's pulls for the freed slots do not.
  const lock = new Database(c.catalogPath, { timeout: 10_000 });
  try {
    lock.prepare('BEGIN IMMEDIATE').run();
    await c.waitFor('the first wave to end', () => c.markerLines().filter((l) => l.kind === 'end').length >= CAPACITY, 20_000);
    await new Promise((r) => setTimeout(r, 800));
  } finally {
    if (lock.inTransaction) lock.prepare('ROLLBACK').run();
    lock.close();
  }
  await endAll(batch, 'after a slow commit');
});

test('every execution of every burst ends, each run once', async () => {
  const all: Submitted[] = [];
  for (let burst = 0; burst < 3; burst++) {
    const batch = await c.submit(2 * CAPACITY, { parallel: 2 * CAPACITY, seconds: 1 });
    all.push(...batch);
    // Nothing but the master moves these along: no other submission comes until they end.
    await endAll(batch, `burst ${burst}`);
  }
  const runs = runsByTag(c.markerLines());
  for (const s of all) assert.equal(runs.get(s.tag), { starts: 1, ends: 1 }, `execution ${s.id} ran once`);
});

test.run();
