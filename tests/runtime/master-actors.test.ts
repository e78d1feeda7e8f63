import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { pino } from 'pino';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { openSqliteCatalog } from '../../runtime/catalog/sqlite-catalog-store.ts';
import { MasterService } from '../../runtime/master/master-service.ts';
import { readProjectArchive } from '../../executor/package/project-archive.ts';
import { startHarness } from '../helpers/scale-out-harness.ts';
import type { Harness } from '../helpers/scale-out-harness.ts';
import { makeCert } from '../helpers/test-certs.ts';

// The master's execution/task/worker actors in the running hub: spawned on claim, stopped when
// done, deciding claims (draining), lease expiry by their own timers, rebuilt at a master start.
const test = suite('master actors in the running master');
let h: Harness;
// A short lease and a sweep interval far beyond the test: only the actors' lease timers can end a lost lease.
test.before(async () => { h = await startHarness({ leaseMs: 1_500, sweepIntervalMs: 3_600_000 }); });
test.after(async () => { await h?.stop(); });

/** The `worker:` actor's link region (its claim region is beside it). */
const link = (value: unknown) => (value as { link?: unknown } | undefined)?.link;
const final = (id: number) => h.waitFor(`execution ${id} to end`, async () => { const s = await h.operationStatus(id); return s !== null && [3, 4, 6, 7, 9].includes(s) ? s : undefined; });
const enable = async (agentId: string) => { await h.store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: agentId }); await h.master.hub.refresh(); };
const disable = async (agentId: string) => { await h.store.disableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: agentId }); await h.master.hub.refresh(); };

test('execution and task actors live while the run does and are stopped when it ends', async () => {
  const { agentId } = await h.addWorker({ maxTaskCount: 2 });
  await enable(agentId);
  assert.equal(link(h.master.hub.actors.stateOf(`worker:${agentId}`)), { online: { enabled: 'idle' } });
  const id = await h.run({ parameters: [{ name: 'HoldMs', value: '1500' }], workers: [agentId], useAnyWorker: false });
  await h.waitFor('the task actor to run', () => h.master.hub.actors.stateOf(`execution:${id}`) === 'running');
  assert.equal(link(h.master.hub.actors.stateOf(`worker:${agentId}`)), { online: { enabled: 'busy' } });
  assert.is(await final(id), 7);
  await h.waitFor('actors stopped', () => h.master.hub.actors.stateOf(`execution:${id}`) === undefined);
  assert.is(h.master.hub.actors.counts().tasks, 0);
  assert.equal(link(h.master.hub.actors.stateOf(`worker:${agentId}`)), { online: { enabled: 'idle' } });
  await disable(agentId);
});

test('a disabled worker holding a task drains: it finishes that task and claims nothing new', async () => {
  const { agentId } = await h.addWorker({ maxTaskCount: 2 });
  await enable(agentId);
  const running = await h.run({ parameters: [{ name: 'HoldMs', value: '2000' }], workers: [agentId], useAnyWorker: false });
  await h.waitFor('running', async () => (await h.operationStatus(running)) === 2);
  await disable(agentId);
  assert.equal(link(h.master.hub.actors.stateOf(`worker:${agentId}`)), { online: { disabled: 'draining' } });
  const queued = await h.run({ workers: [agentId], useAnyWorker: false });
  assert.is(await final(running), 7, 'the held task goes on');
  await new Promise((r) => setTimeout(r, 300));
  assert.is(await h.operationStatus(queued), 5, 'nothing new was claimed');
  assert.equal(link(h.master.hub.actors.stateOf(`worker:${agentId}`)), { online: { disabled: 'idle' } });
  await enable(agentId);
  assert.is(await final(queued), 7);
  await disable(agentId);
});

test('a task whose worker stops heartbeating ends by its actor lease timer, not the periodic sweep', async () => {
  // Task heartbeats every 60 s against a 1.5 s lease: the claim lease runs out first.
  const { agentId } = await h.addWorker({ maxTaskCount: 1, taskHeartbeatIntervalMs: 60_000 });
  await enable(agentId);
  const id = await h.run({ parameters: [{ name: 'HoldMs', value: '60000' }], workers: [agentId], useAnyWorker: false });
  assert.is(await final(id), 6, 'ended unexpectedly (lease lost, no retries left)');
  assert.ok(h.logLines.some((l) => l.includes('task lease timer ran out')));
  await disable(agentId);
});

test('a master starting on a catalog with live work rebuilds its actors', async () => {
  const id = await h.run(); // no enabled worker: stays pending with a ready task
  assert.is(await h.operationStatus(id), 5);
  const store2 = await openSqliteCatalog({ path: join(h.dir, 'ssisdb.sqlite') });
  const cert = makeCert('localhost', { server: true });
  const master2 = new MasterService({
    store: store2, logger: pino({ level: 'silent' }), port: 0, host: '127.0.0.1', sslCertThumbprint: cert.thumbprint,
    https: { key: cert.key, cert: cert.cert, requestCert: true, rejectUnauthorized: false },
    verifyAgentPeer: () => ({ ok: false, reason: 'test' }), readProjectArchive: (b) => readProjectArchive(b),
    masterHeartbeatIntervalMs: 60_000, dealWithExpiredTasksIntervalMs: 3_600_000, cleanupCompletedJobsIntervalMs: 3_600_000,
  });
  try {
    await master2.start();
    const live = (await store2.listLiveTasks()).find((t) => t.executionId === id)!;
    assert.is(master2.hub.actors.stateOf(`task:${live.taskId}`), 'ready');
    assert.is(master2.hub.actors.stateOf(`execution:${id}`), 'pending');
    const workers = await store2.listWorkerAgents();
    assert.is(master2.hub.actors.counts().workers, workers.length);
    assert.equal(link(master2.hub.actors.stateOf(`worker:${workers[0]!.workerAgentId}`)), 'offline');
  } finally {
    await master2.close();
  }
  await h.store.stopOperation(SYSTEM_PRINCIPAL, { operationId: id });
});

test.run();
