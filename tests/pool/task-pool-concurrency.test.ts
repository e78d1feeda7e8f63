import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { TaskPool } from '../../executor/pool/task-pool.ts';
import { fixtureUrl, sampleRequest } from '../fixtures/threads/index.ts';
import { SLOT } from '../fixtures/threads/concurrency-gate.ts';

const concurrency = suite<{ pool: TaskPool }>('task pool: never more than maxThreads packages at once');
const MAX = 4;
const BURST = 200;

concurrency.before((ctx) => {
  ctx.pool = new TaskPool({ maxThreads: MAX, minThreads: 1 });
});
concurrency.after(async (ctx) => {
  await ctx.pool.destroy();
});

/** Polls until `ok()` holds; bounded, so a broken pool fails the test instead of hanging the run. */
async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 3_000; i++) {
    if (ok()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting until ${what}`);
}

concurrency(`a burst of ${BURST} runs holds exactly ${MAX} threads busy, the rest queued`, async ({ pool }) => {
  const shared = new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT);
  const slots = new Int32Array(shared);
  const runs = Array.from({ length: BURST }, (_, i) => pool.run(sampleRequest(i + 1), { runner: fixtureUrl('concurrency-gate'), runnerData: shared }));
  try {
    // With the gate closed, the first MAX runs block inside their threads: the pool is saturated.
    await until(`${MAX} runs are inside threads`, () => Atomics.load(slots, SLOT.current) === MAX && pool.counters.running === MAX);
    assert.is(pool.counters.queued, BURST - MAX);
    assert.is(Atomics.load(slots, SLOT.max), MAX);
  } finally {
    Atomics.store(slots, SLOT.gate, 1);
    Atomics.notify(slots, SLOT.gate);
  }
  const results = await Promise.all(runs);
  assert.ok(results.every((r) => r.outcome === 'succeeded'));
  assert.is(Atomics.load(slots, SLOT.finished), BURST);
  assert.is(Atomics.load(slots, SLOT.max), MAX, 'the high-water mark never exceeded maxThreads');
  assert.equal(pool.counters, { running: 0, queued: 0, completed: BURST });
});

concurrency.run();
