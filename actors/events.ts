/**
 * Event names and payloads of every actor machine, in one place so that the composition roots
 * (runtime/master, runtime/agent) route by constant and never by a hand-typed string. Each machine
 * accepts exactly the union declared here; the constants' values equal their keys.
 */
import type { SerializedError } from './errors.ts';

// ---------------------------------------------------------------------------------------------
// execution (master): one per Scale Out execution, `execution:<id>` (its `operation` region)
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

/**
 * On an end event: the catalog committed the operation's end status in the same transaction as the
 * task's end (update_task_status, the expiry sweep), so the execution has nothing to persist.
 */
interface RecordedEnd {
  readonly recorded?: boolean;
}

export type ExecutionEvent =
  /** `catalog.start_execution` committed: created → pending. */
  | { readonly type: 'START' }
  /** A worker claimed the execution's task (`attempt` = the claim's ExecutedCount). */
  | { readonly type: 'TASK_CLAIMED'; readonly workerAgentId: string; readonly attempt: number }
  /** The worker reported the task running (first task heartbeat of the attempt). */
  | { readonly type: 'TASK_RUNNING'; readonly workerAgentId: string; readonly attempt: number }
  /** The attempt failed or lost its lease with retries left: the task is ready again. */
  | { readonly type: 'TASK_REQUEUED'; readonly attempt: number }
  | ({ readonly type: 'TASK_SUCCEEDED'; readonly attempt: number } & RecordedEnd)
  /** The final attempt failed (no retries left). */
  | ({ readonly type: 'TASK_FAILED'; readonly attempt: number; readonly message?: string } & RecordedEnd)
  /** The run ended with result "completion" (SSISDB status 9). */
  | ({ readonly type: 'TASK_COMPLETED'; readonly attempt: number } & RecordedEnd)
  /** The final attempt's lease expired (the worker vanished): operation ends unexpectedly (6). */
  | ({ readonly type: 'TASK_LEASE_LOST'; readonly attempt: number } & RecordedEnd)
  /** `catalog.stop_operation` committed; `stopId` is the stop operation's id. */
  | { readonly type: 'STOP'; readonly stopId?: number }
  /** The task ended canceled (6): the stop is done. */
  | ({ readonly type: 'CANCEL_CONFIRMED' } & RecordedEnd);

// ---------------------------------------------------------------------------------------------
// task (master): the execution's internal.tasks row, the `task` region of `execution:<id>`
// ---------------------------------------------------------------------------------------------

export const TaskEventType = {
  CLAIMED: 'CLAIMED',
  REPORTED: 'REPORTED',
  CANCEL: 'CANCEL',
  LEASE_LOST: 'LEASE_LOST',
  READOPTED: 'READOPTED',
} as const;

export type TaskEvent =
  /** `claim_tasks` claimed this task for a worker; `attempt` defaults to executedCount + 1. */
  | { readonly type: 'CLAIMED'; readonly workerAgentId: string; readonly attempt?: number }
  /**
   * A worker report the catalog committed (`update_task_status`), with the catalog's outcome: the
   * task status rules (fencing, heartbeats only forward, retries, cancel, success wins) were applied
   * once, there, in the transaction. The actor applies the outcome; it does not derive it again.
   */
  | {
    readonly type: 'REPORTED';
    /** The claim the report belongs to (the fencing token the catalog checked). */
    readonly attempt: number;
    /** When given, must equal the worker holding the lease, else the event is refused as stale. */
    readonly workerAgentId?: string;
    /** What the worker reported: 2/3 task heartbeat, 4 failed, 5 succeeded, 6 canceled. */
    readonly reported: 2 | 3 | 4 | 5 | 6;
    /** The catalog's answer: 2/3, or 6 = "cancel the run" for a heartbeat; 1 = re-queued for a retry; else the final status. */
    readonly status: number;
    /** The operation status the same transaction committed (the execution's end), when it did. */
    readonly operationStatus?: number;
    /** The reporting worker's lease (LeaseInternval): a heartbeat renews the lease for this long. */
    readonly leaseMs?: number;
    readonly message?: string;
  }
  /** The job was cancelled (`cancel_job`, from `stop_operation`). */
  | { readonly type: 'CANCEL' }
  /**
   * The expiry rules (`dealwith_expired_tasks`) took the lease: `taskStatus` 1 re-queued, 4 failed
   * (operation 6), 6 canceled (operation 3); `operationStatus` as committed with it.
   */
  | { readonly type: 'LEASE_LOST'; readonly taskStatus: 1 | 4 | 6; readonly operationStatus?: number }
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
