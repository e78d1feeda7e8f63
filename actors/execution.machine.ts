/**
 * The `execution:<id>` actor: one Scale Out execution on the master, as two parallel regions of one
 * actor (issue 15: one actor per execution instead of an execution actor and a task actor):
 * - `operation`: the operation status (SSISDB codes 1…9), driven by `start_execution`,
 *   `stop_operation` and the end of its task; an end status the catalog did not already record with
 *   its cause is committed by the invoked `persistOperationStatus` promise actor (provided at the
 *   master's composition root), whose failure comes back as an event;
 * - `task`: its dispatch-queue row (internal.tasks) while a worker may hold it: the lease timer, the
 *   slot its worker holds, the cancel push. The task status rules themselves (which report moves the
 *   task from which state to which, attempt fencing, retries, what the operation becomes) are applied
 *   in one place, the catalog's `update_task_status` / `dealwith_expired_tasks`, atomically with the
 *   row they read; this region applies the committed outcome (`REPORTED`, `LEASE_LOST`) and raises
 *   what follows for the `operation` region (TASK_CLAIMED, TASK_SUCCEEDED…).
 * Pure: no I/O.
 */
import { assign, fromPromise, setup } from 'xstate';
import { OperationStatus, TaskStatus, type OperationStatusCode, type TaskStatusCode } from './catalog-codes.ts';
import type { ExecutionEvent, TaskEvent, WorkerAgentEvent } from './events.ts';
import { serializeError, type SerializedError } from './errors.ts';

export interface ExecutionInput {
  readonly executionId: number;
  /**
   * Status to resume from when the master rehydrates a live execution (default 1, created).
   * Resuming never requests `persistOperationStatus`: the catalog already says so.
   */
  readonly status?: OperationStatusCode;
  readonly workerAgentId?: string | null;
  readonly attempt?: number;
  /** The execution's task (its row in internal.tasks), as claimed or rebuilt. */
  readonly task: TaskInput;
}

export interface ExecutionContext {
  readonly executionId: number;
  /** The current SSISDB operation status code. */
  readonly status: OperationStatusCode;
  /** Worker holding the current attempt; null while queued. */
  readonly workerAgentId: string | null;
  /** Latest attempt number seen (operations.executed_count). */
  readonly attempt: number;
  /** `stop_id` of the stop operation, once stopped. */
  readonly stopId: number | null;
  /** Failed commits of the current end status so far (the retry backoff grows with it). */
  readonly persistFailures: number;
  /** The `task` region's context. */
  readonly task: TaskContext;
}

export interface ExecutionOutput {
  readonly status: OperationStatusCode;
  readonly task: TaskOutput;
}

/**
 * Input of the `persistOperationStatus` promise actor: make the catalog say `status` (an end status
 * its cause did not record). Contract: idempotent (a status already final in the catalog is kept and
 * counts as done); resolves once committed; rejects when the commit failed or the catalog cannot say
 * it yet (a lost lease the catalog has not expired yet): the machine retries with backoff.
 */
export interface PersistOperationStatusParams {
  readonly executionId: number;
  readonly status: OperationStatusCode;
  readonly workerAgentId: string | null;
  readonly attempt: number;
  readonly stopId: number | null;
}

/** `persistFailed`: one commit of the end status failed; it is retried after `retryInMs`. */
export interface PersistFailedParams {
  readonly executionId: number;
  readonly status: OperationStatusCode;
  readonly failures: number;
  readonly retryInMs: number;
  readonly error: SerializedError;
}

/** Backoff of the end-status commit after `failures` failed tries: 250 ms doubling, at most 30 s. */
export function persistBackoffMs(failures: number): number {
  return Math.min(30_000, 250 * 2 ** Math.max(0, failures - 1));
}

/**
 * The end status an execution's operation gets when its task is final but the end was never
 * committed (the master's reconcile), the one the `operation` region would have recorded:
 * succeeded (5) → 7 (a success wins, even over a stop); canceled (6) → 3; failed (4) → 3 when the
 * operation was being stopped (8) or the task was flagged cancelled (the `stopping` state ends every
 * failure as the cancel), else 4. A lost lease is not told apart from a failure here: the catalog's
 * expiry rules commit 6 with the task, so a failed task left unended failed by its report. Null for
 * a task status that is not final (nothing to reconcile).
 */
