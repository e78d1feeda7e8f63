/**
 * The real packages that come with their data (dtsx-survey.md §5, cases in fixture-cases.ts) run end to
 * end through Scale Out: ONE `scaleout up` (master + worker processes, TLS, SQLite catalog), each
 * project copied from ../shared/fixtures/dtsx with its data into a temporary folder, `scaleout deploy`,
 * then the execution as an operator redirects a package to other files and databases: the catalog's
 * own T-SQL (`scaleout sql`: create_execution @runinscaleout, set_execution_parameter_value,
 * set_execution_property_override_value for connection strings and T-SQL statements, start_execution),
 * followed until it ends (bounded). Then each case's outputs are compared with expected outputs derived
 * independently of the engine. A table of package, ran, rows checked is printed; a package that cannot
 * run here is reported as skipped with its reason (a case that needs PostgreSQL shares one server:
 * SCALEOUT_TEST_PG or a throwaway local cluster, else it is skipped with the reason).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { killAll, runCli, spawnCli } from '../helpers/cli-process.ts';
import type { CliChild } from '../helpers/cli-process.ts';
import { reportSkip } from '../helpers/skip.ts';
import { postgresAvailability, testPostgres } from '../helpers/local-postgres.ts';
import type { TestPostgres } from '../helpers/local-postgres.ts';
import { tempDir } from './helpers.ts';
import { CASES, CORPUS } from './fixture-cases.ts';
import type { FixtureCase, Prepared } from './fixture-cases.ts';

const t = tempDir('fixtures-e2e');
const test = suite('real packages with their data, end to end through Scale Out');
const data = t.file('scaleout');
const FOLDER = 'Fixtures';
const EXECUTION_TIMEOUT_MS = 180_000;
let up: CliChild | undefined;
// Cases that need PostgreSQL share one server (SCALEOUT_TEST_PG, else a throwaway local cluster).
const pgPlan = postgresAvailability();
let pgServer: TestPostgres | undefined;
const table: { name: string; ran: string; rows: string }[] = [];

test.after(async () => {
  const w = Math.max(...table.map((r) => r.name.length), 7);
  const v = Math.max(...table.map((r) => r.ran.length), 3);
  process.stdout.write(`\n${'package'.padEnd(w)}  ${'ran'.padEnd(v)}  rows checked\n${'-'.repeat(w)}  ${'-'.repeat(v)}  ------------\n`);
  for (const r of table) process.stdout.write(`${r.name.padEnd(w)}  ${r.ran.padEnd(v)}  ${r.rows}\n`);
  if (up) await up.stop('SIGINT', 30_000).catch(() => undefined);
  await killAll();
  if (pgServer && 'stop' in pgServer) pgServer.stop();
  t.remove();
});

const q = (s: string) => `N'${s.replace(/'/g, "''")}'`;

/** The data rows of the first result set printed by `scaleout sql` (after the dashes line). */
function firstResultRows(out: string): string[][] {
  const lines = out.split('\n');
  const dash = lines.findIndex((l) => /^-+( -+)*\s*$/.test(l));
  if (dash < 0) return [];
  const rows: string[][] = [];
  for (const l of lines.slice(dash + 1)) {
    if (l.trim() === '' || l.startsWith('(')) break;
    rows.push(l.trim().split(/\s+/));
  }
  return rows;
}

/** Starts the execution with the case's parameters and overrides through the catalog's T-SQL; returns its id. */
async function startExecution(c: FixtureCase, p: Prepared): Promise<number> {
  const script = [
    'DECLARE @execution_id bigint',
    `EXEC [SSISDB].[catalog].[create_execution] @package_name=${q(c.entry)}, @execution_id=@execution_id OUTPUT, @folder_name=${q(FOLDER)}, @project_name=${q(c.project)}, @use32bitruntime=False, @reference_id=Null, @useanyworker=True, @runinscaleout=True`,
    'SELECT @execution_id',
    'EXEC [SSISDB].[catalog].[set_execution_parameter_value] @execution_id, @object_type=50, @parameter_name=N\'LOGGING_LEVEL\', @parameter_value=1',
    ...(p.parameters ?? []).map((x) => `EXEC [SSISDB].[catalog].[set_execution_parameter_value] @execution_id, @object_type=${x.objectType}, @parameter_name=${q(x.name)}, @parameter_value=${q(x.value)}`),
    ...p.overrides.map((o) => `EXEC [SSISDB].[catalog].[set_execution_property_override_value] @execution_id, @property_path=${q(o.path)}, @property_value=${q(o.value)}, @sensitive=False`),
    'EXEC [SSISDB].[catalog].[start_execution] @execution_id, @retry_count=0',
    'GO',
    '',
  ].join('\n');
  const file = t.file(`${c.project}.sql`);
  writeFileSync(file, script);
  const run = await runCli(['sql', '--data', data, '-i', file]);
  assert.is(run.code, 0, `${c.name}: the T-SQL that starts the execution failed:\n${run.stdout}${run.stderr}`);
  const id = Number(firstResultRows(run.stdout)[0]?.[0]);
  assert.ok(Number.isInteger(id) && id > 0, `${c.name}: an execution id was printed:\n${run.stdout}`);
  return id;
}

