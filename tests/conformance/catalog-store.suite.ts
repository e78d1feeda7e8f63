/**
 * The one conformance suite every `CatalogStore` adapter must pass (SQLite now, SQL Server later).
 * It speaks only the port: SSISDB's verbs, their status codes and error numbers (with the registry's
 * messages), atomicity of failing calls (view snapshots before/after) and idempotent log appends.
 */
import { reportSkip } from '../helpers/skip.ts';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SsoError } from '../../actors/errors.ts';
import { CatalogErrorMessages, type CatalogErrorNumber } from '../../actors/catalog-errors.ts';
import { ANY_WORKER_ID } from '../../actors/catalog-codes.ts';
import { SYSTEM_PRINCIPAL, type CatalogStore, type Principal, type ProjectArchive, type WallClock } from '../../actors/ports.ts';
import { readProjectFolder } from '../../executor/package/project-archive.ts';

/** A clock the suite moves by hand; the adapter under test must read its time from it. */
export interface ConformanceClock extends WallClock {
  advance(ms: number): void;
}

const S = SYSTEM_PRINCIPAL;
const W1 = '64c020e2-f819-4c2d-a22f-efb31a91e70a';
const W2 = '0b8f3c1e-2d4a-4e5f-9a6b-7c8d9e0f1a2b';
const projectsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'projects');
const executor: Principal = { name: 'alice', roles: ['ssis_cluster_executor'] };
const nobody: Principal = { name: 'mallory', roles: [] };

let tinyCache: ProjectArchive | undefined;
async function tiny(): Promise<ProjectArchive> {
  tinyCache ??= await readProjectFolder(join(projectsDir, 'tiny'));
  return tinyCache;
}

function messagePattern(n: CatalogErrorNumber): RegExp {
  const escaped = CatalogErrorMessages[n].replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%s/g, '.*');
  return new RegExp(`^${escaped}$`, 's');
}

/** Asserts a rejection with SSISDB's number and the registry's message for it. */
export async function expectCatalogError(p: Promise<unknown>, n: CatalogErrorNumber, mentions?: string): Promise<void> {
  try {
    await p;
  } catch (error) {
    assert.ok(SsoError.is(error), `expected an SsoError, got ${String(error)}`);
    assert.is(error.code, 'SSO_ERR_CATALOG', error.message);
    assert.is(error.number, n, `expected ${n}, got ${error.number}: ${error.message}`);
    assert.match(error.message, messagePattern(n));
    if (mentions !== undefined) assert.ok(error.message.includes(mentions), `'${error.message}' should mention '${mentions}'`);
    return;
  }
  assert.unreachable(`expected catalog error ${n}`);
}

