/**
 * The master's actor system: the `execution:<id>`, `task:<id>` and `worker:<guid>` machines of
 * `actors/` spawned under one root actor, with their effects provided here at the composition root.
 * Division of labour: the catalog procedures (pull_task, update_task_status, dealwith_expired_tasks)
 * stay the committers of task rows; the actors hold the live state and decide what the master does
 * next — whether a pull may claim (capacity, enabled, draining), when to tell a worker it was enabled
 * or must cancel, when a lease ran out, and which operation status to commit when a task ends.
 */
import { createActor } from 'xstate';
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
import { taskMachine } from '../../actors/task.machine.ts';
import type { TaskInput } from '../../actors/task.machine.ts';
import { workerAgentMachine } from '../../actors/worker-agent.machine.ts';
import type { WorkerAgentInput } from '../../actors/worker-agent.machine.ts';

/** What the actors' effects do, supplied by the agent hub. */
export interface MasterActorEffects {
  /** `claimTask`: the worker may claim up to `slots` tasks now. Called synchronously inside `PULL`. */
  claim(workerAgentId: string, slots: number): void;
  /** `notifyEnabledChanged`: push `enabled-changed` to the connected worker. */
  sendEnabledChanged(workerAgentId: string, enabled: boolean): void;
  /** `requestWorkerCancel`: push `cancel` for this attempt to the worker holding it. */
  cancelOnWorker(taskId: string, workerAgentId: string, attempt: number): void;
  /** `persistOperationStatus`: make the catalog say this status (when it does not already). Resolves with what is committed. */
  persistOperationStatus(params: PersistOperationStatusParams, taskId: string | undefined): Promise<number | undefined>;
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
   * The clock of every actor's delays (lease timers, offline timers): XState's `SimulatedClock` in
   * tests, so the master's actors are tested without sleeping like the machines. @default real time
   */
  readonly clock?: ActorClock;
}


