/**
 * WorkerSettings.config: every key of SSIS Scale Out Worker's settings file (reference §2.2) with
 * its type, default and meaning in one table, plus our Linux keys. `loadWorkerSettings` reads a
 * file, applies `SCALEOUT_WORKER_<Key>` overrides, validates, and returns a frozen object with
 * durations in milliseconds; a missing `AgentId` is generated and written back, as SSIS does.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { defaultPaths } from './default-paths.ts';
import { readSettingsFile } from './settings-file.ts';
import { applySettingsChanges, writeFileAtomic, writeSettings } from './settings-writer.ts';
import { collectSettings, deepFreeze } from './settings-resolver.ts';
import type { RawSettingsObject, SettingDef } from './settings-resolver.ts';
import {
  parseBoolean, parseDouble, parseDuration, parseEnum, parseGuid, parseHttpsEndpoint, parseInteger,
  parsePath, parseTaskLogLevel, parseThumbprint, decodeTaskLogLevel, SettingValueError,
} from './setting-values.ts';
import type { Endpoint, TaskLogLevel } from './setting-values.ts';
import { formatTimeSpan } from './timespan.ts';

/** Windows certificate store locations (folders of the certificate store root). */
export const StoreLocations = ['LocalMachine', 'CurrentUser'] as const;
export type StoreLocation = (typeof StoreLocations)[number];
/** Windows certificate store names (.NET `StoreName`), each a folder under its location. */
export const StoreNames = ['My', 'Root', 'CertificateAuthority', 'TrustedPeople', 'TrustedPublisher', 'AuthRoot', 'AddressBook', 'Disallowed'] as const;
export type StoreName = (typeof StoreNames)[number];

/** The master's default port, also the port of a `MasterEndpoint` written without one. */
export const DEFAULT_MASTER_PORT = 8391;

/** A resolved, frozen WorkerSettings.config. */
export interface ResolvedWorkerSettings {
  /** `DisplayName`. Shown for the worker; SSIS 2017+ ignores it in favour of the catalog value. @default os.hostname() */
  readonly displayName: string;
  /** `Description`. @default '' */
  readonly description: string;
  /** `MasterEndpoint`: the master's https URL; its host must be a name in the master certificate. Required. Port @default 8391 */
  readonly masterEndpoint: Endpoint;
  /** `MasterHttpsCertThumbprint`: the pinned master certificate (40 upper-case hex). @default undefined (set at install) */
  readonly masterHttpsCertThumbprint: string | undefined;
  /** `WorkerHttpsCertThumbprint`: this worker's client certificate. @default undefined (set at install) */
  readonly workerHttpsCertThumbprint: string | undefined;
  /** `StoreLocation` of the worker certificate. @default 'LocalMachine' */
  readonly storeLocation: StoreLocation;
  /** `StoreName` of the worker certificate. @default 'My' */
  readonly storeName: StoreName;
  /** `AgentHeartbeatInterval`: worker heartbeat period. @default 60000 (00:01:00) */
  readonly agentHeartbeatIntervalMs: number;
  /** `TaskHeartbeatInterval`: task state report period; renews the lease. @default 10000 (00:00:10) */
  readonly taskHeartbeatIntervalMs: number;
  /** `HeartbeatErrorTollerance` / `HeartbeatErrorTolerance`: failing task heartbeats for this long end the task. @default 600000 (00:10:00) */
  readonly heartbeatErrorToleranceMs: number;
  /** `TaskRequestMaxCPU`: no new tasks above this CPU percentage. @default 70 */
  readonly taskRequestMaxCpu: number;
  /** `TaskRequestMinMemory`: no new tasks below this free memory (MB). @default 100 */
  readonly taskRequestMinMemoryMb: number;
  /** `MaxTaskCount`: tasks held at once. @default 10 */
  readonly maxTaskCount: number;
  /** `LeaseInternval` / `LeaseInterval`: lease length of a held task. @default 60000 (00:01:00) */
  readonly leaseIntervalMs: number;
  /** `TasksRootFolder`: per-task folders and logs. @default $XDG_STATE_HOME/scaleout/tasks */
  readonly tasksRootFolder: string;
  /** `TaskLogLevel`: bit flags of what task logs record. @default 126 (all but Verbose) */
  readonly taskLogLevel: TaskLogLevel;
  /** `TaskLogSegment`: time covered by one task log file; 0 = no rolling. @default 0 */
  readonly taskLogSegmentMs: number;
  /** `TaskLogEnabled`. @default true */
  readonly taskLogEnabled: boolean;
  /** `ExecutionLogCacheFolder`: execution logs waiting for the catalog. @default $XDG_STATE_HOME/scaleout/agent/elogcache */
  readonly executionLogCacheFolder: string;
  /** `ExecutionLogMaxBufferLogCount`: entries per in-memory buffer. @default 10000 */
  readonly executionLogMaxBufferLogCount: number;
  /** `ExecutionLogMaxInMemoryBufferCount`: buffers held before spilling to disk. @default 10 */
  readonly executionLogMaxInMemoryBufferCount: number;
  /** `ExecutionLogRetryCount`: retries of a failed log write. @default 3 */
  readonly executionLogRetryCount: number;
  /** `ExecutionLogRetryTimeout`: give up log retries after this long. @default 604800000 (7.00:00:00) */
  readonly executionLogRetryTimeoutMs: number;
  /** `AgentId`: the worker's WorkerAgentId in the catalog (lower-case GUID). @default generated and written back */
  readonly agentId: string;
  /** `CertificateStoreRoot` (ours): folder of the certificate stores. @default $XDG_STATE_HOME/scaleout/certs */
  readonly certificateStoreRoot: string;
  /** `LogFolder` (ours): the worker service's own logs. @default $XDG_STATE_HOME/scaleout/agent/logs */
  readonly logFolder: string;
  /**
   * `DrainTimeout` (ours): on SIGTERM/Ctrl-C, how long running tasks may go on before they are
   * canceled (reported ended unexpectedly, re-queued when retries remain). @default 300000 (00:05:00)
   */
  readonly drainTimeoutMs: number;
  /** `MetricsPort` (ours): port of /metrics and /health over plain HTTP; empty = off, 0 = any free port. @default off */
  readonly metricsPort: number | undefined;
  /** `MetricsHost` (ours): listen address of /metrics and /health. @default 127.0.0.1 */
  readonly metricsHost: string;
}

