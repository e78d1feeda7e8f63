/**
 * `claimTasks` (issue 15): K claims in one statement with the executions' running status in the same
 * transaction, exactly as K `pull_task` calls followed by `update_operation_status_for_task(2)`
 * would leave the catalog: FIFO, only tasks this worker may run, attempts counted, leases set,
 * stops respected, and the same refusals.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteCatalog, type SqliteCatalogStore } from '../../runtime/catalog/sqlite-catalog-store.ts';
import { readProjectFolder } from '../../executor/package/project-archive.ts';
import { SsoError } from '../../actors/errors.ts';
import { SYSTEM_PRINCIPAL as S } from '../../actors/ports.ts';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sso-claim-tasks-'));
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
const test = suite('sqlite: claimTasks claims K in one statement, running folded in');

const W1 = '64c020e2-f819-4c2d-a22f-efb31a91e70a';
const W2 = '0b8f3c1e-2d4a-4e5f-9a6b-7c8d9e0f1a2b';
const W3 = '9d6f1a2b-0000-4000-8000-000000000003';
let t = Date.parse('2024-01-01T00:00:00.000Z');
const clock = { now: (): number => t };
let n = 0;

async function catalog(): Promise<{ store: SqliteCatalogStore; start(workers?: string[]): Promise<number> }> {
  const store = await openSqliteCatalog({ path: join(dir, `c-${++n}.db`), clock });
  await store.createFolder(S, { folderName: 'F' });
  const project = await readProjectFolder(join(here, '..', 'fixtures', 'projects', 'with-dtproj'));
  await store.deployProject(S, { folderName: 'F', projectName: project.name, project });
  for (const w of [W1, W2, W3]) {
    await store.updateWorkerAgentStatus(S, { workerAgentId: w, perfCounters: [], machineProperties: { MachineName: `m-${w.slice(0, 4)}` } });
    if (w !== W3) await store.enableWorkerAgent(S, { workerAgentId: w });
  }
  return {
    store,
    async start(workers) {
      const { executionId } = await store.createExecution(S, { folderName: 'F', projectName: project.name, packageName: 'Main.dtsx', runInScaleOut: true, useAnyWorker: workers === undefined });
      for (const w of workers ?? []) await store.addExecutionWorker(S, { executionId, workerAgentId: w });
      t += 1000;
      await store.startExecution(S, { executionId, retryCount: 0 });
      return executionId;
    },
  };
}

const row = async (store: SqliteCatalogStore, id: number) => (await store.queryView(S, 'catalog.executions')).rows.find((r) => Number(r['execution_id']) === id)!;

test('K oldest ready tasks this worker may run, in FIFO order, each attempt 1 with its lease; their executions running on this worker', async () => {
  const { store, start } = await catalog();
  const ids = [await start(), await start([W2]), await start(), await start(), await start()];
  const claimed = await store.claimTasks!(S, { workerAgentId: W1, leaseMs: 60_000, limit: 3 });
  assert.equal(claimed.map((c) => c.executionId), [ids[0], ids[2], ids[3]], 'FIFO, skipping the task only W2 may run');
  for (const c of claimed) {
    assert.is(c.status, 2);
    assert.is(c.executedCount, 1);
    assert.is(c.workerAgentId, W1);
    assert.is(c.expiredTime, t + 60_000);
    const e = await row(store, c.executionId);
    assert.is(Number(e['status']), 2, `execution ${c.executionId} running in the same commit`);
    assert.is(String(e['worker_agent_id']).toLowerCase(), W1);
    assert.is(e['machine_name'], `m-${W1.slice(0, 4)}`);
  }
  assert.is(Number((await row(store, ids[4]!))['status']), 5, 'the unclaimed one stays pending');
  const rest = await store.claimTasks!(S, { workerAgentId: W1, leaseMs: 60_000, limit: 10 });
  assert.equal(rest.map((c) => c.executionId), [ids[4]]);
  assert.equal(await store.claimTasks!(S, { workerAgentId: W1, leaseMs: 60_000, limit: 10 }), []);
  assert.equal((await store.claimTasks!(S, { workerAgentId: W2, leaseMs: 60_000, limit: 10 })).map((c) => c.executionId), [ids[1]]);
});

test('a stop committed before the claim: the stopped task is not claimed; refusals as pull_task', async () => {
  const { store, start } = await catalog();
  const a = await start();
  const b = await start();
  await store.stopOperation(S, { operationId: a });
  const claimed = await store.claimTasks!(S, { workerAgentId: W1, leaseMs: 60_000, limit: 5 });
  assert.equal(claimed.map((c) => c.executionId), [b]);
  assert.is(Number((await row(store, a))['status']), 3, 'the stopped execution stays canceled');
  const refusal = async (input: Parameters<NonNullable<SqliteCatalogStore['claimTasks']>>[1], number: number) => {
    try {
      await store.claimTasks!(S, input);
      assert.unreachable(JSON.stringify(input));
    } catch (err) {
      assert.ok(SsoError.is(err), String(err));
      assert.is((err as SsoError).number, number, JSON.stringify(input));
    }
  };
  await refusal({ workerAgentId: W3, leaseMs: 1000, limit: 1 }, 27252);
  await refusal({ workerAgentId: '9d6f1a2b-0000-4000-8000-00000000000f', leaseMs: 1000, limit: 1 }, 27243);
  await refusal({ workerAgentId: W1, leaseMs: 0, limit: 1 }, 27101);
  await refusal({ workerAgentId: W1, leaseMs: 1000, limit: 0 }, 27101);
});

test.run();
