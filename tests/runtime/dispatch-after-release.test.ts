/**
 * A worker whose slots are all taken pulls again as soon as a run ends; that pull can arrive before
 * the final report is applied to its `worker:` actor (which then grants nothing). The applied final
 * report must answer the outstanding pull, so an execution queued meanwhile starts at once instead of
 * waiting for an unrelated kick.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { startHarness } from '../helpers/scale-out-harness.ts';
import type { Harness } from '../helpers/scale-out-harness.ts';

const test = suite('dispatch after a slot is released');
let h: Harness;
test.before(async () => { h = await startHarness(); });
test.after(async () => { await h?.stop(); });

test('an execution queued while the only slot is busy runs when that slot frees, with no other event', async () => {
  const { agentId } = await h.addWorker({ maxTaskCount: 1 });
  await h.store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: agentId });
  await h.master.requestRefresh();
  const first = await h.run({ parameters: [{ name: 'HoldMs', value: '800' }] });
  await h.waitFor('first running', async () => ((await h.operationStatus(first)) === 2 ? true : undefined));
  const second = await h.run();
  assert.is(await h.operationStatus(second), 5, 'queued behind the busy slot');
  await h.waitFor('first ended', async () => ((await h.operationStatus(first)) === 7 ? true : undefined));
  // Nothing else happens from here on: no new execution, no catalog change, no kick.
  await h.waitFor('second ended without any other trigger', async () => ((await h.operationStatus(second)) === 7 ? true : undefined), 10_000);
});

test.run();
