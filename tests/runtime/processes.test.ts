import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, rmSync, statSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { openSqliteCatalog } from '../../runtime/catalog/sqlite-catalog-store.ts';
import { killAll, runCli, spawnCli } from '../helpers/cli-process.ts';

// Real separate processes: `scaleout up`, `scaleout master`, `scaleout demo` as children of this test.
const test = suite('scale out as real processes: up, master restart, demo');
let root: string;
let data: string;
const READY_MS = 60_000;
const EXIT_MS = 30_000;

test.before(() => { root = mkdtempSync(join(tmpdir(), 'scaleout-proc-')); data = join(root, 'data'); });
test.after(async () => { await killAll(); rmSync(root, { recursive: true, force: true }); });

/** Local addresses of the TCP sockets listening on `port`, from /proc/net/tcp and tcp6. */
function listeningAddresses(port: number): string[] {
  const out: string[] = [];
  for (const [file, v6] of [['/proc/net/tcp', false], ['/proc/net/tcp6', true]] as const) {
    let text = '';
    try { text = readFileSync(file, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 4 || f[3] !== '0A') continue; // 0A = LISTEN
      const [hex, p] = f[1]!.split(':');
      if (parseInt(p!, 16) !== port) continue;
      if (!v6) out.push(Buffer.from(hex!, 'hex').reverse().join('.'));
      else out.push(hex === '00000000000000000000000001000000' ? '::1' : hex === '00000000000000000000000000000000' ? '::' : hex!);
    }
  }
  return out;
}

async function executions(): Promise<Record<string, unknown>[]> {
  const store = await openSqliteCatalog({ path: join(data, 'catalog', 'ssisdb.sqlite') });
  try { return [...(await store.queryView(SYSTEM_PRINCIPAL, 'catalog.executions')).rows]; } finally { await store.close(); }
}

async function parameterValues(): Promise<Record<string, unknown>[]> {
  const store = await openSqliteCatalog({ path: join(data, 'catalog', 'ssisdb.sqlite') });
  try { return [...(await store.queryView(SYSTEM_PRINCIPAL, 'catalog.execution_parameter_values')).rows]; } finally { await store.close(); }
}

async function statusOf(id: number): Promise<number | undefined> {
  const row = (await executions()).find((r) => Number(r['execution_id']) === id);
  return row === undefined ? undefined : Number(row['status']);
}

