/**
 * The worker agent's entry point (`scaleout worker --config …`, `scaleout up`): loads
 * WorkerSettings.config (writing back a generated AgentId), takes its client certificate and the
 * pinned master certificate from the certificate stores, opens a JSON-lines log in `LogFolder`, and
 * starts `AgentService` over the real package engine in a `TaskPool`. `stop()` drains gracefully.
 */
import { join, dirname } from 'node:path';
import type { Logger } from 'pino';
import { SsoError, serializeError } from '../../actors/errors.ts';
import { loadWorkerSettings } from '../../config/worker-settings.ts';
import type { ResolvedWorkerSettings } from '../../config/worker-settings.ts';
import { TaskPool } from '../../executor/pool/task-pool.ts';
import { CertStore, tlsError } from '../tls/cert-store.ts';
import { WORKER_TRUST_STORE, masterIdentityCheck, workerClientTlsOptions } from '../tls/tls-options.ts';
import { openServiceLogger } from '../logging/service-logger.ts';
import { AgentService } from './agent-service.ts';
import type { AgentRefusal } from './agent-service.ts';
import { WorkerMetrics } from './worker-metrics.ts';

export interface StartWorkerOptions {
  /** Environment for `SCALEOUT_WORKER_<Key>` overrides. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A logger to use instead of `<LogFolder>/worker.log` (tests). */
  readonly logger?: Logger;
  /** A module to run instead of the package engine (benchmarks and test fixtures only). */
  readonly runner?: string | URL;
  /** Resolve `start` without waiting for the master's welcome (the agent keeps retrying). @default false */
  readonly noWait?: boolean;
  /** Each refused connection attempt and the final one after which the agent stops (see AgentService). */
  readonly onRefused?: (refusal: AgentRefusal) => void;
  /** @default 5 */
  readonly maxRefusedAttempts?: number;
}

export interface RunningWorker {
  readonly agent: AgentService;
  readonly settings: ResolvedWorkerSettings;
  readonly logFile: string | undefined;
  readonly logger: Logger;
  /** True when this start generated the AgentId (a new worker: an admin must enable it). */
  readonly agentIdGenerated: boolean;
  /** Port of GET /metrics and /health (`MetricsPort`), when they are on. */
  readonly metricsPort: number | undefined;
  readonly metrics: WorkerMetrics;
  /** Graceful stop: no more pulls, runs finish (bounded), reports flushed, log closed. Idempotent. */
  stop(): Promise<void>;
}

/** The TLS material of a worker: its own certificate and key, and the master certificate it pins. */
export function workerTls(settings: ResolvedWorkerSettings, store = new CertStore(settings.certificateStoreRoot)) {
  const client = workerClientTlsOptions(settings, store);
  const pinned = store.find(settings.masterHttpsCertThumbprint!, WORKER_TRUST_STORE);
  if (!pinned) {
    throw tlsError(`MasterHttpsCertThumbprint ${settings.masterHttpsCertThumbprint}: the master certificate is not in ${store.folder(WORKER_TRUST_STORE)}; install it with 'scaleout cert install <master.cer> --store ${store.root}'`, 'MasterHttpsCertThumbprint');
  }
  return { cert: String(client.cert), key: String(client.key), ca: pinned.certPem, checkServerIdentity: masterIdentityCheck(settings) };
}

