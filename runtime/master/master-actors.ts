/**
 * The master's actor system: the `execution:<id>` (with its task as a region) and `worker:<guid>`
 * machines of `actors/`, each a top-level actor kept in a map by its id, with their effects provided here at the composition root:
 * the claim and the operation-status commit as promise actors (`fromPromise`) whose results and
 * failures come back to the machines as `onDone`/`onError` events, the rest as actions.
 * Division of labour: the catalog procedures (claim_tasks, update_task_status, dealwith_expired_tasks)
 * apply the task status rules and commit the rows; the actors hold the live state and decide what
 * the master does next — whether a pull may claim (capacity, enabled, draining), when to tell a
 * worker it was enabled or must cancel, when a lease ran out, and which operation status an
 * execution ends with when the catalog did not already record it.
 */
import { createActor, fromPromise } from 'xstate';
import type { ActorOptions, AnyActorRef, AnyActorLogic } from 'xstate';

/** XState's clock interface (setTimeout/clearTimeout), as `createActor` takes it. */
export type ActorClock = NonNullable<ActorOptions<AnyActorLogic>['clock']>;
import type { Logger } from 'pino';
import type { TaskRecord } from '../../actors/ports.ts';
import { serializeError } from '../../actors/errors.ts';
import type { OperationStatusCode, TaskStatusCode } from '../../actors/catalog-codes.ts';
import type { ExecutionEvent, TaskEvent, WorkerAgentEvent } from '../../actors/events.ts';
import { executionMachine } from '../../actors/execution.machine.ts';
import type { ExecutionInput, PersistOperationStatusParams } from '../../actors/execution.machine.ts';
import type { SerializedError } from '../../actors/errors.ts';
import { workerAgentMachine } from '../../actors/worker-agent.machine.ts';
import type { ClaimTasksInput, RefusePullParams, WorkerAgentInput } from '../../actors/worker-agent.machine.ts';

/** What the actors' effects do, supplied by the dispatcher. */
export interface MasterActorEffects {
  /**
   * `worker:`'s invoked claim (`claimTasks`): claim up to `slots` tasks for the worker; resolves once
   * committed, with the tasks (each held by the worker under its new attempt, its execution running).
   */
  claimTasks(workerAgentId: string, slots: number): Promise<readonly TaskRecord[]>;
  /** `assignClaimed`: the claim committed; tell the actors and send the tasks to the worker. */
  assignClaimed(workerAgentId: string, tasks: readonly TaskRecord[], slots: number): void;
  /** `claimFailed`: the claim could not be committed. */
  claimFailed?(workerAgentId: string, slots: number, error: SerializedError): void;
  /** `refusePull`: this PULL claims nothing (`claiming`: a claim for the worker is in flight; serve it again when that ends). */
  pullRefused?(workerAgentId: string, reason: RefusePullParams['reason']): void;
  /** `notifyEnabledChanged`: push `enabled-changed` to the connected worker. */
  sendEnabledChanged(workerAgentId: string, enabled: boolean): void;
  /** `requestWorkerCancel`: push `cancel` for this attempt to the worker holding it. */
  cancelOnWorker(taskId: string, workerAgentId: string, attempt: number): void;
  /**
   * `execution:`'s invoked `persistOperationStatus`: make the catalog say this end status (idempotent).
   * A rejection comes back to the machine, which retries with backoff on the actor clock.
   */
  persistOperationStatus(params: PersistOperationStatusParams, taskId: string | undefined): Promise<unknown>;
  /** A task's lease timer ran out: run the catalog's expiry rules now. */
  leaseTimerFired(taskId: string): void;
  /** `markOnline` / `markOffline`. */
  liveness?(workerAgentId: string, online: boolean): void;
}

export interface MasterActorsOptions {
  readonly logger: Logger;
  readonly leaseMs: number;
  /** A worker with no heartbeat for this long is offline (3 × the default AgentHeartbeatInterval). */
  readonly offlineAfterMs: number;
  readonly effects: MasterActorEffects;
  /**
   * The clock of every actor's delays (lease, offline and commit-retry timers): XState's `SimulatedClock` in
   * tests, so the master's actors are tested without sleeping like the machines. @default real time
   */
  readonly clock?: ActorClock;
}