export class MasterActors {
  readonly #o: MasterActorsOptions;
  readonly #log: Logger;
  readonly #logic: { readonly execution: AnyActorLogic; readonly task: AnyActorLogic; readonly worker: AnyActorLogic };
  readonly #actors = new Map<string, AnyActorRef>();
  /** execution id → its task id (for stop_id lookups and cancels). */
  readonly #taskOfExecution = new Map<number, string>();
  /** Persist effects in flight, per execution, chained in request order. */
  readonly #persisting = new Map<number, Promise<number | undefined>>();
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
    const execution = executionMachine.provide({
      actions: {
        persistOperationStatus: (_, params) => this.#persist(params),
        cancelTasks: (_, params) => {
          const taskId = this.#taskOfExecution.get(params.executionId);
          if (taskId !== undefined) route(`task:${taskId}`, { type: 'CANCEL' });
        },
      },
    });
    const task = taskMachine.provide({
      actions: {
        // The catalog procedure that produced the event already committed the task row.
        persistTaskStatus: () => {},
        // The hub answers with update_task_status's result, which follows the same rules.
        answerHeartbeat: () => {},
        answerReport: () => {},
        rejectStaleReport: (_, p) => log.warn(p, `stale report for task ${p.taskId}: attempt ${p.reportedAttempt}, current ${p.currentAttempt}`),
        requestWorkerCancel: (_, p) => fx.cancelOnWorker(p.taskId, p.workerAgentId, p.attempt),
        notifyExecution: (_, p) => route(`execution:${p.executionId}`, p.event),
        notifyWorker: (_, p) => route(`worker:${p.workerAgentId}`, p.event),
        // The lease timer ran out: the catalog's expiry rules decide what the row becomes.
        leaseRanOut: (_, p) => {
          log.warn({ taskId: p.taskId, attempt: p.attempt, workerAgentId: p.workerAgentId }, 'task lease timer ran out; running the expiry rules now');
          fx.leaseTimerFired(p.taskId);
        },
      },
    });
    const worker = workerAgentMachine.provide({
      actions: {
        claimTask: (_, p) => fx.claim(p.workerAgentId, p.slots),
        refusePull: () => {},
        notifyEnabledChanged: (_, p) => fx.sendEnabledChanged(p.workerAgentId, p.enabled),
        markOnline: (_, p) => fx.liveness?.(p.workerAgentId, true),
        markOffline: (_, p) => fx.liveness?.(p.workerAgentId, false),
      },
    });
    this.#logic = { execution, task, worker };
  }

  /**
   * Issue 15 (perf, re-apply after the dispatcher split): every actor is its own top-level XState
   * actor in a Map, not a child spawned by one root machine. XState copies a parent's whole
   * `children` object on every spawn and every stop, so with 1,000 workers and thousands of live
   * tasks each spawn/stop cost O(live actors) (28% of the master's CPU in bench/scale.ts). A finished
   * execution or task is forgotten when it completes (the catalog keeps its record), as the root's
   * done handler did; an actor that fails is logged and forgotten alone.
   */
  #spawn(id: string, logic: AnyActorLogic, input: unknown): void {
    const ref = createActor(logic, { id, input, ...(this.#o.clock === undefined ? {} : { clock: this.#o.clock }) });
    this.#actors.set(id, ref);
    const forget = (): void => { if (this.#actors.get(id) === ref) this.#actors.delete(id); };
    ref.subscribe({
      complete: forget,
      error: (err) => { forget(); this.#log.error({ err: serializeError(err), actor: id }, 'master actor failed'); },
    });
    ref.start();
  }

  /** Live actor counts (tests, the viewer). */
  counts(): { executions: number; tasks: number; workers: number } {
    const ids = [...this.#actors.keys()];
    return {
      executions: ids.filter((i) => i.startsWith('execution:')).length,
      tasks: ids.filter((i) => i.startsWith('task:')).length,
      workers: ids.filter((i) => i.startsWith('worker:')).length,
    };
  }

  /** The state value of one actor, for tests and diagnostics (undefined when none is live). */
  stateOf(systemId: string): unknown {
    return this.#ref(systemId)?.getSnapshot().value;
  }

  hasWorker(workerAgentId: string): boolean { return this.#ref(`worker:${workerAgentId}`) !== undefined; }

  ensureWorker(workerAgentId: string, isEnabled: boolean): void {
    if (this.#stopped || this.hasWorker(workerAgentId)) return;
    this.#spawn(`worker:${workerAgentId}`, this.#logic.worker, { workerAgentId, offlineAfterMs: this.#o.offlineAfterMs, isEnabled } satisfies WorkerAgentInput);
  }

  ensureExecution(executionId: number, status: OperationStatusCode, workerAgentId: string | null = null, attempt = 0): void {
    if (this.#stopped || this.#ref(`execution:${executionId}`)) return;
    this.#spawn(`execution:${executionId}`, this.#logic.execution, { executionId, status, workerAgentId, attempt } satisfies ExecutionInput);
  }

  /** A task actor resumed from its catalog row (rebuild at start, or a task met on a reconnect). */
  ensureTask(t: TaskRecord, leaseMs = this.#o.leaseMs): void {
    if (this.#stopped || this.#ref(`task:${t.taskId}`)) return;
    this.#taskOfExecution.set(t.executionId, t.taskId);
    this.#spawn(`task:${t.taskId}`, this.#logic.task, {
      taskId: t.taskId, executionId: t.executionId, maxExecutedCount: t.maxExecutedCount, executedCount: t.executedCount,
      leaseMs, status: t.status as TaskStatusCode, workerAgentId: t.workerAgentId, isCancelled: t.isCancelled,
    } satisfies TaskInput);
  }

  /**
   * A claim committed by pull_task: the task actor (created ready with the attempts before this one
   * when it is new) receives CLAIMED, which tells `worker:` (TASK_ASSIGNED) and `execution:`
   * (TASK_CLAIMED → running, persisted).
   */
  claimed(t: TaskRecord, workerAgentId: string, leaseMs = this.#o.leaseMs): void {
    if (this.#stopped) return;
    if (!this.#ref(`task:${t.taskId}`)) this.ensureTask({ ...t, status: 1, executedCount: t.executedCount - 1, workerAgentId: null }, leaseMs);
    this.#taskOfExecution.set(t.executionId, t.taskId);
    this.sendTask(t.taskId, { type: 'CLAIMED', workerAgentId, attempt: t.executedCount });
  }

  sendWorker(workerAgentId: string, event: WorkerAgentEvent): void { this.#ref(`worker:${workerAgentId}`)?.send(event); }
  sendTask(taskId: string, event: TaskEvent): boolean {
    const ref = this.#ref(`task:${taskId}`);
    ref?.send(event);
    return ref !== undefined;
  }
  sendExecution(executionId: number, event: ExecutionEvent): boolean {
    const ref = this.#ref(`execution:${executionId}`);
    ref?.send(event);
    return ref !== undefined;
  }

  /** Resolves when the persist effects requested so far for this execution are committed; with the last committed status. */
  settled(executionId: number): Promise<number | undefined> {
    return this.#persisting.get(executionId) ?? Promise.resolve(undefined);
  }

  /** Waits for every persist effect in flight, then stops every actor. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await Promise.allSettled([...this.#persisting.values()]);
    for (const ref of this.#actors.values()) ref.stop();
    this.#actors.clear();
  }

  #ref(systemId: string): AnyActorRef | undefined {
    return this.#stopped ? undefined : this.#actors.get(systemId);
  }

  #persist(params: PersistOperationStatusParams): void {
    const prev = this.#persisting.get(params.executionId) ?? Promise.resolve(undefined);
    const taskId = this.#taskOfExecution.get(params.executionId);
    const next = prev.then(() => this.#o.effects.persistOperationStatus(params, taskId)).catch((err: unknown) => {
      this.#log.error({ err: serializeError(err), executionId: params.executionId, status: params.status }, 'could not commit the operation status');
      return undefined;
    });
    this.#persisting.set(params.executionId, next);
    void next.then(() => {
      if (this.#persisting.get(params.executionId) === next) {
        this.#persisting.delete(params.executionId);
        if (![1, 2, 5, 8].includes(params.status)) this.#taskOfExecution.delete(params.executionId);
      }
    });
  }
}
