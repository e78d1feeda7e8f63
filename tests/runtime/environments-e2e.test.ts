/**
 * Issue 14 acceptance, end to end in Scale Out: one project deployed once, two environments (test,
 * prod) with different values for a parameter, a sensitive parameter and a connection string
 * (CM.Warehouse.ConnectionString); two executions started through the CLI (`scaleout execute
 * --environment`) over the REST API with a real login; two real workers over mutual TLS; each worker
 * run writes what it received (tests/fixtures/runtime/param-runner.ts, DumpFile) and sees its own
 * environment's values. A login with EXECUTE on the project but no READ on the environment is
 * refused as SSISDB refuses it (27182), and nothing is created.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHarness, type Harness } from '../helpers/scale-out-harness.ts';
import { runCli } from '../helpers/cli-process.ts';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { readProjectFolder } from '../../executor/package/project-archive.ts';

const S = SYSTEM_PRINCIPAL;
const PROJECT_DIR = fileURLToPath(new URL('../fixtures/runtime/EnvProject', import.meta.url));
const test = suite('environments end to end in Scale Out');
let h: Harness;

test.before(async () => {
  h = await startHarness();
  for (let i = 0; i < 2; i++) {
    const { agentId } = await h.addWorker({ maxTaskCount: 1 });
    await h.waitFor('worker registered', async () => (await h.store.getWorkerAgent(agentId)) ?? undefined);
    await h.store.enableWorkerAgent(S, { workerAgentId: agentId });
  }
  await h.master.hub.refresh();
});
test.after(async () => { await h.stop(); });

const final = (id: number) => h.waitFor(`execution ${id} to end`, async () => {
  const s = await h.operationStatus(id);
  return s !== null && [3, 4, 6, 7, 9].includes(s) ? s : undefined;
}, 30_000);

test('two environments, two executions, each run sees its own values; a login without READ on the environment is refused', async () => {
  const store = h.store;
  await store.createFolder(S, { folderName: 'Env' });
  await store.deployProject(S, { folderName: 'Env', projectName: 'EnvProject', project: await readProjectFolder(PROJECT_DIR) });
  const values = {
    test: { region: 'eu-test', password: 'pw-test-7f3a', conn: 'Data Source=test-db;Initial Catalog=Warehouse;Provider=MSOLEDBSQL;' },
    prod: { region: 'eu-prod', password: 'pw-prod-91c2', conn: 'Data Source=prod-db;Initial Catalog=Warehouse;Provider=MSOLEDBSQL;' },
  };
  for (const [env, v] of Object.entries(values)) {
    await store.createEnvironment(S, { folderName: 'Env', environmentName: env });
    const at = { folderName: 'Env', environmentName: env };
    await store.createEnvironmentVariable(S, { ...at, variableName: 'Region', dataType: 'String', sensitive: false, value: v.region });
    await store.createEnvironmentVariable(S, { ...at, variableName: 'Password', dataType: 'String', sensitive: true, value: v.password });
    await store.createEnvironmentVariable(S, { ...at, variableName: 'WarehouseConn', dataType: 'String', sensitive: false, value: v.conn });
    await store.createEnvironmentVariable(S, { ...at, variableName: 'Dump', dataType: 'String', sensitive: false, value: join(h.dir, `${env}.json`) });
    await store.createEnvironmentReference(S, { folderName: 'Env', projectName: 'EnvProject', environmentName: env, referenceType: 'R' });
  }
  const bind = (parameterName: string, variable: string) => store.setObjectParameterValue(S, { objectType: 20, folderName: 'Env', projectName: 'EnvProject', parameterName, parameterValue: variable, valueType: 'R' });
  await bind('Region', 'Region');
  await bind('DbPassword', 'Password');
  await bind('CM.Warehouse.ConnectionString', 'WarehouseConn');
  await bind('DumpFile', 'Dump');

  // bob: a Scale Out executor with EXECUTE (and READ) granted on the project and READ on "test" only.
  await store.createLogin(S, { name: 'bob', password: 'bob-pw-1', roles: ['ssis_cluster_executor'] });
  const explicit = async () => (await store.queryView(S, 'catalog.explicit_object_permissions')).rows;
  const projectId = Number((await store.queryView(S, 'catalog.projects')).rows.find((p) => p['name'] === 'EnvProject')!['project_id']);
  const envId = async (name: string) => Number((await store.queryView(S, 'catalog.environments')).rows.find((e) => e['name'] === name)!['environment_id']);
  let bobId = 0;
  for (let id = 1; id < 10 && bobId === 0; id++) {
    if ((await store.grantPermission(S, { objectType: 2, objectId: projectId, principalId: id, permissionType: 3 })).returnCode !== 0) continue;
    if ((await explicit()).find((r) => r['principal_id'] === id)!['principal_name'] === 'bob') bobId = id;
    else await store.revokePermission(S, { objectType: 2, objectId: projectId, principalId: id, permissionType: 3 });
  }
  assert.ok(bobId > 0, 'bob has a principal id');
  assert.is((await store.grantPermission(S, { objectType: 2, objectId: projectId, principalId: bobId, permissionType: 1 })).returnCode, 0);
  assert.is((await store.grantPermission(S, { objectType: 3, objectId: await envId('test'), principalId: bobId, permissionType: 1 })).returnCode, 0);

  const ca = join(h.dir, 'master.crt');
  writeFileSync(ca, h.masterCert.cert);
  const cli = (env: string) => runCli(['execute', '--folder', 'Env', '--project', 'EnvProject', '--package', 'Run.dtsx', '--environment', `Env/${env}`,
    '-S', `https://localhost:${h.master.port}`, '-U', 'bob', '-P', 'bob-pw-1', '--ca', ca]);

  // Refused: no READ on prod. SSISDB answers 27182 ("does not exist or … permissions"); nothing is created.
  const before = (await store.queryView(S, 'catalog.executions')).rows.length;
  const refused = await cli('prod');
  assert.is.not(refused.code, 0);
  assert.match(refused.stderr + refused.stdout, /27182|The environment 'prod' does not exist or you have not been granted/);
  assert.is((await store.queryView(S, 'catalog.executions')).rows.length, before, 'the refused execution was not created');

  // Allowed: test through bob's CLI; prod as the administrator (same project, other reference).
  const ok = await cli('test');
  assert.is(ok.code, 0, ok.stderr);
  const testId = Number(/Started execution (\d+)/.exec(ok.stdout)![1]);
  await store.grantPermission(S, { objectType: 3, objectId: await envId('prod'), principalId: bobId, permissionType: 1 });
  const ok2 = await cli('prod');
  assert.is(ok2.code, 0, ok2.stderr);
  const prodId = Number(/Started execution (\d+)/.exec(ok2.stdout)![1]);
  h.master.hub.kick();
  assert.is(await final(testId), 7);
  assert.is(await final(prodId), 7);

  for (const [env, v] of Object.entries(values)) {
    const seen = JSON.parse(readFileSync(join(h.dir, `${env}.json`), 'utf8')) as { parameters: Record<string, unknown> };
    assert.is(seen.parameters['Region'], v.region, `${env}: Region`);
    assert.is(seen.parameters['DbPassword'], v.password, `${env}: the sensitive value reached the package`);
    assert.is(seen.parameters['CM.Warehouse.ConnectionString'], v.conn, `${env}: connection string`);
  }
  // The catalog says where each value came from, and never shows the sensitive one.
  const epv = (await store.queryView(S, 'catalog.execution_parameter_values')).rows.filter((r) => r['execution_id'] === prodId);
  const region = epv.find((r) => r['parameter_name'] === 'Region')!;
  assert.equal([region['parameter_value'], region['value_source'], region['referenced_variable_name'], region['environment_name']], ['eu-prod', 'E', 'Region', 'prod']);
  const pw = epv.find((r) => r['parameter_name'] === 'DbPassword')!;
  assert.equal([pw['parameter_value'], pw['value_source'], Number(pw['sensitive'])], [null, 'E', 1]);
  const exec = (await store.queryView(S, 'catalog.executions')).rows.find((e) => e['execution_id'] === prodId)!;
  assert.equal([exec['reference_type'], exec['environment_name'], exec['environment_folder_name']], ['R', 'prod', 'Env']);
  // Neither the log nor the API ever carried the secret.
  for (const v of Object.values(values)) assert.not.ok(h.logLines.join('\n').includes(v.password), 'a sensitive value in the master log');
});

test.run();