/** Follows the execution to its end (bounded); returns catalog.executions.status. */
async function waitForEnd(id: number): Promise<number> {
  const deadline = Date.now() + EXECUTION_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const r = await runCli(['sql', '--data', data, '-Q', `SELECT status FROM catalog.executions WHERE execution_id = ${id}`]);
    const status = Number(firstResultRows(r.stdout)[0]?.[0]);
    if ([3, 4, 6, 7, 9].includes(status)) return status;
    await sleep(250);
  }
  throw new Error(`execution ${id} did not end within ${EXECUTION_TIMEOUT_MS / 1000} s`);
}

async function errorsOf(id: number): Promise<string> {
  const r = await runCli(['sql', '--data', data, '-W', '-s', '|', '-Q', `SELECT message_source_name, message FROM catalog.event_messages WHERE operation_id = ${id} AND message_type = 120 ORDER BY event_message_id`]);
  return r.stdout;
}

if (!existsSync(CORPUS)) {
  reportSkip('real packages end to end', `${CORPUS} is not present`);
} else {
  test.before(async () => {
    up = spawnCli(['up', '--data', data]);
    await up.waitFor(/Ready\. Press Ctrl-C/, 90_000);
    if (!pgPlan.skip && CASES.some((c) => c.needs === 'postgres' && !c.cannotRun && (!only || c.name.includes(only)))) {
      pgServer = await testPostgres();
      if ('skip' in pgServer) throw new Error(`the PostgreSQL server did not start: ${pgServer.skip}`);
    }
  });

  // SCALEOUT_FIXTURE=<part of a case name> runs only the matching cases (the others are reported skipped).
  const only = process.env['SCALEOUT_FIXTURE'];
  for (const c of CASES) {
    const cannotRun = c.cannotRun ?? (only && !c.name.includes(only) ? `not selected by SCALEOUT_FIXTURE=${only}` : undefined) ?? (c.needs === 'postgres' && pgPlan.skip ? `it needs PostgreSQL: ${pgPlan.skip}` : undefined);
    if (cannotRun) {
      table.push({ name: c.name, ran: 'no', rows: `— ${cannotRun}` });
      reportSkip(c.name, cannotRun);
      continue;
    }
    test(c.name, async () => {
      try {
        await runCase(c);
      } catch (err) {
        if (!table.some((r) => r.name === c.name)) table.push({ name: c.name, ran: 'FAIL', rows: String((err as Error).message).split('\n')[0]!.slice(0, 120) });
        throw err;
      }
    });
  }
}

async function runCase(c: FixtureCase): Promise<void> {
  const caseDir = t.file(`case-${CASES.indexOf(c)}`);
  mkdirSync(caseDir, { recursive: true });
  const ctx = { dir: caseDir, file: (n: string) => join(caseDir, n), ...(pgServer && 'url' in pgServer ? { postgres: pgServer.url } : {}) };
  const prepared = await c.prepare!(ctx);
  const projectDir = t.file(`projects/${c.project}`);
  mkdirSync(projectDir, { recursive: true });
  for (const f of c.files) copyFileSync(join(CORPUS, f), join(projectDir, basename(f)));
  const deploy = await runCli(['deploy', projectDir, '--folder', FOLDER, '--project', c.project, '--data', data]);
  assert.is(deploy.code, 0, `${c.name}: deploy failed:\n${deploy.stdout}${deploy.stderr}`);
  const id = await startExecution(c, prepared);
  const status = await waitForEnd(id);
  const errors = await errorsOf(id);
  const expected = c.expectStatus ?? 7;
  if (status !== expected) {
    table.push({ name: c.name, ran: 'FAIL', rows: `execution ${id} status ${status}` });
    assert.unreachable(`${c.name}: execution ${id} ended with status ${status}, expected ${expected}:\n${errors}`);
  }
  const rows = await c.check!(ctx, errors);
  assert.ok(rows > 0, `${c.name}: some rows were checked`);
  table.push({ name: c.name, ran: expected === 7 ? 'yes' : 'yes (failed as expected)', rows: String(rows) });
}

test.run();
