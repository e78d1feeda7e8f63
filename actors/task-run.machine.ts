/**
 * One task held by a worker: fetch the project (cached by hash), run the package in the pool,
 * keep the lease alive with task heartbeats, stop on cancel, kill the run when heartbeats fail for
 * longer than the tolerance, and report the final status until the master acknowledges it.
 * Pure: the fetch and the run are provided actors; heartbeats and reports are effects.
 */
import { assign, fromCallback, fromPromise, setup, type CallbackActorLogic } from 'xstate';
import { SsoError, serializeError } from './errors.ts';
import { TaskStatus } from './catalog-codes.ts';
import type { ExecutionPayload } from './ports.ts';
import type { RunControlEvent, RunOutcome, TaskRunEvent } from './events.ts';

/** Default bound on a cooperative abort before the run is stopped by force (ms). */
export const DEFAULT_ABORT_GRACE_MS = 30_000;

export interface TaskRunInput {
  readonly taskId: string;
  /** The claim's attempt number: sent with every heartbeat and report. */
  readonly attempt: number;
  readonly payload: ExecutionPayload;
  /** TaskHeartbeatInterval in ms (also the retry period of the final report). */
  readonly taskHeartbeatMs: number;
  /** HeartbeatErrorTolerance in ms: kill the run after this long without a successful heartbeat. */
  readonly heartbeatErrorToleranceMs: number;
  /** How long a cancelled run may take to stop by itself (default `DEFAULT_ABORT_GRACE_MS`). */
  readonly abortGraceMs?: number;
}

export interface TaskRunContext {
  readonly taskId: string;
  readonly attempt: number;
  readonly payload: ExecutionPayload;
  readonly taskHeartbeatMs: number;
  readonly heartbeatErrorToleranceMs: number;
  readonly abortGraceMs: number;
  readonly projectBytes: Uint8Array | null;
  /** Final task status once known: 5 succeeded, 4 failed, 6 canceled. */
  readonly status: number | null;
  /** Why the run failed or was stopped (null on success). */
  readonly message: string | null;
  /** Heartbeats failed since the last successful one. */
  readonly failuresSinceOk: number;
}

export interface TaskRunOutput {
  readonly taskId: string;
  readonly attempt: number;
  readonly status: number;
  readonly message: string | null;
}

/** Input of the `fetchProject` actor; it resolves the project's `.ispac` bytes. */
export interface FetchProjectInput {
  readonly taskId: string;
  readonly projectVersionLsn: number;
  readonly projectSha256: string;
}

/** Input of the `runPackage` actor. */
export interface RunPackageActorInput {
  readonly taskId: string;
  readonly attempt: number;
  readonly payload: ExecutionPayload;
  readonly projectBytes: Uint8Array;
}

/** `sendTaskHeartbeat`: report the task alive (2 running, 3 finishing); answer with HEARTBEAT_OK/FAILED. */
export interface SendTaskHeartbeatParams { readonly taskId: string; readonly attempt: number; readonly status: 2 | 3 }
/** `abortRun`: the run is being stopped (`canceled`) or killed (`heartbeat-tolerance`). */
export interface AbortRunParams { readonly taskId: string; readonly attempt: number; readonly reason: 'canceled' | 'heartbeat-tolerance' }
/** `reportFinalStatus`: send the final status; answer with REPORT_ACKED once committed. */
export interface ReportFinalStatusParams { readonly taskId: string; readonly attempt: number; readonly status: number; readonly message: string | null }

/**
 * Builds the `runPackage` actor from an async run function. The function gets an AbortSignal that
 * fires on cancel (ABORT) or when the task-run stops the child (kill); its result or error is sent
 * back as RUN_FINISHED / RUN_FAILED. Use it at the composition root:
 * `taskRunMachine.provide({ actors: { runPackage: runPackageActor((input, signal) => pool.run(…)) } })`.
 */
