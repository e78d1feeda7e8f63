/**
 * The data folder of `scaleout up` / `scaleout demo`: one master and one local worker with their
 * settings files, certificate stores (each side trusting the other), embedded catalog, admin login
 * and log/task folders, all under one directory with relative paths. The first run builds it in a
 * temporary sibling and renames it into place, so a failed first run leaves nothing half made.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { SsoError } from '../../actors/errors.ts';
import { writeMasterSettings } from '../../config/master-settings.ts';
import { writeWorkerSettings } from '../../config/worker-settings.ts';
import { CertStore } from '../tls/cert-store.ts';
import { createMasterCertificate, createWorkerCertificate } from '../tls/certificates.ts';
import { MASTER_TRUST_STORE, WORKER_TRUST_STORE } from '../tls/tls-options.ts';
import { DataFiles } from '../transport/api-client.ts';

/** The login `scaleout up` creates (same name as `scaleout sql` expects). */
export const ADMIN_LOGIN = 'admin';

/** Where everything lives inside a data folder (relative to it). */
export const DataLayout = {
  ...DataFiles,
  catalog: join('catalog', 'ssisdb.sqlite'),
  masterCerts: join('master', 'certs'),
  masterLogs: join('master', 'logs'),
  workerCerts: join('worker', 'certs'),
  workerLogs: join('worker', 'logs'),
  tasks: join('worker', 'tasks'),
  executionLogCache: join('worker', 'elogcache'),
  /** Written once the local worker has been enabled, so a later `up` never re-enables it. */
  workerEnabledMarker: join('worker', 'enabled-by-up'),
} as const;

export interface DataFolder {
  readonly dir: string;
  readonly masterConfig: string;
  readonly workerConfig: string;
  readonly catalogPath: string;
  readonly endpoint: string;
  /** The worker's AgentId. */
  readonly agentId: string;
  /** True on the run that created the folder. */
  readonly created: boolean;
  /** The admin password, only on the run that created it (it is printed once). */
  readonly newAdminPassword?: string;
  path(rel: string): string;
}

export interface EnsureDataFolderOptions {
  /** Master port for a new folder. @default a free port on this machine */
  readonly port?: number;
}

function isDataFolder(dir: string): boolean {
  return existsSync(join(dir, DataFiles.masterSettings)) && existsSync(join(dir, DataFiles.workerSettings));
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

function readAgentId(workerConfig: string): string {
  const m = /<AgentId>\s*([^<\s]+)\s*<\/AgentId>/i.exec(readFileSync(workerConfig, 'utf8'));
  if (!m) throw new SsoError('SSO_ERR_CONFIG_INVALID', `${workerConfig}: no AgentId (this data folder was not made by 'scaleout up')`, { where: workerConfig });
  return m[1]!.toLowerCase().replace(/[{}]/g, '');
}

function existing(dir: string): DataFolder {
  const path = (rel: string) => join(dir, rel);
  let endpoint: string;
  try { endpoint = readFileSync(path(DataFiles.endpoint), 'utf8').trim(); } catch (err) {
    throw new SsoError('SSO_ERR_CONFIG_IO', `${path(DataFiles.endpoint)} cannot be read: ${(err as Error).message}`, { where: path(DataFiles.endpoint) });
  }
  return {
    dir, created: false, endpoint, path,
    masterConfig: path(DataFiles.masterSettings), workerConfig: path(DataFiles.workerSettings), catalogPath: path(DataLayout.catalog),
    agentId: readAgentId(path(DataFiles.workerSettings)),
  };
}

/**
 * Returns the data folder at `dir`, creating it on the first run: certificates (master server cert
 * with SANs for this host name, localhost, 127.0.0.1, ::1 and the machine's addresses; a worker
 * client cert; each installed in the other side's Root store), both settings files, the catalog and
 * an admin login whose password is kept in `admin-password` (0600). A second run reuses it all.
 */
export async function ensureDataFolder(dirInput: string, options: EnsureDataFolderOptions = {}): Promise<DataFolder> {
  const dir = resolve(dirInput);
  if (isDataFolder(dir)) return existing(dir);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new SsoError('SSO_ERR_CONFIG_IO', `--data ${dir} is a file, not a folder`, { where: dir });
    if (readdirSync(dir).length > 0) throw new SsoError('SSO_ERR_CONFIG_IO', `--data ${dir} exists and is not a scaleout data folder (no ${DataFiles.masterSettings}); give an empty or new folder`, { where: dir });
  }
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = join(dirname(dir), `.${basename(dir)}.creating-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(tmp, { mode: 0o700 });
  const at = (rel: string) => join(tmp, rel);
  try {
    const port = options.port ?? await freePort();
    const endpoint = `https://localhost:${port}`;
    const masterStore = new CertStore(at(DataLayout.masterCerts));
    const workerStore = new CertStore(at(DataLayout.workerCerts));
    const masterCert = createMasterCertificate();
    const workerCert = createWorkerCertificate();
    masterStore.install(masterCert.certPem, MASTER_TRUST_STORE, masterCert.keyPem);
    masterStore.install(workerCert.certPem, MASTER_TRUST_STORE);
    workerStore.install(workerCert.certPem, { location: 'LocalMachine', name: 'My' }, workerCert.keyPem);
    workerStore.install(masterCert.certPem, WORKER_TRUST_STORE);
    writeFileSync(at(DataFiles.masterCertificate), masterCert.certPem);
    writeFileSync(at(DataFiles.endpoint), `${endpoint}\n`);
    const agentId = randomUUID();
    writeMasterSettings(at(DataFiles.masterSettings), {
      PortNumber: String(port),
      SSLCertThumbprint: masterCert.thumbprint,
      CatalogPath: DataLayout.catalog,
      CertificateStoreRoot: DataLayout.masterCerts,
      LogFolder: DataLayout.masterLogs,
    });
    writeWorkerSettings(at(DataFiles.workerSettings), {
      DisplayName: 'local worker',
      MasterEndpoint: endpoint,
      MasterHttpsCertThumbprint: masterCert.thumbprint,
      WorkerHttpsCertThumbprint: workerCert.thumbprint,
      StoreLocation: 'LocalMachine',
      StoreName: 'My',
      TasksRootFolder: DataLayout.tasks,
      ExecutionLogCacheFolder: DataLayout.executionLogCache,
      CertificateStoreRoot: DataLayout.workerCerts,
      LogFolder: DataLayout.workerLogs,
      AgentId: agentId,
    });
    mkdirSync(dirname(at(DataLayout.catalog)), { recursive: true, mode: 0o700 });
    const password = randomBytes(18).toString('base64url');
    const { openSqliteCatalog } = await import('../catalog/sqlite-catalog-store.ts');
    const store = await openSqliteCatalog({ path: at(DataLayout.catalog) });
    try {
      await store.createLogin(SYSTEM_PRINCIPAL, { name: ADMIN_LOGIN, password, roles: ['sysadmin', 'ssis_admin'] });
    } finally {
      await store.close();
    }
    writeFileSync(at(DataFiles.adminPassword), `${password}\n`, { mode: 0o600 });
    renameSync(tmp, dir);
    return { ...existing(dir), created: true, newAdminPassword: password };
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
