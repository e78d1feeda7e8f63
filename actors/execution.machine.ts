/**
 * The `execution:<id>` actor: the operation status of one Scale Out execution (SSISDB codes 1…9),
 * driven by `start_execution`, `stop_operation` and its task's actor. Pure: every status change is
 * requested as the `persistOperationStatus` effect, provided at the master's composition root.
 */
import { assign, setup } from 'xstate';
import { OperationStatus, type OperationStatusCode } from './catalog-codes.ts';
import type { ExecutionEvent } from './events.ts';

export interface ExecutionInput {
  readonly executionId: number;
  /**
   * Status to resume from when the master rehydrates a live execution (default 1, created).
   * Resuming never requests `persistOperationStatus`: the catalog already says so.
   */
  readonly status?: OperationStatusCode;
  readonly workerAgentId?: string | null;
  readonly attempt?: number;
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
}

export interface ExecutionOutput {
  readonly status: OperationStatusCode;
}

/** Parameters of the `persistOperationStatus` effect: make the catalog say `status`. */
export interface PersistOperationStatusParams {
  readonly executionId: number;
  readonly status: OperationStatusCode;
  readonly workerAgentId: string | null;
  readonly attempt: number;
  readonly stopId: number | null;
}

/** Parameters of the `cancelTasks` effect: send CANCEL to the execution's task actor(s). */
export interface CancelTasksParams {
  readonly executionId: number;
  readonly stopId: number | null;
}

type ClaimEvent = Extract<ExecutionEvent, { type: 'TASK_CLAIMED' | 'TASK_RUNNING' }>;

const executionSetup = setup({
  types: {
    input: {} as ExecutionInput,
    context: {} as ExecutionContext,
    events: {} as ExecutionEvent,
    output: {} as ExecutionOutput,
  },
  actions: {
    persistOperationStatus: (_, _params: PersistOperationStatusParams) => {},
    cancelTasks: (_, _params: CancelTasksParams) => {},
    recordWorker: assign(({ context, event }) => {
      const e = event as ClaimEvent;
      return { workerAgentId: e.workerAgentId, attempt: Math.max(context.attempt, e.attempt) };
    }),
    clearWorker: assign({ workerAgentId: null }),
    recordStop: assign(({ context, event }) => ({ stopId: event.type === 'STOP' ? event.stopId ?? null : context.stopId })),
  },
  guards: {
    resumesAs: ({ context }, params: { status: OperationStatusCode }) => context.status === params.status,
    isNewClaim: ({ context, event }) => {
      const e = event as ClaimEvent;
      return e.attempt !== context.attempt || e.workerAgentId !== context.workerAgentId;
    },
  },
});

/** Moves to `status` and requests persistence, unless the status already is that (a resume). */
const enterStatus = (status: OperationStatusCode) =>
  executionSetup.enqueueActions(({ context, enqueue }) => {
    if (context.status === status) return;
    enqueue.assign({ status });
    enqueue({ type: 'persistOperationStatus', params: { ...persistParams(context), status } });
  });

/** A retry claimed by another worker (or a later attempt): the catalog row changes, not the code. */
const persistReclaim = executionSetup.enqueueActions(({ context, enqueue }) => {
  enqueue({ type: 'persistOperationStatus', params: persistParams(context) });
});

const requestCancelTasks = executionSetup.enqueueActions(({ context, enqueue }) => {
  enqueue({ type: 'cancelTasks', params: { executionId: context.executionId, stopId: context.stopId } });
});

/**
 * Master-side execution machine. States (status code): created(1) → pending(5) → running(2) →
 * succeeded(7) | failed(4) | canceled(3) | endedUnexpectedly(6) | completed(9), with stopping(8).
 *
 * Effects (actions, no-op by default; provide them with `executionMachine.provide({ actions })`):
 * - `persistOperationStatus(PersistOperationStatusParams)`: on every status change, and again on
 *   a re-claim while running (a retry on another worker changes machine_name/executed_count).
 * - `cancelTasks(CancelTasksParams)`: on STOP from pending or running.
 *
 * Output (final states): `{ status }`.
 */
export const executionMachine = executionSetup.createMachine({
  id: 'execution',
  context: ({ input }) => ({
    executionId: input.executionId,
    status: input.status ?? OperationStatus.created,
    workerAgentId: input.workerAgentId ?? null,
    attempt: input.attempt ?? 0,
    stopId: null,
  }),
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
      entry: enterStatus(1),
      on: { START: 'pending' },
    },
    pending: {
      entry: enterStatus(5),
      on: {
        TASK_CLAIMED: { target: 'running', actions: 'recordWorker' },
        TASK_RUNNING: { target: 'running', actions: 'recordWorker' },
        // A task lost before it ran is queued again: the execution stays pending.
        TASK_REQUEUED: { actions: 'clearWorker' },
        TASK_SUCCEEDED: 'succeeded',
        TASK_COMPLETED: 'completed',
        TASK_FAILED: 'failed',
        TASK_LEASE_LOST: 'endedUnexpectedly',
        // Beyond the original (which refuses with 27124): a queued run can be stopped, at once.
        STOP: { target: 'canceled', actions: ['recordStop', requestCancelTasks] },
        CANCEL_CONFIRMED: 'canceled',
      },
    },
    running: {
      entry: enterStatus(2),
      on: {
        TASK_CLAIMED: [
          { guard: 'isNewClaim', actions: ['recordWorker', persistReclaim] },
        ],
        TASK_RUNNING: [
          { guard: 'isNewClaim', actions: ['recordWorker', persistReclaim] },
        ],
        // A failed attempt waiting for its retry: the operation stays running (reference §4.4).
        TASK_REQUEUED: { actions: 'clearWorker' },
        TASK_SUCCEEDED: 'succeeded',
        TASK_COMPLETED: 'completed',
        TASK_FAILED: 'failed',
        TASK_LEASE_LOST: 'endedUnexpectedly',
        STOP: { target: 'stopping', actions: ['recordStop', requestCancelTasks] },
        CANCEL_CONFIRMED: 'canceled',
      },
    },
    stopping: {
      entry: enterStatus(8),
      on: {
        CANCEL_CONFIRMED: 'canceled',
        // Success wins over a cancel (update_task_status keeps 5); every other end is the cancel.
        TASK_SUCCEEDED: 'succeeded',
        TASK_COMPLETED: 'completed',
        TASK_FAILED: 'canceled',
        TASK_LEASE_LOST: 'canceled',
      },
    },
    succeeded: { type: 'final', entry: enterStatus(7) },
    failed: { type: 'final', entry: enterStatus(4) },
    canceled: { type: 'final', entry: enterStatus(3) },
    endedUnexpectedly: { type: 'final', entry: enterStatus(6) },
    completed: { type: 'final', entry: enterStatus(9) },
  },
  output: ({ context }) => ({ status: context.status }),
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

export type ExecutionMachine = typeof executionMachine;
