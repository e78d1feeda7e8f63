/**
 * MasterSettings.config: every key of SSIS Scale Out Master's settings file (reference §2.1), the
 * 2016 `InstanceName` beside `SqlServerName`, and our keys for the embedded catalog, certificate
 * store and logs, in one defaults table. `loadMasterSettings` reads a file, applies
 * `SCALEOUT_MASTER_<Key>` overrides, validates, and returns a frozen object with durations in ms.
 */
import { dirname, resolve } from 'node:path';
import { SsoError } from '../actors/errors.ts';
import { defaultPaths } from './default-paths.ts';
import { readSettingsFile } from './settings-file.ts';
import { collectSettings, deepFreeze } from './settings-resolver.ts';
import type { Gathered, RawSettingsObject, SettingDef } from './settings-resolver.ts';
import { parseInteger, parsePath, parseThumbprint } from './setting-values.ts';
import { DEFAULT_MASTER_PORT } from './worker-settings.ts';
import { writeSettings } from './settings-writer.ts';

/** A resolved, frozen MasterSettings.config. */
export interface ResolvedMasterSettings {
  /** `PortNumber`: https port the workers connect to. @default 8391 */
  readonly portNumber: number;
  /** `SSLCertThumbprint`: the master's server certificate (40 upper-case hex). @default undefined (set at install) */
  readonly sslCertThumbprint: string | undefined;
  /**
   * `SqlServerName` (or the 2016 `InstanceName`): SQL Server holding SSISDB, e.g. `server\instance`,
   * `listener,port`. `undefined` means the embedded SQLite catalog at `catalogPath`. @default undefined
   */
  readonly sqlServerName: string | undefined;
  /** Which catalog the master uses, from `sqlServerName`. */
  readonly catalogKind: 'sqlite' | 'sqlserver';
  /** `CatalogPath` (ours): file of the embedded catalog. @default $XDG_DATA_HOME/scaleout/catalog/ssisdb.sqlite */
  readonly catalogPath: string;
  /** `CleanupCompletedJobsIntervalInMs`. @default 43200000 (12 h) */
  readonly cleanupCompletedJobsIntervalMs: number;
  /** `DealWithExpiredTasksIntervalInMs`: how often lease-lost tasks are handled. @default 300000 (5 min) */
  readonly dealWithExpiredTasksIntervalMs: number;
  /** `MasterHeartbeatIntervalInMs`: how often the master stamps its online time. @default 30000 */
  readonly masterHeartbeatIntervalMs: number;
  /**
   * `CatalogPollIntervalInMs` (ours): how often the master looks for changes another process committed to the
   * catalog (an execution started or a worker enabled by T-SQL). @default 100
   */
  readonly catalogPollIntervalMs: number;
  /** `SqlConnectionTimeoutInSecs`, in ms; 0 waits for ever (as SqlClient). @default 15000 */
  readonly sqlConnectionTimeoutMs: number;
  /** `CertificateStoreRoot` (ours): folder of the certificate stores. @default $XDG_STATE_HOME/scaleout/certs */
  readonly certificateStoreRoot: string;
  /** `LogFolder` (ours): the master service's own logs. @default $XDG_STATE_HOME/scaleout/master/logs */
  readonly logFolder: string;
}

/** Properties resolved straight from one key each (the derived `catalogKind` is not). */
type MasterProp = Exclude<keyof ResolvedMasterSettings, 'catalogKind'> | 'instanceName';
type Def = SettingDef<MasterProp>;
const INT_MAX = 2 ** 31 - 1;

/** Every key of MasterSettings.config. The one defaults table. */
export const MASTER_SETTING_DEFS: readonly Def[] = [
  { key: 'PortNumber', prop: 'portNumber', type: 'int 1–65535', defaultDoc: '8391', doc: 'https port that workers connect to', parse: (t) => parseInteger(t, 1, 65535), default: () => DEFAULT_MASTER_PORT },
  { key: 'SSLCertThumbprint', prop: 'sslCertThumbprint', type: 'thumbprint', defaultDoc: 'none (set at install)', emptyIsDefault: true, doc: "Master's server certificate, looked up in <CertificateStoreRoot>/LocalMachine/Root", parse: parseThumbprint, default: () => undefined },
  { key: 'SqlServerName', prop: 'sqlServerName', type: 'string', defaultDoc: 'empty = embedded catalog', emptyIsDefault: true, doc: 'SQL Server holding SSISDB (server\\instance, listener,port); empty = the embedded SQLite catalog', parse: (t) => t, default: () => undefined },
  { key: 'InstanceName', prop: 'instanceName', type: 'string', defaultDoc: 'empty', emptyIsDefault: true, doc: 'SQL Server 2016 form: a local instance name; MSSQLSERVER = the default instance (localhost)', parse: (t) => t, default: () => undefined },
  { key: 'CatalogPath', prop: 'catalogPath', type: 'path', defaultDoc: '$XDG_DATA_HOME/scaleout/catalog/ssisdb.sqlite', emptyIsDefault: true, extension: true, doc: 'File of the embedded catalog (used when SqlServerName is empty)', parse: parsePath, default: (c) => defaultPaths(c.env).catalogPath },
  { key: 'CleanupCompletedJobsIntervalInMs', prop: 'cleanupCompletedJobsIntervalMs', type: 'int ms', defaultDoc: '43200000', doc: 'How often completed jobs are cleaned up', parse: (t) => parseInteger(t, 1, INT_MAX), default: () => 43_200_000 },
  { key: 'DealWithExpiredTasksIntervalInMs', prop: 'dealWithExpiredTasksIntervalMs', type: 'int ms', defaultDoc: '300000', doc: 'How often expired (lease-lost) tasks are handled', parse: (t) => parseInteger(t, 1, INT_MAX), default: () => 300_000 },
  { key: 'CatalogPollIntervalInMs', prop: 'catalogPollIntervalMs', type: 'int ms', defaultDoc: '100', extension: true, doc: 'How often the master looks for catalog changes made by other processes (T-SQL clients)', parse: (t) => parseInteger(t, 10, 60_000), default: () => 100 },
  { key: 'MasterHeartbeatIntervalInMs', prop: 'masterHeartbeatIntervalMs', type: 'int ms', defaultDoc: '30000', doc: 'How often the master stamps its online time', parse: (t) => parseInteger(t, 1, INT_MAX), default: () => 30_000 },
  { key: 'SqlConnectionTimeoutInSecs', prop: 'sqlConnectionTimeoutMs', type: 'int s', defaultDoc: '15', doc: 'SQL connect timeout to SSISDB (0 = wait for ever)', parse: (t) => parseInteger(t, 0, 2_147_483) * 1000, default: () => 15_000 },
  { key: 'CertificateStoreRoot', prop: 'certificateStoreRoot', type: 'path', defaultDoc: '$XDG_STATE_HOME/scaleout/certs', emptyIsDefault: true, extension: true, doc: 'Folder of the certificate stores (<root>/<StoreLocation>/<StoreName>/)', parse: parsePath, default: (c) => defaultPaths(c.env).certificateStoreRoot },
  { key: 'LogFolder', prop: 'logFolder', type: 'path', defaultDoc: '$XDG_STATE_HOME/scaleout/master/logs', emptyIsDefault: true, extension: true, doc: "The master service's own logs", parse: parsePath, default: (c) => defaultPaths(c.env).masterLogFolder },
];

