import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { startHarness } from '../helpers/scale-out-harness.ts';
import type { Harness } from '../helpers/scale-out-harness.ts';
import { makeCert } from '../helpers/test-certs.ts';
import { connectRawAgent, eventMessage, helloFrame } from '../helpers/raw-agent.ts';
import type { RawAgent } from '../helpers/raw-agent.ts';
import { diffSnapshots, openPeek, taskOf } from '../helpers/catalog-peek.ts';

// Issue 8: hostile input on the agent channel. An authenticated client (a trusted certificate,
// registered as its own disabled agent) sends more than 10,000 generated frames over real mutual TLS:
// random bytes, truncated JSON, wrong types, unknown and master-only types, replayed and
// out-of-order seqs, reports and events for tasks it does not hold, hello as another agent, huge
// payloads. Meanwhile a real worker runs an execution to success. No invalid frame changes the
// catalog (table snapshots before and after, minus the rows the real worker's run writes).
const test = suite('security: 10,000 hostile frames from an authenticated client change nothing');
let h: Harness;
// Ten hostile agents (one certificate each: a certificate is bound to one agent id), so that
// connections can run side by side without replacing each other.
const hostile = Array.from({ length: 10 }, (_, i) => ({ cert: makeCert(`hostile-${i}`), id: randomUUID() }));
test.before(async () => { h = await startHarness({ trustedWorkers: hostile.map((x) => x.cert) }); });
test.after(async () => { await h?.stop(); });

const final = (id: number) => h.waitFor(`execution ${id} to end`, async () => { const s = await h.operationStatus(id); return s !== null && [3, 4, 6, 7, 9].includes(s) ? s : undefined; }, 40_000);

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

