import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { pino } from 'pino';
import { SimulatedClock } from 'xstate';
import { MasterActors } from '../../runtime/master/master-actors.ts';
import type { TaskRecord } from '../../actors/ports.ts';

// Issue 15: the master's root actor takes an injected clock like the machines, so the composed
// actor system (execution, task and worker actors with their effects) is tested on simulated time:
// a lease timer firing is the task actor's named `leaseRanOut` action, observed without sleeping.
const test = suite('master actors on a simulated clock');

const task = (over: Partial<TaskRecord> = {}): TaskRecord => ({
  taskId: 'a1b2c3d4-0000-4000-8000-000000000001', jobId: 'j', taskType: 0, executionId: 7, status: 2, maxExecutedCount: 1, executedCount: 1,
  isCancelled: false, workerAgentId: 'w1', readyForDispatchTime: null, expiredTime: null, lastPickupTime: null, createdTime: 0, lastUpdatedTime: 0,
  priority: 0, inputData: [], ...over,
});

function system() {
  const clock = new SimulatedClock();
  const fired: string[] = [];
  const claims: [string, number][] = [];
  const actors = new MasterActors({
    logger: pino({ level: 'silent' }), leaseMs: 60_000, offlineAfterMs: 300_000, clock,
    effects: {
      claim: (w, n) => { claims.push([w, n]); },
      sendEnabledChanged: () => {},
      cancelOnWorker: () => {},
      persistOperationStatus: async (p) => p.status,
      leaseTimerFired: (taskId) => { fired.push(taskId); },
    },
  });
  return { clock, actors, fired, claims };
}

test('a claimed task whose worker never heartbeats: its lease timer fires leaseRanOut exactly at the lease, on simulated time', async () => {
  const { clock, actors, fired } = system();
  actors.ensureWorker('w1', true);
  actors.sendWorker('w1', { type: 'HELLO', maxTaskCount: 2, isEnabled: true, runningTaskIds: [] });
  actors.ensureExecution(7, 5);
  actors.claimed(task(), 'w1', 60_000);
  assert.is(actors.stateOf('execution:7'), 'running');
  clock.increment(59_999);
  assert.equal(fired, [], 'not before the lease');
  clock.increment(1);
  assert.equal(fired, [task().taskId], 'the named lease action, once');
  await actors.stop();
});

test('heartbeats renew the lease on the injected clock; the worker actor decides the claim size', async () => {
  const { clock, actors, fired, claims } = system();
  actors.ensureWorker('w1', true);
  actors.sendWorker('w1', { type: 'HELLO', maxTaskCount: 3, isEnabled: true, runningTaskIds: [] });
  actors.sendWorker('w1', { type: 'PULL', freeSlots: 5 });
  assert.equal(claims, [['w1', 3]], 'capacity, not the asked slots');
  actors.ensureExecution(7, 5);
  actors.claimed(task(), 'w1', 60_000);
  for (let i = 0; i < 5; i++) {
    clock.increment(50_000);
    actors.sendTask(task().taskId, { type: 'HEARTBEAT', attempt: 1, workerAgentId: 'w1', status: 2, leaseMs: 60_000 });
  }
  assert.equal(fired, []);
  clock.increment(60_000);
  assert.equal(fired, [task().taskId]);
  await actors.stop();
});

test.run();
