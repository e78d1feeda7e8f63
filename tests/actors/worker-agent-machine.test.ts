import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, initialTransition, SimulatedClock, transition } from 'xstate';
import { freeSlots, workerAgentMachine, type WorkerAgentInput } from '../../actors/worker-agent.machine.ts';
import type { WorkerAgentEvent } from '../../actors/events.ts';
import { effectTypes, paramsOf, recorder } from './machine-helpers.ts';

const input: WorkerAgentInput = { workerAgentId: 'w1', offlineAfterMs: 180_000 };

function walk(events: readonly WorkerAgentEvent[], workerInput: WorkerAgentInput = input) {
  let [snapshot, actions] = initialTransition(workerAgentMachine, workerInput);
  for (const event of events) [snapshot, actions] = transition(workerAgentMachine, snapshot, event);
  return { snapshot, actions };
}

const pure = suite('worker-agent machine: pure transitions');

pure('a worker starts offline; PULL while offline is refused', () => {
  const { snapshot, actions } = walk([{ type: 'PULL', freeSlots: 3 }]);
  assert.is(snapshot.value, 'offline');
  assert.equal(paramsOf(actions, 'refusePull'), [{ workerAgentId: 'w1', reason: 'offline' }]);
});

pure('HELLO from a disabled worker → online.disabled.idle; PULL refused as disabled', () => {
  const { snapshot, actions } = walk([{ type: 'HELLO', maxTaskCount: 4 }, { type: 'PULL', freeSlots: 4 }]);
  assert.equal(snapshot.value, { online: { disabled: 'idle' } });
  assert.is(snapshot.context.capacity, 4);
  assert.equal(effectTypes(actions), ['refusePull']);
  assert.is(paramsOf<{ reason: string }>(actions, 'refusePull')[0]?.reason, 'disabled');
});

pure('ENABLE → enabled.idle and the worker is told; PULL claims min(asked, free) slots', () => {
  let { snapshot, actions } = walk([{ type: 'HELLO', maxTaskCount: 2 }, { type: 'ENABLE' }]);
  assert.equal(snapshot.value, { online: { enabled: 'idle' } });
  assert.equal(paramsOf(actions, 'notifyEnabledChanged'), [{ workerAgentId: 'w1', enabled: true }]);
  [snapshot, actions] = transition(workerAgentMachine, snapshot, { type: 'PULL', freeSlots: 5 });
  assert.equal(paramsOf(actions, 'claimTask'), [{ workerAgentId: 'w1', slots: 2 }]);
});

pure('assignments make it busy; when full, PULL is refused as full; a release frees a slot', () => {
  let { snapshot } = walk([{ type: 'HELLO', maxTaskCount: 2, isEnabled: true }, { type: 'TASK_ASSIGNED', taskId: 'a' }, { type: 'TASK_ASSIGNED', taskId: 'b' }]);
  assert.equal(snapshot.value, { online: { enabled: 'busy' } });
  assert.is(freeSlots(snapshot.context), 0);
  let actions;
  [snapshot, actions] = transition(workerAgentMachine, snapshot, { type: 'PULL', freeSlots: 1 });
  assert.is(paramsOf<{ reason: string }>(actions, 'refusePull')[0]?.reason, 'full');
  [snapshot] = transition(workerAgentMachine, snapshot, { type: 'TASK_RELEASED', taskId: 'a' });
  [snapshot, actions] = transition(workerAgentMachine, snapshot, { type: 'PULL', freeSlots: 1 });
  assert.equal(paramsOf(actions, 'claimTask'), [{ workerAgentId: 'w1', slots: 1 }]);
  [snapshot] = transition(workerAgentMachine, snapshot, { type: 'TASK_RELEASED', taskId: 'b' });
  assert.equal(snapshot.value, { online: { enabled: 'idle' } });
});

