import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { startHarness } from '../helpers/scale-out-harness.ts';
import type { Harness } from '../helpers/scale-out-harness.ts';
import { makeCert } from '../helpers/test-certs.ts';
import type { TestCert } from '../helpers/test-certs.ts';
import { connectRawAgent, eventMessage, helloFrame } from '../helpers/raw-agent.ts';
import { diffSnapshots, openPeek, snapshot, taskOf } from '../helpers/catalog-peek.ts';

// Issue 8, findings 3 and 4: a worker acts only as itself. A trusted certificate is bound to the
// agent id it registered with; reports and log batches are accepted only for the task and attempt
// the connection's own agent holds. Real mutual TLS, a real catalog file, real worker threads.
const test = suite('security: a worker certificate acts only as its own agent, and only on tasks it holds');
let h: Harness;
let peek: ReturnType<typeof openPeek>;
const spare: TestCert[] = [makeCert('spare-0'), makeCert('spare-1'), makeCert('spare-2'), makeCert('spare-3')];
test.before(async () => { h = await startHarness({ trustedWorkers: spare }); peek = openPeek(join(h.dir, 'ssisdb.sqlite')); });
test.after(async () => { peek?.close(); await h?.stop(); });

const final = (id: number) => h.waitFor(`execution ${id} to end`, async () => { const s = await h.operationStatus(id); return s !== null && [3, 4, 6, 7, 9].includes(s) ? s : undefined; });
const WATCHED = ['worker_agents', 'machine_properties', 'tasks', 'operations', 'executions', 'event_messages', 'event_message_context', 'executable_statistics'];

test('a trusted certificate saying hello as another registered worker is refused (4400, logged, nothing written) and that worker keeps its connection', async () => {
  const victim = await h.addWorker({ maxTaskCount: 2 });
  await h.store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: victim.agentId }); await h.master.hub.refresh();
  const id = await h.run({ workers: [victim.agentId], useAnyWorker: false, parameters: [{ name: 'HoldMs', value: '1500' }] });
  await h.waitFor('the victim to hold its run', () => [...h.master.hub.assignments().values()].some((a) => a.executionId === id));
  const before = snapshot(peek, WATCHED);

  const thief = await connectRawAgent(h.master.port, spare[0]!, h.masterCert.cert);
  thief.send(helloFrame(victim.agentId));
  assert.is(await thief.closedWithin(5_000), 4400, 'protocol close code');
  const err = thief.received.find((f) => f['type'] === 'error');
  assert.ok(err, 'an error frame before the close');
  assert.is(err!['code'], 'SSO_ERR_TLS');
  assert.match(String(err!['message']), new RegExp(`may not act as worker agent ${victim.agentId}`));
  assert.not.ok(thief.received.some((f) => f['type'] === 'welcome' || f['type'] === 'assign'), 'never welcomed, never given an assignment');
  await h.waitFor('the refusal in the master log', () => h.logLines.some((l) => l.includes('agent hello refused') && l.includes(spare[0]!.thumbprint) && l.includes(`bound to client certificate ${victim.cert.thumbprint}`)));
  assert.equal(diffSnapshots(before, snapshot(peek, WATCHED)).filter((d) => !d.startsWith('tasks') && !d.startsWith('event') && !d.startsWith('executable') && !d.startsWith('operations') && !d.startsWith('executions')), [], 'worker rows unchanged');
  // The victim was not replaced: still connected, and its run ends as it should.
  assert.ok(h.master.hub.connectedAgents().some((a) => a.agentId === victim.agentId));
  assert.is(await final(id), 7);
  assert.is(victim.agent.state, 'active');
});

