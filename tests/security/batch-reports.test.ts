import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { startHarness } from '../helpers/scale-out-harness.ts';
import type { Harness } from '../helpers/scale-out-harness.ts';
import { makeCert } from '../helpers/test-certs.ts';
import { connectRawAgent, helloFrame } from '../helpers/raw-agent.ts';
import { openPeek, taskOf } from '../helpers/catalog-peek.ts';

// Issue 15: batched frames carry K tasks, and a worker still acts only as itself. A raw agent (real
// mutual TLS, its own trusted certificate) that holds one task sends a `task-status-batch` with its
// own final report and one for a task another worker runs: its own report commits, the other is
// refused by name (27246) and that task goes on untouched. Malformed batches are protocol errors
// naming the field.
const test = suite('security: a task-status-batch may carry only the sender\'s own tasks');
let h: Harness;
let peek: ReturnType<typeof openPeek>;
const certs = [makeCert('batcher-0'), makeCert('batcher-1')];
test.before(async () => { h = await startHarness({ trustedWorkers: certs }); peek = openPeek(join(h.dir, 'ssisdb.sqlite')); });
test.after(async () => { peek?.close(); await h?.stop(); });

const final = (id: number) => h.waitFor(`execution ${id} to end`, async () => { const s = await h.operationStatus(id); return s !== null && [3, 4, 6, 7, 9].includes(s) ? s : undefined; });

test('a batch reporting another worker\'s task: the own report commits, the foreign one is refused by taskId and changes nothing', async () => {
  const victim = await h.addWorker({ maxTaskCount: 2 });
  await h.store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: victim.agentId }); await h.master.hub.refresh();
  const victimRun = await h.run({ workers: [victim.agentId], useAnyWorker: false, parameters: [{ name: 'HoldMs', value: '2500' }] });
  await h.waitFor('the victim to hold its run', () => [...h.master.hub.assignments().values()].some((a) => a.executionId === victimRun));
  const victimTask = taskOf(peek, victimRun);

  const me = randomUUID();
  const raw = await connectRawAgent(h.master.port, certs[0]!, h.masterCert.cert);
  raw.send(helloFrame(me, { versions: { protocol: 2, agent: 'raw', node: process.version } }));
  const welcome = await raw.next((f) => f['type'] === 'welcome');
  assert.is(welcome['protocol'], 2, 'the master says it speaks protocol 2');
  await h.store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: me }); await h.master.hub.refresh();
  const mine = await h.run({ workers: [me], useAnyWorker: false });
  raw.send({ type: 'pull', seq: 1, slots: 1, assignedSeen: 0 });
  const assign = await raw.next((f) => f['type'] === 'assign' && f['executionId'] === mine);
  const myTaskId = String(assign['taskId']);

  raw.send({ type: 'task-status-batch', seq: 2, reports: [
    { taskId: myTaskId, attempt: assign['attempt'], status: 5 },
    { taskId: victimTask.TaskId, attempt: victimTask.ExecutedCount, status: 5 },
  ] });
  const refused = await raw.next((f) => f['type'] === 'error' && f['replyTo'] === 2);
  assert.is(refused['taskId'], victimTask.TaskId, 'the error names the refused task');
  assert.is(refused['number'], 27246);
  assert.is(refused['retryable'], false);
  const applied = await raw.next((f) => f['type'] === 'task-status-result' && f['replyTo'] === 2);
  assert.is(applied['taskId'], myTaskId, 'only the own report is answered as applied');
  assert.is(applied['status'], 5);
  assert.not.ok(raw.received.some((f) => f['type'] === 'task-status-result' && f['taskId'] === victimTask.TaskId));
  await raw.next((f) => f['type'] === 'ack' && Number(f['upTo']) >= 2);
  assert.is(raw.closeCode(), undefined, 'a refused report is not a protocol violation');

  assert.is(await final(mine), 7, 'the own execution committed as succeeded');
  const after = taskOf(peek, victimRun);
  assert.equal({ status: after.Status, worker: after.WorkerAgentId, attempt: after.ExecutedCount }, { status: victimTask.Status, worker: victimTask.WorkerAgentId, attempt: victimTask.ExecutedCount }, 'the victim\'s task row is unchanged');
  assert.ok([2, 5].includes((await h.operationStatus(victimRun))!), 'the victim\'s execution was not ended by the forged report');
  await h.waitFor('the refusal in the master log', () => h.logLines.some((l) => l.includes('worker report refused') && l.includes(victimTask.TaskId) && l.includes(me)));
  assert.is(await final(victimRun), 7, 'the victim\'s run ends as it ran');
  raw.close();
});

test('malformed batches close the connection with an error naming the field; a task reported twice is refused', async () => {
  const me = randomUUID();
  const cases: [unknown, RegExp][] = [
    [{ type: 'task-status-batch', seq: 1, reports: [] }, /frame\(task-status-batch\)\.reports: expected at least one report/],
    [{ type: 'task-status-batch', seq: 1, reports: [{ taskId: randomUUID(), attempt: 1, status: 9 }] }, /frame\(task-status-batch\)\.reports\[0\]\.status: expected task status/],
    [{ type: 'task-status-batch', seq: 1, reports: 'all' }, /frame\(task-status-batch\)\.reports: expected array/],
  ];
  let first = true;
  for (const [frame, pattern] of cases) {
    const c = await connectRawAgent(h.master.port, certs[1]!, h.masterCert.cert);
    c.send(helloFrame(me));
    await c.next((f) => f['type'] === 'welcome');
    if (first) {
      // Well-formed, but the same task twice: the second is refused by name, the connection stays.
      const t = randomUUID();
      c.send({ type: 'task-status-batch', seq: 1, reports: [{ taskId: t, attempt: 1, status: 5 }, { taskId: t, attempt: 1, status: 4 }] });
      await c.next((f) => f['type'] === 'error' && f['replyTo'] === 1 && /reports this task twice/.test(String(f['message'])));
      await c.next((f) => f['type'] === 'ack' && Number(f['upTo']) >= 1);
      assert.is(c.closeCode(), undefined);
      first = false;
      c.send({ ...(frame as object), seq: 2 });
    } else c.send(frame);
    assert.is(await c.closedWithin(5_000), 4400, JSON.stringify(frame));
    await h.waitFor(`the violation ${pattern} in the master log`, () => h.logLines.some((l) => l.includes('protocol violation') && pattern.test(l)));
  }
});

test.run();
