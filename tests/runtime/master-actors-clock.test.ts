import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { pino } from 'pino';
import { SimulatedClock } from 'xstate';
import { MasterActors } from '../../runtime/master/master-actors.ts';
import type { MasterActorEffects } from '../../runtime/master/master-actors.ts';
import type { TaskRecord } from '../../actors/ports.ts';

// Issue 15: the master's root actor takes an injected clock like the machines, so the composed
// actor system (execution, task and worker actors with their provided effects) is tested on
// simulated time: a lease timer firing is the task actor's named `leaseRanOut` action, the claim
// and the end-status commit are promise actors whose results and failures come back as events.
const test = suite('master actors on a simulated clock');

const task = (over: Partial<TaskRecord> = {}): TaskRecord => ({
  taskId: 'a1b2c3d4-0000-4000-8000-000000000001', jobId: 'j', taskType: 0, executionId: 7, status: 2, maxExecutedCount: 1, executedCount: 1,
  isCancelled: false, workerAgentId: 'w1', readyForDispatchTime: null, expiredTime: null, lastPickupTime: null, createdTime: 0, lastUpdatedTime: 0,
  priority: 0, inputData: [], ...over,
});

/** Lets promise actors settle and their onDone/onError reach the machines (no timers involved). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function system(over: Partial<MasterActorEffects> = {}) {
  const clock = new SimulatedClock();
  const fired: string[] = [];
  const claims: [string, number][] = [];
  const assigned: string[][] = [];
  const commits: number[] = [];
  const actors: MasterActors = new MasterActors({
    logger: pino({ level: 'silent' }), leaseMs: 60_000, offlineAfterMs: 300_000, clock,
    effects: {
      claimTasks: async (w, n) => { claims.push([w, n]); return [task()]; },
      assignClaimed: (w, tasks) => {
        assigned.push(tasks.map((t) => t.taskId));
        for (const t of tasks) actors.claimed(t, w, 60_000, 5);
      },
      sendEnabledChanged: () => {},
      cancelOnWorker: () => {},
      persistOperationStatus: async (p) => { commits.push(p.status); },
      leaseTimerFired: (taskId) => { fired.push(taskId); },
      ...over,
    },
  });
  return { clock, actors, fired, claims, assigned, commits };
}

const online = (actors: MasterActors, maxTaskCount: number) => {
  actors.ensureWorker('w1', true);
  actors.sendWorker('w1', { type: 'HELLO', maxTaskCount, isEnabled: true, runningTaskIds: [] });
};

test('a claimed task whose worker never heartbeats: its lease timer fires leaseRanOut exactly at the lease, on simulated time', async () => {
  const { clock, actors, fired } = system();
  online(actors, 2);
  actors.claimed(task(), 'w1', 60_000, 5);
  assert.is(actors.stateOf('execution:7'), 'running');
  clock.increment(59_999);
  assert.equal(fired, [], 'not before the lease');
  clock.increment(1);
  assert.equal(fired, [task().taskId], 'the named lease action, once');
  assert.is(actors.stateOf(`task:${task().taskId}`), 'expiring', 'waiting for the expiry rules\' outcome');
  await actors.stop();
});

test('the worker actor invokes the claim for capacity, not the asked slots; its onDone assigns; committed heartbeats renew the lease', async () => {
  const { clock, actors, fired, claims, assigned } = system();
  online(actors, 3);
  actors.sendWorker('w1', { type: 'PULL', freeSlots: 5 });
  await settle();
  assert.equal(claims, [['w1', 3]]);
  assert.equal(assigned, [[task().taskId]]);
  assert.is(actors.stateOf('execution:7'), 'running');
  for (let i = 0; i < 5; i++) {
    clock.increment(50_000);
    actors.sendTask(task().taskId, { type: 'REPORTED', attempt: 1, workerAgentId: 'w1', reported: 2, status: 2, leaseMs: 60_000 });
  }
  assert.equal(fired, []);
  clock.increment(60_000);
  assert.equal(fired, [task().taskId]);
  await actors.stop();
});

test('a success the final report recorded ends both actors without a commit; the root stops them', async () => {
  const { actors, commits } = system();
  online(actors, 1);
  actors.sendWorker('w1', { type: 'PULL', freeSlots: 1 });
  await settle();
  actors.sendTask(task().taskId, { type: 'REPORTED', attempt: 1, workerAgentId: 'w1', reported: 5, status: 5, operationStatus: 7 });
  assert.equal(commits, []);
  assert.equal(actors.counts(), { executions: 0, tasks: 0, workers: 1 }, 'one actor per execution, stopped');
  await actors.stop();
});

test('an end the catalog did not record is committed by the execution; a failed commit is retried on the actor clock', async () => {
  let failures = 2;
  const tried: number[] = [];
  const { clock, actors } = system({
    persistOperationStatus: async (p) => { tried.push(p.status); if (failures-- > 0) throw new Error('database is locked'); },
  });
  online(actors, 1);
  actors.claimed(task(), 'w1', 60_000, 5);
  actors.sendTask(task().taskId, { type: 'REPORTED', attempt: 1, workerAgentId: 'w1', reported: 4, status: 4 });
  await settle();
  assert.equal(tried, [4]);
  assert.is(actors.stateOf('execution:7'), 'retrying');
  clock.increment(250);
  await settle();
  assert.equal(tried, [4, 4]);
  clock.increment(499);
  await settle();
  assert.equal(tried, [4, 4], 'the backoff doubles');
  clock.increment(1);
  await settle();
  assert.equal(tried, [4, 4, 4]);
  assert.is(actors.stateOf('execution:7'), undefined, 'ended and stopped');
  await actors.stop();
});

test.run();