export function runPackageActor(
  run: (input: RunPackageActorInput, signal: AbortSignal) => Promise<RunOutcome>,
): CallbackActorLogic<RunControlEvent, RunPackageActorInput> {
  return fromCallback<RunControlEvent, RunPackageActorInput>(({ input, sendBack, receive }) => {
    const controller = new AbortController();
    let stopped = false;
    receive((event) => {
      if (event.type === 'ABORT') controller.abort(new SsoError('SSO_ERR_TASK_ABORTED', `Task ${input.taskId} was stopped: ${event.reason}`));
    });
    const done = (event: TaskRunEvent): void => {
      if (!stopped) sendBack(event);
    };
    Promise.resolve()
      .then(() => run(input, controller.signal))
      .then(
        (result) => done({ type: 'RUN_FINISHED', result }),
        (error: unknown) => done({ type: 'RUN_FAILED', error: serializeError(error) }),
      );
    return () => {
      stopped = true;
      controller.abort(new SsoError('SSO_ERR_TASK_ABORTED', `Task ${input.taskId} was stopped`));
    };
  });
}

const notProvided = (name: string) => new SsoError('SSO_ERR_ILLEGAL_STATE', `taskRun: the ${name} actor was not provided (machine.provide({ actors }))`);

const HEARTBEAT_TIMER = 'taskHeartbeat';
const TOLERANCE_TIMER = 'heartbeatTolerance';

const taskRunSetup = setup({
  types: {
    input: {} as TaskRunInput,
    context: {} as TaskRunContext,
    events: {} as TaskRunEvent,
    output: {} as TaskRunOutput,
  },
  actors: {
    fetchProject: fromPromise<Uint8Array, FetchProjectInput>(async () => {
      throw notProvided('fetchProject');
    }),
    runPackage: fromCallback<RunControlEvent, RunPackageActorInput>(({ sendBack }) => {
      sendBack({ type: 'RUN_FAILED', error: serializeError(notProvided('runPackage')) });
    }),
  },
  actions: {
    sendTaskHeartbeat: (_, _params: SendTaskHeartbeatParams) => {},
    abortRun: (_, _params: AbortRunParams) => {},
    reportFinalStatus: (_, _params: ReportFinalStatusParams) => {},
    heartbeatFailed: assign(({ context }) => ({ failuresSinceOk: context.failuresSinceOk + 1 })),
  },
  guards: {
    answeredCancel: ({ event }) => event.type === 'HEARTBEAT_OK' && event.status === TaskStatus.canceled,
    failedSinceOk: ({ context }) => context.failuresSinceOk > 0,
  },
  delays: {
    taskHeartbeat: ({ context }) => context.taskHeartbeatMs,
    heartbeatErrorTolerance: ({ context }) => context.heartbeatErrorToleranceMs,
    abortGrace: ({ context }) => context.abortGraceMs,
    reportRetry: ({ context }) => context.taskHeartbeatMs,
  },
});

const beat = (status: 2 | 3) =>
  taskRunSetup.enqueueActions(({ context, enqueue }) => {
    enqueue({ type: 'sendTaskHeartbeat', params: { taskId: context.taskId, attempt: context.attempt, status } });
  });

const armHeartbeat = taskRunSetup.enqueueActions(({ enqueue }) => {
  enqueue.cancel(HEARTBEAT_TIMER);
  enqueue.raise({ type: 'TASK_HEARTBEAT_TICK' }, { delay: 'taskHeartbeat', id: HEARTBEAT_TIMER });
});

/** The tolerance is measured from the last success (or the start): restart it on each. */
const armTolerance = taskRunSetup.enqueueActions(({ enqueue }) => {
  enqueue.cancel(TOLERANCE_TIMER);
  enqueue.raise({ type: 'TOLERANCE_CHECK' }, { delay: 'heartbeatErrorTolerance', id: TOLERANCE_TIMER });
});

