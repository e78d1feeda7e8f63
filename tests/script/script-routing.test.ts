/**
 * Routing by script capability through a real Scale Out (issue 10, deliverable 4): a `scaleout
 * master` and two `scaleout worker` processes over mutual TLS, the embedded catalog file. Worker 0 has
 * Mono hidden (`SCALEOUT_SCRIPT_Mono` names a program that does not exist, so its capability probe
 * reports `unsupported: Mono is not installed…`); worker 1 has Mono. The project
 * tests/fixtures/projects/scripted is deployed with `scaleout deploy`: its Script.dtsx holds a Script
 * Task, Plain.dtsx an Expression Task.
 *
 * Every Script.dtsx execution runs on worker 1 even while worker 0 sits idle asking for work, and
 * worker 0 runs plain ones meanwhile. With worker 1 disabled, worker 0 takes the script execution and
 * fails it with validation's message naming Mono.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { apiCall } from '../../runtime/transport/api-client.ts';
import { runCli } from '../helpers/cli-process.ts';
import { startCluster, type FaultCluster } from '../helpers/fault-cluster.ts';
import { reportSkip } from '../helpers/skip.ts';
import { monoMissing } from './script-packages.ts';

const PROJECT = join(process.cwd(), 'tests', 'fixtures', 'projects', 'scripted');
const test = suite('routing Script Task executions to the worker with Mono (two worker processes)');
let c: FaultCluster;

test.before(async () => {
  c = await startCluster({
    workers: 2, maxTaskCount: 2, leaseMs: 30_000, agentHeartbeatMs: 2_000,
    workerEnv: [{ SCALEOUT_SCRIPT_Mono: '/nonexistent/mono-hidden-for-this-test/mono' }, {}],
  });
  await c.startMaster();
  await c.startWorker(0);
  await c.startWorker(1);
});
test.after(async () => { await c?.stop(); });

const start = (pkg: 'Script.dtsx' | 'Plain.dtsx') =>
  apiCall<{ executionId: number }>(c.api, 'POST', '/api/v1/executions', { folder: 'Routing', project: 'scripted', package: pkg }).then((r) => r.executionId);
const ranOn = (id: number) => c.query<{ worker_agent_id: string | null }>('SELECT worker_agent_id FROM operations WHERE operation_id = ?', id)[0]?.worker_agent_id ?? null;
const messages = (id: number) => c.query<{ message_type: number; package_path: string; message: string }>(
  'SELECT message_type, package_path, message FROM "catalog.event_messages" WHERE operation_id = ? ORDER BY event_message_id', id);

test('each worker reports what it can do with scripts; deploy marks Script.dtsx as needing scripts', async () => {
  const [noMono, mono] = c.workers;
  const cap = (id: string) => c.query<{ PropertyValue: string }>("SELECT PropertyValue FROM machine_properties WHERE WorkerAgentId = ? AND PropertyName = 'ScriptTasks'", id)[0]?.PropertyValue;
  assert.match(String(cap(noMono!.agentId)), /^unsupported: Mono is not installed on this worker \('\/nonexistent\/mono-hidden-for-this-test\/mono' cannot be started/);
  assert.match(String(cap(mono!.agentId)), /^C# \(Mono C# compiler version [\d.]+\); VB\.NET unsupported$/);
  const r = await runCli(['deploy', PROJECT, '--folder', 'Routing', '--data', c.data]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  const flags = c.query<{ name: string; requires_scripts: number }>('SELECT name, requires_scripts FROM packages ORDER BY name');
  assert.equal(flags.map((f) => [f.name, f.requires_scripts]), [['Plain.dtsx', 0], ['Script.dtsx', 1]]);
});

test('script executions all run on the Mono worker while the other runs plain ones', async () => {
  const [noMono, mono] = c.workers;
  // Script executions first (FIFO puts them ahead): a worker without routing would take half of them.
  const scripts: number[] = [];
  for (let i = 0; i < 4; i++) scripts.push(await start('Script.dtsx'));
  const plains: number[] = [];
  for (let i = 0; i < 4; i++) plains.push(await start('Plain.dtsx'));
  const ended = await c.waitEnded([...scripts, ...plains], 240_000);
  for (const id of [...scripts, ...plains]) assert.is(ended.get(id), 7, `execution ${id}: ${JSON.stringify(messages(id).filter((m) => m.message_type === 120))}`);
  const where = (ids: number[]) => ids.map((id) => (ranOn(id) === mono!.agentId ? 'mono' : ranOn(id) === noMono!.agentId ? 'no-mono' : String(ranOn(id))));
  assert.equal(where(scripts), ['mono', 'mono', 'mono', 'mono'], 'every Script Task execution ran on the worker with Mono');
  assert.ok(where(plains).includes('no-mono'), `the worker without Mono ran plain executions meanwhile: ${where(plains).join(', ')}`);
  for (const id of scripts) {
    assert.ok(messages(id).some((m) => m.message_type === 70 && m.package_path === '\\Package\\Say where' && /^script ran in process \d+$/.test(m.message)), `execution ${id}: the script's own event`);
  }
  // The worker without Mono never claimed a script task (no attempt of it, not even one given back).
  const claimedByNoMono = c.query<{ n: number }>(`SELECT COUNT(*) AS n FROM tasks t JOIN executions e ON e.job_id = t.JobId
    WHERE e.package_name = 'Script.dtsx' AND t.WorkerAgentId = ?`, noMono!.agentId)[0]!.n;
  assert.is(claimedByNoMono, 0);
  assert.ok(c.query<{ n: number }>('SELECT MAX(ExecutedCount) AS n FROM tasks')[0]!.n === 1, 'no task needed a second attempt');
});

test('with the Mono worker disabled, the other worker takes the script execution and fails it naming Mono', async () => {
  const [noMono, mono] = c.workers;
  await c.sql(`EXEC [catalog].[disable_worker_agent] @WorkerAgentId = N'${mono!.agentId}'`);
  const id = await start('Script.dtsx');
  const ended = await c.waitEnded([id], 120_000);
  assert.is(ended.get(id), 4);
  assert.is(ranOn(id), noMono!.agentId);
  const errors = messages(id).filter((m) => m.message_type === 120).map((m) => m.message);
  assert.ok(errors.some((m) => m.includes('Say where') || m.includes('Script Task')), errors.join('\n'));
  assert.ok(errors.some((m) => /Mono is not installed on this worker/.test(m)), errors.join('\n'));
  // A plain package still runs there.
  const plain = await start('Plain.dtsx');
  assert.is((await c.waitEnded([plain], 120_000)).get(plain), 7);
  assert.is(ranOn(plain), noMono!.agentId);
});

const why = monoMissing();
if (why) reportSkip('routing Script Task executions between workers', why);
else test.run();
