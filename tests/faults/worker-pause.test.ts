import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { killAll } from '../helpers/cli-process.ts';
import { runsByTag, startCluster } from '../helpers/fault-cluster.ts';
import type { FaultCluster } from '../helpers/fault-cluster.ts';

// Findings 2 and 5 (issue 8), with real processes: a worker paused (SIGSTOP) past its lease.
// 2: a paused worker kept an outstanding pull, so the retry of its expired task went straight back
//    to it and expired again (the execution ended 6) while a healthy worker waited; resumed, it
//    finished runs that had already been re-run. Now a worker that answers no ping gets no claims,
//    and a resumed worker stops the runs that are no longer its own.
// 5: a success from the current attempt arriving after its lease was lost, before any re-run, was
//    refused: the execution stayed "ended unexpectedly" though the package succeeded. Now it wins,
//    and a re-queued task whose worker answers again before anyone re-ran it stays with that worker.
const test = suite('faults: a worker paused past its lease, then resumed');
const LEASE = 5_000;
let c: FaultCluster;

test.before(async () => {
  // Worker 1 runs one task at a time: busy with a blocker when worker 0's leases run out.
  c = await startCluster({ workers: 2, leaseMs: LEASE, maxTaskCounts: [4, 1] });
  await c.startMaster();
  await c.startWorker(0);
  // Worker 1 is up but disabled: worker 0 alone takes the first runs.
  await c.startWorker(1);
  await c.deploy();
  await c.warmUp(5);
  await c.sql(`EXEC [catalog].[disable_worker_agent] @WorkerAgentId = N'${c.workers[1]!.agentId}'`);
});
test.after(async () => { await c?.stop(); await killAll(); });

test('the retries of a paused worker run on the healthy one; resumed, it finishes none of its stale runs', async () => {
  // Worker 0 alone takes both (and keeps two slots free: its pull stays outstanding); worker 1 is
  // enabled and busy with a blocker for a few seconds; then worker 0 is paused. When the leases run
  // out, worker 1 is busy and worker 0 still "asks" for work: the retries must wait for worker 1.
  const runs = await c.submit(2, { seconds: 8, tailSeconds: 6, retryCount: 1 });
  await c.waitFor('both runs to start on worker 0', () => {
    const started = new Set(c.markerLines().filter((l) => l.kind === 'start').map((l) => l.tag));
    return runs.every((r) => started.has(r.tag));
  }, 30_000);
  await c.sql(`EXEC [catalog].[enable_worker_agent] @WorkerAgentId = N'${c.workers[1]!.agentId}'`);
  const [blocker] = await c.submit(1, { seconds: 8, workers: [c.workers[1]!.agentId] });
  await c.waitFor('the blocker to start on worker 1', () => c.markerLines().some((l) => l.kind === 'start' && l.tag === blocker!.tag), 30_000);
  c.pause(0);
  let ended: Map<number, number>;
  try {
    ended = await c.waitEnded([...runs, blocker!].map((r) => r.id), 55_000);
  } finally {
    c.resume(0);
  }
  for (const r of runs) assert.is(ended.get(r.id), 7, `execution ${r.id} succeeded (not ended unexpectedly)`);
  for (const r of runs) {
    const t = c.task(r.id)!;
    assert.is(t.ExecutedCount, 2, 'the second attempt ran');
    assert.is(t.WorkerAgentId, c.workers[1]!.agentId, 'on the healthy worker');
  }
  // Resumed, worker 0 learns its runs are no longer its own and stops them within their tail.
  await c.waitFor('worker 0 to stop its stale runs', () => (c.workerLog(0).match(/task ended: canceled/g) ?? []).length >= 2, 30_000)
    .catch((err: Error) => { throw new Error(`${err.message}\n${c.workerLog(0).split('\n').filter((l) => /task ended|cancel|no longer/.test(l)).join('\n')}`); });
  const marks = runsByTag(c.markerLines());
  for (const r of runs) assert.equal(marks.get(r.tag), { starts: 2, ends: 1 }, `execution ${r.id}: two runs started, only the current one finished`);
  assert.match(c.workerLog(0), /no longer ours/);
});

test('a success after the lease was lost, before any re-run, wins; a re-queued task stays with its worker', async () => {
  // Only worker 0: nothing else may take the re-queued task.
  assert.is(await c.workers[1]!.child!.stop('SIGTERM', 30_000), 0);
  const [final, requeued] = [...await c.submit(1, { seconds: 4, retryCount: 0 }), ...await c.submit(1, { seconds: 4, retryCount: 1 })];
  await c.waitFor('both runs to start', () => {
    const tags = new Set(c.markerLines().filter((l) => l.kind === 'start').map((l) => l.tag));
    return tags.has(final!.tag) && tags.has(requeued!.tag);
  }, 30_000);
  c.pause(0);
  try {
    // The lease runs out: no retry left → ended unexpectedly (6); one retry left → Ready again
    // (or, as before the fix, claimed again at once by the paused worker's outstanding pull).
    await c.waitFor('the leases to be lost', () => {
      const t = c.task(requeued!.id);
      return c.status(final!.id) === 6 && (t?.Status === 1 || (t?.ExecutedCount ?? 0) > 1);
    }, 30_000);
  } finally {
    c.resume(0);
  }
  // (6 is final too: wait for the success itself, bounded.)
  await c.waitFor('both successes to be recorded', () => c.status(final!.id) === 7 && c.status(requeued!.id) === 7, 45_000)
    .catch((err: Error) => { throw new Error(`${err.message}: statuses ${c.status(final!.id)} and ${c.status(requeued!.id)}`); });
  assert.is(c.task(requeued!.id)!.ExecutedCount, 1, 'no second attempt was claimed');
  const marks = runsByTag(c.markerLines());
  assert.equal(marks.get(final!.tag), { starts: 1, ends: 1 });
  assert.equal(marks.get(requeued!.tag), { starts: 1, ends: 1 });
  // The package's own events of that run are in the catalog, each once.
  const events = c.query<{ n: number; guids: number }>('SELECT COUNT(*) AS n, COUNT(DISTINCT event_message_guid) AS guids FROM event_messages WHERE operation_id = ?', final!.id)[0]!;
  assert.ok(events.n > 0, 'the run\'s event messages were recorded');
  assert.is(events.guids, events.n, 'no event message recorded twice');
});

test.run();
