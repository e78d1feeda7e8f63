import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, initialTransition, SimulatedClock, transition } from 'xstate';
import { agentMachine, reconnectDelayMs, type AgentInput } from '../../actors/agent.machine.ts';
import type { AgentEvent } from '../../actors/events.ts';
import { advance, effectTypes, paramsOf, recorder } from './machine-helpers.ts';

const input: AgentInput = {
  agentId: 'a1', maxTaskCount: 2, taskRequestMaxCpu: 70, taskRequestMinMemoryMb: 100,
  agentHeartbeatMs: 60_000, reconnectBaseMs: 1_000, reconnectMaxMs: 30_000,
};

function walk(events: readonly AgentEvent[], agentInput: AgentInput = input) {
  let [snapshot, actions] = initialTransition(agentMachine, agentInput);
  const pulls: number[] = [];
  for (const event of events) {
    [snapshot, actions] = transition(agentMachine, snapshot, event);
    pulls.push(...paramsOf<{ freeSlots: number }>(actions, 'pull').map((p) => p.freeSlots));
  }
  return { snapshot, actions, pulls };
}

const welcomed = (enabled: boolean): AgentEvent[] => [{ type: 'CONNECTED' }, { type: 'WELCOME', enabled }];

const pure = suite('agent machine: pure transitions');

pure('starts connecting (openConnection), then registering says hello', () => {
  const [s0, a0] = initialTransition(agentMachine, input);
  assert.is(s0.value, 'connecting');
  assert.equal(paramsOf(a0, 'openConnection'), [{ agentId: 'a1', attempt: 1 }]);
  const [s1, a1] = transition(agentMachine, s0, { type: 'CONNECTED' });
  assert.is(s1.value, 'registering');
  assert.equal(paramsOf(a1, 'sendHello'), [{ agentId: 'a1', maxTaskCount: 2, runningTaskIds: [] }]);
});

pure('a disabled welcome waits for enable and pulls nothing; ENABLED_CHANGED(true) → active and pulls', () => {
  let { snapshot, pulls } = walk(welcomed(false));
  assert.is(snapshot.value, 'waitingForEnable');
  assert.equal(pulls, []);
  let actions;
  [snapshot, actions] = transition(agentMachine, snapshot, { type: 'ENABLED_CHANGED', enabled: true });
  assert.is(snapshot.value, 'active');
  assert.equal(paramsOf(actions, 'pull'), [{ agentId: 'a1', freeSlots: 2 }]);
});

pure('active pulls for its free slots and stops at MaxTaskCount; a finished task pulls again', () => {
  const { snapshot, pulls, actions } = walk([
    ...welcomed(true),
    { type: 'TASK_ASSIGNED', taskId: 't1', attempt: 1, assignment: { x: 1 } },
    { type: 'TASK_ASSIGNED', taskId: 't2', attempt: 1 },
  ]);
  assert.equal(pulls, [2, 1, 0]);
  assert.equal(snapshot.context.running, ['t1', 't2']);
  assert.equal(effectTypes(actions), ['startTaskRun', 'pull']);
  const [, a2] = transition(agentMachine, snapshot, { type: 'TASK_FINISHED', taskId: 't1' });
  assert.equal(paramsOf(a2, 'pull'), [{ agentId: 'a1', freeSlots: 1 }]);
});

pure('a duplicate assignment does not start a second run', () => {
  const { actions } = walk([...welcomed(true), { type: 'TASK_ASSIGNED', taskId: 't1', attempt: 1 }, { type: 'TASK_ASSIGNED', taskId: 't1', attempt: 1 }]);
  assert.equal(effectTypes(actions), []);
});

pure('CPU at or above TaskRequestMaxCPU, or memory at or below TaskRequestMinMemory, withdraws the pull', () => {
  assert.equal(walk([...welcomed(true), { type: 'PERF_SAMPLE', cpuPercent: 70, freeMemoryMb: 4000 }]).pulls, [2, 0]);
  assert.equal(walk([...welcomed(true), { type: 'PERF_SAMPLE', cpuPercent: 10, freeMemoryMb: 100 }]).pulls, [2, 0]);
  assert.equal(walk([...welcomed(true), { type: 'PERF_SAMPLE', cpuPercent: 69.9, freeMemoryMb: 100.5 }]).pulls, [2]);
  // A sample taken before the welcome gates the first pull.
  assert.equal(walk([{ type: 'PERF_SAMPLE', cpuPercent: 95, freeMemoryMb: 4000 }, ...welcomed(true)]).pulls, []);
  assert.equal(walk([{ type: 'PERF_SAMPLE', cpuPercent: 95, freeMemoryMb: 4000 }, ...welcomed(true), { type: 'PERF_SAMPLE', cpuPercent: 5, freeMemoryMb: 4000 }]).pulls, [2]);
});

pure('ENABLED_CHANGED(false) with a task → draining: the task goes on, no pulls; back to active on true', () => {
  let { snapshot, pulls } = walk([...welcomed(true), { type: 'TASK_ASSIGNED', taskId: 't1', attempt: 1 }, { type: 'ENABLED_CHANGED', enabled: false }]);
  assert.is(snapshot.value, 'draining');
  assert.equal(pulls, [2, 1, 0]);
  let actions;
  [snapshot, actions] = transition(agentMachine, snapshot, { type: 'TASK_FINISHED', taskId: 't1' });
  assert.is(snapshot.value, 'waitingForEnable');
  assert.equal(effectTypes(actions), []);
  [snapshot] = transition(agentMachine, snapshot, { type: 'ENABLED_CHANGED', enabled: true });
  assert.is(snapshot.value, 'active');
});

