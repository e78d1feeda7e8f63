/**
 * The master's side of every worker connection: applies each worker report to the catalog and
 * answers only after the commit (acks in seq order), and dispatches at once: an outstanding `pull`
 * is answered as soon as a ready task matches. The catalog is the source of truth; this hub keeps
 * only what is live (connections, outstanding pulls, which worker holds which task attempt), and
 * runs the master's actors (`master-actors.ts`), which decide claims, enable/cancel pushes, lease
 * expiry and the operation status to commit when a task ends.
 */
import { performance } from 'node:perf_hooks';
import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { CatalogStore, TaskRecord, WallClock } from '../../actors/ports.ts';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { SsoError, serializeError } from '../../actors/errors.ts';
import { OperationStatus, TaskStatus } from '../../actors/catalog-codes.ts';
import type { AgentEndpoint } from '../transport/master-server.ts';
import { AgentChannel } from '../transport/agent-channel.ts';
import {
  PROTOCOL_CLOSE_CODE, PROTOCOL_VERSION, REPLACED_CLOSE_CODE, SHUTDOWN_CLOSE_CODE,
} from '../transport/wire.ts';
import type { AssignItem, EventsFrame, HeartbeatFrame, HelloFrame, PullFrame, TaskStatusBatchFrame, TaskStatusFrame, WorkerFrame } from '../transport/wire.ts';
import type { OperationStatusCode } from '../../actors/catalog-codes.ts';
import type { PersistOperationStatusParams } from '../../actors/execution.machine.ts';
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

export interface AgentHubOptions {
  readonly store: CatalogStore;
  readonly logger: Logger;
  readonly clock: WallClock;
  /** Lease given by a claim and renewed by each task heartbeat. */
  readonly leaseMs: number;
  readonly observer?: HubObserver;
  /** No frame from a worker for this long marks its actor offline (no claims). @default 300000 */
  readonly workerOfflineAfterMs?: number;
  /** A task actor's lease timer ran out (or a lost lease must be committed): run the expiry sweep now. */
  readonly onLeaseTimer?: (taskId: string) => void;
  /** The clock of the master's actors (their lease and offline timers); tests inject XState's SimulatedClock. */
  readonly actorClock?: ActorClock;
}

/**
 * How the master tells a worker that is connected but does not answer (paused, starved, cut off
 * behind a stalled network) from one that is merely quiet: every connection is pinged (WebSocket
 * ping; `ws` answers pongs by itself) every `pingEveryMs(lease)`; any frame or pong counts as heard.
 * A connection not heard for `unresponsiveAfterMs` gets no claims (its outstanding pull waits, and
 * healthy workers get the work); one not heard for a whole lease is closed (its tasks' leases run
 * out on their own; when it comes back it reconnects and says which runs it still has).
 */
