import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, initialTransition, SimulatedClock, transition } from 'xstate';
import { taskMachine, type TaskInput } from '../../actors/task.machine.ts';
import type { TaskEvent } from '../../actors/events.ts';
import { effectTypes, paramsOf, recorder } from './machine-helpers.ts';

// The task status rules are applied once, by the catalog (update_task_status, dealwith_expired_tasks:
// tests/catalog); the task actor applies the committed outcome it is given. These tests pin that
// mapping, the fencing against reordered events, the lease timers and the slot/execution notices.

const input: TaskInput = { taskId: 't1', executionId: 42, maxExecutedCount: 1, leaseMs: 60_000, claimLeaseMs: 300_000 };

/** A committed report: what update_task_status returns for it (`status`, `operationStatus`). */
const reported = (attempt: number, r: 2 | 3 | 4 | 5 | 6, status: number = r, extra: Partial<Extract<TaskEvent, { type: 'REPORTED' }>> = {}): TaskEvent =>
  ({ type: 'REPORTED', attempt, reported: r, status, ...extra });

function walk(events: readonly TaskEvent[], taskInput: TaskInput = input) {
  let [snapshot, actions] = initialTransition(taskMachine, taskInput);
  const toExecution: string[] = [];
  const notices: Record<string, unknown>[] = [];
  for (const event of events) {
    [snapshot, actions] = transition(taskMachine, snapshot, event);
    for (const p of paramsOf<{ event: { type: string } }>(actions, 'notifyExecution')) { toExecution.push(p.event.type); notices.push(p.event); }
  }
  return { snapshot, actions, toExecution, notices };
}

const pure = suite('task machine: pure transitions');

pure('a new task is ready (1); CLAIMED → leased with attempt 1, telling worker and execution', () => {
  const { snapshot, actions } = walk([{ type: 'CLAIMED', workerAgentId: 'w1' }]);
  assert.is(snapshot.value, 'leased');
  assert.is(snapshot.context.attempt, 1);
  assert.is(snapshot.context.executedCount, 1);
  assert.is(snapshot.context.status, 2);
  assert.equal(effectTypes(actions), ['notifyWorker', 'notifyExecution']);
  assert.equal(paramsOf(actions, 'notifyWorker')[0], { workerAgentId: 'w1', event: { type: 'TASK_ASSIGNED', taskId: 't1' } });
  assert.equal(paramsOf(actions, 'notifyExecution')[0], { executionId: 42, event: { type: 'TASK_CLAIMED', workerAgentId: 'w1', attempt: 1 } });
});

pure('the first committed heartbeat of the attempt → running, execution told TASK_RUNNING', () => {
  const { snapshot, toExecution } = walk([{ type: 'CLAIMED', workerAgentId: 'w1' }, reported(1, 2)]);
  assert.is(snapshot.value, 'running');
  assert.equal(toExecution, ['TASK_CLAIMED', 'TASK_RUNNING']);
});

pure('a committed heartbeat 3 (finishing) is recorded; a later 2 does not move it back', () => {
  let { snapshot } = walk([{ type: 'CLAIMED', workerAgentId: 'w1' }, reported(1, 2), reported(1, 3)]);
  assert.is(snapshot.context.status, 3);
  [snapshot] = transition(taskMachine, snapshot, reported(1, 2));
  assert.is(snapshot.context.status, 3);
});

pure('a heartbeat the catalog answered 6 (cancelled elsewhere) marks the cancel; the task stays held', () => {
  const { snapshot } = walk([{ type: 'CLAIMED', workerAgentId: 'w1' }, reported(1, 2, 6)]);
  assert.is(snapshot.value, 'running');
  assert.ok(snapshot.context.cancelRequested);
});

