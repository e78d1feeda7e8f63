/**
 * The master service: composes the catalog, the agent hub and the HTTPS server, runs the background
 * loops (master heartbeat, expired-task sweep, job cleanup, catalog change poll) and is the only
 * place that calls `listen()`. Lifecycle: created → running → closing → closed; `close()` is
 * idempotent and stops accepting, tells workers, flushes and closes the catalog.
 */
import { hostname, networkInterfaces } from 'node:os';
import type { ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { CatalogStore, Principal, ProjectArchive, WallClock } from '../../actors/ports.ts';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { SsoError, serializeError } from '../../actors/errors.ts';
import { buildMasterServer } from '../transport/master-server.ts';
import type { PeerCheck } from '../transport/master-server.ts';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { AgentHub } from './agent-hub.ts';
import type { HubObserver } from './agent-hub.ts';
import { StateFeed } from '../viewer/state-feed.ts';
import { SessionStore, SESSION_COOKIE, cookieValue } from '../viewer/sessions.ts';
import { registerViewer } from '../viewer/viewer-api.ts';
import type { ViewerDeps } from '../viewer/viewer-api.ts';
import type { Enrolment } from '../viewer/enrolment.ts';

export interface MasterServiceOptions {
  readonly store: CatalogStore;
  readonly logger: Logger;
  readonly clock?: WallClock;
  /** Port to listen on (`PortNumber`); 0 picks a free one. */
  readonly port: number;
  /** Listen address. @default '::' (all interfaces, IPv4 and IPv6) */
  readonly host?: string;
  readonly sslCertThumbprint: string;
  readonly https: ServerOptions;
  readonly verifyAgentPeer: (peer: PeerCertificate | null, socket: TLSSocket) => PeerCheck;
  readonly readProjectArchive: (bytes: Uint8Array) => ProjectArchive | Promise<ProjectArchive>;
  readonly executeTsql?: (text: string, caller: Principal) => Promise<unknown>;
  readonly masterHeartbeatIntervalMs: number;
  readonly dealWithExpiredTasksIntervalMs: number;
  readonly cleanupCompletedJobsIntervalMs: number;
  /** How often `externalChangeToken()` is polled (T-SQL from other processes). @default 100 */
  readonly catalogPollIntervalMs?: number;
  /** Lease of a claimed task, renewed by each task heartbeat. @default 60000 */
  readonly leaseMs?: number;
  /**
   * After a (re)start, how long the tasks the catalog says are running are kept for their workers
   * to reconnect (their backoff reaches 30 s) before the expiry rules may take them. @default 35000
   */
  readonly reconnectGraceMs?: number;
  readonly observer?: HubObserver;
  /** The live viewer (runtime/viewer): where uploaded task logs are kept, join tokens, what the dashboard says. */
  readonly viewer?: { readonly taskLogFolder?: string; readonly enrolment?: Enrolment; readonly version?: string; readonly catalog?: string };
  /** Served at GET /metrics (runtime/master/master-metrics.ts). */
  readonly metrics?: { readonly contentType: string; render(): Promise<string> };
}

export type MasterState = 'created' | 'running' | 'closing' | 'closed';

export class MasterService {
  readonly #o: MasterServiceOptions;
  readonly #log: Logger;
  readonly hub: AgentHub;
  #server: FastifyInstance | undefined;
  #state: MasterState = 'created';
  #timers: NodeJS.Timeout[] = [];
  #closing: Promise<void> | undefined;
  #lastToken = '';
  #polling = false;
  #refreshing: Promise<void> | null = null;
  #refreshAgain = false;
  #sweeping: Promise<void> | null = null;
  #reconcileSkipLogged = false;
  #port = 0;
  /** The viewer's live state (runtime/viewer/state-feed.ts), fed by the hub and every catalog refresh. */
  readonly feed: StateFeed;
  readonly sessions: SessionStore;
  #startedAt = new Date().toISOString();
  #plainHttp: string | null = null;

  constructor(options: MasterServiceOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'master' });
    this.feed = new StateFeed({
      store: options.store,
      live: { connectedAgents: () => this.hub.connectedAgents(), assignments: () => this.hub.assignments() },
      onError: (err) => this.#log.warn({ err: serializeError(err) }, 'viewer state read failed'),
    });
    this.sessions = new SessionStore(options.store);
    const outer = options.observer;
    const feed = this.feed;
    const observer: HubObserver = {
      agentOnline: (id, enabled) => { outer?.agentOnline?.(id, enabled); feed.poke(); },
      agentOffline: (id) => { outer?.agentOffline?.(id); feed.poke(); },
      taskAssigned: (a) => { outer?.taskAssigned?.(a); feed.attemptStarted(a); },
      taskReported: (a, reported, effective, op) => { outer?.taskReported?.(a, reported, effective, op); feed.attemptReported(a, reported, effective, op); },
    };
    this.hub = new AgentHub({
      store: options.store, logger: options.logger, clock: options.clock ?? { now: () => Date.now() },
      leaseMs: options.leaseMs ?? 60_000, observer,
      onLeaseTimer: (taskId) => this.#sweepSoon(taskId),
    });
  }

  /** What the viewer's routes need, for this master's TLS server (`secure`) or a loopback plain HTTP server. */
  viewerDeps(secure: boolean): ViewerDeps {
    const v = this.#o.viewer ?? {};
    return {
      store: this.#o.store, feed: this.feed, sessions: this.sessions, secure,
      signals: { executionStarted: () => this.hub.kick(), operationStopped: (id) => this.hub.cancelExecution(id), catalogChanged: () => void this.requestRefresh() },
      info: () => ({ version: v.version ?? '0.1.0', catalog: v.catalog ?? 'catalog', port: this.#port || null, startedAt: this.#startedAt, plainHttp: this.#plainHttp }),
      ...(v.taskLogFolder ? { taskLogFolder: v.taskLogFolder } : {}),
      ...(v.enrolment ? { enrolment: v.enrolment } : {}),
      ...(secure ? {
        agentOf: (request: FastifyRequest) => {
          const socket = request.raw.socket as TLSSocket;
          const peer = typeof socket?.getPeerCertificate === 'function' ? socket.getPeerCertificate() : null;
          const check = this.#o.verifyAgentPeer(peer && Object.keys(peer).length > 0 ? peer : null, socket);
          if (!check.ok) return { refused: check.reason };
          const conn = this.hub.connectedAgents().find((c) => c.thumbprint === check.thumbprint);
          return conn ? { agentId: conn.agentId } : { refused: `no connected worker presented certificate ${check.thumbprint}` };
        },
      } : {}),
    };
  }

  /** Records the loopback plain HTTP address of the viewer (shown on the dashboard). */
  set plainHttpAddress(url: string | null) { this.#plainHttp = url; }

  get state(): MasterState { return this.#state; }
  get port(): number { return this.#port; }
  get server(): FastifyInstance | undefined { return this.#server; }
  /** The catalog this master runs on (its own connection). */
  get store(): CatalogStore { return this.#o.store; }

  #setState(next: MasterState): void {
    this.#log.info({ from: this.#state, to: next }, `master: ${this.#state} -> ${next}`);
    this.#state = next;
  }

  async start(): Promise<{ port: number }> {
    if (this.#state !== 'created') throw new SsoError('SSO_ERR_ILLEGAL_STATE', `MasterService.start: the master is ${this.#state}`);
    const { store } = this.#o;
    // Before anything can sweep: leases of tasks still running on workers that have not
    // reconnected yet are extended by the grace (the catalog rows and the rebuilt actors alike).
    const graceMs = Math.max(this.#o.leaseMs ?? 60_000, this.#o.reconnectGraceMs ?? 35_000);
    const extended = await store.extendHeldLeases?.(SYSTEM_PRINCIPAL, { expiredTime: (this.#o.clock ?? Date).now() + graceMs });
    if (extended) this.#log.info({ tasks: extended, graceMs }, `restart: ${extended} running task(s) keep their lease for ${graceMs} ms while their workers reconnect`);
    this.#server = await buildMasterServer({
      store, logger: this.#o.logger, https: this.#o.https, verifyAgentPeer: this.#o.verifyAgentPeer, agents: this.hub,
      readProjectArchive: this.#o.readProjectArchive,
      extend: (app) => registerViewer(app, this.viewerDeps(true)),
      sessionPrincipal: (request) => this.sessions.principalOf(cookieValue(request.headers.cookie, SESSION_COOKIE)),
      ...(this.#o.metrics ? { metrics: this.#o.metrics } : {}),
      ...(this.#o.executeTsql ? { executeTsql: this.#o.executeTsql } : {}),
      signals: {
        executionStarted: () => this.hub.kick(),
        operationStopped: (id) => this.hub.cancelExecution(id),
        catalogChanged: () => this.requestRefresh(),
      },
    });
    await this.#server.listen({ port: this.#o.port, host: this.#o.host ?? '::' });
    this.#port = (this.#server.server.address() as AddressInfo).port;
    await store.updateMasterSettings(SYSTEM_PRINCIPAL, {
      machineName: hostname(), machineIp: primaryIp(), masterServicePort: String(this.#port),
      sslCertThumbprint: this.#o.sslCertThumbprint, masterHeartbeatIntervalInMs: String(this.#o.masterHeartbeatIntervalMs),
    }).catch((err: unknown) => this.#log.warn({ err: serializeError(err) }, 'update_master_settings failed'));
    await store.masterHeartbeat(SYSTEM_PRINCIPAL).catch((err: unknown) => this.#log.warn({ err: serializeError(err) }, 'master_heartbeat failed'));
    this.#lastToken = await store.externalChangeToken();
    this.#every(this.#o.masterHeartbeatIntervalMs, 'master heartbeat', () => store.masterHeartbeat(SYSTEM_PRINCIPAL));
    this.#every(this.#o.dealWithExpiredTasksIntervalMs, 'expired-task sweep', () => this.sweepExpiredTasks());
    this.#every(this.#o.cleanupCompletedJobsIntervalMs, 'completed-job cleanup', async () => {
      const { jobsRemoved } = await store.cleanupCompletedJobs(SYSTEM_PRINCIPAL);
      if (jobsRemoved > 0) this.#log.info({ jobsRemoved }, 'completed jobs cleaned up');
    });
    this.#timers.push(setInterval(() => void this.#pollCatalog(), this.#o.catalogPollIntervalMs ?? 100));
    // Executions whose task ended but whose end was never committed (a crash between the two
    // commits, a failed end-status commit): ended now, before any actor exists (README "Reconcile").
    await this.#reconcile('start');
    // Actors for every registered worker and live task; tasks left ready are dispatched as soon as workers pull.
    const rebuilt = await this.hub.rebuildActors(graceMs);
    await this.feed.start();
    this.#setState('running');
    this.#log.info({ port: this.#port, liveTasks: rebuilt.tasks, workers: rebuilt.workers, thumbprint: this.#o.sslCertThumbprint }, `master listening on port ${this.#port}`);
    return { port: this.#port };
  }

  /**
   * Re-reads what the hub caches (enable flags, cancelled tasks) after a change on this master's own
   * catalog connection, which the change-token poll does not see. Concurrent requests coalesce into
   * at most one more pass; resolves when the catalog state at call time has been applied.
   */
  requestRefresh(): Promise<void> {
    if (this.#state !== 'running') return Promise.resolve();
    if (this.#refreshing) { this.#refreshAgain = true; return this.#refreshing; }
    this.#refreshing = (async () => {
      try {
        do {
          this.#refreshAgain = false;
          await this.hub.refresh().catch((err: unknown) => this.#log.warn({ err: serializeError(err) }, 'hub refresh failed'));
          this.feed.poke();
        } while (this.#refreshAgain && this.#state === 'running');
      } finally {
        this.#refreshing = null;
      }
    })();
    return this.#refreshing;
  }

  /** `dealwith_expired_tasks`, then tell the hub: lost tasks are forgotten, re-queued ones dispatched. */
  async sweepExpiredTasks(): Promise<void> {
    const outcomes = await this.#o.store.dealWithExpiredTasks(SYSTEM_PRINCIPAL);
    for (const o of outcomes) {
      this.#log.warn({ taskId: o.taskId, executionId: o.executionId, taskStatus: o.taskStatus, operationStatus: o.operationStatus }, 'task lease expired');
      this.hub.leaseLost(o.taskId, o.taskStatus, o.operationStatus);
    }
    if (outcomes.some((o) => o.taskStatus === 1)) this.hub.kick();
    await this.#reconcile('sweep');
  }

  /**
   * `Dispatcher#reconcileEndedExecutions`, at start and after every expiry sweep (one indexed query
   * over the unfinished operations): an end-status commit that failed while no actor holds the
   * execution any more is healed within `DealWithExpiredTasksIntervalInMs`. Never throws: a failed
   * pass is logged and the next one tries again. A catalog without the read (SQL Server) is skipped,
   * logged once.
   */
  async #reconcile(when: 'start' | 'sweep'): Promise<void> {
    try {
      const ended = await this.hub.dispatcher.reconcileEndedExecutions();
      if (ended === null) {
        if (!this.#reconcileSkipLogged) this.#log.info('reconcile skipped: this catalog cannot list executions whose task ended without their end (listUnfinishedEndedExecutions)');
        this.#reconcileSkipLogged = true;
      } else if (ended.length > 0) {
        this.#log.warn({ when, executions: ended }, `reconcile: ${ended.length} execution(s) ended as their task had`);
      }
    } catch (err) {
      this.#log.error({ err: serializeError(err), when }, 'reconcile failed; the next expiry sweep tries again');
    }
  }

  /**
   * A task actor's lease timer ran out: run the catalog's expiry rules now instead of at the next
   * `DealWithExpiredTasksIntervalInMs`. If that task is not expired in the catalog yet (its lease was
   * renewed by a commit the actor had not seen), one more sweep follows a second later.
   */
  #sweepSoon(taskId: string): void {
    if (this.#state !== 'running' || this.#sweeping) return;
    this.#sweeping = (async () => {
      try {
        await this.sweepExpiredTasks();
        const t = taskId === '' ? null : await this.#o.store.getTask(taskId);
        if (t && (t.status === 2 || t.status === 3)) {
          await new Promise((r) => setTimeout(r, 1_000).unref());
          if (this.#state === 'running') await this.sweepExpiredTasks();
        }
      } catch (err) {
        this.#log.error({ err: serializeError(err) }, 'expired-task sweep failed');
      } finally {
        this.#sweeping = null;
      }
    })();
  }

  async #pollCatalog(): Promise<void> {
    if (this.#polling || this.#state !== 'running') return;
    this.#polling = true;
    try {
      const token = await this.#o.store.externalChangeToken();
      if (token !== this.#lastToken) {
        this.#lastToken = token;
        await this.requestRefresh();
      }
    } catch (err) {
      this.#log.warn({ err: serializeError(err) }, 'catalog change poll failed');
    } finally {
      this.#polling = false;
    }
  }

  #every(ms: number, what: string, fn: () => Promise<unknown>): void {
    let busy = false;
    this.#timers.push(setInterval(() => {
      if (busy || this.#state !== 'running') return;
      busy = true;
      fn().catch((err: unknown) => this.#log.error({ err: serializeError(err) }, `${what} failed`)).finally(() => { busy = false; });
    }, ms));
  }

  /** Graceful stop: no new connections, workers told, reports in flight committed, catalog closed. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#state === 'created') { this.#state = 'closed'; await this.#o.store.close(); return; }
      this.#setState('closing');
      for (const t of this.#timers) clearInterval(t);
      await Promise.allSettled([this.#sweeping, this.#refreshing]);
      await this.hub.close();
      this.feed.close();
      await this.#server?.close();
      await this.#o.store.close();
      this.#setState('closed');
    })();
    return this.#closing;
  }
}

function primaryIp(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  }
  return '127.0.0.1';
}
