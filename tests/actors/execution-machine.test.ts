import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, fromPromise, initialTransition, SimulatedClock, transition } from 'xstate';
import { executionMachine, persistBackoffMs, type ExecutionInput } from '../../actors/execution.machine.ts';
import type { PersistOperationStatusParams } from '../../actors/execution.machine.ts';
import type { ExecutionEvent, TaskEvent } from '../../actors/events.ts';
import { effectTypes, paramsOf, recorder, settle } from './machine-helpers.ts';

// The `operation` region of the execution actor: its status, who records it, and the invoked commit
// of an end the catalog did not record. Its task region (tests/actors/task-machine.test.ts) tells it
// how the task went; here the task is claimed through it (CLAIMED, REPORTED) as the root does.

type AnyEvent = ExecutionEvent | TaskEvent | { type: 'xstate.done.actor.persist'; output?: unknown } | { type: 'xstate.error.actor.persist'; error: unknown };

const task = { taskId: 't1', executionId: 42, maxExecutedCount: 1, leaseMs: 60_000 };
const created: ExecutionInput = { executionId: 42, task };
const pending: ExecutionInput = { executionId: 42, status: 5, task };
const op = (snapshot: { value: unknown }) => (snapshot.value as { operation: unknown }).operation;
const claim = (workerAgentId = 'w1'): TaskEvent => ({ type: 'CLAIMED', workerAgentId });
const report = (r: 2 | 4 | 5 | 6, extra: Partial<Extract<TaskEvent, { type: 'REPORTED' }>> = {}): TaskEvent =>
  ({ type: 'REPORTED', attempt: 1, reported: r, status: r, ...extra });

/** Pure walk; `persisted` lists the statuses for which the `persistOperationStatus` commit was invoked. */
function walk(events: readonly AnyEvent[], input: ExecutionInput = pending) {
  let [snapshot, actions] = initialTransition(executionMachine, input);
  const persisted: number[] = [];
  for (const event of events) {
    [snapshot, actions] = transition(executionMachine, snapshot, event as ExecutionEvent);
    if (actions.some((a) => a.type === 'xstate.spawnChild' && (a as { params?: { id?: string } }).params?.id === 'persist')) persisted.push(snapshot.context.status);
  }
  return { snapshot, actions, persisted };
}
const done = { type: 'xstate.done.actor.persist' } as const;

const pure = suite('execution machine: operation region, pure transitions');

pure('a new execution is created (1); START → pending (5), recorded by start_execution: nothing requested', () => {
  const [snapshot, actions] = initialTransition(executionMachine, created);
  assert.is(op(snapshot), 'created');
  assert.is(snapshot.context.status, 1);
  assert.equal(effectTypes(actions), []);
  const started = walk([{ type: 'START' }], created);
  assert.is(op(started.snapshot), 'pending');
  assert.equal(effectTypes(started.actions), []);
});

pure('a claim → running (2), recorded by the claim: nothing persisted', () => {
  const { snapshot, persisted } = walk([claim()]);
  assert.is(op(snapshot), 'running');
  assert.is(snapshot.context.status, 2);
  assert.is(snapshot.context.workerAgentId, 'w1');
  assert.equal(persisted, []);
});

pure('a success the catalog recorded with the final report → succeeded (7) at once; the actor is done, no commit invoked', () => {
  const { snapshot, persisted } = walk([claim(), report(2), report(5, { operationStatus: 7 })]);
  assert.equal(persisted, []);
  assert.is(op(snapshot), 'succeeded');
  assert.is(snapshot.status, 'done');
  assert.equal(snapshot.output, { status: 7, task: { status: 5, attempt: 1, executedCount: 1 } });
});

pure('an end the catalog did not record goes through recording: the commit is invoked, its onDone → the final state', () => {
  let { snapshot, persisted } = walk([claim(), report(5)]);
  assert.is(op(snapshot), 'recording');
  assert.is(snapshot.status, 'active');
  assert.equal(persisted, [7]);
  // Stops meanwhile change nothing: the end is decided.
  [snapshot] = transition(executionMachine, snapshot, { type: 'STOP' });
  assert.is(op(snapshot), 'recording');
  [snapshot] = transition(executionMachine, snapshot, done as never);
  assert.is(op(snapshot), 'succeeded');
  assert.is(snapshot.status, 'done');
  assert.equal(snapshot.output?.status, 7);
});

pure('a failed commit comes back as an event: persistFailed, retrying, then the commit is invoked again', () => {
  let { snapshot } = walk([claim(), report(4)]);
  let actions;
  [snapshot, actions] = transition(executionMachine, snapshot, { type: 'xstate.error.actor.persist', error: new Error('disk full') } as never);
  assert.is(op(snapshot), 'retrying');
  const failed = paramsOf<{ executionId: number; status: number; failures: number; retryInMs: number; error: { message: string } }>(actions, 'persistFailed')[0]!;
  assert.equal([failed.executionId, failed.status, failed.failures, failed.retryInMs, failed.error.message], [42, 4, 1, 250, 'disk full']);
  assert.is(persistBackoffMs(2), 500);
  assert.is(persistBackoffMs(20), 30_000);
});

pure('failure with retries: requeued stays running, the re-claim needs no commit, the final failure → 4', () => {
  const retried: ExecutionInput = { ...pending, task: { ...task, maxExecutedCount: 2 } };
  const { snapshot, persisted } = walk([
    claim('w1'), report(4, { status: 1 }), claim('w2'), report(4, { attempt: 2, message: 'boom', operationStatus: 4 }),
  ], retried);
  assert.equal(persisted, []);
  assert.is(op(snapshot), 'failed');
  assert.is(snapshot.context.workerAgentId, 'w2');
  assert.is(snapshot.context.attempt, 2);
});

