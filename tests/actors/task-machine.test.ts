import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, initialTransition, SimulatedClock, transition } from 'xstate';
import { taskMachine, type TaskInput } from '../../actors/task.machine.ts';
import type { TaskEvent } from '../../actors/events.ts';
import { effectTypes, paramsOf, recorder } from './machine-helpers.ts';

const input: TaskInput = { taskId: 't1', executionId: 42, maxExecutedCount: 1, leaseMs: 60_000, claimLeaseMs: 300_000 };

function walk(events: readonly TaskEvent[], taskInput: TaskInput = input) {
  let [snapshot, actions] = initialTransition(taskMachine, taskInput);
  const toExecution: string[] = [];
  for (const event of events) {
    [snapshot, actions] = transition(taskMachine, snapshot, event);
    toExecution.push(...paramsOf<{ event: { type: string } }>(actions, 'notifyExecution').map((p) => p.event.type));
  }
  return { snapshot, actions, toExecution };
}

const pure = suite('task machine: pure transitions');

pure('a new task is ready (1); CLAIMED → leased with attempt 1, telling worker and execution', () => {
  const { snapshot, actions } = walk([{ type: 'CLAIMED', workerAgentId: 'w1' }]);
  assert.is(snapshot.value, 'leased');
  assert.is(snapshot.context.attempt, 1);
  assert.is(snapshot.context.executedCount, 1);
  assert.is(snapshot.context.status, 2);
  assert.equal(effectTypes(actions), ['notifyWorker', 'notifyExecution', 'persistTaskStatus']);
  assert.equal(paramsOf(actions, 'notifyWorker')[0], { workerAgentId: 'w1', event: { type: 'TASK_ASSIGNED', taskId: 't1' } });
  assert.equal(paramsOf(actions, 'notifyExecution')[0], { executionId: 42, event: { type: 'TASK_CLAIMED', workerAgentId: 'w1', attempt: 1 } });
});

pure('first heartbeat of the attempt → running, answered with 2, execution told TASK_RUNNING', () => {
  const { snapshot, actions, toExecution } = walk([{ type: 'CLAIMED', workerAgentId: 'w1' }, { type: 'HEARTBEAT', attempt: 1, status: 2 }]);
  assert.is(snapshot.value, 'running');
  assert.equal(toExecution, ['TASK_CLAIMED', 'TASK_RUNNING']);
  assert.equal(paramsOf(actions, 'answerHeartbeat')[0], { taskId: 't1', workerAgentId: 'w1', attempt: 1, status: 2 });
});

pure('heartbeat 3 (finishing) is recorded and persisted; a later 2 does not move it back', () => {
  let { snapshot, actions } = walk([{ type: 'CLAIMED', workerAgentId: 'w1' }, { type: 'HEARTBEAT', attempt: 1, status: 2 }, { type: 'HEARTBEAT', attempt: 1, status: 3 }]);
  assert.is(snapshot.context.status, 3);
  assert.equal(effectTypes(actions), ['persistTaskStatus', 'answerHeartbeat']);
  [snapshot, actions] = transition(taskMachine, snapshot, { type: 'HEARTBEAT', attempt: 1, status: 2 });
  assert.is(snapshot.context.status, 3);
  assert.equal(paramsOf<{ status: number }>(actions, 'answerHeartbeat')[0]?.status, 3);
});

pure('success → succeeded (5), final; answered 5 and the worker slot released', () => {
  const { snapshot, actions, toExecution } = walk([{ type: 'CLAIMED', workerAgentId: 'w1' }, { type: 'HEARTBEAT', attempt: 1, status: 2 }, { type: 'REPORT_SUCCEEDED', attempt: 1 }]);
  assert.is(snapshot.value, 'succeeded');
  assert.is(snapshot.status, 'done');
  assert.equal(snapshot.output, { status: 5, attempt: 1, executedCount: 1 });
  assert.equal(toExecution.at(-1), 'TASK_SUCCEEDED');
  assert.equal(paramsOf<{ status: number }>(actions, 'answerReport')[0]?.status, 5);
  assert.equal(paramsOf(actions, 'notifyWorker')[0], { workerAgentId: 'w1', event: { type: 'TASK_RELEASED', taskId: 't1' } });
});

