/**
 * BullMQ on the no-op workload (bench/peers/workload.ts): one Queue and one Worker (concurrency 10)
 * in this process, against the redis-server bench/peers/run.ts started. Default job options (completed
 * jobs are kept, as our catalog keeps its executions).
 * Usage: node --import tsx bench/peers/bullmq-peer.ts <redis port> <jobs> <latency runs>
 */
import { Queue, Worker } from 'bullmq';
import { CONCURRENCY, makeEvents, printResult, runWorkload, sizesFromArgv } from './workload.ts';

const port = Number(process.argv[2]);
const { jobs, latency } = sizesFromArgv();
const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
const events = makeEvents();
const queue = new Queue<{ i: number }>('bench', { connection });
const worker = new Worker<{ i: number }>('bench', async (job) => { events.started(job.data.i); }, { connection, concurrency: CONCURRENCY });
worker.on('completed', (job) => events.done(job.data.i));
worker.on('failed', (job, err) => { console.error(`job ${job?.data.i} failed: ${err.message}`); process.exit(1); });
await worker.waitUntilReady();
try {
  printResult(await runWorkload({
    async enqueue(ids) {
      if (ids.length === 1) await queue.add('noop', { i: ids[0]! });
      else await queue.addBulk(ids.map((i) => ({ name: 'noop', data: { i } })));
    },
  }, events, jobs, latency));
} finally {
  await worker.close();
  await queue.close();
}
