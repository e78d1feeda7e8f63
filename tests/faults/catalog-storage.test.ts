import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAll, spawnCli } from '../helpers/cli-process.ts';
import { reportSkip } from '../helpers/skip.ts';
import { runsByTag, startCluster } from '../helpers/fault-cluster.ts';
import type { FaultCluster } from '../helpers/fault-cluster.ts';

// The catalog's folder read-only, and full. Both are made real with a small tmpfs mounted for the
// test (root only: mount(2)); without root a read-only folder is made with chmod instead, and the
// full case is skipped with the reason.
const test = suite('faults: the catalog folder read-only, or full');
let folder: string;
let mounted = false;
let c: FaultCluster | undefined;

/** Appends to `file` until the file system says it is full (ENOSPC). */
function fill(file: string): void {
  const fd = openSync(file, 'a');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) {
      try { writeSync(fd, chunk); } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        if (chunk.length === 1) return;
        return fillTail(fd);
      }
    }
  } finally { closeSync(fd); }
}
function fillTail(fd: number): void {
  for (let size = 32 * 1024; size >= 1; size = Math.floor(size / 2)) {
    const b = Buffer.alloc(size, 1);
    for (;;) { try { writeSync(fd, b); } catch { break; } }
  }
}

function mount(args: string[]): void {
  execFileSync('mount', args, { stdio: 'pipe' });
}

test.before(() => {
  folder = mkdtempSync(join(tmpdir(), 'scaleout-catalog-fs-'));
  if (process.getuid?.() === 0) {
    try { mount(['-t', 'tmpfs', '-o', 'size=64m,mode=0700', 'tmpfs', folder]); mounted = true; } catch { mounted = false; }
  }
});
test.after(async () => {
  await c?.stop();
  await killAll();
  if (mounted) { try { execFileSync('umount', ['-l', folder]); } catch { /* best effort */ } }
  rmSync(folder, { recursive: true, force: true });
});

test('read-only: the master refuses to start with an error naming the catalog, no stack trace', async () => {
  c = await startCluster({ workers: 1, leaseMs: 30_000, catalogFolder: join(folder, 'catalog') });
  if (mounted) mount(['-o', 'remount,ro', folder]);
  else execFileSync('chmod', ['-R', 'a-w', join(folder, 'catalog')]);
  try {
    const master = spawnCli(['master', '--config', join(c.dir, 'master', 'MasterSettings.config'), '--host', '127.0.0.1']);
    const code = await master.exited(60_000);
    const out = master.output();
    assert.is.not(code, 0, out);
    assert.ok(out.includes(c.catalogPath) || out.includes(join(folder, 'catalog')), `the error names the catalog: ${out}`);
    assert.ok(/read-only|readonly|permission|EROFS|EACCES|unable to open|cannot open/i.test(out), `the error says why: ${out}`);
    assert.not.match(out, /^\s+at \S+ \(/m, `no stack trace: ${out}`);
  } finally {
    if (mounted) mount(['-o', 'remount,rw', folder]);
    else execFileSync('chmod', ['-R', 'u+w', join(folder, 'catalog')]);
  }
  // Writable again: it starts.
  await c.startMaster();
  await c.master!.stop('SIGTERM', 30_000);
});

test('full: the master stays up while nothing can be written; after space is freed every acknowledged run is recorded', async () => {
  if (!mounted) { reportSkip('faults: catalog folder full', 'needs root to mount a small tmpfs (mount -t tmpfs); not running as root'); return; }
  c ??= await startCluster({ workers: 1, leaseMs: 30_000, catalogFolder: join(folder, 'catalog') });
  await c.startMaster();
  await c.startWorker(0);
  await c.deploy();
  const before = await c.submit(2, { seconds: 4 });
  await c.waitFor('the runs to start', () => c!.markerLines().filter((l) => l.kind === 'start').length >= 2, 45_000);
  // Fill the file system: only a few KB stay free, less than a WAL page group.
  const filler = join(folder, 'filler');
  fill(filler);
  try {
    // New work is refused with a clear error while the runs go on and end (their reports wait).
    const refused = await c.submit(1, { seconds: 0 }).then(() => null, (err: Error) => err);
    assert.ok(refused, 'a submission needs space and is refused');
    assert.match(refused!.message, /catalog|full|SQLITE_FULL|space/i);
    await c.waitFor('the runs to end on the worker', () => c!.markerLines().filter((l) => l.kind === 'end').length >= 2, 30_000);
    await new Promise((r) => setTimeout(r, 1_500));
    assert.is(c.master!.child.exitCode, null, 'the master is still running');
  } finally {
    rmSync(filler, { force: true });
  }
  const after = await c.submit(2, { seconds: 0 });
  const all = [...before, ...after];
  const ended = await c.waitEnded(all.map((s) => s.id), 45_000);
  const marks = runsByTag(c.markerLines());
  for (const s of all) {
    assert.is(ended.get(s.id), 7, `execution ${s.id} succeeded`);
    assert.equal(marks.get(s.tag), { starts: 1, ends: 1 });
    const ev = c.query<{ n: number; guids: number }>('SELECT COUNT(*) AS n, COUNT(DISTINCT event_message_guid) AS guids FROM event_messages WHERE operation_id = ?', s.id)[0]!;
    assert.ok(ev.n > 0, 'its events were recorded');
    assert.is(ev.guids, ev.n);
  }
  mkdirSync(join(folder, 'done'), { recursive: true });
});

test.run();
