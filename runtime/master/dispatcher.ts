/**
 * The master's dispatcher: what the frames of the agent channels mean for the work (issue 15: the
 * hub split into the connection handling, `agent-hub.ts` over `transport/agent-channel.ts`, and
 * this). It turns a worker's pull into a `PULL` for its `worker:` actor, which invokes the claim;
 * readies what the claim committed and sends it (`assign`/`assign-batch`); applies every worker
 * report to the catalog and hands the committed outcome to the `task:` actor; keeps the leases the
 * expiry sweep took so that a worker heard again gets its run back; and wakes pulls up when work
 * appears (`kick`). The actors (`master-actors.ts`) decide; the catalog records; this file carries.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { CatalogStore, TaskRecord, WallClock } from '../../actors/ports.ts';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { SsoError, serializeError } from '../../actors/errors.ts';
import { OperationStatus, TaskStatus } from '../../actors/catalog-codes.ts';
import type { OperationStatusCode } from '../../actors/catalog-codes.ts';
import { endStatusOfEndedTask, type PersistOperationStatusParams } from '../../actors/execution.machine.ts';
import type { AgentChannel } from '../transport/agent-channel.ts';
import type { AssignItem, EventsFrame, PullFrame, TaskStatusFrame } from '../transport/wire.ts';
import { MasterActors } from './master-actors.ts';
import type { ActorClock } from './master-actors.ts';

/** A live task attempt held by a worker. */
export interface Assignment {
  readonly taskId: string;
  readonly executionId: number;
  readonly attempt: number;
  readonly agentId: string;
  /** A first attempt's start_execution time (ms since the epoch; null for retries), for the dispatch-latency metric. */
  readonly readySince?: number | null;
}

/** Lifecycle notifications for the actor system and the live viewer. */
export interface HubObserver {
  agentOnline?(agentId: string, enabled: boolean): void;
  agentOffline?(agentId: string): void;
  taskAssigned?(a: Assignment): void;
  taskReported?(a: Assignment, reported: number, effective: number, operationStatus: number | undefined): void;
}

/** The connections the dispatcher serves, as the hub keeps them. */
export interface DispatcherConnections {
  /** The live connection of a registered worker agent. */
  get(agentId: string): AgentChannel | undefined;
  /** Every live, registered connection. */
  values(): Iterable<AgentChannel>;
}

export interface DispatcherOptions {
  readonly store: CatalogStore;
  readonly logger: Logger;
  readonly clock: WallClock;
  /** Lease given by a claim and renewed by each task heartbeat (until a worker's hello names its own). */
  readonly leaseMs: number;
  readonly observer?: HubObserver;
  /** No frame from a worker for this long marks its actor offline (no claims). @default 300000 */
  readonly workerOfflineAfterMs?: number;
  /** A task actor's lease timer ran out (or a lost lease must be committed): run the expiry sweep now. */
  readonly onLeaseTimer?: (taskId: string) => void;
  /** The clock of the master's actors (their lease, offline and retry timers); tests inject XState's SimulatedClock. */
  readonly actorClock?: ActorClock;
  readonly connections: DispatcherConnections;
  /** Whether this connection answers (heard recently, not readopting): one that does not is not served. */
  readonly responsive: (conn: AgentChannel) => boolean;
}

/** A lease the expiry sweep took from a worker: who held which attempt (see `readoptLostTask`). */
interface LostLease {
  readonly agentId: string;
  readonly attempt: number;
  /** The loss was final (no retry left: the execution ended unexpectedly). */
  readonly final: boolean;
  /** performance.now() of the loss. */
  readonly at: number;
}

const LOST_LEASES_MAX = 10_000;
/**
 * How long the run of a finally lost attempt may go on (its success still wins) before its
 * heartbeats are refused and its worker stops it: a hung run must not hold a slot for ever.
 */
const FINAL_LOSS_TOLERANCE_MS = 30 * 60_000;

const FINAL_OPERATION_STATUSES: ReadonlySet<number> = new Set([3, 4, 6, 7, 9]);
const FINAL_TASK_STATUSES: ReadonlySet<number> = new Set([TaskStatus.failed, TaskStatus.succeeded, TaskStatus.canceled]);

/** A pass over every worker serves this many at a time (see `#chunkedPass`). */
const FULL_PASS_CHUNK = 32;