async function snapshot(store: CatalogStore): Promise<string> {
  const out: Record<string, unknown> = {};
  for (const v of store.listViews()) out[v] = (await store.queryView(S, v)).rows;
  return JSON.stringify(out, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** A failing call must leave every view exactly as it was. */
async function expectUnchanged(store: CatalogStore, p: () => Promise<unknown>, n: CatalogErrorNumber): Promise<void> {
  const before = await snapshot(store);
  await expectCatalogError(p(), n);
  assert.is(await snapshot(store), before, 'the failing call changed the catalog');
}

async function deployTiny(store: CatalogStore): Promise<{ projectId: number; versionLsn: number }> {
  await store.createFolder(S, { folderName: 'F' });
  return store.deployProject(S, { folderName: 'F', projectName: 'tiny', project: await tiny() });
}

/** A Scale Out execution with its required parameters set (BatchSize, RunDate). */
async function readyExecution(store: CatalogStore, opts: { useAnyWorker?: boolean; caller?: Principal } = {}): Promise<number> {
  const caller = opts.caller ?? S;
  const { executionId } = await store.createExecution(caller, { folderName: 'F', projectName: 'tiny', packageName: 'Load Data.dtsx', runInScaleOut: true, useAnyWorker: opts.useAnyWorker ?? true });
  await store.setExecutionParameterValue(caller, { executionId, objectType: 30, parameterName: 'BatchSize', parameterValue: 100 });
  await store.setExecutionParameterValue(caller, { executionId, objectType: 20, parameterName: 'RunDate', parameterValue: '2024-03-01T00:00:00' });
  return executionId;
}

async function worker(store: CatalogStore, id: string, enabled = true): Promise<void> {
  await store.updateWorkerAgentStatus(S, { workerAgentId: id, perfCounters: [], machineProperties: { MachineName: `host-${id.slice(0, 4)}`, UserAccount: 'svc' } });
  if (enabled) await store.enableWorkerAgent(S, { workerAgentId: id });
}

async function started(store: CatalogStore, retryCount = 0): Promise<number> {
  const id = await readyExecution(store);
  await store.startExecution(S, { executionId: id, retryCount });
  return id;
}

async function rows(store: CatalogStore, view: string, caller: Principal = S): Promise<Record<string, unknown>[]> {
  return [...(await store.queryView(caller, view)).rows];
}

export function catalogStoreConformance(adapterName: string, createStore: () => Promise<CatalogStore>, options: { clock: ConformanceClock }): void {
  const { clock } = options;
  const open: CatalogStore[] = [];
  const fresh = async (): Promise<CatalogStore> => {
    const s = await createStore();
    open.push(s);
    return s;
  };
  const closeAll = async (): Promise<void> => {
    for (const s of open.splice(0)) await s.close();
  };
  const make = (title: string) => {
    const s = suite(`${adapterName}: ${title}`);
    s.after.each(closeAll);
    return s;
  };

  // ---- principals ----------------------------------------------------------------------------
  const principals = make('principals');
  principals('logins authenticate with their roles; wrong passwords and unknown names get 27407', async () => {
    const store = await fresh();
    await store.createLogin(S, { name: 'bob', password: 's3cret!', roles: ['ssis_cluster_executor'] });
    const bob = await store.authenticate('bob', 's3cret!');
    assert.is(bob.name, 'bob');
    assert.equal([...bob.roles], ['ssis_cluster_executor']);
    await expectCatalogError(store.authenticate('bob', 'wrong'), 27407, 'bob');
    await expectCatalogError(store.authenticate('nobody', 'x'), 27407);
    await store.addRoleMember(S, { name: 'bob', role: 'ssis_logreader' });
    assert.equal([...(await store.authenticate('bob', 's3cret!')).roles].sort(), ['ssis_cluster_executor', 'ssis_logreader']);
  });
  principals('only sysadmin manages logins; duplicates get 27408', async () => {
    const store = await fresh();
    await store.createLogin(S, { name: 'bob', password: 'pw', roles: [] });
    await expectCatalogError(store.createLogin(S, { name: 'BOB', password: 'pw', roles: [] }), 27408);
    await expectCatalogError(store.createLogin({ name: 'x', roles: ['ssis_admin'] }, { name: 'eve', password: 'pw', roles: [] }), 27260);
    await expectCatalogError(store.addRoleMember({ name: 'x', roles: ['ssis_admin'] }, { name: 'bob', role: 'sysadmin' }), 27260);
  });
  principals('logins: password change, role removal, drop, listing (sysadmin sees all, others themselves)', async () => {
    const store = await fresh();
    await store.createLogin(S, { name: 'carol', password: 'old-pw', roles: ['ssis_admin', 'ssis_logreader'] });
    await store.createLogin(S, { name: 'dave', password: 'pw', roles: [] });
    await store.alterLoginPassword(S, { name: 'carol', password: 'new-pw' });
    await expectCatalogError(store.authenticate('carol', 'old-pw'), 27407);
    const carol = await store.authenticate('carol', 'new-pw');
    await store.dropRoleMember(S, { name: 'carol', role: 'ssis_logreader' });
    await store.dropRoleMember(S, { name: 'carol', role: 'ssis_logreader' }); // not a member any more: no-op
    assert.equal([...(await store.authenticate('carol', 'new-pw')).roles], ['ssis_admin']);
    const listed = await store.listLogins(S);
    assert.equal(listed.filter((l) => l.name === 'carol' || l.name === 'dave').map((l) => [l.name, [...l.roles]]), [['carol', ['ssis_admin']], ['dave', []]]);
    assert.ok(listed.every((l) => !Number.isNaN(Date.parse(l.createdTime))));
    assert.equal((await store.listLogins(carol)).map((l) => l.name), ['carol'], 'a non-sysadmin sees only itself');
    await expectCatalogError(store.dropLogin(carol, { name: 'dave' }), 27260);
    await expectCatalogError(store.alterLoginPassword(carol, { name: 'dave', password: 'x' }), 27260);
    await expectCatalogError(store.dropRoleMember(carol, { name: 'dave', role: 'ssis_admin' }), 27260);
    await store.dropLogin(S, { name: 'dave' });
    await expectCatalogError(store.authenticate('dave', 'pw'), 27407);
    await expectCatalogError(store.dropLogin(S, { name: 'dave' }), 27407);
    await expectCatalogError(store.alterLoginPassword(S, { name: 'dave', password: 'x' }), 27407);
    await store.createLogin(S, { name: 'dave', password: 'again', roles: [] }); // the name is free again
  });

  // ---- folders and projects ------------------------------------------------------------------
  const folders = make('folders and projects');
  folders('create_folder: ids, duplicates 27401, roles 27140', async () => {
    const store = await fresh();
    const { folderId } = await store.createFolder(S, { folderName: 'Sales', description: 'd' });
    assert.ok(folderId > 0);
    const f = await rows(store, 'catalog.folders');
    assert.equal(f.map((r) => [r['folder_id'], r['name'], r['description']]), [[folderId, 'Sales', 'd']]);
    await expectUnchanged(store, () => store.createFolder(S, { folderName: 'sales' }), 27401);
    await expectUnchanged(store, () => store.createFolder(executor, { folderName: 'Other' }), 27140);
  });
  folders('naming rules: length, edge spaces, leading @, control characters and "<>| (27400); null 27100; empty 27102', async () => {
    const store = await fresh();
    for (const bad of [' lead', 'trail ', '@at', 'a"b', 'a<b', 'a>b', 'a|b', 'tab\there', 'x'.repeat(129)]) {
      await expectUnchanged(store, () => store.createFolder(S, { folderName: bad }), 27400);
    }
    await expectCatalogError(store.createFolder(S, { folderName: null as unknown as string }), 27100, 'folder_name');
    await expectCatalogError(store.createFolder(S, { folderName: '' }), 27102, 'folder_name');
    await store.createFolder(S, { folderName: 'x'.repeat(128) });
  });
  folders('deploy_project: operation 101, a new version each time, packages and parameters of the current version', async () => {
    const store = await fresh();
    const a = await deployTiny(store);
    const b = await store.deployProject(S, { folderName: 'F', projectName: 'tiny', project: await tiny() });
    assert.is(b.projectId, a.projectId);
    assert.ok(b.versionLsn > a.versionLsn);
    const ops = await rows(store, 'catalog.operations');
    assert.equal(ops.map((o) => [o['operation_type'], o['status'], o['object_name']]), [[101, 7, 'tiny'], [101, 7, 'tiny']]);
    const projects = await rows(store, 'catalog.projects');
    assert.is(projects[0]!['object_version_lsn'], b.versionLsn);
    const packages = await rows(store, 'catalog.packages');
    assert.equal(packages.map((p) => [p['name'], p['entry_point']]), [['Load Data.dtsx', 1]]);
    const params = await rows(store, 'catalog.object_parameters');
    // 9 declared parameters, and CM.Source.ConnectionString for the project connection manager (as SSISDB makes at deploy).
    assert.is(params.length, 10);
    const cm = params.find((p) => p['parameter_name'] === 'CM.Source.ConnectionString')!;
    assert.equal([cm['object_type'], cm['data_type'], cm['default_value'], cm['required']], [20, 'String', 'input.csv', 0]);
    const pw = params.find((p) => p['parameter_name'] === 'Password')!;
    assert.is(pw['sensitive'], 1);
    assert.is(pw['default_value'], null);
    const bytes = await store.getProjectBytes(b.versionLsn, (await tiny()).sha256);
    assert.ok(bytes !== null && Buffer.from(bytes).equals(Buffer.from((await tiny()).bytes)));
    assert.is(await store.getProjectBytes(b.versionLsn, '0'.repeat(64)), null);
  });
  folders('deploy_project keeps at most MAX_PROJECT_VERSIONS versions', async () => {
    const store = await fresh();
    await store.configureCatalog(S, { propertyName: 'MAX_PROJECT_VERSIONS', propertyValue: '2' });
    await deployTiny(store);
    for (let i = 0; i < 3; i++) await store.deployProject(S, { folderName: 'F', projectName: 'tiny', project: await tiny() });
    assert.is((await rows(store, 'catalog.object_versions')).length, 2);
  });
  folders('deploy_project refuses a name mismatch (27405), a missing folder (27402) and a tampered stream (27404), changing nothing', async () => {
    const store = await fresh();
    await deployTiny(store);
    const t = await tiny();
    await expectUnchanged(store, () => store.deployProject(S, { folderName: 'F', projectName: 'other', project: t }), 27405);
    await expectUnchanged(store, () => store.deployProject(S, { folderName: 'Nope', projectName: 'tiny', project: t }), 27402);
    const flipped = new Uint8Array(t.bytes);
    flipped[10] = flipped[10]! ^ 0xff;
    const tampered = { ...t, bytes: flipped };
    await expectUnchanged(store, () => store.deployProject(S, { folderName: 'F', projectName: 'tiny', project: tampered }), 27404);
    await expectUnchanged(store, () => store.deployProject(executor, { folderName: 'F', projectName: 'tiny', project: t }), 27140);
  });

  // ---- executions ----------------------------------------------------------------------------
  const executions = make('executions');
  executions('create_execution: operation 200 in status 1, parameters of project, package and system', async () => {
    const store = await fresh();
    await deployTiny(store);
    const { executionId } = await store.createExecution(S, { folderName: 'F', projectName: 'tiny', packageName: 'Load Data.dtsx', runInScaleOut: true });
    const ex = (await rows(store, 'catalog.executions'))[0]!;
    assert.equal([ex['execution_id'], ex['operation_type'], ex['status'], ex['package_name']], [executionId, 200, 1, 'Load Data.dtsx']);
    const params = (await rows(store, 'catalog.execution_parameter_values')).map((p) => `${p['object_type']}:${p['parameter_name']}`);
    for (const n of ['20:ServerName', '20:RunDate', '30:BatchSize', '50:LOGGING_LEVEL', '50:DUMP_ON_ERROR', '50:DUMP_ON_EVENT', '50:DUMP_EVENT_CODE', '50:CALLER_INFO', '50:SYNCHRONIZED']) {
      assert.ok(params.includes(n), `missing ${n}`);
    }
    const level = (await store.getExecutionPayload(executionId)).parameters.find((p) => p.name === 'LOGGING_LEVEL')!;
    assert.is(level.value, 1);
  });
  executions('create_execution: missing or non-entry-point package 27146; caller without a Scale Out role 27178', async () => {
    const store = await fresh();
    await deployTiny(store);
    await expectUnchanged(store, () => store.createExecution(S, { folderName: 'F', projectName: 'tiny', packageName: 'Nope.dtsx', runInScaleOut: true }), 27146);
    await store.deployProject(S, { folderName: 'F', projectName: 'Tiny Project', project: await readProjectFolder(join(projectsDir, 'with-dtproj')) });
    await expectUnchanged(store, () => store.createExecution(S, { folderName: 'F', projectName: 'Tiny Project', packageName: 'Child.dtsx', runInScaleOut: true }), 27146);
    await expectUnchanged(store, () => store.createExecution(nobody, { folderName: 'F', projectName: 'tiny', packageName: 'Load Data.dtsx', runInScaleOut: true }), 27178);
    await store.createExecution(S, { folderName: 'F', projectName: 'Tiny Project', packageName: 'Main.dtsx', runInScaleOut: true });
  });
  executions('runInScaleOut NULL follows DEFAULT_EXECUTION_MODE (1 on a new catalog); a local execution has no job (27255)', async () => {
    const store = await fresh();
    await deployTiny(store);
    await store.createFolder(S, { folderName: 'G' });
    await worker(store, W1);
    const scaled = await store.createExecution(S, { folderName: 'F', projectName: 'tiny', packageName: 'Load Data.dtsx', useAnyWorker: false });
    await store.addExecutionWorker(S, { executionId: scaled.executionId, workerAgentId: W1 });
    await store.configureCatalog(S, { propertyName: 'DEFAULT_EXECUTION_MODE', propertyValue: '0' });
    const local = await store.createExecution(S, { folderName: 'F', projectName: 'tiny', packageName: 'Load Data.dtsx', useAnyWorker: false });
    await expectCatalogError(store.addExecutionWorker(S, { executionId: local.executionId, workerAgentId: W1 }), 27255);
  });
  executions('set_execution_parameter_value: case-sensitive names 27176, types 27147, object type 27101, logging level 27217 and 100', async () => {
    const store = await fresh();
    await deployTiny(store);
    const id = await readyExecution(store);
    await expectUnchanged(store, () => store.setExecutionParameterValue(S, { executionId: id, objectType: 30, parameterName: 'batchsize', parameterValue: 1 }), 27176);
    await expectUnchanged(store, () => store.setExecutionParameterValue(S, { executionId: id, objectType: 20, parameterName: 'BatchSize', parameterValue: 1 }), 27176);
    await expectUnchanged(store, () => store.setExecutionParameterValue(S, { executionId: id, objectType: 30, parameterName: 'BatchSize', parameterValue: 'ten' }), 27147);
    await expectUnchanged(store, () => store.setExecutionParameterValue(S, { executionId: id, objectType: 30, parameterName: 'BatchSize', parameterValue: 2 ** 40 }), 27147);
    await expectUnchanged(store, () => store.setExecutionParameterValue(S, { executionId: id, objectType: 20, parameterName: 'DryRun', parameterValue: 'maybe' }), 27147);
    await expectUnchanged(store, () => store.setExecutionParameterValue(S, { executionId: id, objectType: 40, parameterName: 'BatchSize', parameterValue: 1 }), 27101);
    await expectUnchanged(store, () => store.setExecutionParameterValue(S, { executionId: id, objectType: 50, parameterName: 'LOGGING_LEVEL', parameterValue: 7 }), 27217);
    await store.setExecutionParameterValue(S, { executionId: id, objectType: 50, parameterName: 'LOGGING_LEVEL', parameterValue: 100 });
    const names = async (): Promise<string[]> => (await store.getExecutionPayload(id)).parameters.map((p) => p.name);
    assert.ok((await names()).includes('CUSTOMIZED_LOGGING_LEVEL'));
    await store.setExecutionParameterValue(S, { executionId: id, objectType: 50, parameterName: 'LOGGING_LEVEL', parameterValue: 3 });
    assert.not.ok((await names()).includes('CUSTOMIZED_LOGGING_LEVEL'));
    await store.setExecutionParameterValue(S, { executionId: id, objectType: 20, parameterName: 'DryRun', parameterValue: true });
    await store.setExecutionParameterValue(S, { executionId: id, objectType: 20, parameterName: 'Password', parameterValue: 'hunter2' });
    const payload = await store.getExecutionPayload(id);
    assert.is(payload.parameters.find((p) => p.name === 'DryRun')!.value, true);
    assert.is(payload.parameters.find((p) => p.name === 'Password')!.value, 'hunter2');
    const view = await rows(store, 'catalog.execution_parameter_values');
    assert.is(view.find((p) => p['parameter_name'] === 'Password')!['parameter_value'], null);
  });
  executions('add_execution_worker: 27103, 27101 (sentinel and bad GUID), 27251, 27243, duplicate 27406', async () => {
    const store = await fresh();
    await deployTiny(store);
    await worker(store, W1);
    const any = await readyExecution(store);
    const explicit = await readyExecution(store, { useAnyWorker: false });
    await expectUnchanged(store, () => store.addExecutionWorker(S, { executionId: 999, workerAgentId: W1 }), 27103);
    await expectUnchanged(store, () => store.addExecutionWorker(S, { executionId: explicit, workerAgentId: ANY_WORKER_ID }), 27101);
    await expectUnchanged(store, () => store.addExecutionWorker(S, { executionId: explicit, workerAgentId: 'not-a-guid' }), 27101);
    await expectUnchanged(store, () => store.addExecutionWorker(S, { executionId: any, workerAgentId: W1 }), 27251);
    await expectUnchanged(store, () => store.addExecutionWorker(S, { executionId: explicit, workerAgentId: W2 }), 27243);
    await store.addExecutionWorker(S, { executionId: explicit, workerAgentId: W1 });
    await expectUnchanged(store, () => store.addExecutionWorker(S, { executionId: explicit, workerAgentId: W1 }), 27406);
  });
  executions('add_data_tap / add_data_tap_by_guid: taps travel in the payload; remove_data_tap; 27212 after start; 27100/27101/27102/27103/27413/27414', async () => {
    const store = await fresh();
    await deployTiny(store);
    const id = await readyExecution(store, { caller: executor });
    const taps = async () => (await store.getExecutionPayload(id)).dataTaps ?? [];
    const base = { executionId: id, taskPackagePath: '\\Package\\Data Flow Task', dataflowPathIdString: 'Paths[OLE DB Source.OLE DB Source Output]', dataFilename: 'out.csv' };
    const { dataTapId: a } = await store.addDataTap(executor, base);
    const { dataTapId: b } = await store.addDataTap(executor, { executionId: id, dataflowTaskGuid: '{D978A2E4-E05D-4374-9B05-50178A8817E8}', dataflowPathIdString: 'Paths[Sort.Sort Output]', dataFilename: 'sorted.csv', maxRows: 10 });
    assert.ok(b > a, 'data_tap_id grows');
    assert.equal(await taps(), [
      { dataTapId: a, taskPackagePath: '\\Package\\Data Flow Task', dataflowTaskGuid: null, dataflowPathIdString: 'Paths[OLE DB Source.OLE DB Source Output]', dataFilename: 'out.csv', maxRows: null },
      { dataTapId: b, taskPackagePath: null, dataflowTaskGuid: 'd978a2e4-e05d-4374-9b05-50178a8817e8', dataflowPathIdString: 'Paths[Sort.Sort Output]', dataFilename: 'sorted.csv', maxRows: 10 },
    ]);
    const unchanged = async (call: () => Promise<unknown>, n: CatalogErrorNumber, mentions?: string) => {
      const before = JSON.stringify(await taps());
      await expectCatalogError(call(), n, mentions);
      assert.is(JSON.stringify(await taps()), before, 'the failing call changed the taps');
    };
    await unchanged(() => store.addDataTap(executor, { ...base, executionId: 999 }), 27103);
    await unchanged(() => store.addDataTap(nobody, { ...base, dataFilename: 'x.csv' }), 27103);
    await unchanged(() => store.addDataTap(executor, { ...base, taskPackagePath: null, dataFilename: 'x.csv' }), 27100, 'task_package_path');
    await unchanged(() => store.addDataTap(executor, { ...base, taskPackagePath: 'Package\\Data Flow Task', dataFilename: 'x.csv' }), 27101, 'task_package_path');
    await unchanged(() => store.addDataTap(executor, { ...base, dataflowPathIdString: ' ', dataFilename: 'x.csv' }), 27102, 'dataflow_path_id_string');
    await unchanged(() => store.addDataTap(executor, { executionId: id, dataflowTaskGuid: 'not-a-guid', dataflowPathIdString: 'Paths[A.B]', dataFilename: 'x.csv' }), 27101, 'dataflow_task_guid');
    for (const bad of [0, -5, 1.5, 2147483648]) await unchanged(() => store.addDataTap(executor, { ...base, dataFilename: 'x.csv', maxRows: bad }), 27101, 'max_rows');
    for (const bad of ['../x.csv', 'dir/x.csv', 'C:\\x.csv', '..', 'a\u0001b']) await unchanged(() => store.addDataTap(executor, { ...base, dataFilename: bad }), 27101, 'data_filename');
    await unchanged(() => store.addDataTap(executor, { ...base, dataFilename: 'OUT.csv' }), 27414, 'OUT.csv');
    await unchanged(() => store.removeDataTap(executor, { dataTapId: 999_999 }), 27413);
    await unchanged(() => store.removeDataTap(nobody, { dataTapId: a }), 27413);
    await store.removeDataTap(executor, { dataTapId: a });
    assert.equal((await taps()).map((t) => t.dataTapId), [b]);
    await store.startExecution(executor, { executionId: id });
    await unchanged(() => store.addDataTap(executor, { ...base, dataFilename: 'late.csv' }), 27212);
    await unchanged(() => store.removeDataTap(executor, { dataTapId: b }), 27212);
  });
  executions('start_execution: pending with one ready task; 27121 twice; 27101 negative retry; 27184 required; 27150 redeployed; 27224 after start', async () => {
    const store = await fresh();
    await deployTiny(store);
    const { executionId: bare } = await store.createExecution(S, { folderName: 'F', projectName: 'tiny', packageName: 'Load Data.dtsx', runInScaleOut: true });
    await expectUnchanged(store, () => store.startExecution(S, { executionId: bare }), 27184);
    const id = await readyExecution(store);
    await expectUnchanged(store, () => store.startExecution(S, { executionId: id, retryCount: -1 }), 27101);
    await store.startExecution(S, { executionId: id, retryCount: 2 });
    assert.is(await store.getOperationStatus(id), 5);
    const tasks = await store.listLiveTasks();
    assert.is(tasks.length, 1);
    const t = tasks[0]!;
    assert.equal([t.taskType, t.status, t.maxExecutedCount, t.executedCount, t.executionId], [0, 1, 3, 0, id]);
    assert.equal(t.inputData.map((p) => p.name), ['execution_id', 'use32bitruntime', 'operation_guid']);
    assert.is(t.inputData[2]!.value, (await store.getExecutionPayload(id)).operationGuid);
    await expectUnchanged(store, () => store.startExecution(S, { executionId: id }), 27121);
    await expectUnchanged(store, () => store.setExecutionParameterValue(S, { executionId: id, objectType: 30, parameterName: 'BatchSize', parameterValue: 1 }), 27224);
    await expectUnchanged(store, () => store.setExecutionPropertyOverrideValue(S, { executionId: id, propertyPath: '\\Package.Properties[X]', propertyValue: '1', sensitive: false }), 27224);
    const old = await readyExecution(store);
    await store.deployProject(S, { folderName: 'F', projectName: 'tiny', project: await tiny() });
    await expectUnchanged(store, () => store.startExecution(S, { executionId: old }), 27150);
  });
  executions('property overrides are kept per path and reach the payload', async () => {
    const store = await fresh();
    await deployTiny(store);
    const id = await readyExecution(store);
    await store.setExecutionPropertyOverrideValue(S, { executionId: id, propertyPath: '\\Package.Connections[Db].Properties[ConnectionString]', propertyValue: 'a', sensitive: false });
    await store.setExecutionPropertyOverrideValue(S, { executionId: id, propertyPath: '\\Package.Connections[Db].Properties[ConnectionString]', propertyValue: 'b', sensitive: true });
    assert.equal((await store.getExecutionPayload(id)).propertyOverrides, [{ propertyPath: '\\Package.Connections[Db].Properties[ConnectionString]', value: 'b', sensitive: true }]);
  });
  executions("rows of other callers' executions are hidden; acting on them is 27103", async () => {
    const store = await fresh();
    await deployTiny(store);
    const mine = await readyExecution(store, { caller: executor });
    const admins = await readyExecution(store);
    assert.equal((await rows(store, 'catalog.executions', executor)).map((r) => r['execution_id']), [mine]);
    assert.equal((await rows(store, 'catalog.executions', { name: 'r', roles: ['ssis_logreader'] })).length, 2);
    await expectUnchanged(store, () => store.startExecution(executor, { executionId: admins }), 27103);
  });

  // ---- dispatch ------------------------------------------------------------------------------
  const dispatch = make('dispatch');
  dispatch('pull_task: FIFO, lease, attempt; unknown 27243, disabled 27252, sentinel 27101; explicit workers only', async () => {
    const store = await fresh();
    await deployTiny(store);
    await worker(store, W1);
    await worker(store, W2, false);
    const first = await started(store);
    clock.advance(5);
    const second = await started(store);
    await expectCatalogError(store.pullTask(S, { workerAgentId: '9d6f1a2b-0000-4000-8000-000000000000', leaseMs: 1000 }), 27243);
    await expectCatalogError(store.pullTask(S, { workerAgentId: W2, leaseMs: 1000 }), 27252);
    await expectCatalogError(store.pullTask(S, { workerAgentId: ANY_WORKER_ID, leaseMs: 1000 }), 27101);
    const t1 = await store.pullTask(S, { workerAgentId: W1, leaseMs: 60000 });
    assert.is(t1!.executionId, first);
    assert.equal([t1!.status, t1!.executedCount, t1!.workerAgentId, t1!.expiredTime], [2, 1, W1, clock.now() + 60000]);
    assert.is((await store.pullTask(S, { workerAgentId: W1, leaseMs: 60000 }))!.executionId, second);
    assert.is(await store.pullTask(S, { workerAgentId: W1, leaseMs: 60000 }), null);
    const explicit = await readyExecution(store, { useAnyWorker: false });
    await store.enableWorkerAgent(S, { workerAgentId: W2 });
    await store.addExecutionWorker(S, { executionId: explicit, workerAgentId: W2 });
    await store.startExecution(S, { executionId: explicit });
    assert.is(await store.pullTask(S, { workerAgentId: W1, leaseMs: 1000 }), null);
    assert.is((await store.pullTask(S, { workerAgentId: W2, leaseMs: 1000 }))!.executionId, explicit);
  });
  dispatch('update_task_status: heartbeats renew the lease; success moves the operation to 7', async () => {
    const store = await fresh();
    await deployTiny(store);
    await worker(store, W1);
    const id = await started(store);
    const t = (await store.pullTask(S, { workerAgentId: W1, leaseMs: 1000 }))!;
    await store.updateOperationStatusForTask(S, { status: 2, operationId: id, workerAgentId: W1 });
    const ex = (await rows(store, 'catalog.executions'))[0]!;
    assert.equal([ex['status'], ex['machine_name'], ex['worker_agent_id'], ex['executed_count']], [2, 'host-64c0', W1, 1]);
    assert.equal(await store.updateTaskStatus(S, { workerAgentId: W1, taskId: t.taskId, attempt: 1, status: 2, expiredTime: clock.now() + 5000 }), { status: 2 });
    assert.is((await store.getTask(t.taskId))!.expiredTime, clock.now() + 5000);
    assert.equal(await store.updateTaskStatus(S, { workerAgentId: W1, taskId: t.taskId, attempt: 1, status: 3, expiredTime: clock.now() + 6000 }), { status: 3 });
    await expectCatalogError(store.updateTaskStatus(S, { workerAgentId: W1, taskId: t.taskId, attempt: 1, status: 2, expiredTime: clock.now() }), 27246, t.taskId);
    assert.equal(await store.updateTaskStatus(S, { workerAgentId: W1, taskId: t.taskId, attempt: 1, status: 5, expiredTime: 0 }), { status: 5, operationStatus: 7 });
    assert.is(await store.getOperationStatus(id), 7);
    await expectCatalogError(store.updateTaskStatus(S, { workerAgentId: W1, taskId: t.taskId, attempt: 1, status: 5, expiredTime: 0 }), 27246);
  });
  dispatch('fencing: a stale attempt or another worker gets 27246 and changes nothing; a disabled worker still drains', async () => {
    const store = await fresh();
    await deployTiny(store);
    await worker(store, W1);
    await worker(store, W2);
    await started(store, 1);
    const t = (await store.pullTask(S, { workerAgentId: W1, leaseMs: 1000 }))!;
    await expectUnchanged(store, () => store.updateTaskStatus(S, { workerAgentId: W1, taskId: t.taskId, attempt: 2, status: 2, expiredTime: clock.now() }), 27246);
    await expectUnchanged(store, () => store.updateTaskStatus(S, { workerAgentId: W2, taskId: t.taskId, attempt: 1, status: 2, expiredTime: clock.now() }), 27246);
    await expectUnchanged(store, () => store.updateTaskStatus(S, { workerAgentId: W1, taskId: 'zzz', attempt: 1, status: 2, expiredTime: clock.now() }), 27101);
    await store.disableWorkerAgent(S, { workerAgentId: W1 });
    assert.equal(await store.updateTaskStatus(S, { workerAgentId: W1, taskId: t.taskId, attempt: 1, status: 2, expiredTime: clock.now() + 1 }), { status: 2 });
  });
  dispatch('failure with retries re-queues (operation stays running); the last failure fails the operation (4)', async () => {
    const store = await fresh();
    await deployTiny(store);
    await worker(store, W1);
    await worker(store, W2);
    const id = await started(store, 1);
    const a1 = (await store.pullTask(S, { workerAgentId: W1, leaseMs: 1000 }))!;
    await store.updateOperationStatusForTask(S, { status: 2, operationId: id, workerAgentId: W1 });
    assert.equal(await store.updateTaskStatus(S, { workerAgentId: W1, taskId: a1.taskId, attempt: 1, status: 4, expiredTime: 0 }), { status: 1 });
    assert.is(await store.getOperationStatus(id), 2);
    const a2 = (await store.pullTask(S, { workerAgentId: W2, leaseMs: 1000 }))!;
    assert.equal([a2.taskId, a2.executedCount], [a1.taskId, 2]);
    await expectCatalogError(store.updateTaskStatus(S, { workerAgentId: W1, taskId: a1.taskId, attempt: 1, status: 5, expiredTime: 0 }), 27246);
    assert.equal(await store.updateTaskStatus(S, { workerAgentId: W2, taskId: a2.taskId, attempt: 2, status: 4, expiredTime: 0 }), { status: 4, operationStatus: 4 });
    assert.is(await store.getOperationStatus(id), 4);
    assert.is((await rows(store, 'catalog.executions'))[0]!['executed_count'], 2);
  });

  // ---- routing by script capability (runtime/catalog/script-routing.ts) ---------------------------
  const routing = make('routing by script capability');
  const NO_MONO = 'unsupported: Mono is not installed on this worker';
  const MONO = 'C# (Mono C# compiler version 6.8.0.105); VB.NET unsupported';
  const W3 = '2c4e6a8b-1111-4222-8333-944455566677';
  /** A worker that reports its ScriptTasks capability (undefined: reports none, as another build would). */
  const scriptWorker = async (store: CatalogStore, id: string, capability: string | undefined, enabled = true): Promise<void> => {
    await store.updateWorkerAgentStatus(S, { workerAgentId: id, perfCounters: [], machineProperties: { MachineName: `host-${id.slice(0, 4)}`, ...(capability === undefined ? {} : { ScriptTasks: capability }) } });
    if (enabled) await store.enableWorkerAgent(S, { workerAgentId: id });
  };
  const deployScripted = async (store: CatalogStore): Promise<void> => {
    await store.createFolder(S, { folderName: 'F' });
    await store.deployProject(S, { folderName: 'F', projectName: 'scripted', project: await readProjectFolder(join(projectsDir, 'scripted')) });
  };
  /** Creates and starts an execution of Script.dtsx or Plain.dtsx; `workers`: explicit workers instead of any. */
  const startRun = async (store: CatalogStore, packageName: 'Script.dtsx' | 'Plain.dtsx', workers?: readonly string[]): Promise<number> => {
    const { executionId } = await store.createExecution(S, { folderName: 'F', projectName: 'scripted', packageName, runInScaleOut: true, useAnyWorker: workers === undefined });
    for (const w of workers ?? []) await store.addExecutionWorker(S, { executionId, workerAgentId: w });
    await store.startExecution(S, { executionId });
    clock.advance(1);
    return executionId;
  };
  const claim = async (store: CatalogStore, w: string, onlineWindowMs?: number): Promise<number | null> =>
    (await store.pullTask(S, { workerAgentId: w, leaseMs: 60_000, ...(onlineWindowMs === undefined ? {} : { onlineWindowMs }) }))?.executionId ?? null;

  routing('a worker without Mono skips a script execution while a Mono worker is online and takes the plain one behind it', async () => {
    const store = await fresh();
    await deployScripted(store);
    await scriptWorker(store, W1, NO_MONO);
    await scriptWorker(store, W2, MONO);
    const script = await startRun(store, 'Script.dtsx');
    const plain = await startRun(store, 'Plain.dtsx');
    assert.is(await claim(store, W1), plain, 'the Mono-less worker passes over the older script task');
    assert.is(await claim(store, W1), null, 'and never takes it while W2 can');
    assert.is(await claim(store, W2), script);
    const later = await startRun(store, 'Plain.dtsx');
    assert.is(await claim(store, W2), later, 'a plain package goes to any worker, Mono or not');
  });
  routing('with no Mono worker able to take it, the Mono-less worker claims the script execution (it then fails naming Mono)', async () => {
    const store = await fresh();
    await deployScripted(store);
    await scriptWorker(store, W1, NO_MONO);
    await scriptWorker(store, W2, MONO, false);
    await scriptWorker(store, W3, NO_MONO);
    const a = await startRun(store, 'Script.dtsx');
    assert.is(await claim(store, W1), a, 'W2 is not enabled: it does not count');
    await store.enableWorkerAgent(S, { workerAgentId: W2 });
    const b = await startRun(store, 'Script.dtsx');
    assert.is(await claim(store, W3), null, 'W2 is enabled now');
    await store.disableWorkerAgent(S, { workerAgentId: W2 });
    assert.is(await claim(store, W3), b, 'disabled again');
  });
  routing('a Mono worker seen longer ago than the online window does not count; the window is the caller\'s', async () => {
    const store = await fresh();
    await deployScripted(store);
    await scriptWorker(store, W2, MONO);
    clock.advance(10_000);
    await scriptWorker(store, W1, NO_MONO);
    const a = await startRun(store, 'Script.dtsx');
    assert.is(await claim(store, W1), null, 'W2 was seen 10 s ago: within the default window');
    assert.is(await claim(store, W1, 5_000), a, 'a 5 s window: W2 counts as offline');
    const b = await startRun(store, 'Script.dtsx');
    clock.advance(300_000);
    await scriptWorker(store, W1, NO_MONO);
    assert.is(await claim(store, W1), b, 'over the default window (300 s) without a heartbeat from W2');
    await scriptWorker(store, W2, MONO);
    await startRun(store, 'Script.dtsx');
    assert.is(await claim(store, W1), null, 'W2 heard again');
  });
  routing('only workers the execution allows count; a worker without the property counts as able', async () => {
    const store = await fresh();
    await deployScripted(store);
    await scriptWorker(store, W1, NO_MONO);
    await scriptWorker(store, W2, MONO);
    const onlyW1 = await startRun(store, 'Script.dtsx', [W1]);
    assert.is(await claim(store, W1), onlyW1, 'W2 may not run it, so W1 takes it');
    const both = await startRun(store, 'Script.dtsx', [W1, W2]);
    assert.is(await claim(store, W1), null);
    assert.is(await claim(store, W2), both);
    await store.disableWorkerAgent(S, { workerAgentId: W2 });
    await scriptWorker(store, W3, undefined);
    await startRun(store, 'Script.dtsx');
    assert.is(await claim(store, W1), null, 'W3 reports no ScriptTasks property: it is not known to lack Mono');
    assert.ok((await claim(store, W3)) !== null, 'and it takes the task');
  });
  routing('the flag comes from the deployed package: Script.dtsx needs scripts, Plain.dtsx does not (a Mono-less worker alone runs both)', async () => {
    const store = await fresh();
    await deployScripted(store);
    await scriptWorker(store, W1, NO_MONO);
    const script = await startRun(store, 'Script.dtsx');
    const plain = await startRun(store, 'Plain.dtsx');
    assert.is(await claim(store, W1), script);
    assert.is(await claim(store, W1), plain);
  });

  // ---- stop ----------------------------------------------------------------------------------
  const stop = make('stop_operation');
  stop('running: 8 stopping, the heartbeat answers 6, the cancel lands as 3 with the stop operation 7', async () => {
    const store = await fresh();
    await deployTiny(store);
    await worker(store, W1);
    const id = await started(store, 3);
    const t = (await store.pullTask(S, { workerAgentId: W1, leaseMs: 1000 }))!;
    await store.updateOperationStatusForTask(S, { status: 2, operationId: id, workerAgentId: W1 });
    const { stopOperationId } = await store.stopOperation(S, { operationId: id });
    assert.is(await store.getOperationStatus(id), 8);
    assert.is(await store.getOperationStatus(stopOperationId), 2);
    await expectCatalogError(store.stopOperation(S, { operationId: id }), 27126);
    assert.equal(await store.updateTaskStatus(S, { workerAgentId: W1, taskId: t.taskId, attempt: 1, status: 2, expiredTime: clock.now() + 1000 }), { status: 6 });
    assert.ok((await store.getTask(t.taskId))!.inputData.some((p) => p.name === 'stop_id' && p.value === String(stopOperationId)));
    assert.equal(await store.updateTaskStatus(S, { workerAgentId: W1, taskId: t.taskId, attempt: 1, status: 4, expiredTime: 0 }), { status: 4, operationStatus: 3 });
    assert.is(await store.getOperationStatus(stopOperationId), 7);
    assert.is((await rows(store, 'catalog.executions'))[0]!['stopped_by_name'], S.name);
  });
  stop('pending and not yet claimed: canceled (3) at once, the task cancelled, nothing left to dispatch', async () => {
    const store = await fresh();
    await deployTiny(store);
    await worker(store, W1);
    const id = await started(store);
    const { stopOperationId } = await store.stopOperation(S, { operationId: id });
    assert.is(await store.getOperationStatus(id), 3);
    assert.is(await store.getOperationStatus(stopOperationId), 7);
    assert.is(await store.pullTask(S, { workerAgentId: W1, leaseMs: 1000 }), null);
    assert.equal(await store.listLiveTasks(), []);
  });
  stop('created (1), unknown and non-execution operations: 27124; another caller: 27143', async () => {
    const store = await fresh();
    const dep = await deployTiny(store);
    const id = await readyExecution(store);
    await expectUnchanged(store, () => store.stopOperation(S, { operationId: id }), 27124);
    await expectUnchanged(store, () => store.stopOperation(S, { operationId: 4242 }), 27124);
    const deployOp = dep.projectId === 0 ? 0 : (await rows(store, 'catalog.operations')).find((o) => o['operation_type'] === 101)!['operation_id'] as number;
    await expectUnchanged(store, () => store.stopOperation(S, { operationId: deployOp }), 27124);
    await store.startExecution(S, { executionId: id });
    await expectUnchanged(store, () => store.stopOperation(executor, { operationId: id }), 27143);
  });
  stop('update_cancelled_operation_status finishes a stop the master learned of', async () => {
    const store = await fresh();
    await deployTiny(store);
    await worker(store, W1);
    const id = await started(store);
    await store.pullTask(S, { workerAgentId: W1, leaseMs: 1000 });
    await store.updateOperationStatusForTask(S, { status: 2, operationId: id, workerAgentId: W1 });
    const { stopOperationId } = await store.stopOperation(S, { operationId: id });
    await store.updateCancelledOperationStatus(S, { operationId: id, stopId: stopOperationId });
    assert.equal([await store.getOperationStatus(id), await store.getOperationStatus(stopOperationId)], [3, 7]);
  });

  // ---- expiry and cleanup ----------------------------------------------------------------------
  const sweep = make('expiry and cleanup');
  sweep('dealwith_expired_tasks: re-queue with retries, fail (operation 6) without, cancel (operation 3) when stopped', async () => {
    const store = await fresh();
    await deployTiny(store);
    await worker(store, W1);
    const retry = await started(store, 1);
    const last = await started(store, 0);
    const stopped = await started(store, 5);
    for (let i = 0; i < 3; i++) await store.pullTask(S, { workerAgentId: W1, leaseMs: 1000 });
    for (const id of [retry, last, stopped]) await store.updateOperationStatusForTask(S, { status: 2, operationId: id, workerAgentId: W1 });
    await store.stopOperation(S, { operationId: stopped });
    assert.equal(await store.dealWithExpiredTasks(S), []);
    clock.advance(1000);
    const outcomes = await store.dealWithExpiredTasks(S);
    const by = new Map(outcomes.map((o) => [o.executionId, o]));
    assert.equal([by.get(retry)!.taskStatus, by.get(retry)!.operationStatus], [1, undefined]);
    assert.equal([by.get(last)!.taskStatus, by.get(last)!.operationStatus], [4, 6]);
    assert.equal([by.get(stopped)!.taskStatus, by.get(stopped)!.operationStatus], [6, 3]);
    assert.equal([await store.getOperationStatus(retry), await store.getOperationStatus(last), await store.getOperationStatus(stopped)], [2, 6, 3]);
    assert.is((await store.pullTask(S, { workerAgentId: W1, leaseMs: 1000 }))!.executionId, retry);
  });
  sweep('after a restart held leases are extended (extendHeldLeases); a lost attempt is given back before a re-run (readoptLostTask)', async () => {
    const store = await fresh();
    if (!store.extendHeldLeases || !store.readoptLostTask) {
      reportSkip('catalog conformance: extendHeldLeases / readoptLostTask', 'this adapter does not implement them (optional: it keeps the original behaviour after a restart and for late successes)');
      return;
    }
    await deployTiny(store);
    await worker(store, W1);
    const retry = await started(store, 1);
    const last = await started(store, 0);
    const t1 = (await store.pullTask(S, { workerAgentId: W1, leaseMs: 1000 }))!;
    const t2 = (await store.pullTask(S, { workerAgentId: W1, leaseMs: 1000 }))!;
    const [tRetry, tLast] = t1.executionId === retry ? [t1, t2] : [t2, t1];
    for (const id of [retry, last]) await store.updateOperationStatusForTask(S, { status: 2, operationId: id, workerAgentId: W1 });
    // A restart: the leases are extended, so the sweep takes nothing.
    assert.is(await store.extendHeldLeases(S, { expiredTime: clock.now() + 30_000 }), 2);
    clock.advance(5_000);
    assert.equal(await store.dealWithExpiredTasks(S), []);
    clock.advance(30_000);
    const lost = await store.dealWithExpiredTasks(S);
    assert.equal(lost.map((o) => o.taskStatus).sort(), [1, 4]);
    // Re-queued, not re-claimed: the same attempt of the same worker gets its lease back; another attempt does not.
    assert.is(await store.readoptLostTask(S, { taskId: tRetry.taskId, workerAgentId: W1, attempt: 2, status: 2, expiredTime: clock.now() + 1000 }), 'refused');
    assert.is(await store.readoptLostTask(S, { taskId: tRetry.taskId, workerAgentId: W1, attempt: 1, status: 2, expiredTime: clock.now() + 1000 }), 'readopted');
    const back = (await store.getTask(tRetry.taskId))!;
    assert.equal([back.status, back.executedCount, back.workerAgentId], [2, 1, W1]);
    assert.equal(await store.updateTaskStatus(S, { workerAgentId: W1, taskId: tRetry.taskId, attempt: 1, status: 5, expiredTime: 0 }), { status: 5, operationStatus: 7 });
    // Lost for good (operation 6): only a success of that attempt wins, and only once.
    assert.is(await store.getOperationStatus(last), 6);
    assert.is(await store.readoptLostTask(S, { taskId: tLast.taskId, workerAgentId: W1, attempt: 1, status: 2, expiredTime: clock.now() + 1000 }), 'refused');
    assert.is(await store.readoptLostTask(S, { taskId: tLast.taskId, workerAgentId: W1, attempt: 1, status: 5, expiredTime: clock.now() + 1000 }), 'succeeded');
    assert.is(await store.getOperationStatus(last), 7);
    assert.is((await store.getTask(tLast.taskId))!.status, 5);
    assert.is(await store.readoptLostTask(S, { taskId: tLast.taskId, workerAgentId: W1, attempt: 1, status: 5, expiredTime: clock.now() + 1000 }), 'refused');
  });
  sweep('cleanup_completed_jobs: finished jobs after minutesToKeep, perf counters after 24 h, operations after RETENTION_WINDOW', async () => {
    const store = await fresh();
    await deployTiny(store);
    await worker(store, W1);
    await store.updateWorkerAgentStatus(S, { workerAgentId: W1, perfCounters: [{ name: 'cpu', value: 1, timestamp: clock.now() }], machineProperties: {} });
    const id = await started(store);
    const t = (await store.pullTask(S, { workerAgentId: W1, leaseMs: 1000 }))!;
    await store.updateTaskStatus(S, { workerAgentId: W1, taskId: t.taskId, attempt: 1, status: 5, expiredTime: 0 });
    assert.equal(await store.cleanupCompletedJobs(S, { minutesToKeep: 60 }), { jobsRemoved: 0 });
    clock.advance(61 * 60000);
    assert.equal(await store.cleanupCompletedJobs(S, { minutesToKeep: 60 }), { jobsRemoved: 1 });
    assert.is(await store.getTask(t.taskId), null);
    assert.is((await rows(store, 'catalog.worker_agent_perfcounter')).length, 1);
    clock.advance(24 * 3600000);
    await store.cleanupCompletedJobs(S);
    assert.is((await rows(store, 'catalog.worker_agent_perfcounter')).length, 0);
    await store.configureCatalog(S, { propertyName: 'RETENTION_WINDOW', propertyValue: '1' });
    clock.advance(2 * 24 * 3600000);
    await store.cleanupCompletedJobs(S);
    assert.is(await store.getOperationStatus(id), null);
  });

  // ---- workers -------------------------------------------------------------------------------
  const workers = make('workers');
  workers('first contact registers a disabled worker; heartbeats update it; enable, properties, delete', async () => {
    const store = await fresh();
    assert.equal(await store.updateWorkerAgentStatus(S, { workerAgentId: W1.toUpperCase(), perfCounters: [], machineProperties: { MachineName: 'm1', UserAccount: 'u1', OS: 'Linux' } }), { isEnabled: false, registered: true });
    await store.enableWorkerAgent(S, { workerAgentId: W1 });
    assert.equal(await store.updateWorkerAgentStatus(S, { workerAgentId: W1, perfCounters: [], machineProperties: { MachineName: 'm2' } }), { isEnabled: true, registered: false });
    await store.setWorkerAgentProperty(S, { workerAgentId: W1, propertyName: 'DisplayName', propertyValue: 'Worker one' });
    await store.setWorkerAgentProperty(S, { workerAgentId: W1, propertyName: 'Tags', propertyValue: 'etl,linux' });
    const w = (await store.getWorkerAgent(W1))!;
    assert.equal([w.isEnabled, w.machineName, w.userAccount, w.displayName, w.tags], [true, 'm2', 'u1', 'Worker one', 'etl,linux']);
    assert.equal((await rows(store, 'catalog.worker_agents', nobody)), []);
    assert.is((await rows(store, 'catalog.worker_agents', executor)).length, 1);
    await store.deleteWorkerAgent(S, { workerAgentId: W1 });
    assert.equal(await store.listWorkerAgents(), []);
  });
  workers('a worker agent is bound to the client certificate it registered with; a mismatch is refused and changes nothing', async () => {
    const store = await fresh();
    const A = 'AB'.repeat(20);
    const B = 'cd'.repeat(20);
    assert.equal(await store.updateWorkerAgentStatus(S, { workerAgentId: W1, perfCounters: [], machineProperties: { MachineName: 'm1' }, certificateThumbprint: A }), { isEnabled: false, registered: true });
    assert.is((await store.getWorkerAgent(W1))!.certificateThumbprint, A);
    // The same certificate again: fine (a reconnect); a heartbeat carries no certificate.
    assert.equal(await store.updateWorkerAgentStatus(S, { workerAgentId: W1, perfCounters: [], machineProperties: {}, certificateThumbprint: A.toLowerCase() }), { isEnabled: false, registered: false });
    assert.equal(await store.updateWorkerAgentStatus(S, { workerAgentId: W1, perfCounters: [], machineProperties: {} }), { isEnabled: false, registered: false });
    const refused = async (p: Promise<unknown>, re: RegExp) => {
      const before = await snapshot(store);
      try { await p; assert.unreachable('expected a refusal'); } catch (err) {
        assert.ok(SsoError.is(err) && err.code === 'SSO_ERR_TLS', String(err));
        assert.match((err as Error).message, re);
      }
      assert.is(await snapshot(store), before, 'the refused call changed the catalog');
    };
    // Another certificate as W1; W1's certificate as a new agent W2.
    await refused(store.updateWorkerAgentStatus(S, { workerAgentId: W1, perfCounters: [], machineProperties: { MachineName: 'evil' }, certificateThumbprint: B }), new RegExp(`bound to client certificate ${A}`));
    await refused(store.updateWorkerAgentStatus(S, { workerAgentId: W2, perfCounters: [], machineProperties: {}, certificateThumbprint: A }), new RegExp(`bound to worker agent ${W1}`));
    await refused(store.updateWorkerAgentStatus(S, { workerAgentId: W2, perfCounters: [], machineProperties: {}, certificateThumbprint: 'not hex' }), /40 hex digits/);
    // An agent registered without a certificate (before binding existed) is bound by its next hello.
    await store.updateWorkerAgentStatus(S, { workerAgentId: W2, perfCounters: [], machineProperties: {} });
    await store.updateWorkerAgentStatus(S, { workerAgentId: W2, perfCounters: [], machineProperties: {}, certificateThumbprint: B });
    assert.is((await store.getWorkerAgent(W2))!.certificateThumbprint, B.toUpperCase());
    // Deleting the agent frees its certificate.
    await store.deleteWorkerAgent(S, { workerAgentId: W1 });
    assert.equal(await store.updateWorkerAgentStatus(S, { workerAgentId: W1, perfCounters: [], machineProperties: {}, certificateThumbprint: A }), { isEnabled: false, registered: true });
  });
  workers('enable/disable/delete/set_worker_agent_property: 27100, 27101, 27243, 27140', async () => {
    const store = await fresh();
    await worker(store, W1, false);
    for (const verb of ['enableWorkerAgent', 'disableWorkerAgent', 'deleteWorkerAgent'] as const) {
      await expectUnchanged(store, () => store[verb](S, { workerAgentId: null as unknown as string }), 27100);
      await expectUnchanged(store, () => store[verb](S, { workerAgentId: ANY_WORKER_ID }), 27101);
      await expectUnchanged(store, () => store[verb](S, { workerAgentId: '{not a guid}' }), 27101);
      await expectUnchanged(store, () => store[verb](S, { workerAgentId: W2 }), 27243);
      await expectUnchanged(store, () => store[verb](executor, { workerAgentId: W1 }), 27140);
    }
    await expectUnchanged(store, () => store.setWorkerAgentProperty(S, { workerAgentId: W1, propertyName: 'MachineName', propertyValue: 'x' }), 27101);
    await expectUnchanged(store, () => store.updateWorkerAgentStatus(S, { workerAgentId: ANY_WORKER_ID, perfCounters: [], machineProperties: {} }), 27101);
  });

  // ---- catalog properties, master, views -------------------------------------------------------
  const props = make('catalog and master properties');
  props('configure_catalog: valid values stored with operation 1000; invalid 27409; active executions 27139; roles 27140', async () => {
    const store = await fresh();
    await store.configureCatalog(S, { propertyName: 'SERVER_LOGGING_LEVEL', propertyValue: '3' });
    await store.configureCatalog(S, { propertyName: 'RETENTION_WINDOW', propertyValue: '-1' });
    await store.configureCatalog(S, { propertyName: 'OPERATION_CLEANUP_ENABLED', propertyValue: 'false' });
    const cp = new Map((await rows(store, 'catalog.catalog_properties')).map((r) => [r['property_name'], r['property_value']]));
    assert.equal([cp.get('SERVER_LOGGING_LEVEL'), cp.get('RETENTION_WINDOW'), cp.get('OPERATION_CLEANUP_ENABLED'), cp.get('IS_SCALEOUT_ENABLED'), cp.get('MAX_PROJECT_VERSIONS')], ['3', '-1', 'FALSE', 'TRUE', '10']);
    assert.is((await rows(store, 'catalog.operations')).filter((o) => o['operation_type'] === 1000).length, 3);
    for (const [n, v] of [['RETENTION_WINDOW', '0'], ['RETENTION_WINDOW', '-2'], ['SERVER_LOGGING_LEVEL', '5'], ['DEFAULT_EXECUTION_MODE', '2'], ['MAX_PROJECT_VERSIONS', '0'], ['VERSION_CLEANUP_ENABLED', 'yes'], ['SCHEMA_VERSION', '9'], ['NOPE', '1']] as const) {
      await expectUnchanged(store, () => store.configureCatalog(S, { propertyName: n, propertyValue: v }), 27409);
    }
    await expectUnchanged(store, () => store.configureCatalog(executor, { propertyName: 'SERVER_LOGGING_LEVEL', propertyValue: '1' }), 27140);
    assert.equal(await rows(store, 'catalog.catalog_properties', executor), []);
    await deployTiny(store);
    await started(store);
    await expectUnchanged(store, () => store.configureCatalog(S, { propertyName: 'SERVER_LOGGING_LEVEL', propertyValue: '1' }), 27139);
  });
  props('master properties: settings, heartbeat, address; the log connection string stays hidden', async () => {
    const store = await fresh();
    await store.updateMasterSettings(S, { machineName: 'master1', machineIp: '127.0.0.1', masterServicePort: '8391', sslCertThumbprint: 'AB', masterHeartbeatIntervalInMs: '30000' });
    await store.masterHeartbeat(S);
    await store.updateMasterAddress(S, { masterAddress: 'https://master1:8391' });
    const mp = new Map((await rows(store, 'catalog.master_properties', nobody)).map((r) => [r['property_name'], r['property_value']]));
    assert.equal([mp.get('MACHINE_NAME'), mp.get('MASTER_SERVICE_PORT'), mp.get('MASTER_ADDRESS'), mp.get('LAST_ONLINE_TIME')], ['master1', '8391', 'https://master1:8391', new Date(clock.now()).toISOString().replace('Z', '+00:00')]);
    assert.not.ok(mp.has('CLUSTER_LOGDB_CONNECTIONSTRING'));
    await expectUnchanged(store, () => store.updateMasterSettings(S, { machineName: null as unknown as string, machineIp: '', masterServicePort: '', sslCertThumbprint: '', masterHeartbeatIntervalInMs: '' }), 27100);
    await expectUnchanged(store, () => store.updateMasterAddress(executor, { masterAddress: 'x' }), 27140);
  });
  props('views: every listed view answers with columns; an unknown view is refused', async () => {
    const store = await fresh();
    for (const v of store.listViews()) assert.ok((await store.queryView(S, v)).columns.length > 0, v);
    const ex = await store.queryView(S, 'catalog.executions');
    assert.equal(ex.columns.slice(0, 4), ['execution_id', 'folder_name', 'project_name', 'package_name']);
    try {
      await store.queryView(S, 'catalog.nope');
      assert.unreachable('unknown view');
    } catch (error) {
      assert.ok(SsoError.is(error));
    }
    assert.is(typeof (await store.externalChangeToken()), 'string');
  });

  // ---- logs ----------------------------------------------------------------------------------
  const logs = make('logs');
  logs('component phases: catalog.execution_component_phases rows, idempotent by GUID, row-filtered; 27140 and 27103', async () => {
    const store = await fresh();
    await deployTiny(store);
    const id = await readyExecution(store, { caller: executor });
    const t0 = Date.UTC(2026, 0, 2, 3, 4, 5);
    const phase = (guid: string, phaseName: string, ms: number) => ({
      phaseGuid: guid, operationId: id, packageName: 'Load Data.dtsx', taskName: 'Data Flow Task', subcomponentName: 'Sort',
      phase: phaseName, startTime: t0, endTime: t0 + ms, executionPath: '\\Load Data\\Data Flow Task',
    });
    const batch = [phase('1a2b3c4d-0000-4000-8000-000000000001', 'PreExecute', 5), phase('1a2b3c4d-0000-4000-8000-000000000002', 'ProcessInput', 120)];
    await store.appendComponentPhases(S, batch);
    await store.appendComponentPhases(S, batch); // a replayed batch is applied once
    const view = await rows(store, 'catalog.execution_component_phases');
    assert.equal(view.map((r) => [r['execution_id'], r['task_name'], r['subcomponent_name'], r['phase'], r['execution_path']]), [
      [id, 'Data Flow Task', 'Sort', 'PreExecute', '\\Load Data\\Data Flow Task'], [id, 'Data Flow Task', 'Sort', 'ProcessInput', '\\Load Data\\Data Flow Task'],
    ]);
    assert.is(Date.parse(String(view[1]!['end_time'])) - Date.parse(String(view[1]!['start_time'])), 120);
    assert.is((await rows(store, 'catalog.execution_component_phases', executor)).length, 2, 'the creator sees its rows');
    assert.is((await rows(store, 'catalog.execution_component_phases', nobody)).length, 0, 'others do not');
    await expectCatalogError(store.appendComponentPhases(executor, [phase('1a2b3c4d-0000-4000-8000-000000000003', 'Cleanup', 1)]), 27140);
    await expectCatalogError(store.appendComponentPhases(S, [{ ...phase('1a2b3c4d-0000-4000-8000-000000000004', 'Cleanup', 1), operationId: 999 }]), 27103);
    assert.is((await rows(store, 'catalog.execution_component_phases')).length, 2);
  });
  logs('event messages and executable statistics are idempotent by GUID; ids and GUIDs both present', async () => {
    const store = await fresh();
    await deployTiny(store);
    const id = await started(store);
    const guid = 'aa000000-0000-4000-8000-000000000001';
    const msg = {
      eventMessageGuid: guid, operationId: id, messageTime: clock.now(), messageType: 120, messageSourceType: 40, message: 'boom',
      packageName: 'Load Data.dtsx', eventName: 'OnError', messageSourceName: 'Task', messageSourceId: '{X}', packagePath: '\\Package\\Task',
      executionPath: '\\Load Data\\Task', threadId: 1, messageCode: -1071636471,
      context: [{ contextDepth: 1, packagePath: '\\Package', contextType: 60, contextSourceName: 'Load Data', contextSourceId: '{P}', propertyName: 'MaxErrorCount', propertyValue: 1 }],
    };
    await store.appendEventMessages(S, [msg]);
    await store.appendEventMessages({ name: 'agent', roles: ['ssis_cluster_worker'] }, [msg]);
    const em = await rows(store, 'catalog.event_messages');
    assert.is(em.length, 1);
    assert.ok(typeof em[0]!['event_message_id'] === 'number');
    assert.is(em[0]!['event_message_guid'], guid);
    assert.is((await rows(store, 'catalog.operation_messages'))[0]!['operation_message_id'], em[0]!['event_message_id']);
    const ctx = await rows(store, 'catalog.event_message_context');
    assert.equal(ctx.map((c) => [c['event_message_id'], c['property_name']]), [[em[0]!['event_message_id'], 'MaxErrorCount']]);
    await expectUnchanged(store, () => store.appendEventMessages(S, [{ ...msg, eventMessageGuid: 'aa000000-0000-4000-8000-000000000002' }, { ...msg, eventMessageGuid: 'bad' }]), 27101);
    await expectUnchanged(store, () => store.appendEventMessages(executor, [msg]), 27140);
    const stat = {
      statisticGuid: 'bb000000-0000-4000-8000-000000000001', operationId: id, packageName: 'Load Data.dtsx', executableName: 'Task',
      executableGuid: '{X}', packagePath: '\\Package\\Task', executionPath: '\\Load Data\\Task', startTime: clock.now(), endTime: clock.now() + 10,
      executionDuration: 10, executionResult: 0,
    };
    await store.appendExecutableStatistics(S, [stat, stat]);
    await store.appendExecutableStatistics(S, [stat]);
    assert.is((await rows(store, 'catalog.executable_statistics')).length, 1);
    assert.is((await rows(store, 'catalog.executables')).length, 1);
  });

  // ---- group commit --------------------------------------------------------------------------
  const group = make('atomic mutations under concurrency');
  group('concurrent mutations: a failing one rejects alone, the others all commit', async () => {
    const store = await fresh();
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => store.createFolder(S, { folderName: i === 17 ? '@bad' : `F${i}` })));
    assert.is(results.filter((r) => r.status === 'fulfilled').length, 39);
    const failed = results[17]!;
    assert.ok(failed.status === 'rejected' && SsoError.is(failed.reason) && failed.reason.number === 27400);
    assert.is((await rows(store, 'catalog.folders')).length, 39);
  });
  group('a mutation that fails after writing is undone alone, beside others committed in the same tick', async () => {
    const store = await fresh();
    await deployTiny(store);
    const id = await started(store);
    const msg = (guid: string) => ({ eventMessageGuid: guid, operationId: id, messageTime: clock.now(), messageType: 70, messageSourceType: 30, message: 'm',
      packageName: 'Load Data.dtsx', eventName: 'OnInformation', messageSourceName: 'P', messageSourceId: '{P}', packagePath: '\\Package', executionPath: '\\P', threadId: 1 });
    const results = await Promise.allSettled([
      store.createFolder(S, { folderName: 'before' }),
      store.appendEventMessages(S, [msg('cc000000-0000-4000-8000-000000000001'), msg('not-a-guid')]),
      store.appendEventMessages(S, [msg('cc000000-0000-4000-8000-000000000002')]),
      store.createFolder(S, { folderName: 'after' }),
    ]);
    assert.equal(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    assert.equal((await rows(store, 'catalog.event_messages')).map((m) => m['event_message_guid']), ['cc000000-0000-4000-8000-000000000002']);
    assert.equal((await rows(store, 'catalog.folders')).map((f) => f['name']), ['F', 'before', 'after']);
  });

  for (const s of [principals, folders, executions, dispatch, routing, stop, sweep, workers, props, logs, group]) s.run();
}
