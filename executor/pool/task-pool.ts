/**
 * The worker agent's package executor: one Piscina pool (maxThreads = MaxTaskCount) running each package
 * in its own thread with a heap limit, so a package that throws, exits, hangs or exhausts memory dies
 * alone. Every way a run can end is turned into a `RunPackageResult`; `run()` never rejects for a
 * package problem. Cancellation is cooperative first and hard (thread terminated) after a grace period.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { SsoError, serializeError, type SerializedError } from '../../actors/errors.ts';
import type { PackageEvent, RunPackageRequest, RunPackageResult } from '../package/api.ts';
import {
  ThreadMessageType, describeInvalidResult, isPortOutput,
  type ProgressOutput, type RunPackageInput, type TerminalOutput,
} from './thread-protocol.ts';

/** The slice of a pino logger the pool uses. */
export interface PoolLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface TaskPoolOptions {
  /** Most packages running at once (`MaxTaskCount`). Further runs wait in the queue. @default 10 */
  readonly maxThreads?: number;
  /** Threads kept alive while idle, so the next run starts without a thread spin-up. @default 1 */
  readonly minThreads?: number;
  /** An idle thread above `minThreads` exits after this long. @default 60000 */
  readonly idleTimeoutMs?: number;
  /**
   * Heap (old generation) limit of each package thread, in MB. A package that exceeds it is
   * terminated and ends as `failed`; the agent and the other packages carry on. @default 1024
   */
  readonly maxOldGenerationSizeMb?: number;
  /** After a cancel, how long the package may take to stop by itself before its thread is terminated. @default 30000 */
  readonly cancelGraceMs?: number;
  /** `close()` waits this long for runs in progress, then terminates them. @default 30000 */
  readonly closeTimeoutMs?: number;
  /** Thread name prefix, shown in diagnostics. @default 'scaleout-task' */
  readonly name?: string;
  readonly logger?: PoolLogger;
}

interface ResolvedTaskPoolOptions {
  readonly maxThreads: number;
  readonly minThreads: number;
  readonly idleTimeoutMs: number;
  readonly maxOldGenerationSizeMb: number;
  readonly cancelGraceMs: number;
  readonly closeTimeoutMs: number;
  readonly name: string;
}

const kDefaultOptions: ResolvedTaskPoolOptions = Object.freeze({
  maxThreads: 10,
  minThreads: 1,
  idleTimeoutMs: 60_000,
  maxOldGenerationSizeMb: 1024,
  cancelGraceMs: 30_000,
  closeTimeoutMs: 30_000,
  name: 'scaleout-task',
});

export interface TaskRunOptions {
  /** Receives each engine event, in order, before `run()` resolves. A throwing callback is logged and ignored. */
  readonly onEvent?: (event: PackageEvent) => void;
  /** Thread-side lifecycle stages: `started` (left the queue), `canceling` (the thread saw the cancel). */
  readonly onProgress?: (progress: ProgressOutput) => void;
  /** Aborting it cancels the run: dropped if still queued, otherwise cooperative then hard. */
  readonly signal?: AbortSignal;
  /** A module (file URL or path) to run instead of the package engine. Test fixtures and diagnostics only. */
  readonly runner?: string | URL;
  /** Passed to `runner` as its fourth argument (structured clone; a SharedArrayBuffer is shared). */
  readonly runnerData?: unknown;
}

/**
 * Lifecycle: `running` accepts runs; `closing` accepts none and lets runs in progress finish (bounded by
 * `closeTimeoutMs`); `closed` has no threads left.
 */
export type TaskPoolState = 'running' | 'closing' | 'closed';

export interface TaskPoolCounters {
  /** Runs executing in a thread now. */
  readonly running: number;
  /** Runs accepted but not yet picked up by a thread. */
  readonly queued: number;
  /** Runs that ended (any outcome) since the pool was created. */
  readonly completed: number;
}

// Resolved once: `task-thread.ts` under tsx, `task-thread.js` from dist/.
const ownExtension = /\.[cm]?[jt]s$/.exec(new URL(import.meta.url).pathname)?.[0] ?? '.js';
const THREAD_URL = new URL(`./task-thread${ownExtension}`, import.meta.url);

/** How long to wait for a finished thread's port to drain its last messages before closing it anyway. */
const PORT_DRAIN_LIMIT_MS = 5_000;

