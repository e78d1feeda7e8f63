import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killAll } from '../helpers/cli-process.ts';
import { runsByTag, startCluster } from '../helpers/fault-cluster.ts';
import type { FaultCluster } from '../helpers/fault-cluster.ts';

// A worker restarted with its report journal on disk: runs ended while the master was down, so their
// final statuses and events were journaled and never acknowledged; the worker is stopped, a corrupt
// segment file is dropped into the journal folder, and both come back. Every report reaches the
// catalog once; the corrupt file is set aside with a warning naming it, never silently dropped.
const test = suite('faults: a worker restarted with journal files on disk, one of them corrupt');
let c: FaultCluster;

test.before(async () => {
  c = await startCluster({ workers: 1, leaseMs: 5_000, maxTaskCount: 3 });
  await c.startMaster();
  await c.startWorker(0);
  await c.deploy();
  await c.warmUp(3);
});
test.after(async () => { await c?.stop(); await killAll(); });

test('journaled reports are replayed after the restart; the corrupt segment is set aside', async () => {
  const runs = await c.submit(3, { seconds: 2, retryCount: 0 });
  await c.waitFor('the runs to start', () => {
    const started = new Set(c.markerLines().filter((l) => l.kind === 'start').map((l) => l.tag));
    return runs.every((r) => started.has(r.tag));
  }, 45_000);
  assert.is(await c.master!.stop('SIGKILL', 10_000), 'signal:SIGKILL');
  await c.waitFor('the runs to end while the master is down', () => {
    const ended = new Set(c.markerLines().filter((l) => l.kind === 'end').map((l) => l.tag));
    return runs.every((r) => ended.has(r.tag));
  }, 30_000);
  // Stopped gracefully: unacknowledged reports stay in the journal on disk.
  assert.is(await c.workers[0]!.child!.stop('SIGTERM', 30_000), 0);
  const journal = join(c.workers[0]!.folder, 'elogcache');
  const segments = readdirSync(journal).filter((n) => /^segment-\d+\.jsonl$/.test(n));
  assert.ok(segments.length > 0, `the journal holds segment files: ${readdirSync(journal).join(', ')}`);
  for (const r of runs) assert.is(c.status(r.id), 2, 'still running in the catalog: nothing was reported');
  const corrupt = 'segment-999999999990.jsonl';
  writeFileSync(join(journal, corrupt), 'this is not a journal entry\n{"seq": "x"}\n\u0000\u0001garbage\n');

  await c.startMaster();
  await c.startWorker(0);
  const ended = await c.waitEnded(runs.map((r) => r.id), 45_000);
  const marks = runsByTag(c.markerLines());
  for (const r of runs) {
    assert.is(ended.get(r.id), 7, `execution ${r.id} succeeded from its replayed report`);
    assert.equal(marks.get(r.tag), { starts: 1, ends: 1 });
    const ev = c.query<{ n: number; guids: number }>('SELECT COUNT(*) AS n, COUNT(DISTINCT event_message_guid) AS guids FROM event_messages WHERE operation_id = ?', r.id)[0]!;
    assert.ok(ev.n > 0, 'its events were replayed too');
    assert.is(ev.guids, ev.n, 'each event recorded once');
  }
  const names = readdirSync(journal);
  assert.not.ok(names.includes(corrupt), 'the corrupt file is no longer read as a segment');
  const aside = names.find((n) => n.startsWith(`${corrupt}.corrupt-`));
  assert.ok(aside, `set aside: ${names.join(', ')}`);
  assert.ok(existsSync(join(journal, aside!)));
  assert.match(c.workerLog(0), new RegExp(`${corrupt}.*set aside`));
});

test.run();
