import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { killAll } from '../helpers/cli-process.ts';
import { runsByTag, startCluster } from '../helpers/fault-cluster.ts';
import type { FaultCluster, Submitted } from '../helpers/fault-cluster.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';
import type { TcpProxy } from '../helpers/tcp-proxy.ts';

// A network cut longer than the lease between worker 0 and the master, through a loopback TCP proxy
// the test controls: stalled (bytes go nowhere, sockets stay open: nobody notices but by silence)
// and reset (RST, reconnects refused). The master re-runs the cut-off worker's tasks on worker 1;
// when the network heals, worker 0 learns its runs are no longer its own and stops them before they
// finish; each execution is recorded once (second attempt), its first attempt's reports fenced.
const test = suite('faults: a network cut longer than the lease (stalled, then reset)');
const LEASE = 5_000;
let c: FaultCluster;
let proxy: TcpProxy;

test.before(async () => {
  c = await startCluster({ workers: 2, leaseMs: LEASE, maxTaskCounts: [3, 2] });
  await c.startMaster();
  proxy = await startTcpProxy(c.masterPort);
  await c.startWorker(0, proxy.port);
  await c.startWorker(1);
  await c.deploy();
  await c.warmUp(5);
});
test.after(async () => { await proxy?.close(); await c?.stop(); await killAll(); });

async function cutAndHeal(cut: () => void): Promise<Submitted[]> {
  const w1 = c.workers[1]!.agentId;
  await c.sql(`EXEC [catalog].[disable_worker_agent] @WorkerAgentId = N'${w1}'`);
  // Worker 0 (behind the proxy) takes both; their tail outlasts the cut, the re-run and the heal.
  const runs = await c.submit(2, { seconds: 1, tailSeconds: 25, retryCount: 1 });
  await c.waitFor('both runs to start on worker 0', () => {
    const started = new Set(c.markerLines().filter((l) => l.kind === 'start').map((l) => l.tag));
    return runs.every((r) => started.has(r.tag));
  }, 45_000);
  await c.sql(`EXEC [catalog].[enable_worker_agent] @WorkerAgentId = N'${w1}'`);
  cut();
  const cutAt = Date.now();
  try {
    // The leases run out and the second attempts start on worker 1.
    await c.waitFor('the re-runs to be claimed by worker 1', () => runs.every((r) => {
      const t = c.task(r.id);
      return t?.ExecutedCount === 2 && t.WorkerAgentId === w1;
    }), 30_000);
    // (The leases ran from the last heartbeat before the cut: the cut itself lasts longer than one.)
    const left = cutAt + LEASE + 1_000 - Date.now();
    if (left > 0) await new Promise((r) => setTimeout(r, left));
    assert.ok(Date.now() - cutAt > LEASE, 'the cut lasted longer than the lease');
  } finally {
    proxy.heal();
  }
  const ended = await c.waitEnded(runs.map((r) => r.id), 55_000);
  for (const r of runs) assert.is(ended.get(r.id), 7, `execution ${r.id} succeeded`);
  // Worker 0 stopped its stale runs once it could hear the master again.
  await c.waitFor('worker 0 to stop its stale runs', () => runs.every((r) => c.workerLog(0).includes(`"executionId":${r.id},"attempt":1,"outcome":"canceled"`)), 30_000);
  const marks = runsByTag(c.markerLines());
  for (const r of runs) {
    assert.equal(marks.get(r.tag), { starts: 2, ends: 1 }, `execution ${r.id}: the cut-off run never finished`);
    assert.is(c.task(r.id)!.ExecutedCount, 2);
  }
  return runs;
}

test('stalled: the silent worker is dropped, its tasks re-run elsewhere, its runs stopped after the heal', async () => {
  await cutAndHeal(() => proxy.stall());
  assert.match(c.masterLog(), /did not answer for a whole lease/);
});

test('reset: the same, with the connection reset and reconnects refused during the cut', async () => {
  await cutAndHeal(() => proxy.reset());
});

test.run();