function positiveInteger(options: TaskPoolOptions, key: keyof ResolvedTaskPoolOptions, min: number): number {
  const value = options[key] ?? kDefaultOptions[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new SsoError('SSO_ERR_CONFIG_INVALID', `TaskPool option ${key}: expected an integer >= ${min}, got ${JSON.stringify(value)}`, { where: `TaskPoolOptions.${key}` });
  }
  return value;
}

/** Validates the options and fills in defaults; throws `SSO_ERR_CONFIG_INVALID` naming the option. */
export function resolveTaskPoolOptions(options: TaskPoolOptions = {}): ResolvedTaskPoolOptions {
  const maxThreads = positiveInteger(options, 'maxThreads', 1);
  const minThreads = positiveInteger(options, 'minThreads', 0);
  if (minThreads > maxThreads) {
    throw new SsoError('SSO_ERR_CONFIG_INVALID', `TaskPool option minThreads (${minThreads}) exceeds maxThreads (${maxThreads})`, { where: 'TaskPoolOptions.minThreads' });
  }
  const name = options.name ?? kDefaultOptions.name;
  if (typeof name !== 'string' || name === '') {
    throw new SsoError('SSO_ERR_CONFIG_INVALID', 'TaskPool option name: expected a non-empty string', { where: 'TaskPoolOptions.name' });
  }
  return Object.freeze({
    maxThreads,
    minThreads,
    idleTimeoutMs: positiveInteger(options, 'idleTimeoutMs', 0),
    maxOldGenerationSizeMb: positiveInteger(options, 'maxOldGenerationSizeMb', 16),
    cancelGraceMs: positiveInteger(options, 'cancelGraceMs', 0),
    closeTimeoutMs: positiveInteger(options, 'closeTimeoutMs', 0),
    name,
  });
}

const silentLogger: PoolLogger = { info() {}, warn() {} };

function failedResult(code: 'SSO_ERR_TASK_CRASHED' | 'SSO_ERR_TASK_ABORTED' | 'SSO_ERR_PACKAGE_RUN', message: string, outcome: 'failed' | 'canceled' = 'failed'): RunPackageResult {
  // No stack: the failure happened to the thread, not at this line of the pool.
  const failure: SerializedError = { name: 'SsoError', code, message };
  return { outcome, errors: outcome === 'failed' ? [message] : [], failure };
}

/**
 * Runs packages on threads. A small facade (`run`, `close`, `destroy`, `state`, `counters`) over a
 * private Piscina. One instance per worker agent.
 *
 * @example
 * const pool = new TaskPool({ maxThreads: settings.maxTaskCount, cancelGraceMs: 30_000 });
 * const stop = new AbortController();            // abort on a master `cancel`
 * const result = await pool.run(request, { signal: stop.signal, onEvent: (e) => journal.append(e) });
 * // result.outcome: 'succeeded' | 'failed' | 'canceled'; result.failure says why when it is not ours
 * await pool.close();                            // on agent shutdown
 */
export class TaskPool {
  readonly options: ResolvedTaskPoolOptions;
  #piscina: Piscina<RunPackageInput, TerminalOutput>;
  #logger: PoolLogger;
  #state: TaskPoolState = 'running';
  #closing: Promise<void> | null = null;
  #destroying: Promise<void> | null = null;
  #active = new Set<Promise<RunPackageResult>>();
  #running = 0;
  #queued = 0;
  #completed = 0;