type Def = SettingDef<keyof ResolvedWorkerSettings>;
const positive = (text: string, ctx: Parameters<Def['parse']>[1]) => parseDuration(text, ctx, false);

/** Every key of WorkerSettings.config, in the order of the docs. The one defaults table. */
export const WORKER_SETTING_DEFS: readonly Def[] = [
  { key: 'DisplayName', prop: 'displayName', type: 'string', defaultDoc: 'machine name', emptyIsDefault: true, doc: 'Worker display name (SSIS 2017+ uses the catalog value instead)', parse: (t) => t, default: () => hostname() },
  { key: 'Description', prop: 'description', type: 'string', defaultDoc: 'empty', emptyIsDefault: true, doc: 'Worker description', parse: (t) => t, default: () => '' },
  { key: 'MasterEndpoint', prop: 'masterEndpoint', type: 'https URL', defaultDoc: 'required; port 8391 when not written', doc: "The master's URL; its host must be a name (SAN/CN) of the master certificate", parse: (t) => parseHttpsEndpoint(t, DEFAULT_MASTER_PORT), default: () => { throw new SettingValueError('an https URL like https://master01:8391'); } },
  { key: 'MasterHttpsCertThumbprint', prop: 'masterHttpsCertThumbprint', type: 'thumbprint', defaultDoc: 'none (set at install)', emptyIsDefault: true, doc: "Pinned thumbprint of the master's server certificate", parse: parseThumbprint, default: () => undefined },
  { key: 'WorkerHttpsCertThumbprint', prop: 'workerHttpsCertThumbprint', type: 'thumbprint', defaultDoc: 'none (set at install)', emptyIsDefault: true, doc: "Thumbprint of this worker's client certificate", parse: parseThumbprint, default: () => undefined },
  { key: 'StoreLocation', prop: 'storeLocation', type: 'LocalMachine | CurrentUser', defaultDoc: 'LocalMachine', doc: 'Store location of the worker certificate', parse: (t) => parseEnum(t, StoreLocations), default: () => 'LocalMachine' },
  { key: 'StoreName', prop: 'storeName', type: 'store name', defaultDoc: 'My', doc: 'Store name of the worker certificate', parse: (t) => parseEnum(t, StoreNames), default: () => 'My' },
  { key: 'AgentHeartbeatInterval', prop: 'agentHeartbeatIntervalMs', type: 'TimeSpan', defaultDoc: '00:01:00', doc: 'Worker heartbeat period', parse: positive, default: () => 60_000 },
  { key: 'TaskHeartbeatInterval', prop: 'taskHeartbeatIntervalMs', type: 'TimeSpan', defaultDoc: '00:00:10', doc: 'Task state report period (renews the lease)', parse: positive, default: () => 10_000 },
  { key: 'HeartbeatErrorTollerance', aliases: ['HeartbeatErrorTolerance'], prop: 'heartbeatErrorToleranceMs', type: 'TimeSpan', defaultDoc: '00:10:00', doc: 'How long task heartbeats may keep failing before the task is ended', parse: positive, default: () => 600_000 },
  { key: 'TaskRequestMaxCPU', prop: 'taskRequestMaxCpu', type: 'double 0–100', defaultDoc: '70.0', doc: 'No new tasks above this CPU %', parse: (t) => parseDouble(t, 0, 100), default: () => 70 },
  { key: 'TaskRequestMinMemory', prop: 'taskRequestMinMemoryMb', type: 'double MB ≥ 0', defaultDoc: '100.0', doc: 'No new tasks below this free memory (MB)', parse: (t) => parseDouble(t, 0, Number.MAX_SAFE_INTEGER), default: () => 100 },
  { key: 'MaxTaskCount', prop: 'maxTaskCount', type: 'int 1–1024', defaultDoc: '10', doc: 'Tasks held at once', parse: (t) => parseInteger(t, 1, 1024), default: () => 10 },
  { key: 'LeaseInternval', aliases: ['LeaseInterval'], prop: 'leaseIntervalMs', type: 'TimeSpan', defaultDoc: '00:01:00', doc: 'Lease length of a held task', parse: positive, default: () => 60_000 },
  { key: 'TasksRootFolder', prop: 'tasksRootFolder', type: 'path', defaultDoc: '$XDG_STATE_HOME/scaleout/tasks', emptyIsDefault: true, doc: 'Per-task folders and logs', parse: parsePath, default: (c) => defaultPaths(c.env).tasksRootFolder },
  { key: 'TaskLogLevel', prop: 'taskLogLevel', type: 'bit flags 0–127', defaultDoc: '126', doc: 'Verbose 1, Information 2, Warning 4, Error 8, Progress 16, CriticalError 32, Audit 64', parse: parseTaskLogLevel, default: () => decodeTaskLogLevel(126) },
  { key: 'TaskLogSegment', prop: 'taskLogSegmentMs', type: 'TimeSpan', defaultDoc: '00:00:00', doc: 'Time covered by one task log file (0 = one file)', parse: (t, c) => parseDuration(t, c, true), default: () => 0 },
  { key: 'TaskLogEnabled', prop: 'taskLogEnabled', type: 'bool', defaultDoc: 'true', doc: 'Task logs on/off', parse: parseBoolean, default: () => true },
  { key: 'ExecutionLogCacheFolder', prop: 'executionLogCacheFolder', type: 'path', defaultDoc: '$XDG_STATE_HOME/scaleout/agent/elogcache', emptyIsDefault: true, doc: 'Execution logs waiting to be written to the catalog', parse: parsePath, default: (c) => defaultPaths(c.env).executionLogCacheFolder },
  { key: 'ExecutionLogMaxBufferLogCount', prop: 'executionLogMaxBufferLogCount', type: 'int ≥ 1', defaultDoc: '10000', doc: 'Log entries per in-memory buffer', parse: (t) => parseInteger(t, 1, 2 ** 31 - 1), default: () => 10_000 },
  { key: 'ExecutionLogMaxInMemoryBufferCount', prop: 'executionLogMaxInMemoryBufferCount', type: 'int ≥ 1', defaultDoc: '10', doc: 'In-memory buffers before spilling to disk', parse: (t) => parseInteger(t, 1, 2 ** 31 - 1), default: () => 10 },
  { key: 'ExecutionLogRetryCount', prop: 'executionLogRetryCount', type: 'int ≥ 0', defaultDoc: '3', doc: 'Retries when writing logs fails', parse: (t) => parseInteger(t, 0, 2 ** 31 - 1), default: () => 3 },
  { key: 'ExecutionLogRetryTimeout', prop: 'executionLogRetryTimeoutMs', type: 'TimeSpan', defaultDoc: '7.00:00:00', doc: 'Give up log retries after this long', parse: positive, default: () => 7 * 86_400_000 },
  { key: 'AgentId', prop: 'agentId', type: 'GUID', defaultDoc: 'generated, written back', emptyIsDefault: true, doc: "The worker's WorkerAgentId in the catalog", parse: parseGuid, default: () => randomUUID() },
  { key: 'CertificateStoreRoot', prop: 'certificateStoreRoot', type: 'path', defaultDoc: '$XDG_STATE_HOME/scaleout/certs', emptyIsDefault: true, extension: true, doc: 'Folder of the certificate stores (<root>/<StoreLocation>/<StoreName>/)', parse: parsePath, default: (c) => defaultPaths(c.env).certificateStoreRoot },
  { key: 'LogFolder', prop: 'logFolder', type: 'path', defaultDoc: '$XDG_STATE_HOME/scaleout/agent/logs', emptyIsDefault: true, extension: true, doc: "The worker service's own logs", parse: parsePath, default: (c) => defaultPaths(c.env).workerLogFolder },
  { key: 'DrainTimeout', prop: 'drainTimeoutMs', type: 'TimeSpan', defaultDoc: '00:05:00', extension: true, doc: 'On SIGTERM, how long running tasks may finish before they are canceled (ended unexpectedly; re-queued when retries remain)', parse: (t, c) => parseDuration(t, c, true), default: () => 300_000 },
  { key: 'MetricsPort', prop: 'metricsPort', type: 'int 0–65535', defaultDoc: 'empty (off)', emptyIsDefault: true, extension: true, doc: 'Port of GET /metrics (Prometheus) and GET /health over plain HTTP; 0 = any free port', parse: (t) => parseInteger(t, 0, 65535), default: () => undefined },
  { key: 'MetricsHost', prop: 'metricsHost', type: 'host', defaultDoc: '127.0.0.1', emptyIsDefault: true, extension: true, doc: 'Listen address of /metrics and /health (loopback unless set)', parse: (t) => { if (!/^[A-Za-z0-9.:_-]+$/.test(t.trim())) throw new SettingValueError('a host name or IP address'); return t.trim(); }, default: () => '127.0.0.1' },
];