pure('success → succeeded (5), final; the worker slot released; the execution told it is recorded', () => {
  const { snapshot, actions, notices } = walk([{ type: 'CLAIMED', workerAgentId: 'w1' }, reported(1, 2), reported(1, 5, 5, { operationStatus: 7 })]);
  assert.is(snapshot.value, 'succeeded');
  assert.is(snapshot.status, 'done');
  assert.equal(snapshot.output, { status: 5, attempt: 1, executedCount: 1 });
  assert.equal(notices.at(-1), { type: 'TASK_SUCCEEDED', attempt: 1, recorded: true });
  assert.equal(paramsOf(actions, 'notifyWorker')[0], { workerAgentId: 'w1', event: { type: 'TASK_RELEASED', taskId: 't1' } });
});

pure('a success whose operation end the catalog did not commit is not marked recorded', () => {
  const { notices } = walk([{ type: 'CLAIMED', workerAgentId: 'w1' }, reported(1, 5)]);
  assert.equal(notices.at(-1), { type: 'TASK_SUCCEEDED', attempt: 1 });
});

pure('three attempts: each re-queue (answer 1) → ready and the next claim advances; the last failure → failed with its message', () => {
  const events: TaskEvent[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    events.push({ type: 'CLAIMED', workerAgentId: `w${attempt}` }, reported(attempt, 2), reported(attempt, 4, attempt < 3 ? 1 : 4, { message: `err ${attempt}`, ...(attempt === 3 ? { operationStatus: 4 } : {}) }));
  }
  const { snapshot, toExecution, notices } = walk(events, { ...input, maxExecutedCount: 3 });
  assert.is(snapshot.value, 'failed');
  assert.equal(snapshot.output, { status: 4, attempt: 3, executedCount: 3 });
  assert.equal(toExecution, [
    'TASK_CLAIMED', 'TASK_RUNNING', 'TASK_REQUEUED',
    'TASK_CLAIMED', 'TASK_RUNNING', 'TASK_REQUEUED',
    'TASK_CLAIMED', 'TASK_RUNNING', 'TASK_FAILED',
  ]);
  assert.equal(notices.at(-1), { type: 'TASK_FAILED', attempt: 3, message: 'err 3', recorded: true });
  assert.is(walk(events.slice(0, 3), { ...input, maxExecutedCount: 3 }).snapshot.value, 'ready');
});

pure('an outcome for an older attempt or another worker changes nothing (reordered events)', () => {
  const base: TaskEvent[] = [{ type: 'CLAIMED', workerAgentId: 'w1' }, reported(1, 4, 1), { type: 'CLAIMED', workerAgentId: 'w2' }];
  const { snapshot: s0 } = walk(base, { ...input, maxExecutedCount: 2 });
  assert.is(s0.context.attempt, 2);
  for (const stale of [reported(1, 5), reported(1, 2), reported(1, 4), reported(2, 5, 5, { workerAgentId: 'w1' })]) {
    const [s1, actions] = transition(taskMachine, s0, stale);
    assert.is(s1.value, 'leased');
    assert.equal(effectTypes(actions), ['rejectStaleReport']);
    assert.is(paramsOf<{ currentAttempt: number }>(actions, 'rejectStaleReport')[0]?.currentAttempt, 2);
  }
});

pure('outcomes on a ready task are stale', () => {
  const { snapshot, actions } = walk([reported(1, 5)]);
  assert.is(snapshot.value, 'ready');
  assert.equal(effectTypes(actions), ['rejectStaleReport']);
});

pure('CANCEL while ready → canceled (6) at once; stop_operation recorded the execution\'s end', () => {
  const { snapshot, notices } = walk([{ type: 'CANCEL' }]);
  assert.is(snapshot.value, 'canceled');
  assert.equal(notices, [{ type: 'CANCEL_CONFIRMED', recorded: true }]);
});