export class MasterActors {
  readonly #o: MasterActorsOptions;
  readonly #log: Logger;
  readonly #logic: { readonly execution: AnyActorLogic; readonly worker: AnyActorLogic };
  /**
   * Live actors by id (`execution:<id>`, `worker:<guid>`). Top-level actors in a map, not children
   * of one root machine (issue 15): XState copies a parent's whole `children` object on every spawn
   * and stop, so with 1,000 workers and thousands of live executions each spawn/stop cost O(live
   * actors) — 28% of the master's CPU in bench/scale.ts.
   */
  readonly #actors = new Map<string, AnyActorRef>();
  /** execution id → its task id (for stop_id lookups), and back (reports name their task). */
  readonly #taskOfExecution = new Map<number, string>();
  readonly #executionOfTask = new Map<string, number>();
  /** Promise actors' work in flight (claims, commits): `drain()` waits for it before a stop. */
  readonly #inflight = new Set<Promise<unknown>>();
  #stopped = false;

  constructor(options: MasterActorsOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'actors' });
    const fx = options.effects;
    const log = this.#log;
    const route = (systemId: string, event: { type: string }) => {
      const ref = this.#ref(systemId);
      if (ref) ref.send(event);
    };
    const track = <T>(work: Promise<T>): Promise<T> => {
      this.#inflight.add(work);
      const done = () => { this.#inflight.delete(work); };
      work.then(done, done);
      return work;
    };
    const execution = executionMachine.provide({
      actors: {
        persistOperationStatus: fromPromise<unknown, PersistOperationStatusParams>(({ input }) =>
          track(fx.persistOperationStatus(input, this.#taskOfExecution.get(input.executionId)))),
      },
      actions: {
        persistFailed: (_, p) => log.error({ err: p.error, executionId: p.executionId, status: p.status, failures: p.failures, retryInMs: p.retryInMs },
          `could not commit the end status ${p.status} of execution ${p.executionId}; retrying in ${p.retryInMs} ms`),
        rejectStaleReport: (_, p) => log.warn(p, `outcome for task ${p.taskId} ignored: attempt ${p.reportedAttempt}, current ${p.currentAttempt}`),
        requestWorkerCancel: (_, p) => fx.cancelOnWorker(p.taskId, p.workerAgentId, p.attempt),
        notifyWorker: (_, p) => route(`worker:${p.workerAgentId}`, p.event),
        // The lease timer ran out: the catalog's expiry rules decide what the row becomes (LEASE_LOST).
        leaseRanOut: (_, p) => {
          log.warn({ taskId: p.taskId, attempt: p.attempt, workerAgentId: p.workerAgentId }, 'task lease timer ran out; running the expiry rules now');
          fx.leaseTimerFired(p.taskId);
        },
      },
    });
    const worker = workerAgentMachine.provide({
      actors: {
        claimTasks: fromPromise<readonly TaskRecord[], ClaimTasksInput>(({ input }) => track(fx.claimTasks(input.workerAgentId, input.slots))),
      },
      actions: {
        assignClaimed: (_, p) => fx.assignClaimed(p.workerAgentId, p.tasks, p.slots),
        claimFailed: (_, p) => fx.claimFailed?.(p.workerAgentId, p.slots, p.error),
        refusePull: (_, p) => fx.pullRefused?.(p.workerAgentId, p.reason),
        notifyEnabledChanged: (_, p) => fx.sendEnabledChanged(p.workerAgentId, p.enabled),
        markOnline: (_, p) => fx.liveness?.(p.workerAgentId, true),
        markOffline: (_, p) => fx.liveness?.(p.workerAgentId, false),
      },
    });
    this.#logic = { execution, worker };
  }

  /** Starts one actor; a finished one is forgotten (the catalog keeps its record), a failed one logged and forgotten alone. */
  #spawn(id: string, logic: AnyActorLogic, input: unknown): void {
    const ref = createActor(logic, { id, input, ...(this.#o.clock === undefined ? {} : { clock: this.#o.clock }) });
    this.#actors.set(id, ref);
    const forget = (): void => {
      if (this.#actors.get(id) !== ref) return;
      this.#actors.delete(id);
      if (id.startsWith('execution:')) {
        const executionId = Number(id.slice('execution:'.length));
        const taskId = this.#taskOfExecution.get(executionId);
        this.#taskOfExecution.delete(executionId);
        if (taskId !== undefined && this.#executionOfTask.get(taskId) === executionId) this.#executionOfTask.delete(taskId);
      }
    };
    ref.subscribe({
      complete: forget,
      error: (err) => { forget(); this.#log.error({ err: serializeError(err), actor: id }, 'master actor failed'); },
    });
    ref.start();
  }

  /** Live actor counts (tests, the viewer): each execution actor holds its task (`tasks` = those not ended). */
  counts(): { executions: number; tasks: number; workers: number } {
    const children = [...this.#actors.entries()];
    const executions = children.filter(([i]) => i.startsWith('execution:'));
    return {
      executions: executions.length,
      tasks: executions.filter(([, ref]) => !['succeeded', 'failed', 'canceled'].includes(String((ref?.getSnapshot().value as { task?: unknown } | undefined)?.task))).length,
      workers: children.filter(([i]) => i.startsWith('worker:')).length,
    };
  }

  /**
   * The state value of one actor, for tests and diagnostics (undefined when none is live):
   * `execution:<id>` → its operation region, `task:<id>` → the task region of its execution's actor.
   */
  stateOf(systemId: string): unknown {
    if (systemId.startsWith('task:')) {
      const executionId = this.#executionOfTask.get(systemId.slice('task:'.length));
      return executionId === undefined ? undefined : (this.#ref(`execution:${executionId}`)?.getSnapshot().value as { task?: unknown } | undefined)?.task;
    }
    const value = this.#ref(systemId)?.getSnapshot().value;
    return systemId.startsWith('execution:') ? (value as { operation?: unknown } | undefined)?.operation : value;
  }

  /** Whether `execution:<id>` is live (it owns its end status: see Dispatcher#reconcileEndedExecutions). */
  hasExecution(executionId: number): boolean { return this.#ref(`execution:${executionId}`) !== undefined; }
  hasWorker(workerAgentId: string): boolean { return this.#ref(`worker:${workerAgentId}`) !== undefined; }

  ensureWorker(workerAgentId: string, isEnabled: boolean): void {
    if (this.#stopped || this.hasWorker(workerAgentId)) return;
    this.#spawn(`worker:${workerAgentId}`, this.#logic.worker, { workerAgentId, offlineAfterMs: this.#o.offlineAfterMs, isEnabled } satisfies WorkerAgentInput);
  }

  /**
   * The actor of the execution of this task row, resumed from the catalog when none is live: the
   * operation in `status`, its task as the row says (rebuild at start, a task met on a reconnect).
   */
  ensureExecution(t: TaskRecord, status: OperationStatusCode, leaseMs = this.#o.leaseMs): void {
    if (this.#stopped || this.#ref(`execution:${t.executionId}`)) return;
    this.#taskOfExecution.set(t.executionId, t.taskId);
    this.#executionOfTask.set(t.taskId, t.executionId);
    this.#spawn(`execution:${t.executionId}`, this.#logic.execution, {
      executionId: t.executionId, status, workerAgentId: t.workerAgentId, attempt: t.executedCount,
      task: {
        taskId: t.taskId, executionId: t.executionId, maxExecutedCount: t.maxExecutedCount, executedCount: t.executedCount,
        leaseMs, status: t.status as TaskStatusCode, workerAgentId: t.workerAgentId, isCancelled: t.isCancelled,
      },
    } satisfies ExecutionInput);
  }

  /**
   * A committed claim: the execution's actor (created with its task ready, with the attempts before
   * this one, when it is new; the operation `status` pending for a first attempt, running for a
   * retry) receives CLAIMED: its task region tells `worker:` (TASK_ASSIGNED) and its operation region
   * moves to running, which the claim recorded.
   */
  claimed(t: TaskRecord, workerAgentId: string, leaseMs = this.#o.leaseMs, status: OperationStatusCode = t.executedCount > 1 ? 2 : 5): void {
    if (this.#stopped) return;
    this.ensureExecution({ ...t, status: 1, executedCount: t.executedCount - 1, workerAgentId: null }, status, leaseMs);
    this.sendTask(t.taskId, { type: 'CLAIMED', workerAgentId, attempt: t.executedCount });
  }

  sendWorker(workerAgentId: string, event: WorkerAgentEvent): void { this.#ref(`worker:${workerAgentId}`)?.send(event); }
  sendTask(taskId: string, event: TaskEvent): boolean {
    const executionId = this.#executionOfTask.get(taskId);
    const ref = executionId === undefined ? undefined : this.#ref(`execution:${executionId}`);
    ref?.send(event);
    return ref !== undefined;
  }
  sendExecution(executionId: number, event: ExecutionEvent): boolean {
    const ref = this.#ref(`execution:${executionId}`);
    ref?.send(event);
    return ref !== undefined;
  }

  /** Resolves when the claims and commits in flight have settled (and their results reached the machines). */
  async drain(): Promise<void> {
    while (this.#inflight.size > 0) {
      await Promise.allSettled([...this.#inflight]);
      // onDone/onError are delivered after the promise settles.
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Waits for the claims and commits in flight, then stops every actor. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    await this.drain();
    this.#stopped = true;
    for (const ref of this.#actors.values()) ref.stop();
    this.#actors.clear();
  }

  #ref(systemId: string): AnyActorRef | undefined {
    return this.#stopped ? undefined : this.#actors.get(systemId);
  }
}