export class Dispatcher {
  readonly #o: DispatcherOptions;
  readonly #log: Logger;
  readonly #assignments = new Map<string, Assignment>();
  /** Leases lost by the expiry sweep whose task was not claimed again yet, by task id. */
  readonly #lostLeases = new Map<string, LostLease>();
  /** Claimed tasks being readied (payload read) and sent: a graceful close waits for them. */
  readonly #sending = new Set<Promise<void>>();
  #kickScheduled = false;
  /** The next pass serves every connection (`kick()`), else only those in `#toServe` (`kick(conn)`). */
  #fullPassDue = false;
  readonly #toServe = new Set<AgentChannel>();
  /** Workers whose PULL came while their claim was in flight: served again when that claim ends. */
  readonly #servedAfterClaim = new Set<string>();
  #closing = false;
  readonly actors: MasterActors;

  constructor(options: DispatcherOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'dispatcher' });
    this.actors = new MasterActors({
      logger: options.logger, leaseMs: options.leaseMs, offlineAfterMs: options.workerOfflineAfterMs ?? 300_000,
      ...(options.actorClock === undefined ? {} : { clock: options.actorClock }),
      effects: {
        claimTasks: (agentId, slots) => this.#claim(agentId, slots),
        assignClaimed: (agentId, tasks, slots) => this.#assignClaimed(agentId, tasks, slots),
        claimFailed: (agentId, slots, err) => {
          this.#log.warn({ err, agentId, slots }, 'claim_tasks failed; the next pull or kick claims again');
          this.#claimEnded(agentId, false);
        },
        pullRefused: (agentId, reason) => { if (reason === 'claiming') this.#servedAfterClaim.add(agentId); },
        sendEnabledChanged: (agentId, enabled) => {
          const conn = this.#o.connections.get(agentId);
          if (!conn) return;
          conn.enabled = enabled;
          this.#log.info({ agentId, enabled }, enabled ? 'worker agent enabled' : 'worker agent disabled (draining: held tasks go on, nothing new)');
          conn.send({ type: 'enabled-changed', enabled });
          if (enabled) this.kick(conn);
        },
        cancelOnWorker: (taskId, agentId, attempt) => {
          const conn = this.#o.connections.get(agentId);
          if (!conn) return;
          this.#log.info({ taskId, agentId, attempt }, 'cancelling task on its worker');
          conn.send({ type: 'cancel', taskId, attempt });
        },
        persistOperationStatus: (params, taskId) => this.#persistOperation(params, taskId),
        leaseTimerFired: (taskId) => this.#o.onLeaseTimer?.(taskId),
        liveness: (agentId, online) => {
          if (!online && this.#o.connections.get(agentId)) this.#log.warn({ agentId }, 'no frame from this worker for too long: marked offline, nothing is claimed for it until it is heard again');
        },
      },
    });
  }

  assignments(): ReadonlyMap<string, Assignment> {
    return this.#assignments;
  }

  /**
   * Rebuilds the live actors from the catalog after a (re)start: every registered worker (offline
   * until its hello) and every live task with its execution.
   */
  async rebuildActors(heldLeaseMs = this.#o.leaseMs): Promise<{ workers: number; tasks: number }> {
    const store = this.#o.store;
    const workers = await store.listWorkerAgents();
    for (const w of workers) this.actors.ensureWorker(w.workerAgentId, w.isEnabled);
    const tasks = await store.listLiveTasks();
    for (const t of tasks) {
      const op = await store.getOperationStatus(t.executionId);
      if (op === null) continue;
      // Held tasks start with the reconnect grace their catalog rows were given; each worker's first
      // heartbeat brings back its own lease.
      this.actors.ensureExecution(t, op as OperationStatusCode, heldLeaseMs);
    }
    return { workers: workers.length, tasks: tasks.length };
  }

  /**
   * Ends every execution whose task is final but whose operation is not (its end was never
   * committed: runtime/master/README.md, "Reconcile"), with the end status its task implies
   * (`endStatusOfEndedTask`, the one the execution actor would have recorded), committed by the same
   * code as the actor's `persistOperationStatus` (idempotent: an end committed meanwhile is kept).
   * An execution with a live actor is skipped: that actor owns its end and retries a failed commit
   * itself. One failed commit is logged and left for the next pass. Resolves with what was ended, or
   * null when the catalog cannot list them (`listUnfinishedEndedExecutions` missing: SQL Server).
   */
  async reconcileEndedExecutions(): Promise<{ executionId: number; status: OperationStatusCode }[] | null> {
    const store = this.#o.store;
    if (!store.listUnfinishedEndedExecutions) return null;
    const ended: { executionId: number; status: OperationStatusCode }[] = [];
    for (const x of await store.listUnfinishedEndedExecutions()) {
      if (this.actors.hasExecution(x.executionId)) continue;
      const status = endStatusOfEndedTask(x.taskStatus, x.operationStatus, x.isCancelled);
      if (status === null) continue;
      try {
        await this.#persistOperation({ executionId: x.executionId, status, workerAgentId: x.workerAgentId, attempt: x.attempt, stopId: null }, x.taskId);
        ended.push({ executionId: x.executionId, status });
        this.#log.warn({ executionId: x.executionId, taskId: x.taskId, taskStatus: x.taskStatus, from: x.operationStatus, to: status }, 'reconcile: the task of this execution had ended but its end was never committed; committed now');
      } catch (err) {
        this.#log.error({ err: serializeError(err), executionId: x.executionId, taskId: x.taskId }, 'reconcile: could not commit the end of this execution; the next pass tries again');
      }
    }
    return ended;
  }

  /** Re-reads the cancel flag of every held task (a stop committed outside this master). */
  async refreshTasks(): Promise<void> {
    await Promise.all([...this.#assignments.values()].map(async (a) => {
      const t = await this.#o.store.getTask(a.taskId).catch(() => null);
      if (t?.isCancelled && t.executedCount === a.attempt && !this.actors.sendTask(a.taskId, { type: 'CANCEL' })) this.cancelTask(a.taskId);
    }));
  }

  /** Sends `cancel` to the worker running this task (a stop was committed). */
  cancelTask(taskId: string): boolean {
    const a = this.#assignments.get(taskId);
    if (!a) return false;
    const conn = this.#o.connections.get(a.agentId);
    if (!conn) return false;
    this.#log.info({ taskId, executionId: a.executionId, agentId: a.agentId }, 'cancelling task on its worker');
    conn.send({ type: 'cancel', taskId, attempt: a.attempt });
    return true;
  }

  /** stop_operation committed: `execution:<id>` gets STOP (→ its task's CANCEL → the worker's `cancel`). */
  cancelExecution(executionId: number): void {
    if (this.actors.sendExecution(executionId, { type: 'STOP' })) return;
    for (const a of this.#assignments.values()) if (a.executionId === executionId) this.cancelTask(a.taskId);
  }

  /**
   * The expiry rules took this task's lease (`taskStatus` 1 re-queued, 4 failed, 6 canceled;
   * `operationStatus` committed with it): the task's actor applies the outcome. The worker is not
   * told to stop yet (unless the task was cancelled): if it is heard again before a re-run is
   * claimed, it gets the lease back (`#readopt`); the claim of a re-run cancels its run.
   */
  leaseLost(taskId: string, taskStatus = 1, operationStatus?: number): void {
    const a = this.#assignments.get(taskId);
    if (taskStatus === TaskStatus.canceled) this.cancelTask(taskId);
    else if (a) {
      if (this.#lostLeases.size >= LOST_LEASES_MAX) this.#lostLeases.delete(this.#lostLeases.keys().next().value as string);
      this.#lostLeases.set(taskId, { agentId: a.agentId, attempt: a.attempt, final: taskStatus !== TaskStatus.ready, at: performance.now() });
    }
    this.#assignments.delete(taskId);
    const lost = taskStatus === 1 || taskStatus === 4 || taskStatus === 6 ? taskStatus : 4;
    this.actors.sendTask(taskId, { type: 'LEASE_LOST', taskStatus: lost, ...(operationStatus === undefined ? {} : { operationStatus }) });
  }

  /**
   * Answers outstanding pulls: each responsive, enabled connection with outstanding slots gets a
   * `PULL` to its `worker:` actor (which claims or refuses). Coalesced to one pass per microtask.
   * `kick(conn)` (that worker's own frame: a pull, a freed slot, a heartbeat while work is ready)
   * serves that worker alone; `kick()` (new work, a re-queued task, a refresh) serves every worker.
   * Issue 15: with N workers a pass over all N per heartbeat cost N claims per beat (N² per second).
   */
  kick(conn?: AgentChannel): void {
    if (this.#closing) return;
    if (conn === undefined) this.#fullPassDue = true;
    else this.#toServe.add(conn);
    if (this.#kickScheduled) return;
    this.#kickScheduled = true;
    queueMicrotask(() => {
      this.#kickScheduled = false;
      if (this.#closing) return;
      const candidates = this.#fullPassDue ? [...this.#o.connections.values()] : [...this.#toServe];
      this.#fullPassDue = false;
      this.#toServe.clear();
      const conns = candidates.filter((c) => this.#wantsWork(c));
      const ready = this.#o.store.hasReadyTasks?.bind(this.#o.store);
      if (ready === undefined || conns.length <= FULL_PASS_CHUNK) {
        for (const c of conns) this.actors.sendWorker(c.agentId!, { type: 'PULL', freeSlots: c.outstanding() });
        return;
      }
      void this.#chunkedPass(conns, ready);
    });
  }

  #wantsWork(c: AgentChannel): boolean {
    return c.enabled && !c.closed && c.outstanding() > 0 && this.#o.responsive(c);
  }

  /**
   * Many workers (issue 15): served FULL_PASS_CHUNK at a time, their claims sharing a group commit,
   * and the pass ends once no task is ready for anyone, so one new execution does not cost every
   * worker a claim. A task only some workers may take is still offered to each in turn.
   */
  async #chunkedPass(conns: readonly AgentChannel[], ready: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < conns.length; i += FULL_PASS_CHUNK) {
      if (this.#closing || !(await ready().catch(() => true))) return;
      for (const c of conns.slice(i, i + FULL_PASS_CHUNK)) {
        if (this.#wantsWork(c)) this.actors.sendWorker(c.agentId!, { type: 'PULL', freeSlots: c.outstanding() });
      }
      await this.actors.drain();
    }
  }

  /** A `pull` frame: what the worker asks for; served at once when it may claim. */
  pull(conn: AgentChannel, f: PullFrame): void {
    conn.pullSlots = f.slots;
    conn.assignedSeenAtPull = Math.min(f.assignedSeen, conn.assignsSent);
    // Anything the worker could not have seen is still in flight and counts against the slots.
    if (conn.enabled && conn.outstanding() > 0) this.kick(conn);
  }

  /** Stops dispatching; waits for claims and assignments in flight, then stops the actors. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    await this.actors.drain();
    await Promise.allSettled([...this.#sending]);
    await this.actors.stop();
  }

  /**
   * The hello of a (re)connecting worker named the runs it still has: the ones still its own in the
   * catalog are adopted (actors resumed), a lost one is readopted when nobody re-ran it; returns the
   * task ids the worker keeps (it stops the others).
   */
  async adoptRunningTasks(conn: AgentChannel, agentId: string, runningTasks: readonly { taskId: string; attempt: number }[]): Promise<string[]> {
    const held: string[] = [];
    const store = this.#o.store;
    for (const t of runningTasks) {
      const task = await store.getTask(t.taskId);
      if (task && task.workerAgentId === agentId && task.executedCount === t.attempt && (task.status === 2 || task.status === 3)) {
        this.#assignments.set(t.taskId, { taskId: t.taskId, attempt: t.attempt, executionId: task.executionId, agentId });
        const op = await store.getOperationStatus(task.executionId);
        if (op !== null) this.actors.ensureExecution(task, op as OperationStatusCode, conn.leaseMs);
        held.push(t.taskId);
      } else if (task && await this.#readopt(conn, t.taskId, t.attempt, 2) !== 'refused') held.push(t.taskId);
      else if (this.#tolerated(agentId, t.taskId, t.attempt)) held.push(t.taskId);
    }
    return held;
  }

  /**
   * A connection heard again after a silence: its runs went on (same process, same connection), so
   * the leases it lost while silent and that nobody re-ran are given back before it is served, or its
   * own pull would claim a second attempt of a task it still runs.
   */
  async readoptAfterSilence(conn: AgentChannel): Promise<void> {
    for (const [taskId, lost] of [...this.#lostLeases]) {
      if (lost.agentId === conn.agentId && !lost.final) await this.#readopt(conn, taskId, lost.attempt, 2).catch(() => 'refused');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Claims and assignments

  /**
   * The `worker:` actor's invoked claim: up to `slots` tasks for this worker, committed with their
   * executions' running status (claim_tasks does both in one statement; on a store without it, one
   * pull_task per slot, then update_operation_status_for_task). Rejects when nothing could be claimed
   * because the catalog failed (the actor's `onError`).
   */
  async #claim(agentId: string, slots: number): Promise<readonly TaskRecord[]> {
    const conn = this.#o.connections.get(agentId);
    if (!conn || conn.closed || this.#closing) return [];
    const store = this.#o.store;
    const onlineWindowMs = this.#o.workerOfflineAfterMs ?? 300_000;
    if (store.claimTasks) return store.claimTasks(SYSTEM_PRINCIPAL, { workerAgentId: agentId, leaseMs: conn.leaseMs, limit: slots, onlineWindowMs });
    // Concurrent claims share one group commit; each claim is atomic in the catalog.
    const claims = await Promise.allSettled(Array.from({ length: slots }, () => store.pullTask(SYSTEM_PRINCIPAL, { workerAgentId: agentId, leaseMs: conn.leaseMs, onlineWindowMs })));
    const tasks = claims.flatMap((c) => (c.status === 'fulfilled' && c.value !== null ? [c.value] : []));
    const failed = claims.find((c): c is PromiseRejectedResult => c.status === 'rejected');
    if (tasks.length === 0 && failed) throw failed.reason;
    // A claim: pull_task never hands out a cancelled task, so the operation is pending or running.
    await Promise.all(tasks.map((t) => store.updateOperationStatusForTask(SYSTEM_PRINCIPAL, { status: OperationStatus.running, operationId: t.executionId, workerAgentId: agentId })));
    return tasks;
  }

  /**
   * The `worker:` actor's claim committed (its `assignClaimed`): the task and execution actors learn
   * the claim, and the tasks go to the worker in one frame. When the claim got every slot it asked for
   * and the worker wants more, the pull is served again.
   */
  #assignClaimed(agentId: string, tasks: readonly TaskRecord[], slots: number): void {
    const conn = this.#o.connections.get(agentId);
    if (tasks.length === 0) { this.#claimEnded(agentId, false); return; }
    if (!conn) {
      this.#log.warn({ agentId, tasks: tasks.map((t) => t.taskId) }, 'worker left before its assignment was sent; the lease sweep will re-queue the tasks');
      return;
    }
    // A first attempt's execution is pending; a retry's is running (the claim needs no extra read).
    for (const t of tasks) this.actors.claimed(t, agentId, conn.leaseMs, t.executedCount > 1 ? OperationStatus.running : OperationStatus.pending);
    const sending = this.#send(conn, tasks).then(() => this.#claimEnded(agentId, tasks.length >= slots),
      (err: unknown) => this.#log.error({ err: serializeError(err), agentId }, 'could not send an assignment'));
    this.#sending.add(sending);
    void sending.finally(() => this.#sending.delete(sending));
  }

  /**
   * A claim ended: the worker's pull is served again when the claim got every slot it asked for (there
   * may be more ready tasks), or when a kick (new work, a freed slot) found the claim in flight and was
   * refused as `claiming`: that kick's work may have arrived after the claim's statement ran.
   */
  #claimEnded(agentId: string, full: boolean): void {
    const deferred = this.#servedAfterClaim.delete(agentId);
    const conn = this.#o.connections.get(agentId);
    if ((full || deferred) && conn && conn.outstanding() > 0) this.kick(conn);
  }

  async #send(conn: AgentChannel, tasks: readonly TaskRecord[]): Promise<void> {
    const agentId = conn.agentId!;
    const ready = (await Promise.all(tasks.map((t) => this.#assign(conn, t)))).filter((x): x is { a: Assignment; frame: AssignItem } => x !== null);
    if (ready.length === 0 || conn.closed) return;
    // One frame carries the K assignments to a worker that understands it (protocol ≥ 2).
    if (conn.protocol >= 2 && ready.length > 1) conn.send({ type: 'assign-batch', assignments: ready.map((r) => r.frame) });
    else for (const r of ready) conn.send({ type: 'assign', ...r.frame });
    for (const r of ready) {
      this.#log.debug({ taskId: r.a.taskId, executionId: r.a.executionId, attempt: r.a.attempt, agentId }, 'task assigned');
      this.#o.observer?.taskAssigned?.(r.a);
    }
  }

  /** Readies one committed claim for its worker (payload read); null when it cannot be sent. */
  async #assign(conn: AgentChannel, t: TaskRecord): Promise<{ a: Assignment; frame: AssignItem } | null> {
    const agentId = conn.agentId!;
    const a: Assignment = { taskId: t.taskId, executionId: t.executionId, attempt: t.executedCount, agentId, readySince: t.executedCount === 1 ? t.createdTime : null };
    this.#assignments.set(t.taskId, a);
    const lost = this.#lostLeases.get(t.taskId);
    if (lost) {
      // A re-run starts: the run of the lost attempt must end wherever it still goes on.
      this.#lostLeases.delete(t.taskId);
      const old = this.#o.connections.get(lost.agentId);
      if (old && lost.attempt < t.executedCount) {
        this.#log.info({ taskId: t.taskId, agentId: lost.agentId, attempt: lost.attempt }, 'a re-run was claimed: cancelling the lost attempt on its worker');
        old.send({ type: 'cancel', taskId: t.taskId, attempt: lost.attempt });
      }
    }
    conn.assignsSent++;
    try {
      const payload = await this.#o.store.getExecutionPayload(t.executionId);
      if (conn.closed) {
        // The claim is committed but nobody will run it: the lease sweep re-queues it.
        this.#log.warn({ taskId: t.taskId, agentId }, 'worker left before its assignment was sent; the lease sweep will re-queue the task');
        return null;
      }
      return { a, frame: {
        taskId: t.taskId, jobId: t.jobId, executionId: t.executionId, attempt: t.executedCount,
        maxAttempts: t.maxExecutedCount, leaseExpiry: t.expiredTime ?? this.#o.clock.now() + conn.leaseMs, payload,
      } };
    } catch (err) {
      this.#log.error({ err: serializeError(err), taskId: t.taskId, agentId }, 'could not prepare an assignment; the lease sweep will re-queue the task');
      // The worker never saw this assign; give the slot back.
      conn.assignsSent--;
      this.#assignments.delete(t.taskId);
      return null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reports

  /**
   * One task report: update_task_status applies the task status rules in its transaction (the one
   * place they are evaluated: fencing by attempt and worker, heartbeats only forward, retries, cancel,
   * success wins, the operation's end), then the task's actor gets the committed outcome (`REPORTED`)
   * and does what follows from it (lease timer, slot, execution). Answered after the commit.
   */
  async taskStatus(conn: AgentChannel, f: TaskStatusFrame): Promise<void> {
    const agentId = conn.agentId!;
    const store = this.#o.store;
    const update = () => store.updateTaskStatus(SYSTEM_PRINCIPAL, {
      workerAgentId: agentId, taskId: f.taskId, attempt: f.attempt, status: f.status, expiredTime: this.#o.clock.now() + conn.leaseMs,
    });
    let result: Awaited<ReturnType<typeof update>>;
    try {
      result = await update();
    } catch (err) {
      const lost = this.#lostLeases.get(f.taskId);
      if (!(SsoError.is(err) && err.number === 27246) || !lost || lost.agentId !== agentId || lost.attempt !== f.attempt) throw err;
      const outcome = await this.#readopt(conn, f.taskId, f.attempt, f.status);
      if (outcome === 'refused') {
        // The loss was final and no re-run will start: the run may go on, only its success counts.
        if ((f.status === 2 || f.status === 3) && this.#tolerated(agentId, f.taskId, f.attempt)) {
          conn.send({ type: 'task-status-result', replyTo: f.seq, taskId: f.taskId, attempt: f.attempt, status: f.status });
          return;
        }
        throw err;
      }
      if (outcome === 'succeeded') {
        this.#log.warn({ taskId: f.taskId, attempt: f.attempt, agentId }, 'a success arrived after the lease was lost and before any re-run: the execution is succeeded, not ended unexpectedly');
        conn.send({ type: 'task-status-result', replyTo: f.seq, taskId: f.taskId, attempt: f.attempt, status: TaskStatus.succeeded });
        this.kick();
        return;
      }
      result = await update();
    }
    let operationStatus = result.operationStatus;
    const final = FINAL_TASK_STATUSES.has(f.status) || result.status === TaskStatus.ready;
    const held = this.#assignments.get(f.taskId);
    let executionId = held?.executionId;
    const byActor = this.actors.sendTask(f.taskId, {
      type: 'REPORTED', attempt: f.attempt, workerAgentId: agentId, reported: f.status as 2 | 3 | 4 | 5 | 6, status: result.status, leaseMs: conn.leaseMs,
      ...(result.operationStatus === undefined ? {} : { operationStatus: result.operationStatus }),
      ...(f.message === undefined ? {} : { message: f.message }),
    });
    if (final) {
      const task = !byActor || executionId === undefined ? await store.getTask(f.taskId) : null;
      executionId ??= task?.executionId;
      // No live actor for this task (not claimed by this master since its start): end the operation here.
      if (!byActor && executionId !== undefined && result.status !== TaskStatus.ready && operationStatus === undefined) {
        operationStatus = await this.#finishOperation(task, executionId, f, result.status);
      }
      if (held && held.attempt === f.attempt) this.#assignments.delete(f.taskId);
    }
    if (f.status !== TaskStatus.running || result.status !== f.status) {
      this.#log.info({ taskId: f.taskId, attempt: f.attempt, agentId, reported: f.status, effective: result.status, operationStatus, message: f.message }, 'task status');
    }
    conn.send({ type: 'task-status-result', replyTo: f.seq, taskId: f.taskId, attempt: f.attempt, status: result.status });
    if (executionId !== undefined) this.#o.observer?.taskReported?.({ taskId: f.taskId, attempt: f.attempt, executionId, agentId }, f.status, result.status, operationStatus);
    // A final report frees a slot the worker may already have asked to fill (its pull can arrive
    // before this report and be refused as full): answer it now, or nothing ever will. A re-queued
    // task (ready again) may go to any worker; a freed slot is this worker's alone.
    if (result.status === TaskStatus.ready) this.kick();
    else if (final) this.kick(conn);
  }

  /**
   * A run's log batch: accepted only when the catalog says this connection's agent holds the frame's
   * task under the frame's attempt (WorkerAgentId and ExecutedCount; any status, so a batch that
   * follows a committed final report still lands) and every message and statistic belongs to that
   * task's execution. Anything else is refused before a row is written: a worker can write only
   * into the log of a run it holds, never into another execution's log.
   */
  async events(conn: AgentChannel, f: EventsFrame): Promise<void> {
    const agentId = conn.agentId!;
    if (f.taskId === undefined || f.attempt === undefined) {
      throw new SsoError('SSO_ERR_PROTOCOL', 'events refused: the batch does not name its taskId and attempt (journaled by an older agent?)', { where: `events(seq ${f.seq})` });
    }
    const task = await this.#o.store.getTask(f.taskId);
    if (task === null || task.workerAgentId !== agentId.toLowerCase() || task.executedCount !== f.attempt) {
      throw new SsoError('SSO_ERR_PROTOCOL',
        `events refused: worker agent ${agentId} does not hold task ${f.taskId} under attempt ${f.attempt}${task === null ? ' (no such task)' : ` (the catalog has attempt ${task.executedCount} on ${task.workerAgentId ?? 'no worker'})`}`,
        { where: `events(seq ${f.seq})` });
    }
    const phases = f.componentPhases ?? [];
    const foreign = [...f.messages, ...f.statistics, ...phases].find((m) => m.operationId !== task.executionId);
    if (foreign !== undefined) {
      throw new SsoError('SSO_ERR_PROTOCOL',
        `events refused: task ${f.taskId} belongs to execution ${task.executionId}, but the batch writes into operation ${foreign.operationId}`,
        { where: `events(seq ${f.seq})` });
    }
    await Promise.all([
      f.messages.length > 0 ? this.#o.store.appendEventMessages(SYSTEM_PRINCIPAL, f.messages) : undefined,
      f.statistics.length > 0 ? this.#o.store.appendExecutableStatistics(SYSTEM_PRINCIPAL, f.statistics) : undefined,
      phases.length > 0 ? this.#o.store.appendComponentPhases(SYSTEM_PRINCIPAL, phases) : undefined,
    ]);
  }

  /** The lease of this attempt was lost for good (no retry left) and this worker held it. */
  #tolerated(agentId: string, taskId: string, attempt: number): boolean {
    const lost = this.#lostLeases.get(taskId);
    return lost !== undefined && lost.final && lost.agentId === agentId && lost.attempt === attempt && performance.now() - lost.at < FINAL_LOSS_TOLERANCE_MS;
  }

  /**
   * The worker that held `attempt` of this task when its lease was lost is heard again (a report or
   * its hello) before a re-run was claimed: the catalog gives it the lease back (or, when the loss
   * was final, lets its success win). See `CatalogStore.readoptLostTask`.
   */
  async #readopt(conn: AgentChannel, taskId: string, attempt: number, status: number): Promise<'readopted' | 'succeeded' | 'refused'> {
    const lost = this.#lostLeases.get(taskId);
    const store = this.#o.store;
    if (!lost || lost.agentId !== conn.agentId || lost.attempt !== attempt || !store.readoptLostTask) return 'refused';
    const outcome = await store.readoptLostTask(SYSTEM_PRINCIPAL, { taskId, workerAgentId: conn.agentId, attempt, status, expiredTime: this.#o.clock.now() + conn.leaseMs });
    if (outcome === 'refused') {
      // A final loss stays known: the run may still report its success.
      if (!lost.final) this.#lostLeases.delete(taskId);
      return 'refused';
    }
    this.#lostLeases.delete(taskId);
    if (outcome === 'readopted') {
      const task = await store.getTask(taskId);
      if (task) {
        this.#assignments.set(taskId, { taskId, attempt, executionId: task.executionId, agentId: conn.agentId });
        if (!this.actors.sendTask(taskId, { type: 'READOPTED', workerAgentId: conn.agentId, attempt, status: status === 3 ? 3 : 2 })) {
          const op = await store.getOperationStatus(task.executionId);
          if (op !== null) this.actors.ensureExecution(task, op as OperationStatusCode, conn.leaseMs);
        }
      }
      this.#log.warn({ taskId, attempt, agentId: conn.agentId }, 'the worker that lost this lease answers again before any re-run: it keeps the task (nothing runs twice)');
    }
    return outcome;
  }

  // ---------------------------------------------------------------------------------------------
  // Operation status

  /**
   * `execution:<id>`'s invoked persistOperationStatus, for an end status the catalog did not record
   * with its cause: makes the catalog say `status` unless it already says an end (idempotent).
   * Rejects when the commit fails, or when a lost lease (6) is not yet ended by the catalog's expiry
   * rules (the sweep is asked to run now): the machine retries with backoff.
   */
  async #persistOperation(p: PersistOperationStatusParams, taskId: string | undefined): Promise<void> {
    const store = this.#o.store;
    const current = await store.getOperationStatus(p.executionId);
    if (current === null || FINAL_OPERATION_STATUSES.has(current)) return;
    if (p.status === OperationStatus.endedUnexpectedly) {
      this.#o.onLeaseTimer?.(taskId ?? '');
      throw new SsoError('SSO_ERR_ILLEGAL_STATE', `execution ${p.executionId} lost its task's lease, but the catalog's expiry rules have not ended it yet (operation status ${current}); the sweep runs now`, { where: 'persistOperationStatus' });
    }
    if (p.status === OperationStatus.canceled) {
      const task = taskId === undefined ? null : await store.getTask(taskId);
      const stopId = Number(task?.inputData.find((x) => x.name === 'stop_id')?.value ?? NaN);
      if (Number.isInteger(stopId)) await store.updateCancelledOperationStatus(SYSTEM_PRINCIPAL, { operationId: p.executionId, stopId });
      else await store.updateOperationStatusForTask(SYSTEM_PRINCIPAL, { status: OperationStatus.canceled, operationId: p.executionId, workerAgentId: p.workerAgentId });
      return;
    }
    await store.updateOperationStatusForTask(SYSTEM_PRINCIPAL, { status: p.status, operationId: p.executionId, workerAgentId: p.workerAgentId });
  }

  /**
   * Moves the execution to its end state when the catalog's update_task_status did not already and
   * no actor holds it (update_operation_status_for_task / update_cancelled_operation_status, as the
   * original master does).
   */
  async #finishOperation(task: TaskRecord | null, executionId: number, f: TaskStatusFrame, effective: number): Promise<number | undefined> {
    const store = this.#o.store;
    const current = await store.getOperationStatus(executionId);
    if (current === null || FINAL_OPERATION_STATUSES.has(current)) return undefined;
    const stopId = Number(task?.inputData.find((p) => p.name === 'stop_id')?.value ?? NaN);
    if ((effective === TaskStatus.canceled || f.status === TaskStatus.canceled || task?.isCancelled) && Number.isInteger(stopId)) {
      await store.updateCancelledOperationStatus(SYSTEM_PRINCIPAL, { operationId: executionId, stopId });
      return OperationStatus.canceled;
    }
    const status = effective === TaskStatus.succeeded ? OperationStatus.succeeded
      : effective === TaskStatus.canceled ? OperationStatus.canceled : OperationStatus.failed;
    await store.updateOperationStatusForTask(SYSTEM_PRINCIPAL, { status, operationId: executionId, workerAgentId: f.taskId ? task?.workerAgentId ?? null : null });
    return status;
  }
}