pure('STOP waits for in-flight tasks (draining), then stops and closes', () => {
  let { snapshot } = walk([...welcomed(true), { type: 'TASK_ASSIGNED', taskId: 't1', attempt: 1 }, { type: 'STOP' }]);
  assert.is(snapshot.value, 'draining');
  let actions;
  [snapshot] = transition(agentMachine, snapshot, { type: 'ENABLED_CHANGED', enabled: true });
  assert.is(snapshot.value, 'draining', 'a stopping agent does not pull again');
  [snapshot, actions] = transition(agentMachine, snapshot, { type: 'TASK_FINISHED', taskId: 't1' });
  assert.is(snapshot.value, 'stopped');
  assert.is(snapshot.status, 'done');
  assert.equal(effectTypes(actions), ['closeConnection']);
});

pure('STOP {force} stops at once and aborts every run', () => {
  const { snapshot, actions } = walk([...welcomed(true), { type: 'TASK_ASSIGNED', taskId: 't1', attempt: 1 }, { type: 'STOP', force: true }]);
  assert.is(snapshot.value, 'stopped');
  assert.equal(paramsOf(actions, 'abortAllTasks'), [{ taskIds: ['t1'] }]);
  assert.ok(effectTypes(actions).includes('closeConnection'));
});

pure('CONNECTION_LOST from any connected state → reconnecting; tasks are kept, the hello lists them', () => {
  for (const before of [[{ type: 'CONNECTED' }], welcomed(false), welcomed(true)] as AgentEvent[][]) {
    assert.is(walk([...before, { type: 'CONNECTION_LOST' }]).snapshot.value, 'reconnecting');
  }
  const { snapshot } = walk([...welcomed(true), { type: 'TASK_ASSIGNED', taskId: 't1', attempt: 1 }, { type: 'CONNECTION_LOST' }]);
  assert.equal(snapshot.context.running, ['t1']);
  assert.is(snapshot.context.pulledSlots, 0);
});

pure('the backoff doubles and is capped', () => {
  const delays = [1, 2, 3, 4, 5, 6, 7, 40].map((failures) => reconnectDelayMs({ reconnectBaseMs: 1_000, reconnectMaxMs: 30_000, failures }));
  assert.equal(delays, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
});

pure.run();

const timed = suite('agent machine: reconnect and heartbeats on a simulated clock');

const effects = ['openConnection', 'sendHello', 'sendHeartbeat', 'pull', 'startTaskRun', 'abortAllTasks', 'closeConnection'] as const;

timed('reconnect attempts follow the capped exponential backoff; a welcome resets it', () => {
  const clock = new SimulatedClock();
  const rec = recorder(effects);
  const opens: number[] = [];
  const actor = createActor(agentMachine.provide({ actions: { ...rec.actions, openConnection: () => { opens.push(clock.now()); } } }), { clock, input: { ...input, reconnectMaxMs: 5_000 } }).start();
  // Each failure waits base × 2^(n−1), capped at 5 s: 1 s, 2 s, 4 s, 5 s, 5 s.
  for (const delay of [1_000, 2_000, 4_000, 5_000, 5_000]) {
    const before = opens.length;
    actor.send({ type: 'CONNECT_FAILED' });
    advance(clock, delay - 1);
    assert.is(opens.length, before, `no attempt before ${delay} ms`);
    advance(clock, 1);
    assert.is(opens.length, before + 1, `an attempt after ${delay} ms`);
  }
  assert.equal(opens, [0, 1_000, 3_000, 7_000, 12_000, 17_000]);
  actor.send({ type: 'CONNECTED' });
  actor.send({ type: 'WELCOME', enabled: true });
  actor.send({ type: 'CONNECTION_LOST' });
  assert.is(actor.getSnapshot().context.failures, 1);
  advance(clock, 999);
  assert.is(actor.getSnapshot().value, 'reconnecting');
  advance(clock, 1);
  assert.is(actor.getSnapshot().value, 'connecting');
});

timed('agent heartbeats go out every interval once welcomed and stop while disconnected', () => {
  const clock = new SimulatedClock();
  const rec = recorder(effects);
  const actor = createActor(agentMachine.provide({ actions: rec.actions }), { clock, input }).start();
  actor.send({ type: 'CONNECTED' });
  advance(clock, 120_000, 1_000);
  assert.is(rec.of('sendHeartbeat').length, 0, 'no heartbeat before the welcome');
  actor.send({ type: 'WELCOME', enabled: true });
  advance(clock, 180_000, 1_000);
  assert.is(rec.of('sendHeartbeat').length, 3);
  actor.send({ type: 'CONNECTION_LOST' });
  advance(clock, 600, 100);
  actor.send({ type: 'CONNECT_FAILED' });
  advance(clock, 120_000, 1_000);
  assert.is(rec.of('sendHeartbeat').length, 3);
});

timed.run();