export function endStatusOfEndedTask(taskStatus: number, operationStatus: number, isCancelled: boolean): OperationStatusCode | null {
  if (taskStatus === TaskStatus.succeeded) return OperationStatus.succeeded;
  if (taskStatus === TaskStatus.canceled) return OperationStatus.canceled;
  if (taskStatus === TaskStatus.failed) return operationStatus === OperationStatus.stopping || isCancelled ? OperationStatus.canceled : OperationStatus.failed;
  return null;
}

export interface TaskInput {
  readonly taskId: string;
  /** The execution (operation) this task runs. */
  readonly executionId: number;
  /** `MaxExecutedCount` = retry_count + 1. */
  readonly maxExecutedCount: number;
  /** Attempts made so far (`ExecutedCount`); 0 for a new task. */
  readonly executedCount?: number;
  /** Lease renewed by each heartbeat (`LeaseInterval`, ms). */
  readonly leaseMs: number;
  /** First lease after a claim, before the first heartbeat (pull_task's 5 min); default `leaseMs`. */
  readonly claimLeaseMs?: number;
  /** Resume from the catalog (rehydration): status 1…6; 2/3 resume `running` with a fresh lease. */
  readonly status?: TaskStatusCode;
  readonly workerAgentId?: string | null;
  readonly isCancelled?: boolean;
}

export interface TaskContext {
  readonly taskId: string;
  readonly executionId: number;
  /** `internal.tasks.Status` as the master sees it (1 ready, 2 running, 3 finishing, 4/5/6 final). */
  readonly status: TaskStatusCode;
  /** The current claim's attempt number: the fencing token every report must carry. */
  readonly attempt: number;
  readonly executedCount: number;
  readonly maxExecutedCount: number;
  readonly workerAgentId: string | null;
  readonly leaseMs: number;
  readonly claimLeaseMs: number;
  readonly cancelRequested: boolean;
  /** Last failure message a worker reported. */
  readonly lastMessage: string | null;
}

export interface TaskOutput {
  readonly status: TaskStatusCode;
  readonly attempt: number;
  readonly executedCount: number;
}

/** `rejectStaleReport`: an outcome for another attempt or worker than the current claim (event reordering); ignored. */
export interface RejectStaleReportParams {
  readonly taskId: string;
  readonly reportType: string;
  readonly reportedAttempt: number;
  readonly reportedWorkerAgentId: string | null;
  readonly currentAttempt: number;
}

/** `leaseRanOut`: this attempt's lease timer fired: the catalog's expiry rules must run for it now. */
export interface LeaseRanOutParams {
  readonly taskId: string;
  readonly attempt: number;
  readonly workerAgentId: string | null;
}

/** `requestWorkerCancel`: push a `cancel` frame to the worker holding the lease. */
export interface RequestWorkerCancelParams {
  readonly taskId: string;
  readonly workerAgentId: string;
  readonly attempt: number;
}

/** `notifyWorker`: deliver `event` to `worker:<workerAgentId>`. */
export interface NotifyWorkerParams {
  readonly workerAgentId: string;
  readonly event: WorkerAgentEvent;
}


type ClaimEvent = Extract<ExecutionEvent, { type: 'TASK_CLAIMED' | 'TASK_RUNNING' }>;
type Reported = Extract<TaskEvent, { type: 'REPORTED' }>;
type LeaseLost = Extract<TaskEvent, { type: 'LEASE_LOST' }>;

