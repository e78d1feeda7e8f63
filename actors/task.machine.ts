/**
 * The `task:<id>` actor: one dispatch-queue row (internal.tasks) on the master. It keeps the lease
 * timer, fences worker reports by attempt number and applies `update_task_status`'s rules
 * (reference §4.4), so that a lost worker, a retry or a cancel is decided in one place, without I/O.
 */
import { assign, setup } from 'xstate';
import { TaskStatus, type TaskStatusCode } from './catalog-codes.ts';
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

/** `persistTaskStatus`: make the catalog row say `status` (on every status change). */
export interface PersistTaskStatusParams {
  readonly taskId: string;
  readonly executionId: number;
  readonly status: TaskStatusCode;
  readonly attempt: number;
  readonly workerAgentId: string | null;
}

/** `answerHeartbeat` / `answerReport`: the status `update_task_status` returns to the worker. */
export interface TaskAnswerParams {
  readonly taskId: string;
  readonly workerAgentId: string | null;
  readonly attempt: number;
  /** Heartbeat: 2/3, or 6 = "cancel the run". Report: 5, 4/6 (final) or 1 (re-queued for a retry). */
  readonly status: number;
}

/** `rejectStaleReport`: a report from another attempt or worker was refused (SSISDB 27246). */
export interface RejectStaleReportParams {
  readonly taskId: string;
  readonly reportType: string;
  readonly reportedAttempt: number;
  readonly reportedWorkerAgentId: string | null;
  readonly currentAttempt: number;
}

/** `leaseRanOut`: this attempt's lease timer fired (not a loss the catalog already committed). */
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

type ReportEvent = Extract<TaskEvent, { type: 'HEARTBEAT' | 'REPORT_SUCCEEDED' | 'REPORT_FAILED' | 'REPORT_CANCELED' }>;

