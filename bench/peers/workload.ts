/**
 * The no-op workload every system of `bench/peers` runs, the same shape as `bench/dispatch.ts`: a
 * warm-up of 5 jobs, then LATENCY jobs one at a time (enqueue → handler start, each waited to its end
 * before the next), then a burst of JOBS jobs enqueued in chunks of 500 while the consumer (concurrency
 * 10) already runs, timed from the first enqueue to the last job done. A peer supplies how to enqueue
 * and tells the workload when a handler starts and when a job is done; the child prints one `RESULT`
 * line of JSON that bench/peers/run.ts reads.
 */
import { performance } from 'node:perf_hooks';
export { percentile } from '../bench-cli.ts';
import { percentile } from '../bench-cli.ts';

export interface PeerResult {
  readonly jobsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly burstSeconds: number;
  /** The client process's CPU (enqueue and consumer; not the server's) per burst job, ms. */
  readonly clientCpuMsPerJob: number;
}

export interface PeerHooks {
  /** Enqueue jobs with these ids (payload `{ i }`); resolves when the enqueue is acknowledged. */
  enqueue(ids: readonly number[]): Promise<void>;
}

export interface PeerEvents {
  /** Call from the handler with the job's id, first thing. */
  started(i: number): void;
  /** Call when the job is done (completed and recorded by the system). */
  done(i: number): void;
}

export const CONCURRENCY = 10;
export const CHUNK = 500;


export function sizesFromArgv(): { jobs: number; latency: number } {
  const jobs = Number(process.argv[3]), latency = Number(process.argv[4]);
  if (!Number.isInteger(jobs) || !Number.isInteger(latency) || jobs < 1 || latency < 0) {
    console.error(`usage: ${process.argv[1]} <server> <jobs> <latency runs>; got '${process.argv.slice(2).join(' ')}'`);
    process.exit(2);
  }
  return { jobs, latency };
}

/** Tracks handler starts and completions by job id; shared by the peer and the workload. */
export function makeEvents(): PeerEvents & { startedAt: Map<number, number>; whenDone(i: number): Promise<void>; whenCount(n: number): Promise<void> } {
  const startedAt = new Map<number, number>();
  const waiting = new Map<number, () => void>();
  let count = 0, target = Infinity, reached: (() => void) | undefined;
  return {
    startedAt,
    started(i) { if (!startedAt.has(i)) startedAt.set(i, performance.now()); },
    done(i) {
      waiting.get(i)?.();
      waiting.delete(i);
      if (++count >= target) { reached?.(); reached = undefined; }
    },
    whenDone(i) { return new Promise((resolve) => waiting.set(i, resolve)); },
    whenCount(n) { count = 0; target = n; return new Promise((resolve) => { reached = resolve; }); },
  };
}

export async function runWorkload(hooks: PeerHooks, events: ReturnType<typeof makeEvents>, jobs: number, latencyRuns: number): Promise<PeerResult> {
  let next = 1;
  for (let w = 0; w < 5; w++) { const i = next++; const done = events.whenDone(i); await hooks.enqueue([i]); await done; }

  const latencies: number[] = [];
  for (let r = 0; r < latencyRuns; r++) {
    const i = next++;
    const done = events.whenDone(i);
    const t0 = performance.now();
    await hooks.enqueue([i]);
    await done;
    latencies.push(events.startedAt.get(i)! - t0);
  }
  latencies.sort((a, b) => a - b);

  const all = events.whenCount(jobs);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let k = 0; k < jobs; k += CHUNK) {
    const ids = Array.from({ length: Math.min(CHUNK, jobs - k) }, () => next++);
    await hooks.enqueue(ids);
  }
  await all;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { jobsPerSecond: jobs / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), burstSeconds: seconds, clientCpuMsPerJob: (cpu.user + cpu.system) / 1000 / jobs };
}

export function printResult(result: PeerResult): void {
  console.log(`RESULT ${JSON.stringify(result)}`);
}
