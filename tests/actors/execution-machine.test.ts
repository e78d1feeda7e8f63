import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, fromPromise, initialTransition, SimulatedClock, transition } from 'xstate';
import { executionMachine, persistBackoffMs } from '../../actors/execution.machine.ts';
import type { PersistOperationStatusParams } from '../../actors/execution.machine.ts';
import type { ExecutionEvent } from '../../actors/events.ts';
import { effectTypes, paramsOf, recorder, settle } from './machine-helpers.ts';

type AnyEvent = ExecutionEvent | { type: 'xstate.done.actor.persist'; output?: unknown } | { type: 'xstate.error.actor.persist'; error: unknown };

/** Pure walk; `persisted` lists the statuses for which the `persistOperationStatus` commit was invoked. */
function walk(events: readonly AnyEvent[], input = { executionId: 42 }) {
  let [snapshot, actions] = initialTransition(executionMachine, input);
  const persisted: number[] = [];
  for (const event of events) {
    [snapshot, actions] = transition(executionMachine, snapshot, event as ExecutionEvent);
    if (actions.some((a) => a.type === 'xstate.spawnChild' && (a as { params?: { id?: string } }).params?.id === 'persist')) persisted.push(snapshot.context.status);
  }
  return { snapshot, actions, persisted };
}
const done = { type: 'xstate.done.actor.persist' } as const;

const pure = suite('execution machine: pure transitions');

pure('a new execution is created (1) and requests nothing', () => {
  const [snapshot, actions] = initialTransition(executionMachine, { executionId: 42 });
  assert.is(snapshot.value, 'created');
  assert.is(snapshot.context.status, 1);
  assert.equal(effectTypes(actions), []);
});

pure('START → pending (5) and a claim → running (2): both recorded by their causes, nothing persisted', () => {
  const { snapshot, actions, persisted } = walk([{ type: 'START' }, { type: 'TASK_CLAIMED', workerAgentId: 'w1', attempt: 1 }]);
  assert.is(snapshot.value, 'running');
  assert.is(snapshot.context.status, 2);
  assert.is(snapshot.context.workerAgentId, 'w1');
  assert.equal(effectTypes(actions), []);
  assert.equal(persisted, []);
});

pure('a success the catalog recorded with the final report → succeeded (7) at once, final with output, no commit invoked', () => {
  const { snapshot, persisted } = walk([
    { type: 'START' },
    { type: 'TASK_CLAIMED', workerAgentId: 'w1', attempt: 1 },
    { type: 'TASK_RUNNING', workerAgentId: 'w1', attempt: 1 },
    { type: 'TASK_SUCCEEDED', attempt: 1, recorded: true },
  ]);
  assert.equal(persisted, []);
  assert.is(snapshot.value, 'succeeded');
  assert.is(snapshot.status, 'done');
  assert.equal(snapshot.output, { status: 7 });
});

pure('an end the catalog did not record goes through recording: the commit is invoked, its onDone → the final state', () => {
  let { snapshot, persisted } = walk([{ type: 'START' }, { type: 'TASK_CLAIMED', workerAgentId: 'w1', attempt: 1 }, { type: 'TASK_SUCCEEDED', attempt: 1 }]);
  assert.is(snapshot.value, 'recording');
  assert.is(snapshot.status, 'active');
  assert.equal(persisted, [7]);
  // Reports and stops meanwhile change nothing: the end is decided.
  [snapshot] = transition(executionMachine, snapshot, { type: 'STOP' });
  assert.is(snapshot.value, 'recording');
  [snapshot] = transition(executionMachine, snapshot, done as never);
  assert.is(snapshot.value, 'succeeded');
  assert.equal(snapshot.output, { status: 7 });
});

pure('a failed commit comes back as an event: persistFailed, retrying, then the commit is invoked again', () => {
  let { snapshot } = walk([{ type: 'START' }, { type: 'TASK_CLAIMED', workerAgentId: 'w', attempt: 1 }, { type: 'TASK_FAILED', attempt: 1 }]);
  let actions;
  [snapshot, actions] = transition(executionMachine, snapshot, { type: 'xstate.error.actor.persist', error: new Error('disk full') } as never);
  assert.is(snapshot.value, 'retrying');
  const failed = paramsOf<{ executionId: number; status: number; failures: number; retryInMs: number; error: { message: string } }>(actions, 'persistFailed')[0]!;
  assert.equal([failed.executionId, failed.status, failed.failures, failed.retryInMs, failed.error.message], [42, 4, 1, 250, 'disk full']);
  assert.is(persistBackoffMs(2), 500);
  assert.is(persistBackoffMs(20), 30_000);
});

pure('failure with retries: requeued stays running, the re-claim needs no commit, the final failure → 4', () => {
  const { snapshot, persisted } = walk([
    { type: 'START' },
    { type: 'TASK_CLAIMED', workerAgentId: 'w1', attempt: 1 },
    { type: 'TASK_REQUEUED', attempt: 1 },
    { type: 'TASK_CLAIMED', workerAgentId: 'w2', attempt: 2 },
    { type: 'TASK_FAILED', attempt: 2, message: 'boom', recorded: true },
  ]);
  assert.equal(persisted, []);
  assert.is(snapshot.value, 'failed');
  assert.is(snapshot.context.workerAgentId, 'w2');
  assert.is(snapshot.context.attempt, 2);
});

