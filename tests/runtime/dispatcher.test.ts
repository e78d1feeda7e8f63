import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { pino } from 'pino';
import { SimulatedClock } from 'xstate';
import type { WebSocket } from 'ws';
import { Dispatcher } from '../../runtime/master/dispatcher.ts';
import { AgentChannel } from '../../runtime/transport/agent-channel.ts';
import type { CatalogStore, TaskRecord } from '../../actors/ports.ts';

// The dispatcher without sockets or a catalog: a channel over a recording socket, a store that
// answers only what dispatch asks (claims, payloads). The `worker:` actor invokes the claim; what
// happens around a claim in flight is what these tests pin.
const test = suite('dispatcher: claims through the worker actor');

const task = (n: number): TaskRecord => ({
  taskId: `a1b2c3d4-0000-4000-8000-00000000000${n}`, jobId: 'j', taskType: 0, executionId: n, status: 2, maxExecutedCount: 1, executedCount: 1,
  isCancelled: false, workerAgentId: 'w1', readyForDispatchTime: null, expiredTime: null, lastPickupTime: null, createdTime: 0, lastUpdatedTime: 0,
  priority: 0, inputData: [],
});

/** Lets promises settle and the actors' onDone reach the machines (no timers involved). */
const settle = async (turns = 3): Promise<void> => { for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r)); };

function setup(claims: ((slots: number) => Promise<readonly TaskRecord[]>)[]) {
  const sent: { type: string; taskId?: string; assignments?: { taskId: string }[] }[] = [];
  const socket = { send: (text: string) => { sent.push(JSON.parse(text)); } } as unknown as WebSocket;
  const conn = new AgentChannel(socket, '127.0.0.1', 'thumb');
  Object.assign(conn, { agentId: 'w1', enabled: true, leaseMs: 60_000, protocol: 2, pullSlots: 2 });
  const asked: number[] = [];
  const store = {
    claimTasks: async (_: unknown, input: { limit: number }) => {
      asked.push(input.limit);
      const next = claims.shift();
      return next ? next(input.limit) : [];
    },
    getExecutionPayload: async () => ({}),
  } as unknown as CatalogStore;
  const connections = new Map([['w1', conn]]);
  const dispatcher = new Dispatcher({
    store, logger: pino({ level: 'silent' }), clock: { now: () => 0 }, leaseMs: 60_000, actorClock: new SimulatedClock(),
    connections, responsive: () => true,
  });
  dispatcher.actors.ensureWorker('w1', true);
  dispatcher.actors.sendWorker('w1', { type: 'HELLO', maxTaskCount: 2, isEnabled: true, runningTaskIds: [] });
  const assigned = () => sent.flatMap((f) => (f.type === 'assign' ? [f.taskId!] : f.type === 'assign-batch' ? f.assignments!.map((a) => a.taskId) : []));
  return { dispatcher, conn, asked, assigned };
}

test('a pull claims for its slots; the committed claim is assigned in one frame', async () => {
  const { dispatcher, asked, assigned } = setup([async () => [task(1), task(2)]]);
  dispatcher.kick();
  await settle();
  assert.equal(asked, [2]);
  assert.equal(assigned(), [task(1).taskId, task(2).taskId]);
  assert.equal([...dispatcher.assignments().keys()], [task(1).taskId, task(2).taskId]);
  assert.is(dispatcher.actors.stateOf(`execution:1`), 'running');
  await dispatcher.close();
});

test('a kick that finds the claim in flight (new work after its statement ran) is served when that claim ends', async () => {
  let release!: (tasks: readonly TaskRecord[]) => void;
  const { dispatcher, asked, assigned } = setup([
    () => new Promise((resolve) => { release = resolve; }),
    async () => [task(3)],
  ]);
  dispatcher.kick();
  await settle();
  assert.equal(asked, [2], 'the first claim is in flight');
  dispatcher.kick(); // start_execution committed a new task meanwhile
  await settle();
  assert.equal(asked, [2], 'refused as claiming: one claim at a time');
  release([]);
  await settle();
  assert.equal(asked, [2, 2], 'served again when the claim ended');
  assert.equal(assigned(), [task(3).taskId]);
  await dispatcher.close();
});

test('a failed claim comes back to the worker actor; the next kick claims again', async () => {
  const { dispatcher, asked, assigned } = setup([async () => { throw new Error('database is locked'); }, async () => [task(4)]]);
  dispatcher.kick();
  await settle();
  assert.equal(assigned(), []);
  assert.equal((dispatcher.actors.stateOf('worker:w1') as { claim: string }).claim, 'idle');
  dispatcher.kick();
  await settle();
  assert.equal(asked, [2, 2]);
  assert.equal(assigned(), [task(4).taskId]);
  await dispatcher.close();
});

test.run();
