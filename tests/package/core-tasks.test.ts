/**
 * The engine core's tasks and containers that had no tests: every File System Task operation in a
 * temp dir, the Foreach File enumerator (mask, recursion, name formats), MaxConcurrentExecutables
 * (counted with a recorder task, not timed), Execute Package Task parameter passing by project and
 * file reference, and Execute Process stdout/stderr/stdin variables and TimeOut.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, fixtureText, lastAssigned, runFixture, runParts } from './run-helpers.ts';
import { registerTask } from '../../executor/package/tasks/registry.ts';

const dir = mkdtempSync(join(tmpdir(), 'scaleout-core-'));
const rootOverride = (root: string) => ({ propertyPath: '\\Package.Variables[User::Root].Properties[Value]', value: root });

// ---- File System Task ------------------------------------------------------------------------

const fs = suite('File System Task');

/** Removes the temp dir once every suite of this file has run (the last suite's `after`). */
function cleanup(): void {
  // SetAttributes made a file read-only; make everything writable so the temp dir can go.
  const walk = (d: string) => { for (const e of readdirSync(d)) { const p = join(d, e); chmodSync(p, 0o755); if (statSync(p).isDirectory()) walk(p); } };
  if (existsSync(dir)) walk(dir);
  rmSync(dir, { recursive: true, force: true });
}

fs('create, copy (into a folder connection), rename, copy/move directory, move, set attributes, delete file/content/directory', async () => {
  const root = join(dir, 'fs');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'a.txt'), 'payload');
  const run = await runFixture(['FileSystem.dtsx'], 'FileSystem.dtsx', { overrides: [rootOverride(root)] });
  assert.is(run.result.outcome, 'succeeded', run.result.errors.join('\n'));
  // a.txt → out/a.txt → out/b.txt → out2/b.txt → b.txt; out2 → out3 (then deleted); a.txt deleted; out emptied.
  assert.equal(readdirSync(root).sort(), ['b.txt', 'out']);
  assert.is(readFileSync(join(root, 'b.txt'), 'utf8'), 'payload');
  assert.equal(readdirSync(join(root, 'out')), []);
  assert.is(statSync(join(root, 'b.txt')).mode & 0o222, 0, 'b.txt is read-only');
  const infos = run.messages(70).map((m) => m.text);
  assert.ok(infos.some((t) => t === `CopyFile: '${join(root, 'a.txt')}' → '${join(root, 'out', 'a.txt')}'.`), infos.join('\n'));
  assert.ok(infos.some((t) => t === `RenameFile: '${join(root, 'out', 'a.txt')}' → '${join(root, 'out', 'b.txt')}'.`));
});

fs('refuses to overwrite an existing destination unless OverwriteDestination, naming the path', async () => {
  const root = join(dir, 'fs2');
  mkdirSync(join(root, 'out'), { recursive: true });
  writeFileSync(join(root, 'a.txt'), 'new');
  writeFileSync(join(root, 'out', 'a.txt'), 'old');
  const run = await runFixture(['FileSystem.dtsx'], 'FileSystem.dtsx', { overrides: [rootOverride(root)] });
  assert.is(run.result.outcome, 'failed');
  assert.match(run.result.errors[0]!, /Copy: the destination '.*out\/a\.txt' already exists and OverwriteDestination is False/);
  assert.is(readFileSync(join(root, 'out', 'a.txt'), 'utf8'), 'old');
  assert.is(run.messages(120)[0]?.path, '\\Package\\Copy');
  const again = await runFixture(['FileSystem.dtsx'], 'FileSystem.dtsx', { overrides: [rootOverride(root), { propertyPath: '\\Package\\Copy.Properties[OverwriteDestination]', value: 'True' }] });
  assert.is(again.result.outcome, 'succeeded', again.result.errors.join('\n'));
  assert.is(readFileSync(join(root, 'b.txt'), 'utf8'), 'new');
});

fs('a missing source fails the task with the path', async () => {
  const root = join(dir, 'fs3');
  mkdirSync(root, { recursive: true });
  const run = await runFixture(['FileSystem.dtsx'], 'FileSystem.dtsx', { overrides: [rootOverride(root)] });
  assert.is(run.result.outcome, 'failed');
  assert.match(run.result.errors[0]!, /the source file '.*fs3\/a\.txt' does not exist/);
});

// ---- Foreach File enumerator -----------------------------------------------------------------

