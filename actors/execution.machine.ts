/**
 * The `execution:<id>` actor: the operation status of one Scale Out execution (SSISDB codes 1…9),
 * driven by `start_execution`, `stop_operation` and its task's actor. Pure: an end status the catalog
 * did not already record with its cause is committed by the invoked `persistOperationStatus` promise
 * actor (provided at the master's composition root), whose failure comes back as an event.
 */
import { assign, fromPromise, setup } from 'xstate';
import { OperationStatus, type OperationStatusCode } from './catalog-codes.ts';
import type { ExecutionEvent } from './events.ts';
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
}

export interface ExecutionOutput {
  readonly status: OperationStatusCode;
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
  actors: {
    /** Commits an end status (see PersistOperationStatusParams); provided at the composition root, rejects by default. */
    persistOperationStatus: fromPromise<unknown, PersistOperationStatusParams>(async () => {
      throw new Error('persistOperationStatus is not provided');
    }),
  },
  actions: {
    cancelTasks: (_, _params: CancelTasksParams) => {},
    persistFailed: (_, _params: PersistFailedParams) => {},
    recordWorker: assign(({ context, event }) => {
      const e = event as ClaimEvent;
      return { workerAgentId: e.workerAgentId, attempt: Math.max(context.attempt, e.attempt) };
    }),
    clearWorker: assign({ workerAgentId: null }),
    setStatus: assign((_, params: { status: OperationStatusCode }) => ({ status: params.status })),
    beginRecording: assign((_, params: { status: OperationStatusCode }) => ({ status: params.status, persistFailures: 0 })),
    recordStop: assign(({ context, event }) => ({ stopId: event.type === 'STOP' ? event.stopId ?? null : context.stopId })),
  },
  guards: {
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
  },
  delays: {
    persistBackoff: ({ context }) => persistBackoffMs(context.persistFailures),
  },
});

type EndState = 'succeeded' | 'failed' | 'canceled' | 'endedUnexpectedly' | 'completed';

/**
 * The transitions to an end status: straight to its final state when the catalog already recorded
 * it with its cause, else through `recording` (the invoked commit).
 */
const end = (status: OperationStatusCode, target: EndState) => [
  { guard: 'recordedByCause' as const, target, actions: { type: 'setStatus' as const, params: { status } } },
  { target: '#execution.recording', actions: { type: 'beginRecording' as const, params: { status } } },
];

const requestCancelTasks = executionSetup.enqueueActions(({ context, enqueue }) => {
  enqueue({ type: 'cancelTasks', params: { executionId: context.executionId, stopId: context.stopId } });
});

/**
 * Master-side execution machine. States (status code): created(1) → pending(5) → running(2) →
 * succeeded(7) | failed(4) | canceled(3) | endedUnexpectedly(6) | completed(9), with stopping(8).
 *
 * Who records what (the machine decides the status, the catalog records it):
 * - 1, 5, 8 are committed by create_execution, start_execution and stop_operation, before their
 *   events reach the machine; 2 by the claim itself (claim_tasks records the claimed task's execution
 *   as running on that worker, a retry's re-claim included) or by a readoption. None is persisted again.
 * - An end status is usually committed with its cause (the final report's or the expiry sweep's
 *   transaction, or a stop of a run nothing held): the event says `recorded` and the machine goes
 *   straight to its final state. Otherwise it goes through `recording`, which invokes the
 *   `persistOperationStatus` promise actor. Its `onError` is the failed commit coming back:
 *   `persistFailed` is requested (the root logs it) and the commit is retried after
 *   `persistBackoffMs(failures)` on the actor clock (250 ms doubling to 30 s), for as long as the
 *   master runs. The end status is decided and final for the machine meanwhile: reports and stops
 *   that arrive change nothing. (After a master restart an execution whose task ended but whose
 *   status was never committed is not rebuilt: see runtime/master/README.md.)
 *
 * Effects: the invoked `persistOperationStatus(PersistOperationStatusParams)`; actions
 * `cancelTasks(CancelTasksParams)` (on STOP from pending or running) and `persistFailed`.
 * Delay: `persistBackoff`. Output (final states): `{ status }`.
 */
export const executionMachine = executionSetup.createMachine({
  id: 'execution',
  context: ({ input }) => ({
    executionId: input.executionId,
    status: input.status ?? OperationStatus.created,
    workerAgentId: input.workerAgentId ?? null,
    attempt: input.attempt ?? 0,
    stopId: null,
    persistFailures: 0,
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
        STOP: { target: 'canceled', actions: ['recordStop', { type: 'setStatus', params: { status: 3 } }, requestCancelTasks] },
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
        STOP: { target: 'stopping', actions: ['recordStop', { type: 'setStatus', params: { status: 8 } }, requestCancelTasks] },
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