pure('lease lost on the last attempt → endedUnexpectedly (6); "completion" → completed (9)', () => {
  assert.is(walk([{ type: 'START' }, { type: 'TASK_CLAIMED', workerAgentId: 'w', attempt: 1 }, { type: 'TASK_LEASE_LOST', attempt: 1, recorded: true }]).snapshot.value, 'endedUnexpectedly');
  const unrecorded = walk([{ type: 'START' }, { type: 'TASK_CLAIMED', workerAgentId: 'w', attempt: 1 }, { type: 'TASK_LEASE_LOST', attempt: 1 }, done]);
  assert.equal(unrecorded.persisted, [6]);
  assert.is(unrecorded.snapshot.value, 'endedUnexpectedly');
  assert.equal(walk([{ type: 'START' }, { type: 'TASK_CLAIMED', workerAgentId: 'w', attempt: 1 }, { type: 'TASK_COMPLETED', attempt: 1, recorded: true }]).snapshot.output, { status: 9 });
});

pure('STOP while running → stopping (8) and cancels the tasks; CANCEL_CONFIRMED → canceled (3)', () => {
  let { snapshot, actions } = walk([{ type: 'START' }, { type: 'TASK_CLAIMED', workerAgentId: 'w', attempt: 1 }, { type: 'STOP', stopId: 99 }]);
  assert.is(snapshot.value, 'stopping');
  assert.is(snapshot.context.status, 8);
  assert.equal(effectTypes(actions), ['cancelTasks']);
  assert.equal(paramsOf(actions, 'cancelTasks')[0], { executionId: 42, stopId: 99 });
  [snapshot, actions] = transition(executionMachine, snapshot, { type: 'CANCEL_CONFIRMED' });
  assert.is(snapshot.value, 'recording');
  assert.equal(snapshot.children['persist'] !== undefined, true);
  assert.equal({ ...snapshot.context }, { executionId: 42, status: 3, workerAgentId: 'w', attempt: 1, stopId: 99, persistFailures: 0 });
});

pure('while stopping, success still wins and a failure or lost lease ends canceled', () => {
  const base: ExecutionEvent[] = [{ type: 'START' }, { type: 'TASK_CLAIMED', workerAgentId: 'w', attempt: 1 }, { type: 'STOP' }];
  assert.is(walk([...base, { type: 'TASK_SUCCEEDED', attempt: 1, recorded: true }]).snapshot.value, 'succeeded');
  assert.is(walk([...base, { type: 'TASK_FAILED', attempt: 1, recorded: true }]).snapshot.value, 'canceled');
  assert.is(walk([...base, { type: 'TASK_LEASE_LOST', attempt: 1 }, done]).snapshot.value, 'canceled');
});

pure('STOP while pending → canceled (3) at once (stop_operation completed it), skipping stopping', () => {
  const { snapshot, actions, persisted } = walk([{ type: 'START' }, { type: 'STOP', stopId: 5 }]);
  assert.is(snapshot.value, 'canceled');
  assert.equal(persisted, []);
  assert.equal(effectTypes(actions), ['cancelTasks']);
});

pure('STOP before START is ignored (the catalog refuses it with 27124)', () => {
  const { snapshot, actions } = walk([{ type: 'STOP' }]);
  assert.is(snapshot.value, 'created');
  assert.equal(effectTypes(actions), []);
});

pure('resuming a live execution enters its state without persisting anything', () => {
  for (const [status, state] of [[5, 'pending'], [2, 'running'], [8, 'stopping'], [7, 'succeeded']] as const) {
    const [snapshot, actions] = initialTransition(executionMachine, { executionId: 1, status, workerAgentId: 'w', attempt: 1 });
    assert.is(snapshot.value, state);
    assert.equal(effectTypes(actions), []);
  }
});

pure.run();

const live = suite('execution machine: the invoked commit on a simulated clock');

live('a commit that fails twice is retried after 250 ms then 500 ms on the actor clock, then the execution ends', async () => {
  const clock = new SimulatedClock();
  const rec = recorder(['cancelTasks', 'persistFailed'] as const);
  const tries: number[] = [];
  const persistOperationStatus = fromPromise<unknown, PersistOperationStatusParams>(async ({ input }) => {
    tries.push(input.status);
    if (tries.length <= 2) throw new Error(`catalog busy (${tries.length})`);
  });
  const actor = createActor(executionMachine.provide({ actions: rec.actions, actors: { persistOperationStatus } }), { clock, input: { executionId: 3, status: 2, workerAgentId: 'w', attempt: 1 } }).start();
  actor.send({ type: 'TASK_SUCCEEDED', attempt: 1 });
  await settle();
  assert.is(actor.getSnapshot().value, 'retrying');
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
  assert.equal(actor.getSnapshot().output, { status: 7 });
});

live.run();