const fe = suite('Foreach File enumerator');
const tree = join(dir, 'tree');
fe.before(() => {
  mkdirSync(join(tree, 'sub', 'deeper'), { recursive: true });
  for (const f of ['b.csv', 'a.CSV', 'c.txt', 'sub/d.csv', 'sub/deeper/e.csv', 'sub/f.txt']) writeFileSync(join(tree, f), f);
});
const ff = (props: Record<string, string>) => runFixture(['ForeachFile.dtsx'], 'ForeachFile.dtsx', {
  overrides: Object.entries({ Directory: tree, ...props }).map(([k, v]) => ({ propertyPath: `\\Package\\Files.ForEachEnumerator.Properties[${k}]`, value: v })),
});

fe('mask (case-insensitive), no recursion, name and extension', async () => {
  const run = await ff({});
  assert.is(run.result.outcome, 'succeeded', run.result.errors.join('\n'));
  assert.is(lastAssigned(run, 'User::List'), 'a.CSV;b.csv;.');
});

fe('recursion with fully qualified names', async () => {
  const run = await ff({ Recurse: 'True', FileNameRetrievalType: '0' });
  assert.is(lastAssigned(run, 'User::List'), [join(tree, 'a.CSV'), join(tree, 'b.csv'), join(tree, 'sub', 'd.csv'), join(tree, 'sub', 'deeper', 'e.csv')].join(';') + ';.');
});

fe('name only, ? wildcard, *.* for everything', async () => {
  assert.is(lastAssigned(await ff({ FileNameRetrievalType: '2', FileSpec: '?.txt' }), 'User::List'), 'c;.');
  assert.is(lastAssigned(await ff({ FileNameRetrievalType: '1', FileSpec: '*.*' }), 'User::List'), 'a.CSV;b.csv;c.txt;.');
});

fe('an empty match warns and the loop succeeds', async () => {
  const run = await ff({ FileSpec: '*.xml' });
  assert.is(run.result.outcome, 'succeeded');
  assert.is(lastAssigned(run, 'User::List'), '.');
  assert.ok(run.messages(110).some((m) => /enumerator of \\Package\\Files is empty/.test(m.text)));
});

// ---- MaxConcurrentExecutables ------------------------------------------------------------------

const mc = suite('MaxConcurrentExecutables');

/**
 * Installs a recorder for the (otherwise unsupported) Message Queue task kind: each task enters,
 * then waits until `wanted` tasks are inside at once or no more can come, so the maximum it sees is
 * exactly how many the engine lets run together. A bounded wait keeps a wrong engine from hanging.
 */
function recorder(total: number, wanted: number) {
  const stats = { active: 0, started: 0, max: 0, stuck: false };
  let waiters: (() => void)[] = [];
  const check = () => {
    if (stats.active >= wanted || stats.started === total) { const w = waiters; waiters = []; for (const f of w) f(); }
  };
  const restore = registerTask({
    kind: 'messageQueue',
    async execute() {
      stats.active++; stats.started++;
      stats.max = Math.max(stats.max, stats.active);
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => { stats.stuck = true; resolve(); }, 5000);
        waiters.push(() => { clearTimeout(t); resolve(); });
        check();
      });
      stats.active--;
      return 'success';
    },
  });
  return { stats, restore };
}

mc('the package limit (2) is never exceeded and is reached', async () => {
  const { stats, restore } = recorder(6, 2);
  try {
    const run = await runFixture(['Concurrency.dtsx'], 'Concurrency.dtsx');
    assert.is(run.result.outcome, 'succeeded', run.result.errors.join('\n'));
    assert.is(stats.started, 6);
    assert.is(stats.max, 2);
    assert.not.ok(stats.stuck);
  } finally { restore(); }
});

mc('an override of 1 runs them one at a time; -1 allows processor count + 2', async () => {
  let r = recorder(6, 1);
  try {
    const run = await runFixture(['Concurrency.dtsx'], 'Concurrency.dtsx', { overrides: [{ propertyPath: '\\Package.Properties[MaxConcurrentExecutables]', value: '1' }] });
    assert.is(run.result.outcome, 'succeeded');
    assert.is(r.stats.max, 1);
  } finally { r.restore(); }
  const expected = Math.min(6, availableParallelism() + 2);
  r = recorder(6, expected);
  try {
    const run = await runFixture(['Concurrency.dtsx'], 'Concurrency.dtsx', { overrides: [{ propertyPath: '\\Package.Properties[MaxConcurrentExecutables]', value: '-1' }] });
    assert.is(run.result.outcome, 'succeeded');
    assert.is(r.stats.max, expected);
    assert.not.ok(r.stats.stuck);
  } finally { r.restore(); }
});

mc('without the recorder the task kind is refused by validation', async () => {
  const run = await runFixture(['Concurrency.dtsx'], 'Concurrency.dtsx');
  assert.is(run.result.outcome, 'failed');
  assert.match(run.result.errors[0]!, /\\Package\\T1: Message Queue Task 'T1' .* is not supported/);
});

