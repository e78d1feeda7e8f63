import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, fromPromise, initialTransition, SimulatedClock, transition } from 'xstate';
import type { TaskRecord } from '../../actors/ports.ts';
import { freeSlots, workerAgentMachine, type WorkerAgentInput } from '../../actors/worker-agent.machine.ts';
import type { WorkerAgentEvent } from '../../actors/events.ts';
import { effectTypes, paramsOf, recorder, settle } from './machine-helpers.ts';

const input: WorkerAgentInput = { workerAgentId: 'w1', offlineAfterMs: 180_000 };

function walk(events: readonly WorkerAgentEvent[], workerInput: WorkerAgentInput = input) {
  let [snapshot, actions] = initialTransition(workerAgentMachine, workerInput);
  for (const event of events) [snapshot, actions] = transition(workerAgentMachine, snapshot, event);
  return { snapshot, actions };
}

/** The `link` region's state (the `claim` region is beside it). */
const link = (snapshot: { value: unknown }) => (snapshot.value as { link: unknown }).link;

const pure = suite('worker-agent machine: pure transitions');

pure('a worker starts offline; PULL while offline is refused', () => {
  const { snapshot, actions } = walk([{ type: 'PULL', freeSlots: 3 }]);
  assert.is(link(snapshot), 'offline');
  assert.equal(paramsOf(actions, 'refusePull'), [{ workerAgentId: 'w1', reason: 'offline' }]);
});

pure('HELLO from a disabled worker → online.disabled.idle; PULL refused as disabled', () => {
  const { snapshot, actions } = walk([{ type: 'HELLO', maxTaskCount: 4 }, { type: 'PULL', freeSlots: 4 }]);
  assert.equal(link(snapshot), { online: { disabled: 'idle' } });
  assert.is(snapshot.context.capacity, 4);
  assert.equal(effectTypes(actions), ['refusePull']);
  assert.is(paramsOf<{ reason: string }>(actions, 'refusePull')[0]?.reason, 'disabled');
});

pure('ENABLE → enabled.idle and the worker is told; PULL claims min(asked, free) slots', () => {
  let { snapshot, actions } = walk([{ type: 'HELLO', maxTaskCount: 2 }, { type: 'ENABLE' }]);
  assert.equal(link(snapshot), { online: { enabled: 'idle' } });
  assert.equal(paramsOf(actions, 'notifyEnabledChanged'), [{ workerAgentId: 'w1', enabled: true }]);
  [snapshot, actions] = transition(workerAgentMachine, snapshot, { type: 'PULL', freeSlots: 5 });
  assert.is((snapshot.value as { claim: string }).claim, 'claiming');
  assert.is(snapshot.context.claimingSlots, 2);
  assert.ok(snapshot.children['claim'], 'the claim is invoked');
});

pure('assignments make it busy; when full, PULL is refused as full; a release frees a slot', () => {
  let { snapshot } = walk([{ type: 'HELLO', maxTaskCount: 2, isEnabled: true }, { type: 'TASK_ASSIGNED', taskId: 'a' }, { type: 'TASK_ASSIGNED', taskId: 'b' }]);
  assert.equal(link(snapshot), { online: { enabled: 'busy' } });
  assert.is(freeSlots(snapshot.context), 0);
  let actions;
  [snapshot, actions] = transition(workerAgentMachine, snapshot, { type: 'PULL', freeSlots: 1 });
  assert.is(paramsOf<{ reason: string }>(actions, 'refusePull')[0]?.reason, 'full');
  [snapshot] = transition(workerAgentMachine, snapshot, { type: 'TASK_RELEASED', taskId: 'a' });
  [snapshot, actions] = transition(workerAgentMachine, snapshot, { type: 'PULL', freeSlots: 1 });
  assert.is(snapshot.context.claimingSlots, 1);
  [snapshot] = transition(workerAgentMachine, snapshot, { type: 'TASK_RELEASED', taskId: 'b' });
  assert.equal(link(snapshot), { online: { enabled: 'idle' } });
});

