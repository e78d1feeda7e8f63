/**
 * Data taps under real Scale Out processes: `scaleout up` (master + worker), `scaleout deploy`, then a
 * T-SQL script through `scaleout sql` that creates an execution, adds a tap by package path (max_rows 2)
 * and one by task GUID, and starts it. The worker writes the CSV files, uploads them before its final
 * report, and the master hands them back through the API and `scaleout data-tap`. Bad input: a tap
 * added after start_execution (27212), max_rows 0 (27101), a tap on a path the package lacks (the
 * execution fails naming it), and callers who may not read the execution (404, nothing leaked).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killAll, runCli, spawnCli } from '../helpers/cli-process.ts';
import { apiCall, targetFromDataDir } from '../../runtime/transport/api-client.ts';
import type { ApiTarget } from '../../runtime/transport/api-client.ts';
import { SsoError } from '../../actors/errors.ts';
import { buildPackage } from './builder.ts';
import { tempDir } from './helpers.ts';
import { prepareSalesData, salesPackage } from './sales-package.ts';

const t = tempDir('taps-e2e');
const test = suite('data taps under Scale Out: add_data_tap, the worker\'s CSV, the API and scaleout data-tap');
test.after(async () => { await killAll(); t.remove(); });

const FINAL = new Set([3, 4, 6, 7, 9]);
async function waitFinal(target: ApiTarget, id: number, ms = 90_000): Promise<number> {
  const until = Date.now() + ms;
  for (;;) {
    const row = await apiCall<Record<string, unknown>>(target, 'GET', `/api/v1/executions/${id}`);
    const status = Number(row['status']);
    if (FINAL.has(status)) return status;
    if (Date.now() > until) throw new Error(`execution ${id} still in status ${status} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try { await p; } catch (err) { assert.ok(SsoError.is(err), String(err)); return err.message; }
  assert.unreachable('expected a refusal');
  return '';
}

test('taps on a running Scale Out execution produce their CSV; the API and the CLI return it; bad input is refused', async () => {
  const data = t.file('data');
  const paths = { csv: t.file('sales.csv'), db: t.file('wh.sqlite'), rejected: t.file('out/rejected.txt'), unmatched: t.file('out/unmatched.txt') };
  prepareSalesData(paths.csv, paths.db);
  const project = t.file('SalesProject');
  mkdirSync(project);
  writeFileSync(join(project, 'LoadSales.dtsx'), buildPackage(salesPackage(paths)));
  const up = spawnCli(['up', '--data', data]);
  await up.waitFor(/Ready\. Press Ctrl-C/, 60_000);
  const deploy = await runCli(['deploy', project, '--folder', 'Sales', '--data', data]);
  assert.is(deploy.code, 0, deploy.stdout + deploy.stderr);

  const script = t.file('taps.sql');
  writeFileSync(script, `
DECLARE @id bigint, @tap bigint, @tap2 bigint;
EXEC catalog.create_execution @folder_name = N'Sales', @project_name = N'SalesProject', @package_name = N'LoadSales.dtsx',
  @runinscaleout = 1, @execution_id = @id OUTPUT;
EXEC catalog.set_execution_parameter_value @id, 50, N'LOGGING_LEVEL', 2;
EXEC catalog.add_data_tap @execution_id = @id, @task_package_path = N'\\Package\\Data Flow Task',
  @dataflow_path_id_string = N'Paths[Positive?.Positive]', @data_filename = N'positive.csv', @max_rows = 2, @data_tap_id = @tap OUTPUT;
EXEC catalog.add_data_tap_by_guid @id, '{22222222-2222-2222-2222-222222222222}', N'Paths[Read Customers.Out]', N'source.csv', @data_tap_id = @tap2 OUTPUT;
EXEC catalog.start_execution @id;
SELECT @id AS execution_id, @tap AS first_tap, @tap2 AS second_tap;
EXEC catalog.add_data_tap @id, N'\\Package\\Data Flow Task', N'Paths[Read Customers.Out]', N'late.csv';
GO
DECLARE @bad bigint;
EXEC catalog.create_execution N'Sales', N'SalesProject', N'LoadSales.dtsx', @runinscaleout = 1, @execution_id = @bad OUTPUT;
EXEC catalog.add_data_tap @bad, N'\\Package\\Data Flow Task', N'Paths[Read Customers.Out]', N'zero.csv', 0;
EXEC catalog.add_data_tap @bad, N'\\Package\\Data Flow Task', N'Paths[Nope.Out]', N'nope.csv';
EXEC catalog.start_execution @bad;
SELECT @bad AS bad_execution;
GO
CREATE LOGIN bob WITH PASSWORD = 'Bob-pass-1234!';
ALTER ROLE ssis_cluster_executor ADD MEMBER bob;
CREATE LOGIN rita WITH PASSWORD = 'Rita-pass-1234!';
ALTER ROLE ssis_logreader ADD MEMBER rita;
`);
  const sql = await runCli(['sql', '--data', data, '-W', '-s', '|', '-i', script]);
  const printed = sql.stdout + sql.stderr;
  const m = /execution_id\|first_tap\|second_tap\s*\n[-|]+\n(\d+)\|(\d+)\|(\d+)/.exec(printed);
  assert.ok(m, printed);
  const [id, tap1, tap2] = [Number(m![1]), Number(m![2]), Number(m![3])];
  assert.ok(tap2 > tap1, printed);
  assert.match(printed, /Msg 27212, Level 16, State 1, Procedure add_data_tap[^\n]*\nData taps can only be added while the execution is in the created state\./);
  assert.match(printed, /Msg 27101, Level 16, State 1, Procedure add_data_tap[^\n]*\nThe input parameter, 'max_rows', is not valid\./);
  const bad = Number(/bad_execution\s*\n-+\n(\d+)/.exec(printed)?.[1]);
  assert.ok(bad > id, printed);

  const admin = targetFromDataDir(data);
  assert.is(await waitFinal(admin, id), 7, 'the tapped execution succeeds');

  // The API: the list and each file, as the worker wrote them.
  const list = await apiCall<{ items: { attempt: number; file: string; bytes: number }[] }>(admin, 'GET', `/api/v1/executions/${id}/data-taps`);
  assert.equal(list.items.map((i) => [i.attempt, i.file]), [[1, 'positive.csv'], [1, 'source.csv']]);
  const source = (await apiCall<Buffer>(admin, 'GET', `/api/v1/executions/${id}/data-taps/source.csv`, undefined, undefined, 'bytes')).toString('utf8');
  assert.is(source, 'Id,Name,Country,Amount\r\n1,ann,FR,10.50\r\n2,bob,DE,0\r\n3,cy,XX,7\r\n4,dee,FR,12\r\n5,eve,de,3.25\r\n6,fay,DE,-1\r\n');
  const positive = (await apiCall<Buffer>(admin, 'GET', `/api/v1/executions/${id}/data-taps/positive.csv?attempt=1`, undefined, undefined, 'bytes')).toString('utf8');
  // The split's output carries every upstream column (Country upper-cased in place by the Derived Column); max_rows 2.
  const lines = positive.split('\r\n');
  assert.is(lines[0], 'Id,Name,Country,Amount,NameUpper,IdNum,AmountNum', positive);
  assert.is(lines.length, 4, positive); // header, 2 rows, the empty string after the last CR LF
  assert.match(lines[1]!, /^1,ann,FR,10\.50,Ann,1,10\.5/);
  assert.match(lines[2]!, /^3,cy,XX,7,Cy,3,7/);

  // The CLI: list and get (to stdout and to a file).
  const cliList = await runCli(['data-tap', 'list', '--execution', String(id), '--data', data]);
  assert.is(cliList.code, 0, cliList.stderr);
  assert.match(cliList.stdout, /1\s+\d+\s+positive\.csv\n1\s+\d+\s+source\.csv/);
  const cliGet = await runCli(['data-tap', 'get', '--execution', String(id), '--file', 'source.csv', '--data', data]);
  assert.is(cliGet.code, 0, cliGet.stderr);
  assert.is(cliGet.stdout, source);
  const outFile = t.file('positive-copy.csv');
  const cliOut = await runCli(['data-tap', 'get', '--execution', String(id), '--file', 'positive.csv', '-o', outFile, '--data', data]);
  assert.is(cliOut.code, 0, cliOut.stderr);
  assert.is(readFileSync(outFile, 'utf8'), positive);
  const missing = await runCli(['data-tap', 'get', '--execution', String(id), '--file', 'nothing.csv', '--data', data]);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /no data tap file 'nothing\.csv' for execution \d+/);
  assert.is((await runCli(['data-tap', 'fetch', '--execution', String(id), '--data', data])).code, 2);
  assert.is((await runCli(['data-tap', 'get', '--execution', String(id), '--data', data])).code, 2);

  // Who may read: bob (ssis_cluster_executor, not the creator) gets 404 for the list and the file; rita
  // (ssis_logreader) reads every execution, as catalog.executions shows it to her.
  const bob = { ...admin, user: 'bob', password: 'Bob-pass-1234!' };
  assert.match(await refusal(apiCall(bob, 'GET', `/api/v1/executions/${id}/data-taps`)), /execution \d+ does not exist or you do not have permission to see it/);
  assert.match(await refusal(apiCall(bob, 'GET', `/api/v1/executions/${id}/data-taps/source.csv`, undefined, undefined, 'bytes')), /does not exist or you do not have permission/);
  const rita = { ...admin, user: 'rita', password: 'Rita-pass-1234!' };
  assert.is((await apiCall<Buffer>(rita, 'GET', `/api/v1/executions/${id}/data-taps/source.csv`, undefined, undefined, 'bytes')).toString('utf8'), source);
  // A file name that is not a bare name is refused before any file is touched.
  assert.match(await refusal(apiCall(admin, 'GET', `/api/v1/executions/${id}/data-taps/${encodeURIComponent('../../admin-password')}`, undefined, undefined, 'bytes')), /is not a data tap file name/);

  // The tap on a path the package lacks: the execution fails before rows flow, naming the tap.
  assert.is(await waitFinal(admin, bad), 4);
  const errors = await apiCall<{ items: { message: string }[] }>(admin, 'GET', `/api/v1/executions/${bad}/messages?type=120`);
  assert.ok(errors.items.some((e) => /the data tap \d+ \(task '\\Package\\Data Flow Task', path 'Paths\[Nope\.Out\]', file 'nope\.csv'\): the data flow has no path 'Paths\[Nope\.Out\]'/.test(e.message)), JSON.stringify(errors.items));
  assert.equal((await apiCall<{ items: unknown[] }>(admin, 'GET', `/api/v1/executions/${bad}/data-taps`)).items, []);

  // Performance level: every component's phase times reached catalog.execution_component_phases through
  // the agent's events frames; rows sent per path are Verbose-only, so there are none.
  const phases = await runCli(['sql', '--data', data, '-W', '-s', '|', '-Q',
    `SELECT subcomponent_name, phase FROM catalog.execution_component_phases WHERE execution_id = ${id} ORDER BY phase_stats_id`]);
  assert.is(phases.code, 0, phases.stdout + phases.stderr);
  const pairs = phases.stdout.split('\n').filter((l) => /^[^|]+\|[A-Za-z]+$/.test(l.trim()) && !l.startsWith('subcomponent_name')).map((l) => l.trim());
  for (const c of ['Read Customers', 'Upper Name', 'Convert Types', 'Positive?', 'Find Country', 'Load Sales', 'Write Rejected', 'Write Unmatched']) {
    for (const ph of ['Validate', 'PrepareForExecute', 'PreExecute', c === 'Read Customers' ? 'PrimeOutput' : 'ProcessInput', 'PostExecute', 'Cleanup']) {
      assert.ok(pairs.includes(`${c}|${ph}`), `${c} ${ph} in ${phases.stdout}`);
    }
  }
  const stats = await runCli(['sql', '--data', data, '-Q', `SELECT COUNT(*) AS n FROM catalog.execution_data_statistics WHERE execution_id = ${id}`]);
  assert.match(stats.stdout, /\n\s*0\s*\n/);

  assert.is(await up.stop('SIGINT', 30_000), 0);
});

test.run();
