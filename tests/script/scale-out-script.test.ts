/**
 * A real package with a Script Task (../shared/fixtures/dtsx/asupriatna__ssis-simple, deployed from the
 * corpus as it is) runs end to end through Scale Out: `scaleout up` as a child process (master + worker,
 * mutual TLS, Piscina threads), `scaleout deploy`, an execution created and started with the catalog's
 * T-SQL procedures, and the script's own events read back from catalog.event_messages. Its Execute SQL
 * Task needs a SQL Server, so the execution disables it with a property override, as an operator would.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { openSqliteCatalog } from '../../runtime/catalog/sqlite-catalog-store.ts';
import { killAll, runCli, spawnCli } from '../helpers/cli-process.ts';
import { reportSkip } from '../helpers/skip.ts';
import { monoMissing } from './script-packages.ts';

const FIXTURE = join(process.cwd(), '..', 'shared', 'fixtures', 'dtsx', 'asupriatna__ssis-simple');
const test = suite('a fixture package with a Script Task through Scale Out');
let root: string;
let data: string;

test.before(() => { root = mkdtempSync(join(tmpdir(), 'scaleout-script-e2e-')); data = join(root, 'data'); });
test.after(async () => { await killAll(); rmSync(root, { recursive: true, force: true }); });

async function view(name: string): Promise<Record<string, unknown>[]> {
  const store = await openSqliteCatalog({ path: join(data, 'catalog', 'ssisdb.sqlite') });
  try { return [...(await store.queryView(SYSTEM_PRINCIPAL, name)).rows]; } finally { await store.close(); }
}

test('scaleout up, deploy the fixture project, execute SimplePackage.dtsx in Scale Out: the Script Task runs on the worker', async () => {
  const up = spawnCli(['up', '--data', data]);
  await up.waitFor(/Ready\. Press Ctrl-C/, 60_000);
  const deploy = await runCli(['deploy', FIXTURE, '--folder', 'Fx', '--data', data]);
  assert.is(deploy.code, 0, deploy.stdout + deploy.stderr);
  const project = String((await view('catalog.projects')).find((p) => p.folder_id !== undefined)!.name);

  const sql = `
DECLARE @id bigint;
EXEC catalog.create_execution @folder_name = N'Fx', @project_name = N'${project}', @package_name = N'SimplePackage.dtsx', @runinscaleout = 1, @useanyworker = 1, @execution_id = @id OUTPUT;
EXEC catalog.set_execution_parameter_value @id, @object_type = 50, @parameter_name = N'LOGGING_LEVEL', @parameter_value = 1;
EXEC catalog.set_execution_property_override_value @execution_id = @id, @property_path = N'\\Package\\SQL Get Table Count.Properties[Disable]', @property_value = N'True', @sensitive = 0;
EXEC catalog.start_execution @id;
SELECT @id AS execution_id;`;
  const started = await runCli(['sql', '--data', data, '-Q', sql]);
  assert.is(started.code, 0, started.stdout + started.stderr);
  const id = Number(/(\d+)\s*\n\s*\(1 row/.exec(started.stdout)?.[1] ?? NaN);
  assert.ok(Number.isInteger(id), started.stdout);

  let status = 0;
  for (let i = 0; i < 240 && ![4, 6, 7, 9].includes(status); i++) {
    await new Promise((r) => setTimeout(r, 500));
    status = Number((await view('catalog.executions')).find((r) => Number(r.execution_id) === id)?.status ?? 0);
  }
  const messages = (await view('catalog.event_messages')).filter((m) => Number(m.operation_id) === id);
  const texts = messages.map((m) => `${m.message_type} ${m.package_path}: ${m.message}`);
  assert.is(status, 7, texts.join('\n'));
  const fromScript = messages.filter((m) => m.package_path === '\\Package\\SCR Log Values' && Number(m.message_type) === 70).map((m) => String(m.message));
  assert.ok(fromScript.includes('Table Count: 0'), texts.join('\n'));
  assert.ok(fromScript.some((m) => /^Package Parameters: IntPkgParam = -?\d+ ; StringPkgParam = /.test(m)), fromScript.join('\n'));
  assert.ok(fromScript.some((m) => /^Project Parameters: IntProjParam = -?\d+ ; StringProjParam = /.test(m)), fromScript.join('\n'));
  const row = (await view('catalog.executions')).find((r) => Number(r.execution_id) === id)!;
  assert.ok(row.worker_agent_id, 'ran on the worker');
  // The worker told the master what it can do with scripts (machine_properties).
  const db = new Database(join(data, 'catalog', 'ssisdb.sqlite'), { readonly: true });
  try {
    const cap = db.prepare('SELECT PropertyValue AS v FROM machine_properties WHERE PropertyName = ?').get('ScriptTasks') as { v: string } | undefined;
    assert.match(String(cap?.v), /^C# \(Mono C# compiler version [\d.]+\); VB\.NET unsupported$/);
  } finally {
    db.close();
  }
  assert.is(await up.stop('SIGINT', 30_000), 0);
});

if (!existsSync(FIXTURE)) reportSkip('Script Task through Scale Out', `${FIXTURE} is not present`);
else if (monoMissing()) reportSkip('Script Task through Scale Out', monoMissing()!);
else test.run();