pure('CANCEL while running: the worker is told once; the committed canceled report → canceled', () => {
  let { snapshot, actions } = walk([{ type: 'CLAIMED', workerAgentId: 'w1' }, reported(1, 2), { type: 'CANCEL' }]);
  assert.is(snapshot.value, 'running');
  assert.ok(snapshot.context.cancelRequested);
  assert.equal(paramsOf(actions, 'requestWorkerCancel'), [{ taskId: 't1', workerAgentId: 'w1', attempt: 1 }]);
  [snapshot, actions] = transition(taskMachine, snapshot, { type: 'CANCEL' });
  assert.equal(effectTypes(actions), []);
  [snapshot, actions] = transition(taskMachine, snapshot, reported(1, 6, 6, { operationStatus: 3 }));
  assert.is(snapshot.value, 'canceled');
  assert.equal(paramsOf<{ event: unknown }>(actions, 'notifyExecution')[0]?.event, { type: 'CANCEL_CONFIRMED', recorded: true });
});

pure('a failure the catalog ended as the cancel (operation 3) → canceled, not failed', () => {
  assert.is(walk([{ type: 'CLAIMED', workerAgentId: 'w1' }, reported(1, 4, 4, { operationStatus: 3 })]).snapshot.value, 'canceled');
  assert.is(walk([{ type: 'CLAIMED', workerAgentId: 'w1' }, reported(1, 4, 4, { operationStatus: 4 })]).snapshot.value, 'failed');
});

pure('LEASE_LOST from the expiry rules: re-queued → ready, failed → TASK_LEASE_LOST, canceled → CANCEL_CONFIRMED', () => {
  const held: TaskEvent[] = [{ type: 'CLAIMED', workerAgentId: 'w1' }, reported(1, 2)];
  const requeued = walk([...held, { type: 'LEASE_LOST', taskStatus: 1 }], { ...input, maxExecutedCount: 2 });
  assert.is(requeued.snapshot.value, 'ready');
  assert.is(requeued.snapshot.context.workerAgentId, null);
  const failed = walk([...held, { type: 'LEASE_LOST', taskStatus: 4, operationStatus: 6 }]);
  assert.is(failed.snapshot.value, 'failed');
  assert.equal(failed.notices.at(-1), { type: 'TASK_LEASE_LOST', attempt: 1, recorded: true });
  assert.is(walk([...held, { type: 'LEASE_LOST', taskStatus: 6, operationStatus: 3 }]).snapshot.value, 'canceled');
});

pure('resuming status 2 with a cancel flag: running, cancel remembered, nothing requested', () => {
  const [s0, a0] = initialTransition(taskMachine, { ...input, status: 2, executedCount: 1, workerAgentId: 'w1', isCancelled: true });
  assert.is(s0.value, 'running');
  assert.ok(s0.context.cancelRequested);
  assert.equal(effectTypes(a0), []);
});

pure.run();

const timed = suite('task machine: leases on a simulated clock');

const effects = ['rejectStaleReport', 'requestWorkerCancel', 'notifyExecution', 'notifyWorker', 'leaseRanOut'] as const;

function start(taskInput: TaskInput) {
  const clock = new SimulatedClock();
  const rec = recorder(effects);
  const actor = createActor(taskMachine.provide({ actions: rec.actions }), { clock, input: taskInput }).start();
  const toExecution = () => rec.of('notifyExecution').map((p) => (p['event'] as { type: string }).type);
  return { clock, rec, actor, toExecution };
}

timed('the claim lease holds until the first heartbeat; each committed heartbeat renews the running lease', () => {
  const { clock, actor, rec } = start(input);
  actor.send({ type: 'CLAIMED', workerAgentId: 'w1' });
  clock.increment(299_999);
  assert.is(actor.getSnapshot().value, 'leased');
  actor.send(reported(1, 2));
  for (let i = 0; i < 10; i++) {
    clock.increment(59_000);
    actor.send(reported(1, 2));
  }
  assert.is(actor.getSnapshot().value, 'running');
  assert.equal(rec.of('leaseRanOut'), []);
});

