import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { WebSocket } from 'ws';
import { startHarness } from '../helpers/scale-out-harness.ts';
import type { Harness } from '../helpers/scale-out-harness.ts';
import { makeCert } from '../helpers/test-certs.ts';

const test = suite('scale out: master + worker over mTLS, real catalog and threads');
let h: Harness;
let agentId: string;
test.before(async () => { h = await startHarness(); });
test.after(async () => { await h?.stop(); });

const final = (h: Harness, id: number) => h.waitFor(`execution ${id} to end`, async () => { const s = await h.operationStatus(id); return s !== null && [3, 4, 6, 7, 9].includes(s) ? s : undefined; });
const row = async (view: string, key: string, value: unknown) => (await h.store.queryView(SYSTEM_PRINCIPAL, view)).rows.filter((r) => r[key] === value);

test('a new worker registers and shows disabled', async () => {
  ({ agentId } = await h.addWorker({ maxTaskCount: 3 }));
  const rows = await row('catalog.worker_agents', 'WorkerAgentId', agentId);
  assert.is(rows.length, 1);
  assert.is(Number(rows[0]!['IsEnabled']), 0);
});

test('enabling it leads to dispatch; created → pending → running → succeeded, visible in the views', async () => {
  const id = await h.run();
  assert.is(await h.operationStatus(id), 5, 'pending while no worker is enabled');
  await h.store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: agentId }); await h.master.hub.refresh();
  assert.is(await final(h, id), 7);
  const ex = (await row('catalog.executions', 'execution_id', id))[0]!;
  assert.is(String(ex['worker_agent_id']).toLowerCase(), agentId);
  assert.is(Number(ex['executed_count']), 1);
  const msgs = await h.waitFor('event messages', async () => { const r = await row('catalog.event_messages', 'operation_id', id); return r.length > 0 ? r : undefined; });
  assert.ok(msgs.some((m) => String(m['message']).includes('running Param.dtsx')));
});

test('a failing package with retry_count=2 runs three times then fails', async () => {
  const counter = join(h.dir, 'c1');
  const id = await h.run({ retryCount: 2, parameters: [{ name: 'CounterFile', value: counter }, { name: 'SucceedOnRun', value: '99' }] });
  assert.is(await final(h, id), 4);
  const { readFileSync } = await import('node:fs');
  assert.is(readFileSync(counter, 'utf8'), '3');
});

test('a success in between stops retrying', async () => {
  const counter = join(h.dir, 'c2');
  const id = await h.run({ retryCount: 2, parameters: [{ name: 'CounterFile', value: counter }, { name: 'SucceedOnRun', value: '2' }] });
  assert.is(await final(h, id), 7);
  const { readFileSync } = await import('node:fs');
  assert.is(readFileSync(counter, 'utf8'), '2');
});

test('stopping a running execution cancels its thread and ends canceled (3)', async () => {
  const id = await h.run({ parameters: [{ name: 'HoldMs', value: '60000' }] });
  await h.waitFor('running', async () => (await h.operationStatus(id)) === 2);
  await h.waitFor('the run to start on the worker', () => h.master.hub.assignments().size > 0);
  await h.store.stopOperation(SYSTEM_PRINCIPAL, { operationId: id }); await h.master.hub.refresh();
  assert.is(await final(h, id), 3);
});

test('stopping a pending execution ends it without running', async () => {
  await h.store.disableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: agentId }); await h.master.hub.refresh();
  const id = await h.run();
  await h.store.stopOperation(SYSTEM_PRINCIPAL, { operationId: id });
  assert.is(await final(h, id), 3);
  await h.store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: agentId }); await h.master.hub.refresh();
  await new Promise((r) => setTimeout(r, 300));
  const ex = (await row('catalog.executions', 'execution_id', id))[0]!;
  assert.ok(ex['worker_agent_id'] === null || ex['worker_agent_id'] === undefined, 'never ran');
});