  constructor(options: TaskPoolOptions = {}) {
    this.options = resolveTaskPoolOptions(options);
    this.#logger = options.logger ?? silentLogger;
    this.#piscina = new Piscina<RunPackageInput, TerminalOutput>({
      filename: THREAD_URL.href,
      name: 'default',
      minThreads: this.options.minThreads,
      maxThreads: this.options.maxThreads,
      idleTimeout: this.options.idleTimeoutMs,
      concurrentTasksPerWorker: 1,
      // Between runs a thread must stay responsive to its ports; the Atomics wait loop would block it.
      atomics: 'disabled',
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxOldGenerationSizeMb },
      // close() and destroy() are ours; Piscina's own close is only used for its queue drain.
      closeTimeout: this.options.closeTimeoutMs,
    });
    // A thread that dies with no run in it (e.g. at idle) is reported here; it must not crash the agent.
    this.#piscina.on('error', (error: unknown) => {
      this.#logger.warn({ err: serializeError(error) }, 'task pool: a package thread failed outside of any run');
    });
  }

  get state(): TaskPoolState {
    return this.#state;
  }

  get counters(): TaskPoolCounters {
    return { running: this.#running, queued: this.#queued, completed: this.#completed };
  }

  #setState(next: TaskPoolState): void {
    if (next === this.#state) return;
    this.#logger.info({ from: this.#state, to: next, pool: this.options.name }, `task pool: ${this.#state} -> ${next}`);
    this.#state = next;
  }

  /**
   * Runs one package on a thread and resolves with its result; never rejects for anything the package
   * or its thread does. Rejects with `SSO_ERR_ILLEGAL_STATE` when the pool is not `running`.
   */
  run(request: RunPackageRequest, options: TaskRunOptions = {}): Promise<RunPackageResult> {
    if (this.#state !== 'running') {
      return Promise.reject(new SsoError('SSO_ERR_ILLEGAL_STATE', `TaskPool.run: the pool is ${this.#state}; runs are accepted only while it is running`, { where: 'TaskPool.run' }));
    }
    const done = this.#run(request, options).finally(() => {
      this.#active.delete(done);
      this.#completed++;
    });
    this.#active.add(done);
    return done;
  }

  async #run(request: RunPackageRequest, options: TaskRunOptions): Promise<RunPackageResult> {
    const { signal } = options;
    if (signal?.aborted) return failedResult('SSO_ERR_TASK_ABORTED', 'canceled before it started', 'canceled');

    const requestId = randomUUID();
    const { port1, port2 } = new MessageChannel();
    const hard = new AbortController();
    let started = false;
    // Which counter this run is in; moved only forward (the 'started' message may arrive after the end).
    let counted = 'queued' as 'queued' | 'running' | 'ended';
    let cancelRequested = false;
    let terminatedAfterGrace = false;
    let terminal: TerminalOutput | undefined;
    let graceTimer: NodeJS.Timeout | undefined;

    const portClosed = new Promise<void>((resolve) => port1.once('close', resolve));
    port1.on('message', (message: unknown) => {
      if (!isPortOutput(message, requestId)) {
        this.#logger.warn({ requestId }, 'task pool: ignored a malformed message from a package thread');
        return;
      }
      switch (message.type) {
        case ThreadMessageType.progress:
          if (message.stage === 'started' && !started) {
            started = true;
            if (counted === 'queued') {
              counted = 'running';
              this.#queued--;
              this.#running++;
            }
          }
          this.#notify(options.onProgress, message, 'onProgress');
          break;
        case ThreadMessageType.event:
          this.#notify(options.onEvent, message.event, 'onEvent');
          break;
        case ThreadMessageType.done:
        case ThreadMessageType.error:
          terminal = message;
          break;
      }
    });

    const onAbort = (): void => {
      if (cancelRequested) return;
      cancelRequested = true;
      const reason = signal?.reason instanceof Error ? signal.reason.message : String(signal?.reason ?? 'canceled');
      if (!started) {
        // Still queued (or just leaving the queue): nothing has run that could stop cleanly.
        hard.abort(reason);
        return;
      }
      port1.postMessage({ type: ThreadMessageType.cancel, requestId, reason });
      graceTimer = setTimeout(() => {
        terminatedAfterGrace = true;
        this.#logger.warn({ requestId, executionId: request.executionId, graceMs: this.options.cancelGraceMs }, 'task pool: package did not stop after cancel; terminating its thread');
        hard.abort('cancel grace period expired');
      }, this.options.cancelGraceMs);
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    const input: RunPackageInput = {
      type: ThreadMessageType.runPackage,
      requestId,
      request,
      port: port2,
      ...(options.runner === undefined ? {} : { runner: toModuleUrl(options.runner) }),
      ...(options.runnerData === undefined ? {} : { runnerData: options.runnerData }),
    };

    this.#queued++;
    let threadError: unknown;
    let threadResult: TerminalOutput | undefined;
    try {
      threadResult = await this.#piscina.run(input, { transferList: [port2], signal: hard.signal });
    } catch (error) {
      threadError = error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (graceTimer !== undefined) clearTimeout(graceTimer);
      if (counted === 'running') this.#running--;
      else this.#queued--;
      counted = 'ended';
    }

    // A thread that ran closes (or loses, when it dies) its port end; waiting for that means every event
    // it posted has been delivered to onEvent before we resolve. A run that never left the queue never
    // transferred its port, so there is nothing to wait for.
    if (started || threadError === undefined) {
      let drainTimer: NodeJS.Timeout | undefined;
      await Promise.race([portClosed, new Promise<void>((resolve) => { drainTimer = setTimeout(resolve, PORT_DRAIN_LIMIT_MS); })]);
      clearTimeout(drainTimer);
    }
    port1.close();

    terminal ??= threadResult;
    if (threadError === undefined) return this.#fromTerminal(terminal, cancelRequested);
    return this.#fromThreadError(threadError, { started, cancelRequested, terminatedAfterGrace });
  }

  #fromTerminal(terminal: TerminalOutput | undefined, cancelRequested: boolean): RunPackageResult {
    if (terminal === undefined || (terminal.type === ThreadMessageType.done && describeInvalidResult(terminal.result) !== null)) {
      return failedResult('SSO_ERR_TASK_CRASHED', 'the package thread ended without reporting a result');
    }
    if (terminal.type === ThreadMessageType.done) return terminal.result;
    const { error } = terminal;
    if (cancelRequested && error.code === 'SSO_ERR_TASK_ABORTED') {
      return { outcome: 'canceled', errors: [], failure: error };
    }
    return { outcome: 'failed', errors: [error.message], failure: error };
  }

  #fromThreadError(error: unknown, run: { started: boolean; cancelRequested: boolean; terminatedAfterGrace: boolean }): RunPackageResult {
    if (run.terminatedAfterGrace) {
      return failedResult('SSO_ERR_TASK_ABORTED', `the package did not stop within ${this.options.cancelGraceMs} ms of the cancel request; its thread was terminated`, 'canceled');
    }
    if (run.cancelRequested && !run.started) return failedResult('SSO_ERR_TASK_ABORTED', 'canceled before it started', 'canceled');
    if (this.#destroying !== null) {
      return failedResult('SSO_ERR_TASK_CRASHED', 'the task pool was shut down before the package finished; its thread was terminated');
    }
    const detail = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return failedResult('SSO_ERR_TASK_CRASHED', `the package ran out of memory (thread heap limit ${this.options.maxOldGenerationSizeMb} MB) and its thread was terminated: ${detail}`);
    }
    return failedResult('SSO_ERR_TASK_CRASHED', `the package thread crashed: ${detail}`);
  }

  #notify<T>(callback: ((value: T) => void) | undefined, value: T, name: string): void {
    if (callback === undefined) return;
    try {
      callback(value);
    } catch (error) {
      this.#logger.warn({ err: serializeError(error) }, `task pool: ${name} callback threw; ignored`);
    }
  }

  /**
   * Stops accepting runs and lets those in progress (running or queued) finish; after `closeTimeoutMs`
   * the rest are terminated (ending as `failed`). Idempotent: every call returns the same promise.
   */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    if (this.#destroying !== null) return (this.#closing = this.#destroying);
    this.#setState('closing');
    this.#closing = (async () => {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        Promise.allSettled([...this.#active]).then(() => false),
        new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), this.options.closeTimeoutMs); }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        this.#logger.warn({ remaining: this.#active.size, closeTimeoutMs: this.options.closeTimeoutMs }, 'task pool: close timed out; terminating the remaining runs');
      }
      await this.destroy();
    })();
    return this.#closing;
  }

  /** Terminates every thread now; runs in progress end as `failed`. Idempotent. */
  destroy(): Promise<void> {
    if (this.#destroying !== null) return this.#destroying;
    if (this.#state === 'running') this.#setState('closing');
    this.#destroying = (async () => {
      await this.#piscina.destroy();
      await Promise.allSettled([...this.#active]);
      this.#setState('closed');
    })();
    return this.#destroying;
  }
}

function toModuleUrl(runner: string | URL): string {
  if (runner instanceof URL) return runner.href;
  return /^[a-z][a-z0-9+.-]*:/i.test(runner) && !/^[a-z]:[\\/]/i.test(runner) ? runner : pathToFileURL(resolve(runner)).href;
}