test('a certificate bound to one agent id cannot register a second one', async () => {
  const first = randomUUID();
  const a = await connectRawAgent(h.master.port, spare[1]!, h.masterCert.cert);
  a.send(helloFrame(first));
  const welcome = await a.next((f) => f['type'] === 'welcome');
  assert.is(welcome['registered'], true);
  a.close();
  await a.closed;
  const before = snapshot(peek, ['worker_agents', 'machine_properties']);
  const b = await connectRawAgent(h.master.port, spare[1]!, h.masterCert.cert);
  b.send(helloFrame(randomUUID()));
  assert.is(await b.closedWithin(5_000), 4400);
  assert.match(String(b.received.find((f) => f['type'] === 'error')?.['message']), new RegExp(`bound to worker agent ${first}`));
  assert.equal(diffSnapshots(before, snapshot(peek, ['worker_agents', 'machine_properties'])), [], 'no second registration');
  // The binding is in the catalog: the first id is still welcome with its own certificate.
  const c = await connectRawAgent(h.master.port, spare[1]!, h.masterCert.cert);
  c.send(helloFrame(first));
  assert.is((await c.next((f) => f['type'] === 'welcome'))['registered'], false);
  c.close();
  assert.is((await h.store.getWorkerAgent(first))?.certificateThumbprint, spare[1]!.thumbprint);
});

test('reports and log batches for a task the connection does not hold are refused and change nothing; a new disabled worker writes no events', async () => {
  const owner = await h.addWorker({ maxTaskCount: 2 });
  await h.store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: owner.agentId }); await h.master.hub.refresh();
  const id = await h.run({ workers: [owner.agentId], useAnyWorker: false, parameters: [{ name: 'HoldMs', value: '2500' }] });
  await h.waitFor('the owner to hold the run', () => [...h.master.hub.assignments().values()].some((a) => a.executionId === id));
  const task = taskOf(peek, id);

  // A new worker (trusted certificate, registered now, disabled) forges the owner's run.
  const forger = await connectRawAgent(h.master.port, spare[2]!, h.masterCert.cert);
  const forgerId = randomUUID();
  forger.send(helloFrame(forgerId));
  assert.is((await forger.next((f) => f['type'] === 'welcome'))['enabled'], false);
  const before = snapshot(peek, WATCHED);
  let seq = 1;
  const forged = Array.from({ length: 50 }, (_, i) => eventMessage(id, `forged OnError ${i}`));
  const sent: number[] = [];
  const s1 = seq++; sent.push(s1);
  forger.send({ type: 'events', seq: s1, taskId: task.TaskId, attempt: task.ExecutedCount, messages: forged, statistics: [] });
  const s2 = seq++; sent.push(s2);
  forger.send({ type: 'events', seq: s2, taskId: randomUUID(), attempt: 1, messages: [eventMessage(id, 'forged, no task')], statistics: [] });
  const s3 = seq++; sent.push(s3);
  forger.send({ type: 'task-status', seq: s3, taskId: task.TaskId, attempt: task.ExecutedCount, status: 5 });
  const s4 = seq++; sent.push(s4);
  forger.send({ type: 'task-status', seq: s4, taskId: task.TaskId, attempt: task.ExecutedCount + 1, status: 2 });
  for (const s of sent) {
    const e = await forger.next((f) => f['type'] === 'error' && f['replyTo'] === s);
    assert.is(e['retryable'], false, `refusal of seq ${s} is final`);
  }
  const errors = forger.received.filter((f) => f['type'] === 'error').map((f) => String(f['message']));
  assert.match(errors[0]!, new RegExp(`worker agent ${forgerId} does not hold task ${task.TaskId} under attempt ${task.ExecutedCount}`));
  assert.ok(!forger.received.some((f) => f['type'] === 'task-status-result'), 'no report was applied');
  assert.equal(diffSnapshots(before, snapshot(peek, WATCHED)).filter((d) => !d.startsWith('tasks:') && !d.startsWith('event_messages') && !d.startsWith('executable_statistics') && !d.startsWith('operations:') && !d.startsWith('executions:')), []);
  await h.waitFor('the refusals in the master log', () => h.logLines.filter((l) => l.includes('worker report refused') && l.includes(forgerId)).length >= 4);
  // The owner's run ends as it ran; the forged messages are nowhere in its log.
  assert.is(await final(id), 7);
  const log = (await h.store.queryView(SYSTEM_PRINCIPAL, 'catalog.event_messages')).rows.filter((r) => Number(r['operation_id']) === id);
  assert.ok(log.length > 0, 'the real run logged');
  assert.not.ok(log.some((r) => String(r['message']).startsWith('forged')), 'no forged message in the execution log');
  forger.close();
});