pure('PULL with 0 free slots withdraws', () => {
  const { actions } = walk([{ type: 'HELLO', maxTaskCount: 2, isEnabled: true }, { type: 'PULL', freeSlots: 0 }]);
  assert.is(paramsOf<{ reason: string }>(actions, 'refusePull')[0]?.reason, 'withdrawn');
});

pure('DISABLE while holding tasks = draining: no claims, tasks go on; the last release → disabled.idle', () => {
  let { snapshot, actions } = walk([{ type: 'HELLO', maxTaskCount: 2, isEnabled: true }, { type: 'TASK_ASSIGNED', taskId: 'a' }, { type: 'DISABLE' }]);
  assert.equal(link(snapshot), { online: { disabled: 'draining' } });
  assert.equal(paramsOf(actions, 'notifyEnabledChanged'), [{ workerAgentId: 'w1', enabled: false }]);
  [snapshot, actions] = transition(workerAgentMachine, snapshot, { type: 'PULL', freeSlots: 1 });
  assert.equal(effectTypes(actions), ['refusePull']);
  [snapshot] = transition(workerAgentMachine, snapshot, { type: 'TASK_RELEASED', taskId: 'a' });
  assert.equal(link(snapshot), { online: { disabled: 'idle' } });
});

pure('ENABLE of an enabled worker requests nothing; ENABLE while offline is only remembered', () => {
  assert.equal(effectTypes(walk([{ type: 'HELLO', maxTaskCount: 1, isEnabled: true }, { type: 'ENABLE' }]).actions), []);
  const { snapshot, actions } = walk([{ type: 'ENABLE' }, { type: 'HELLO', maxTaskCount: 1 }]);
  assert.equal(link(snapshot), { online: { enabled: 'idle' } });
  assert.equal(effectTypes(actions), ['markOnline']);
});

pure('a reconnecting worker reports its running tasks in HELLO', () => {
  const { snapshot } = walk([{ type: 'HELLO', maxTaskCount: 3, isEnabled: true, runningTaskIds: ['x', 'y', 'x'] }]);
  assert.equal(snapshot.context.taskIds, ['x', 'y']);
  assert.equal(link(snapshot), { online: { enabled: 'busy' } });
});

pure('DISCONNECTED → offline at once, holds kept', () => {
  const { snapshot, actions } = walk([{ type: 'HELLO', maxTaskCount: 1, isEnabled: true }, { type: 'TASK_ASSIGNED', taskId: 'a' }, { type: 'DISCONNECTED' }]);
  assert.is(link(snapshot), 'offline');
  assert.equal(snapshot.context.taskIds, ['a']);
  assert.equal(effectTypes(actions), ['markOffline']);
});

const claimed = (ids: readonly string[]) => ({ type: 'xstate.done.actor.claim', output: ids.map((taskId) => ({ taskId })) }) as never;

pure('the claim comes back as onDone: assignClaimed with the committed tasks, which are held at once', () => {
  let { snapshot } = walk([{ type: 'HELLO', maxTaskCount: 3, isEnabled: true }, { type: 'PULL', freeSlots: 3 }]);
  let actions;
  // A pull meanwhile is refused as `claiming`: the claim's end serves it again.
  [snapshot, actions] = transition(workerAgentMachine, snapshot, { type: 'PULL', freeSlots: 3 });
  assert.equal(paramsOf(actions, 'refusePull'), [{ workerAgentId: 'w1', reason: 'claiming' }]);
  assert.is(freeSlots(snapshot.context), 0, 'the slots being claimed count');
  [snapshot, actions] = transition(workerAgentMachine, snapshot, claimed(['a', 'b']));
  assert.is((snapshot.value as { claim: string }).claim, 'idle');
  assert.equal(paramsOf<{ workerAgentId: string; slots: number; tasks: { taskId: string }[] }>(actions, 'assignClaimed'), [{ workerAgentId: 'w1', slots: 3, tasks: [{ taskId: 'a' }, { taskId: 'b' }] }]);
  assert.equal(snapshot.context.taskIds, ['a', 'b']);
  assert.is(snapshot.context.claimingSlots, 0);
  assert.is(freeSlots(snapshot.context), 1);
});

