/**
 * The master's side of every worker connection, on top of `transport/agent-channel.ts` (frames,
 * sequence numbers, acks): registers a worker on its hello (bound to its client certificate), keeps
 * the live connections and their liveness (pings, silence, replacement, close), and hands every
 * other frame to the dispatcher (`dispatcher.ts`), which claims, assigns and applies reports through
 * the master's actors. Reports of one task apply in order; a frame is acked only after it is applied.
 */
import { performance } from 'node:perf_hooks';
import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { SsoError, serializeError } from '../../actors/errors.ts';
import type { AgentEndpoint } from '../transport/master-server.ts';
import { AgentChannel } from '../transport/agent-channel.ts';
import {
  PROTOCOL_CLOSE_CODE, PROTOCOL_VERSION, REPLACED_CLOSE_CODE, SHUTDOWN_CLOSE_CODE,
} from '../transport/wire.ts';
import type { HeartbeatFrame, HelloFrame, TaskStatusBatchFrame, TaskStatusFrame, WorkerFrame } from '../transport/wire.ts';
import { Dispatcher } from './dispatcher.ts';
import type { Assignment, DispatcherOptions } from './dispatcher.ts';
import type { MasterActors } from './master-actors.ts';

export type { Assignment, HubObserver } from './dispatcher.ts';

/** The dispatcher's options; the hub supplies its connections and their liveness itself. */
export type AgentHubOptions = Omit<DispatcherOptions, 'connections' | 'responsive'>;

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