const heartbeatOk = taskRunSetup.enqueueActions(({ enqueue }) => {
  enqueue.assign({ failuresSinceOk: 0 });
  enqueue.cancel(TOLERANCE_TIMER);
  enqueue.raise({ type: 'TOLERANCE_CHECK' }, { delay: 'heartbeatErrorTolerance', id: TOLERANCE_TIMER });
});

const finish = (status: number, message: (context: TaskRunContext) => string | null) =>
  taskRunSetup.enqueueActions(({ context, enqueue }) => {
    enqueue.assign({ status, message: message(context) });
  });

/** Status and message from how the run ended; `canceledUnlessSucceeded` while aborting (success wins). */
const finishFromRun = (canceledUnlessSucceeded: boolean) =>
  taskRunSetup.enqueueActions(({ event, enqueue }) => {
    if (event.type === 'RUN_FINISHED') {
      const { outcome, errors, failure } = event.result;
      if (outcome === 'succeeded') { enqueue.assign({ status: TaskStatus.succeeded, message: null }); return; }
      const text = errors.length > 0 ? errors.join('\n') : failure?.message ?? null;
      const status = canceledUnlessSucceeded || outcome === 'canceled' ? TaskStatus.canceled : TaskStatus.failed;
      enqueue.assign({ status, message: text });
      return;
    }
    if (event.type === 'RUN_FAILED') {
      enqueue.assign({ status: canceledUnlessSucceeded ? TaskStatus.canceled : TaskStatus.failed, message: event.error.message });
    }
  });

const abortRun = (reason: AbortRunParams['reason']) =>
  taskRunSetup.enqueueActions(({ context, enqueue }) => {
    enqueue({ type: 'abortRun', params: { taskId: context.taskId, attempt: context.attempt, reason } });
  });

/** Ask the run to stop cooperatively: its AbortSignal fires, it should end as canceled. */
const signalRun = taskRunSetup.enqueueActions(({ enqueue, self }) => {
  const run = self.getSnapshot().children['run'];
  if (run !== undefined) enqueue.sendTo(run, { type: 'ABORT', reason: 'canceled' } satisfies RunControlEvent);
});

const report = taskRunSetup.enqueueActions(({ context, enqueue }) => {
  enqueue({ type: 'reportFinalStatus', params: { taskId: context.taskId, attempt: context.attempt, status: context.status ?? TaskStatus.failed, message: context.message } });
});

const toleranceMessage = (context: TaskRunContext) =>
  `Task heartbeats failed for ${context.heartbeatErrorToleranceMs} ms since the last successful one (HeartbeatErrorTolerance); the run was terminated`;

/** Heartbeat handling shared by every state that holds the task. */
const liveHandlers = taskRunSetup.createStateConfig({
  on: {
    HEARTBEAT_FAILED: { actions: 'heartbeatFailed' },
    TOLERANCE_CHECK: [
      { guard: 'failedSinceOk', target: '#taskRun.reporting', actions: [abortRun('heartbeat-tolerance'), finish(TaskStatus.failed, toleranceMessage)] },
      // Silence without a failure is not an error report: wait another period.
      { actions: armTolerance },
    ],
  },
});

/**
 * Worker-side task-run machine: received → preparing (actor `fetchProject`) → running (child
 * `runPackage`, id `run`) → reporting (until REPORT_ACKED) → done; CANCEL or a heartbeat answer 6
 * while running → aborting (the run's signal fires; it ends, or is stopped after `abortGrace`).
 * Task heartbeats every `taskHeartbeatMs` while the task is held; when heartbeats have failed and
 * none succeeded for `heartbeatErrorToleranceMs`, the run is killed (`abortRun`) and ends failed.
 *
 * Effects (no-op by default): `sendTaskHeartbeat`, `abortRun`, `reportFinalStatus`. Actors (reject
 * by default): `fetchProject`, `runPackage` (build it with `runPackageActor`).
 * Output: `{ taskId, attempt, status, message }`.
 */
