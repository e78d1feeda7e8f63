/**
 * The embedded catalog off the main thread (issue 15): `openSqliteCatalog({ thread: true })` opens
 * the same SqliteCatalog inside a worker thread (sqlite/catalog-thread.ts) and returns this proxy,
 * a SqliteCatalogStore whose every method posts `{ id, method, args }` and settles with the
 * thread's answer. Why: on a busy master the main thread ran every SQL statement and waited for
 * every group COMMIT's fsync (synchronous=FULL); now it only sends and receives messages, while the
 * thread batches the mutations that arrive during one fsync into the next group transaction.
 * Semantics are the in-thread store's: calls run in the order sent, a promise settles only after
 * its group's COMMIT returned, errors come back as the same SsoError (code, number, level, where).
 * Not supported in a thread: an injected `clock` (a function cannot cross threads; tests that need
 * one use the in-thread store).
 */
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { ErrorCodes, SsoError } from '../../actors/errors.ts';
import type { ErrorCode } from '../../actors/errors.ts';
import type { CatalogThreadAnswer, CatalogThreadReady, ThreadError } from './sqlite/catalog-thread.ts';
import type { OpenSqliteCatalogOptions, SqliteCatalogStore } from './sqlite-catalog-store.ts';

// `catalog-thread.ts` under tsx, `catalog-thread.js` from dist/ (as executor/pool/task-pool.ts does).
const ownExtension = /\.[cm]?[jt]s$/.exec(new URL(import.meta.url).pathname)?.[0] ?? '.js';
const THREAD_URL = new URL(`./sqlite/catalog-thread${ownExtension}`, import.meta.url);

/**
 * The thread's entry code. Under `node --import tsx` on Node 20 tsx's ESM hooks reach the main
 * thread only, so a `.ts` entry that `import()` refuses (ERR_UNKNOWN_FILE_EXTENSION) is loaded with
 * tsx's `tsImport`, as executor/pool/task-thread.ts does; compiled `.js` takes plain `import()`.
 */
function threadBootstrap(): string {
  const url = JSON.stringify(THREAD_URL.href);
  let tsx = 'null';
  if (ownExtension === '.ts') {
    try { tsx = JSON.stringify(import.meta.resolve('tsx/esm/api')); } catch { /* not installed: plain import() only */ }
  }
  return `import(${url}).catch((e) => {
    if (e?.code !== 'ERR_UNKNOWN_FILE_EXTENSION' || ${tsx} === null) throw e;
    return import(${tsx}).then((m) => m.tsImport(${url}, ${url}));
  });`;
}

/** Claimed executions' payloads kept for the master's next call (see claimTasks below). */
const PAYLOAD_KEEP = 1_000;

/** The catalog thread's young generation, MiB (see openSqliteCatalogInThread). */
const CATALOG_THREAD_YOUNG_MB = 4;

function fromThreadError(e: ThreadError): Error {
  if (e.code !== undefined && e.code in ErrorCodes) {
    const err = new SsoError(e.code as ErrorCode, e.message, {
      ...(e.number === undefined ? {} : { number: e.number }),
      ...(e.level === undefined ? {} : { level: e.level }),
      ...(e.where === undefined ? {} : { where: e.where }),
    });
    if (e.stack !== undefined) err.stack = e.stack;
    return err;
  }
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack !== undefined) err.stack = e.stack;
  return err;
}

