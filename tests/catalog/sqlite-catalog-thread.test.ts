/**
 * Issue 15: the embedded catalog in a thread of its own (`openSqliteCatalog({ thread: true })`, what
 * the master opens). The proxy must behave as the in-thread store: the same answers, the same
 * SsoErrors (code, SSISDB number, level, where), every acknowledged change already committed (a
 * second connection sees it the moment the promise settles), sync members (listViews,
 * integrityCheck, keySource, path), and a clean close. A clock cannot be injected across threads.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openSqliteCatalog } from '../../runtime/catalog/sqlite-catalog-store.ts';
import { readProjectFolder } from '../../executor/package/project-archive.ts';
import { SsoError } from '../../actors/errors.ts';
import { SYSTEM_PRINCIPAL as S } from '../../actors/ports.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sso-catalog-thread-'));
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
const test = suite('sqlite: the catalog in its own thread');
const W1 = '64c020e2-f819-4c2d-a22f-efb31a91e70a';

test('a whole dispatch cycle through the thread; each answer already committed; errors as in-thread', async () => {
  const path = join(dir, 'c1.db');
  const store = await openSqliteCatalog({ path, thread: true });
  const other = new Database(path, { readonly: true });
  try {
    assert.is(store.path, path);
    assert.is(store.keySource, `${path}.key`);
    assert.ok(store.listViews().includes('catalog.executions'));
    await store.createFolder(S, { folderName: 'F' });
    assert.ok(other.prepare('SELECT 1 FROM folders WHERE name = ?').get('F'), 'committed before the promise settled');
    try {
      await store.createFolder(S, { folderName: 'F' });
      assert.unreachable('a second folder F');
    } catch (err) {
      assert.ok(SsoError.is(err), String(err));
      assert.is((err as SsoError).code, 'SSO_ERR_CATALOG');
      assert.is((err as SsoError).number, 27401);
      assert.is((err as SsoError).level, 16);
    }
    const project = await readProjectFolder(join(here, '..', 'fixtures', 'projects', 'with-dtproj'));
    await store.deployProject(S, { folderName: 'F', projectName: project.name, project });
    await store.updateWorkerAgentStatus(S, { workerAgentId: W1, perfCounters: [], machineProperties: { MachineName: 'm1' } });
    await store.enableWorkerAgent(S, { workerAgentId: W1 });
    const { executionId } = await store.createExecution(S, { folderName: 'F', projectName: project.name, packageName: 'Main.dtsx', runInScaleOut: true, useAnyWorker: true });
    await store.startExecution(S, { executionId, retryCount: 0 });
    assert.is(await store.hasReadyTasks!(), true);
    const [task] = await store.claimTasks!(S, { workerAgentId: W1, leaseMs: 60_000, limit: 10 });
    assert.ok(task);
    assert.is(task.executionId, executionId);
    assert.is(await store.getOperationStatus(executionId), 2);
    // The payload the claim brought back is the one a later read gives.
    const early = await store.getExecutionPayload(executionId);
    assert.equal(await store.getExecutionPayload(executionId), early);
    assert.is((early as { executionId?: number }).executionId ?? executionId, executionId);
    const result = await store.updateTaskStatus(S, { workerAgentId: W1, taskId: task.taskId, attempt: 1, status: 5, expiredTime: Date.now() + 60_000 });
    assert.is(result.status, 5);
    assert.is(Number((other.prepare('SELECT status FROM operations WHERE operation_id = ?').get(executionId) as { status: number }).status), 7);
    const row = (await store.queryView(S, 'catalog.executions')).rows.find((r) => Number(r['execution_id']) === executionId)!;
    assert.is(Number(row['status']), 7);
    assert.is((await store.getProjectBytes(-1, 'x')), null);
    assert.is(store.integrityCheck(), 'ok');
  } finally {
    other.close();
    await store.close();
  }
  try {
    await store.createFolder(S, { folderName: 'G' });
    assert.unreachable('closed');
  } catch (err) {
    assert.ok(SsoError.is(err), String(err));
  }
  await store.close(); // idempotent
});

test('concurrent mutations share group commits and each settles with its own outcome', async () => {
  const store = await openSqliteCatalog({ path: join(dir, 'c2.db'), thread: true });
  try {
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => store.createFolder(S, { folderName: i === 7 ? '' : `F${i}` })));
    assert.is(outcomes.filter((o) => o.status === 'fulfilled').length, 19);
    const refused = outcomes[7]!;
    assert.is(refused.status, 'rejected');
    assert.ok(SsoError.is((refused as PromiseRejectedResult).reason));
    assert.is((await store.queryView(S, 'catalog.folders')).rows.length, 19);
  } finally {
    await store.close();
  }
});

test('an injected clock cannot cross threads: refused naming the option', async () => {
  try {
    await openSqliteCatalog({ path: join(dir, 'c3.db'), thread: true, clock: { now: () => 0 } });
    assert.unreachable('clock with thread');
  } catch (err) {
    assert.ok(SsoError.is(err));
    assert.is((err as SsoError).where, 'clock');
  }
});

test('a catalog that cannot be opened is refused as in-thread, and no thread is left running', async () => {
  try {
    await openSqliteCatalog({ path: join(dir, 'no', 'such', 'folder', 'c.db'), thread: true });
    assert.unreachable('bad path');
  } catch (err) {
    assert.ok(SsoError.is(err), String(err));
    assert.is((err as SsoError).code, 'SSO_ERR_CATALOG_IO');
  }
});

test.run();
