/**
 * The master service's entry point (`scaleout master --config …`, `scaleout up`): loads
 * MasterSettings.config, opens the catalog it names, the certificate stores and a JSON-lines log in
 * `LogFolder`, then starts `MasterService`. The caller owns signals; `stop()` is the graceful path.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { CatalogStore, Principal } from '../../actors/ports.ts';
import { SsoError, serializeError } from '../../actors/errors.ts';
import { loadMasterSettings } from '../../config/master-settings.ts';
import type { ResolvedMasterSettings } from '../../config/master-settings.ts';
import { readProjectArchive } from '../../executor/package/project-archive.ts';
import { CertStore } from '../tls/cert-store.ts';
import { masterServerTlsOptions, verifyAgentPeer } from '../tls/tls-options.ts';
import type { PeerCheck } from '../transport/master-server.ts';
import { executeTsql } from '../tsql/interpreter.ts';
import { openServiceLogger } from '../logging/service-logger.ts';
import { MasterService } from './master-service.ts';
import type { HubObserver } from './agent-hub.ts';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Enrolment } from '../viewer/enrolment.ts';

export const MASTER_VERSION = '0.1.0';
import { MasterMetrics, combineObservers } from './master-metrics.ts';

export interface StartMasterOptions {
  /** Environment for `SCALEOUT_MASTER_<Key>` overrides. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Listen address. @default '::' */
  readonly host?: string;
  /** A logger to use instead of `<LogFolder>/master.log` (tests). */
  readonly logger?: Logger;
  /** How often outside catalog changes are looked for. @default 100 */
  readonly catalogPollIntervalMs?: number;
  /** Hub lifecycle notifications (benchmarks, a live viewer). */
  readonly observer?: HubObserver;
  /** The address new workers use in the viewer's join command. @default https://<this host name>:<port> */
  readonly joinEndpoint?: string;
}