const taskSetup = setup({
  types: {
    input: {} as TaskInput,
    context: {} as TaskContext,
    events: {} as TaskEvent,
    output: {} as TaskOutput,
  },
  actions: {
    persistTaskStatus: (_, _params: PersistTaskStatusParams) => {},
    answerHeartbeat: (_, _params: TaskAnswerParams) => {},
    answerReport: (_, _params: TaskAnswerParams) => {},
    rejectStaleReport: (_, _params: RejectStaleReportParams) => {},
    requestWorkerCancel: (_, _params: RequestWorkerCancelParams) => {},
    notifyExecution: (_, _params: NotifyExecutionParams) => {},
    notifyWorker: (_, _params: NotifyWorkerParams) => {},
    /** The lease timer (claim lease or running lease) ran out: the master runs the catalog's expiry rules for it. */
    leaseRanOut: (_, _params: LeaseRanOutParams) => {},
    clearLease: assign({ workerAgentId: null }),
    recordFailure: assign(({ context, event }) => ({
      lastMessage: event.type === 'REPORT_FAILED' ? event.message ?? null : context.lastMessage,
    })),
  },
  guards: {
    resumesAs: ({ context }, params: { statuses: readonly number[] }) => params.statuses.includes(context.status),
    isStale: ({ context, event }) => {
      const e = event as ReportEvent;
      return e.attempt !== context.attempt || (e.workerAgentId !== undefined && e.workerAgentId !== context.workerAgentId);
    },
    /** Heartbeats only move forward (2 → 3); a lower one is answered but changes nothing. */
    goesBackward: ({ context, event }) => event.type === 'HEARTBEAT' && event.status < context.status,
    retriesLeft: ({ context }) => context.executedCount < context.maxExecutedCount,
    cancelRequested: ({ context }) => context.cancelRequested,
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

function persistParams(context: TaskContext, status: TaskStatusCode): PersistTaskStatusParams {
  return { taskId: context.taskId, executionId: context.executionId, status, attempt: context.attempt, workerAgentId: context.workerAgentId };
}

/** Moves to `status` and requests persistence, unless the status already is that (a resume). */
const enterStatus = (status: TaskStatusCode) =>
  taskSetup.enqueueActions(({ context, enqueue }) => {
    if (context.status === status) return;
    enqueue.assign({ status });
    enqueue({ type: 'persistTaskStatus', params: persistParams(context, status) });
  });

const notify = (make: (context: TaskContext) => ExecutionEvent) =>
  taskSetup.enqueueActions(({ context, enqueue }) => {
    enqueue({ type: 'notifyExecution', params: { executionId: context.executionId, event: make(context) } });
  });

/** The worker no longer holds this task (re-queued or final). */
const leaseRanOut = taskSetup.enqueueActions(({ context, enqueue }) => {
  enqueue({ type: 'leaseRanOut', params: { taskId: context.taskId, attempt: context.attempt, workerAgentId: context.workerAgentId } });
});

const release = taskSetup.enqueueActions(({ context, enqueue }) => {
  if (context.workerAgentId === null) return;
  enqueue({ type: 'notifyWorker', params: { workerAgentId: context.workerAgentId, event: { type: 'TASK_RELEASED', taskId: context.taskId } } });
});

const answerReport = (status: number) =>
  taskSetup.enqueueActions(({ context, enqueue }) => {
    enqueue({ type: 'answerReport', params: { taskId: context.taskId, workerAgentId: context.workerAgentId, attempt: context.attempt, status } });
  });

const answerHeartbeat = taskSetup.enqueueActions(({ context, enqueue }) => {
  enqueue({
    type: 'answerHeartbeat',
    params: { taskId: context.taskId, workerAgentId: context.workerAgentId, attempt: context.attempt, status: context.cancelRequested ? TaskStatus.canceled : context.status },
  });
});

const rejectStale = taskSetup.enqueueActions(({ context, event, enqueue }) => {
  const e = event as ReportEvent;
  enqueue({
    type: 'rejectStaleReport',
    params: { taskId: context.taskId, reportType: e.type, reportedAttempt: e.attempt, reportedWorkerAgentId: e.workerAgentId ?? null, currentAttempt: context.attempt },
  });
});

/** A heartbeat of the current attempt: record 2 → 3 (persisted when it changes). */
const recordHeartbeat = taskSetup.enqueueActions(({ context, event, enqueue }) => {
  if (event.type !== 'HEARTBEAT' || event.status <= context.status) return;
  enqueue.assign({ status: event.status });
  enqueue({ type: 'persistTaskStatus', params: persistParams(context, event.status) });
});

const claim = taskSetup.enqueueActions(({ context, event, enqueue }) => {
  if (event.type !== 'CLAIMED') return;
  const attempt = event.attempt ?? context.executedCount + 1;
  enqueue.assign({ attempt, executedCount: attempt, workerAgentId: event.workerAgentId });
  enqueue({ type: 'notifyWorker', params: { workerAgentId: event.workerAgentId, event: { type: 'TASK_ASSIGNED', taskId: context.taskId } } });
  enqueue({ type: 'notifyExecution', params: { executionId: context.executionId, event: { type: 'TASK_CLAIMED', workerAgentId: event.workerAgentId, attempt } } });
});

/** The lost attempt's worker has its lease back (see TaskEvent READOPTED). */
const readopt = taskSetup.enqueueActions(({ context, event, enqueue }) => {
  if (event.type !== 'READOPTED') return;
  enqueue.assign({ workerAgentId: event.workerAgentId, status: event.status });
  enqueue({ type: 'persistTaskStatus', params: { ...persistParams(context, event.status), workerAgentId: event.workerAgentId } });
  enqueue({ type: 'notifyWorker', params: { workerAgentId: event.workerAgentId, event: { type: 'TASK_ASSIGNED', taskId: context.taskId } } });
  enqueue({ type: 'notifyExecution', params: { executionId: context.executionId, event: { type: 'TASK_RUNNING', workerAgentId: event.workerAgentId, attempt: event.attempt } } });
});

/** A current heartbeat that names its lease makes it this task's lease from now on. */
const takeLease = taskSetup.enqueueActions(({ context, event, enqueue }) => {
  if (event.type === 'HEARTBEAT' && event.leaseMs !== undefined && event.leaseMs > 0 && event.leaseMs !== context.leaseMs) enqueue.assign({ leaseMs: event.leaseMs });
});

const requestCancel = taskSetup.enqueueActions(({ context, enqueue }) => {
  if (context.cancelRequested) return;
  enqueue.assign({ cancelRequested: true });
  if (context.workerAgentId !== null) {
    enqueue({ type: 'requestWorkerCancel', params: { taskId: context.taskId, workerAgentId: context.workerAgentId, attempt: context.attempt } });
  }
});

/** Worker reports on a held (leased or running) task, with §4.4's rules. */
const heldReports = taskSetup.createStateConfig({
  on: {
    REPORT_SUCCEEDED: [
      { guard: 'isStale', actions: rejectStale },
      // Success wins, even over a cancel.
      { target: '#task.succeeded', actions: [answerReport(5), release, notify((c) => ({ type: 'TASK_SUCCEEDED', attempt: c.attempt }))] },
    ],
    REPORT_FAILED: [
      { guard: 'isStale', actions: rejectStale },
      { guard: 'cancelRequested', target: '#task.canceled', actions: ['recordFailure', answerReport(4), release, notify(() => ({ type: 'CANCEL_CONFIRMED' }))] },
      { guard: 'retriesLeft', target: '#task.ready', actions: ['recordFailure', answerReport(1), release, notify((c) => ({ type: 'TASK_REQUEUED', attempt: c.attempt }))] },
      {
        target: '#task.failed',
        actions: ['recordFailure', answerReport(4), release, notify((c) => ({ type: 'TASK_FAILED', attempt: c.attempt, ...(c.lastMessage === null ? {} : { message: c.lastMessage }) }))],
      },
    ],
    // A canceled report is "another status > 3" in §4.4: re-queued when retries are left and no
    // cancel was asked for (the worker gave up on its own), else final.
    REPORT_CANCELED: [
      { guard: 'isStale', actions: rejectStale },
      { guard: 'cancelRequested', target: '#task.canceled', actions: [answerReport(6), release, notify(() => ({ type: 'CANCEL_CONFIRMED' }))] },
      { guard: 'retriesLeft', target: '#task.ready', actions: [answerReport(1), release, notify((c) => ({ type: 'TASK_REQUEUED', attempt: c.attempt }))] },
      { target: '#task.canceled', actions: [answerReport(6), release, notify(() => ({ type: 'CANCEL_CONFIRMED' }))] },
    ],
    CANCEL: { actions: requestCancel },
    LEASE_LOST: '#task.leaseExpired',
  },
});

/**
 * Master-side task machine: ready(1) → leased (claimed, lease timer, status 2) → running(2/3) →
 * succeeded(5) | failed(4) | canceled(6); a failure or lost lease with retries left goes back to
 * ready, and the next CLAIMED increments the attempt. READOPTED (ready → running) gives a lost
 * attempt back to the worker that held it when that worker is heard again before any new claim.
 *
 * Effects (actions, no-op by default): `persistTaskStatus`, `answerHeartbeat`, `answerReport`,
 * `rejectStaleReport`, `requestWorkerCancel`, `notifyExecution` (TASK_CLAIMED/RUNNING/REQUEUED/
 * SUCCEEDED/FAILED/LEASE_LOST, CANCEL_CONFIRMED) and `notifyWorker` (TASK_ASSIGNED/RELEASED).
 * Delays: `claimLease` (leased), `lease` (running; restarted by each current heartbeat).
 * Output: `{ status, attempt, executedCount }`.
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
      entry: [enterStatus(1), 'clearLease'],
      on: {
        CLAIMED: { guard: 'claimAdvances', target: 'leased', actions: claim },
        READOPTED: { guard: 'readoptable', target: 'running', actions: readopt },
        CANCEL: { target: 'canceled', actions: [assign({ cancelRequested: true }), notify(() => ({ type: 'CANCEL_CONFIRMED' }))] },
        // Nothing holds a ready task: every report is from an attempt that is over.
        HEARTBEAT: { actions: rejectStale },
        REPORT_SUCCEEDED: { actions: rejectStale },
        REPORT_FAILED: { actions: rejectStale },
        REPORT_CANCELED: { actions: rejectStale },
      },
    },
    leased: {
      entry: enterStatus(2),
      after: { claimLease: { target: 'leaseExpired', actions: leaseRanOut } },
      on: {
        ...heldReports.on,
        HEARTBEAT: [
          { guard: 'isStale', actions: rejectStale },
          { target: 'running', actions: [takeLease, recordHeartbeat, answerHeartbeat, notify((c) => ({ type: 'TASK_RUNNING', workerAgentId: c.workerAgentId ?? '', attempt: c.attempt }))] },
        ],
      },
    },
    running: {
      after: { lease: { target: 'leaseExpired', actions: leaseRanOut } },
      on: {
        ...heldReports.on,
        HEARTBEAT: [
          { guard: 'isStale', actions: rejectStale },
          { guard: 'goesBackward', actions: answerHeartbeat },
          // Re-entering restarts the `lease` timer: this is the renewal.
          { target: 'running', reenter: true, actions: [takeLease, recordHeartbeat, answerHeartbeat] },
        ],
      },
    },
    /** Transient: `dealwith_expired_tasks` for this one task. */
    leaseExpired: {
      always: [
        { guard: 'cancelRequested', target: 'canceled', actions: [release, notify(() => ({ type: 'CANCEL_CONFIRMED' }))] },
        { guard: 'retriesLeft', target: 'ready', actions: [release, notify((c) => ({ type: 'TASK_REQUEUED', attempt: c.attempt }))] },
        { target: 'failed', actions: [release, notify((c) => ({ type: 'TASK_LEASE_LOST', attempt: c.attempt }))] },
      ],
    },
    succeeded: { type: 'final', entry: enterStatus(5) },
    failed: { type: 'final', entry: enterStatus(4) },
    canceled: { type: 'final', entry: enterStatus(6) },
  },
  output: ({ context }) => ({ status: context.status, attempt: context.attempt, executedCount: context.executedCount }),
});

export type TaskMachine = typeof taskMachine;