export function pingEveryMs(leaseMs: number): number {
  return Math.min(5_000, Math.max(200, Math.floor(leaseMs / 4)));
}
export function unresponsiveAfterMs(leaseMs: number): number {
  return 2 * pingEveryMs(leaseMs) + 250;
}
export function deadAfterMs(leaseMs: number): number {
  return Math.max(leaseMs, 3 * pingEveryMs(leaseMs));
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

/** A pass over every worker serves this many at a time (see #dispatchPass). */
const FULL_PASS_CHUNK = 32;

export class AgentHub implements AgentEndpoint {
  readonly #o: AgentHubOptions;
  readonly #log: Logger;
  readonly #byAgent = new Map<string, AgentChannel>();
  readonly #all = new Set<AgentChannel>();
  readonly #assignments = new Map<string, Assignment>();
  #dispatching = false;
  #dispatchAgain = false;
  /**
   * Issue 15 (perf, re-apply after the dispatcher split): a frame of one worker (heartbeat, pull,
   * final report) serves that worker alone; only `kick()` with no connection (new tasks, a refresh)
   * serves every worker. With N workers a pass over all N per heartbeat cost N claims per beat.
   */
  #fullPassDue = false;
  readonly #toServe = new Set<AgentChannel>();
  #idle: Promise<void> = Promise.resolve();
  #closing = false;
  /** Slots granted by `worker:` actors during the current PULL (their `claimTask` effect). */
  readonly #grants = new Map<string, number>();
  /** Operation status update_task_status just committed, for the persist effect run synchronously by that report. */
  readonly #knownOperationStatus = new Map<number, number>();
  /** Executions whose running status claim_tasks committed with the claim (their persist effect writes nothing). */
  readonly #runningCommitted = new Set<number>();
  readonly actors: MasterActors;
  /** Leases lost by the expiry sweep whose task was not claimed again yet, by task id. */
  readonly #lostLeases = new Map<string, LostLease>();
  #pinger: NodeJS.Timeout | undefined;
  /**
   * Reports closer together than this refresh the `worker:` actor's offline delay only once: each
   * HEARTBEAT re-enters its state (timer cancelled and re-armed), which at thousands of reports per
   * second was a main-thread cost of its own. The actor can go offline at most this much earlier
   * than the silence it measures; a frame after it went offline always gets through (the window is
   * far shorter than the offline delay).
   */
  readonly #livenessWindowMs: number;

  constructor(options: AgentHubOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'agent-hub' });
    this.#livenessWindowMs = Math.min(1_000, (options.workerOfflineAfterMs ?? 300_000) / 100);
    this.actors = new MasterActors({
      logger: options.logger, leaseMs: options.leaseMs, offlineAfterMs: options.workerOfflineAfterMs ?? 300_000,
      ...(options.actorClock === undefined ? {} : { clock: options.actorClock }),
      effects: {
        claim: (agentId, slots) => { this.#grants.set(agentId, slots); },
        sendEnabledChanged: (agentId, enabled) => {
          const conn = this.#byAgent.get(agentId);
          if (!conn) return;
          conn.enabled = enabled;
          this.#log.info({ agentId, enabled }, enabled ? 'worker agent enabled' : 'worker agent disabled (draining: held tasks go on, nothing new)');
          conn.send({ type: 'enabled-changed', enabled });
          if (enabled) this.kick();
        },
        cancelOnWorker: (taskId, agentId, attempt) => {
          const conn = this.#byAgent.get(agentId);
          if (!conn) return;
          this.#log.info({ taskId, agentId, attempt }, 'cancelling task on its worker');
          conn.send({ type: 'cancel', taskId, attempt });
        },
        persistOperationStatus: (params, taskId) => this.#persistOperation(params, taskId),
        leaseTimerFired: (taskId) => this.#o.onLeaseTimer?.(taskId),
        liveness: (agentId, online) => {
          if (!online && this.#byAgent.has(agentId)) this.#log.warn({ agentId }, 'no frame from this worker for too long: marked offline, nothing is claimed for it until it is heard again');
        },
      },
    });
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
      this.actors.ensureExecution(t.executionId, op as OperationStatusCode, t.workerAgentId, t.executedCount);
      // Held tasks start with the reconnect grace their catalog rows were given; each worker's first
      // heartbeat brings back its own lease.
      this.actors.ensureTask(t, heldLeaseMs);
    }
    this.#startPinger();
    return { workers: workers.length, tasks: tasks.length };
  }

  connectedCount(): number {
    return this.#byAgent.size;
  }

  assignments(): ReadonlyMap<string, Assignment> {
    return this.#assignments;
  }

  connectedAgents(): readonly { agentId: string; enabled: boolean; outstanding: number; maxTaskCount: number; thumbprint: string }[] {
    return [...this.#byAgent.values()].map((c) => ({ agentId: c.agentId!, enabled: c.enabled, outstanding: c.outstanding(), maxTaskCount: c.maxTaskCount, thumbprint: c.thumbprint }));
  }

  accept(socket: WebSocket, peer: { readonly thumbprint: string; readonly remoteAddress: string }): void {
    if (this.#closing) { socket.close(SHUTDOWN_CLOSE_CODE, 'master shutting down'); return; }
    const conn = new AgentChannel(socket, peer.remoteAddress, peer.thumbprint);
    conn.leaseMs = this.#o.leaseMs;
    this.#all.add(conn);
    this.#startPinger();
    socket.on('pong', () => this.#heard(conn));
    socket.on('message', (data, isBinary) => {
      if (conn.closed) return;
      this.#heard(conn);
      const frame = conn.receive(isBinary ? '' : data.toString());
      if ('violation' in frame) return this.#protocolViolation(conn, frame.violation);
      this.#onFrame(conn, frame);
    });
    socket.on('close', () => this.#onClose(conn));
    socket.on('error', (err) => this.#log.warn({ err, agentId: conn.agentId }, 'agent socket error'));
  }

  /** Re-checks enable flags and cancelled tasks after a change made outside this master (T-SQL). */
  async refresh(): Promise<void> {
    for (const conn of this.#byAgent.values()) {
      const rec = await this.#o.store.getWorkerAgent(conn.agentId!).catch(() => null);
      if (rec === null) {
        this.#log.warn({ agentId: conn.agentId }, 'worker agent was deleted from the catalog; closing its connection');
        conn.socket.close(SHUTDOWN_CLOSE_CODE, 'worker deleted');
        continue;
      }
      this.actors.sendWorker(conn.agentId!, { type: rec.isEnabled ? 'ENABLE' : 'DISABLE' });
    }
    await Promise.all([...this.#assignments.values()].map(async (a) => {
      const t = await this.#o.store.getTask(a.taskId).catch(() => null);
      if (t?.isCancelled && t.executedCount === a.attempt && !this.actors.sendTask(a.taskId, { type: 'CANCEL' })) this.cancelTask(a.taskId);
    }));
    this.kick();
  }

  /** Sends `cancel` to the worker running this task (a stop was committed). */
  cancelTask(taskId: string): boolean {
    const a = this.#assignments.get(taskId);
    if (!a) return false;
    const conn = this.#byAgent.get(a.agentId);
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
   * Forgets a task the expiry sweep took away from its worker and tells the task's actor. The
   * worker is not told to stop yet (unless the task was cancelled): if it is heard again before a
   * re-run is claimed, it gets the lease back (`#readopt`); the claim of a re-run cancels its run.
   */
  leaseLost(taskId: string, taskStatus = 1): void {
    const a = this.#assignments.get(taskId);
    if (taskStatus === TaskStatus.canceled) this.cancelTask(taskId);
    else if (a) {
      if (this.#lostLeases.size >= LOST_LEASES_MAX) this.#lostLeases.delete(this.#lostLeases.keys().next().value as string);
      this.#lostLeases.set(taskId, { agentId: a.agentId, attempt: a.attempt, final: taskStatus !== TaskStatus.ready, at: performance.now() });
    }
    this.#assignments.delete(taskId);
    this.actors.sendTask(taskId, { type: 'LEASE_LOST' });
  }

  /** Answers outstanding pulls now; coalesces concurrent requests into one more pass. */
  kick(conn?: AgentChannel): void {
    if (this.#closing) return;
    if (conn === undefined) this.#fullPassDue = true;
    else this.#toServe.add(conn);
    if (this.#dispatching) { this.#dispatchAgain = true; return; }
    this.#dispatching = true;
    this.#idle = (async () => {
      try {
        do {
          this.#dispatchAgain = false;
          await this.#dispatchPass();
        } while (this.#dispatchAgain && !this.#closing);
      } catch (err) {
        this.#log.error({ err }, 'dispatch pass failed');
      } finally {
        this.#dispatching = false;
      }
    })();
  }

  /** Stops accepting, tells every worker, and waits for reports being applied. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearInterval(this.#pinger);
    await this.#idle;
    const pending: Promise<unknown>[] = [];
    for (const c of this.#all) pending.push(...c.pending());
    await Promise.allSettled(pending);
    await this.actors.stop();
    for (const c of this.#all) {
      c.flushAck();
      c.socket.close(SHUTDOWN_CLOSE_CODE, 'master shutting down');
    }
  }

  // ------------------------------------------------------------------------------------------

  /** A frame or pong: the connection answers. One that was unresponsive gets its pull served again. */
  #heard(conn: AgentChannel): void {
    const wasQuiet = performance.now() - conn.heardAt > unresponsiveAfterMs(conn.leaseMs);
    conn.heardAt = performance.now();
    if (wasQuiet && conn.agentId !== undefined && !conn.closed && !conn.readopting) {
      this.#log.info({ agentId: conn.agentId }, 'worker answers again');
      // Its runs went on (same process, same connection): the leases it lost while silent and that
      // nobody re-ran are given back before it is served, or its own pull would claim a second
      // attempt of a task it still runs.
      conn.readopting = true;
      void (async () => {
        try {
          for (const [taskId, lost] of [...this.#lostLeases]) {
            if (lost.agentId === conn.agentId && !lost.final) await this.#readopt(conn, taskId, lost.attempt, 2).catch(() => 'refused');
          }
        } finally {
          conn.readopting = false;
          if (conn.outstanding() > 0) this.kick(conn);
        }
      })();
    }
  }

  #responsive(conn: AgentChannel, now = performance.now()): boolean {
    return !conn.readopting && now - conn.heardAt <= unresponsiveAfterMs(conn.leaseMs);
  }

  /** Pings every connection; closes those silent for a whole lease (see `pingEveryMs`). */
  #startPinger(): void {
    if (this.#pinger !== undefined || this.#closing) return;
    const tickMs = 200;
    let lastPing = new Map<AgentChannel, number>();
    this.#pinger = setInterval(() => {
      const now = performance.now();
      const next = new Map<AgentChannel, number>();
      for (const conn of this.#all) {
        if (conn.closed) continue;
        const silent = now - conn.heardAt;
        if (silent > deadAfterMs(conn.leaseMs)) {
          this.#log.warn({ agentId: conn.agentId, silentMs: Math.round(silent), remoteAddress: conn.remoteAddress },
            'worker did not answer for a whole lease (no frame, no pong): connection closed; its tasks are re-queued when their leases run out, and it says which runs it still has when it reconnects');
          conn.closed = true;
          conn.socket.terminate();
          continue;
        }
        const last = lastPing.get(conn) ?? -Infinity;
        if (now - last >= pingEveryMs(conn.leaseMs)) {
          try { conn.socket.ping(); } catch { /* closing */ }
          next.set(conn, now);
        } else next.set(conn, last);
      }
      lastPing = next;
    }, tickMs);
    this.#pinger.unref();
  }

  #protocolViolation(conn: AgentChannel, reason: string): void {
    this.#log.warn({ agentId: conn.agentId, remoteAddress: conn.remoteAddress, reason }, `protocol violation, closing agent connection: ${reason}`);
    conn.closed = true;
    conn.socket.close(PROTOCOL_CLOSE_CODE, reason.slice(0, 120));
  }

  #onClose(conn: AgentChannel): void {
    conn.closed = true;
    this.#all.delete(conn);
    if (conn.agentId !== undefined && this.#byAgent.get(conn.agentId) === conn) {
      this.#byAgent.delete(conn.agentId);
      this.#log.info({ agentId: conn.agentId }, 'worker agent disconnected');
      this.actors.sendWorker(conn.agentId, { type: 'DISCONNECTED' });
      this.#o.observer?.agentOffline?.(conn.agentId);
    }
  }

  #onFrame(conn: AgentChannel, frame: WorkerFrame): void {
    const seq = frame.seq;
    const tracked = frame.type !== 'hello' && seq > 0;
    if (frame.type === 'task-status-batch') { this.#onBatch(conn, frame); return; }
    const run = async (): Promise<void> => {
      try {
        // Any report proves the worker alive (its heartbeats may be minutes apart).
        if (frame.type === 'pull' || frame.type === 'task-status') {
          const now = performance.now();
          if (now - conn.livenessSentAt >= this.#livenessWindowMs) {
            conn.livenessSentAt = now;
            this.actors.sendWorker(conn.agentId!, { type: 'HEARTBEAT' });
          }
        }
        switch (frame.type) {
          case 'hello': return await this.#hello(conn, frame);
          case 'heartbeat': return await this.#heartbeat(conn, frame);
          case 'pull': return this.#pull(conn, frame);
          case 'task-status': return await this.#taskStatus(conn, frame);
          case 'events': return await this.#events(conn, frame);
        }
      } catch (err) {
        const e = serializeError(err);
        const retryable = !(SsoError.is(err) && (err.code === 'SSO_ERR_CATALOG' || err.code === 'SSO_ERR_TLS' || err.code === 'SSO_ERR_PROTOCOL'));
        if (frame.type === 'hello') {
          this.#log.warn({ claimedAgentId: frame.agentId, thumbprint: conn.thumbprint, remoteAddress: conn.remoteAddress, err: e }, `agent hello refused: ${e.message}`);
        } else {
          this.#log.warn({ agentId: conn.agentId, frame: frame.type, seq, err: e }, `worker report refused: ${e.message}`);
        }
        conn.send({ type: 'error', replyTo: seq, code: e.code ?? 'SSO_ERR_INTERNAL', message: e.message, retryable, ...(e.number === undefined ? {} : { number: e.number }) });
        if (frame.type === 'hello') { conn.closed = true; conn.socket.close(PROTOCOL_CLOSE_CODE, `registration refused: ${e.message}`.slice(0, 120)); }
      } finally {
        if (tracked) conn.settle(seq);
      }
    };
    if (frame.type === 'hello') { conn.ready = run(); return; }
    if (frame.type === 'task-status' || frame.type === 'events') {
      // Reports of one task (its log batches and statuses) apply in order, so a batch is checked
      // before the final report that follows it moves the task on; different tasks proceed
      // concurrently so that the catalog can group their commits.
      void conn.inTaskOrder(frame.taskId ?? '', run);
      return;
    }
    void conn.ready.then(run);
  }

  /**
   * K reports in one frame: each is applied exactly as its own `task-status` frame would be (the
   * catalog checks that this connection's worker holds that task under that attempt, so a batch can
   * carry only the sender's own tasks), in its task's order, concurrently with the others so that
   * their commits share one group transaction. A refused report is answered by an `error` naming
   * its taskId and refuses nothing else; the frame's seq is acked once every report is settled.
   */
  #onBatch(conn: AgentChannel, frame: TaskStatusBatchFrame): void {
    // Its seq is already tracked by the channel (`receive`): settled once every report is.
    const seq = frame.seq;
    const now = performance.now();
    if (now - conn.livenessSentAt >= this.#livenessWindowMs) {
      conn.livenessSentAt = now;
      this.actors.sendWorker(conn.agentId!, { type: 'HEARTBEAT' });
    }
    const seen = new Set<string>();
    const all: Promise<void>[] = [];
    for (const r of frame.reports) {
      const item: TaskStatusFrame = { type: 'task-status', seq, ...r };
      const run = async (): Promise<void> => {
        try {
          if (seen.has(r.taskId)) throw new SsoError('SSO_ERR_PROTOCOL', `task-status-batch refused for task ${r.taskId}: the batch reports this task twice`, { where: `task-status-batch(seq ${seq})` });
          seen.add(r.taskId);
          await this.#taskStatus(conn, item);
        } catch (err) {
          const e = serializeError(err);
          const retryable = !(SsoError.is(err) && (err.code === 'SSO_ERR_CATALOG' || err.code === 'SSO_ERR_TLS' || err.code === 'SSO_ERR_PROTOCOL'));
          this.#log.warn({ agentId: conn.agentId, frame: frame.type, seq, taskId: r.taskId, err: e }, `worker report refused: ${e.message}`);
          conn.send({ type: 'error', replyTo: seq, taskId: r.taskId, code: e.code ?? 'SSO_ERR_INTERNAL', message: e.message, retryable, ...(e.number === undefined ? {} : { number: e.number }) });
        }
      };
      all.push(conn.inTaskOrder(r.taskId, run));
    }
    void Promise.all(all).finally(() => conn.settle(seq));
  }

  async #hello(conn: AgentChannel, f: HelloFrame): Promise<void> {
    // The catalog binds the agent id to the connection's client certificate at registration and
    // refuses (SSO_ERR_TLS, nothing written) an id bound to another certificate, or a certificate
    // bound to another id: one worker's certificate can never act as another worker.
    if (conn.thumbprint === '') throw new SsoError('SSO_ERR_TLS', 'the connection has no verified client certificate', { where: 'hello' });
    const { isEnabled, registered } = await this.#o.store.updateWorkerAgentStatus(SYSTEM_PRINCIPAL, {
      workerAgentId: f.agentId, perfCounters: [], machineProperties: f.machineProperties, certificateThumbprint: conn.thumbprint,
    });
    conn.agentId = f.agentId;
    conn.enabled = isEnabled;
    const previous = this.#byAgent.get(f.agentId);
    if (previous && previous !== conn) {
      this.#log.warn({ agentId: f.agentId }, 'a second connection for this agent replaces the first');
      previous.closed = true;
      previous.socket.close(REPLACED_CLOSE_CODE, 'replaced by a newer connection');
    }
    this.#byAgent.set(f.agentId, conn);
    conn.leaseMs = f.capacity.leaseMs ?? this.#o.leaseMs;
    conn.maxTaskCount = f.capacity.maxTaskCount;
    conn.protocol = f.versions.protocol;
    this.actors.ensureWorker(f.agentId, isEnabled);
    const held: string[] = [];
    for (const t of f.runningTasks) {
      const task = await this.#o.store.getTask(t.taskId);
      if (task && task.workerAgentId === f.agentId && task.executedCount === t.attempt && (task.status === 2 || task.status === 3)) {
        this.#assignments.set(t.taskId, { taskId: t.taskId, attempt: t.attempt, executionId: task.executionId, agentId: f.agentId });
        const op = await this.#o.store.getOperationStatus(task.executionId);
        if (op !== null) this.actors.ensureExecution(task.executionId, op as OperationStatusCode, f.agentId, task.executedCount);
        this.actors.ensureTask(task, conn.leaseMs);
        held.push(t.taskId);
      } else if (task && await this.#readopt(conn, t.taskId, t.attempt, 2) !== 'refused') held.push(t.taskId);
      else if (this.#tolerated(f.agentId, t.taskId, t.attempt)) held.push(t.taskId);
    }
    this.actors.sendWorker(f.agentId, { type: 'HELLO', maxTaskCount: f.capacity.maxTaskCount, isEnabled, runningTaskIds: held });
    this.#log.info({ agentId: f.agentId, registered, enabled: isEnabled, remoteAddress: conn.remoteAddress, thumbprint: conn.thumbprint, versions: f.versions },
      registered ? 'new worker agent registered (disabled until enabled)' : 'worker agent connected');
    // `heldTasks`: the runs the worker named that are still its own; it stops the others (their
    // attempt was re-run elsewhere or ended).
    conn.send({ type: 'welcome', enabled: isEnabled, registered, settings: { leaseMs: conn.leaseMs }, heldTasks: held, protocol: PROTOCOL_VERSION });
    this.#o.observer?.agentOnline?.(f.agentId, isEnabled);
  }

  async #heartbeat(conn: AgentChannel, f: HeartbeatFrame): Promise<void> {
    const { isEnabled } = await this.#o.store.updateWorkerAgentStatus(SYSTEM_PRINCIPAL, {
      workerAgentId: conn.agentId!, perfCounters: f.perfCounters, machineProperties: {},
    });
    conn.livenessSentAt = performance.now();
    this.actors.sendWorker(conn.agentId!, { type: 'HEARTBEAT' });
    this.actors.sendWorker(conn.agentId!, { type: isEnabled ? 'ENABLE' : 'DISABLE' });
    // A worker still asking for work is served again: a task it skipped because another worker could
    // run its scripts (runtime/catalog/script-routing.ts) becomes its own once that worker is not seen.
    // Served only when some task is ready (issue 15): an idle worker's heartbeat then costs no
    // actor event and no claim.
    if (conn.enabled && conn.outstanding() > 0) {
      const ready = this.#o.store.hasReadyTasks;
      if (ready === undefined) this.kick(conn);
      else void ready.call(this.#o.store).then((r) => { if (r) this.kick(conn); }, () => this.kick(conn));
    }
  }

  #pull(conn: AgentChannel, f: PullFrame): void {
    conn.pullSlots = f.slots;
    conn.assignedSeenAtPull = Math.min(f.assignedSeen, conn.assignsSent);
    // Anything the worker could not have seen is still in flight and counts against the slots.
    if (conn.enabled && conn.outstanding() > 0) this.kick(conn);
  }

  async #dispatchPass(): Promise<void> {
    // A connection that does not answer is not served: what it would claim could not start.
    const now = performance.now();
    const candidates = this.#fullPassDue ? [...this.#byAgent.values()] : [...this.#toServe];
    this.#fullPassDue = false;
    this.#toServe.clear();
    const conns = candidates.filter((c) => c.enabled && !c.closed && c.outstanding() > 0 && this.#responsive(c, now));
    const ready = this.#o.store.hasReadyTasks?.bind(this.#o.store);
    if (ready === undefined || conns.length <= FULL_PASS_CHUNK) {
      await Promise.all(conns.map((c) => this.#serve(c)));
      return;
    }
    // Many workers (issue 15): served FULL_PASS_CHUNK at a time (their claims share a group commit),
    // and the pass ends once no task is ready for anyone, so one new execution does not cost every
    // worker a claim. A task only some workers may take is still offered to each in turn.
    for (let i = 0; i < conns.length; i += FULL_PASS_CHUNK) {
      if (!(await ready().catch(() => true))) return;
      await Promise.all(conns.slice(i, i + FULL_PASS_CHUNK).map((c) => this.#serve(c)));
    }
  }

  async #serve(conn: AgentChannel): Promise<void> {
    const agentId = conn.agentId!;
    while (!conn.closed && conn.enabled && !this.#closing && this.#responsive(conn)) {
      const asked = conn.outstanding();
      if (asked <= 0) return;
      // The worker's actor decides: enabled, online, and capacity minus the tasks it holds.
      this.#grants.delete(agentId);
      this.actors.sendWorker(agentId, { type: 'PULL', freeSlots: asked });
      const want = Math.min(asked, this.#grants.get(agentId) ?? 0);
      this.#grants.delete(agentId);
      if (want <= 0) return;
      const store = this.#o.store;
      let tasks: readonly TaskRecord[];
      if (store.claimTasks) {
        // One statement claims all K, and their executions' running status commits with it.
        tasks = await store.claimTasks(SYSTEM_PRINCIPAL, { workerAgentId: agentId, leaseMs: conn.leaseMs, limit: want, onlineWindowMs: this.#o.workerOfflineAfterMs ?? 300_000 }).catch((err: unknown) => {
          this.#log.warn({ err: serializeError(err), agentId }, 'claim_tasks failed');
          return [];
        });
        for (const t of tasks) this.#runningCommitted.add(t.executionId);
      } else {
        // Concurrent claims share one group commit; each claim is atomic in the catalog.
        const claims = await Promise.all(Array.from({ length: want }, () =>
          store.pullTask(SYSTEM_PRINCIPAL, { workerAgentId: agentId, leaseMs: conn.leaseMs, onlineWindowMs: this.#o.workerOfflineAfterMs ?? 300_000 }).catch((err: unknown) => {
            this.#log.warn({ err: serializeError(err), agentId }, 'pull_task failed');
            return null;
          })));
        tasks = claims.filter((t): t is TaskRecord => t !== null);
      }
      const ready = (await Promise.all(tasks.map((t) => this.#assign(conn, t)))).filter((x): x is { a: Assignment; frame: AssignItem } => x !== null);
      if (ready.length > 0 && !conn.closed) {
        // One frame carries the K assignments to a worker that understands it (protocol ≥ 2).
        if (conn.protocol >= 2 && ready.length > 1) conn.send({ type: 'assign-batch', assignments: ready.map((r) => r.frame) });
        else for (const r of ready) conn.send({ type: 'assign', ...r.frame });
        for (const r of ready) {
          this.#log.debug({ taskId: r.a.taskId, executionId: r.a.executionId, attempt: r.a.attempt, agentId }, 'task assigned');
          this.#o.observer?.taskAssigned?.(r.a);
        }
      }
      if (tasks.length < want) return;
    }
  }

  /** Readies one committed claim for its worker: actors told, payload read; null when it cannot be sent. */
  async #assign(conn: AgentChannel, t: TaskRecord): Promise<{ a: Assignment; frame: AssignItem } | null> {
    const agentId = conn.agentId!;
    const a: Assignment = { taskId: t.taskId, executionId: t.executionId, attempt: t.executedCount, agentId, readySince: t.executedCount === 1 ? t.createdTime : null };
    this.#assignments.set(t.taskId, a);
    const lost = this.#lostLeases.get(t.taskId);
    if (lost) {
      // A re-run starts: the run of the lost attempt must end wherever it still goes on.
      this.#lostLeases.delete(t.taskId);
      const old = this.#byAgent.get(lost.agentId);
      if (old && lost.attempt < t.executedCount) {
        this.#log.info({ taskId: t.taskId, agentId: lost.agentId, attempt: lost.attempt }, 'a re-run was claimed: cancelling the lost attempt on its worker');
        old.send({ type: 'cancel', taskId: t.taskId, attempt: lost.attempt });
      }
    }
    conn.assignsSent++;
    try {
      // CLAIMED → `execution:` running, committed by its persist effect before the assign is sent.
      // A first attempt's execution is pending; a retry's is running (the claim needs no extra read).
      this.actors.ensureExecution(t.executionId, t.executedCount > 1 ? OperationStatus.running : OperationStatus.pending);
      this.actors.claimed(t, agentId, conn.leaseMs);
      const [payload] = await Promise.all([this.#o.store.getExecutionPayload(t.executionId), this.actors.settled(t.executionId)]);
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

  async #taskStatus(conn: AgentChannel, f: TaskStatusFrame): Promise<void> {
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
    // The task's actor applies the same rules to the committed report: it renews its lease timer,
    // tells `worker:` (released) and `execution:`, whose persist effect commits the operation's end.
    const event = f.status === 5 ? { type: 'REPORT_SUCCEEDED' as const, attempt: f.attempt, workerAgentId: agentId }
      : f.status === 4 ? { type: 'REPORT_FAILED' as const, attempt: f.attempt, workerAgentId: agentId, ...(f.message === undefined ? {} : { message: f.message }) }
        : f.status === 6 ? { type: 'REPORT_CANCELED' as const, attempt: f.attempt, workerAgentId: agentId }
          : { type: 'HEARTBEAT' as const, attempt: f.attempt, workerAgentId: agentId, status: f.status as 2 | 3, leaseMs: conn.leaseMs };
    // update_task_status already ended the operation: the persist effect need not read it back.
    if (final && executionId !== undefined && result.operationStatus !== undefined) this.#knownOperationStatus.set(executionId, result.operationStatus);
    const byActor = this.actors.sendTask(f.taskId, event);
    if (executionId !== undefined) this.#knownOperationStatus.delete(executionId);
    if (final) {
      const task = byActor && executionId !== undefined ? null : await store.getTask(f.taskId);
      executionId ??= task?.executionId;
      if (executionId !== undefined && result.status !== TaskStatus.ready) {
        if (byActor) operationStatus = (await this.actors.settled(executionId)) ?? operationStatus ?? (await store.getOperationStatus(executionId) ?? undefined);
        else if (operationStatus === undefined) operationStatus = await this.#finishOperation(task ?? await store.getTask(f.taskId), executionId, f, result.status);
      }
      if (held && held.attempt === f.attempt) this.#assignments.delete(f.taskId);
    }
    if (f.status !== TaskStatus.running || result.status !== f.status) {
      this.#log.info({ taskId: f.taskId, attempt: f.attempt, agentId, reported: f.status, effective: result.status, operationStatus, message: f.message }, 'task status');
    }
    conn.send({ type: 'task-status-result', replyTo: f.seq, taskId: f.taskId, attempt: f.attempt, status: result.status });
    if (executionId !== undefined) this.#o.observer?.taskReported?.({ taskId: f.taskId, attempt: f.attempt, executionId, agentId }, f.status, result.status, operationStatus);
    // A final report frees a slot the worker may already have asked to fill (its pull can arrive
    // before this report and be refused as full): answer it now, or nothing ever will.
    // A re-queued task (ready again) may go to any worker; a freed slot is this worker's alone.
    if (result.status === TaskStatus.ready) this.kick();
    else if (final) this.kick(conn);
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
        if (!this.actors.sendTask(taskId, { type: 'READOPTED', workerAgentId: conn.agentId, attempt, status: status === 3 ? 3 : 2 })) this.actors.ensureTask(task, conn.leaseMs);
      }
      this.#log.warn({ taskId, attempt, agentId: conn.agentId }, 'the worker that lost this lease answers again before any re-run: it keeps the task (nothing runs twice)');
    }
    return outcome;
  }

  /**
   * `execution:<id>`'s persistOperationStatus: makes the catalog say `status` when it does not
   * already. 1, 5 and 8 are committed by create/start_execution and stop_operation themselves; 6
   * (the lease was lost) is committed by the catalog's expiry rules, which this runs now.
   */
  async #persistOperation(p: PersistOperationStatusParams, taskId: string | undefined): Promise<number | undefined> {
    const store = this.#o.store;
    if (p.status === 1 || p.status === 5 || p.status === 8) return undefined;
    const known = this.#knownOperationStatus.get(p.executionId);
    if (known !== undefined && FINAL_OPERATION_STATUSES.has(known)) return known;
    if (p.status === OperationStatus.running) {
      // claim_tasks committed running with the claim itself: nothing more to write.
      if (this.#runningCommitted.delete(p.executionId)) return OperationStatus.running;
      // A claim: pull_task never hands out a cancelled task, so the operation is pending or running.
      await store.updateOperationStatusForTask(SYSTEM_PRINCIPAL, { status: OperationStatus.running, operationId: p.executionId, workerAgentId: p.workerAgentId });
      return OperationStatus.running;
    }
    this.#runningCommitted.delete(p.executionId);
    const current = await store.getOperationStatus(p.executionId);
    if (current === null) return undefined;
    if (FINAL_OPERATION_STATUSES.has(current)) return current;
    if (p.status === OperationStatus.endedUnexpectedly) {
      this.#o.onLeaseTimer?.(taskId ?? '');
      return undefined;
    }
    if (p.status === OperationStatus.canceled) {
      const task = taskId === undefined ? null : await store.getTask(taskId);
      const stopId = Number(task?.inputData.find((x) => x.name === 'stop_id')?.value ?? NaN);
      if (Number.isInteger(stopId)) await store.updateCancelledOperationStatus(SYSTEM_PRINCIPAL, { operationId: p.executionId, stopId });
      else await store.updateOperationStatusForTask(SYSTEM_PRINCIPAL, { status: OperationStatus.canceled, operationId: p.executionId, workerAgentId: p.workerAgentId });
      return OperationStatus.canceled;
    }
    await store.updateOperationStatusForTask(SYSTEM_PRINCIPAL, { status: p.status, operationId: p.executionId, workerAgentId: p.workerAgentId });
    return p.status;
  }

  /**
   * Moves the execution to its end state when the catalog's update_task_status did not already
   * (update_operation_status_for_task / update_cancelled_operation_status, as the original master does).
   */
  async #finishOperation(task: TaskRecord | null, executionId: number, f: TaskStatusFrame, effective: number): Promise<number | undefined> {
    const store = this.#o.store;
    const current = await store.getOperationStatus(executionId);
    if (current === null || [3, 4, 6, 7, 9].includes(current)) return undefined;
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

  /**
   * A run's log batch: accepted only when the catalog says this connection's agent holds the frame's
   * task under the frame's attempt (WorkerAgentId and ExecutedCount; any status, so a batch that
   * follows a committed final report still lands) and every message and statistic belongs to that
   * task's execution. Anything else is refused before a row is written: a worker can write only
   * into the log of a run it holds, never into another execution's log.
   */
  async #events(conn: AgentChannel, f: EventsFrame): Promise<void> {
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
}