export async function openSqliteCatalogInThread(options: OpenSqliteCatalogOptions): Promise<SqliteCatalogStore> {
  if (options.clock !== undefined) throw new SsoError('SSO_ERR_ILLEGAL_STATE', 'openSqliteCatalog: an injected clock cannot be used with thread: true', { where: 'clock' });
  const { clock: _clock, thread: _thread, ...plain } = options;
  // A small young generation: the thread allocates little at a time (rows, messages), and V8's
  // default semi-spaces would add tens of MiB to the master's RSS for nothing (bench/scale.ts).
  const worker = new Worker(threadBootstrap(), { eval: true, resourceLimits: { maxYoungGenerationSizeMb: CATALOG_THREAD_YOUNG_MB }, workerData: { catalogThread: true, options: plain }, ...(options.env === undefined ? {} : { env: { ...options.env } }) });
  // Whatever the thread throws reaches a listener (the ones below say what it means): never an
  // uncaught 'error' event, which would end the master with a stack trace.
  worker.on('error', () => undefined);
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let nextId = 1;
  let failed: Error | undefined;
  let closed: Promise<void> | undefined;
  const failAll = (error: Error): void => {
    failed ??= error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  const info = await new Promise<CatalogThreadReady>((resolve, reject) => {
    const onFirst = (m: CatalogThreadReady | { ready: false; error: ThreadError }): void => {
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (m.ready) resolve(m);
      else reject(fromThreadError(m.error));
    };
    const onError = (error: Error): void => { worker.off('message', onFirst); reject(error); };
    const onExit = (code: number): void => { worker.off('message', onFirst); reject(new SsoError('SSO_ERR_CATALOG_IO', `the catalog thread exited (${code}) before the catalog opened`, { where: options.path })); };
    worker.once('message', onFirst);
    worker.once('error', onError);
    worker.once('exit', onExit);
  }).catch(async (error: unknown) => { await worker.terminate(); throw error; });

  worker.on('message', (a: CatalogThreadAnswer) => {
    const w = waiting.get(a.id);
    if (w === undefined) return;
    waiting.delete(a.id);
    if (waiting.size === 0) worker.unref();
    if (a.ok) w.resolve(a.value);
    else w.reject(fromThreadError(a.error));
  });
  worker.on('error', (error) => failAll(new SsoError('SSO_ERR_CATALOG_IO', `the catalog thread failed: ${error.message}`, { where: options.path, cause: error })));
  worker.on('exit', (code) => failAll(new SsoError(closed ? 'SSO_ERR_ILLEGAL_STATE' : 'SSO_ERR_CATALOG_IO', closed ? 'The catalog is closed' : `the catalog thread exited (${code})`, { where: options.path })));
  // Idle, the thread does not keep the process alive (as an open in-thread connection does not);
  // while an answer is awaited it does.
  worker.unref();

  const call = (method: string, args: unknown[]): Promise<unknown> => {
    if (failed !== undefined) return Promise.reject(failed);
    return new Promise((resolve, reject) => {
      const id = nextId++;
      if (waiting.size === 0) worker.ref();
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, method, args });
    });
  };

  const store: Record<string, unknown> = {
    path: options.path,
    schemaVersion: info.schemaVersion,
    keySource: info.keySource,
    listViews: (): readonly string[] => info.views,
    // Read-only, on a connection of its own: WAL lets it read beside the thread's writer.
    integrityCheck: (): string => {
      const db = new Database(options.path, { readonly: true, fileMustExist: true });
      try {
        return String(db.pragma('integrity_check', { simple: true }));
      } finally {
        db.close();
      }
    },
    close: (): Promise<void> => {
      closed ??= (async () => {
        if (failed === undefined) await call('close', []).catch(() => undefined);
        await worker.terminate();
      })();
      return closed;
    },
  };
  // Benchmarks: the catalog thread's statement counters (SCALEOUT_CATALOG_THREAD_PRELOAD), or null.
  store['benchCounters'] = () => call('__benchCounters', []);
  for (const m of info.methods) {
    if (m in store) continue;
    store[m] = (...args: unknown[]) => call(m, args);
  }
  // A claim brings back its executions' payloads (read in the thread right after the claim's
  // COMMIT): the master's next call for each is answered here, one thread round trip less per
  // dispatched task. A payload is fixed once the execution started, so the early read is the same
  // read; one not asked for within PAYLOAD_KEEP entries is dropped (asked later: read again).
  const payloads = new Map<number, unknown>();
  if (info.methods.includes('claimTasks')) {
    store['claimTasks'] = async (...args: unknown[]) => {
      const out = await call('__claimTasksWithPayloads', args) as { tasks: unknown[]; payloads: [number, unknown][] };
      for (const [id, p] of out.payloads) {
        payloads.set(id, p);
        if (payloads.size > PAYLOAD_KEEP) payloads.delete(payloads.keys().next().value as number);
      }
      return out.tasks;
    };
    store['getExecutionPayload'] = (executionId: unknown) => {
      if (typeof executionId === 'number' && payloads.has(executionId)) {
        const p = payloads.get(executionId);
        payloads.delete(executionId);
        return Promise.resolve(p);
      }
      return call('getExecutionPayload', [executionId]);
    };
  }
  return store as unknown as SqliteCatalogStore;
}
