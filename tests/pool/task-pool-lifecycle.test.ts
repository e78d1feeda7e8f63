import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SsoError } from '../../actors/errors.ts';
import { TaskPool, resolveTaskPoolOptions } from '../../executor/pool/task-pool.ts';
import { fixtureUrl, sampleRequest } from '../fixtures/threads/index.ts';

const lifecycle = suite('task pool: lifecycle and options');

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try { await promise; } catch (error) { return error; }
  throw new Error('expected a rejection');
}

function startHang(pool: TaskPool) {
  let markRunning!: () => void;
  const running = new Promise<void>((resolve) => { markRunning = resolve; });
  const result = pool.run(sampleRequest(), { runner: fixtureUrl('hang'), onEvent: () => markRunning() });
  return { running, result };
}

lifecycle('close() lets a run in progress finish, then refuses runs naming the state', async () => {
  const states: string[] = [];
  const pool = new TaskPool({ maxThreads: 1, minThreads: 0, logger: { info: (o) => states.push(String((o as { to: string }).to)), warn() {} } });
  const run = pool.run(sampleRequest(), { runner: fixtureUrl('events'), runnerData: 100 });
  const closing = pool.close();
  assert.is(pool.state, 'closing');
  assert.is(pool.close(), closing, 'close() is idempotent: the same promise');
  const refused = await rejection(pool.run(sampleRequest(), { runner: fixtureUrl('ok') }));
  assert.ok(SsoError.is(refused));
  assert.is((refused as SsoError).code, 'SSO_ERR_ILLEGAL_STATE');
  assert.match((refused as SsoError).message, /the pool is closing/);
  assert.is((await run).outcome, 'succeeded');
  await closing;
  assert.is(pool.state, 'closed');
  assert.equal(states, ['closing', 'closed'], 'every state change is logged');
  assert.match(((await rejection(pool.run(sampleRequest()))) as Error).message, /the pool is closed/);
});

lifecycle('close() is bounded: a run still going after closeTimeoutMs is terminated and ends as failed', async () => {
  const pool = new TaskPool({ maxThreads: 1, minThreads: 0, closeTimeoutMs: 100 });
  const { running, result } = startHang(pool);
  await running;
  await pool.close();
  const r = await result;
  assert.is(r.outcome, 'failed');
  assert.match(r.errors[0] ?? '', /shut down before the package finished/);
  assert.is(pool.state, 'closed');
});

lifecycle('destroy() ends runs at once as failed, and is idempotent', async () => {
  const pool = new TaskPool({ maxThreads: 1, minThreads: 0 });
  const { running, result } = startHang(pool);
  await running;
  const destroying = pool.destroy();
  assert.is(pool.destroy(), destroying);
  await destroying;
  assert.is((await result).outcome, 'failed');
  assert.is(pool.state, 'closed');
  await pool.close();
});

lifecycle('options are validated, naming the option', () => {
  for (const [options, pattern] of [
    [{ maxThreads: 0 }, /maxThreads: expected an integer >= 1, got 0/],
    [{ maxThreads: 2.5 }, /maxThreads/],
    [{ minThreads: 3, maxThreads: 2 }, /minThreads \(3\) exceeds maxThreads \(2\)/],
    [{ maxOldGenerationSizeMb: 4 }, /maxOldGenerationSizeMb: expected an integer >= 16/],
    [{ cancelGraceMs: -1 }, /cancelGraceMs/],
    [{ name: '' }, /name: expected a non-empty string/],
  ] as const) {
    try {
      resolveTaskPoolOptions(options);
      assert.unreachable(`accepted ${JSON.stringify(options)}`);
    } catch (error) {
      assert.ok(SsoError.is(error), String(error));
      assert.is((error as SsoError).code, 'SSO_ERR_CONFIG_INVALID');
      assert.match((error as SsoError).message, pattern);
    }
  }
  const resolved = resolveTaskPoolOptions({ maxThreads: 3 });
  assert.is(resolved.maxThreads, 3);
  assert.is(resolved.minThreads, 1);
  assert.ok(Object.isFrozen(resolved));
});

lifecycle.run();
