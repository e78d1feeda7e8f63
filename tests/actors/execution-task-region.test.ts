import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, initialTransition, SimulatedClock, transition } from 'xstate';
import { executionMachine, type ExecutionInput, type TaskInput } from '../../actors/execution.machine.ts';
import type { ExecutionEvent, TaskEvent } from '../../actors/events.ts';
import { effectTypes, paramsOf, recorder } from './machine-helpers.ts';

// The `task` region of the execution actor (one actor per execution since issue 15). The task
// status rules are applied once, by the catalog (update_task_status, dealwith_expired_tasks:
// tests/catalog); the region applies the committed outcome it is given. These tests pin that
// mapping, the fencing against reordered events, the lease timers, the slot notices and what the
// `operation` region learns from it (the events the region raises for it).

const input: TaskInput = { taskId: 't1', executionId: 42, maxExecutedCount: 1, leaseMs: 60_000, claimLeaseMs: 300_000 };
/** The execution's input around a task input; the operation pending (5) unless the task resumes held. */
const exec = (task: TaskInput): ExecutionInput => ({ executionId: 42, status: task.status === 2 || task.status === 3 ? 2 : 5, task });
const taskMachine = executionMachine;
/** The task region's state and context. */
const region = (snapshot: { value: unknown }) => (snapshot.value as { task: unknown }).task;
const op = (snapshot: { value: unknown }) => (snapshot.value as { operation: unknown }).operation;

/** A committed report: what update_task_status returns for it (`status`, `operationStatus`). */
const reported = (attempt: number, r: 2 | 3 | 4 | 5 | 6, status: number = r, extra: Partial<Extract<TaskEvent, { type: 'REPORTED' }>> = {}): TaskEvent =>
  ({ type: 'REPORTED', attempt, reported: r, status, ...extra });

/** The events the task region raised for the operation region, from a pure transition's actions. */
function raised(actions: readonly { type: string; params?: unknown }[]): ExecutionEvent[] {
  return actions.filter((a) => a.type === 'xstate.raise').map((a) => (a.params as { event: ExecutionEvent }).event).filter((e) => /^(TASK_|CANCEL_CONFIRMED)/.test(e.type));
}

function walk(events: readonly TaskEvent[], taskInput: TaskInput = input) {
  let [snapshot, actions] = initialTransition(taskMachine, exec(taskInput));
  const toExecution: string[] = [];
  const notices: Record<string, unknown>[] = [];
  for (const event of events) {
    [snapshot, actions] = transition(taskMachine, snapshot, event);
    for (const e of raised(actions)) { toExecution.push(e.type); notices.push({ ...e }); }
  }
  return { snapshot, actions, toExecution, notices };
}

const pure = suite('execution machine, task region: pure transitions');

pure('a new task is ready (1); CLAIMED → leased with attempt 1, telling worker and execution', () => {
  const { snapshot, actions } = walk([{ type: 'CLAIMED', workerAgentId: 'w1' }]);
  assert.is(region(snapshot), 'leased');
  assert.is(snapshot.context.task.attempt, 1);
  assert.is(snapshot.context.task.executedCount, 1);
  assert.is(snapshot.context.task.status, 2);
  assert.equal(effectTypes(actions), ['notifyWorker']);
  assert.equal(paramsOf(actions, 'notifyWorker')[0], { workerAgentId: 'w1', event: { type: 'TASK_ASSIGNED', taskId: 't1' } });
  assert.equal(raised(actions), [{ type: 'TASK_CLAIMED', workerAgentId: 'w1', attempt: 1 }]);
  assert.is(op(snapshot), 'running', 'the operation region follows');
});

pure('the first committed heartbeat of the attempt → running, execution told TASK_RUNNING', () => {
  const { snapshot, toExecution } = walk([{ type: 'CLAIMED', workerAgentId: 'w1' }, reported(1, 2)]);
  assert.is(region(snapshot), 'running');
  assert.equal(toExecution, ['TASK_CLAIMED', 'TASK_RUNNING']);
});

pure('a committed heartbeat 3 (finishing) is recorded; a later 2 does not move it back', () => {
  let { snapshot } = walk([{ type: 'CLAIMED', workerAgentId: 'w1' }, reported(1, 2), reported(1, 3)]);
  assert.is(snapshot.context.task.status, 3);
  [snapshot] = transition(taskMachine, snapshot, reported(1, 2));
  assert.is(snapshot.context.task.status, 3);
});