// ---- Execute Package Task -------------------------------------------------------------------------

const ep = suite('Execute Package Task');

ep('passes variables and parameters to a project package and to a package file', async () => {
  const run = await runFixture(['Parent.dtsx', 'Child.dtsx'], 'Parent.dtsx', {
    overrides: [{ propertyPath: '\\Package.Connections[ChildFile].Properties[ConnectionString]', value: join(FIXTURES, 'Child.dtsx') }],
  });
  assert.is(run.result.outcome, 'succeeded', run.result.errors.join('\n'));
  const seen = run.messages(70).filter((m) => m.source === 'Report').map((m) => m.text);
  assert.equal(seen.map((t) => /evaluated to (.*) and was assigned/.exec(t)?.[1]), ['42/from parent parameter', '42/from parent variable']);
  // The child's executables are reported under the caller's execution path.
  const paths = run.messages(30).filter((m) => m.source === 'Report').map((m) => m.executionPath);
  assert.equal(paths, ['\\Package\\ByReference\\Package\\Report', '\\Package\\ByFile\\Package\\Report']);
  const childEvents = run.events.filter((e) => e.kind === 'message' && e.message.messageSourceName === 'Report');
  assert.ok(childEvents.every((e) => e.kind === 'message' && e.message.packageName === 'Child.dtsx'));
});

ep('a parent value that does not convert to the child parameter type fails the task', async () => {
  const run = await runFixture(['Parent.dtsx', 'Child.dtsx'], 'Parent.dtsx', {
    overrides: [{ propertyPath: '\\Package.Variables[User::N].Properties[Value]', value: 'x' }],
  });
  assert.is(run.result.outcome, 'failed');
  assert.match(run.result.errors.join('\n'), /User::N/);
});

// ---- Execute Process Task -------------------------------------------------------------------------

const xp = suite('Execute Process Task');
xp.after(cleanup);

xp('stdin from a variable, stdout and stderr into variables; TimeOut kills the process and fails the task', async () => {
  const run = await runFixture(['ExecProcess.dtsx'], 'ExecProcess.dtsx');
  assert.is(lastAssigned(run, 'User::Out'), 'out:piped input|err-text');
  assert.is(run.result.outcome, 'failed');
  const err = run.messages(120).find((m) => m.source === 'Slow');
  assert.ok(err, 'the slow task raised OnError');
  assert.match(err!.text, /The process '\/bin\/sh' timed out after 1 seconds and was terminated/);
});

fs.run();
fe.run();
mc.run();
ep.run();
xp.run();

const procTree = suite('Execute Process Task: stopping ends the whole process tree');
procTree('an abort (stop_operation) kills the shell and the process it started, and the task ends', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scaleout-tree-'));
  const pidFile = join(dir, 'grandchild.pid');
  const pkg = fixtureText('ExecProcess.dtsx')
    .replace(/<DTS:Executable DTS:refId="Package\\Streams"[\s\S]*?<\/DTS:Executable>\s*<DTS:Executable DTS:refId="Package\\Report"[\s\S]*?<\/DTS:Executable>/, '')
    .replace(/<DTS:PrecedenceConstraints>[\s\S]*<\/DTS:PrecedenceConstraints>/, '')
    .replace(`Arguments='-c "sleep 30"' TimeOut="1" TerminateProcessAfterTimeOut="True"`, `Arguments='-c "sleep 60 &amp; echo $! &gt; ${pidFile}; wait"'`);
  const ac = new AbortController();
  const running = runParts(new Map([['Tree.dtsx', pkg]]), 'Tree.dtsx', { signal: ac.signal });
  for (let i = 0; i < 200 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 25));
  const grandchild = Number(readFileSync(pidFile, 'utf8').trim());
  assert.ok(grandchild > 0);
  ac.abort();
  let hang: NodeJS.Timeout | undefined;
  const run = await Promise.race([running, new Promise<never>((_, reject) => { hang = setTimeout(() => reject(new Error('the task did not end after the abort (a child kept it running)')), 15_000); })]).finally(() => clearTimeout(hang));
  assert.is.not(run.result.outcome, 'succeeded');
  // Gone, or a zombie waiting for init to reap it (killed, holding nothing): /proc/<pid>/stat state Z.
  const stillRunning = () => { try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${grandchild}/stat`, 'utf8')); } catch { return false; } };
  let alive = stillRunning();
  for (let i = 0; i < 80 && alive; i++) { await new Promise((r) => setTimeout(r, 25)); alive = stillRunning(); }
  assert.not.ok(alive, `the shell's child ${grandchild} was killed too`);
  rmSync(dir, { recursive: true, force: true });
});
procTree.run();
