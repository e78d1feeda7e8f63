import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, fromPromise, initialTransition, SimulatedClock, transition } from 'xstate';
import { runPackageActor, taskRunMachine, type TaskRunInput } from '../../actors/task-run.machine.ts';
import type { RunOutcome } from '../../actors/events.ts';
import type { ExecutionPayload } from '../../actors/ports.ts';
import { advance, effectTypes, paramsOf, recorder, settle } from './machine-helpers.ts';

const payload: ExecutionPayload = {
  executionId: 42, operationGuid: 'g', folderName: 'F', projectName: 'P', projectId: 1, projectVersionLsn: 7,
  projectSha256: 'ab'.repeat(32), packageName: 'Load.dtsx', use32BitRuntime: false, parameters: [], propertyOverrides: [],
};
const input: TaskRunInput = { taskId: 't1', attempt: 2, payload, taskHeartbeatMs: 10_000, heartbeatErrorToleranceMs: 60_000, abortGraceMs: 5_000 };

const pure = suite('task-run machine: pure transitions');

pure('on receipt the first heartbeat (2) goes out at once and the project fetch starts', () => {
  const [snapshot, actions] = initialTransition(taskRunMachine, input);
  assert.is(snapshot.value, 'preparing');
  assert.equal(paramsOf(actions, 'sendTaskHeartbeat'), [{ taskId: 't1', attempt: 2, status: 2 }]);
});

pure('CANCEL while preparing reports canceled (6) without running anything', () => {
  const [s0] = initialTransition(taskRunMachine, input);
  const [s1, actions] = transition(taskRunMachine, s0, { type: 'CANCEL' });
  assert.is(s1.value, 'reporting');
  assert.equal(paramsOf(actions, 'reportFinalStatus'), [{ taskId: 't1', attempt: 2, status: 6, message: 'Canceled before the run started' }]);
  const [s2] = transition(taskRunMachine, s1, { type: 'REPORT_ACKED' });
  assert.equal(s2.output, { taskId: 't1', attempt: 2, status: 6, message: 'Canceled before the run started' });
});

pure('a tolerance check without any failure re-arms instead of killing', () => {
  const [s0] = initialTransition(taskRunMachine, input);
  const [s1, actions] = transition(taskRunMachine, s0, { type: 'TOLERANCE_CHECK' });
  assert.is(s1.value, 'preparing');
  assert.equal(effectTypes(actions), []);
});

pure.run();

const live = suite('task-run machine: runs on a simulated clock');

const effects = ['sendTaskHeartbeat', 'abortRun', 'reportFinalStatus'] as const;

interface Harness {
  clock: SimulatedClock;
  rec: ReturnType<typeof recorder<(typeof effects)[number]>>;
  actor: ReturnType<typeof createActor<typeof taskRunMachine>>;
  signals: AbortSignal[];
  finishRun: (result: RunOutcome) => void;
}

/** A run that ends when told to, or as canceled when its signal fires (unless `ignoreAbort`). */
function start(opts: { fetch?: () => Promise<Uint8Array>; ignoreAbort?: boolean; runThrows?: Error; input?: Partial<TaskRunInput> } = {}): Harness {
  const clock = new SimulatedClock();
  const rec = recorder(effects);
  const signals: AbortSignal[] = [];
  let finish: (result: RunOutcome) => void = () => { throw new Error('run not started'); };
  const machine = taskRunMachine.provide({
    actions: rec.actions,
    actors: {
      fetchProject: fromPromise(opts.fetch ?? (async () => new Uint8Array([80, 75]))),
      runPackage: runPackageActor(async (runInput, signal) => {
        assert.equal(Array.from(runInput.projectBytes), [80, 75]);
        signals.push(signal);
        if (opts.runThrows) throw opts.runThrows;
        return new Promise<RunOutcome>((resolve) => {
          finish = resolve;
          if (!opts.ignoreAbort) signal.addEventListener('abort', () => resolve({ outcome: 'canceled', errors: ['The package was canceled'] }));
        });
      }),
    },
  });
  const actor = createActor(machine, { clock, input: { ...input, ...opts.input } }).start();
  return { clock, rec, actor, signals, finishRun: (r) => finish(r) };
}

live('success: preparing → running → reporting 5 (re-sent until acked) → done', async () => {
  const h = start();
  await settle();
  assert.is(h.actor.getSnapshot().value, 'running');
  h.finishRun({ outcome: 'succeeded', errors: [] });
  await settle();
  assert.is(h.actor.getSnapshot().value, 'reporting');
  assert.equal(h.rec.of('reportFinalStatus'), [{ taskId: 't1', attempt: 2, status: 5, message: null }]);
  advance(h.clock, 10_000, 1_000);
  assert.is(h.rec.of('reportFinalStatus').length, 2, 'the report is repeated until acknowledged');
  h.actor.send({ type: 'REPORT_ACKED' });
  assert.equal(h.actor.getSnapshot().output, { taskId: 't1', attempt: 2, status: 5, message: null });
  assert.ok(h.signals[0]?.aborted, 'the finished run child was stopped');
});