export const WORKER_ENV_PREFIX = 'SCALEOUT_WORKER_';
const ROOT = 'WorkerSettings';

export interface WorkerSettingsResult {
  readonly settings: ResolvedWorkerSettings;
  /** Unknown keys and doubtful values, each naming file and line or variable. */
  readonly warnings: readonly string[];
  /** Set when `AgentId` was missing and a new one was generated. */
  readonly agentIdGenerated: boolean;
  /** Set when that new `AgentId` was written into the file. */
  readonly agentIdWritten: boolean;
}

export interface LoadWorkerSettingsOptions {
  /** Environment for `SCALEOUT_WORKER_<Key>` overrides and XDG folders. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Write a generated `AgentId` back into the file. @default true */
  readonly writeBackAgentId?: boolean;
}

function finish(record: Record<string, unknown>, warnings: string[]): ResolvedWorkerSettings {
  const s = record as unknown as ResolvedWorkerSettings;
  if (s.taskHeartbeatIntervalMs >= s.leaseIntervalMs) {
    warnings.push(`TaskHeartbeatInterval (${formatTimeSpan(s.taskHeartbeatIntervalMs)}) is not shorter than LeaseInterval (${formatTimeSpan(s.leaseIntervalMs)}): leases will expire between heartbeats`);
  }
  return deepFreeze({ ...s });
}