pure('a heartbeat the catalog answered 6 (cancelled elsewhere) marks the cancel; the task stays held', () => {
  const { snapshot } = walk([{ type: 'CLAIMED', workerAgentId: 'w1' }, reported(1, 2, 6)]);
  assert.is(region(snapshot), 'running');
  assert.ok(snapshot.context.task.cancelRequested);
});

pure('success → succeeded (5), final; the worker slot released; the execution told it is recorded', () => {
  const { snapshot, actions, notices } = walk([{ type: 'CLAIMED', workerAgentId: 'w1' }, reported(1, 2), reported(1, 5, 5, { operationStatus: 7 })]);
  assert.is(region(snapshot), 'succeeded');
  assert.is(snapshot.status, 'done');
  assert.equal(snapshot.output, { status: 7, task: { status: 5, attempt: 1, executedCount: 1 } });
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
  assert.is(region(snapshot), 'failed');
  assert.equal(snapshot.output, { status: 4, task: { status: 4, attempt: 3, executedCount: 3 } });
  assert.equal(toExecution, [
    'TASK_CLAIMED', 'TASK_RUNNING', 'TASK_REQUEUED',
    'TASK_CLAIMED', 'TASK_RUNNING', 'TASK_REQUEUED',
    'TASK_CLAIMED', 'TASK_RUNNING', 'TASK_FAILED',
  ]);
  assert.equal(notices.at(-1), { type: 'TASK_FAILED', attempt: 3, message: 'err 3', recorded: true });
  assert.is(walk(events.slice(0, 3), { ...input, maxExecutedCount: 3 }).snapshot.value.task, 'ready');
});

pure('an outcome for an older attempt or another worker changes nothing (reordered events)', () => {
  const base: TaskEvent[] = [{ type: 'CLAIMED', workerAgentId: 'w1' }, reported(1, 4, 1), { type: 'CLAIMED', workerAgentId: 'w2' }];
  const { snapshot: s0 } = walk(base, { ...input, maxExecutedCount: 2 });
  assert.is(s0.context.task.attempt, 2);
  for (const stale of [reported(1, 5), reported(1, 2), reported(1, 4), reported(2, 5, 5, { workerAgentId: 'w1' })]) {
    const [s1, actions] = transition(taskMachine, s0, stale);
    assert.is(region(s1), 'leased');
    assert.equal(effectTypes(actions), ['rejectStaleReport']);
    assert.is(paramsOf<{ currentAttempt: number }>(actions, 'rejectStaleReport')[0]?.currentAttempt, 2);
  }
});

pure('outcomes on a ready task are stale', () => {
  const { snapshot, actions } = walk([reported(1, 5)]);
  assert.is(region(snapshot), 'ready');
  assert.equal(effectTypes(actions), ['rejectStaleReport']);
});

pure('CANCEL while ready → canceled (6) at once; stop_operation recorded the execution\'s end', () => {
  const { snapshot, notices } = walk([{ type: 'CANCEL' }]);
  assert.is(region(snapshot), 'canceled');
  assert.equal(notices, [{ type: 'CANCEL_CONFIRMED', recorded: true }]);
});

pure('CANCEL while running: the worker is told once; the committed canceled report → canceled', () => {
  let { snapshot, actions } = walk([{ type: 'CLAIMED', workerAgentId: 'w1' }, reported(1, 2), { type: 'CANCEL' }]);
  assert.is(region(snapshot), 'running');
  assert.ok(snapshot.context.task.cancelRequested);
  assert.equal(paramsOf(actions, 'requestWorkerCancel'), [{ taskId: 't1', workerAgentId: 'w1', attempt: 1 }]);
  [snapshot, actions] = transition(taskMachine, snapshot, { type: 'CANCEL' });
  assert.equal(effectTypes(actions), []);
  [snapshot, actions] = transition(taskMachine, snapshot, reported(1, 6, 6, { operationStatus: 3 }));
  assert.is(region(snapshot), 'canceled');
  assert.equal(raised(actions), [{ type: 'CANCEL_CONFIRMED', recorded: true }]);
  assert.is(op(snapshot), 'canceled');
});

pure('a failure the catalog ended as the cancel (operation 3) → canceled, not failed', () => {
  assert.is(walk([{ type: 'CLAIMED', workerAgentId: 'w1' }, reported(1, 4, 4, { operationStatus: 3 })]).snapshot.value.task, 'canceled');
  assert.is(walk([{ type: 'CLAIMED', workerAgentId: 'w1' }, reported(1, 4, 4, { operationStatus: 4 })]).snapshot.value.task, 'failed');
});