const executionSetup = setup({
  types: {
    input: {} as ExecutionInput,
    context: {} as ExecutionContext,
    events: {} as ExecutionEvent | TaskEvent,
    output: {} as ExecutionOutput,
  },
  actors: {
    /** Commits an end status (see PersistOperationStatusParams); provided at the composition root, rejects by default. */
    persistOperationStatus: fromPromise<unknown, PersistOperationStatusParams>(async () => {
      throw new Error('persistOperationStatus is not provided');
    }),
  },
  actions: {
    // operation region
    persistFailed: (_, _params: PersistFailedParams) => {},
    recordWorker: assign(({ context, event }) => {
      const e = event as ClaimEvent;
      return { workerAgentId: e.workerAgentId, attempt: Math.max(context.attempt, e.attempt) };
    }),
    clearWorker: assign({ workerAgentId: null }),
    recordStop: assign(({ context, event }) => ({ stopId: event.type === 'STOP' ? event.stopId ?? null : context.stopId })),
    setStatus: assign((_, params: { status: OperationStatusCode }) => ({ status: params.status })),
    beginRecording: assign((_, params: { status: OperationStatusCode }) => ({ status: params.status, persistFailures: 0 })),
    // task region
    rejectStaleReport: (_, _params: RejectStaleReportParams) => {},
    requestWorkerCancel: (_, _params: RequestWorkerCancelParams) => {},
    notifyWorker: (_, _params: NotifyWorkerParams) => {},
    /** The lease timer (claim lease or running lease) ran out: the master runs the catalog's expiry rules for it. */
    leaseRanOut: (_, _params: LeaseRanOutParams) => {},
    clearLease: assign(({ context }) => ({ task: { ...context.task, workerAgentId: null } })),
    setTaskStatus: assign(({ context }, params: { status: TaskStatusCode }) => ({ task: { ...context.task, status: params.status } })),
    recordFailure: assign(({ context, event }) => (event.type === 'REPORTED' && event.message !== undefined ? { task: { ...context.task, lastMessage: event.message } } : {})),
  },
  guards: {
    // operation region
    resumesAs: ({ context }, params: { status: OperationStatusCode }) => context.status === params.status,
    isNewClaim: ({ context, event }) => {
      const e = event as ClaimEvent;
      return e.attempt !== context.attempt || e.workerAgentId !== context.workerAgentId;
    },
    /**
     * The catalog committed this end with its cause: update_task_status or the expiry sweep ended
     * the operation in the transaction of the task's end (`recorded`), or stop_operation completed
     * the stop of a run nothing held.
     */
    recordedByCause: ({ event }) => event.type === 'STOP' || ('recorded' in event && event.recorded === true),
    statusIs: ({ context }, params: { status: OperationStatusCode }) => context.status === params.status,
    // task region
    taskResumesAs: ({ context }, params: { statuses: readonly number[] }) => params.statuses.includes(context.task.status),
    /** An outcome for another claim than the current one (fencing against reordered events). */
    isStale: ({ context, event }) => {
      const e = event as Reported;
      return e.attempt !== context.task.attempt || (e.workerAgentId !== undefined && e.workerAgentId !== context.task.workerAgentId);
    },
    /** The catalog committed a task heartbeat (the task stays held). */
    isHeartbeat: ({ event }) => (event as Reported).reported <= 3,
    /** The catalog re-queued the task for a retry. */
    isRequeued: ({ event }) => (event as Reported).status === TaskStatus.ready,
    isSuccess: ({ event }) => (event as Reported).reported === TaskStatus.succeeded,
    /** The run's end is the cancel: a canceled report, or the catalog ended the operation canceled (3). */
    endsCanceled: ({ event }) => {
      const e = event as Reported;
      return e.reported === TaskStatus.canceled || e.operationStatus === 3;
    },
    lostAs: ({ event }, params: { taskStatus: number }) => (event as LeaseLost).taskStatus === params.taskStatus,
    /** Only the attempt whose lease was lost, never after a cancel, and only before a new claim. */
    readoptable: ({ context, event }) =>
      event.type === 'READOPTED' && event.attempt === context.task.attempt && event.attempt > 0 && !context.task.cancelRequested,
    claimAdvances: ({ context, event }) =>
      event.type === 'CLAIMED' && (event.attempt ?? context.task.executedCount + 1) > context.task.attempt,
  },
  delays: {
    persistBackoff: ({ context }) => persistBackoffMs(context.persistFailures),
    lease: ({ context }) => context.task.leaseMs,
    claimLease: ({ context }) => context.task.claimLeaseMs,
  },
});

// ----------------------------------------------------------------------------------------------
// operation region

type EndState = 'succeeded' | 'failed' | 'canceled' | 'endedUnexpectedly' | 'completed';

/**
 * The transitions to an end status: straight to its final state when the catalog already recorded
 * it with its cause, else through `recording` (the invoked commit).
 */
const end = (status: OperationStatusCode, target: EndState) => [
  { guard: 'recordedByCause' as const, target, actions: { type: 'setStatus' as const, params: { status } } },
  { target: '#execution.operation.recording', actions: { type: 'beginRecording' as const, params: { status } } },
];

/** STOP: the task is cancelled (→ its worker's `cancel` when held). */
const cancelTask = executionSetup.enqueueActions(({ enqueue }) => {
  enqueue.raise({ type: 'CANCEL' });
});