/**
 * Reads WorkerSettings.config. A missing `AgentId` is generated and, unless `writeBackAgentId`
 * is false or the id came from the environment, inserted into the file (nothing else changes).
 * @throws SsoError SSO_ERR_CONFIG_INVALID naming file, line and key; SSO_ERR_CONFIG_IO.
 */
export function loadWorkerSettings(path: string, options: LoadWorkerSettingsOptions = {}): WorkerSettingsResult {
  const doc = readSettingsFile(path, ROOT);
  const env = options.env ?? process.env;
  const { record, gathered } = collectSettings(WORKER_SETTING_DEFS, {
    file: { path, entries: doc.entries }, env, envPrefix: WORKER_ENV_PREFIX, baseDir: dirname(resolve(path)),
  });
  const agentIdGiven = gathered.values.get('AgentId');
  const agentIdGenerated = agentIdGiven === undefined || agentIdGiven.text === '';
  let agentIdWritten = false;
  const settings = finish(record, gathered.warnings);
  if (agentIdGenerated && options.writeBackAgentId !== false) {
    writeFileAtomic(path, applySettingsChanges(doc, [['AgentId', settings.agentId]]));
    agentIdWritten = true;
  }
  return { settings, warnings: Object.freeze([...gathered.warnings]), agentIdGenerated, agentIdWritten };
}

/**
 * Resolves worker settings given as an object keyed by XML names (either spelling), e.g. from
 * a test or `scaleout up`. Relative paths are against `baseDir` (default: the current folder).
 */
export function resolveWorkerSettings(raw: RawSettingsObject, options: { env?: Readonly<Record<string, string | undefined>>; baseDir?: string } = {}): { settings: ResolvedWorkerSettings; warnings: readonly string[] } {
  const { record, gathered } = collectSettings(WORKER_SETTING_DEFS, {
    object: raw, env: options.env ?? {}, envPrefix: WORKER_ENV_PREFIX, baseDir: options.baseDir ?? process.cwd(),
  });
  const settings = finish(record, gathered.warnings);
  return { settings, warnings: Object.freeze([...gathered.warnings]) };
}

/**
 * Creates WorkerSettings.config with the given keys, or sets them in an existing file without
 * touching anything else. The result is validated first; nothing is written if it is invalid.
 */
export function writeWorkerSettings(path: string, partial: RawSettingsObject): void {
  writeSettings(path, partial, WORKER_SETTING_DEFS, ROOT, (doc) => collectSettings(WORKER_SETTING_DEFS, {
    file: { path, entries: doc.entries }, envPrefix: WORKER_ENV_PREFIX, baseDir: dirname(resolve(path)),
  }));
}
