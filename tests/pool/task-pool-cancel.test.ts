import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TaskPool } from '../../executor/pool/task-pool.ts';
import type { PackageEvent } from '../../executor/package/api.ts';
import { fixtureUrl, sampleRequest, type ThreadFixture } from '../fixtures/threads/index.ts';

// Two pools: `pool` gives a cooperative package ample time (so a slow machine cannot turn a clean stop
// into a termination), `strict` terminates after 200 ms (for packages that ignore the cancel).
const cancel = suite<{ pool: TaskPool; strict: TaskPool }>('task pool: cancellation is cooperative first, hard after the grace period');

cancel.before((ctx) => {
  ctx.pool = new TaskPool({ maxThreads: 1, minThreads: 0, cancelGraceMs: 60_000 });
  ctx.strict = new TaskPool({ maxThreads: 1, minThreads: 0, cancelGraceMs: 200 });
});
cancel.after(async (ctx) => {
  await Promise.all([ctx.pool.destroy(), ctx.strict.destroy()]);
});

/** Starts a fixture and resolves once it has told us it is running (its first event). */
function startRunning(pool: TaskPool, fixture: ThreadFixture, controller: AbortController, events: PackageEvent[] = []) {
  let markRunning!: () => void;
  const running = new Promise<void>((resolve) => { markRunning = resolve; });
  const result = pool.run(sampleRequest(), {
    runner: fixtureUrl(fixture),
    signal: controller.signal,
    onEvent: (e) => { events.push(e); if (events.length === 1) markRunning(); },
  });
  return { running, result };
}

cancel('a package that honours its signal ends as canceled with its own last events', async ({ pool }) => {
  const controller = new AbortController();
  const events: PackageEvent[] = [];
  const { running, result } = startRunning(pool, 'cooperative-cancel', controller, events);
  await running;
  controller.abort(new Error('stop_operation by test'));
  const r = await result;
  assert.equal(r, { outcome: 'canceled', errors: [] });
  assert.equal(events.map((e) => e.kind === 'message' && e.message.message), ['running', 'stopping on cancel']);
});

cancel('a package that ignores the cancel is terminated after the grace period and ends as canceled with a reason', async ({ strict: pool }) => {
  const controller = new AbortController();
  const { running, result } = startRunning(pool, 'hang', controller);
  await running;
  controller.abort();
  const r = await result;
  assert.is(r.outcome, 'canceled');
  assert.is(r.failure?.code, 'SSO_ERR_TASK_ABORTED');
  assert.match(r.failure?.message ?? '', /did not stop within 200 ms of the cancel request; its thread was terminated/);
  assert.is((await pool.run(sampleRequest(), { runner: fixtureUrl('ok') })).outcome, 'succeeded', 'the pool still runs packages');
});

cancel('the thread reports that it saw the cancel', async ({ pool }) => {
  const controller = new AbortController();
  const stages: string[] = [];
  let markRunning!: () => void;
  const running = new Promise<void>((resolve) => { markRunning = resolve; });
  const result = pool.run(sampleRequest(), {
    runner: fixtureUrl('cooperative-cancel'), signal: controller.signal,
    onEvent: () => markRunning(), onProgress: (p) => stages.push(p.stage),
  });
  await running;
  controller.abort();
  await result;
  assert.equal(stages, ['started', 'canceling']);
});

cancel('a queued run that is canceled is dropped without running', async ({ strict: pool }) => {
  const blocker = new AbortController();
  const first = startRunning(pool, 'hang', blocker);
  await first.running;
  const queuedController = new AbortController();
  const events: PackageEvent[] = [];
  const queued = pool.run(sampleRequest(), { runner: fixtureUrl('ok'), signal: queuedController.signal, onEvent: (e) => events.push(e) });
  assert.equal({ running: pool.counters.running, queued: pool.counters.queued }, { running: 1, queued: 1 });
  queuedController.abort();
  const r = await queued;
  assert.is(r.outcome, 'canceled');
  assert.match(r.failure?.message ?? '', /canceled before it started/);
  assert.equal(events, []);
  blocker.abort();
  assert.is((await first.result).outcome, 'canceled');
});

cancel('a signal aborted before run() is a canceled result at once', async ({ pool }) => {
  const r = await pool.run(sampleRequest(), { runner: fixtureUrl('ok'), signal: AbortSignal.abort() });
  assert.is(r.outcome, 'canceled');
  assert.equal(pool.counters.running + pool.counters.queued, 0);
});

cancel.run();
