/**
 * Conformance for issue 14 (environments, references, object parameter values, object permissions),
 * speaking only the port: normal paths, each error number with the registry's message, permissions by
 * role and by object grant, and atomicity (a failing call leaves every view as it was).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYSTEM_PRINCIPAL, type CatalogStore, type Principal, type ProjectArchive } from '../../actors/ports.ts';
import { readProjectFolder } from '../../executor/package/project-archive.ts';
import { expectCatalogError } from './catalog-store.suite.ts';
import type { CatalogErrorNumber } from '../../actors/catalog-errors.ts';

const S = SYSTEM_PRINCIPAL;
const projectsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'projects');
let tinyCache: ProjectArchive | undefined;
const tiny = async (): Promise<ProjectArchive> => (tinyCache ??= await readProjectFolder(join(projectsDir, 'tiny')));

async function snapshot(store: CatalogStore): Promise<string> {
  const out: Record<string, unknown> = {};
  for (const v of store.listViews()) out[v] = (await store.queryView(S, v)).rows;
  return JSON.stringify(out, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}
async function expectUnchanged(store: CatalogStore, p: () => Promise<unknown>, n: CatalogErrorNumber, mentions?: string): Promise<void> {
  const before = await snapshot(store);
  await expectCatalogError(p(), n, mentions);
  assert.is(await snapshot(store), before, 'the failing call changed the catalog');
}
const rows = async (store: CatalogStore, view: string, caller: Principal = S) => [...(await store.queryView(caller, view)).rows];

/** Folder F with project tiny; environments test and prod in F; each sets ServerName and MaxErrors. */
async function setup(store: CatalogStore): Promise<{ projectId: number; test: number; prod: number }> {
  await store.createFolder(S, { folderName: 'F' });
  const { projectId } = await store.deployProject(S, { folderName: 'F', projectName: 'tiny', project: await tiny() });
  const { environmentId: test } = await store.createEnvironment(S, { folderName: 'F', environmentName: 'test', environmentDescription: 'Test' });
  const { environmentId: prod } = await store.createEnvironment(S, { folderName: 'F', environmentName: 'prod' });
  for (const [env, server, max] of [['test', 'test-db', 5], ['prod', 'prod-db', 50]] as const) {
    await store.createEnvironmentVariable(S, { folderName: 'F', environmentName: env, variableName: 'Server', dataType: 'String', sensitive: false, value: server });
    await store.createEnvironmentVariable(S, { folderName: 'F', environmentName: env, variableName: 'Max', dataType: 'Int32', sensitive: false, value: max });
    await store.createEnvironmentVariable(S, { folderName: 'F', environmentName: env, variableName: 'Secret', dataType: 'String', sensitive: true, value: `${env}-secret` });
  }
  await store.setObjectParameterValue(S, { objectType: 20, folderName: 'F', projectName: 'tiny', parameterName: 'ServerName', parameterValue: 'Server', valueType: 'R' });
  await store.setObjectParameterValue(S, { objectType: 20, folderName: 'F', projectName: 'tiny', parameterName: 'MaxErrors', parameterValue: 'Max', valueType: 'R' });
  await store.setObjectParameterValue(S, { objectType: 20, folderName: 'F', projectName: 'tiny', parameterName: 'Password', parameterValue: 'Secret', valueType: 'R' });
  return { projectId, test, prod };
}

const create = (store: CatalogStore, caller: Principal, referenceId?: number | null) =>
  store.createExecution(caller, { folderName: 'F', projectName: 'tiny', packageName: 'Load Data.dtsx', runInScaleOut: true, referenceId: referenceId ?? null });

