import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { killAll } from '../helpers/cli-process.ts';
import { runsByTag, startCluster } from '../helpers/fault-cluster.ts';
import type { FaultCluster } from '../helpers/fault-cluster.ts';

// A worker process SIGKILLed while it runs tasks: their leases run out, the master re-queues them
// (retries left) and the other worker runs them; each execution succeeds once, with a second attempt.
const test = suite('faults: a worker killed (SIGKILL) with running tasks');
let c: FaultCluster;

test.before(async () => {
  c = await startCluster({ workers: 2, leaseMs: 5_000, maxTaskCount: 4 });
  await c.startMaster();
  await c.startWorker(0);
  await c.startWorker(1);
  await c.deploy();
  await c.warmUp(8);
  await c.sql(`EXEC [catalog].[disable_worker_agent] @WorkerAgentId = N'${c.workers[1]!.agentId}'`);
});
test.after(async () => { await c?.stop(); await killAll(); });

test('its tasks run again on the other worker and every execution succeeds once', async () => {
  const runs = await c.submit(4, { seconds: 3, retryCount: 1 });
  await c.waitFor('the runs to start on worker 0', () => {
    const started = new Set(c.markerLines().filter((l) => l.kind === 'start').map((l) => l.tag));
    return runs.every((r) => started.has(r.tag));
  }, 45_000);
  await c.sql(`EXEC [catalog].[enable_worker_agent] @WorkerAgentId = N'${c.workers[1]!.agentId}'`);
  assert.is(await c.workers[0]!.child!.stop('SIGKILL', 10_000), 'signal:SIGKILL');
  const ended = await c.waitEnded(runs.map((r) => r.id), 45_000);
  const marks = runsByTag(c.markerLines());
  for (const r of runs) {
    assert.is(ended.get(r.id), 7, `execution ${r.id} succeeded`);
    const t = c.task(r.id)!;
    assert.is(t.ExecutedCount, 2, 'a second attempt ran');
    assert.is(t.WorkerAgentId, c.workers[1]!.agentId, 'on the surviving worker');
    assert.equal(marks.get(r.tag), { starts: 2, ends: 1 }, `execution ${r.id}: the killed run never finished, the re-run did`);
    const ev = c.query<{ n: number; guids: number }>('SELECT COUNT(*) AS n, COUNT(DISTINCT event_message_guid) AS guids FROM event_messages WHERE operation_id = ?', r.id)[0]!;
    assert.ok(ev.n > 0);
    assert.is(ev.guids, ev.n, 'no event message recorded twice');
  }
});

test.run();