const operation = executionSetup.createStateConfig({
  initial: 'resuming',
  states: {
    /** Transient: picks the state matching the input status. */
    resuming: {
      always: [
        { guard: { type: 'resumesAs', params: { status: 5 } }, target: 'pending' },
        { guard: { type: 'resumesAs', params: { status: 2 } }, target: 'running' },
        { guard: { type: 'resumesAs', params: { status: 8 } }, target: 'stopping' },
        { guard: { type: 'resumesAs', params: { status: 7 } }, target: 'succeeded' },
        { guard: { type: 'resumesAs', params: { status: 4 } }, target: 'failed' },
        { guard: { type: 'resumesAs', params: { status: 3 } }, target: 'canceled' },
        { guard: { type: 'resumesAs', params: { status: 6 } }, target: 'endedUnexpectedly' },
        { guard: { type: 'resumesAs', params: { status: 9 } }, target: 'completed' },
        { target: 'created' },
      ],
    },
    created: {
      on: { START: { target: 'pending', actions: { type: 'setStatus', params: { status: 5 } } } },
    },
    pending: {
      on: {
        TASK_CLAIMED: { target: 'running', actions: ['recordWorker', { type: 'setStatus', params: { status: 2 } }] },
        TASK_RUNNING: { target: 'running', actions: ['recordWorker', { type: 'setStatus', params: { status: 2 } }] },
        // A task lost before it ran is queued again: the execution stays pending.
        TASK_REQUEUED: { actions: 'clearWorker' },
        TASK_SUCCEEDED: end(7, 'succeeded'),
        TASK_COMPLETED: end(9, 'completed'),
        TASK_FAILED: end(4, 'failed'),
        TASK_LEASE_LOST: end(6, 'endedUnexpectedly'),
        // Beyond the original (which refuses with 27124): a queued run can be stopped, at once
        // (stop_operation completes it when no task is held).
        STOP: { target: 'canceled', actions: ['recordStop', { type: 'setStatus', params: { status: 3 } }, cancelTask] },
        CANCEL_CONFIRMED: end(3, 'canceled'),
      },
    },
    running: {
      on: {
        // A retry claimed by another worker (or a later attempt): the claim recorded it.
        TASK_CLAIMED: { guard: 'isNewClaim', actions: 'recordWorker' },
        TASK_RUNNING: { guard: 'isNewClaim', actions: 'recordWorker' },
        // A failed attempt waiting for its retry: the operation stays running (reference §4.4).
        TASK_REQUEUED: { actions: 'clearWorker' },
        TASK_SUCCEEDED: end(7, 'succeeded'),
        TASK_COMPLETED: end(9, 'completed'),
        TASK_FAILED: end(4, 'failed'),
        TASK_LEASE_LOST: end(6, 'endedUnexpectedly'),
        STOP: { target: 'stopping', actions: ['recordStop', { type: 'setStatus', params: { status: 8 } }, cancelTask] },
        CANCEL_CONFIRMED: end(3, 'canceled'),
      },
    },
    stopping: {
      on: {
        CANCEL_CONFIRMED: end(3, 'canceled'),
        // Success wins over a cancel (update_task_status keeps 5); every other end is the cancel.
        TASK_SUCCEEDED: end(7, 'succeeded'),
        TASK_COMPLETED: end(9, 'completed'),
        TASK_FAILED: end(3, 'canceled'),
        TASK_LEASE_LOST: end(3, 'canceled'),
      },
    },
    /** The end status is decided; its commit is in flight (see the machine's comment). */
    recording: {
      invoke: {
        id: 'persist',
        src: 'persistOperationStatus',
        input: ({ context }) => persistParams(context),
        onDone: [
          { guard: { type: 'statusIs', params: { status: 7 } }, target: 'succeeded' },
          { guard: { type: 'statusIs', params: { status: 4 } }, target: 'failed' },
          { guard: { type: 'statusIs', params: { status: 6 } }, target: 'endedUnexpectedly' },
          { guard: { type: 'statusIs', params: { status: 9 } }, target: 'completed' },
          { target: 'canceled' },
        ],
        onError: {
          target: 'retrying',
          actions: [
            assign(({ context }) => ({ persistFailures: context.persistFailures + 1 })),
            {
              type: 'persistFailed',
              params: ({ context, event }) => ({
                executionId: context.executionId, status: context.status, failures: context.persistFailures,
                retryInMs: persistBackoffMs(context.persistFailures), error: serializeError(event.error),
              }),
            },
          ],
        },
      },
    },
    /** The last commit failed: tried again after the backoff, on the actor clock. */
    retrying: {
      after: { persistBackoff: 'recording' },
    },
    succeeded: { type: 'final' },
    failed: { type: 'final' },
    canceled: { type: 'final' },
    endedUnexpectedly: { type: 'final' },
    completed: { type: 'final' },
  },
});