test('the master stays up, serves a real worker meanwhile, and no refused frame changes the catalog', async () => {
  const worker = await h.addWorker({ maxTaskCount: 2 });
  await h.store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: worker.agentId }); await h.master.hub.refresh();
  const done = await h.run({ workers: [worker.agentId], useAnyWorker: false });
  assert.is(await final(done), 7);
  const peek = openPeek(join(h.dir, 'ssisdb.sqlite'));
  const doneTask = taskOf(peek, done);
  for (const x of hostile) {
    const first = await connectRawAgent(h.master.port, x.cert, h.masterCert.cert);
    first.send(helloFrame(x.id));
    await first.next((f) => f['type'] === 'welcome');
    first.close();
    await first.closed;
  }
  // The real worker's run that goes on during the barrage.
  const live = await h.run({ workers: [worker.agentId], useAnyWorker: false, parameters: [{ name: 'HoldMs', value: '2000' }] });
  await h.waitFor('the live run to be held', () => [...h.master.hub.assignments().values()].some((a) => a.executionId === live));
  const liveTask = taskOf(peek, live);

  // Everything but the live run's rows, the real worker's perf counters and every LastOnlineTime.
  const liveKeys = [String(live), liveTask.TaskId];
  const snap = (): Record<string, string[]> => {
    const out: Record<string, string[]> = {};
    const tables = (peek.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((r) => r.name);
    for (const t of tables) {
      if (t === 'worker_agent_perfcounter') continue;
      out[t] = (peek.prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[])
        .filter((r) => !Object.entries(r).some(([k, v]) => (/^(operation_id|execution_id|object_id)$/i.test(k) && String(v) === String(live)) || liveKeys.includes(String(v)) || (k === 'JobId' && v === (peek.prepare('SELECT JobId FROM tasks WHERE TaskId = ?').get(liveTask.TaskId) as { JobId: string }).JobId)))
        .map((r) => JSON.stringify({ ...r, ...('LastOnlineTime' in r ? { LastOnlineTime: '*' } : {}), ...(t === 'master_properties' && r['property_name'] === 'LAST_ONLINE_TIME' ? { property_value: '*' } : {}) }))
        .sort();
    }
    out['perf counters of the hostile agents'] = hostile.flatMap((x) => (peek.prepare('SELECT * FROM worker_agent_perfcounter WHERE WorkerAgentId = ?').all(x.id) as unknown[]).map((r) => JSON.stringify(r)));
    return out;
  };
  const before = snap();

  const r = rng(0x5ca1e);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const started = Date.now();
  let sent = 0;
  let refusedReplies = 0;
  let violations = 0;

  // (1) Frames that are well formed but not this agent's to send: each is answered with a refusal
  // and the connection stays open. Reports and events for the finished run, the live run (held by
  // the real worker), tasks that do not exist; events whose operation is not the task's; huge batches.
  const semantic = (seq: number): Record<string, unknown> => {
    const task = pick([doneTask, liveTask, { TaskId: randomUUID(), ExecutedCount: 1 }]);
    const op = pick([done, live, 1 + Math.floor(r() * 1000)]);
    const roll = r();
    // Mostly small frames; a few 200-message batches and 1 MB messages (the size limit is 8 MiB).
    const kind = roll < 0.002 ? 4 : roll < 0.012 ? 3 : roll < 0.03 ? 5 : Math.floor(r() * 3);
    switch (kind) {
      case 0: return { type: 'task-status', seq, taskId: task.TaskId, attempt: task.ExecutedCount, status: pick([2, 3, 4, 5, 6]), message: 'forged' };
      case 1: return { type: 'task-status', seq, taskId: task.TaskId, attempt: task.ExecutedCount + 1 + Math.floor(r() * 3), status: pick([2, 5]) };
      case 2: return { type: 'events', seq, taskId: task.TaskId, attempt: task.ExecutedCount, messages: [eventMessage(op, `hostile ${seq}`)], statistics: [] };
      case 3: return { type: 'events', seq, taskId: task.TaskId, attempt: task.ExecutedCount, messages: Array.from({ length: 200 }, (_, i) => eventMessage(op, `hostile batch ${seq}.${i}`)), statistics: [] };
      case 4: return { type: 'events', seq, taskId: task.TaskId, attempt: task.ExecutedCount, messages: [{ ...eventMessage(op, 'h'.repeat(1_000_000)) }], statistics: [] };
      default: return { type: 'events', seq, taskId: task.TaskId, attempt: task.ExecutedCount, messages: [], statistics: [{
        statisticGuid: randomUUID(), operationId: op, packageName: 'Param.dtsx', executableName: 'x', executableGuid: '{1}', packagePath: '\\Package',
        executionPath: '\\x', startTime: Date.now(), endTime: Date.now(), executionDuration: 1, executionResult: 0 }] };
    }
  };
  const session = async (slot: number): Promise<RawAgent> => {
    const c = await connectRawAgent(h.master.port, hostile[slot]!.cert, h.masterCert.cert);
    c.send(helloFrame(hostile[slot]!.id));
    await c.next((f) => f['type'] === 'welcome');
    return c;
  };
  const sessionFrames = 2300;
  await Promise.all(Array.from({ length: 4 }, async (_, k) => {
    const c = await session(k);
    const t0 = Date.now();
    for (let seq = 1; seq <= sessionFrames; seq++) { c.send(semantic(seq)); sent++; }
    await h.waitFor('every refusal', () => c.received.filter((f) => f['type'] === 'error').length >= sessionFrames, 50_000);
    console.log(`  session ${k}: ${sessionFrames} refused in ${Date.now() - t0} ms`);
    const errors = c.received.filter((f) => f['type'] === 'error');
    assert.ok(errors.every((e) => e['retryable'] === false), 'refusals are final');
    assert.not.ok(c.received.some((f) => f['type'] === 'task-status-result' || f['type'] === 'assign'), 'nothing was applied or assigned');
    refusedReplies += errors.length;
    assert.is(c.closeCode(), undefined, 'a refused report does not cost the connection');
    c.close();
  }));

  // (2) Frames that break the protocol: each closes its connection (4400; over the size limit the
  // socket is dropped, 1009 or 1006) after a few refused reports; whatever follows on that connection is ignored.
  const valid = JSON.stringify({ type: 'task-status', seq: 1, taskId: liveTask.TaskId, attempt: 1, status: 5 });
  const breakers: ((seq: number) => string | Buffer)[] = [
    () => randomBytes(1 + Math.floor(r() * 200)),
    () => randomBytes(1 + Math.floor(r() * 200)).toString('latin1'),
    () => valid.slice(0, Math.floor(r() * (valid.length - 1))),
    (seq) => JSON.stringify({ type: 'task-status', seq: String(seq), taskId: liveTask.TaskId, attempt: 1, status: 5 }),
    (seq) => JSON.stringify({ type: 'task-status', seq, taskId: 42, attempt: '1', status: 5 }),
    (seq) => JSON.stringify({ type: 'events', seq, taskId: liveTask.TaskId, attempt: 1, messages: [{ eventMessageGuid: 'not-a-guid', operationId: live }], statistics: [] }),
    (seq) => JSON.stringify({ type: pick(['nope', 'assign', 'welcome', 'ack', 'cancel', '__proto__', '']), seq, taskId: liveTask.TaskId }),
    (seq) => JSON.stringify({ type: 'pull', seq, slots: -1, assignedSeen: 1e300 }),
    () => JSON.stringify(helloFrame(hostile[0]!.id)),
    () => JSON.stringify({ type: 'pull', seq: 1, slots: 1, assignedSeen: 0 }),
    (seq) => JSON.stringify({ type: 'pull', seq: seq - 3, slots: 1, assignedSeen: 0 }),
    () => JSON.stringify([1, 2, 3]),
    () => 'null',
    () => JSON.stringify({ type: 'events', seq: 99, taskId: liveTask.TaskId, attempt: 1, messages: Array.from({ length: 100_001 }, () => 0), statistics: [] }),
  ];
  const rounds = 160;
  const round = async (i: number): Promise<void> => {
    const c = await session(i % 10);
    const lead = 1 + Math.floor(r() * 5);
    for (let seq = 1; seq <= lead; seq++) { c.send(semantic(seq)); sent++; }
    const huge = i % 40 === 39;
    const which = Math.floor(r() * breakers.length);
    if (huge) c.sendText('x'.repeat(9 * 1024 * 1024));
    else c.sendText(breakers[which]!(lead + 1));
    sent++;
    for (let j = 0; j < 5; j++) { c.send(semantic(lead + 2 + j)); sent++; }
    const code = await c.closedWithin(10_000);
    assert.ok(code === 4400 || (huge && (code === 1009 || code === 1006)), `closed with the protocol code, got ${code} (breaker ${huge ? 'huge' : which})`);
    violations++;
  };
  for (let i = 0; i < rounds; i += 10) await Promise.all(Array.from({ length: 10 }, (_, j) => round(i + j)));
  // (3) Hello as another agent (the real worker), with this certificate: refused, nothing written.
  for (let i = 0; i < 20; i++) {
    const c = await connectRawAgent(h.master.port, hostile[i % 10]!.cert, h.masterCert.cert);
    c.send(helloFrame(pick([worker.agentId, hostile[(i + 1) % 10]!.id, randomUUID()])));
    sent++;
    assert.is(await c.closedWithin(10_000), 4400);
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(`  ${sent} hostile frames in ${seconds.toFixed(1)} s: ${refusedReplies} refused with an error frame, ${violations} protocol closes, 20 foreign hellos refused`);
  assert.ok(sent >= 10_000, `sent ${sent}`);

  // The real worker was served throughout: its run ends succeeded, on its first attempt.
  assert.is(await final(live), 7);
  assert.is(taskOf(peek, live).ExecutedCount, 1, 'never re-run');
  assert.is(worker.agent.state, 'active');
  const log = (await h.store.queryView(SYSTEM_PRINCIPAL, 'catalog.event_messages')).rows;
  assert.ok(log.some((m) => Number(m['operation_id']) === live), 'the live run logged');
  assert.not.ok(log.some((m) => String(m['message']).startsWith('hostile') || String(m['message']).startsWith('hhhh')), 'no hostile line in any execution log');
  // Nothing else changed: every table, row for row (the live run's rows and LastOnlineTime aside).
  assert.equal(diffSnapshots(before, snap()), []);
  // And the master goes on serving: a new execution runs.
  const after = await h.run({ workers: [worker.agentId], useAnyWorker: false });
  assert.is(await final(after), 7);
  peek.close();
});

test.run();