test('a worker that holds a task may log it, but not into another execution', async () => {
  const other = await h.addWorker({ maxTaskCount: 1 });
  await h.store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: other.agentId }); await h.master.hub.refresh();
  const foreign = await h.run({ workers: [other.agentId], useAnyWorker: false });
  assert.is(await final(foreign), 7);
  // A real agent with a still-unbound trusted certificate (spare[0]'s hello as the victim was refused) registers `me`.
  const me = randomUUID();
  await h.addWorker({ cert: spare[0]!, agentId: me, maxTaskCount: 1 });
  await h.waitFor('registered', async () => (await h.store.getWorkerAgent(me)) !== null);
  const agent = h.master.hub.connectedAgents().find((c) => c.agentId === me);
  assert.ok(agent, 'connected');
  await h.store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: me }); await h.master.hub.refresh();
  const mine = await h.run({ workers: [me], useAnyWorker: false, parameters: [{ name: 'HoldMs', value: '1500' }] });
  await h.waitFor('holding its run', () => [...h.master.hub.assignments().values()].some((x) => x.executionId === mine && x.agentId === me));
  const myTask = taskOf(peek, mine);
  // Replace the real agent's connection by a raw one with the same certificate and id (allowed: it is itself).
  const raw = await connectRawAgent(h.master.port, spare[0]!, h.masterCert.cert);
  raw.send(helloFrame(me, { runningTasks: [{ taskId: myTask.TaskId, attempt: myTask.ExecutedCount }] }));
  await raw.next((f) => f['type'] === 'welcome');
  const before = snapshot(peek, ['event_messages']);
  raw.send({ type: 'events', seq: 1, taskId: myTask.TaskId, attempt: myTask.ExecutedCount, messages: [eventMessage(foreign, 'into another execution')], statistics: [] });
  const e = await raw.next((f) => f['type'] === 'error' && f['replyTo'] === 1);
  assert.match(String(e['message']), new RegExp(`belongs to execution ${mine}, but the batch writes into operation ${foreign}`));
  assert.equal(diffSnapshots(before, snapshot(peek, ['event_messages'])), []);
  // Its own execution: accepted (the check is not a blanket refusal).
  raw.send({ type: 'events', seq: 2, taskId: myTask.TaskId, attempt: myTask.ExecutedCount, messages: [eventMessage(mine, 'my own line')], statistics: [] });
  await raw.next((f) => f['type'] === 'ack' && Number(f['upTo']) >= 2);
  const own = (await h.store.queryView(SYSTEM_PRINCIPAL, 'catalog.event_messages')).rows.filter((r) => r['message'] === 'my own line');
  assert.equal(own.map((r) => Number(r['operation_id'])), [mine]);
  raw.close();
});

test('a batch that names no task (journaled by an older agent) is refused as a report, not as a protocol error: no reconnect loop', async () => {
  const c = await connectRawAgent(h.master.port, spare[3]!, h.masterCert.cert);
  c.send(helloFrame(randomUUID()));
  await c.next((f) => f['type'] === 'welcome');
  const before = snapshot(peek, ['event_messages']);
  c.send({ type: 'events', seq: 1, messages: [eventMessage(1, 'old format')], statistics: [] });
  const e = await c.next((f) => f['type'] === 'error' && f['replyTo'] === 1);
  assert.is(e['retryable'], false);
  assert.match(String(e['message']), /does not name its taskId and attempt/);
  await c.next((f) => f['type'] === 'ack' && Number(f['upTo']) >= 1);
  assert.is(c.closeCode(), undefined, 'the connection stays open');
  assert.equal(diffSnapshots(before, snapshot(peek, ['event_messages'])), []);
  c.close();
});

test.run();