pure('a requeue before the run started leaves the operation running (claim recorded it); a lost lease for good → endedUnexpectedly (6)', () => {
  assert.is(op(walk([claim(), { type: 'LEASE_LOST', taskStatus: 4, operationStatus: 6 }]).snapshot), 'endedUnexpectedly');
  const unrecorded = walk([claim(), { type: 'LEASE_LOST', taskStatus: 4 }, done]);
  assert.equal(unrecorded.persisted, [6]);
  assert.is(op(unrecorded.snapshot), 'endedUnexpectedly');
});

pure('"completion" result → completed (9)', () => {
  const { snapshot } = walk([claim(), { type: 'TASK_COMPLETED', attempt: 1, recorded: true }]);
  assert.is(op(snapshot), 'completed');
});

pure('STOP while running → stopping (8) and the held task\'s worker is told to cancel; the canceled report → canceled (3)', () => {
  let { snapshot, actions } = walk([claim('w'), report(2), { type: 'STOP', stopId: 99 }]);
  assert.is(op(snapshot), 'stopping');
  assert.is(snapshot.context.status, 8);
  assert.is(snapshot.context.stopId, 99);
  assert.equal(paramsOf(actions, 'requestWorkerCancel'), [{ taskId: 't1', workerAgentId: 'w', attempt: 1 }]);
  [snapshot] = transition(executionMachine, snapshot, report(6, { operationStatus: 3 }));
  assert.is(op(snapshot), 'canceled');
  assert.is(snapshot.status, 'done');
  const unrecorded = walk([claim('w'), report(2), { type: 'STOP', stopId: 99 }, report(6)]);
  assert.is(op(unrecorded.snapshot), 'recording');
  assert.equal({ ...unrecorded.snapshot.context, task: undefined }, { executionId: 42, status: 3, workerAgentId: 'w', attempt: 1, stopId: 99, persistFailures: 0, task: undefined });
});

pure('while stopping, success still wins and a failure or lost lease ends canceled', () => {
  const base: AnyEvent[] = [claim('w'), { type: 'STOP' }];
  assert.is(op(walk([...base, report(5, { operationStatus: 7 })]).snapshot), 'succeeded');
  assert.is(op(walk([...base, { type: 'TASK_FAILED', attempt: 1, recorded: true }]).snapshot), 'canceled');
  assert.is(op(walk([...base, { type: 'TASK_LEASE_LOST', attempt: 1 }, done]).snapshot), 'canceled');
});

pure('STOP while pending → canceled (3) at once (stop_operation completed it), the ready task canceled too', () => {
  const { snapshot, actions, persisted } = walk([{ type: 'STOP', stopId: 5 }]);
  assert.is(op(snapshot), 'canceled');
  assert.is((snapshot.value as { task: string }).task, 'canceled');
  assert.is(snapshot.status, 'done');
  assert.equal(persisted, []);
  assert.equal(effectTypes(actions), []);
});

pure('STOP before START is ignored (the catalog refuses it with 27124)', () => {
  const { snapshot, actions } = walk([{ type: 'STOP' }], created);
  assert.is(op(snapshot), 'created');
  assert.equal(effectTypes(actions), []);
});

pure('resuming a live execution enters its state without persisting anything', () => {
  for (const [status, state] of [[5, 'pending'], [2, 'running'], [8, 'stopping'], [7, 'succeeded']] as const) {
    const [snapshot, actions] = initialTransition(executionMachine, { executionId: 1, status, workerAgentId: 'w', attempt: 1, task: { ...task, executionId: 1, status: 2, executedCount: 1, workerAgentId: 'w' } });
    assert.is(op(snapshot), state);
    assert.equal(effectTypes(actions), []);
  }
});

pure.run();

const live = suite('execution machine: the invoked commit on a simulated clock');

live('a commit that fails twice is retried after 250 ms then 500 ms on the actor clock, then the execution ends', async () => {
  const clock = new SimulatedClock();
  const rec = recorder(['persistFailed', 'notifyWorker'] as const);
  const tries: number[] = [];
  const persistOperationStatus = fromPromise<unknown, PersistOperationStatusParams>(async ({ input }) => {
    tries.push(input.status);
    if (tries.length <= 2) throw new Error(`catalog busy (${tries.length})`);
  });
  const actor = createActor(executionMachine.provide({ actions: rec.actions, actors: { persistOperationStatus } }), {
    clock, input: { executionId: 3, status: 2, workerAgentId: 'w', attempt: 1, task: { ...task, executionId: 3, status: 2, executedCount: 1, workerAgentId: 'w' } },
  }).start();
  actor.send(report(5));
  await settle();
  assert.is(op(actor.getSnapshot()), 'retrying');
  assert.equal(rec.of('persistFailed').map((p) => p['retryInMs']), [250]);
  clock.increment(249);
  await settle();
  assert.equal(tries, [7], 'not before the backoff');
  clock.increment(1);
  await settle();
  assert.equal(tries, [7, 7]);
  assert.equal(rec.of('persistFailed').map((p) => p['retryInMs']), [250, 500]);
  clock.increment(500);
  await settle();
  assert.equal(tries, [7, 7, 7]);
  assert.is(actor.getSnapshot().status, 'done');
  assert.equal(actor.getSnapshot().output?.status, 7);
});

live.run();
