/**
 * The `task:<id>` actor: one dispatch-queue row (internal.tasks) on the master, while a worker may
 * hold it. It keeps the lease timer, the slot its worker holds, the cancel push, and tells the
 * execution how its task ended. The task status rules themselves (which report moves the task
 * from which state to which, attempt fencing, retries, what the operation becomes) are applied in
 * one place, the catalog's `update_task_status` / `dealwith_expired_tasks`, atomically with the row
 * they read; this actor applies the committed outcome (`REPORTED`, `LEASE_LOST`). Pure: no I/O.
 */
import { assign, setup } from 'xstate';
import { TaskStatus } from './catalog-codes.ts';
import type { TaskStatusCode } from './catalog-codes.ts';
import type { ExecutionEvent, TaskEvent, WorkerAgentEvent } from './events.ts';

export interface TaskInput {
  readonly taskId: string;
  /** The execution (operation) this task runs; its actor is `execution:<id>`. */
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

/** `notifyExecution`: deliver `event` to `execution:<executionId>`. */
export interface NotifyExecutionParams {
  readonly executionId: number;
  readonly event: ExecutionEvent;
}

/** `notifyWorker`: deliver `event` to `worker:<workerAgentId>`. */
export interface NotifyWorkerParams {
  readonly workerAgentId: string;
  readonly event: WorkerAgentEvent;
}

type Reported = Extract<TaskEvent, { type: 'REPORTED' }>;
type LeaseLost = Extract<TaskEvent, { type: 'LEASE_LOST' }>;

const taskSetup = setup({
  types: {
    input: {} as TaskInput,
    context: {} as TaskContext,
    events: {} as TaskEvent,
    output: {} as TaskOutput,
  },
  actions: {
    rejectStaleReport: (_, _params: RejectStaleReportParams) => {},
    requestWorkerCancel: (_, _params: RequestWorkerCancelParams) => {},
    notifyExecution: (_, _params: NotifyExecutionParams) => {},
    notifyWorker: (_, _params: NotifyWorkerParams) => {},
    /** The lease timer (claim lease or running lease) ran out: the master runs the catalog's expiry rules for it. */
    leaseRanOut: (_, _params: LeaseRanOutParams) => {},
    clearLease: assign({ workerAgentId: null }),
    setStatus: assign((_, params: { status: TaskStatusCode }) => ({ status: params.status })),
    recordFailure: assign(({ context, event }) => ({
      lastMessage: event.type === 'REPORTED' ? event.message ?? null : context.lastMessage,
    })),
  },
  guards: {
    resumesAs: ({ context }, params: { statuses: readonly number[] }) => params.statuses.includes(context.status),
    /** An outcome for another claim than the current one (fencing against reordered events). */
    isStale: ({ context, event }) => {
      const e = event as Reported;
      return e.attempt !== context.attempt || (e.workerAgentId !== undefined && e.workerAgentId !== context.workerAgentId);
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
      event.type === 'READOPTED' && event.attempt === context.attempt && event.attempt > 0 && !context.cancelRequested,
    claimAdvances: ({ context, event }) =>
      event.type === 'CLAIMED' && (event.attempt ?? context.executedCount + 1) > context.attempt,
  },
  delays: {
    lease: ({ context }) => context.leaseMs,
    claimLease: ({ context }) => context.claimLeaseMs,
  },
});

/** The execution's event for this end; `recorded` when the catalog committed the operation's end with it. */
const notify = (make: (context: TaskContext, operationStatus: number | undefined) => ExecutionEvent) =>
  taskSetup.enqueueActions(({ context, event, enqueue }) => {
    const operationStatus = event.type === 'REPORTED' || event.type === 'LEASE_LOST' ? event.operationStatus : undefined;
    enqueue({ type: 'notifyExecution', params: { executionId: context.executionId, event: make(context, operationStatus) } });
  });
const recorded = (operationStatus: number | undefined) => (operationStatus === undefined ? {} : { recorded: true });

const leaseRanOut = taskSetup.enqueueActions(({ context, enqueue }) => {
  enqueue({ type: 'leaseRanOut', params: { taskId: context.taskId, attempt: context.attempt, workerAgentId: context.workerAgentId } });
});

/** The worker no longer holds this task (re-queued or final). */
const release = taskSetup.enqueueActions(({ context, enqueue }) => {
  if (context.workerAgentId === null) return;
  enqueue({ type: 'notifyWorker', params: { workerAgentId: context.workerAgentId, event: { type: 'TASK_RELEASED', taskId: context.taskId } } });
});

const rejectStale = taskSetup.enqueueActions(({ context, event, enqueue }) => {
  const e = event as Reported;
  enqueue({
    type: 'rejectStaleReport',
    params: { taskId: context.taskId, reportType: e.type, reportedAttempt: e.attempt, reportedWorkerAgentId: e.workerAgentId ?? null, currentAttempt: context.attempt },
  });
});

/** A committed heartbeat: its status (2 → 3 only forward, as committed), its lease, and a cancel the catalog answered. */
const recordHeartbeat = taskSetup.enqueueActions(({ context, event, enqueue }) => {
  if (event.type !== 'REPORTED') return;
  const status = (event.status === 2 || event.status === 3) && event.status > context.status ? event.status : context.status;
  const leaseMs = event.leaseMs !== undefined && event.leaseMs > 0 ? event.leaseMs : context.leaseMs;
  const cancelRequested = context.cancelRequested || event.status === TaskStatus.canceled;
  if (status !== context.status || leaseMs !== context.leaseMs || cancelRequested !== context.cancelRequested) enqueue.assign({ status, leaseMs, cancelRequested });
});

const claim = taskSetup.enqueueActions(({ context, event, enqueue }) => {
  if (event.type !== 'CLAIMED') return;
  const attempt = event.attempt ?? context.executedCount + 1;
  enqueue.assign({ attempt, executedCount: attempt, workerAgentId: event.workerAgentId, status: TaskStatus.running });
  enqueue({ type: 'notifyWorker', params: { workerAgentId: event.workerAgentId, event: { type: 'TASK_ASSIGNED', taskId: context.taskId } } });
  enqueue({ type: 'notifyExecution', params: { executionId: context.executionId, event: { type: 'TASK_CLAIMED', workerAgentId: event.workerAgentId, attempt } } });
});

/** The lost attempt's worker has its lease back (see TaskEvent READOPTED). */
const readopt = taskSetup.enqueueActions(({ context, event, enqueue }) => {
  if (event.type !== 'READOPTED') return;
  enqueue.assign({ workerAgentId: event.workerAgentId, status: event.status });
  enqueue({ type: 'notifyWorker', params: { workerAgentId: event.workerAgentId, event: { type: 'TASK_ASSIGNED', taskId: context.taskId } } });
  enqueue({ type: 'notifyExecution', params: { executionId: context.executionId, event: { type: 'TASK_RUNNING', workerAgentId: event.workerAgentId, attempt: event.attempt } } });
});

const requestCancel = taskSetup.enqueueActions(({ context, enqueue }) => {
  if (context.cancelRequested) return;
  enqueue.assign({ cancelRequested: true });
  if (context.workerAgentId !== null) {
    enqueue({ type: 'requestWorkerCancel', params: { taskId: context.taskId, workerAgentId: context.workerAgentId, attempt: context.attempt } });
  }
});

/**
 * A held attempt (leased, running or expiring) applies what the catalog committed: a heartbeat
 * (`onHeartbeat`), a re-queue, the end of the run, or the expiry rules' outcome.
 */
const held = (onHeartbeat: 'first' | 'renew') => taskSetup.createStateConfig({
  on: {
    REPORTED: [
      { guard: 'isStale', actions: rejectStale },
      onHeartbeat === 'first'
        // The first heartbeat of the attempt: the run started.
        ? { guard: 'isHeartbeat', target: '#task.running', actions: [recordHeartbeat, notify((c) => ({ type: 'TASK_RUNNING', workerAgentId: c.workerAgentId ?? '', attempt: c.attempt }))] }
        // Re-entering `running` restarts the `lease` timer: this is the renewal.
        : { guard: 'isHeartbeat', target: '#task.running', reenter: true, actions: recordHeartbeat },
      { guard: 'isRequeued', target: '#task.ready', actions: ['recordFailure', release, notify((c) => ({ type: 'TASK_REQUEUED', attempt: c.attempt }))] },
      { guard: 'isSuccess', target: '#task.succeeded', actions: [release, notify((c, op) => ({ type: 'TASK_SUCCEEDED', attempt: c.attempt, ...recorded(op) }))] },
      { guard: 'endsCanceled', target: '#task.canceled', actions: ['recordFailure', release, notify((_, op) => ({ type: 'CANCEL_CONFIRMED', ...recorded(op) }))] },
      {
        target: '#task.failed',
        actions: ['recordFailure', release, notify((c, op) => ({ type: 'TASK_FAILED', attempt: c.attempt, ...(c.lastMessage === null ? {} : { message: c.lastMessage }), ...recorded(op) }))],
      },
    ],
    LEASE_LOST: [
      { guard: { type: 'lostAs', params: { taskStatus: 1 } }, target: '#task.ready', actions: [release, notify((c) => ({ type: 'TASK_REQUEUED', attempt: c.attempt }))] },
      { guard: { type: 'lostAs', params: { taskStatus: 6 } }, target: '#task.canceled', actions: [release, notify((_, op) => ({ type: 'CANCEL_CONFIRMED', ...recorded(op) }))] },
      { target: '#task.failed', actions: [release, notify((c, op) => ({ type: 'TASK_LEASE_LOST', attempt: c.attempt, ...recorded(op) }))] },
    ],
    CANCEL: { actions: requestCancel },
  },
});

/**
 * Master-side task machine: ready(1) → leased (claimed; delay `claimLease`) → running(2/3; delay
 * `lease`, restarted by each committed heartbeat) → succeeded(5) | failed(4) | canceled(6); a lease
 * timer that runs out → `expiring` (requests `leaseRanOut`: the catalog's expiry rules run now, and
 * their outcome comes back as LEASE_LOST; a heartbeat the catalog committed meanwhile brings it back
 * to running). A re-queue (retry) goes back to ready and the next CLAIMED increments the attempt.
 * READOPTED (ready → running) gives a lost attempt back to the worker that held it when that worker
 * is heard again before any new claim.
 *
 * Effects (actions, no-op by default): `rejectStaleReport`, `requestWorkerCancel`, `leaseRanOut`,
 * `notifyExecution` (TASK_CLAIMED/RUNNING/REQUEUED/SUCCEEDED/FAILED/LEASE_LOST, CANCEL_CONFIRMED;
 * ends carry `recorded` when the catalog committed the operation's end with them) and
 * `notifyWorker` (TASK_ASSIGNED/RELEASED). Output: `{ status, attempt, executedCount }`.
 */
export const taskMachine = taskSetup.createMachine({
  id: 'task',
  context: ({ input }) => {
    const executedCount = input.executedCount ?? 0;
    return {
      taskId: input.taskId,
      executionId: input.executionId,
      status: input.status ?? TaskStatus.ready,
      attempt: executedCount,
      executedCount,
      maxExecutedCount: input.maxExecutedCount,
      workerAgentId: input.workerAgentId ?? null,
      leaseMs: input.leaseMs,
      claimLeaseMs: input.claimLeaseMs ?? input.leaseMs,
      cancelRequested: input.isCancelled ?? false,
      lastMessage: null,
    };
  },
  initial: 'resuming',
  states: {
    /** Transient: picks the state matching the input status. */
    resuming: {
      always: [
        { guard: { type: 'resumesAs', params: { statuses: [2, 3] } }, target: 'running' },
        { guard: { type: 'resumesAs', params: { statuses: [4] } }, target: 'failed' },
        { guard: { type: 'resumesAs', params: { statuses: [5] } }, target: 'succeeded' },
        { guard: { type: 'resumesAs', params: { statuses: [6] } }, target: 'canceled' },
        { target: 'ready' },
      ],
    },
    ready: {
      entry: [{ type: 'setStatus', params: { status: 1 } }, 'clearLease'],
      on: {
        CLAIMED: { guard: 'claimAdvances', target: 'leased', actions: claim },
        READOPTED: { guard: 'readoptable', target: 'running', actions: readopt },
        // Nothing holds it: stop_operation completed the cancel in its own transaction.
        CANCEL: { target: 'canceled', actions: [assign({ cancelRequested: true }), notify(() => ({ type: 'CANCEL_CONFIRMED', recorded: true }))] },
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
    succeeded: { type: 'final', entry: { type: 'setStatus', params: { status: 5 } } },
    failed: { type: 'final', entry: { type: 'setStatus', params: { status: 4 } } },
    canceled: { type: 'final', entry: { type: 'setStatus', params: { status: 6 } } },
  },
  output: ({ context }) => ({ status: context.status, attempt: context.attempt, executedCount: context.executedCount }),
});

export type TaskMachine = typeof taskMachine;
