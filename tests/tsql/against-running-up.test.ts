/**
 * The T-SQL front door against a live `scaleout up` (separate process): the "Execute in Scale Out"
 * script from the original documentation runs unchanged through `scaleout sql --data -i` (only the
 * worker id replaced), prints the new execution id, and the master — which never restarts — notices
 * the change made by that other process and runs the execution on the named worker. The same catalog is
 * then queried remotely through the master with `scaleout sql -S https://… -U -P --ca`.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { killAll, runCli, spawnCli } from '../helpers/cli-process.ts';

const test = suite('scaleout sql against a running scaleout up');
let root: string;
let data: string;
const READY_MS = 60_000;

test.before(() => { root = mkdtempSync(join(tmpdir(), 'scaleout-tsql-up-')); data = join(root, 'data'); });
test.after(async () => { await killAll(); rmSync(root, { recursive: true, force: true }); });

const EXAMPLE = (workerId: string) => `Declare @execution_id bigint
EXEC [SSISDB].[catalog].[create_execution] @package_name=N'package1.dtsx', @execution_id=@execution_id OUTPUT, @folder_name=N'folder1', @project_name=N'project1', @use32bitruntime=False, @reference_id=Null, @useanyworker=False, @runincluster=True
Select @execution_id
DECLARE @var0 smallint = 1
EXEC [SSISDB].[catalog].[set_execution_parameter_value] @execution_id,  @object_type=50, @parameter_name=N'LOGGING_LEVEL', @parameter_value=@var0
EXEC [SSISDB].[catalog].[add_execution_worker] @execution_id,  @workeragent_id=N'${workerId}'
EXEC [SSISDB].[catalog].[start_execution] @execution_id,  @retry_count=0
GO
`;

/** The data rows of the first result set printed by `scaleout sql` (after the dashes line). */
function firstResultRows(out: string): string[][] {
  const lines = out.split('\n');
  const dash = lines.findIndex((l) => /^-+( -+)*\s*$/.test(l));
  assert.ok(dash > 0, `no result set in:\n${out}`);
  const rows: string[][] = [];
  for (const l of lines.slice(dash + 1)) {
    if (l.trim() === '' || l.startsWith('(')) break;
    rows.push(l.trim().split(/\s+/));
  }
  return rows;
}

test('the documented script runs unchanged and its execution runs on the named worker', async () => {
  const up = spawnCli(['up', '--data', data]);
  await up.waitFor(/Ready\. Press Ctrl-C/, READY_MS);

  const deploy = await runCli(['deploy', 'tests/fixtures/tsql/project1', '--folder', 'folder1', '--project', 'project1', '--data', data]);
  assert.is(deploy.code, 0, deploy.stdout + deploy.stderr);

  const workers = await runCli(['sql', '--data', data, '-Q', 'SELECT WorkerAgentId, MachineName, IsEnabled FROM [catalog].[worker_agents]']);
  assert.is(workers.code, 0, workers.stdout + workers.stderr);
  const [workerRow] = firstResultRows(workers.stdout);
  const workerId = workerRow![0]!;
  assert.match(workerId, /^[0-9a-f-]{36}$/i);
  assert.is(workerRow![workerRow!.length - 1], '1', 'the local worker is enabled');

  const script = join(root, 'execute-in-scale-out.sql');
  writeFileSync(script, EXAMPLE(workerId));
  const run = await runCli(['sql', '--data', data, '-i', script]);
  assert.is(run.code, 0, run.stdout + run.stderr);
  assert.not.match(run.stdout, /^Msg /m);
  const executionId = Number(firstResultRows(run.stdout)[0]![0]);
  assert.ok(Number.isInteger(executionId) && executionId > 0, `an execution id was printed:\n${run.stdout}`);

  // The master learns of the start through the catalog (another process wrote it): wait, bounded, for the end.
  const query = `SELECT execution_id, status, worker_agent_id FROM catalog.executions WHERE execution_id = ${executionId}`;
  let row: string[] | undefined;
  for (let i = 0; i < 300; i++) {
    const r = await runCli(['sql', '--data', data, '-Q', query]);
    row = firstResultRows(r.stdout)[0];
    if (row !== undefined && ['7', '4', '6', '3'].includes(row[1]!)) break;
    await sleep(200);
  }
  assert.ok(row, 'the execution is in catalog.executions');
  assert.is(row![1], '7', `execution ${executionId} succeeded`);
  assert.is(row![2]!.toLowerCase(), workerId.toLowerCase(), 'it ran on the named worker');

  // The same question asked remotely, through the master's T-SQL route.
  const endpoint = readFileSync(join(data, 'endpoint'), 'utf8').trim();
  const password = readFileSync(join(data, 'admin-password'), 'utf8').trim();
  const remote = await runCli(['sql', '-S', endpoint, '-U', 'admin', '-P', password, '--ca', join(data, 'master.crt'), '-Q', query]);
  assert.is(remote.code, 0, remote.stdout + remote.stderr);
  assert.equal(firstResultRows(remote.stdout)[0]!.slice(0, 2), [String(executionId), '7']);

  const denied = await runCli(['sql', '-S', endpoint, '-U', 'admin', '-P', 'wrong', '--ca', join(data, 'master.crt'), '-Q', 'SELECT 1']);
  assert.is(denied.code, 1);
  assert.match(denied.stdout, /Msg 18456, Level 14, State 1.*\nLogin failed for user 'admin'\./);

  assert.is(await up.stop('SIGINT', 30_000), 0);
});

test.run();
