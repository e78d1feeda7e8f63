/**
 * Loaded into the catalog's thread by bench/dispatch.ts (SCALEOUT_CATALOG_THREAD_PRELOAD): counts
 * that thread's SQL statements and COMMITs as dispatch-counters.ts does on the main thread, and
 * exposes them to the thread's `__benchCounters` request. Benchmarks only.
 */
import { bySource, counters, installCounters, msBySource } from './dispatch-counters.ts';

installCounters();
(globalThis as { __scaleoutBenchCounters?: () => unknown }).__scaleoutBenchCounters = () => ({
  counters: { ...counters },
  bySource: bySource === null ? null : [...bySource],
  msBySource: msBySource === null ? null : [...msBySource],
});