export const MASTER_ENV_PREFIX = 'SCALEOUT_MASTER_';
const ROOT = 'MasterSettings';

/** `InstanceName` → server name: `MSSQLSERVER` is the default instance. */
function serverOfInstance(instance: string): string {
  return instance.toUpperCase() === 'MSSQLSERVER' ? 'localhost' : `localhost\\${instance}`;
}

function finish(record: Record<string, unknown>, gathered: Gathered, source: string): ResolvedMasterSettings {
  const { instanceName, ...rest } = record as Record<string, unknown> & { instanceName: string | undefined; sqlServerName: string | undefined };
  let sqlServerName = rest.sqlServerName;
  if (instanceName !== undefined) {
    const fromInstance = serverOfInstance(instanceName);
    if (sqlServerName !== undefined && sqlServerName.toLowerCase() !== fromInstance.toLowerCase()) {
      const where = gathered.values.get('InstanceName')?.where ?? source;
      throw new SsoError('SSO_ERR_CONFIG_INVALID', `${where}: InstanceName '${instanceName}' (= ${fromInstance}) conflicts with SqlServerName '${sqlServerName}'; give one (SqlServerName is the current key)`, { where });
    }
    sqlServerName ??= fromInstance;
  }
  return deepFreeze({
    ...(rest as unknown as Omit<ResolvedMasterSettings, 'catalogKind' | 'sqlServerName'>),
    sqlServerName,
    catalogKind: sqlServerName === undefined ? 'sqlite' : 'sqlserver',
  });
}

export interface MasterSettingsResult {
  readonly settings: ResolvedMasterSettings;
  /** Unknown keys and doubtful values, each naming file and line or variable. */
  readonly warnings: readonly string[];
}

/**
 * Reads MasterSettings.config and applies `SCALEOUT_MASTER_<Key>` overrides.
 * @throws SsoError SSO_ERR_CONFIG_INVALID naming file, line and key; SSO_ERR_CONFIG_IO.
 */
export function loadMasterSettings(path: string, options: { env?: Readonly<Record<string, string | undefined>> } = {}): MasterSettingsResult {
  const doc = readSettingsFile(path, ROOT);
  const { record, gathered } = collectSettings(MASTER_SETTING_DEFS, {
    file: { path, entries: doc.entries }, env: options.env ?? process.env, envPrefix: MASTER_ENV_PREFIX, baseDir: dirname(resolve(path)),
  });
  return { settings: finish(record, gathered, path), warnings: Object.freeze([...gathered.warnings]) };
}

/** Resolves master settings given as an object keyed by XML names. */
export function resolveMasterSettings(raw: RawSettingsObject, options: { env?: Readonly<Record<string, string | undefined>>; baseDir?: string } = {}): MasterSettingsResult {
  const { record, gathered } = collectSettings(MASTER_SETTING_DEFS, {
    object: raw, env: options.env ?? {}, envPrefix: MASTER_ENV_PREFIX, baseDir: options.baseDir ?? process.cwd(),
  });
  return { settings: finish(record, gathered, 'settings'), warnings: Object.freeze([...gathered.warnings]) };
}

/** Creates MasterSettings.config, or sets keys in an existing one; validated before writing. */
export function writeMasterSettings(path: string, partial: RawSettingsObject): void {
  writeSettings(path, partial, MASTER_SETTING_DEFS, ROOT, (doc) => {
    const { record, gathered } = collectSettings(MASTER_SETTING_DEFS, { file: { path, entries: doc.entries }, envPrefix: MASTER_ENV_PREFIX, baseDir: dirname(resolve(path)) });
    finish(record, gathered, path);
  });
}
