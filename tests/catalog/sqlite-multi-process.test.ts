/**
 * Real processes on one catalog file: two claimers never get the same task and together get all of
 * them (BEGIN IMMEDIATE + busy timeout serialize claims across processes); and a writer killed with
 * SIGKILL loses nothing it acknowledged, leaving a file that passes `PRAGMA integrity_check`.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteCatalog } from '../../runtime/catalog/sqlite-catalog-store.ts';
import { readProjectFolder } from '../../executor/package/project-archive.ts';
import { SYSTEM_PRINCIPAL as S } from '../../actors/ports.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const fixtures = join(here, '..', 'fixtures');
const dir = mkdtempSync(join(tmpdir(), 'sso-catalog-mp-'));
const children: ChildProcess[] = [];

function child(script: string, args: string[]): { proc: ChildProcess; lines: string[]; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(fixtures, 'catalog', script), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  const lines: string[] = [];
  let buf = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
    proc.emit('lines');
  });
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  // A child that is still running after 60 s is killed, so the test run never hangs.
  const timer = setTimeout(() => proc.kill('SIGKILL'), 60000);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => {
    clearTimeout(timer);
    if (code !== 0 && code !== null && err) process.stderr.write(err);
    resolve(code);
  }));
  return { proc, lines, exited };
}

const mp = suite('sqlite catalog: several processes');
mp.after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

mp('two processes claim 300 tasks concurrently: no task twice, none missed', async () => {
  const path = join(dir, 'claims.db');
  const store = await openSqliteCatalog({ path });
  const W1 = '64c020e2-f819-4c2d-a22f-efb31a91e70a';
  const W2 = '0b8f3c1e-2d4a-4e5f-9a6b-7c8d9e0f1a2b';
  await store.createFolder(S, { folderName: 'F' });
  await store.deployProject(S, { folderName: 'F', projectName: 'Tiny Project', project: await readProjectFolder(join(fixtures, 'projects', 'with-dtproj')) });
  for (const w of [W1, W2]) {
    await store.updateWorkerAgentStatus(S, { workerAgentId: w, perfCounters: [], machineProperties: {} });
    await store.enableWorkerAgent(S, { workerAgentId: w });
  }
  const ids = await Promise.all(Array.from({ length: 300 }, () => store.createExecution(S, { folderName: 'F', projectName: 'Tiny Project', packageName: 'Main.dtsx', runInScaleOut: true })));
  await Promise.all(ids.map(({ executionId }) => store.startExecution(S, { executionId })));
  const all = new Set((await store.listLiveTasks()).map((t) => t.taskId));
  assert.is(all.size, 300);
  await store.close();

  const a = child('claim-tasks.ts', [path, W1]);
  const b = child('claim-tasks.ts', [path, W2]);
  assert.equal(await Promise.all([a.exited, b.exited]), [0, 0]);
  assert.is(a.lines.at(-1), 'done');
  assert.is(b.lines.at(-1), 'done');
  const claimsA = a.lines.slice(0, -1);
  const claimsB = b.lines.slice(0, -1);
  const union = [...claimsA, ...claimsB];
  assert.is(new Set(union).size, union.length, 'a task was claimed twice');
  assert.equal(new Set(union), all);

  const after = await openSqliteCatalog({ path });
  const live = await after.listLiveTasks();
  assert.ok(live.every((t) => t.status === 2 && t.executedCount === 1));
  assert.is(live.filter((t) => t.workerAgentId === W1).length, claimsA.length);
  await after.close();
});

mp('a writer killed with SIGKILL mid-stream loses no acknowledged change; the file stays sound', async () => {
  const path = join(dir, 'crash.db');
  const w = child('commit-stream.ts', [path]);
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (w.lines.filter((l) => l.startsWith('ack ')).length >= 200) {
        w.proc.off('lines', check);
        w.proc.kill('SIGKILL');
        resolve();
      }
    };
    w.proc.on('lines', check);
    void w.exited.then(() => resolve());
  });
  await w.exited;
  const acked = w.lines.filter((l) => l.startsWith('ack ')).map((l) => `folder-${l.slice(4)}`);
  assert.ok(acked.length >= 200, `the writer acknowledged only ${acked.length} changes`);
  const store = await openSqliteCatalog({ path });
  assert.is(store.integrityCheck(), 'ok');
  const present = new Set((await store.queryView(S, 'catalog.folders')).rows.map((r) => r['name']));
  for (const name of acked) assert.ok(present.has(name), `${name} was acknowledged but is missing`);
  await store.close();
});

mp.run();
