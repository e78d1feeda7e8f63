import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { ReportJournal } from '../../runtime/agent/journal.ts';
import { startHarness } from '../helpers/scale-out-harness.ts';
import { openPeek, taskOf } from '../helpers/catalog-peek.ts';
import type { Harness } from '../helpers/scale-out-harness.ts';

// The worker's local machinery wired into the running agent: the report journal replayed after a
// restart, task logs per TaskLogEnabled/TaskLogLevel, perf counters and machine properties.
const test = suite('worker agent: journal replay after restart, task logs, perf counters');
let h: Harness;
test.before(async () => { h = await startHarness(); });
test.after(async () => { await h?.stop(); });

const rows = async (view: string) => (await h.store.queryView(SYSTEM_PRINCIPAL, view)).rows;
const final = (id: number) => h.waitFor(`execution ${id} to end`, async () => { const s = await h.operationStatus(id); return s !== null && [3, 4, 6, 7, 9].includes(s) ? s : undefined; });

test('a report journaled but never acknowledged by a previous worker process is replayed by the next one', async () => {
  // The "previous process": runs an execution to its end, journals one more events report of that
  // run (its last batch), and dies before any ack. The next process is the same agent (same id and
  // certificate, same ExecutionLogCacheFolder).
  const folder = join(h.dir, 'restart-elogcache');
  const first = await h.addWorker({ journalFolder: folder });
  await h.store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: first.agentId }); await h.master.hub.refresh();
  const id = await h.run({ workers: [first.agentId], useAnyWorker: false });
  assert.is(await final(id), 7);
  await first.agent.stop();
  const peek = openPeek(join(h.dir, 'ssisdb.sqlite'));
  const task = taskOf(peek, id);
  peek.close();
  const text = `left behind by the previous process ${randomUUID()}`;
  const previous = await ReportJournal.open<unknown>({ folder, flushIntervalMs: 0 });
  const { seq } = await previous.append({ type: 'events', taskId: task.TaskId, attempt: task.ExecutedCount, statistics: [], messages: [{
    eventMessageGuid: randomUUID(), operationId: id, messageTime: Date.now(), messageType: 70, messageSourceType: 30, message: text,
    packageName: 'Param.dtsx', eventName: 'OnInformation', messageSourceName: 'Param', messageSourceId: '{00000000-0000-0000-0000-000000000001}',
    packagePath: '\\Package', executionPath: '\\Param', threadId: 1,
  }] });
  await previous.close();

  const { agent } = await h.addWorker({ journalFolder: folder, agentId: first.agentId, cert: first.cert });
  await h.waitFor('the replayed message in catalog.event_messages', async () => (await rows('catalog.event_messages')).some((r) => r['message'] === text));
  await h.waitFor('the journal to record the ack', () => (agent.journal?.ackedSeq ?? 0) >= seq);
  assert.is((await rows('catalog.event_messages')).filter((r) => r['message'] === text).length, 1, 'applied once');
  await agent.stop();
  // Acknowledged: a third start finds nothing to replay.
  const again = await ReportJournal.open<unknown>({ folder, flushIntervalMs: 0 });
  const left: unknown[] = [];
  for await (const e of again.pending()) left.push(e);
  await again.close();
  assert.equal(left, []);
});

test('heartbeats store perf counters and hello stores machine properties', async () => {
  const { agentId } = await h.addWorker();
  const w = await h.waitFor('the worker row', async () => (await rows('catalog.worker_agents')).find((r) => String(r['WorkerAgentId']).toLowerCase() === agentId));
  assert.ok(String(w['MachineName'] ?? '').length > 0);
  const counters = await h.waitFor('perf counters', async () => {
    const mine = (await rows('catalog.worker_agent_perfcounter')).filter((r) => String(r['WorkerAgentId']).toLowerCase() === agentId);
    return mine.length > 0 ? mine : undefined;
  });
  const names = new Set(counters.map((r) => String(r['PerfCounterName'])));
  for (const n of ['CpuPercent', 'AvailableMemoryMB', 'ProcessRssMB', 'RunningTasks']) assert.ok(names.has(n), `counter ${n} in ${[...names].join(', ')}`);
});

test('task logs: one folder per task with the filtered lines; none when TaskLogEnabled is false', async () => {
  const onRoot = join(h.dir, 'tasks-on');
  const offRoot = join(h.dir, 'tasks-off');
  // Audit and Information only: the fixture's OnInformation line is kept, Verbose statistics are not.
  const on = await h.addWorker({ tasksRootFolder: onRoot, taskLog: { levelMask: 0x40 | 0x02 } });
  const off = await h.addWorker({ tasksRootFolder: offRoot, taskLog: { enabled: false } });
  for (const w of [on, off]) await h.store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: w.agentId });
  await h.master.hub.refresh();
  const a = await h.run({ workers: [on.agentId], useAnyWorker: false });
  const b = await h.run({ workers: [off.agentId], useAnyWorker: false });
  assert.is(await final(a), 7);
  assert.is(await final(b), 7);
  const [taskFolder] = readdirSync(onRoot);
  const log = readFileSync(join(onRoot, taskFolder!, 'task.log'), 'utf8');
  assert.match(log, /Audit \[Agent\] task assigned: execution \d+/);
  assert.match(log, /Information \[Param\.dtsx\] running Param\.dtsx/);
  assert.match(log, /Audit \[Agent\] task ended: succeeded/);
  assert.not.match(log, /Verbose/);
  // Nothing was logged and the package wrote no file: its working directory is gone after the run.
  assert.equal(existsSync(offRoot) ? readdirSync(offRoot) : [], [], 'no task folder, no task log when disabled and nothing was written');
});

test('a worker whose connection the master drops reconnects by itself, registers again and runs work', async () => {
  const { agent, agentId } = await h.addWorker();
  await h.store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: agentId });
  await h.master.hub.refresh();
  await h.waitFor('active', () => agent.state === 'active');
  // Deleting the worker makes the master close its connection; the agent machine reconnects with backoff.
  await h.store.deleteWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: agentId });
  await h.master.hub.refresh();
  await h.waitFor('registered again, disabled', async () => (await h.store.getWorkerAgent(agentId)) !== null && agent.state === 'waitingForEnable');
  await h.store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: agentId });
  await h.master.hub.refresh();
  const id = await h.run({ workers: [agentId], useAnyWorker: false });
  assert.is(await final(id), 7);
  assert.is(agent.state, 'active');
});

test.run();