pure('retry_count=2: three attempts, each failure re-queued (answer 1), the third fails (4)', () => {
  const events: TaskEvent[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    events.push({ type: 'CLAIMED', workerAgentId: `w${attempt}` }, { type: 'HEARTBEAT', attempt, status: 2 }, { type: 'REPORT_FAILED', attempt, message: `err ${attempt}` });
  }
  const { snapshot, toExecution } = walk(events, { ...input, maxExecutedCount: 3 });
  assert.is(snapshot.value, 'failed');
  assert.equal(snapshot.output, { status: 4, attempt: 3, executedCount: 3 });
  assert.equal(toExecution, [
    'TASK_CLAIMED', 'TASK_RUNNING', 'TASK_REQUEUED',
    'TASK_CLAIMED', 'TASK_RUNNING', 'TASK_REQUEUED',
    'TASK_CLAIMED', 'TASK_RUNNING', 'TASK_FAILED',
  ]);
  // The retry answer is 1 (re-queued), the last one the reported 4.
  const second = walk(events.slice(0, 3), { ...input, maxExecutedCount: 3 });
  assert.is(second.snapshot.value, 'ready');
  assert.equal(paramsOf<{ status: number }>(second.actions, 'answerReport')[0]?.status, 1);
});

pure('retry_count=2 with success on the 2nd attempt stops retrying', () => {
  const { snapshot } = walk([
    { type: 'CLAIMED', workerAgentId: 'w1' }, { type: 'REPORT_FAILED', attempt: 1 },
    { type: 'CLAIMED', workerAgentId: 'w2' }, { type: 'REPORT_SUCCEEDED', attempt: 2 },
  ], { ...input, maxExecutedCount: 3 });
  assert.is(snapshot.value, 'succeeded');
  assert.is(snapshot.context.executedCount, 2);
});

pure('a report from an older attempt or another worker is refused and changes nothing', () => {
  const base: TaskEvent[] = [{ type: 'CLAIMED', workerAgentId: 'w1' }, { type: 'REPORT_FAILED', attempt: 1 }, { type: 'CLAIMED', workerAgentId: 'w2' }];
  const { snapshot: s0 } = walk(base, { ...input, maxExecutedCount: 2 });
  assert.is(s0.context.attempt, 2);
  for (const stale of [
    { type: 'REPORT_SUCCEEDED', attempt: 1 },
    { type: 'HEARTBEAT', attempt: 1, status: 2 },
    { type: 'REPORT_FAILED', attempt: 1 },
    { type: 'REPORT_SUCCEEDED', attempt: 2, workerAgentId: 'w1' },
  ] as const satisfies readonly TaskEvent[]) {
    const [s1, actions] = transition(taskMachine, s0, stale);
    assert.is(s1.value, 'leased', stale.type);
    assert.equal(effectTypes(actions), ['rejectStaleReport']);
    assert.is(paramsOf<{ currentAttempt: number }>(actions, 'rejectStaleReport')[0]?.currentAttempt, 2);
  }
});

pure('reports on a ready task are stale', () => {
  const { snapshot, actions } = walk([{ type: 'REPORT_SUCCEEDED', attempt: 1 }]);
  assert.is(snapshot.value, 'ready');
  assert.equal(effectTypes(actions), ['rejectStaleReport']);
});

pure('CANCEL while ready → canceled (6) at once, execution told CANCEL_CONFIRMED', () => {
  const { snapshot, toExecution } = walk([{ type: 'CANCEL' }]);
  assert.is(snapshot.value, 'canceled');
  assert.equal(toExecution, ['CANCEL_CONFIRMED']);
});

pure('CANCEL while running: the worker is told, the next heartbeat is answered 6, REPORT_CANCELED → canceled', () => {
  let { snapshot, actions } = walk([{ type: 'CLAIMED', workerAgentId: 'w1' }, { type: 'HEARTBEAT', attempt: 1, status: 2 }, { type: 'CANCEL' }]);
  assert.is(snapshot.value, 'running');
  assert.ok(snapshot.context.cancelRequested);
  assert.equal(effectTypes(actions), ['requestWorkerCancel']);
  [snapshot, actions] = transition(taskMachine, snapshot, { type: 'HEARTBEAT', attempt: 1, status: 2 });
  assert.equal(paramsOf<{ status: number }>(actions, 'answerHeartbeat')[0]?.status, 6);
  [snapshot, actions] = transition(taskMachine, snapshot, { type: 'REPORT_CANCELED', attempt: 1 });
  assert.is(snapshot.value, 'canceled');
  assert.equal(paramsOf<{ event: { type: string } }>(actions, 'notifyExecution')[0]?.event.type, 'CANCEL_CONFIRMED');
});

