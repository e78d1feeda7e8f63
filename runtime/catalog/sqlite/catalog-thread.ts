/**
 * The catalog writer's thread (issue 15): owns the SQLite connection of a master whose catalog runs
 * off the main thread (`openSqliteCatalog({ thread: true })`, see sqlite-catalog-thread.ts). Every
 * CatalogStore call arrives as a message `{ id, method, args }` and is run by the same SqliteCatalog
 * as in-thread, so the group commit (every mutation queued in one turn of this thread's loop runs
 * in ONE transaction, COMMIT with synchronous=FULL before any promise settles) and every rule are
 * unchanged; only the fsync and the SQL no longer block the main thread. Answers `{ id, ok, value }`
 * or `{ id, ok: false, error }` (the error as plain data: code, number, level, where, message).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SsoError } from '../../../actors/errors.ts';
import { openSqliteCatalog } from '../sqlite-catalog-store.ts';
import type { OpenSqliteCatalogOptions, SqliteCatalogStore } from '../sqlite-catalog-store.ts';

export interface CatalogThreadRequest { readonly id: number; readonly method: string; readonly args: readonly unknown[] }
export interface ThreadError { readonly name: string; readonly message: string; readonly code?: string; readonly number?: number; readonly level?: number; readonly where?: string; readonly stack?: string }
export type CatalogThreadAnswer =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: ThreadError };
export interface CatalogThreadReady {
  readonly ready: true;
  readonly methods: readonly string[];
  readonly keySource: string;
  readonly schemaVersion: number;
  readonly views: readonly string[];
}

export function toThreadError(error: unknown): ThreadError {
  if (SsoError.is(error)) {
    return {
      name: error.name, message: error.message, code: error.code, level: error.level,
      ...(error.number === undefined ? {} : { number: error.number }),
      ...(error.where === undefined ? {} : { where: error.where }),
      ...(error.stack === undefined ? {} : { stack: error.stack }),
    };
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}), ...(error.stack === undefined ? {} : { stack: error.stack }) };
  }
  return { name: 'Error', message: String(error) };
}

const port = parentPort;
if (port !== null && (workerData as { catalogThread?: unknown } | undefined)?.catalogThread === true) {
  const options = (workerData as { options: OpenSqliteCatalogOptions }).options;
  // Benchmarks only (bench/dispatch-counters.ts): a module that counts this thread's statements.
  const preload = process.env['SCALEOUT_CATALOG_THREAD_PRELOAD'];
  if (preload !== undefined && preload !== '') await import(preload);
  let store: SqliteCatalogStore | undefined;
  try {
    store = await openSqliteCatalog({ ...options, thread: false });
  } catch (error) {
    // Answered as the in-thread open would throw it; the main side ends the thread (no uncaught
    // error here: that would surface as a crash with a stack trace instead of the catalog's error).
    port.postMessage({ ready: false, error: toThreadError(error) });
  }
  if (store !== undefined) serve(port, store);
}

function serve(port: NonNullable<typeof parentPort>, store: SqliteCatalogStore): void {
  const proto = Object.getPrototypeOf(store) as object;
  const methods = Object.getOwnPropertyNames(proto).filter((m) => m !== 'constructor' && typeof (store as unknown as Record<string, unknown>)[m] === 'function');
  const ready: CatalogThreadReady = { ready: true, methods, keySource: store.keySource, schemaVersion: store.schemaVersion, views: store.listViews() };
  port.postMessage(ready);
  port.on('message', (req: CatalogThreadRequest) => {
    const answer = (out: CatalogThreadAnswer): void => {
      try {
        port.postMessage(out);
      } catch (error) {
        // A value structured clone cannot carry (never expected from the catalog): said, not lost.
        port.postMessage({ id: req.id, ok: false, error: toThreadError(new SsoError('SSO_ERR_CATALOG_IO', `catalog thread: the result of ${req.method} cannot be sent: ${(error as Error).message}`, { where: req.method })) });
      }
    };
    let result: unknown;
    if (req.method === '__claimTasksWithPayloads') {
      // claimTasks, then (after its COMMIT) the payload of each claimed execution, read here in the
      // same turn: the master sends a claimed task's payload next, and this saves it a round trip.
      const claim = store.claimTasks!(...(req.args as Parameters<NonNullable<SqliteCatalogStore['claimTasks']>>));
      claim.then(async (tasks) => {
        const payloads: [number, unknown][] = [];
        for (const t of tasks) {
          if (t.taskType !== 0 || t.executionId <= 0) continue;
          try { payloads.push([t.executionId, await store.getExecutionPayload(t.executionId)]); } catch { /* read again when asked, with its error */ }
        }
        answer({ id: req.id, ok: true, value: { tasks, payloads } });
      }, (error: unknown) => answer({ id: req.id, ok: false, error: toThreadError(error) }));
      return;
    }
    if (req.method === '__benchCounters') {
      // What the preloaded benchmark module counted (null without one).
      const read = (globalThis as { __scaleoutBenchCounters?: () => unknown }).__scaleoutBenchCounters;
      answer({ id: req.id, ok: true, value: read === undefined ? null : read() });
      return;
    }
    try {
      const fn = (store as unknown as Record<string, (...a: unknown[]) => unknown>)[req.method];
      if (typeof fn !== 'function') throw new SsoError('SSO_ERR_CATALOG_IO', `catalog thread: no method ${req.method}`, { where: req.method });
      result = fn.apply(store, req.args as unknown[]);
    } catch (error) {
      answer({ id: req.id, ok: false, error: toThreadError(error) });
      return;
    }
    if (result instanceof Promise) {
      result.then((value: unknown) => answer({ id: req.id, ok: true, value }), (error: unknown) => answer({ id: req.id, ok: false, error: toThreadError(error) }));
    } else {
      answer({ id: req.id, ok: true, value: result });
    }
    if (req.method === 'close') {
      void Promise.resolve(result).finally(() => port.close());
    }
  });
}
