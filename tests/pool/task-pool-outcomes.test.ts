import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TaskPool } from '../../executor/pool/task-pool.ts';
import type { PackageEvent } from '../../executor/package/api.ts';
import { fixtureUrl, sampleRequest } from '../fixtures/threads/index.ts';

const outcomes = suite<{ pool: TaskPool }>('task pool: every way a run ends becomes a result');

outcomes.before((ctx) => {
  ctx.pool = new TaskPool({ maxThreads: 2, minThreads: 0, maxOldGenerationSizeMb: 32 });
});
outcomes.after(async (ctx) => {
  await ctx.pool.destroy();
});

function messages(events: PackageEvent[]): string[] {
  return events.map((e) => (e.kind === 'message' ? e.message.message : e.kind === 'statistic' ? `statistic ${e.statistic.executableName}` : `phase ${e.phase.subcomponentName} ${e.phase.phase}`));
}

outcomes('a run that succeeds returns the engine result and its events, with the request delivered', async ({ pool }) => {
  const events: PackageEvent[] = [];
  const result = await pool.run(sampleRequest(7, 'Load.dtsx'), { runner: fixtureUrl('ok'), onEvent: (e) => events.push(e) });
  assert.equal(result, { outcome: 'succeeded', errors: [] });
  assert.equal(messages(events), ['ran Load.dtsx']);
  assert.is(events[0]?.kind === 'message' && events[0].message.operationId, 7);
});

outcomes('every event arrives, in order, before run() resolves', async ({ pool }) => {
  const events: PackageEvent[] = [];
  const result = await pool.run(sampleRequest(), { runner: fixtureUrl('events'), runnerData: 300, onEvent: (e) => events.push(e) });
  assert.is(result.outcome, 'succeeded');
  assert.equal(messages(events), Array.from({ length: 300 }, (_, i) => `event ${i}`));
});

outcomes('a runner that throws ends as failed with its message', async ({ pool }) => {
  const result = await pool.run(sampleRequest(), { runner: fixtureUrl('throw') });
  assert.is(result.outcome, 'failed');
  assert.equal(result.errors, ['boom from the throw fixture']);
  assert.is(result.failure?.message, 'boom from the throw fixture');
});

outcomes('process.exit in a thread ends that run as failed and the pool runs the next one', async ({ pool }) => {
  const events: PackageEvent[] = [];
  const result = await pool.run(sampleRequest(), { runner: fixtureUrl('crash'), onEvent: (e) => events.push(e) });
  assert.is(result.outcome, 'failed');
  assert.is(result.failure?.code, 'SSO_ERR_TASK_CRASHED');
  assert.match(result.errors[0] ?? '', /crashed: worker exited with code: 3/);
  assert.equal(messages(events), ['about to exit'], 'events posted before the exit are still delivered');
  assert.is((await pool.run(sampleRequest(), { runner: fixtureUrl('ok') })).outcome, 'succeeded');
});

outcomes('a package that exhausts its heap limit fails alone, and the pool carries on', async ({ pool }) => {
  const result = await pool.run(sampleRequest(), { runner: fixtureUrl('oom') });
  assert.is(result.outcome, 'failed');
  assert.is(result.failure?.code, 'SSO_ERR_TASK_CRASHED');
  assert.match(result.errors[0] ?? '', /ran out of memory \(thread heap limit 32 MB\)/);
  assert.is((await pool.run(sampleRequest(), { runner: fixtureUrl('ok') })).outcome, 'succeeded');
});

outcomes('a runner returning something that is not a result fails with a message saying what is wrong', async ({ pool }) => {
  const result = await pool.run(sampleRequest(), { runner: fixtureUrl('invalid-result') });
  assert.is(result.outcome, 'failed');
  assert.match(result.errors[0] ?? '', /invalid result \(outcome: expected 'succeeded' \| 'failed' \| 'canceled', got "maybe"\)/);
});

outcomes('a runner module that cannot be loaded fails with its name', async ({ pool }) => {
  const result = await pool.run(sampleRequest(), { runner: new URL('./no-such-runner.ts', fixtureUrl('ok')) });
  assert.is(result.outcome, 'failed');
  assert.is(result.failure?.code, 'SSO_ERR_PACKAGE_RUN');
  assert.match(result.errors[0] ?? '', /cannot load the package runner .*no-such-runner\.ts/);
});

outcomes('a throwing onEvent callback does not disturb the run', async ({ pool }) => {
  const result = await pool.run(sampleRequest(), { runner: fixtureUrl('events'), runnerData: 5, onEvent: () => { throw new Error('listener bug'); } });
  assert.is(result.outcome, 'succeeded');
});

outcomes('counters end at zero running and queued, with every run counted as completed', async ({ pool }) => {
  const before = pool.counters.completed;
  await Promise.all([1, 2, 3].map(() => pool.run(sampleRequest(), { runner: fixtureUrl('ok') })));
  assert.equal(pool.counters, { running: 0, queued: 0, completed: before + 3 });
});

outcomes.run();
