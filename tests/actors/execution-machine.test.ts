import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, initialTransition, transition } from 'xstate';
import { executionMachine } from '../../actors/execution.machine.ts';
import type { ExecutionEvent } from '../../actors/events.ts';
import { effectTypes, paramsOf, recorder } from './machine-helpers.ts';

const pure = suite('execution machine: pure transitions');

function walk(events: readonly ExecutionEvent[], input = { executionId: 42 }) {
  let [snapshot, actions] = initialTransition(executionMachine, input);
  const persisted: number[] = [];
  for (const event of events) {
    [snapshot, actions] = transition(executionMachine, snapshot, event);
    persisted.push(...paramsOf<{ status: number }>(actions, 'persistOperationStatus').map((p) => p.status));
  }
  return { snapshot, actions, persisted };
}

pure('a new execution is created (1) and requests nothing', () => {
  const [snapshot, actions] = initialTransition(executionMachine, { executionId: 42 });
  assert.is(snapshot.value, 'created');
  assert.is(snapshot.context.status, 1);
  assert.equal(effectTypes(actions), []);
});

pure('START → pending (5), persisted with the execution id', () => {
  const { snapshot, actions } = walk([{ type: 'START' }]);
  assert.is(snapshot.value, 'pending');
  assert.equal(effectTypes(actions), ['persistOperationStatus']);
  assert.equal(paramsOf(actions, 'persistOperationStatus')[0], { executionId: 42, status: 5, workerAgentId: null, attempt: 0, stopId: null });
});

pure('claimed → running (2) with the worker and attempt; success → succeeded (7), final with output', () => {
  const { snapshot, persisted } = walk([
    { type: 'START' },
    { type: 'TASK_CLAIMED', workerAgentId: 'w1', attempt: 1 },
    { type: 'TASK_RUNNING', workerAgentId: 'w1', attempt: 1 },
    { type: 'TASK_SUCCEEDED', attempt: 1 },
  ]);
  assert.equal(persisted, [5, 2, 7]);
  assert.is(snapshot.value, 'succeeded');
  assert.is(snapshot.status, 'done');
  assert.equal(snapshot.output, { status: 7 });
});

pure('failure with retries: requeued stays running, the re-claim is persisted again, final failure → 4', () => {
  const { snapshot, persisted } = walk([
    { type: 'START' },
    { type: 'TASK_CLAIMED', workerAgentId: 'w1', attempt: 1 },
    { type: 'TASK_REQUEUED', attempt: 1 },
    { type: 'TASK_CLAIMED', workerAgentId: 'w2', attempt: 2 },
    { type: 'TASK_FAILED', attempt: 2, message: 'boom' },
  ]);
  assert.equal(persisted, [5, 2, 2, 4]);
  assert.is(snapshot.value, 'failed');
  assert.is(snapshot.context.workerAgentId, 'w2');
  assert.is(snapshot.context.attempt, 2);
});

pure('a repeated TASK_RUNNING of the same claim requests nothing', () => {
  const { actions } = walk([
    { type: 'START' },
    { type: 'TASK_CLAIMED', workerAgentId: 'w1', attempt: 1 },
    { type: 'TASK_RUNNING', workerAgentId: 'w1', attempt: 1 },
  ]);
  assert.equal(effectTypes(actions), []);
});

pure('lease lost on the last attempt → endedUnexpectedly (6)', () => {
  const { snapshot, persisted } = walk([{ type: 'START' }, { type: 'TASK_CLAIMED', workerAgentId: 'w', attempt: 1 }, { type: 'TASK_LEASE_LOST', attempt: 1 }]);
  assert.is(snapshot.value, 'endedUnexpectedly');
  assert.equal(persisted, [5, 2, 6]);
});

pure('"completion" result → completed (9)', () => {
  const { snapshot } = walk([{ type: 'START' }, { type: 'TASK_CLAIMED', workerAgentId: 'w', attempt: 1 }, { type: 'TASK_COMPLETED', attempt: 1 }]);
  assert.equal(snapshot.output, { status: 9 });
});

pure('STOP while running → stopping (8) and cancels the tasks; CANCEL_CONFIRMED → canceled (3)', () => {
  let { snapshot, actions } = walk([{ type: 'START' }, { type: 'TASK_CLAIMED', workerAgentId: 'w', attempt: 1 }, { type: 'STOP', stopId: 99 }]);
  assert.is(snapshot.value, 'stopping');
  assert.equal(effectTypes(actions), ['cancelTasks', 'persistOperationStatus']);
  assert.equal(paramsOf(actions, 'cancelTasks')[0], { executionId: 42, stopId: 99 });
  [snapshot, actions] = transition(executionMachine, snapshot, { type: 'CANCEL_CONFIRMED' });
  assert.is(snapshot.value, 'canceled');
  assert.equal(paramsOf(actions, 'persistOperationStatus')[0], { executionId: 42, status: 3, workerAgentId: 'w', attempt: 1, stopId: 99 });
});

pure('while stopping, success still wins and a failure or lost lease ends canceled', () => {
  const base: ExecutionEvent[] = [{ type: 'START' }, { type: 'TASK_CLAIMED', workerAgentId: 'w', attempt: 1 }, { type: 'STOP' }];
  assert.is(walk([...base, { type: 'TASK_SUCCEEDED', attempt: 1 }]).snapshot.value, 'succeeded');
  assert.is(walk([...base, { type: 'TASK_FAILED', attempt: 1 }]).snapshot.value, 'canceled');
  assert.is(walk([...base, { type: 'TASK_LEASE_LOST', attempt: 1 }]).snapshot.value, 'canceled');
});

pure('STOP while pending → canceled (3) at once, skipping stopping', () => {
  const { snapshot, actions, persisted } = walk([{ type: 'START' }, { type: 'STOP', stopId: 5 }]);
  assert.is(snapshot.value, 'canceled');
  assert.equal(persisted, [5, 3]);
  assert.equal(effectTypes(actions), ['cancelTasks', 'persistOperationStatus']);
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

const live = suite('execution machine: provided effects');

live('an actor runs the provided persistOperationStatus on each change and ends with its output', () => {
  const rec = recorder(['persistOperationStatus', 'cancelTasks'] as const);
  const actor = createActor(executionMachine.provide({ actions: rec.actions }), { input: { executionId: 3 } }).start();
  actor.send({ type: 'START' });
  actor.send({ type: 'TASK_CLAIMED', workerAgentId: 'w', attempt: 1 });
  actor.send({ type: 'TASK_SUCCEEDED', attempt: 1 });
  assert.equal(rec.of('persistOperationStatus').map((p) => p['status']), [5, 2, 7]);
  assert.is(actor.getSnapshot().status, 'done');
  assert.equal(actor.getSnapshot().output, { status: 7 });
});

live.run();