export const taskRunMachine = taskRunSetup.createMachine({
  id: 'taskRun',
  context: ({ input }) => ({
    taskId: input.taskId,
    attempt: input.attempt,
    payload: input.payload,
    taskHeartbeatMs: input.taskHeartbeatMs,
    heartbeatErrorToleranceMs: input.heartbeatErrorToleranceMs,
    abortGraceMs: input.abortGraceMs ?? DEFAULT_ABORT_GRACE_MS,
    projectBytes: null,
    status: null,
    message: null,
    failuresSinceOk: 0,
  }),
  initial: 'received',
  states: {
    /** The first heartbeat goes out at once: it tells the master the claim arrived (leased → running). */
    received: {
      entry: [beat(2), armHeartbeat, armTolerance],
      always: 'preparing',
    },
    preparing: {
      invoke: {
        id: 'fetchProject',
        src: 'fetchProject',
        input: ({ context }) => ({ taskId: context.taskId, projectVersionLsn: context.payload.projectVersionLsn, projectSha256: context.payload.projectSha256 }),
        onDone: { target: 'running', actions: assign({ projectBytes: ({ event }) => event.output }) },
        onError: {
          target: 'reporting',
          actions: assign({ status: TaskStatus.failed, message: ({ event }) => `The project could not be fetched: ${serializeError(event.error).message}` }),
        },
      },
      on: {
        ...liveHandlers.on,
        TASK_HEARTBEAT_TICK: { actions: [beat(2), armHeartbeat] },
        HEARTBEAT_OK: [
          { guard: 'answeredCancel', target: 'reporting', actions: [heartbeatOk, finish(TaskStatus.canceled, () => 'Canceled before the run started')] },
          { actions: heartbeatOk },
        ],
        CANCEL: { target: 'reporting', actions: finish(TaskStatus.canceled, () => 'Canceled before the run started') },
      },
    },
    running: {
      entry: taskRunSetup.spawnChild('runPackage', {
        id: 'run',
        input: ({ context }) => ({ taskId: context.taskId, attempt: context.attempt, payload: context.payload, projectBytes: context.projectBytes ?? new Uint8Array() }),
      }),
      on: {
        ...liveHandlers.on,
        TASK_HEARTBEAT_TICK: { actions: [beat(2), armHeartbeat] },
        HEARTBEAT_OK: [
          { guard: 'answeredCancel', target: 'aborting', actions: heartbeatOk },
          { actions: heartbeatOk },
        ],
        CANCEL: 'aborting',
        RUN_FINISHED: { target: 'reporting', actions: finishFromRun(false) },
        RUN_FAILED: { target: 'reporting', actions: finishFromRun(false) },
      },
    },
    aborting: {
      entry: [signalRun, abortRun('canceled')],
      after: { abortGrace: { target: 'reporting', actions: finish(TaskStatus.canceled, (c) => `The run did not stop within ${c.abortGraceMs} ms of the cancel and was terminated`) } },
      on: {
        ...liveHandlers.on,
        TASK_HEARTBEAT_TICK: { actions: [beat(3), armHeartbeat] },
        HEARTBEAT_OK: { actions: heartbeatOk },
        RUN_FINISHED: { target: 'reporting', actions: finishFromRun(true) },
        RUN_FAILED: { target: 'reporting', actions: finishFromRun(true) },
      },
    },
    reporting: {
      entry: [
        taskRunSetup.stopChild('run'),
        taskRunSetup.cancel(HEARTBEAT_TIMER),
        taskRunSetup.cancel(TOLERANCE_TIMER),
        report,
      ],
      // Re-entering re-sends the report until it is acknowledged (the master applies it once).
      after: { reportRetry: { target: 'reporting', reenter: true } },
      on: {
        REPORT_ACKED: 'done',
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => ({ taskId: context.taskId, attempt: context.attempt, status: context.status ?? TaskStatus.failed, message: context.message }),
});

export type TaskRunMachine = typeof taskRunMachine;
