import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { killAll } from '../helpers/cli-process.ts';
import { runsByTag, startCluster } from '../helpers/fault-cluster.ts';
import type { FaultCluster, Submitted } from '../helpers/fault-cluster.ts';

// Finding 1 (issue 8): after a restart the master rebuilt its task actors with a fresh lease but
// left the tasks' expiry time in the catalog as it was, so the sweep expired tasks whose workers
// were still reconnecting: they ran twice (or ended "ended unexpectedly" after succeeding). Now a
// (re)start gives every held task a fresh expiry of max(lease, reconnect grace) first.
const test = suite('faults: the master killed (SIGKILL) during a burst and restarted after longer than the lease');
const LEASE = 3_000;
let c: FaultCluster;

test.before(async () => {
  c = await startCluster({ workers: 2, leaseMs: LEASE, maxTaskCount: 3 });
  await c.startMaster();
  await c.startWorker(0);
  await c.startWorker(1);
  await c.deploy();
  await c.warmUp(6);
});
test.after(async () => { await c?.stop(); await killAll(); });

test('running tasks are not expired by the restart, nothing runs twice, and dispatch resumes', async () => {
  const long = await c.submit(4, { seconds: 14, retryCount: 1 });
  await c.waitFor('the four long runs to start', () => {
    const started = new Set(c.markerLines().filter((l) => l.kind === 'start').map((l) => l.tag));
    return long.every((s) => started.has(s.tag));
  }, 45_000);
  // A burst of submissions; the master is killed while it is under way. Only acknowledged ones count.
  const burst: Submitted[] = [];
  const submitting = (async () => {
    for (let i = 0; i < 20; i++) {
      try { burst.push(...await c.submit(1, { seconds: 1, retryCount: 1 })); } catch { break; }
    }
  })();
  await c.waitFor('part of the burst to be acknowledged', () => burst.length >= 3, 20_000);
  assert.is(await c.master!.stop('SIGKILL', 10_000), 'signal:SIGKILL');
  await submitting;
  const killedAt = Date.now();
  // Down for longer than the lease: every held task's expiry in the catalog has passed.
  await new Promise((r) => setTimeout(r, 2 * LEASE - (Date.now() - killedAt)));
  const expired = c.query<{ n: number }>('SELECT COUNT(*) AS n FROM tasks WHERE Status IN (2, 3) AND ExpiredTime <= ?', new Date().toISOString().replace('Z', '+00:00'))[0]!.n;
  assert.ok(expired > 0, 'the catalog says some held leases have run out');
  await c.startMaster();

  const all = [...long, ...burst];
  const ended = await c.waitEnded(all.map((s) => s.id), 50_000);
  const marks = runsByTag(c.markerLines());
  for (const s of all) assert.is(ended.get(s.id), 7, `execution ${s.id} succeeded`);
  for (const s of long) {
    assert.equal(marks.get(s.tag), { starts: 1, ends: 1 }, `execution ${s.id} ran once, across the restart`);
    assert.is(c.task(s.id)!.ExecutedCount, 1, 'no second attempt');
  }
  for (const s of burst) assert.is(marks.get(s.tag)?.ends, 1, `burst execution ${s.id} ran to its end once`);
});

test.run();