test('scaleout up from an empty folder; deploy and execute through the CLI; SIGINT exits 0', async () => {
  const up = spawnCli(['up', '--data', data]);
  await up.waitFor(/Ready\. Press Ctrl-C/, READY_MS);
  // stdout is a pipe here, not a terminal: the password goes only to the 0600 file.
  assert.match(up.output(), /Admin login: admin\s+password: in \S+admin-password .*not printed because stdout is not a terminal/);
  assert.match(up.output(), /registered and enabled/);
  assert.is(statSync(join(data, 'admin-password')).mode & 0o777, 0o600);
  const password = readFileSync(join(data, 'admin-password'), 'utf8').trim();
  assert.ok(password.length >= 20);
  assert.not.ok(up.output().includes(password), 'the password is not on stdout');
  // Loopback only unless --host: every listening socket on the master's port is bound to 127.0.0.1 or ::1.
  const port = Number(/\(port (\d+), listening on localhost\)/.exec(up.output())![1]);
  const binds = listeningAddresses(port);
  assert.ok(binds.length > 0, `a listening socket on port ${port}`);
  for (const b of binds) assert.ok(b === '127.0.0.1' || b === '::1', `bound to ${b}, not loopback`);

  const deploy = await runCli(['deploy', 'examples/HelloScaleOut', '--folder', 'Demo', '--data', data]);
  assert.is(deploy.code, 0, deploy.stderr);
  const exec = await runCli(['execute', '--folder', 'Demo', '--project', 'HelloScaleOut', '--package', 'Hello.dtsx', '--wait', '--data', data]);
  assert.is(exec.code, 0, exec.stdout + exec.stderr);
  const id = Number(/Started execution (\d+)/.exec(exec.stdout)![1]);

  const row = (await executions()).find((r) => Number(r['execution_id']) === id)!;
  assert.is(Number(row['status']), 7);
  // The README's two-package example: --param applies to the package named before it; LOGGING_LEVEL text → Int32.
  const two = await runCli(['execute', '--folder', 'Demo', '--project', 'HelloScaleOut', '--package', 'Hello.dtsx', '--package', 'MayFail.dtsx',
    '--param', 'ShouldFail=false', '--param', 'LOGGING_LEVEL=3', '--retry', '2', '--any-worker', '--wait', '--data', data]);
  assert.is(two.code, 0, two.stdout + two.stderr);
  const [helloId, mayFailId] = [...two.stdout.matchAll(/Started execution (\d+)/g)].map((m) => Number(m[1]));
  const params = await parameterValues();
  const valueOf = (exec: number, name: string) => params.find((r) => Number(r['execution_id']) === exec && r['parameter_name'] === name);
  assert.is(String(valueOf(mayFailId!, 'ShouldFail')?.['runtime_override']), '1', 'ShouldFail set on MayFail.dtsx');
  assert.is(Number(valueOf(mayFailId!, 'LOGGING_LEVEL')?.['parameter_value']), 3);
  assert.is(String(valueOf(helloId!, 'LOGGING_LEVEL')?.['runtime_override']), '0', 'Hello.dtsx keeps its defaults');

  // A value that does not convert, or a name the package lacks, creates nothing (no execution left in Created).
  const before = (await executions()).length;
  const badValue = await runCli(['execute', '--folder', 'Demo', '--project', 'HelloScaleOut', '--package', 'Hello.dtsx', '--param', 'LOGGING_LEVEL=three', '--data', data]);
  assert.is(badValue.code, 1);
  assert.match(badValue.stderr, /LOGGING_LEVEL.*Int32.*\[27147\]/);
  assert.match(badValue.stderr, /no execution was started/);
  const badName = await runCli(['execute', '--folder', 'Demo', '--project', 'HelloScaleOut', '--package', 'Hello.dtsx', '--package', 'MayFail.dtsx', '--param', 'NoSuch=1', '--data', data]);
  assert.is(badName.code, 1);
  assert.match(badName.stderr, /MayFail\.dtsx: .*'NoSuch' does not exist.*\[27176\]/);
  assert.match(badName.stderr, /already started: \d+ \(Hello\.dtsx\)/);
  const after = await executions();
  assert.is(after.length, before + 1, 'only Hello.dtsx was created');
  assert.not.ok(after.some((r) => Number(r['status']) === 1), 'no execution stays in Created');

  // --wait on a failure prints the failed attempt's errors and the command that shows the rest.
  const failing = await runCli(['execute', '--folder', 'Demo', '--project', 'HelloScaleOut', '--package', 'MayFail.dtsx', '--param', 'MayFail.dtsx:ShouldFail=true', '--wait', '--data', data]);
  assert.is(failing.code, 1, failing.stdout + failing.stderr);
  assert.match(failing.stdout, /failed; errors of its last attempt:\n  \S.*\S/);
  assert.match(failing.stdout, /all messages: scaleout sql --data \S+ -Q "SELECT .* FROM catalog\.event_messages WHERE operation_id = \d+/);

  assert.ok(row['worker_agent_id'], 'ran on the local worker');
  // The worker's task folder holds the task log of that run.
  const tasks = join(data, 'worker', 'tasks');
  const logs = readdirSync(tasks).map((t) => join(tasks, t, 'task.log')).filter(existsSync);
  assert.ok(logs.some((f) => readFileSync(f, 'utf8').includes('task ended: succeeded')), 'a task log records the run');
  assert.ok(statSync(join(data, 'master', 'logs', 'master.log')).size > 0);

  assert.is(await up.stop('SIGINT', EXIT_MS), 0);
  assert.match(up.output(), /Stopped\./);
});

test('a pending execution started while only the master runs is run after the master restarts', async () => {
  const master = spawnCli(['master', '--config', join(data, 'MasterSettings.config')]);
  await master.waitFor(/Ready\. Press Ctrl-C/, READY_MS);
  const exec = await runCli(['execute', '--folder', 'Demo', '--project', 'HelloScaleOut', '--package', 'MayFail.dtsx', '--param', 'ShouldFail=false', '--data', data]);
  assert.is(exec.code, 0, exec.stderr);
  const id = Number(/Started execution (\d+)/.exec(exec.stdout)![1]);
  assert.is(await statusOf(id), 5, 'pending: no worker is connected');
  assert.is(await master.stop('SIGTERM', EXIT_MS), 0);
  assert.is(await statusOf(id), 5, 'still pending after the master stopped');

  const up = spawnCli(['up', '--data', data]);
  await up.waitFor(/Ready\. Press Ctrl-C/, READY_MS);
  assert.match(up.output(), /Using the data folder/);
  assert.not.match(up.output(), /password:/, 'the password is printed only once');
  const end = Date.now() + 60_000;
  let status = await statusOf(id);
  while (status !== 7 && status !== 4 && Date.now() < end) { await new Promise((r) => setTimeout(r, 200)); status = await statusOf(id); }
  assert.is(status, 7);
  assert.is(await up.stop('SIGINT', EXIT_MS), 0);
});

test('scaleout demo --once from an empty folder succeeds and labels the expected failure', async () => {
  const demo = spawnCli(['demo', '--data', join(root, 'demo'), '--once']);
  assert.is(await demo.exited(120_000), 0, demo.output());
  const out = demo.output();
  assert.match(out, /Hello\.dtsx\s+\[ok\]/);
  assert.match(out, /EXPECTED TO FAIL.*\[failed, as expected\]/);
  assert.match(out, /Demo done\./);
});

test.run();
