/**
 * Event names and payloads of every actor machine, in one place so that the composition roots
 * (runtime/master, runtime/agent) route by constant and never by a hand-typed string. Each machine
 * accepts exactly the union declared here; the constants' values equal their keys.
 */
import type { SerializedError } from './errors.ts';

// ---------------------------------------------------------------------------------------------
// execution (master): one per Scale Out execution, `execution:<id>`
// ---------------------------------------------------------------------------------------------

export const ExecutionEventType = {
  START: 'START',
  TASK_CLAIMED: 'TASK_CLAIMED',
  TASK_RUNNING: 'TASK_RUNNING',
  TASK_REQUEUED: 'TASK_REQUEUED',
  TASK_SUCCEEDED: 'TASK_SUCCEEDED',
  TASK_FAILED: 'TASK_FAILED',
  TASK_COMPLETED: 'TASK_COMPLETED',
  TASK_LEASE_LOST: 'TASK_LEASE_LOST',
  STOP: 'STOP',
  CANCEL_CONFIRMED: 'CANCEL_CONFIRMED',
} as const;

export type ExecutionEvent =
  /** `catalog.start_execution` committed: created → pending. */
  | { readonly type: 'START' }
  /** A worker claimed the execution's task (`attempt` = the claim's ExecutedCount). */
  | { readonly type: 'TASK_CLAIMED'; readonly workerAgentId: string; readonly attempt: number }
  /** The worker reported the task running (first task heartbeat of the attempt). */
  | { readonly type: 'TASK_RUNNING'; readonly workerAgentId: string; readonly attempt: number }
  /** The attempt failed or lost its lease with retries left: the task is ready again. */
  | { readonly type: 'TASK_REQUEUED'; readonly attempt: number }
  | { readonly type: 'TASK_SUCCEEDED'; readonly attempt: number }
  /** The final attempt failed (no retries left). */
  | { readonly type: 'TASK_FAILED'; readonly attempt: number; readonly message?: string }
  /** The run ended with result "completion" (SSISDB status 9). */
  | { readonly type: 'TASK_COMPLETED'; readonly attempt: number }
  /** The final attempt's lease expired (the worker vanished): operation ends unexpectedly (6). */
  | { readonly type: 'TASK_LEASE_LOST'; readonly attempt: number }
  /** `catalog.stop_operation` committed; `stopId` is the stop operation's id. */
  | { readonly type: 'STOP'; readonly stopId?: number }
  /** The task ended canceled (6): the stop is done. */
  | { readonly type: 'CANCEL_CONFIRMED' };

// ---------------------------------------------------------------------------------------------
// task (master): one per internal.tasks row, `task:<id>`
// ---------------------------------------------------------------------------------------------

export const TaskEventType = {
  CLAIMED: 'CLAIMED',
  HEARTBEAT: 'HEARTBEAT',
  REPORT_SUCCEEDED: 'REPORT_SUCCEEDED',
  REPORT_FAILED: 'REPORT_FAILED',
  REPORT_CANCELED: 'REPORT_CANCELED',
  CANCEL: 'CANCEL',
  LEASE_LOST: 'LEASE_LOST',
  READOPTED: 'READOPTED',
} as const;

/** Fields every worker report carries: the claim it belongs to (the fencing token). */
interface TaskReportFields {
  readonly attempt: number;
  /** When given, must equal the worker holding the lease, else the report is refused as stale. */
  readonly workerAgentId?: string;
}

export type TaskEvent =
  /** `pull_task` claimed this task for a worker; `attempt` defaults to executedCount + 1. */
  | { readonly type: 'CLAIMED'; readonly workerAgentId: string; readonly attempt?: number }
  /**
   * Task heartbeat (reported status 2 running or 3 finishing); renews the lease, for `leaseMs` when
   * given (the reporting worker's LeaseInternval; a task rebuilt after a master restart starts with
   * the reconnect grace and takes its worker's lease back from the first heartbeat).
   */
  | ({ readonly type: 'HEARTBEAT'; readonly status: 2 | 3; readonly leaseMs?: number } & TaskReportFields)
  | ({ readonly type: 'REPORT_SUCCEEDED' } & TaskReportFields)
  | ({ readonly type: 'REPORT_FAILED'; readonly message?: string } & TaskReportFields)
  | ({ readonly type: 'REPORT_CANCELED' } & TaskReportFields)
  /** The job was cancelled (`cancel_job`). */
  | { readonly type: 'CANCEL' }
  /** The lease expired according to an outside sweep (`dealwith_expired_tasks`). */
  | { readonly type: 'LEASE_LOST' }
  /**
   * The worker that held the current attempt when its lease was lost was heard again before a
   * re-run was claimed; the catalog gave it the lease back (its run goes on, nothing runs twice).
   */
  | { readonly type: 'READOPTED'; readonly workerAgentId: string; readonly attempt: number; readonly status: 2 | 3 };

// ---------------------------------------------------------------------------------------------
// workerAgent (master): one per registered worker, `worker:<guid>`
// ---------------------------------------------------------------------------------------------

export const WorkerAgentEventType = {
  HELLO: 'HELLO',
  HEARTBEAT: 'HEARTBEAT',
  DISCONNECTED: 'DISCONNECTED',
  ENABLE: 'ENABLE',
  DISABLE: 'DISABLE',
  PULL: 'PULL',
  TASK_ASSIGNED: 'TASK_ASSIGNED',
  TASK_RELEASED: 'TASK_RELEASED',
} as const;