pure('with a cancel requested, a failure ends canceled (not retried) and success still wins', () => {
  const base: TaskEvent[] = [{ type: 'CLAIMED', workerAgentId: 'w1' }, { type: 'CANCEL' }];
  const retryable = { ...input, maxExecutedCount: 3 };
  assert.is(walk([...base, { type: 'REPORT_FAILED', attempt: 1 }], retryable).snapshot.value, 'canceled');
  assert.is(walk([...base, { type: 'REPORT_SUCCEEDED', attempt: 1 }], retryable).snapshot.value, 'succeeded');
});

pure('a canceled report without a cancel request is re-queued while retries are left (§4.4)', () => {
  assert.is(walk([{ type: 'CLAIMED', workerAgentId: 'w1' }, { type: 'REPORT_CANCELED', attempt: 1 }], { ...input, maxExecutedCount: 2 }).snapshot.value, 'ready');
  assert.is(walk([{ type: 'CLAIMED', workerAgentId: 'w1' }, { type: 'REPORT_CANCELED', attempt: 1 }]).snapshot.value, 'canceled');
});

pure('an outside LEASE_LOST (expiry sweep) applies the expiry rules', () => {
  const { snapshot, toExecution } = walk([{ type: 'CLAIMED', workerAgentId: 'w1' }, { type: 'HEARTBEAT', attempt: 1, status: 2 }, { type: 'LEASE_LOST' }]);
  assert.is(snapshot.value, 'failed');
  assert.equal(toExecution.at(-1), 'TASK_LEASE_LOST');
});

pure('resuming status 2 with a cancel flag: running, heartbeats answered 6', () => {
  const [s0, a0] = initialTransition(taskMachine, { ...input, status: 2, executedCount: 1, workerAgentId: 'w1', isCancelled: true });
  assert.is(s0.value, 'running');
  assert.equal(effectTypes(a0), []);
  const [, actions] = transition(taskMachine, s0, { type: 'HEARTBEAT', attempt: 1, status: 2 });
  assert.equal(paramsOf<{ status: number }>(actions, 'answerHeartbeat')[0]?.status, 6);
});

pure.run();

const timed = suite('task machine: leases on a simulated clock');

const effects = ['persistTaskStatus', 'answerHeartbeat', 'answerReport', 'rejectStaleReport', 'requestWorkerCancel', 'notifyExecution', 'notifyWorker'] as const;

function start(taskInput: TaskInput) {
  const clock = new SimulatedClock();
  const rec = recorder(effects);
  const actor = createActor(taskMachine.provide({ actions: rec.actions }), { clock, input: taskInput }).start();
  const toExecution = () => rec.of('notifyExecution').map((p) => (p['event'] as { type: string }).type);
  return { clock, rec, actor, toExecution };
}

timed('the claim lease holds until the first heartbeat; each heartbeat renews the running lease', () => {
  const { clock, actor } = start(input);
  actor.send({ type: 'CLAIMED', workerAgentId: 'w1' });
  clock.increment(299_999);
  assert.is(actor.getSnapshot().value, 'leased');
  actor.send({ type: 'HEARTBEAT', attempt: 1, status: 2 });
  for (let i = 0; i < 10; i++) {
    clock.increment(59_000);
    actor.send({ type: 'HEARTBEAT', attempt: 1, status: 2 });
  }
  assert.is(actor.getSnapshot().value, 'running');
});

timed('a stale heartbeat does not renew the lease', () => {
  const { clock, actor, rec } = start({ ...input, maxExecutedCount: 2 });
  actor.send({ type: 'CLAIMED', workerAgentId: 'w1' });
  actor.send({ type: 'HEARTBEAT', attempt: 1, status: 2 });
  clock.increment(40_000);
  actor.send({ type: 'HEARTBEAT', attempt: 7, status: 2 });
  clock.increment(20_000);
  assert.is(actor.getSnapshot().value, 'ready');
  assert.is(rec.of('rejectStaleReport').length, 1);
});