function persistParams(context: ExecutionContext): PersistOperationStatusParams {
  return {
    executionId: context.executionId,
    status: context.status,
    workerAgentId: context.workerAgentId,
    attempt: context.attempt,
    stopId: context.stopId,
  };
}

// ----------------------------------------------------------------------------------------------
// task region

/** What the `operation` region learns of this end; `recorded` when the catalog committed the operation's end with it. */
const tell = (make: (task: TaskContext, operationStatus: number | undefined) => ExecutionEvent) =>
  executionSetup.enqueueActions(({ context, event, enqueue }) => {
    const operationStatus = event.type === 'REPORTED' || event.type === 'LEASE_LOST' ? event.operationStatus : undefined;
    enqueue.raise(make(context.task, operationStatus));
  });
const recorded = (operationStatus: number | undefined) => (operationStatus === undefined ? {} : { recorded: true });

const leaseRanOut = executionSetup.enqueueActions(({ context, enqueue }) => {
  const t = context.task;
  enqueue({ type: 'leaseRanOut', params: { taskId: t.taskId, attempt: t.attempt, workerAgentId: t.workerAgentId } });
});

/** The worker no longer holds this task (re-queued or final). */
const release = executionSetup.enqueueActions(({ context, enqueue }) => {
  const t = context.task;
  if (t.workerAgentId === null) return;
  enqueue({ type: 'notifyWorker', params: { workerAgentId: t.workerAgentId, event: { type: 'TASK_RELEASED', taskId: t.taskId } } });
});

const rejectStale = executionSetup.enqueueActions(({ context, event, enqueue }) => {
  const e = event as Reported;
  enqueue({
    type: 'rejectStaleReport',
    params: { taskId: context.task.taskId, reportType: e.type, reportedAttempt: e.attempt, reportedWorkerAgentId: e.workerAgentId ?? null, currentAttempt: context.task.attempt },
  });
});

/** A committed heartbeat: its status (2 → 3 only forward, as committed), its lease, and a cancel the catalog answered. */
const recordHeartbeat = executionSetup.enqueueActions(({ context, event, enqueue }) => {
  if (event.type !== 'REPORTED') return;
  const t = context.task;
  const status = (event.status === 2 || event.status === 3) && event.status > t.status ? event.status : t.status;
  const leaseMs = event.leaseMs !== undefined && event.leaseMs > 0 ? event.leaseMs : t.leaseMs;
  const cancelRequested = t.cancelRequested || event.status === TaskStatus.canceled;
  if (status !== t.status || leaseMs !== t.leaseMs || cancelRequested !== t.cancelRequested) enqueue.assign({ task: { ...t, status, leaseMs, cancelRequested } });
});

const claim = executionSetup.enqueueActions(({ context, event, enqueue }) => {
  if (event.type !== 'CLAIMED') return;
  const t = context.task;
  const attempt = event.attempt ?? t.executedCount + 1;
  enqueue.assign({ task: { ...t, attempt, executedCount: attempt, workerAgentId: event.workerAgentId, status: TaskStatus.running } });
  enqueue({ type: 'notifyWorker', params: { workerAgentId: event.workerAgentId, event: { type: 'TASK_ASSIGNED', taskId: t.taskId } } });
  enqueue.raise({ type: 'TASK_CLAIMED', workerAgentId: event.workerAgentId, attempt });
});

/** The lost attempt's worker has its lease back (see TaskEvent READOPTED). */
const readopt = executionSetup.enqueueActions(({ context, event, enqueue }) => {
  if (event.type !== 'READOPTED') return;
  const t = context.task;
  enqueue.assign({ task: { ...t, workerAgentId: event.workerAgentId, status: event.status } });
  enqueue({ type: 'notifyWorker', params: { workerAgentId: event.workerAgentId, event: { type: 'TASK_ASSIGNED', taskId: t.taskId } } });
  enqueue.raise({ type: 'TASK_RUNNING', workerAgentId: event.workerAgentId, attempt: event.attempt });
});