pure('a failed claim comes back as onError: claimFailed, nothing held, the next pull claims again', () => {
  let { snapshot } = walk([{ type: 'HELLO', maxTaskCount: 2, isEnabled: true }, { type: 'PULL', freeSlots: 2 }]);
  let actions;
  [snapshot, actions] = transition(workerAgentMachine, snapshot, { type: 'xstate.error.actor.claim', error: new Error('database is locked') } as never);
  const failed = paramsOf<{ workerAgentId: string; slots: number; error: { message: string } }>(actions, 'claimFailed')[0]!;
  assert.equal([failed.workerAgentId, failed.slots, failed.error.message], ['w1', 2, 'database is locked']);
  assert.equal(snapshot.context.taskIds, []);
  [snapshot] = transition(workerAgentMachine, snapshot, { type: 'PULL', freeSlots: 2 });
  assert.is(snapshot.context.claimingSlots, 2);
});

pure('a claim in flight when the worker disconnects still comes back (its tasks are then the lease sweep\'s)', () => {
  let { snapshot } = walk([{ type: 'HELLO', maxTaskCount: 2, isEnabled: true }, { type: 'PULL', freeSlots: 1 }, { type: 'DISCONNECTED' }]);
  assert.is(link(snapshot), 'offline');
  let actions;
  [snapshot, actions] = transition(workerAgentMachine, snapshot, claimed(['a']));
  assert.is(paramsOf(actions, 'assignClaimed').length, 1);
});

pure.run();

const timed = suite('worker-agent machine: liveness on a simulated clock');

timed('heartbeats keep it online; when they stop it goes offline after offlineAfter', () => {
  const clock = new SimulatedClock();
  const rec = recorder(['assignClaimed', 'claimFailed', 'refusePull', 'notifyEnabledChanged', 'markOnline', 'markOffline'] as const);
  const actor = createActor(workerAgentMachine.provide({ actions: rec.actions }), { clock, input }).start();
  actor.send({ type: 'HELLO', maxTaskCount: 2, isEnabled: true });
  actor.send({ type: 'TASK_ASSIGNED', taskId: 'a' });
  for (let i = 0; i < 5; i++) {
    clock.increment(60_000);
    actor.send({ type: 'HEARTBEAT' });
  }
  assert.equal(link(actor.getSnapshot()), { online: { enabled: 'busy' } }, 'the substate survives the renewal');
  clock.increment(179_999);
  assert.equal(rec.of('markOffline'), []);
  clock.increment(1);
  assert.is(link(actor.getSnapshot()), 'offline');
  assert.equal(rec.of('markOffline'), [{ workerAgentId: 'w1' }]);
  actor.send({ type: 'HELLO', maxTaskCount: 2 });
  assert.equal(link(actor.getSnapshot()), { online: { enabled: 'busy' } });
});

timed('a provided claimTasks promise: the claim runs once per pull and its tasks reach assignClaimed', async () => {
  const rec = recorder(['assignClaimed', 'claimFailed', 'refusePull', 'notifyEnabledChanged', 'markOnline', 'markOffline'] as const);
  const asked: number[] = [];
  const claimTasks = fromPromise<readonly TaskRecord[], { workerAgentId: string; slots: number }>(async ({ input: i }) => {
    asked.push(i.slots);
    return [{ taskId: 'x' } as TaskRecord];
  });
  const actor = createActor(workerAgentMachine.provide({ actions: rec.actions, actors: { claimTasks } }), { input }).start();
  actor.send({ type: 'HELLO', maxTaskCount: 4, isEnabled: true });
  actor.send({ type: 'PULL', freeSlots: 2 });
  actor.send({ type: 'PULL', freeSlots: 2 });
  await settle();
  assert.equal(asked, [2]);
  assert.equal(rec.of('refusePull'), [{ workerAgentId: 'w1', reason: 'claiming' }]);
  assert.equal(rec.of('assignClaimed').map((p) => (p['tasks'] as TaskRecord[]).map((t) => t.taskId)), [['x']]);
  assert.equal(link(actor.getSnapshot()), { online: { enabled: 'idle' } }, 'busy once its task actor confirms the assignment');
  actor.send({ type: 'TASK_ASSIGNED', taskId: 'x' });
  assert.equal(link(actor.getSnapshot()), { online: { enabled: 'busy' } });
});

timed.run();