export interface RunningMaster {
  readonly service: MasterService;
  readonly settings: ResolvedMasterSettings;
  readonly port: number;
  /** The master's log file (undefined when a logger was given). */
  readonly logFile: string | undefined;
  readonly logger: Logger;
  /** The master's Prometheus registry (also served at GET /metrics). */
  readonly metrics: MasterMetrics;
  /** Graceful stop: workers told, reports in flight committed, catalog and log closed. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Opens the catalog of the settings: the embedded SQLite file at `CatalogPath`, or SQL Server when
 * `SqlServerName` is set and this build has the adapter (else a clear error naming the key).
 */
export async function openCatalog(settings: ResolvedMasterSettings, env: Readonly<Record<string, string | undefined>> = process.env): Promise<CatalogStore> {
  if (settings.catalogKind === 'sqlserver') {
    let mod: Record<string, unknown>;
    try {
      mod = await import(new URL('../catalog/mssql-catalog-store.ts', import.meta.url).href) as Record<string, unknown>;
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
      throw new SsoError('SSO_ERR_CONFIG_INVALID', `SqlServerName is '${settings.sqlServerName}', but this build has no SQL Server catalog adapter (runtime/catalog/mssql-catalog-store.ts): leave SqlServerName empty to use the embedded catalog at CatalogPath`, { where: 'SqlServerName', cause: err });
    }
    const open = mod['openMssqlCatalog'];
    if (typeof open !== 'function') throw new SsoError('SSO_ERR_CONFIG_INVALID', 'runtime/catalog/mssql-catalog-store.ts does not export openMssqlCatalog', { where: 'SqlServerName' });
    return await (open as (o: object) => Promise<CatalogStore>)({ server: settings.sqlServerName, connectionTimeoutMs: settings.sqlConnectionTimeoutMs, env });
  }
  try {
    mkdirSync(dirname(settings.catalogPath), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new SsoError('SSO_ERR_CATALOG_IO', `CatalogPath '${settings.catalogPath}': its folder cannot be created: ${(err as Error).message}`, { where: 'CatalogPath', cause: err });
  }
  const { openSqliteCatalog } = await import('../catalog/sqlite-catalog-store.ts');
  // SCALEOUT_CATALOG_THREAD=1: the catalog in a thread of its own (issue 15). Measured, it frees
  // the master's main thread (5.4 → 2.9 ms per execution with separate processes) but is not the
  // default: every call then crosses threads, groups commit smaller, and end to end the dispatch
  // was slower on the shared 2-core machine (README, Performance: "the catalog thread").
  return openSqliteCatalog({ path: settings.catalogPath, thread: process.env['SCALEOUT_CATALOG_THREAD'] === '1' });
}

/** Loads the settings file and starts the master; resolves once it listens. */
export async function startMaster(configPath: string, options: StartMasterOptions = {}): Promise<RunningMaster> {
  const { settings, warnings } = loadMasterSettings(configPath, { env: options.env ?? process.env });
  const certs = new CertStore(settings.certificateStoreRoot);
  // Certificates first: a wrong thumbprint is reported before anything is opened.
  const https = masterServerTlsOptions(settings, certs);
  const log = options.logger ? undefined : openServiceLogger(settings.logFolder, 'master', options.env ?? process.env);
  const logger = options.logger ?? log!.logger;
  for (const w of warnings) logger.warn({ configPath }, `settings: ${w}`);
  const metrics = new MasterMetrics();
  let store: CatalogStore;
  try {
    store = metrics.instrumentStore(await openCatalog(settings, options.env ?? process.env));
  } catch (err) {
    logger.error({ err: serializeError(err) }, 'cannot open the catalog');
    await log?.close();
    throw err;
  }
  const service = new MasterService({
    store, logger, port: settings.portNumber, ...(options.host ? { host: options.host } : {}),
    sslCertThumbprint: settings.sslCertThumbprint!,
    https,
    verifyAgentPeer: (_peer: PeerCertificate | null, socket: TLSSocket): PeerCheck => {
      const verdict = verifyAgentPeer(socket, certs);
      return verdict.ok ? { ok: true, thumbprint: verdict.thumbprint } : { ok: false, reason: verdict.reason };
    },
    readProjectArchive: (bytes) => readProjectArchive(bytes, 'uploaded project'),
    executeTsql: (text: string, caller: Principal) => executeTsql(text, { store, caller, serverName: 'scaleout' }),
    masterHeartbeatIntervalMs: settings.masterHeartbeatIntervalMs,
    dealWithExpiredTasksIntervalMs: settings.dealWithExpiredTasksIntervalMs,
    cleanupCompletedJobsIntervalMs: settings.cleanupCompletedJobsIntervalMs,
    catalogPollIntervalMs: options.catalogPollIntervalMs ?? settings.catalogPollIntervalMs,
    observer: combineObservers(metrics.observer, options.observer),
    metrics,
    viewer: {
      version: MASTER_VERSION, catalog: settings.catalogKind === 'sqlserver' ? `SQL Server ${settings.sqlServerName}` : settings.catalogPath,
      taskLogFolder: join(settings.logFolder, 'task-logs'),
      enrolment: new Enrolment({
        certs, masterCertPem: String(https.cert), masterThumbprint: settings.sslCertThumbprint!,
        endpoint: () => options.joinEndpoint ?? `https://${hostname()}:${port}`,
      }),
    },
  });
  metrics.bind({
    store,
    connectedAgents: () => service.hub.connectedAgents(),
    webSocketConnections: () => (service.server as unknown as { websocketServer?: { clients?: Set<unknown> } } | undefined)?.websocketServer?.clients?.size ?? 0,
  });
  let port = 0;
  try {
    ({ port } = await service.start());
  } catch (err) {
    logger.error({ err: serializeError(err) }, 'the master could not start');
    await service.close().catch(() => undefined);
    await log?.close();
    throw SsoError.is(err) ? err : new SsoError('SSO_ERR_CONFIG_INVALID', `the master could not listen on port ${settings.portNumber}: ${(err as Error).message}`, { where: 'PortNumber', cause: err });
  }
  let stopping: Promise<void> | undefined;
  return {
    service, settings, port, logFile: log?.file, logger, metrics,
    stop() {
      stopping ??= (async () => {
        try { await service.close(); } finally { await log?.close(); }
      })();
      return stopping;
    },
  };
}