const requestCancel = executionSetup.enqueueActions(({ context, enqueue }) => {
  const t = context.task;
  if (t.cancelRequested) return;
  enqueue.assign({ task: { ...t, cancelRequested: true } });
  if (t.workerAgentId !== null) {
    enqueue({ type: 'requestWorkerCancel', params: { taskId: t.taskId, workerAgentId: t.workerAgentId, attempt: t.attempt } });
  }
});

/**
 * A held attempt (leased, running or expiring) applies what the catalog committed: a heartbeat
 * (`onHeartbeat`), a re-queue, the end of the run, or the expiry rules' outcome.
 */
const held = (onHeartbeat: 'first' | 'renew') => executionSetup.createStateConfig({
  on: {
    REPORTED: [
      { guard: 'isStale', actions: rejectStale },
      onHeartbeat === 'first'
        // The first heartbeat of the attempt: the run started.
        ? { guard: 'isHeartbeat', target: '#execution.task.running', actions: [recordHeartbeat, tell((t) => ({ type: 'TASK_RUNNING', workerAgentId: t.workerAgentId ?? '', attempt: t.attempt }))] }
        // Re-entering `running` restarts the `lease` timer: this is the renewal.
        : { guard: 'isHeartbeat', target: '#execution.task.running', reenter: true, actions: recordHeartbeat },
      { guard: 'isRequeued', target: '#execution.task.ready', actions: ['recordFailure', release, tell((t) => ({ type: 'TASK_REQUEUED', attempt: t.attempt }))] },
      { guard: 'isSuccess', target: '#execution.task.succeeded', actions: [release, tell((t, op) => ({ type: 'TASK_SUCCEEDED', attempt: t.attempt, ...recorded(op) }))] },
      { guard: 'endsCanceled', target: '#execution.task.canceled', actions: ['recordFailure', release, tell((_, op) => ({ type: 'CANCEL_CONFIRMED', ...recorded(op) }))] },
      {
        target: '#execution.task.failed',
        actions: ['recordFailure', release, tell((t, op) => ({ type: 'TASK_FAILED', attempt: t.attempt, ...(t.lastMessage === null ? {} : { message: t.lastMessage }), ...recorded(op) }))],
      },
    ],
    LEASE_LOST: [
      { guard: { type: 'lostAs', params: { taskStatus: 1 } }, target: '#execution.task.ready', actions: [release, tell((t) => ({ type: 'TASK_REQUEUED', attempt: t.attempt }))] },
      { guard: { type: 'lostAs', params: { taskStatus: 6 } }, target: '#execution.task.canceled', actions: [release, tell((_, op) => ({ type: 'CANCEL_CONFIRMED', ...recorded(op) }))] },
      { target: '#execution.task.failed', actions: [release, tell((t, op) => ({ type: 'TASK_LEASE_LOST', attempt: t.attempt, ...recorded(op) }))] },
    ],
    CANCEL: { actions: requestCancel },
  },
});

const task = executionSetup.createStateConfig({
  initial: 'resuming',
  states: {
    /** Transient: picks the state matching the input status. */
    resuming: {
      always: [
        { guard: { type: 'taskResumesAs', params: { statuses: [2, 3] } }, target: 'running' },
        { guard: { type: 'taskResumesAs', params: { statuses: [4] } }, target: 'failed' },
        { guard: { type: 'taskResumesAs', params: { statuses: [5] } }, target: 'succeeded' },
        { guard: { type: 'taskResumesAs', params: { statuses: [6] } }, target: 'canceled' },
        { target: 'ready' },
      ],
    },
    ready: {
      entry: [{ type: 'setTaskStatus', params: { status: 1 } }, 'clearLease'],
      on: {
        CLAIMED: { guard: 'claimAdvances', target: 'leased', actions: claim },
        READOPTED: { guard: 'readoptable', target: 'running', actions: readopt },
        // Nothing holds it: stop_operation completed the cancel in its own transaction.
        CANCEL: {
          target: 'canceled',
          actions: [assign(({ context }) => ({ task: { ...context.task, cancelRequested: true } })), tell(() => ({ type: 'CANCEL_CONFIRMED', recorded: true }))],
        },
        // Nothing holds a ready task: every outcome is for an attempt that is over.
        REPORTED: { actions: rejectStale },
      },
    },
    leased: {
      after: { claimLease: { target: 'expiring', actions: leaseRanOut } },
      ...held('first'),
    },
    running: {
      after: { lease: { target: 'expiring', actions: leaseRanOut } },
      ...held('renew'),
    },
    /** The lease timer ran out: waiting for the expiry rules' outcome (LEASE_LOST), or a committed report. */
    expiring: held('renew'),
    succeeded: { type: 'final', entry: { type: 'setTaskStatus', params: { status: 5 } } },
    failed: { type: 'final', entry: { type: 'setTaskStatus', params: { status: 4 } } },
    canceled: { type: 'final', entry: { type: 'setTaskStatus', params: { status: 6 } } },
  },
});

