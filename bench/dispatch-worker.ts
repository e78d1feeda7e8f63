/**
 * The worker process of `bench/dispatch.ts --processes`: one worker agent (the data folder's worker
 * configuration, the empty runner unless `--engine`) in its own process, as in production. Started
 * and stopped (SIGTERM: drains and exits) by the benchmark; prints `ready` once started.
 * Usage: node --import tsx bench/dispatch-worker.ts <worker config> [--engine]
 */
import { startWorker } from '../runtime/agent/index.ts';

const config = process.argv[2];
if (config === undefined) { console.error('usage: dispatch-worker.ts <worker config> [--engine]'); process.exit(2); }
const engine = process.argv.includes('--engine');
const worker = await startWorker(config, { env: process.env, noWait: true, ...(engine ? {} : { runner: new URL('./fixtures/empty-runner.ts', import.meta.url) }) });
console.log('ready');
const stop = async (): Promise<void> => {
  await worker.stop().catch((err: unknown) => console.error(err));
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