timed('a stale heartbeat does not renew the lease; the timer requests leaseRanOut once and waits for the expiry rules', () => {
  const { clock, actor, rec } = start({ ...input, maxExecutedCount: 2 });
  actor.send({ type: 'CLAIMED', workerAgentId: 'w1' });
  actor.send(reported(1, 2));
  clock.increment(40_000);
  actor.send(reported(7, 2));
  clock.increment(20_000);
  assert.is(actor.getSnapshot().value, 'expiring');
  assert.equal(rec.of('leaseRanOut'), [{ taskId: 't1', attempt: 1, workerAgentId: 'w1' }]);
  assert.is(rec.of('rejectStaleReport').length, 1);
  actor.send({ type: 'LEASE_LOST', taskStatus: 1 });
  assert.is(actor.getSnapshot().value, 'ready');
});

timed('expiring, then a heartbeat the catalog committed meanwhile (its lease was renewed there): running again', () => {
  const { clock, actor } = start(input);
  actor.send({ type: 'CLAIMED', workerAgentId: 'w1' });
  actor.send(reported(1, 2));
  clock.increment(60_000);
  assert.is(actor.getSnapshot().value, 'expiring');
  actor.send(reported(1, 2));
  assert.is(actor.getSnapshot().value, 'running');
  clock.increment(59_999);
  assert.is(actor.getSnapshot().value, 'running');
});

timed('lease lost with a retry → ready, the next claim is attempt 2; its claim lease lost for good → failed (operation 6)', () => {
  const { clock, actor, toExecution } = start({ ...input, maxExecutedCount: 2 });
  actor.send({ type: 'CLAIMED', workerAgentId: 'w1' });
  actor.send(reported(1, 2));
  clock.increment(60_000);
  actor.send({ type: 'LEASE_LOST', taskStatus: 1 });
  assert.is(actor.getSnapshot().value, 'ready');
  assert.is(actor.getSnapshot().context.workerAgentId, null);
  actor.send({ type: 'CLAIMED', workerAgentId: 'w2' });
  assert.is(actor.getSnapshot().context.attempt, 2);
  clock.increment(300_000);
  assert.is(actor.getSnapshot().value, 'expiring');
  actor.send({ type: 'LEASE_LOST', taskStatus: 4, operationStatus: 6 });
  assert.is(actor.getSnapshot().value, 'failed');
  assert.equal(toExecution(), ['TASK_CLAIMED', 'TASK_RUNNING', 'TASK_REQUEUED', 'TASK_CLAIMED', 'TASK_LEASE_LOST']);
});

timed('READOPTED: the worker that lost the lease is heard before a re-run → running again, its lease renewed', () => {
  const { clock, actor, toExecution, rec } = start({ ...input, maxExecutedCount: 2 });
  actor.send({ type: 'CLAIMED', workerAgentId: 'w1' });
  actor.send(reported(1, 2));
  clock.increment(60_000);
  actor.send({ type: 'LEASE_LOST', taskStatus: 1 });
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
  actor.send(reported(1, 5, 5, { workerAgentId: 'w1' }));
  assert.is(actor.getSnapshot().value, 'succeeded');
});

timed('READOPTED is refused after a new claim or a cancel', () => {
  const a = start({ ...input, maxExecutedCount: 3 });
  a.actor.send({ type: 'CLAIMED', workerAgentId: 'w1' });
  a.actor.send({ type: 'LEASE_LOST', taskStatus: 1 });
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
  actor.send(reported(1, 2, 2, { workerAgentId: 'w1', leaseMs: 2_000 }));
  assert.is(actor.getSnapshot().context.leaseMs, 2_000);
  clock.increment(1_999);
  assert.is(actor.getSnapshot().value, 'running');
  clock.increment(1);
  assert.is(actor.getSnapshot().value, 'expiring', 'the worker\'s own 2 s lease, not the 35 s grace');
});

timed.run();