pure('LEASE_LOST from the expiry rules: re-queued → ready, failed → TASK_LEASE_LOST, canceled → CANCEL_CONFIRMED', () => {
  const held: TaskEvent[] = [{ type: 'CLAIMED', workerAgentId: 'w1' }, reported(1, 2)];
  const requeued = walk([...held, { type: 'LEASE_LOST', taskStatus: 1 }], { ...input, maxExecutedCount: 2 });
  assert.is(requeued.snapshot.value.task, 'ready');
  assert.is(requeued.snapshot.context.task.workerAgentId, null);
  const failed = walk([...held, { type: 'LEASE_LOST', taskStatus: 4, operationStatus: 6 }]);
  assert.is(failed.snapshot.value.task, 'failed');
  assert.equal(failed.notices.at(-1), { type: 'TASK_LEASE_LOST', attempt: 1, recorded: true });
  assert.is(walk([...held, { type: 'LEASE_LOST', taskStatus: 6, operationStatus: 3 }]).snapshot.value.task, 'canceled');
});

pure('resuming status 2 with a cancel flag: running, cancel remembered, nothing requested', () => {
  const [s0, a0] = initialTransition(taskMachine, exec({ ...input, status: 2, executedCount: 1, workerAgentId: 'w1', isCancelled: true }));
  assert.is(region(s0), 'running');
  assert.ok(s0.context.task.cancelRequested);
  assert.equal(effectTypes(a0), []);
});

pure.run();

const timed = suite('execution machine, task region: leases on a simulated clock');

const effects = ['rejectStaleReport', 'requestWorkerCancel', 'notifyWorker', 'leaseRanOut', 'persistFailed'] as const;

function start(taskInput: TaskInput) {
  const clock = new SimulatedClock();
  const rec = recorder(effects);
  const seen: string[] = [];
  const actor = createActor(taskMachine.provide({ actions: rec.actions }), {
    clock, input: exec(taskInput),
    // What the operation region is told: the task region's raised events, as the inspector sees them.
    inspect: (e) => { if (e.type === '@xstate.microstep' && /^(TASK_|CANCEL_CONFIRMED)/.test(e.event.type)) seen.push(e.event.type); },
  }).start();
  const toExecution = () => [...seen];
  return { clock, rec, actor, toExecution };
}

timed('the claim lease holds until the first heartbeat; each committed heartbeat renews the running lease', () => {
  const { clock, actor, rec } = start(input);
  actor.send({ type: 'CLAIMED', workerAgentId: 'w1' });
  clock.increment(299_999);
  assert.is(region(actor.getSnapshot()), 'leased');
  actor.send(reported(1, 2));
  for (let i = 0; i < 10; i++) {
    clock.increment(59_000);
    actor.send(reported(1, 2));
  }
  assert.is(region(actor.getSnapshot()), 'running');
  assert.equal(rec.of('leaseRanOut'), []);
});

timed('a stale heartbeat does not renew the lease; the timer requests leaseRanOut once and waits for the expiry rules', () => {
  const { clock, actor, rec } = start({ ...input, maxExecutedCount: 2 });
  actor.send({ type: 'CLAIMED', workerAgentId: 'w1' });
  actor.send(reported(1, 2));
  clock.increment(40_000);
  actor.send(reported(7, 2));
  clock.increment(20_000);
  assert.is(region(actor.getSnapshot()), 'expiring');
  assert.equal(rec.of('leaseRanOut'), [{ taskId: 't1', attempt: 1, workerAgentId: 'w1' }]);
  assert.is(rec.of('rejectStaleReport').length, 1);
  actor.send({ type: 'LEASE_LOST', taskStatus: 1 });
  assert.is(region(actor.getSnapshot()), 'ready');
});

timed('expiring, then a heartbeat the catalog committed meanwhile (its lease was renewed there): running again', () => {
  const { clock, actor } = start(input);
  actor.send({ type: 'CLAIMED', workerAgentId: 'w1' });
  actor.send(reported(1, 2));
  clock.increment(60_000);
  assert.is(region(actor.getSnapshot()), 'expiring');
  actor.send(reported(1, 2));
  assert.is(region(actor.getSnapshot()), 'running');
  clock.increment(59_999);
  assert.is(region(actor.getSnapshot()), 'running');
});