pure('PULL with 0 free slots withdraws', () => {
  const { actions } = walk([{ type: 'HELLO', maxTaskCount: 2, isEnabled: true }, { type: 'PULL', freeSlots: 0 }]);
  assert.is(paramsOf<{ reason: string }>(actions, 'refusePull')[0]?.reason, 'withdrawn');
});

pure('DISABLE while holding tasks = draining: no claims, tasks go on; the last release → disabled.idle', () => {
  let { snapshot, actions } = walk([{ type: 'HELLO', maxTaskCount: 2, isEnabled: true }, { type: 'TASK_ASSIGNED', taskId: 'a' }, { type: 'DISABLE' }]);
  assert.equal(snapshot.value, { online: { disabled: 'draining' } });
  assert.equal(paramsOf(actions, 'notifyEnabledChanged'), [{ workerAgentId: 'w1', enabled: false }]);
  [snapshot, actions] = transition(workerAgentMachine, snapshot, { type: 'PULL', freeSlots: 1 });
  assert.equal(effectTypes(actions), ['refusePull']);
  [snapshot] = transition(workerAgentMachine, snapshot, { type: 'TASK_RELEASED', taskId: 'a' });
  assert.equal(snapshot.value, { online: { disabled: 'idle' } });
});

pure('ENABLE of an enabled worker requests nothing; ENABLE while offline is only remembered', () => {
  assert.equal(effectTypes(walk([{ type: 'HELLO', maxTaskCount: 1, isEnabled: true }, { type: 'ENABLE' }]).actions), []);
  const { snapshot, actions } = walk([{ type: 'ENABLE' }, { type: 'HELLO', maxTaskCount: 1 }]);
  assert.equal(snapshot.value, { online: { enabled: 'idle' } });
  assert.equal(effectTypes(actions), ['markOnline']);
});

pure('a reconnecting worker reports its running tasks in HELLO', () => {
  const { snapshot } = walk([{ type: 'HELLO', maxTaskCount: 3, isEnabled: true, runningTaskIds: ['x', 'y', 'x'] }]);
  assert.equal(snapshot.context.taskIds, ['x', 'y']);
  assert.equal(snapshot.value, { online: { enabled: 'busy' } });
});

pure('DISCONNECTED → offline at once, holds kept', () => {
  const { snapshot, actions } = walk([{ type: 'HELLO', maxTaskCount: 1, isEnabled: true }, { type: 'TASK_ASSIGNED', taskId: 'a' }, { type: 'DISCONNECTED' }]);
  assert.is(snapshot.value, 'offline');
  assert.equal(snapshot.context.taskIds, ['a']);
  assert.equal(effectTypes(actions), ['markOffline']);
});

pure.run();

const timed = suite('worker-agent machine: liveness on a simulated clock');

timed('heartbeats keep it online; when they stop it goes offline after offlineAfter', () => {
  const clock = new SimulatedClock();
  const rec = recorder(['claimTask', 'refusePull', 'notifyEnabledChanged', 'markOnline', 'markOffline'] as const);
  const actor = createActor(workerAgentMachine.provide({ actions: rec.actions }), { clock, input }).start();
  actor.send({ type: 'HELLO', maxTaskCount: 2, isEnabled: true });
  actor.send({ type: 'TASK_ASSIGNED', taskId: 'a' });
  for (let i = 0; i < 5; i++) {
    clock.increment(60_000);
    actor.send({ type: 'HEARTBEAT' });
  }
  assert.equal(actor.getSnapshot().value, { online: { enabled: 'busy' } }, 'the substate survives the renewal');
  clock.increment(179_999);
  assert.equal(rec.of('markOffline'), []);
  clock.increment(1);
  assert.is(actor.getSnapshot().value, 'offline');
  assert.equal(rec.of('markOffline'), [{ workerAgentId: 'w1' }]);
  actor.send({ type: 'HELLO', maxTaskCount: 2 });
  assert.equal(actor.getSnapshot().value, { online: { enabled: 'busy' } });
});

timed.run();