/**
 * Master-side execution machine, two parallel regions (the actor is done when both are final).
 *
 * `operation` (status code): created(1) → pending(5) → running(2) → succeeded(7) | failed(4) |
 * canceled(3) | endedUnexpectedly(6) | completed(9), with stopping(8). Who records what (the machine
 * decides the status, the catalog records it):
 * - 1, 5, 8 are committed by create_execution, start_execution and stop_operation, before their
 *   events reach the machine; 2 by the claim itself (claim_tasks records the claimed task's execution
 *   as running on that worker, a retry's re-claim included) or by a readoption. None is persisted again.
 * - An end status is usually committed with its cause (the final report's or the expiry sweep's
 *   transaction, or a stop of a run nothing held): the event says `recorded` and the region goes
 *   straight to its final state. Otherwise it goes through `recording`, which invokes the
 *   `persistOperationStatus` promise actor. Its `onError` is the failed commit coming back:
 *   `persistFailed` is requested (the root logs it) and the commit is retried after
 *   `persistBackoffMs(failures)` on the actor clock (250 ms doubling to 30 s), for as long as the
 *   master runs. The end status is decided meanwhile: reports and stops that arrive change nothing.
 *
 * `task`: ready(1) → leased (claimed; delay `claimLease`) → running(2/3; delay `lease`, restarted by
 * each committed heartbeat) → succeeded(5) | failed(4) | canceled(6); a lease timer that runs out →
 * `expiring` (requests `leaseRanOut`: the catalog's expiry rules run now, and their outcome comes back
 * as LEASE_LOST; a heartbeat the catalog committed meanwhile brings it back to running). A re-queue
 * (retry) goes back to ready and the next CLAIMED increments the attempt. READOPTED (ready → running)
 * gives a lost attempt back to the worker that held it when that worker is heard again before any
 * new claim. It raises TASK_CLAIMED/RUNNING/REQUEUED/SUCCEEDED/FAILED/LEASE_LOST and CANCEL_CONFIRMED
 * for the `operation` region; STOP raises CANCEL for it.
 *
 * Effects: the invoked `persistOperationStatus`; actions `persistFailed`, `rejectStaleReport`,
 * `requestWorkerCancel`, `leaseRanOut`, `notifyWorker` (TASK_ASSIGNED/RELEASED). Delays:
 * `persistBackoff`, `claimLease`, `lease`. Output: `{ status, task: { status, attempt, executedCount } }`.
 */
export const executionMachine = executionSetup.createMachine({
  id: 'execution',
  context: ({ input }) => {
    const executedCount = input.task.executedCount ?? 0;
    return {
      executionId: input.executionId,
      status: input.status ?? OperationStatus.created,
      workerAgentId: input.workerAgentId ?? null,
      attempt: input.attempt ?? 0,
      stopId: null,
      persistFailures: 0,
      task: {
        taskId: input.task.taskId,
        executionId: input.executionId,
        status: input.task.status ?? TaskStatus.ready,
        attempt: executedCount,
        executedCount,
        maxExecutedCount: input.task.maxExecutedCount,
        workerAgentId: input.task.workerAgentId ?? null,
        leaseMs: input.task.leaseMs,
        claimLeaseMs: input.task.claimLeaseMs ?? input.task.leaseMs,
        cancelRequested: input.task.isCancelled ?? false,
        lastMessage: null,
      },
    };
  },
  type: 'parallel',
  states: { operation, task },
  output: ({ context }) => ({
    status: context.status,
    task: { status: context.task.status, attempt: context.task.attempt, executedCount: context.task.executedCount },
  }),
});

export type ExecutionMachine = typeof executionMachine;
