/**
 * The worker agent service: one WSS connection to the master with mutual TLS, registration by
 * `hello`, heartbeats with perf counters, pulls while enabled and below its limits (CPU/memory
 * gates), runs each assigned task in the TaskPool with a task log, streams events and status, and
 * keeps every report in the on-disk journal until the master acks it (replayed after a reconnect
 * and after a restart). Settings arrive already resolved (`runtime/agent/index.ts` maps the config).
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rmdir, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import type { ClientRequestArgs } from 'node:http';
import { freemem, hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { Logger } from 'pino';
import type { PerfCounterSample, WallClock } from '../../actors/ports.ts';
import { SsoError, serializeError } from '../../actors/errors.ts';
import type { PackageEvent, RunPackageRequest, RunPackageResult } from '../../executor/package/api.ts';
import {
  MAX_BATCH_TASKS, PROTOCOL_CLOSE_CODE, PROTOCOL_VERSION, encodeFrame, isProtocolError, parseMasterFrame,
} from '../transport/wire.ts';
import type { AssignFrame, ErrorFrame, EventsFrame, MasterFrame, TaskStatusBatchFrame, TaskStatusFrame, TaskStatusReport, Unsequenced, WorkerFrame } from '../transport/wire.ts';
import { createActor, fromPromise } from 'xstate';
import type { Actor } from 'xstate';
import { runPackageActor, taskRunMachine } from '../../actors/task-run.machine.ts';
import { agentMachine } from '../../actors/agent.machine.ts';
import type { FetchProjectInput } from '../../actors/task-run.machine.ts';
import { ReportJournal } from './journal.ts';
import type { JournalOptions } from './journal.ts';
import { TaskLog } from './task-log.ts';
import { uploadTaskLog } from './task-log-upload.ts';
import { uploadDataTaps } from './data-tap-upload.ts';
import type { TaskLogSettings } from './task-log.ts';
import { PerfCounterSampler, readMachineProperties } from './perf-counters.ts';
import { SCRIPT_CAPABILITY_PROPERTY, scriptCapability } from '../../executor/script/capability.ts';

/** What runs packages (the TaskPool, or a fake in tests). */
export interface PackageRunner {
  run(request: RunPackageRequest, options: { onEvent?: (e: PackageEvent) => void; signal?: AbortSignal }): Promise<RunPackageResult>;
  close(): Promise<void>;
}

/** TLS material for the connection to the master. */
export interface AgentTls {
  /** PEM of the worker's client certificate and key (`WorkerHttpsCertThumbprint`). */
  readonly cert: string;
  readonly key: string;
  /** PEM certificates trusted as the master's issuer (normally the master certificate itself). */
  readonly ca?: string | readonly string[];
  /** Thumbprint pin and host-name check of the master certificate; returns an Error to refuse. */
  readonly checkServerIdentity: (host: string, cert: import('node:tls').PeerCertificate) => Error | undefined;
}

export interface AgentServiceOptions {
  readonly agentId: string;
  /** `https://host:port` of the master. */
  readonly masterEndpoint: string;
  readonly tls: AgentTls;
  readonly runner: PackageRunner;
  readonly logger: Logger;
  readonly clock?: WallClock;
  readonly maxTaskCount: number;
  /** `LeaseInternval`: the lease the master gives this worker's tasks after each report (sent in hello). */
  readonly leaseIntervalMs?: number;
  readonly agentHeartbeatIntervalMs: number;
  readonly taskHeartbeatIntervalMs: number;
  /** Task heartbeats failing this long after the last success → the run is killed. */
  readonly heartbeatErrorToleranceMs: number;
  /** No pulls above this CPU % (0–100). */
  readonly taskRequestMaxCpu: number;
  /** No pulls below this much free memory, MB. */
  readonly taskRequestMinMemoryMb: number;
  /** Per-task folders (`<root>/<taskId>`) and the project cache (`<root>/../projects`). */
  readonly tasksRootFolder: string;
  readonly projectCacheFolder: string;
  readonly displayName?: string;
  /** Reconnect backoff bounds. */
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  /** On stop, how long running tasks may finish before they are cancelled. Default 10 s. */
  readonly drainTimeoutMs?: number;
  /** Called when a run starts/ends (tests, perf counters). */
  readonly onRunChange?: (running: number) => void;
  /** The report journal (`ExecutionLogCacheFolder` and its limits); opened by `start()`. */
  readonly journal: Omit<JournalOptions, 'logger' | 'clock'>;
  /** Task logs under `tasksRootFolder/<TaskId>/` (`TaskLogEnabled`, `TaskLogLevel`, `TaskLogSegment`). */
  readonly taskLog?: Omit<TaskLogSettings, 'rootFolder' | 'logger' | 'clock'>;
  /** Perf counters of heartbeats and the CPU pull gate (injectable for tests). */
  readonly perfSampler?: PerfCounterSampler;
  /**
   * Consecutive refused connection attempts (the master's certificate fails the pin or the TLS
   * check, or the master refuses this agent: HTTP 401/403, a refused hello) after which the agent
   * gives up and stops. Unreachable masters are not refusals: those are retried for ever. @default 5
   */
  readonly maxRefusedAttempts?: number;
  /** Each refusal, and the final one that stops the agent (`final`): the CLI prints them on stderr. */
  readonly onRefused?: (refusal: AgentRefusal) => void;
}

/** Why a connection attempt was refused, by which side, and whether the agent now gives up. */
export interface AgentRefusal {
  readonly by: 'worker' | 'master';
  readonly reason: string;
  /** 1-based count of consecutive refused attempts. */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly final: boolean;
}

/** TLS errors that mean "this master is not the one we trust" (not "the master is down"). */
const TLS_REFUSAL_CODES: ReadonlySet<string> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
]);

function tlsRefusal(err: Error & { code?: unknown }): string | undefined {
  const code = typeof err.code === 'string' ? err.code : '';
  if (TLS_REFUSAL_CODES.has(code)) return `${err.message} (${code})`;
  if (/MasterHttpsCertThumbprint|certificate/i.test(err.message) && !/ECONNREFUSED|ECONNRESET|ETIMEDOUT/.test(code)) return err.message;
  return undefined;
}

