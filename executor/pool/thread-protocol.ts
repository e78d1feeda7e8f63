/**
 * The messages between the task pool (main thread) and a package thread, as discriminated unions.
 * Shared by `task-pool.ts` and `task-thread.ts` only; everything here is plain data that crosses the
 * thread boundary by structured clone (errors travel as `SerializedError`, never as `Error`).
 */
import type { MessagePort } from 'node:worker_threads';
import type { SerializedError } from '../../actors/errors.ts';
import type { PackageEvent, PackageEventSink, RunPackageRequest, RunPackageResult } from '../package/api.ts';

/** Wire names of the messages, one constant each so both sides spell them the same way. */
export const ThreadMessageType = {
  runPackage: 'run-package',
  cancel: 'cancel',
  progress: 'progress',
  event: 'event',
  done: 'done',
  error: 'error',
} as const;

// ---------------------------------------------------------------------------------------------
// Main thread → package thread
// ---------------------------------------------------------------------------------------------

/**
 * The Piscina task: one package run. `port` is the thread's end of a fresh `MessageChannel`
 * (transferred); every other message of this run flows over it, in both directions.
 */
export interface RunPackageInput {
  readonly type: typeof ThreadMessageType.runPackage;
  /** Unique per `TaskPool.run` call; echoed on every output so stray messages are detectable. */
  readonly requestId: string;
  readonly request: RunPackageRequest;
  readonly port: MessagePort;
  /**
   * Module (file URL) whose `runPackage` export, or default export, runs the request instead of the
   * package engine. For test fixtures and diagnostics only; the agent never sets it.
   */
  readonly runner?: string;
  /** Opaque data handed to a `runner` as its fourth argument (e.g. a SharedArrayBuffer). */
  readonly runnerData?: unknown;
}

/** Sent on the port when the caller cancels: the thread aborts the run's `AbortSignal`. */
export interface CancelInput {
  readonly type: typeof ThreadMessageType.cancel;
  readonly requestId: string;
  /** Why, for the log (e.g. "stop_operation by user X"). */
  readonly reason: string;
}

/** What the main thread sends on a run's port. */
export type PortInput = CancelInput;

// ---------------------------------------------------------------------------------------------
// Package thread → main thread (all on the run's port, in order)
// ---------------------------------------------------------------------------------------------

/**
 * Lifecycle stages of a run inside its thread: `started` (the thread picked the run up: it is no
 * longer queued), `canceling` (the thread saw a cancel and aborted the run's signal).
 */
export type ThreadStage = 'started' | 'canceling';

export interface ProgressOutput {
  readonly type: typeof ThreadMessageType.progress;
  readonly requestId: string;
  readonly stage: ThreadStage;
  /** `worker_threads.threadId` of the thread running the package. */
  readonly threadId: number;
  /** Wall-clock time in the thread, ms since the epoch. */
  readonly at: number;
}

export interface EventOutput {
  readonly type: typeof ThreadMessageType.event;
  readonly requestId: string;
  readonly event: PackageEvent;
}

/** The run ended (in any outcome) with a result from the engine. Last message on the port. */
export interface DoneOutput {
  readonly type: typeof ThreadMessageType.done;
  readonly requestId: string;
  readonly result: RunPackageResult;
}

/** The engine (or the runner module) threw or could not be loaded. Last message on the port. */
export interface ErrorOutput {
  readonly type: typeof ThreadMessageType.error;
  readonly requestId: string;
  readonly error: SerializedError;
}

export type PortOutput = ProgressOutput | EventOutput | DoneOutput | ErrorOutput;

/** The terminal outputs; the thread also returns one of these as the Piscina task's result. */
export type TerminalOutput = DoneOutput | ErrorOutput;

/**
 * What a runner module exports (as `runPackage` or `default`): the engine's `RunPackage`, plus an
 * optional fourth argument carrying `RunPackageInput.runnerData`.
 */
export type ThreadRunner = (
  request: RunPackageRequest,
  sink: PackageEventSink,
  signal: AbortSignal,
  runnerData?: unknown,
) => Promise<RunPackageResult>;

const OUTCOMES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'canceled']);

/**
 * Checks that a runner's return value is a `RunPackageResult`; returns a description of the first
 * problem, or null. Runs in the thread, so a broken engine shows up as a clear error, not as a
 * malformed result in the agent.
 */
export function describeInvalidResult(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return `expected an object, got ${value === null ? 'null' : typeof value}`;
  const r = value as Record<string, unknown>;
  if (typeof r.outcome !== 'string' || !OUTCOMES.has(r.outcome)) {
    return `outcome: expected 'succeeded' | 'failed' | 'canceled', got ${JSON.stringify(r.outcome)}`;
  }
  if (!Array.isArray(r.errors) || !r.errors.every((e) => typeof e === 'string')) return 'errors: expected an array of strings';
  if (r.failure !== undefined && (typeof r.failure !== 'object' || r.failure === null || typeof (r.failure as { message?: unknown }).message !== 'string')) {
    return 'failure: expected a serialized error with a message';
  }
  return null;
}

/** Narrows an incoming port message to a `PortOutput` for the given request (drops anything else). */
export function isPortOutput(value: unknown, requestId: string): value is PortOutput {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { type?: unknown; requestId?: unknown };
  if (m.requestId !== requestId) return false;
  return m.type === ThreadMessageType.progress || m.type === ThreadMessageType.event
    || m.type === ThreadMessageType.done || m.type === ThreadMessageType.error;
}

/** Narrows an incoming port message to a `PortInput` for the given request. */
export function isPortInput(value: unknown, requestId: string): value is PortInput {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { type?: unknown; requestId?: unknown };
  return m.requestId === requestId && m.type === ThreadMessageType.cancel;
}
