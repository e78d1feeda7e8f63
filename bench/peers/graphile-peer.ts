/**
 * Graphile Worker on the no-op workload (bench/peers/workload.ts): a runner (concurrency 10, default
 * options: LISTEN/NOTIFY wake-ups, no local queue) and WorkerUtils for enqueueing (`addJob`, `addJobs`
 * for a chunk) in this process, against the PostgreSQL server bench/peers/run.ts started. A job is done
 * at `job:complete` (its result written back to the database).
 * Usage: node --import tsx bench/peers/graphile-peer.ts <postgres url> <jobs> <latency runs>
 */
import { Logger, makeWorkerUtils, run } from 'graphile-worker';
import { CONCURRENCY, makeEvents, printResult, runWorkload, sizesFromArgv } from './workload.ts';

const connectionString = process.argv[2]!;
const { jobs, latency } = sizesFromArgv();
// Errors only: graphile's default logger prints a line per job.
const logger = new Logger(() => (level, message) => { if (level === 'error') console.error(message); });
const events = makeEvents();
const utils = await makeWorkerUtils({ connectionString, logger });
await utils.migrate();
const runner = await run({
  connectionString, concurrency: CONCURRENCY, noHandleSignals: true, logger,
  taskList: { noop: async (payload) => { events.started((payload as { i: number }).i); } },
});
runner.events.on('job:complete', ({ job, error }) => {
  if (error) { console.error(`job ${job.id} failed: ${String(error)}`); process.exit(1); }
  events.done((job.payload as { i: number }).i);
});
try {
  printResult(await runWorkload({
    async enqueue(ids) {
      if (ids.length === 1) await utils.addJob('noop', { i: ids[0]! });
      else await utils.addJobs(ids.map((i) => ({ identifier: 'noop', payload: { i } })));
    },
  }, events, jobs, latency));
} finally {
  await runner.stop();
  await utils.release();
}