live('task heartbeats go out every taskHeartbeatMs while held, and stop once reporting', async () => {
  const h = start();
  await settle();
  advance(h.clock, 30_000, 1_000);
  assert.is(h.rec.of('sendTaskHeartbeat').length, 4);
  h.finishRun({ outcome: 'failed', errors: ['Error 1', 'Error 2'] });
  await settle();
  advance(h.clock, 30_000, 1_000);
  assert.is(h.rec.of('sendTaskHeartbeat').length, 4);
  assert.equal(h.rec.of('reportFinalStatus')[0], { taskId: 't1', attempt: 2, status: 4, message: 'Error 1\nError 2' });
});

live('a project that cannot be fetched ends failed with the reason', async () => {
  const h = start({ fetch: async () => { throw new Error('404 from master'); } });
  await settle();
  const report = h.rec.of('reportFinalStatus')[0];
  assert.is(report?.['status'], 4);
  assert.match(String(report?.['message']), /could not be fetched: 404 from master/);
});

live('a run that throws (thread crash) ends failed with its message', async () => {
  const h = start({ runThrows: new Error('worker thread exited with code 1') });
  await settle();
  await settle();
  assert.equal(h.rec.of('reportFinalStatus')[0], { taskId: 't1', attempt: 2, status: 4, message: 'worker thread exited with code 1' });
});

live('CANCEL while running → aborting: the run signal fires, the run ends, reported 6', async () => {
  const h = start();
  await settle();
  h.actor.send({ type: 'CANCEL' });
  assert.is(h.actor.getSnapshot().value, 'aborting');
  assert.ok(h.signals[0]?.aborted);
  assert.equal(h.rec.of('abortRun'), [{ taskId: 't1', attempt: 2, reason: 'canceled' }]);
  await settle();
  assert.equal(h.rec.of('reportFinalStatus')[0], { taskId: 't1', attempt: 2, status: 6, message: 'The package was canceled' });
});

live('a heartbeat answered 6 aborts the run; heartbeats while aborting report 3', async () => {
  const h = start({ ignoreAbort: true, input: { abortGraceMs: 30_000 } });
  await settle();
  h.actor.send({ type: 'HEARTBEAT_OK', status: 6 });
  assert.is(h.actor.getSnapshot().value, 'aborting');
  advance(h.clock, 10_000, 1_000);
  assert.is(h.actor.getSnapshot().value, 'aborting');
  assert.is(h.rec.of('sendTaskHeartbeat').at(-1)?.['status'], 3);
});

live('a run that ignores the abort is given up after abortGrace', async () => {
  const h = start({ ignoreAbort: true });
  await settle();
  h.actor.send({ type: 'CANCEL' });
  advance(h.clock, 4_999);
  assert.is(h.actor.getSnapshot().value, 'aborting');
  advance(h.clock, 1);
  assert.is(h.actor.getSnapshot().value, 'reporting');
  assert.is(h.rec.of('reportFinalStatus')[0]?.['status'], 6);
});

live('success wins over a late cancel', async () => {
  const h = start({ ignoreAbort: true });
  await settle();
  h.actor.send({ type: 'CANCEL' });
  h.finishRun({ outcome: 'succeeded', errors: [] });
  await settle();
  assert.is(h.rec.of('reportFinalStatus')[0]?.['status'], 5);
});

live('heartbeats failing for the tolerance since the last success kill the run: failed with a message', async () => {
  const h = start({ ignoreAbort: true });
  await settle();
  h.actor.send({ type: 'HEARTBEAT_OK', status: 2 }); // last success at t=0
  for (let t = 10_000; t < 60_000; t += 10_000) {
    advance(h.clock, 10_000, 1_000);
    h.actor.send({ type: 'HEARTBEAT_FAILED' });
  }
  assert.is(h.actor.getSnapshot().value, 'running');
  advance(h.clock, 10_000, 1_000);
  assert.is(h.actor.getSnapshot().value, 'reporting');
  assert.equal(h.rec.of('abortRun'), [{ taskId: 't1', attempt: 2, reason: 'heartbeat-tolerance' }]);
  assert.ok(h.signals[0]?.aborted, 'the run was killed');
  const report = h.rec.of('reportFinalStatus')[0];
  assert.is(report?.['status'], 4);
  assert.match(String(report?.['message']), /failed for 60000 ms/);
});

live('a success in between restarts the tolerance', async () => {
  const h = start();
  await settle();
  advance(h.clock, 50_000, 1_000);
  h.actor.send({ type: 'HEARTBEAT_FAILED' });
  h.actor.send({ type: 'HEARTBEAT_OK', status: 2 });
  advance(h.clock, 50_000, 1_000);
  h.actor.send({ type: 'HEARTBEAT_FAILED' });
  advance(h.clock, 9_000, 1_000);
  assert.is(h.actor.getSnapshot().value, 'running');
  advance(h.clock, 1_000, 1_000);
  assert.is(h.actor.getSnapshot().value, 'reporting');
});

live('without provided actors the run fails with a clear message instead of hanging', async () => {
  const rec = recorder(effects);
  const actor = createActor(taskRunMachine.provide({ actions: rec.actions }), { clock: new SimulatedClock(), input }).start();
  await settle();
  assert.match(String(rec.of('reportFinalStatus')[0]?.['message']), /fetchProject actor was not provided/);
  actor.stop();
});

live.run();