export class AgentHub implements AgentEndpoint {
  readonly #o: AgentHubOptions;
  readonly #log: Logger;
  readonly #byAgent = new Map<string, AgentChannel>();
  readonly #all = new Set<AgentChannel>();
  #closing = false;
  readonly dispatcher: Dispatcher;
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
    this.dispatcher = new Dispatcher({
      store: options.store, logger: options.logger, clock: options.clock, leaseMs: options.leaseMs,
      ...(options.observer === undefined ? {} : { observer: options.observer }),
      ...(options.workerOfflineAfterMs === undefined ? {} : { workerOfflineAfterMs: options.workerOfflineAfterMs }),
      ...(options.onLeaseTimer === undefined ? {} : { onLeaseTimer: options.onLeaseTimer }),
      ...(options.actorClock === undefined ? {} : { actorClock: options.actorClock }),
      connections: this.#byAgent,
      responsive: (conn) => this.#responsive(conn),
    });
  }

  /** The master's actors (owned by the dispatcher). */
  get actors(): MasterActors { return this.dispatcher.actors; }

  /** Rebuilds the live actors from the catalog after a (re)start (see `Dispatcher.rebuildActors`). */
  async rebuildActors(heldLeaseMs = this.#o.leaseMs): Promise<{ workers: number; tasks: number }> {
    const rebuilt = await this.dispatcher.rebuildActors(heldLeaseMs);
    this.#startPinger();
    return rebuilt;
  }

  connectedCount(): number {
    return this.#byAgent.size;
  }

  assignments(): ReadonlyMap<string, Assignment> {
    return this.dispatcher.assignments();
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
    await this.dispatcher.refreshTasks();
    this.kick();
  }

  /** Sends `cancel` to the worker running this task (a stop was committed). */
  cancelTask(taskId: string): boolean { return this.dispatcher.cancelTask(taskId); }

  /** stop_operation committed: `execution:<id>` gets STOP (→ its task's CANCEL → the worker's `cancel`). */
  cancelExecution(executionId: number): void { this.dispatcher.cancelExecution(executionId); }

  /** The expiry rules took this task's lease (see `Dispatcher.leaseLost`). */
  leaseLost(taskId: string, taskStatus = 1, operationStatus?: number): void { this.dispatcher.leaseLost(taskId, taskStatus, operationStatus); }

  /** Answers outstanding pulls now (coalesced): this worker's alone, or every worker's. */
  kick(conn?: AgentChannel): void {
    if (!this.#closing) this.dispatcher.kick(conn);
  }

  /** Stops accepting, tells every worker, and waits for reports being applied. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearInterval(this.#pinger);
    const pending: Promise<unknown>[] = [];
    for (const c of this.#all) pending.push(...c.pending());
    await Promise.allSettled(pending);
    await this.dispatcher.close();
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
      // Not served while the leases it lost while silent are given back (see readoptAfterSilence).
      conn.readopting = true;
      void this.dispatcher.readoptAfterSilence(conn).finally(() => {
        conn.readopting = false;
        if (conn.outstanding() > 0) this.kick(conn);
      });
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

  /** Any report proves the worker alive (its heartbeats may be minutes apart): its `worker:` actor hears it, at most once per window. */
  #alive(conn: AgentChannel): void {
    const now = performance.now();
    if (now - conn.livenessSentAt >= this.#livenessWindowMs) {
      conn.livenessSentAt = now;
      this.actors.sendWorker(conn.agentId!, { type: 'HEARTBEAT' });
    }
  }

  #onFrame(conn: AgentChannel, frame: WorkerFrame): void {
    const seq = frame.seq;
    const tracked = frame.type !== 'hello' && seq > 0;
    if (frame.type === 'task-status-batch') { this.#onBatch(conn, frame); return; }
    const run = async (): Promise<void> => {
      try {
        if (frame.type === 'pull' || frame.type === 'task-status') this.#alive(conn);
        switch (frame.type) {
          case 'hello': return await this.#hello(conn, frame);
          case 'heartbeat': return await this.#heartbeat(conn, frame);
          case 'pull': return this.dispatcher.pull(conn, frame);
          case 'task-status': return await this.dispatcher.taskStatus(conn, frame);
          case 'events': return await this.dispatcher.events(conn, frame);
        }
      } catch (err) {
        const e = serializeError(err);
        if (frame.type === 'hello') {
          this.#log.warn({ claimedAgentId: frame.agentId, thumbprint: conn.thumbprint, remoteAddress: conn.remoteAddress, err: e }, `agent hello refused: ${e.message}`);
        } else {
          this.#log.warn({ agentId: conn.agentId, frame: frame.type, seq, err: e }, `worker report refused: ${e.message}`);
        }
        conn.send({ type: 'error', replyTo: seq, code: e.code ?? 'SSO_ERR_INTERNAL', message: e.message, retryable: retryable(err), ...(e.number === undefined ? {} : { number: e.number }) });
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
    this.#alive(conn);
    const seen = new Set<string>();
    const all: Promise<void>[] = [];
    for (const r of frame.reports) {
      const item: TaskStatusFrame = { type: 'task-status', seq, ...r };
      const run = async (): Promise<void> => {
        try {
          if (seen.has(r.taskId)) throw new SsoError('SSO_ERR_PROTOCOL', `task-status-batch refused for task ${r.taskId}: the batch reports this task twice`, { where: `task-status-batch(seq ${seq})` });
          seen.add(r.taskId);
          await this.dispatcher.taskStatus(conn, item);
        } catch (err) {
          const e = serializeError(err);
          this.#log.warn({ agentId: conn.agentId, frame: frame.type, seq, taskId: r.taskId, err: e }, `worker report refused: ${e.message}`);
          conn.send({ type: 'error', replyTo: seq, taskId: r.taskId, code: e.code ?? 'SSO_ERR_INTERNAL', message: e.message, retryable: retryable(err), ...(e.number === undefined ? {} : { number: e.number }) });
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
    const held = await this.dispatcher.adoptRunningTasks(conn, f.agentId, f.runningTasks);
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
    // Served only when some task is ready (issue 15): an idle worker's heartbeat then costs no claim.
    if (conn.enabled && conn.outstanding() > 0) {
      const ready = this.#o.store.hasReadyTasks;
      if (ready === undefined) this.kick(conn);
      else void ready.call(this.#o.store).then((r) => { if (r) this.kick(conn); }, () => this.kick(conn));
    }
  }
}

/** Whether the worker may send the refused frame again (a catalog refusal, a bad certificate or a protocol error is final). */
function retryable(err: unknown): boolean {
  return !(SsoError.is(err) && (err.code === 'SSO_ERR_CATALOG' || err.code === 'SSO_ERR_TLS' || err.code === 'SSO_ERR_PROTOCOL'));
}
