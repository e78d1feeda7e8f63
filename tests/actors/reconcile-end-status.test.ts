import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initialTransition, transition } from 'xstate';
import { endStatusOfEndedTask, executionMachine, type ExecutionInput } from '../../actors/execution.machine.ts';
import type { ExecutionEvent, TaskEvent } from '../../actors/events.ts';

// The master's reconcile (runtime/master/README.md) ends an execution whose task is final but whose
// operation is not with `endStatusOfEndedTask`. Contract: the status the execution actor itself would
// have recorded for that task end, had the catalog not recorded it. Checked against the machine.

const test = suite('reconcile: the end status an ended task implies');

const task = { taskId: 't1', executionId: 42, maxExecutedCount: 1, leaseMs: 60_000 };
const pending: ExecutionInput = { executionId: 42, status: 5, task };

/** The status the machine decides (and would persist) after a claim, a heartbeat, `before` and the final report `reported`. */
function machineEnd(reported: 4 | 5 | 6, before: readonly (ExecutionEvent | TaskEvent)[] = []): number {
  let [snapshot] = initialTransition(executionMachine, pending);
  const events: (ExecutionEvent | TaskEvent)[] = [
    { type: 'CLAIMED', workerAgentId: 'w1' },
    { type: 'REPORTED', attempt: 1, reported: 2, status: 2 },
    ...before,
    // No operationStatus: the catalog did not record the end with the report.
    { type: 'REPORTED', attempt: 1, reported: reported, status: reported },
  ];
  for (const e of events) [snapshot] = transition(executionMachine, snapshot, e as ExecutionEvent);
  assert.is((snapshot.value as { operation: unknown }).operation, 'recording', 'the machine records the end itself');
  return snapshot.context.status;
}

test('succeeded → 7, failed → 4, canceled → 3 for a running execution, as the machine decides', () => {
  assert.is(endStatusOfEndedTask(5, 2, false), 7);
  assert.is(endStatusOfEndedTask(4, 2, false), 4);
  assert.is(endStatusOfEndedTask(6, 2, true), 3);
  assert.is(machineEnd(5), 7);
  assert.is(machineEnd(4), 4);
  assert.is(machineEnd(6), 3);
});

test('while stopping (8): a success wins (7), a failure ends as the cancel (3), as the machine decides', () => {
  const stop: ExecutionEvent = { type: 'STOP' };
  assert.is(endStatusOfEndedTask(5, 8, true), 7);
  assert.is(endStatusOfEndedTask(4, 8, true), 3);
  assert.is(endStatusOfEndedTask(6, 8, true), 3);
  assert.is(machineEnd(5, [stop]), 7);
  assert.is(machineEnd(4, [stop]), 3);
  assert.is(machineEnd(6, [stop]), 3);
});

test('a failed task flagged cancelled ends canceled even if the operation never showed the stop', () => {
  assert.is(endStatusOfEndedTask(4, 2, true), 3);
  assert.is(endStatusOfEndedTask(4, 5, false), 4);
});

test('a task that is not final implies nothing', () => {
  for (const s of [1, 2, 3, 0, 7, 99]) assert.is(endStatusOfEndedTask(s, 2, false), null, `task status ${s}`);
});

test.run();