test('useanyworker=0 with an explicit worker list dispatches only to those', async () => {
  const { agentId: other } = await h.addWorker({ maxTaskCount: 2 });
  await h.store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: other }); await h.master.hub.refresh();
  const ids = await Promise.all(Array.from({ length: 4 }, () => h.run({ workers: [other], useAnyWorker: false })));
  for (const id of ids) assert.is(await final(h, id), 7);
  for (const id of ids) assert.is(String((await row('catalog.executions', 'execution_id', id))[0]!['worker_agent_id']).toLowerCase(), other);
});

test('never more than MaxTaskCount concurrent runs under a burst of 200', async () => {
  let max = 0;
  const { agentId: w } = await h.addWorker({ maxTaskCount: 3, onRunChange: (n) => { if (n > max) max = n; } });
  await h.store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: w }); await h.master.hub.refresh();
  const ids = await Promise.all(Array.from({ length: 200 }, () => h.run({ workers: [w], useAnyWorker: false })));
  for (const id of ids) assert.is(await final(h, id), 7);
  assert.ok(max <= 3, `max concurrent ${max}`);
  assert.ok(max >= 2, 'the burst did run in parallel');
});

test("a task's lease is its worker's LeaseInternval, from the claim and after each task heartbeat", async () => {
  const { agentId: leased } = await h.addWorker({ maxTaskCount: 1, leaseIntervalMs: 45_000 });
  await h.store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: leased }); await h.master.hub.refresh();
  const id = await h.run({ workers: [leased], parameters: [{ name: 'HoldMs', value: '60000' }] });
  const taskId = await h.waitFor('the run to be assigned', async () => [...h.master.hub.assignments().values()].find((a) => a.executionId === id)?.taskId);
  const task = (await h.store.getTask(taskId))!;
  assert.is(task.workerAgentId, leased);
  // The master's own default lease here is 30 s: 45 s can only come from the worker's hello (a first
  // heartbeat may already have renewed it a few ms after the claim).
  const lease = task.expiredTime! - task.lastPickupTime!;
  assert.ok(lease >= 45_000 && lease < 50_000, `lease ${lease} ms after the claim`);
  // A task heartbeat (every 500 ms here) renews the lease to report time + 45 s.
  const renewed = await h.waitFor('a renewed lease', async () => { const t = (await h.store.getTask(taskId))!; return t.expiredTime! > task.expiredTime! ? t : undefined; });
  assert.ok(renewed.expiredTime! - task.lastPickupTime! > 45_000);
  assert.ok(renewed.expiredTime! - Date.now() <= 45_000);
  await h.store.stopOperation(SYSTEM_PRINCIPAL, { operationId: id }); await h.master.hub.refresh();
  assert.is(await final(h, id), 3);
});

test('a malformed frame on a real mutual-TLS socket closes only that connection, with a logged protocol error', async () => {
  const { agentId: good, cert } = await h.addWorker({ maxTaskCount: 1 });
  await h.store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: good }); await h.master.hub.refresh();
  // A second connection with the same trusted certificate speaks garbage.
  const ws = new WebSocket(`wss://localhost:${h.master.port}/agent/v1`, { cert: cert.cert, key: cert.key, ca: h.masterCert.cert });
  const closed = new Promise<number>((resolve, reject) => {
    ws.on('open', () => ws.send('{"type":"hello","seq":"not a number"'));
    ws.on('close', (code) => resolve(code));
    ws.on('error', reject);
  });
  assert.is(await closed, 4400, 'protocol error close code');
  await h.waitFor('the protocol error logged', () => h.logLines.some((l) => /protocol/i.test(l) && /malformed|invalid|not valid|expected/i.test(l)));
  // Everyone else is still served: the good worker runs an execution meant only for it.
  const id = await h.run({ workers: [good] });
  assert.is(await final(h, id), 7);
});

test('an untrusted worker certificate and a master whose thumbprint does not match are refused with a logged reason', async () => {
  await h.addWorker({ cert: makeCert('stranger') });
  await h.waitFor('refusal logged', () => h.logLines.some((l) => l.includes('agent connection refused') && l.includes('is not trusted')));
  await h.addWorker({ pin: '0'.repeat(40) });
  await h.waitFor('pin mismatch logged', () => h.logLines.some((l) => l.includes('does not match MasterHttpsCertThumbprint')));
});

test.run();