timed('lease lost with a retry → ready, the next claim is attempt 2; its claim lease lost for good → failed (operation 6)', () => {
  const { clock, actor, toExecution } = start({ ...input, maxExecutedCount: 2 });
  actor.send({ type: 'CLAIMED', workerAgentId: 'w1' });
  actor.send(reported(1, 2));
  clock.increment(60_000);
  actor.send({ type: 'LEASE_LOST', taskStatus: 1 });
  assert.is(region(actor.getSnapshot()), 'ready');
  assert.is(actor.getSnapshot().context.task.workerAgentId, null);
  actor.send({ type: 'CLAIMED', workerAgentId: 'w2' });
  assert.is(actor.getSnapshot().context.task.attempt, 2);
  clock.increment(300_000);
  assert.is(region(actor.getSnapshot()), 'expiring');
  actor.send({ type: 'LEASE_LOST', taskStatus: 4, operationStatus: 6 });
  assert.is(region(actor.getSnapshot()), 'failed');
  assert.equal(toExecution(), ['TASK_CLAIMED', 'TASK_RUNNING', 'TASK_REQUEUED', 'TASK_CLAIMED', 'TASK_LEASE_LOST']);
});

timed('READOPTED: the worker that lost the lease is heard before a re-run → running again, its lease renewed', () => {
  const { clock, actor, toExecution, rec } = start({ ...input, maxExecutedCount: 2 });
  actor.send({ type: 'CLAIMED', workerAgentId: 'w1' });
  actor.send(reported(1, 2));
  clock.increment(60_000);
  actor.send({ type: 'LEASE_LOST', taskStatus: 1 });
  assert.is(region(actor.getSnapshot()), 'ready');
  // Another attempt's worker, or a later attempt number, is not the lost attempt.
  actor.send({ type: 'READOPTED', workerAgentId: 'w1', attempt: 2, status: 2 });
  assert.is(region(actor.getSnapshot()), 'ready');
  actor.send({ type: 'READOPTED', workerAgentId: 'w1', attempt: 1, status: 3 });
  assert.is(region(actor.getSnapshot()), 'running');
  assert.is(actor.getSnapshot().context.task.workerAgentId, 'w1');
  assert.is(actor.getSnapshot().context.task.status, 3);
  assert.is(actor.getSnapshot().context.task.attempt, 1, 'the same attempt: no second run');
  assert.equal(rec.of('notifyWorker').at(-1), { workerAgentId: 'w1', event: { type: 'TASK_ASSIGNED', taskId: 't1' } });
  assert.equal(toExecution(), ['TASK_CLAIMED', 'TASK_RUNNING', 'TASK_REQUEUED', 'TASK_RUNNING']);
  actor.send(reported(1, 5, 5, { workerAgentId: 'w1' }));
  assert.is(region(actor.getSnapshot()), 'succeeded');
});

timed('READOPTED is refused after a new claim or a cancel', () => {
  const a = start({ ...input, maxExecutedCount: 3 });
  a.actor.send({ type: 'CLAIMED', workerAgentId: 'w1' });
  a.actor.send({ type: 'LEASE_LOST', taskStatus: 1 });
  a.actor.send({ type: 'CLAIMED', workerAgentId: 'w2' });
  a.actor.send({ type: 'READOPTED', workerAgentId: 'w1', attempt: 1, status: 2 });
  assert.is(a.actor.getSnapshot().context.task.workerAgentId, 'w2');
  assert.is(a.actor.getSnapshot().context.task.attempt, 2);
  const b = start({ ...input, maxExecutedCount: 3, executedCount: 1, status: 1, isCancelled: true });
  b.actor.send({ type: 'READOPTED', workerAgentId: 'w1', attempt: 1, status: 2 });
  assert.is(region(b.actor.getSnapshot()), 'ready');
});

timed('a rebuilt task starts with the reconnect grace as its lease and takes the lease its worker heartbeats with', () => {
  const { clock, actor } = start({ ...input, maxExecutedCount: 2, leaseMs: 35_000, status: 2, executedCount: 1, workerAgentId: 'w1' });
  clock.increment(30_000);
  actor.send(reported(1, 2, 2, { workerAgentId: 'w1', leaseMs: 2_000 }));
  assert.is(actor.getSnapshot().context.task.leaseMs, 2_000);
  clock.increment(1_999);
  assert.is(region(actor.getSnapshot()), 'running');
  clock.increment(1);
  assert.is(region(actor.getSnapshot()), 'expiring', 'the worker\'s own 2 s lease, not the 35 s grace');
});

timed.run();