timed('lease lost with retries left → ready, the next claim is attempt 2; lost again → failed (operation 6)', () => {
  const { clock, actor, toExecution } = start({ ...input, maxExecutedCount: 2 });
  actor.send({ type: 'CLAIMED', workerAgentId: 'w1' });
  actor.send({ type: 'HEARTBEAT', attempt: 1, status: 2 });
  clock.increment(60_000);
  assert.is(actor.getSnapshot().value, 'ready');
  assert.is(actor.getSnapshot().context.workerAgentId, null);
  actor.send({ type: 'CLAIMED', workerAgentId: 'w2' });
  assert.is(actor.getSnapshot().context.attempt, 2);
  clock.increment(300_000);
  assert.is(actor.getSnapshot().value, 'failed');
  assert.equal(toExecution(), ['TASK_CLAIMED', 'TASK_RUNNING', 'TASK_REQUEUED', 'TASK_CLAIMED', 'TASK_LEASE_LOST']);
});

timed('lease lost after a cancel request → canceled', () => {
  const { clock, actor, toExecution } = start({ ...input, maxExecutedCount: 3 });
  actor.send({ type: 'CLAIMED', workerAgentId: 'w1' });
  actor.send({ type: 'HEARTBEAT', attempt: 1, status: 2 });
  actor.send({ type: 'CANCEL' });
  clock.increment(60_000);
  assert.is(actor.getSnapshot().value, 'canceled');
  assert.equal(toExecution().at(-1), 'CANCEL_CONFIRMED');
});

timed('READOPTED: the worker that lost the lease is heard before a re-run → running again, its lease renewed', () => {
  const { clock, actor, toExecution, rec } = start({ ...input, maxExecutedCount: 2 });
  actor.send({ type: 'CLAIMED', workerAgentId: 'w1' });
  actor.send({ type: 'HEARTBEAT', attempt: 1, status: 2 });
  clock.increment(60_000);
  assert.is(actor.getSnapshot().value, 'ready');
  // Another attempt's worker, or a later attempt number, is not the lost attempt.
  actor.send({ type: 'READOPTED', workerAgentId: 'w1', attempt: 2, status: 2 });
  assert.is(actor.getSnapshot().value, 'ready');
  actor.send({ type: 'READOPTED', workerAgentId: 'w1', attempt: 1, status: 3 });
  assert.is(actor.getSnapshot().value, 'running');
  assert.is(actor.getSnapshot().context.workerAgentId, 'w1');
  assert.is(actor.getSnapshot().context.status, 3);
  assert.is(actor.getSnapshot().context.attempt, 1, 'the same attempt: no second run');
  assert.equal(rec.of('notifyWorker').at(-1), { workerAgentId: 'w1', event: { type: 'TASK_ASSIGNED', taskId: 't1' } });
  assert.equal(toExecution(), ['TASK_CLAIMED', 'TASK_RUNNING', 'TASK_REQUEUED', 'TASK_RUNNING']);
  actor.send({ type: 'REPORT_SUCCEEDED', attempt: 1, workerAgentId: 'w1' });
  assert.is(actor.getSnapshot().value, 'succeeded');
});

timed('READOPTED is refused after a new claim or a cancel', () => {
  const a = start({ ...input, maxExecutedCount: 3 });
  a.actor.send({ type: 'CLAIMED', workerAgentId: 'w1' });
  a.actor.send({ type: 'LEASE_LOST' });
  a.actor.send({ type: 'CLAIMED', workerAgentId: 'w2' });
  a.actor.send({ type: 'READOPTED', workerAgentId: 'w1', attempt: 1, status: 2 });
  assert.is(a.actor.getSnapshot().context.workerAgentId, 'w2');
  assert.is(a.actor.getSnapshot().context.attempt, 2);
  const b = start({ ...input, maxExecutedCount: 3, executedCount: 1, status: 1, isCancelled: true });
  b.actor.send({ type: 'READOPTED', workerAgentId: 'w1', attempt: 1, status: 2 });
  assert.is(b.actor.getSnapshot().value, 'ready');
});

timed('a rebuilt task starts with the reconnect grace as its lease and takes the lease its worker heartbeats with', () => {
  const { clock, actor } = start({ ...input, maxExecutedCount: 2, leaseMs: 35_000, status: 2, executedCount: 1, workerAgentId: 'w1' });
  clock.increment(30_000);
  actor.send({ type: 'HEARTBEAT', attempt: 1, status: 2, workerAgentId: 'w1', leaseMs: 2_000 });
  assert.is(actor.getSnapshot().context.leaseMs, 2_000);
  clock.increment(1_999);
  assert.is(actor.getSnapshot().value, 'running');
  clock.increment(1);
  assert.is(actor.getSnapshot().value, 'ready', 'the worker\'s own 2 s lease, not the 35 s grace');
});

timed.run();