/** What the journal keeps: a report before its seq is stamped. */
type Report = Unsequenced<TaskStatusFrame> | Unsequenced<TaskStatusBatchFrame> | Unsequenced<EventsFrame>;

export type AgentState = 'idle' | 'connecting' | 'registering' | 'waitingForEnable' | 'active' | 'draining' | 'stopped';

interface RunningTask {
  readonly assign: AssignFrame;
  log: TaskLog | null;
  /** The task-run actor driving this attempt. */
  actor: Actor<typeof taskRunMachine> | null;
  events: PackageEvent[];
  flushTimer?: NodeJS.Timeout;
  /** Seq of the journaled final report, once made (-1: could not be journaled). */
  finalSeq: number | null;
  /** The final report is queued for this tick's batch (its seq comes with the flush). */
  finalQueued?: boolean;
  /** The run ended: its slot no longer counts against MaxTaskCount. */
  released: boolean;
}

const AGENT_VERSION = '0.1.0';

/** A promise with its settle functions; marked handled, so an unobserved failure is not an unhandled rejection. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
const EVENT_FLUSH_MS = 100;
const EVENT_BATCH_MAX = 500;
const PROJECT_MEMORY_MAX = 16;
const PROJECT_MEMORY_MAX_BYTES = 64 * 1024 * 1024;

export class AgentService {
  readonly #o: AgentServiceOptions;
  readonly #log: Logger;
  readonly #clock: WallClock;
  /** The connection lifecycle (actors/agent.machine.ts); null before start. */
  #agent: Actor<typeof agentMachine> | null = null;
  #starting = false;
  #ws: WebSocket | null = null;
  /** A pull the machine asked for while the journal was being replayed; sent once the replay is done. */
  #pendingPull: number | null = null;
  /** The machine reached `stopped`: the socket is closed by stop() once the last acks are in. */
  #closeRequested = false;
  #enabled = false;
  #journal: ReportJournal<Report> | null = null;
  /** Reports sent on the live connection and not yet acked, by seq (to re-journal a retryable refusal). */
  readonly #sent = new Map<number, WorkerFrame>();
  /** Seq of the last journaled report; stop() waits until the master acked it. */
  #lastReportSeq = 0;
  /** Consecutive connection attempts refused (reset by a welcome). */
  #refusedAttempts = 0;
  /** Why the current connection attempt was refused, when it was. */
  #refusal: { by: 'worker' | 'master'; reason: string } | null = null;
  /** While the journal is replayed after a welcome, nothing else is sent (see #replay). */
  #replaying = false;
  /** Highest ack received; recorded in the journal by #recordAcks, one durable write at a time. */
  #ackTarget = 0;
  #ackingJournal = false;
  readonly #perf: PerfCounterSampler;
  /** The task-run machine with this service's effects, built once (provide() rebuilds the machine). */
  readonly #taskRunLogic;
  readonly #running = new Map<string, RunningTask>();
  /**
   * Project bytes already verified against their SHA-256, by hash (most recent last, at most
   * PROJECT_MEMORY_MAX entries and PROJECT_MEMORY_MAX_BYTES in all): a burst of runs of one project
   * reads and hashes the cached file once instead of once per task.
   */
  readonly #projectsInMemory = new Map<string, Uint8Array>();
  /** machineName / userName of every run request: the process's, looked up once (userInfo reads the passwd database). */
  #identity: { machineName: string; userName: string } | null = null;
  #assignedSeen = 0;
  /** Final reports made in this tick, sent together (see `#flushFinals`). */
  readonly #finals: { t: RunningTask; report: TaskStatusReport }[] = [];
  #finalsScheduled = false;
  /** The master's protocol version from its welcome: ≥ 2 takes `task-status-batch`. */
  #masterProtocol = 1;
  /** A newer attempt of a task whose older run is still being stopped: started once that run is done. */
  readonly #supersedes = new Map<string, AssignFrame>();
  #stopping: Promise<void> | null = null;
  #startedWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];

  constructor(options: AgentServiceOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'agent', agentId: options.agentId });
    this.#clock = options.clock ?? { now: () => Date.now() };
    this.#perf = options.perfSampler ?? new PerfCounterSampler({ clock: this.#clock });
    const task = (taskId: string): RunningTask => {
      const t = this.#running.get(taskId);
      if (!t) throw new SsoError('SSO_ERR_ILLEGAL_STATE', `task-run effect for unknown task ${taskId}`);
      return t;
    };
    this.#taskRunLogic = taskRunMachine.provide({
      actors: {
        fetchProject: fromPromise<Uint8Array, FetchProjectInput>(({ input }) => this.#project(task(input.taskId).assign)),
        runPackage: runPackageActor(async (input, signal) => this.#runPackage(task(input.taskId), input.projectBytes, signal)),
      },
      actions: {
        sendTaskHeartbeat: (_, p) => {
          if (!this.#send({ type: 'task-status', taskId: p.taskId, attempt: p.attempt, status: p.status })) this.#running.get(p.taskId)?.actor?.send({ type: 'HEARTBEAT_FAILED' });
        },
        abortRun: (_, p) => {
          const t = this.#running.get(p.taskId);
          if (p.reason === 'heartbeat-tolerance') {
            this.#log.error({ taskId: p.taskId }, 'task heartbeats have failed for longer than HeartbeatErrorTolerance: killing the run');
            t?.log?.critical('task heartbeats failed for longer than HeartbeatErrorTolerance: the run was killed');
          } else {
            this.#log.info({ taskId: p.taskId }, 'cancelling task: the master cancelled it');
            t?.log?.audit('cancel requested by the master');
          }
        },
        reportFinalStatus: (_, p) => { const t = this.#running.get(p.taskId); if (t) this.#reportFinal(t, p.status, p.message); },
      },
    });
  }

  get state(): AgentState {
    if (this.#agent === null) return this.#stopping ? 'stopped' : this.#starting ? 'connecting' : 'idle';
    return stateName(this.#agent.getSnapshot().value);
  }
  get enabled(): boolean { return this.#enabled; }
  get runningCount(): number { return this.#held(); }
  /** Task-run actors alive: runs in progress plus finished runs whose final report is not yet committed. */
  get liveTaskRuns(): number { return this.#running.size; }
  /** The report journal (open between `start()` and the end of `stop()`). */
  get journal(): ReportJournal<Report> | null { return this.#journal; }
  readonly #openedResolve = deferred();
  /**
   * Settles once `start()` has opened the journal (the part that can fail on local files or
   * settings), before any connection: callers that do not wait for the welcome await this instead.
   */
  get opened(): Promise<void> { return this.#openedResolve.promise; }

  /**
   * Opens the journal (reloading what an earlier run left unacknowledged), then connects; resolves
   * once the master has welcomed this agent the first time.
   */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new SsoError('SSO_ERR_ILLEGAL_STATE', `AgentService.start: the agent is ${this.state}`);
    this.#starting = true;
    try {
      this.#journal = await ReportJournal.open<Report>({ ...this.#o.journal, clock: this.#clock, logger: this.#log });
    } catch (err) {
      this.#starting = false;
      this.#openedResolve.reject(err as Error);
      throw err;
    }
    this.#openedResolve.resolve();
    const left = this.#journal.counters;
    if (left.inMemory + left.spilledSegments > 0 || this.#journal.lastSeq > this.#journal.ackedSeq) {
      this.#log.info({ ackedSeq: this.#journal.ackedSeq, spilledSegments: left.spilledSegments }, 'report journal reloaded: unacknowledged reports are replayed once connected');
    }
    const welcomed = new Promise<void>((resolve, reject) => this.#startedWaiters.push({ resolve, reject }));
    const machine = agentMachine.provide({
      actions: {
        openConnection: (_, p) => this.#openSocket(p.attempt),
        sendHello: () => this.#sendHello(),
        sendHeartbeat: () => this.#heartbeat(),
        pull: (_, p) => this.#sendPull(p.freeSlots),
        startTaskRun: (_, p) => void this.#runTask(p.assignment as AssignFrame),
        abortAllTasks: (_, p) => { for (const id of p.taskIds) this.#running.get(id)?.actor?.send({ type: 'CANCEL' }); },
        closeConnection: () => { this.#closeRequested = true; },
      },
    });
    const agent = createActor(machine, {
      input: {
        agentId: this.#o.agentId, maxTaskCount: this.#o.maxTaskCount, taskRequestMaxCpu: this.#o.taskRequestMaxCpu,
        taskRequestMinMemoryMb: this.#o.taskRequestMinMemoryMb, agentHeartbeatMs: this.#o.agentHeartbeatIntervalMs,
        reconnectBaseMs: this.#o.reconnectMinMs ?? 250, reconnectMaxMs: this.#o.reconnectMaxMs ?? 30_000,
      },
    });
    let last = 'idle';
    agent.subscribe({
      next: (snap) => {
        const now = stateName(snap.value);
        if (now !== last) { this.#log.info({ from: last, to: now }, `agent: ${last} -> ${now}`); last = now; }
      },
      error: (err) => this.#log.error({ err: serializeError(err) }, 'agent actor failed'),
    });
    this.#agent = agent;
    this.#starting = false;
    agent.start();
    return welcomed;
  }

  /** Drains: no more pulls, running tasks finish (bounded), reports flushed, connection closed. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const agent = this.#agent;
      if (agent === null) { await this.#journal?.close(); return; }
      // STOP: stopped at once when idle; else draining (runs go on and report, nothing is pulled).
      agent.send({ type: 'STOP' });
      const deadline = this.#clock.now() + (this.#o.drainTimeoutMs ?? 10_000);
      while (this.#held() > 0 && this.#clock.now() < deadline) await sleep(50);
      // Runs still going are cancelled (abortAllTasks: reported 6), then given a little longer to end and report.
      if (this.state !== 'stopped') agent.send({ type: 'STOP', force: true });
      while (this.#held() > 0 && this.#clock.now() < deadline + 5_000) await sleep(50);
      // Whatever is left is stopped; the journal keeps any final report for the next start.
      for (const t of this.#running.values()) { t.actor?.stop(); this.#taskDone(t, null); }
      this.#flushFinals();
      // Give the master a moment to ack what is outstanding.
      const ackDeadline = this.#clock.now() + 2_000;
      while (this.#unackedReports() && this.#ws?.readyState === WebSocket.OPEN && this.#clock.now() < ackDeadline) await sleep(20);
      this.#closeRequested = true;
      agent.stop();
      this.#ws?.close(1000, 'worker stopping');
      this.#ws = null;
      await this.#o.runner.close();
      for (let i = 0; this.#ackingJournal && i < 200; i++) await sleep(10);
      if (this.#unackedReports()) this.#log.warn({ ackedSeq: this.#journal?.ackedSeq, lastReportSeq: this.#lastReportSeq }, 'stopping with reports the master has not acknowledged: they stay in the journal and are replayed at the next start');
      await this.#journal?.close();
    })();
    return this.#stopping;
  }

  /**
   * Records acks in the journal. Each record is a durable write (fsync), so acks that arrive while
   * one is being written are coalesced into the next: at most one write in flight.
   */
  async #recordAcks(): Promise<void> {
    if (this.#ackingJournal) return;
    this.#ackingJournal = true;
    try {
      for (;;) {
        const journal = this.#journal;
        if (journal === null || journal.state !== 'open' || this.#ackTarget <= journal.ackedSeq) return;
        const upTo = this.#ackTarget;
        try {
          await journal.ack(upTo);
        } catch (err) {
          this.#log.warn({ err: serializeError(err), upTo }, 'report journal: recording an ack failed (the reports may be replayed once more)');
          return;
        }
      }
    } finally {
      this.#ackingJournal = false;
    }
  }

  #unackedReports(): boolean {
    return this.#journal !== null && this.#journal.ackedSeq < this.#lastReportSeq;
  }

  // ---- connection ----

  /** `openConnection`: one WSS attempt; the machine hears CONNECTED, CONNECT_FAILED or CONNECTION_LOST. */
  #openSocket(attempt: number): void {
    if (this.#closeRequested) return;
    const url = new URL('/agent/v1', this.#o.masterEndpoint).href.replace(/^http/, 'ws');
    const ws = new WebSocket(url, {
      ...this.#tlsOptions(),
      handshakeTimeout: 10_000,
      maxPayload: 8 * 1024 * 1024,
    });
    this.#ws = ws;
    this.#refusal = null;
    let opened = false;
    ws.on('open', () => {
      opened = true;
      this.#assignedSeen = 0;
      this.#pendingPull = null;
      this.#agent?.send({ type: 'CONNECTED' });
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => {
        let reason = body;
        try { const j = JSON.parse(body) as { reason?: unknown; message?: unknown }; reason = String(j.reason ?? j.message ?? body); } catch { /* not JSON: the body as is */ }
        this.#log.error({ status: res.statusCode, body }, `the master refused this agent (HTTP ${res.statusCode}): ${body}`);
        if (this.#ws === ws && (res.statusCode === 401 || res.statusCode === 403)) this.#refusal = { by: 'master', reason: `HTTP ${res.statusCode}: ${reason}` };
        // With an 'unexpected-response' listener ws leaves the request to us: end it so the attempt closes.
        ws.terminate();
      });
    });
    ws.on('message', (data, isBinary) => {
      const f = parseMasterFrame(isBinary ? '' : data.toString());
      if (isProtocolError(f)) {
        this.#log.error({ reason: f.message }, `protocol violation by the master: ${f.message}`);
        ws.close(PROTOCOL_CLOSE_CODE, f.message.slice(0, 120));
        return;
      }
      this.#onFrame(f);
    });
    ws.on('error', (err) => {
      this.#log.warn({ err: serializeError(err), attempt }, `connection to the master failed: ${err.message}`);
      const why = opened ? undefined : tlsRefusal(err as Error & { code?: unknown });
      if (why !== undefined && this.#ws === ws) this.#refusal = { by: 'worker', reason: `the master's certificate is refused: ${why}` };
    });
    ws.on('close', (code, reason) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      if (this.#refusal !== null && !this.#closeRequested && this.#countRefusal(this.#refusal)) return;
      // What was sent and not acked is replayed from the journal on the next connection.
      this.#sent.clear();
      this.#replaying = false;
      if (this.#closeRequested) return;
      if (opened) this.#log.info({ code, reason: reason.toString() }, 'disconnected from the master');
      this.#agent?.send(opened ? { type: 'CONNECTION_LOST' } : { type: 'CONNECT_FAILED' });
    });
  }

  /**
   * One more refused attempt: reported (the CLI prints it on stderr); past `maxRefusedAttempts` in a
   * row the agent stops instead of retrying a master it will never be let into. True when it stops.
   */
  #countRefusal(r: { by: 'worker' | 'master'; reason: string }): boolean {
    this.#refusal = null;
    this.#refusedAttempts++;
    const max = this.#o.maxRefusedAttempts ?? 5;
    const final = this.#refusedAttempts >= max;
    this.#log.error({ by: r.by, attempt: this.#refusedAttempts, maxAttempts: max }, `connection refused (${this.#refusedAttempts} of ${max}): ${r.reason}${final ? '; giving up' : ''}`);
    this.#o.onRefused?.({ ...r, attempt: this.#refusedAttempts, maxAttempts: max, final });
    if (!final) return false;
    this.#closeRequested = true;
    for (const w of this.#startedWaiters.splice(0)) w.reject(new SsoError('SSO_ERR_TLS', `connection refused ${max} times in a row: ${r.reason}`, { where: this.#o.masterEndpoint }));
    void this.stop();
    return true;
  }

  /** `sendHello`: registration, with the runs still in progress (their leases are kept). */
  #sendHello(): void {
    this.#sendRaw({
      type: 'hello', seq: 0, agentId: this.#o.agentId,
      machineProperties: {
        ...readMachineProperties({ agentVersion: AGENT_VERSION }), ...(this.#o.displayName ? { DisplayName: this.#o.displayName } : {}),
        [SCRIPT_CAPABILITY_PROPERTY]: scriptCapability(),
      },
      versions: { protocol: PROTOCOL_VERSION, agent: AGENT_VERSION, node: process.version },
      capacity: { maxTaskCount: this.#o.maxTaskCount, ...(this.#o.leaseIntervalMs === undefined ? {} : { leaseMs: this.#o.leaseIntervalMs }) },
      // Every run whose final report is not acknowledged yet, ended ones included: a run that ended
      // while the connection was down may have lost its lease, and the master gives such a task back
      // to this worker (readopt) before the replayed report lands, instead of letting a pull claim a
      // second attempt of it.
      runningTasks: [...this.#running.values()].map((t) => ({ taskId: t.assign.taskId, attempt: t.assign.attempt })),
    });
  }

  /** `pull`: replaces the outstanding pull; held back while the journal is replayed. */
  #sendPull(freeSlots: number): void {
    if (this.#replaying) { this.#pendingPull = freeSlots; return; }
    this.#send({ type: 'pull', slots: freeSlots, assignedSeen: this.#assignedSeen });
  }

  #tlsOptions(): ClientRequestArgs & { cert: string; key: string; ca?: string | string[]; checkServerIdentity: AgentTls['checkServerIdentity']; rejectUnauthorized: boolean } {
    const t = this.#o.tls;
    return {
      cert: t.cert, key: t.key,
      ...(t.ca === undefined ? {} : { ca: typeof t.ca === 'string' ? t.ca : [...t.ca] }),
      checkServerIdentity: t.checkServerIdentity,
      rejectUnauthorized: true,
    };
  }

  #sendRaw(frame: WorkerFrame): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(encodeFrame(frame));
    return true;
  }

  /**
   * Journaled report: kept until acked, sent now if connected (and not replaying), replayed after a
   * reconnect or a restart. Frames leave in seq order: the master's cumulative ack must never pass
   * a report it has not received.
   */
  #report(frame: Report): number {
    const journal = this.#journal;
    if (journal === null || journal.state !== 'open') {
      this.#log.error({ frame: frame.type, taskId: 'taskId' in frame ? frame.taskId : undefined }, 'report made after the journal closed; it is lost');
      return -1;
    }
    // `append` stamps the seq before its first await, so `lastSeq` is this report's seq now.
    const appended = journal.append(frame);
    const seq = journal.lastSeq;
    appended.catch((err: unknown) => this.#log.error({ err: serializeError(err), seq }, 'report journal: append failed; the report is kept in memory only'));
    this.#lastReportSeq = seq;
    if (this.#replaying) return seq; // the replay loop sends it (pending() includes later appends)
    const f = { ...frame, seq } as WorkerFrame;
    if (this.#sendRaw(f)) this.#sent.set(seq, f);
    return seq;
  }

  /** Ephemeral frame (heartbeats, pulls): sequenced with the journal's counter but not journaled. */
  #send(frame: Unsequenced<WorkerFrame>): boolean {
    if (this.#replaying || this.#journal === null || this.#journal.state !== 'open') return false;
    return this.#sendRaw({ ...frame, seq: this.#journal.nextEphemeralSeq() } as WorkerFrame);
  }

  /**
   * Sends every unacknowledged report in seq order (disk first), then resumes normal sending. Newer
   * frames wait meanwhile: an ephemeral frame with a higher seq acked first would make the master's
   * cumulative ack cover reports not yet replayed.
   */
  async #replay(ws: WebSocket): Promise<void> {
    const journal = this.#journal;
    if (journal === null) return;
    this.#replaying = true;
    let count = 0;
    try {
      for await (const entry of journal.pending()) {
        if (this.#ws !== ws) return;
        const f = { ...entry.report, seq: entry.seq } as WorkerFrame;
        if (!this.#sendRaw(f)) return;
        this.#sent.set(entry.seq, f);
        count++;
      }
    } catch (err) {
      this.#log.error({ err: serializeError(err) }, 'report journal replay failed; reconnecting to retry');
      ws.close(1011, 'journal replay failed');
      return;
    } finally {
      if (this.#ws === ws) this.#replaying = false;
    }
    if (count > 0) this.#log.info({ count }, `replayed ${count} unacknowledged report(s) from the journal`);
    this.#heartbeat();
    if (this.#pendingPull !== null) { const slots = this.#pendingPull; this.#pendingPull = null; this.#sendPull(slots); }
  }

  #onFrame(f: MasterFrame): void {
    switch (f.type) {
      case 'welcome': {
        this.#refusedAttempts = 0;
        this.#enabled = f.enabled;
        this.#masterProtocol = f.protocol ?? 1;
        this.#log.info({ enabled: f.enabled, registered: f.registered }, f.registered ? 'registered with the master; waiting to be enabled' : 'connected to the master');
        if (f.heldTasks !== undefined) this.#stopRunsNotHeld(new Set(f.heldTasks));
        // The replay starts (and holds every newer frame back) before the machine reacts with a pull.
        if (this.#ws) void this.#replay(this.#ws);
        this.#agent?.send({ type: 'WELCOME', enabled: f.enabled });
        for (const w of this.#startedWaiters.splice(0)) w.resolve();
        return;
      }
      case 'enabled-changed':
        this.#enabled = f.enabled;
        this.#log.info({ enabled: f.enabled }, f.enabled ? 'enabled by the master' : 'disabled by the master: draining (running tasks finish, no new pulls)');
        this.#agent?.send({ type: 'ENABLED_CHANGED', enabled: f.enabled });
        return;
      case 'assign':
        this.#onAssign(f);
        return;
      case 'assign-batch':
        // Each one exactly as its own `assign` frame (and counted as one seen).
        for (const a of f.assignments) this.#onAssign({ type: 'assign', seq: f.seq, ...a });
        return;
      case 'cancel': {
        const t = this.#running.get(f.taskId);
        if (t && t.assign.attempt === f.attempt) t.actor?.send({ type: 'CANCEL' });
        return;
      }
      case 'task-status-result': {
        const t = this.#running.get(f.taskId);
        if (t && t.assign.attempt === f.attempt) {
          if (t.finalSeq !== null && f.replyTo === t.finalSeq) t.actor?.send({ type: 'REPORT_ACKED' });
          else t.actor?.send({ type: 'HEARTBEAT_OK', status: f.status });
        }
        return;
      }
      case 'ack': {
        for (const seq of this.#sent.keys()) if (seq <= f.upTo) this.#sent.delete(seq);
        this.#reportSettled(f.upTo);
        const journal = this.#journal;
        if (journal !== null && journal.state === 'open' && f.upTo <= journal.lastSeq) {
          this.#ackTarget = Math.max(this.#ackTarget, f.upTo);
          void this.#recordAcks();
        } else if (journal !== null && f.upTo > journal.lastSeq) {
          this.#log.warn({ upTo: f.upTo, lastSeq: journal.lastSeq }, 'the master acknowledged a seq this agent never sent; ignored');
        }
        return;
      }
      case 'error': {
        // Before the welcome, an error answers the hello: the master refused this agent's registration.
        if (f.replyTo === 0 && this.#ws !== null && this.state === 'registering') {
          this.#log.error({ code: f.code, number: f.number }, `the master refused this agent's hello: ${f.message}`);
          this.#refusal = { by: 'master', reason: `hello refused (${f.code}): ${f.message}` };
          return;
        }
        const sentFrame = f.replyTo === undefined ? undefined : this.#sent.get(f.replyTo);
        if (sentFrame?.type === 'task-status-batch') { this.#batchItemRefused(f, sentFrame); return; }
        const refused = sentFrame;
        // A heartbeat of a run refused as stale (27246): this attempt is no longer ours (its lease
        // was lost and the task re-run or ended): the run is stopped, its reports are fenced anyway.
        if (refused?.type === 'task-status' && (refused.status === 2 || refused.status === 3) && f.number === 27246) {
          const t = this.#running.get(refused.taskId);
          if (t && t.assign.attempt === refused.attempt && !t.released) {
            this.#log.warn({ taskId: refused.taskId, attempt: refused.attempt }, 'the master no longer knows this run as ours (its lease was lost): stopping it');
            t.log?.critical('the lease of this run was lost (the task was re-run or ended): the run was stopped');
            t.actor?.send({ type: 'CANCEL' });
          }
        }
        this.#log.warn({ code: f.code, number: f.number, replyTo: f.replyTo, retryable: f.retryable, refused: refused?.type }, `the master refused a report: ${f.message}`);
        // A refused report that may succeed later is kept (the ack passes over it): re-journal it.
        if (refused && f.retryable && (refused.type === 'task-status' || refused.type === 'events')) {
          this.#sent.delete(f.replyTo!);
          const { seq: _seq, ...again } = refused;
          void _seq;
          setTimeout(() => {
            const seq = this.#report(again as Report);
            for (const t of this.#running.values()) if (t.finalSeq === f.replyTo) t.finalSeq = seq;
          }, 1_000).unref();
        } else if (f.replyTo !== undefined && !f.retryable) {
          // A final report refused for good (e.g. stale, 27246): nothing more can be done with it.
          this.#reportSettled(0, f.replyTo);
        }
        return;
      }
    }
  }

  #onAssign(f: AssignFrame): void {
    this.#assignedSeen++;
    const older = this.#running.get(f.taskId);
    if (older && older.assign.attempt < f.attempt) {
      // The master re-ran a task whose older attempt still runs here (its lease was lost): that
      // run is stopped (its reports are fenced anyway) and the new attempt starts once it is done.
      this.#log.warn({ taskId: f.taskId, attempt: f.attempt, older: older.assign.attempt }, 'a newer attempt of a task still running here: stopping the older run first');
      older.log?.critical(`attempt ${f.attempt} of this task was assigned: this run (attempt ${older.assign.attempt}) was stopped`);
      this.#supersedes.set(f.taskId, f);
      if (!older.released) older.actor?.send({ type: 'CANCEL' });
      return;
    }
    this.#agent?.send({ type: 'TASK_ASSIGNED', taskId: f.taskId, attempt: f.attempt, assignment: f });
  }

  /**
   * One report of a `task-status-batch` was refused (the others stand): a retryable one is
   * journaled again on its own; one refused for good settles only its own run.
   */
  #batchItemRefused(f: ErrorFrame, batch: TaskStatusBatchFrame): void {
    const item = batch.reports.find((r) => r.taskId === f.taskId);
    this.#log.warn({ code: f.code, number: f.number, replyTo: f.replyTo, retryable: f.retryable, taskId: f.taskId }, `the master refused a report of a batch: ${f.message}`);
    if (item === undefined) return;
    const t = this.#running.get(item.taskId);
    if (f.retryable) {
      setTimeout(() => {
        const seq = this.#report({ type: 'task-status', ...item });
        if (t && t.assign.attempt === item.attempt) t.finalSeq = seq;
      }, 1_000).unref();
    } else if (t && t.assign.attempt === item.attempt && t.finalSeq === batch.seq) {
      t.actor?.send({ type: 'REPORT_ACKED' });
    }
  }

  /** After a reconnect: runs the hello named that the master no longer gives this worker are stopped. */
  #stopRunsNotHeld(held: ReadonlySet<string>): void {
    for (const t of this.#running.values()) {
      if (t.released || held.has(t.assign.taskId)) continue;
      this.#log.warn({ taskId: t.assign.taskId, attempt: t.assign.attempt }, 'after reconnecting: this run is no longer ours (its lease was lost while we were away, and the task was re-run or ended): stopping it');
      t.log?.critical('the lease of this run was lost while the worker was away: the run was stopped');
      t.actor?.send({ type: 'CANCEL' });
    }
  }

  // ---- pulling ----

  #heartbeat(): void {
    if (this.#replaying) return;
    const samples = this.#perf.sample();
    const perfCounters: PerfCounterSample[] = [...samples, { name: 'RunningTasks', value: this.#held(), timestamp: samples[0]?.timestamp ?? this.#clock.now() }];
    this.#send({ type: 'heartbeat', perfCounters, runningTaskIds: [...this.#running.values()].filter((t) => !t.released).map((t) => t.assign.taskId) });
    // The pull gates read this sample. CPU counts only while the agent runs something: an idle
    // agent's own start-up (or a neighbour's load) must not keep it from its first task.
    const free = samples.find((c) => c.name === 'AvailableMemoryMB')?.value ?? Math.round(freemem() / (1024 * 1024));
    this.#agent?.send({ type: 'PERF_SAMPLE', cpuPercent: this.#held() > 0 ? this.#perf.lastCpuPercent : 0, freeMemoryMb: free });
  }

  // ---- running a task ----

  /**
   * Runs one assignment as a `taskRun` actor (actors/task-run.machine.ts): it fetches the project,
   * runs the package in the pool, sends task heartbeats, aborts on cancel or when heartbeats failed
   * beyond HeartbeatErrorTolerance, and reports the final status until the master has committed it.
   * Its effects are provided here; the final report goes through the journal once.
   */
  async #runTask(a: AssignFrame): Promise<void> {
    // A replayed assign of a task only waiting for its report's commit: the machine must not count it.
    if (this.#running.has(a.taskId)) { this.#agent?.send({ type: 'TASK_FINISHED', taskId: a.taskId }); return; }
    if (this.#held() >= this.#o.maxTaskCount || this.#stopping !== null) {
      this.#agent?.send({ type: 'TASK_FINISHED', taskId: a.taskId });
      // Never more than MaxTaskCount: refuse by failing the attempt (the master re-queues while retries remain).
      this.#log.error({ taskId: a.taskId, running: this.#held() }, 'assignment beyond MaxTaskCount or while draining; refusing it');
      this.#report({ type: 'task-status', taskId: a.taskId, attempt: a.attempt, status: 4, message: 'worker had no free slot' });
      return;
    }
    const t: RunningTask = { assign: a, log: null, actor: null, events: [], finalSeq: null, released: false };
    this.#running.set(a.taskId, t);
    this.#o.onRunChange?.(this.#held());
    this.#log.info({ taskId: a.taskId, executionId: a.executionId, attempt: a.attempt, package: a.payload.packageName }, 'task received');
    t.log = await this.#openTaskLog(a);
    t.log?.audit(`task assigned: execution ${a.executionId}, attempt ${a.attempt} of ${a.maxAttempts}, package ${a.payload.folderName}\\${a.payload.projectName}\\${a.payload.packageName}`);
    const actor = createActor(this.#taskRunLogic, {
      input: { taskId: a.taskId, attempt: a.attempt, payload: a.payload, taskHeartbeatMs: this.#o.taskHeartbeatIntervalMs, heartbeatErrorToleranceMs: this.#o.heartbeatErrorToleranceMs },
    });
    t.actor = actor;
    actor.subscribe({
      complete: () => this.#taskDone(t, actor.getSnapshot().output ?? null),
      error: (err) => {
        this.#log.error({ taskId: a.taskId, err: serializeError(err) }, 'task-run actor failed');
        if (t.finalSeq === null) this.#reportFinal(t, 4, `the task run failed: ${serializeError(err).message}`);
        this.#taskDone(t, null);
      },
    });
    actor.start();
  }

  /** The `runPackage` child: the package in the pool, events streamed, result.json in the task folder. */
  async #runPackage(t: RunningTask, bytes: Uint8Array, signal: AbortSignal): Promise<RunPackageResult> {
    const a = t.assign;
    const workingDirectory = join(this.#o.tasksRootFolder, a.taskId);
    // The package may write files relative to it (Flat File destinations, Execute Process), so it
    // exists during the run; a run that wrote nothing there and logged nothing leaves no folder.
    await mkdir(workingDirectory, { recursive: true });
    t.log?.audit(`run started in ${workingDirectory}`);
    const request: RunPackageRequest = {
      executionId: a.executionId,
      projectBytes: bytes,
      packageName: a.payload.packageName,
      parameters: a.payload.parameters.map((p) => ({ objectType: p.objectType, name: p.name, value: p.value })),
      propertyOverrides: a.payload.propertyOverrides.map((p) => ({ propertyPath: p.propertyPath, value: p.value })),
      ...(a.payload.dataTaps && a.payload.dataTaps.length > 0 ? { dataTaps: a.payload.dataTaps } : {}),
      workingDirectory,
      ...(this.#identity ??= { machineName: hostname(), userName: safeUser() }),
    };
    const result = signal.aborted ? { outcome: 'canceled' as const, errors: [] } : await this.#o.runner.run(request, { signal, onEvent: (e) => this.#onEvent(t, e) });
    if (result.failure) t.log?.critical(`the run broke: ${result.failure.message}`);
    // Data taps go to the master before the final status, so an ended execution has its tap files there.
    if (a.payload.dataTaps && a.payload.dataTaps.length > 0) {
      for (const u of await uploadDataTaps({ endpoint: this.#o.masterEndpoint, tls: this.#tlsOptions(), taskId: a.taskId, attempt: a.attempt, workingDirectory })) {
        if (u.error) {
          t.log?.write('Warning', 'Agent', `data tap file ${u.file} was not uploaded: ${u.error}`);
          this.#log.warn({ taskId: a.taskId, file: u.file, error: u.error }, 'data tap upload failed');
        } else t.log?.audit(`data tap file ${u.file} uploaded (${u.bytes} bytes${u.cut ? ', cut at the upload bound' : ''})`);
      }
    }
    // result.json only when there is something to read beside it (the run wrote files or a log
    // line) or the run did not succeed; an empty folder of a silent success is removed.
    if (result.outcome === 'succeeded' && !t.log?.written && await rmdir(workingDirectory).then(() => true, () => false)) return result;
    await writeFile(join(workingDirectory, 'result.json'), JSON.stringify({ taskId: a.taskId, executionId: a.executionId, attempt: a.attempt, ...result }, null, 2)).catch(() => undefined);
    return result;
  }

  /**
   * `reportFinalStatus`: the run is over, so its slot is freed (with the report's flush); the status is journaled once (the
   * machine re-requests it every TaskHeartbeatInterval until REPORT_ACKED: the journal's replay is
   * what re-sends it) after the run's last events.
   */
  #reportFinal(t: RunningTask, status: number, message: string | null): void {
    if (t.finalSeq !== null || t.finalQueued) { this.#release(t); return; }
    const a = t.assign;
    this.#flushEvents(t);
    const outcome = status === 5 ? 'succeeded' : status === 6 ? 'canceled' : 'failed';
    this.#log.info({ taskId: a.taskId, executionId: a.executionId, attempt: a.attempt, outcome, message: message?.slice(0, 500) }, `task ended: ${outcome}`);
    t.log?.audit(`task ended: ${outcome}`);
    // Closed now, not when the report is committed: a retry of this task may open the same file.
    const log = t.log;
    void log?.close().then(() => {
      if (!log.folder || !log.written) return;
      return uploadTaskLog({ endpoint: this.#o.masterEndpoint, tls: this.#tlsOptions(), taskId: a.taskId, attempt: a.attempt, folder: log.folder, startMarker: `task assigned: execution ${a.executionId}, attempt ${a.attempt} of` })
        .catch((err: unknown) => this.#log.warn({ err: serializeError(err), taskId: a.taskId }, 'task log upload failed'));
    });
    t.finalQueued = true;
    this.#finals.push({ t, report: { taskId: a.taskId, attempt: a.attempt, status, ...(message ? { message: message.slice(0, 60_000) } : {}) } });
    if (!this.#finalsScheduled) {
      this.#finalsScheduled = true;
      setImmediate(() => this.#flushFinals());
    }
  }

  /**
   * The final reports of runs that ended in the same tick leave as ONE journaled frame (one seq, one
   * frame, one commit on the master) when the master speaks protocol ≥ 2; one `task-status` each
   * otherwise (or when there is only one).
   */
  #flushFinals(): void {
    this.#finalsScheduled = false;
    const list = this.#finals.splice(0);
    if (list.length === 0) return;
    const groups: (typeof list)[] = [];
    if (list.length === 1 || this.#masterProtocol < 2) for (const x of list) groups.push([x]);
    else for (let i = 0; i < list.length; i += MAX_BATCH_TASKS) groups.push(list.slice(i, i + MAX_BATCH_TASKS));
    for (const g of groups) {
      const seq = g.length === 1 ? this.#report({ type: 'task-status', ...g[0]!.report }) : this.#report({ type: 'task-status-batch', reports: g.map((x) => x.report) });
      for (const { t } of g) {
        t.finalSeq = seq;
        // The slot is freed only now: the pull it causes must follow the final report on the wire
        // (a re-queued task whose run just ended is given back by its report, not claimed again).
        this.#release(t);
        // Not journaled (the journal is closed): nothing will ever ack it.
        if (seq < 0) t.actor?.send({ type: 'REPORT_ACKED' });
      }
    }
  }

  /** The run is over: its slot is free (the agent machine pulls again when active). */
  #release(t: RunningTask): void {
    if (t.released) return;
    t.released = true;
    this.#o.onRunChange?.(this.#held());
    this.#agent?.send({ type: 'TASK_FINISHED', taskId: t.assign.taskId });
  }

  #taskDone(t: RunningTask, output: { status: number } | null): void {
    if (this.#running.get(t.assign.taskId) !== t) return;
    this.#running.delete(t.assign.taskId);
    clearTimeout(t.flushTimer);
    this.#release(t);
    void t.log?.close();
    const next = this.#supersedes.get(t.assign.taskId);
    if (next) {
      this.#supersedes.delete(t.assign.taskId);
      this.#agent?.send({ type: 'TASK_ASSIGNED', taskId: next.taskId, attempt: next.attempt, assignment: next });
    }
    this.#log.debug({ taskId: t.assign.taskId, status: output?.status }, 'task report committed by the master');
  }

  /** Tasks whose run is in progress (against MaxTaskCount); tasks only waiting for their report's commit do not count. */
  #held(): number {
    let n = 0;
    for (const t of this.#running.values()) if (!t.released) n++;
    return n;
  }

  /** Delivers the master's answer for a report seq to the task-run actors: the final report committed (or refused for good). */
  #reportSettled(upTo: number, exact?: number): void {
    for (const t of this.#running.values()) {
      if (t.finalSeq === null || t.finalSeq < 0) continue;
      if (exact !== undefined ? t.finalSeq === exact : t.finalSeq <= upTo) t.actor?.send({ type: 'REPORT_ACKED' });
    }
  }

  /** The task's log; a log that cannot be opened is a warning, never a failed task. */
  async #openTaskLog(a: AssignFrame): Promise<TaskLog | null> {
    try {
      return await TaskLog.open({ ...this.#o.taskLog, rootFolder: this.#o.tasksRootFolder, clock: this.#clock, logger: this.#log }, a.taskId);
    } catch (err) {
      this.#log.warn({ taskId: a.taskId, err: serializeError(err) }, 'task log cannot be opened; the task runs without it');
      return null;
    }
  }

  #onEvent(t: RunningTask, e: PackageEvent): void {
    t.log?.writeEvent(e);
    t.events.push(e);
    if (t.events.length >= EVENT_BATCH_MAX) this.#flushEvents(t);
    else t.flushTimer ??= setTimeout(() => this.#flushEvents(t), EVENT_FLUSH_MS);
  }

  #flushEvents(t: RunningTask): void {
    clearTimeout(t.flushTimer);
    t.flushTimer = undefined;
    if (t.events.length === 0) return;
    const batch = t.events.splice(0);
    this.#report({
      type: 'events',
      taskId: t.assign.taskId,
      attempt: t.assign.attempt,
      messages: batch.flatMap((e) => (e.kind === 'message' ? [e.message] : [])),
      statistics: batch.flatMap((e) => (e.kind === 'statistic' ? [e.statistic] : [])),
      ...(batch.some((e) => e.kind === 'phase') ? { componentPhases: batch.flatMap((e) => (e.kind === 'phase' ? [e.phase] : [])) } : {}),
    });
  }

  /** The project bytes: from the on-disk cache by hash, else downloaded over mTLS and verified. */
  async #project(a: AssignFrame): Promise<Uint8Array> {
    const sha = a.payload.projectSha256;
    const known = this.#projectsInMemory.get(sha);
    if (known !== undefined) {
      this.#projectsInMemory.delete(sha);
      this.#projectsInMemory.set(sha, known);
      return known;
    }
    const file = join(this.#o.projectCacheFolder, `${sha}.ispac`);
    const cached = await readFile(file).catch(() => null);
    if (cached && sha256(cached) === sha) return this.#keepProject(sha, new Uint8Array(cached));
    const url = new URL(`/agent/v1/projects/${a.payload.projectVersionLsn}/${sha}`, this.#o.masterEndpoint);
    const bytes = await new Promise<Buffer>((resolve, reject) => {
      const req = httpsRequest(url, { ...this.#tlsOptions(), method: 'GET', timeout: 60_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          if (res.statusCode !== 200) reject(new SsoError('SSO_ERR_PROJECT_INVALID', `project download ${url.pathname} failed: HTTP ${res.statusCode} ${body.toString().slice(0, 200)}`));
          else resolve(body);
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`project download ${url.pathname} timed out`)));
      req.on('error', reject);
      req.end();
    });
    if (sha256(bytes) !== sha) throw new SsoError('SSO_ERR_PROJECT_INVALID', `project download ${url.pathname}: content hash does not match`);
    await mkdir(this.#o.projectCacheFolder, { recursive: true });
    // Unique per download: two agents in one process may fetch the same project in the same millisecond.
    const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, file);
    return this.#keepProject(sha, new Uint8Array(bytes));
  }

  /** Remembers verified project bytes (evicting the least recently used beyond the bounds); returns them. */
  #keepProject(sha: string, bytes: Uint8Array): Uint8Array {
    if (bytes.byteLength > PROJECT_MEMORY_MAX_BYTES) return bytes;
    this.#projectsInMemory.set(sha, bytes);
    let total = 0;
    for (const b of this.#projectsInMemory.values()) total += b.byteLength;
    for (const [key, b] of this.#projectsInMemory) {
      if (this.#projectsInMemory.size <= PROJECT_MEMORY_MAX && total <= PROJECT_MEMORY_MAX_BYTES) break;
      this.#projectsInMemory.delete(key);
      total -= b.byteLength;
    }
    return bytes;
  }
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

function safeUser(): string {
  try { return userInfo().username; } catch { return 'unknown'; }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The machine's state as the service's coarse state (`reconnecting` shows as connecting). */
function stateName(value: unknown): AgentState {
  const v = typeof value === 'string' ? value : Object.keys(value as object)[0] ?? 'idle';
  return v === 'reconnecting' || v === 'route' ? 'connecting' : (v as AgentState);
}