export type WorkerAgentEvent =
  /**
   * The worker connected and said hello. `maxTaskCount` is its capacity; `isEnabled` the catalog's
   * flag when known; `runningTaskIds` the tasks it still runs (after a reconnect).
   */
  | { readonly type: 'HELLO'; readonly maxTaskCount: number; readonly isEnabled?: boolean; readonly runningTaskIds?: readonly string[] }
  /** Agent heartbeat (perf counters already stored by the root). */
  | { readonly type: 'HEARTBEAT' }
  /** Its socket closed: offline at once, without waiting for the heartbeat timeout. */
  | { readonly type: 'DISCONNECTED' }
  | { readonly type: 'ENABLE' }
  | { readonly type: 'DISABLE' }
  /** The worker asks for up to `freeSlots` tasks; 0 withdraws an outstanding pull. */
  | { readonly type: 'PULL'; readonly freeSlots: number }
  /** A task was claimed for this worker (sent by the task actor). */
  | { readonly type: 'TASK_ASSIGNED'; readonly taskId: string }
  /** A task this worker held ended or was re-queued (sent by the task actor). */
  | { readonly type: 'TASK_RELEASED'; readonly taskId: string };

// ---------------------------------------------------------------------------------------------
// agent (worker): the worker process's connection and pulling lifecycle
// ---------------------------------------------------------------------------------------------

export const AgentEventType = {
  CONNECTED: 'CONNECTED',
  CONNECT_FAILED: 'CONNECT_FAILED',
  CONNECTION_LOST: 'CONNECTION_LOST',
  WELCOME: 'WELCOME',
  ENABLED_CHANGED: 'ENABLED_CHANGED',
  PERF_SAMPLE: 'PERF_SAMPLE',
  TASK_ASSIGNED: 'TASK_ASSIGNED',
  TASK_FINISHED: 'TASK_FINISHED',
  STOP: 'STOP',
  AGENT_HEARTBEAT_TICK: 'AGENT_HEARTBEAT_TICK',
} as const;

export type AgentEvent =
  /** The socket (WSS + mTLS) opened. */
  | { readonly type: 'CONNECTED' }
  | { readonly type: 'CONNECT_FAILED'; readonly error?: SerializedError }
  | { readonly type: 'CONNECTION_LOST'; readonly error?: SerializedError }
  /** The master's answer to hello. */
  | { readonly type: 'WELCOME'; readonly enabled: boolean }
  | { readonly type: 'ENABLED_CHANGED'; readonly enabled: boolean }
  /** Latest machine sample: CPU busy percent and free memory in MB. */
  | { readonly type: 'PERF_SAMPLE'; readonly cpuPercent: number; readonly freeMemoryMb: number }
  /** The master assigned a task (an `assign` frame); the payload is passed through to `startTaskRun`. */
  | { readonly type: 'TASK_ASSIGNED'; readonly taskId: string; readonly attempt: number; readonly assignment?: unknown }
  /** A task run ended (its final status acknowledged or abandoned). */
  | { readonly type: 'TASK_FINISHED'; readonly taskId: string }
  /** Stop the agent: after in-flight tasks finish, or at once with `force`. */
  | { readonly type: 'STOP'; readonly force?: boolean }
  /** Internal: the agent heartbeat loop's tick. */
  | { readonly type: 'AGENT_HEARTBEAT_TICK' };

// ---------------------------------------------------------------------------------------------
// taskRun (worker): one per task the worker holds
// ---------------------------------------------------------------------------------------------

export const TaskRunEventType = {
  CANCEL: 'CANCEL',
  HEARTBEAT_OK: 'HEARTBEAT_OK',
  HEARTBEAT_FAILED: 'HEARTBEAT_FAILED',
  REPORT_ACKED: 'REPORT_ACKED',
  RUN_FINISHED: 'RUN_FINISHED',
  RUN_FAILED: 'RUN_FAILED',
  TASK_HEARTBEAT_TICK: 'TASK_HEARTBEAT_TICK',
  TOLERANCE_CHECK: 'TOLERANCE_CHECK',
} as const;

/** How a package run ended (structurally the engine's `RunPackageResult`). */
export interface RunOutcome {
  readonly outcome: 'succeeded' | 'failed' | 'canceled';
  readonly errors: readonly string[];
  readonly failure?: SerializedError;
}

export type TaskRunEvent =
  /** The master cancelled the task (a `cancel` frame). */
  | { readonly type: 'CANCEL' }
  /** A task heartbeat was answered; `status` 6 means "stop the run". */
  | { readonly type: 'HEARTBEAT_OK'; readonly status: number }
  /** A task heartbeat could not be delivered or was answered with an error. */
  | { readonly type: 'HEARTBEAT_FAILED'; readonly error?: SerializedError }
  /** The master committed the final status (or refused it as stale: nothing more to do). */
  | { readonly type: 'REPORT_ACKED' }
  /** Sent by the `runPackage` child: the run ended. */
  | { readonly type: 'RUN_FINISHED'; readonly result: RunOutcome }
  /** Sent by the `runPackage` child: the run could not complete (thread crash, engine error). */
  | { readonly type: 'RUN_FAILED'; readonly error: SerializedError }
  /** Internal: the task heartbeat loop's tick. */
  | { readonly type: 'TASK_HEARTBEAT_TICK' }
  /** Internal: the heartbeat error tolerance elapsed since the last success. */
  | { readonly type: 'TOLERANCE_CHECK' };

/** What the task-run machine sends to its `runPackage` child. */
export type RunControlEvent = { readonly type: 'ABORT'; readonly reason: string };