/** Loads the settings file and starts the worker agent; resolves once the master welcomed it. */
export async function startWorker(configPath: string, options: StartWorkerOptions = {}): Promise<RunningWorker> {
  const { settings, warnings, agentIdGenerated } = loadWorkerSettings(configPath, { env: options.env ?? process.env });
  const tls = workerTls(settings);
  const log = options.logger ? undefined : openServiceLogger(settings.logFolder, 'worker', options.env ?? process.env);
  const logger = options.logger ?? log!.logger;
  for (const w of warnings) logger.warn({ configPath }, `settings: ${w}`);
  if (agentIdGenerated) logger.info({ agentId: settings.agentId, configPath }, 'generated AgentId and wrote it into the settings file');
  const pool = new TaskPool({
    maxThreads: settings.maxTaskCount, minThreads: Math.min(1, settings.maxTaskCount),
    logger: logger.child({ component: 'task-pool' }),
  });
  const runner = options.runner;
  const agent = new AgentService({
    agentId: settings.agentId,
    masterEndpoint: settings.masterEndpoint.url,
    tls,
    runner: { run: (request, o) => pool.run(request, { ...o, ...(runner ? { runner } : {}) }), close: () => pool.close() },
    logger,
    maxTaskCount: settings.maxTaskCount,
    leaseIntervalMs: settings.leaseIntervalMs,
    agentHeartbeatIntervalMs: settings.agentHeartbeatIntervalMs,
    taskHeartbeatIntervalMs: settings.taskHeartbeatIntervalMs,
    heartbeatErrorToleranceMs: settings.heartbeatErrorToleranceMs,
    taskRequestMaxCpu: settings.taskRequestMaxCpu,
    taskRequestMinMemoryMb: settings.taskRequestMinMemoryMb,
    tasksRootFolder: settings.tasksRootFolder,
    // Projects are cached by content hash beside the task folders (never inside one task's folder).
    projectCacheFolder: join(dirname(settings.tasksRootFolder), 'projects'),
    displayName: settings.displayName,
    drainTimeoutMs: settings.drainTimeoutMs,
    journal: {
      folder: settings.executionLogCacheFolder,
      maxBufferLogCount: settings.executionLogMaxBufferLogCount,
      maxInMemoryBufferCount: settings.executionLogMaxInMemoryBufferCount,
      retryCount: settings.executionLogRetryCount,
      retryTimeoutMs: settings.executionLogRetryTimeoutMs,
    },
    taskLog: { enabled: settings.taskLogEnabled, levelMask: settings.taskLogLevel.value, segmentMs: settings.taskLogSegmentMs },
    ...(options.onRefused ? { onRefused: options.onRefused } : {}),
    ...(options.maxRefusedAttempts === undefined ? {} : { maxRefusedAttempts: options.maxRefusedAttempts }),
  });
  const metrics = new WorkerMetrics({
    agentId: settings.agentId, maxTaskCount: settings.maxTaskCount,
    state: () => agent.state, enabled: () => agent.enabled, runningTasks: () => agent.runningCount,
    pool: () => ({ ...pool.counters, threads: settings.maxTaskCount }),
    journal: () => {
      const j = agent.journal;
      return j === null ? null : { backlog: Math.max(0, j.lastSeq - j.ackedSeq), inMemory: j.counters.inMemory };
    },
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      try { await agent.stop(); } finally { await metrics.close(); await log?.close(); }
    })();
    return stopping;
  };
  let metricsPort: number | undefined;
  if (settings.metricsPort !== undefined) {
    try {
      metricsPort = await metrics.listen(settings.metricsHost, settings.metricsPort);
      logger.info({ port: metricsPort, host: settings.metricsHost }, `metrics and health on http://${settings.metricsHost}:${metricsPort}/metrics, /health`);
    } catch (err) {
      await stop().catch(() => undefined);
      throw err;
    }
  }
  try {
    const welcomed = agent.start();
    if (options.noWait) {
      // A start abandoned by stop() is not an error, and the log may be closed by then.
      welcomed.catch((err: unknown) => { if (stopping === undefined) logger.error({ err: serializeError(err) }, 'the worker agent could not start'); });
      // Not waiting for the master, but a journal that cannot open is still a failed start (it
      // used to leave a process with nothing running that Node ended with exit code 13).
      await agent.opened;
    } else await welcomed;
  } catch (err) {
    logger.error({ err: serializeError(err) }, 'the worker agent could not start');
    await stop().catch(() => undefined);
    throw SsoError.is(err) ? err : new SsoError('SSO_ERR_AGENT_IO', `the worker agent could not start: ${(err as Error).message}`, { cause: err });
  }
  return { agent, settings, logFile: log?.file, logger, agentIdGenerated, metricsPort, metrics, stop };
}
