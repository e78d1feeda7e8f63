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

async function executions(): Promise<Record<string, unknown>[]> {
  const store = await openSqliteCatalog({ path: join(data, 'catalog', 'ssisdb.sqlite') });
  try { return [...(await store.queryView(SYSTEM_PRINCIPAL, 'catalog.executions')).rows]; } finally { await store.close(); }
}

async function statusOf(id: number): Promise<number | undefined> {
  const row = (await executions()).find((r) => Number(r['execution_id']) === id);
  return row === undefined ? undefined : Number(row['status']);
}

test('scaleout up from an empty folder; deploy and execute through the CLI; SIGINT exits 0', async () => {
  const up = spawnCli(['up', '--data', data]);
  await up.waitFor(/Ready\. Press Ctrl-C/, READY_MS);
  assert.match(up.output(), /Admin login: admin\s+password: \S+/);
  assert.match(up.output(), /registered and enabled/);
  assert.is(statSync(join(data, 'admin-password')).mode & 0o777, 0o600);

  const deploy = await runCli(['deploy', 'examples/HelloScaleOut', '--folder', 'Demo', '--data', data]);
  assert.is(deploy.code, 0, deploy.stderr);
  const exec = await runCli(['execute', '--folder', 'Demo', '--project', 'HelloScaleOut', '--package', 'Hello.dtsx', '--wait', '--data', data]);
  assert.is(exec.code, 0, exec.stdout + exec.stderr);
  const id = Number(/Started execution (\d+)/.exec(exec.stdout)![1]);

  const row = (await executions()).find((r) => Number(r['execution_id']) === id)!;
  assert.is(Number(row['status']), 7);
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