export function environmentsConformance(adapterName: string, createStore: () => Promise<CatalogStore>): void {
  const open: CatalogStore[] = [];
  const fresh = async (): Promise<CatalogStore> => {
    const s = await createStore();
    open.push(s);
    return s;
  };
  const suites: ReturnType<typeof suite>[] = [];
  const make = (title: string) => {
    const s = suite(`${adapterName}: ${title}`);
    suites.push(s);
    s.after.each(async () => { for (const x of open.splice(0)) await x.close(); });
    return s;
  };

  const envs = make('environments');
  envs('create, rename, move, delete; views show them; sensitive values are NULL in views', async () => {
    const store = await fresh();
    await setup(store);
    await store.createFolder(S, { folderName: 'G' });
    let list = await rows(store, 'catalog.environments');
    assert.equal(list.map((e) => [e['name'], e['description']]), [['test', 'Test'], ['prod', null]]);
    const vars = await rows(store, 'catalog.environment_variables');
    assert.is(vars.length, 6);
    const secret = vars.find((v) => v['name'] === 'Secret')!;
    assert.is(Number(secret['sensitive']), 1);
    assert.is(secret['value'], null);
    assert.is(vars.find((v) => v['name'] === 'Max')!['value'], 5);
    await store.renameEnvironment(S, { folderName: 'F', environmentName: 'test', newEnvironmentName: 'qa' });
    await store.moveEnvironment(S, { sourceFolderName: 'F', environmentName: 'qa', destinationFolderName: 'G' });
    list = await rows(store, 'catalog.environments');
    const qa = list.find((e) => e['name'] === 'qa')!;
    const g = (await rows(store, 'catalog.folders')).find((f) => f['name'] === 'G')!;
    assert.is(qa['folder_id'], g['folder_id']);
    await store.deleteEnvironment(S, { folderName: 'G', environmentName: 'qa' });
    assert.equal((await rows(store, 'catalog.environments')).map((e) => e['name']), ['prod']);
    assert.is((await rows(store, 'catalog.environment_variables')).length, 3, 'variables go with their environment');
  });

  envs('errors: bad names 27400, missing folder 27402, duplicate 27410, missing environment 27182; failures change nothing', async () => {
    const store = await fresh();
    await setup(store);
    await expectUnchanged(store, () => store.createEnvironment(S, { folderName: 'F', environmentName: ' bad' }), 27400);
    await expectUnchanged(store, () => store.createEnvironment(S, { folderName: 'Nope', environmentName: 'x' }), 27402);
    await expectUnchanged(store, () => store.createEnvironment(S, { folderName: 'F', environmentName: 'TEST' }), 27410, 'TEST');
    await expectUnchanged(store, () => store.renameEnvironment(S, { folderName: 'F', environmentName: 'test', newEnvironmentName: 'prod' }), 27410);
    await expectUnchanged(store, () => store.renameEnvironment(S, { folderName: 'F', environmentName: 'nope', newEnvironmentName: 'x' }), 27182, 'nope');
    await expectUnchanged(store, () => store.moveEnvironment(S, { sourceFolderName: 'F', environmentName: 'test', destinationFolderName: 'Nope' }), 27402);
    await expectUnchanged(store, () => store.deleteEnvironment(S, { folderName: 'F', environmentName: 'nope' }), 27182);
    await expectUnchanged(store, () => store.createEnvironment(S, { folderName: 'F', environmentName: null as unknown as string }), 27100);
  });

  envs('variables: type check 27147, bad type 27101, duplicate 27411, missing 27183; value, property, protection, delete', async () => {
    const store = await fresh();
    await setup(store);
    const at = { folderName: 'F', environmentName: 'test' };
    await expectUnchanged(store, () => store.createEnvironmentVariable(S, { ...at, variableName: 'N', dataType: 'Int32', sensitive: false, value: 'abc' }), 27147);
    await expectUnchanged(store, () => store.createEnvironmentVariable(S, { ...at, variableName: 'N', dataType: 'Money', sensitive: false, value: 1 }), 27101);
    await expectUnchanged(store, () => store.createEnvironmentVariable(S, { ...at, variableName: 'Max', dataType: 'Int32', sensitive: false, value: 1 }), 27411);
    await expectUnchanged(store, () => store.createEnvironmentVariable(S, { ...at, variableName: '1bad', dataType: 'Int32', sensitive: false, value: 1 }), 27400);
    await expectUnchanged(store, () => store.setEnvironmentVariableValue(S, { ...at, variableName: 'Nope', value: 1 }), 27183, 'Nope');
    await expectUnchanged(store, () => store.setEnvironmentVariableValue(S, { ...at, variableName: 'Max', value: 'many' }), 27147);
    await expectUnchanged(store, () => store.setEnvironmentVariableProperty(S, { ...at, variableName: 'Max', propertyName: 'Color', propertyValue: 'red' }), 27101);
    await store.setEnvironmentVariableValue(S, { ...at, variableName: 'Max', value: 7 });
    await store.setEnvironmentVariableProperty(S, { ...at, variableName: 'Max', propertyName: 'Description', propertyValue: 'errors allowed' });
    let max = (await rows(store, 'catalog.environment_variables')).find((v) => v['name'] === 'Max' && v['environment_id'] === 1)!;
    assert.is(max['value'], 7);
    assert.is(max['description'], 'errors allowed');
    await store.setEnvironmentVariableProtection(S, { ...at, variableName: 'Max', sensitive: true });
    max = (await rows(store, 'catalog.environment_variables')).find((v) => v['name'] === 'Max' && v['environment_id'] === 1)!;
    assert.is(max['value'], null);
    await store.setEnvironmentVariableProtection(S, { ...at, variableName: 'Max', sensitive: false });
    max = (await rows(store, 'catalog.environment_variables')).find((v) => v['name'] === 'Max' && v['environment_id'] === 1)!;
    assert.is(max['value'], 7, 'protection round-trips the value');
    await store.deleteEnvironmentVariable(S, { ...at, variableName: 'Max' });
    assert.ok(!(await rows(store, 'catalog.environment_variables')).some((v) => v['name'] === 'Max' && v['environment_id'] === 1));
  });

  const refs = make('environment references and create_execution binding');
  refs('R and A references; executions bind their own environment; execution_parameter_values says where each value came from', async () => {
    const store = await fresh();
    const { projectId } = await setup(store);
    await store.createFolder(S, { folderName: 'Shared' });
    await store.createEnvironment(S, { folderName: 'Shared', environmentName: 'prod' });
    await store.createEnvironmentVariable(S, { folderName: 'Shared', environmentName: 'prod', variableName: 'Server', dataType: 'String', sensitive: false, value: 'shared-db' });
    await store.createEnvironmentVariable(S, { folderName: 'Shared', environmentName: 'prod', variableName: 'Max', dataType: 'Int32', sensitive: false, value: 9 });
    await store.createEnvironmentVariable(S, { folderName: 'Shared', environmentName: 'prod', variableName: 'Secret', dataType: 'String', sensitive: true, value: 'x' });
    const { referenceId: rTest } = await store.createEnvironmentReference(S, { folderName: 'F', projectName: 'tiny', environmentName: 'test', referenceType: 'R' });
    const { referenceId: rProd } = await store.createEnvironmentReference(S, { folderName: 'F', projectName: 'tiny', environmentName: 'prod', referenceType: 'R' });
    const { referenceId: aProd } = await store.createEnvironmentReference(S, { folderName: 'F', projectName: 'tiny', environmentName: 'prod', referenceType: 'A', environmentFolderName: 'Shared' });
    const refRows = await rows(store, 'catalog.environment_references');
    assert.equal(refRows.map((r) => [r['project_id'], r['reference_type'], r['environment_folder_name'], r['environment_name']]),
      [[projectId, 'R', null, 'test'], [projectId, 'R', null, 'prod'], [projectId, 'A', 'Shared', 'prod']]);
    const params = await rows(store, 'catalog.object_parameters');
    assert.equal(params.filter((p) => p['value_type'] === 'R').map((p) => [p['parameter_name'], p['referenced_variable_name']]).sort(),
      [['MaxErrors', 'Max'], ['Password', 'Secret'], ['ServerName', 'Server']]);

    const seen: Record<string, unknown>[] = [];
    for (const ref of [rTest, rProd, aProd]) {
      const { executionId } = await create(store, S, ref);
      const payload = await store.getExecutionPayload(executionId);
      const v = (n: string) => payload.parameters.find((p) => p.name === n)?.value;
      seen.push({ server: v('ServerName'), max: v('MaxErrors'), password: v('Password') });
      const epv = (await rows(store, 'catalog.execution_parameter_values')).filter((r) => r['execution_id'] === executionId);
      const server = epv.find((r) => r['parameter_name'] === 'ServerName')!;
      assert.is(server['value_source'], 'E');
      assert.is(server['referenced_variable_name'], 'Server');
      assert.is(server['environment_name'], 'prod' === server['environment_name'] ? 'prod' : 'test');
      const password = epv.find((r) => r['parameter_name'] === 'Password')!;
      assert.is(password['parameter_value'], null, 'a sensitive value is never shown');
      assert.is(epv.find((r) => r['parameter_name'] === 'RunDate')!['value_source'], 'D');
      const exec = (await rows(store, 'catalog.executions')).find((e) => e['execution_id'] === executionId)!;
      assert.is(exec['reference_id'], ref);
    }
    assert.equal(seen, [
      { server: 'test-db', max: 5, password: 'test-secret' },
      { server: 'prod-db', max: 50, password: 'prod-secret' },
      { server: 'shared-db', max: 9, password: 'x' },
    ]);
    // Without a reference, referenced parameters keep their design defaults.
    const { executionId: plain } = await create(store, S);
    const p = await store.getExecutionPayload(plain);
    assert.is(p.parameters.find((x) => x.name === 'ServerName')!.value, 'localhost');
    await store.deleteEnvironmentReference(S, { referenceId: aProd });
    assert.is((await rows(store, 'catalog.environment_references')).length, 2);
  });

  refs('binding errors: 27208 foreign reference, 27182 environment gone, 27183 variable gone, 27148 type, 27221 sensitive; none creates anything', async () => {
    const store = await fresh();
    await setup(store);
    const { referenceId } = await store.createEnvironmentReference(S, { folderName: 'F', projectName: 'tiny', environmentName: 'test', referenceType: 'R' });
    await expectUnchanged(store, () => create(store, S, referenceId + 100), 27208);
    await expectUnchanged(store, () => store.createEnvironmentReference(S, { folderName: 'F', projectName: 'tiny', environmentName: 'test', referenceType: 'R' }), 27412);
    await expectUnchanged(store, () => store.createEnvironmentReference(S, { folderName: 'F', projectName: 'tiny', environmentName: 'test', referenceType: 'X' }), 27101);
    await expectUnchanged(store, () => store.createEnvironmentReference(S, { folderName: 'F', projectName: 'tiny', environmentName: 'test', referenceType: 'A' }), 27100);
    await expectUnchanged(store, () => store.createEnvironmentReference(S, { folderName: 'F', projectName: 'tiny', environmentName: 'nope', referenceType: 'R' }), 27182);
    await expectUnchanged(store, () => store.deleteEnvironmentReference(S, { referenceId: 999 }), 27208);
    // Type mismatch: Max becomes a String.
    await store.deleteEnvironmentVariable(S, { folderName: 'F', environmentName: 'test', variableName: 'Max' });
    await expectUnchanged(store, () => create(store, S, referenceId), 27183, 'Max');
    await store.createEnvironmentVariable(S, { folderName: 'F', environmentName: 'test', variableName: 'Max', dataType: 'String', sensitive: false, value: '5' });
    await expectUnchanged(store, () => create(store, S, referenceId), 27148, 'MaxErrors');
    await store.deleteEnvironmentVariable(S, { folderName: 'F', environmentName: 'test', variableName: 'Max' });
    await store.createEnvironmentVariable(S, { folderName: 'F', environmentName: 'test', variableName: 'Max', dataType: 'Int32', sensitive: true, value: 5 });
    await expectUnchanged(store, () => create(store, S, referenceId), 27221, 'MaxErrors');
    // The environment renamed: the reference follows; deleted: 27182.
    await store.renameEnvironment(S, { folderName: 'F', environmentName: 'test', newEnvironmentName: 'qa' });
    assert.is((await rows(store, 'catalog.environment_references'))[0]!['environment_name'], 'qa');
    await store.deleteEnvironment(S, { folderName: 'F', environmentName: 'qa' });
    await expectUnchanged(store, () => create(store, S, referenceId), 27182, 'qa');
  });

  const params = make('object parameter values');
  params("set_object_parameter_value 'V' and 'R', clear, errors 27176 / 27147 / 27101; server values survive a redeploy", async () => {
    const store = await fresh();
    await setup(store);
    const at = { folderName: 'F', projectName: 'tiny' };
    await store.setObjectParameterValue(S, { ...at, objectType: 30, objectName: 'Load Data.dtsx', parameterName: 'BatchSize', parameterValue: 250 });
    await store.setObjectParameterValue(S, { ...at, objectType: 30, objectName: 'Load Data.dtsx', parameterName: 'ApiKey', parameterValue: 'k-123' });
    await expectUnchanged(store, () => store.setObjectParameterValue(S, { ...at, objectType: 20, parameterName: 'servername', parameterValue: 'x' }), 27176);
    await expectUnchanged(store, () => store.setObjectParameterValue(S, { ...at, objectType: 30, objectName: 'Load Data.dtsx', parameterName: 'BatchSize', parameterValue: 'many' }), 27147);
    await expectUnchanged(store, () => store.setObjectParameterValue(S, { ...at, objectType: 20, parameterName: 'ServerName', parameterValue: 'x', valueType: 'Q' }), 27101);
    await expectUnchanged(store, () => store.setObjectParameterValue(S, { ...at, objectType: 40, parameterName: 'ServerName', parameterValue: 'x' }), 27101);
    let list = await rows(store, 'catalog.object_parameters');
    assert.is(list.find((p) => p['parameter_name'] === 'BatchSize')!['default_value'], 250);
    assert.is(list.find((p) => p['parameter_name'] === 'ApiKey')!['default_value'], null, 'sensitive: hidden');
    await store.deployProject(S, { folderName: 'F', projectName: 'tiny', project: await tiny() });
    list = await rows(store, 'catalog.object_parameters');
    assert.is(list.find((p) => p['parameter_name'] === 'BatchSize')!['default_value'], 250, 'kept across a redeploy');
    assert.is(list.find((p) => p['parameter_name'] === 'ServerName')!['referenced_variable_name'], 'Server');
    const { executionId } = await create(store, S);
    const payload = await store.getExecutionPayload(executionId);
    assert.is(payload.parameters.find((p) => p.name === 'ApiKey')!.value, 'k-123');
    const epv = (await rows(store, 'catalog.execution_parameter_values')).filter((r) => r['execution_id'] === executionId);
    assert.is(epv.find((r) => r['parameter_name'] === 'BatchSize')!['value_source'], 'S');
    await store.clearObjectParameterValue(S, { ...at, objectType: 20, parameterName: 'ServerName' });
    const cleared = (await rows(store, 'catalog.object_parameters')).find((p) => p['parameter_name'] === 'ServerName')!;
    assert.equal([cleared['value_type'], cleared['value_set'], cleared['default_value'], cleared['referenced_variable_name']], ['V', 0, 'localhost', null]);
  });

  const perms = make('object permissions');
  perms('grant/deny/revoke return codes; explicit and effective views; views filtered by READ', async () => {
    const store = await fresh();
    const { projectId, test, prod } = await setup(store);
    await store.createLogin(S, { name: 'bob', password: 'pw-bob-1', roles: ['ssis_cluster_executor'] });
    await store.createLogin(S, { name: 'eve', password: 'pw-eve-1', roles: [] });
    const bob = await store.authenticate('bob', 'pw-bob-1');
    const eve = await store.authenticate('eve', 'pw-eve-1');
    const ids = await rows(store, 'catalog.explicit_object_permissions');
    assert.is(ids.length, 0);
    // principal ids: the view shows them once a row exists; grant one to learn bob's.
    const principalOf = async (name: string): Promise<number> => {
      for (let id = 1; id < 10; id++) {
        const r = await store.grantPermission(S, { objectType: 3, objectId: test, principalId: id, permissionType: 1 });
        if (r.returnCode !== 0) continue;
        const row = (await rows(store, 'catalog.explicit_object_permissions')).find((x) => x['principal_id'] === id)!;
        await store.revokePermission(S, { objectType: 3, objectId: test, principalId: id, permissionType: 1 });
        if (row['principal_name'] === name) return id;
      }
      throw new Error(`no principal ${name}`);
    };
    const bobId = await principalOf('bob');
    const eveId = await principalOf('eve');
    assert.equal((await store.grantPermission(S, { objectType: 9, objectId: 1, principalId: bobId, permissionType: 1 })).returnCode, 1);
    assert.equal((await store.grantPermission(S, { objectType: 3, objectId: 999, principalId: bobId, permissionType: 1 })).returnCode, 2);
    assert.equal((await store.grantPermission(S, { objectType: 3, objectId: test, principalId: 999, permissionType: 1 })).returnCode, 3);
    assert.equal((await store.grantPermission(S, { objectType: 3, objectId: test, principalId: bobId, permissionType: 3 })).returnCode, 4, 'EXECUTE does not apply to an environment');
    assert.equal((await store.grantPermission(eve, { objectType: 3, objectId: test, principalId: eveId, permissionType: 1 })).returnCode, 2, 'eve cannot see it');
    assert.is((await rows(store, 'catalog.explicit_object_permissions')).length, 0, 'refused grants wrote nothing');

    // bob: Scale Out executor with EXECUTE on the project, no READ on the environments.
    assert.is((await store.grantPermission(S, { objectType: 2, objectId: projectId, principalId: bobId, permissionType: 3 })).returnCode, 0);
    const { referenceId } = await store.createEnvironmentReference(S, { folderName: 'F', projectName: 'tiny', environmentName: 'prod', referenceType: 'R' });
    assert.equal((await rows(store, 'catalog.environments', bob)).length, 0, 'environments are filtered by READ');
    assert.equal((await rows(store, 'catalog.environment_variables', bob)).length, 0);
    await expectUnchanged(store, () => create(store, bob, referenceId), 27182, 'prod');
    const { executionId } = await create(store, bob);
    assert.ok(executionId > 0, 'without a reference bob may execute');
    // READ on prod lets him bind it; a DENY wins over the grant; revoke removes both.
    assert.is((await store.grantPermission(S, { objectType: 3, objectId: prod, principalId: bobId, permissionType: 1 })).returnCode, 0);
    assert.equal((await rows(store, 'catalog.environments', bob)).map((e) => e['name']), ['prod']);
    const bound = await create(store, bob, referenceId);
    assert.is((await store.getExecutionPayload(bound.executionId)).parameters.find((p) => p.name === 'ServerName')!.value, 'prod-db');
    assert.is((await store.denyPermission(S, { objectType: 3, objectId: prod, principalId: bobId, permissionType: 1 })).returnCode, 0);
    await expectCatalogError(create(store, bob, referenceId), 27182);
    const explicit = await rows(store, 'catalog.explicit_object_permissions');
    assert.ok(explicit.some((r) => r['object_type'] === 3 && r['object_id'] === prod && r['principal_name'] === 'bob' && Number(r['is_deny']) === 1));
    assert.is((await store.revokePermission(S, { objectType: 3, objectId: prod, principalId: bobId, permissionType: 1 })).returnCode, 0);
    await expectCatalogError(create(store, bob, referenceId), 27182);
    // READ lost between create and start: start_execution checks the environment again (27182).
    await store.grantPermission(S, { objectType: 3, objectId: prod, principalId: bobId, permissionType: 1 });
    const pending = await create(store, bob, referenceId);
    await store.setExecutionParameterValue(bob, { executionId: pending.executionId, objectType: 30, parameterName: 'BatchSize', parameterValue: 1 });
    await store.revokePermission(S, { objectType: 3, objectId: prod, principalId: bobId, permissionType: 1 });
    await expectUnchanged(store, () => store.startExecution(bob, { executionId: pending.executionId }), 27182);
    // Operation grants: eve may not touch bob's execution until granted READ and MODIFY on it.
    await expectCatalogError(store.setExecutionParameterValue(eve, { executionId: pending.executionId, objectType: 30, parameterName: 'BatchSize', parameterValue: 2 }), 27103);
    assert.is((await rows(store, 'catalog.executions', eve)).length, 0);
    await store.grantPermission(S, { objectType: 4, objectId: pending.executionId, principalId: eveId, permissionType: 1 });
    assert.equal((await rows(store, 'catalog.executions', eve)).map((e) => e['execution_id']), [pending.executionId], 'READ on the operation shows it');
    await expectCatalogError(store.setExecutionParameterValue(eve, { executionId: pending.executionId, objectType: 30, parameterName: 'BatchSize', parameterValue: 2 }), 27103);
    await store.grantPermission(S, { objectType: 4, objectId: pending.executionId, principalId: eveId, permissionType: 2 });
    await store.setExecutionParameterValue(eve, { executionId: pending.executionId, objectType: 30, parameterName: 'BatchSize', parameterValue: 2 });
    // A DENY EXECUTE on the project overrides the executor role's implicit right.
    await store.denyPermission(S, { objectType: 2, objectId: projectId, principalId: bobId, permissionType: 3 });
    await expectCatalogError(create(store, bob), 27178);
    // eve (no role): sees no folder, project or environment; effective permissions list only what she holds.
    assert.is((await rows(store, 'catalog.folders', eve)).length, 0);
    assert.is((await rows(store, 'catalog.projects', eve)).length, 0);
    await store.grantPermission(S, { objectType: 1, objectId: 1, principalId: eveId, permissionType: 101 });
    assert.equal((await rows(store, 'catalog.environments', eve)).map((e) => e['name']), ['test', 'prod'], 'READ_OBJECTS on the folder reads its environments');
    const eff = await rows(store, 'catalog.effective_object_permissions', eve);
    assert.ok(eff.some((r) => r['object_type'] === 3 && r['object_id'] === prod && r['permission_type'] === 1));
    assert.ok(!eff.some((r) => r['permission_type'] === 2), 'no MODIFY anywhere');
    await expectCatalogError(store.setEnvironmentVariableValue(eve, { folderName: 'F', environmentName: 'prod', variableName: 'Max', value: 1 }), 27182);
  });

  perms('a login without CREATE_OBJECTS cannot create an environment; with it, it owns what it creates', async () => {
    const store = await fresh();
    await setup(store);
    await store.createLogin(S, { name: 'carol', password: 'pw-carol-1', roles: [] });
    const carol = await store.authenticate('carol', 'pw-carol-1');
    await expectUnchanged(store, () => store.createEnvironment(carol, { folderName: 'F', environmentName: 'mine' }), 27402);
    // Find carol's principal id through a grant she then uses (principals are listed by id in the explicit view).
    let carolId = 0;
    for (let id = 1; id < 10 && carolId === 0; id++) {
      if ((await store.grantPermission(S, { objectType: 1, objectId: 1, principalId: id, permissionType: 1 })).returnCode !== 0) continue;
      const row = (await rows(store, 'catalog.explicit_object_permissions')).find((r) => r['principal_id'] === id)!;
      if (row['principal_name'] === 'carol') carolId = id;
      else await store.revokePermission(S, { objectType: 1, objectId: 1, principalId: id, permissionType: 1 });
    }
    assert.ok(carolId > 0);
    assert.is((await store.grantPermission(S, { objectType: 1, objectId: 1, principalId: carolId, permissionType: 100 })).returnCode, 0);
    const { environmentId } = await store.createEnvironment(carol, { folderName: 'F', environmentName: 'mine' });
    await store.createEnvironmentVariable(carol, { folderName: 'F', environmentName: 'mine', variableName: 'V', dataType: 'Int32', sensitive: false, value: 1 });
    assert.equal((await rows(store, 'catalog.environments', carol)).map((e) => e['name']), ['mine'], 'she reads only her own environment');
    const mine = (await rows(store, 'catalog.effective_object_permissions', carol)).filter((r) => r['object_type'] === 3 && r['object_id'] === environmentId).map((r) => r['permission_type']);
    assert.equal(mine, [1, 2, 4], 'creator: READ, MODIFY, MANAGE_PERMISSIONS');
    await expectUnchanged(store, () => store.deleteEnvironment(carol, { folderName: 'F', environmentName: 'test' }), 27182);
    const admin: Principal = { name: 'root', roles: ['ssis_admin'] };
    assert.is((await rows(store, 'catalog.environments', admin)).length, 3);
    // CREATE_OBJECTS on the folder also lets her deploy a new project, which she then owns (MODIFY: redeploy).
    const project = await tiny();
    const renamed = { ...project, name: 'tiny2' };
    const { projectId } = await store.deployProject(carol, { folderName: 'F', projectName: 'tiny2', project: renamed });
    await store.deployProject(carol, { folderName: 'F', projectName: 'tiny2', project: renamed });
    assert.equal((await rows(store, 'catalog.projects', carol)).map((p) => p['project_id']), [projectId], 'she reads her project only');
    await expectUnchanged(store, () => store.deployProject(carol, { folderName: 'F', projectName: 'tiny', project }), 27140);
  });

  for (const s of suites) s.run();
}
