/**
 * A Scale Out of separate real processes for the fault suite (tests/faults/): one `scaleout master`
 * and N `scaleout worker` children, each with its own generated settings file, certificate store
 * (real mutual TLS: every worker certificate trusted by the master, the master certificate pinned by
 * every worker), folders and logs, on loopback; the embedded catalog is a real SQLite file that the
 * test reads on its own read-only connection. Every execution runs tests/fixtures/faults/
 * MarkerProject/Marker.dtsx with the real engine, which appends "start <tag> <ms>" and "end <tag>
 * <ms>" to a marker file: the test counts real runs there, whatever the catalog says.
 *
 * A worker can be pointed at a loopback TCP proxy the test controls (`tcp-proxy.ts`) instead of
 * the master's port. Nothing is shared with other tests; `stop()` kills what is left and removes it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { writeMasterSettings } from '../../config/master-settings.ts';
import { writeWorkerSettings } from '../../config/worker-settings.ts';
import { openSqliteCatalog } from '../../runtime/catalog/sqlite-catalog-store.ts';
import { CertStore } from '../../runtime/tls/cert-store.ts';
import { createMasterCertificate, createWorkerCertificate } from '../../runtime/tls/certificates.ts';
import { MASTER_TRUST_STORE, WORKER_TRUST_STORE } from '../../runtime/tls/tls-options.ts';
import { apiCall, DataFiles } from '../../runtime/transport/api-client.ts';
import type { ApiTarget } from '../../runtime/transport/api-client.ts';
import { runCli, spawnCli } from './cli-process.ts';
import type { CliChild } from './cli-process.ts';

export const MARKER_PROJECT = new URL('../fixtures/faults/MarkerProject', import.meta.url).pathname;
const READY_MS = 60_000;

export interface ClusterOptions {
  /** Worker processes. @default 2 */
  readonly workers?: number;
  /** Every worker's LeaseInternval, ms. @default 3000 */
  readonly leaseMs?: number;
  /** TaskHeartbeatInterval, ms. @default leaseMs / 4 */
  readonly taskHeartbeatMs?: number;
  /** MaxTaskCount of every worker. @default 4 */
  readonly maxTaskCount?: number;
  /** MaxTaskCount per worker index, overriding `maxTaskCount`. */
  readonly maxTaskCounts?: readonly number[];
  /** AgentHeartbeatInterval, ms. @default 2000 */
  readonly agentHeartbeatMs?: number;
  /** DealWithExpiredTasksIntervalInMs. @default 1000 */
  readonly sweepMs?: number;
  /**
   * A script to run each worker with instead of `scaleout worker` (benchmarks: a worker process
   * whose runs only hold), given `--config <file>`; it must print "Ready. Press Ctrl-C".
   */
  readonly workerScript?: string;
  /** Where the catalog file lives (a folder the test may make read-only or small). @default <dir>/catalog */
  readonly catalogFolder?: string;
  /** Extra environment per worker index (e.g. `SCALEOUT_SCRIPT_Mono` pointing nowhere: a worker without Mono). */
  readonly workerEnv?: readonly (NodeJS.ProcessEnv | undefined)[];
}

export interface WorkerProcess {
  readonly index: number;
  readonly agentId: string;
  readonly config: string;
  readonly folder: string;
  /** The master endpoint this worker uses (the master's port, or a proxy's). */
  endpointPort: number;
  child: CliChild | null;
}

export interface Submitted { readonly id: number; readonly tag: string }

export interface MarkerLine { readonly kind: 'start' | 'end'; readonly tag: string; readonly at: number }

export interface FaultCluster {
  readonly dir: string;
  readonly data: string;
  readonly catalogPath: string;
  readonly marker: string;
  readonly masterPort: number;
  readonly api: ApiTarget;
  readonly workers: readonly WorkerProcess[];
  master: CliChild | null;
  startMaster(): Promise<CliChild>;
  /** Starts worker `i` (pointed at `port`, default the master's) and waits until the master has it enabled and connected. */
  startWorker(i: number, port?: number): Promise<CliChild>;
  /**
   * Runs one short execution per slot of the enabled workers and waits for them: each worker's
   * pool threads (which load the engine, seconds of CPU each on a loaded machine) are started
   * before the case itself, so that its runs start promptly. Marker lines are tagged `warm…`.
   */
  warmUp(slots: number): Promise<void>;
  /** T-SQL through the master's REST API (`POST /api/v1/sql`) as the admin login. */
  sql(text: string): Promise<unknown>;
  /** Deploys MarkerProject into folder Faults (once). */
  deploy(): Promise<void>;
  /** Starts `count` executions over REST, each holding `seconds`; in parallel batches of `parallel`. */
  submit(count: number, options?: { seconds?: number; tailSeconds?: number; retryCount?: number; parallel?: number; workers?: readonly string[] }): Promise<Submitted[]>;
  /** One query on a fresh read-only connection to the catalog file. */
  query<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[];
  /** Waits (bounded) until `probe` returns a value that is not false/undefined. */
  waitFor<T>(what: string, probe: () => T | false | undefined | Promise<T | false | undefined>, timeoutMs: number): Promise<T>;
  /** Waits until every execution has a final status; resolves with id → status. */
  waitEnded(ids: readonly number[], timeoutMs: number): Promise<Map<number, number>>;
  markerLines(): MarkerLine[];
  /** The text of worker i's log file and the master's (for diagnostics and warnings). */
  workerLog(i: number): string;
  /** SIGSTOP / SIGCONT of worker i's process (a paused machine, a long GC, a frozen VM). */
  pause(i: number): void;
  resume(i: number): void;
  /** Status of the one task of execution `id`, and its attempt. */
  task(id: number): { Status: number; ExecutedCount: number; WorkerAgentId: string | null } | undefined;
  /** Status of operation `id`. */
  status(id: number): number | undefined;
  masterLog(): string;
  stop(): Promise<void>;
}

const FINAL = new Set([3, 4, 6, 7, 9]);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function ms(n: number): string {
  const total = Math.max(1, Math.round(n));
  const h = Math.floor(total / 3_600_000), m = Math.floor(total / 60_000) % 60, s = Math.floor(total / 1000) % 60, f = total % 1000;
  const two = (x: number) => String(x).padStart(2, '0');
  return `${two(h)}:${two(m)}:${two(s)}${f > 0 ? `.${String(f).padStart(3, '0')}` : ''}`;
}

export async function startCluster(options: ClusterOptions = {}): Promise<FaultCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'scaleout-faults-'));
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true });
  const leaseMs = options.leaseMs ?? 3_000;
  const masterPort = await freePort();
  const catalogFolder = options.catalogFolder ?? join(dir, 'catalog');
  mkdirSync(catalogFolder, { recursive: true });
  const catalogPath = join(catalogFolder, 'ssisdb.sqlite');
  const marker = join(dir, 'marker.txt');
  writeFileSync(marker, '');

  // Certificates: the master's (SAN localhost) and one per worker, each trusted by the other side.
  const masterStore = new CertStore(join(dir, 'master', 'certs'));
  const masterCert = createMasterCertificate();
  masterStore.install(masterCert.certPem, MASTER_TRUST_STORE, masterCert.keyPem);
  const masterConfig = join(dir, 'master', 'MasterSettings.config');
  writeMasterSettings(masterConfig, {
    PortNumber: String(masterPort), SSLCertThumbprint: masterCert.thumbprint, CatalogPath: catalogPath,
    CertificateStoreRoot: join(dir, 'master', 'certs'), LogFolder: join(dir, 'master', 'logs'),
    DealWithExpiredTasksIntervalInMs: String(options.sweepMs ?? 1_000), MasterHeartbeatIntervalInMs: '5000',
  });
  const workers: WorkerProcess[] = [];
  for (let i = 0; i < (options.workers ?? 2); i++) {
    const folder = join(dir, `worker-${i}`);
    const store = new CertStore(join(folder, 'certs'));
    const cert = createWorkerCertificate();
    masterStore.install(cert.certPem, MASTER_TRUST_STORE);
    store.install(cert.certPem, { location: 'LocalMachine', name: 'My' }, cert.keyPem);
    store.install(masterCert.certPem, WORKER_TRUST_STORE);
    const agentId = randomUUID();
    const config = join(folder, 'WorkerSettings.config');
    workers.push({ index: i, agentId, config, folder, endpointPort: masterPort, child: null });
    writeWorkerSettings(config, {
      DisplayName: `fault worker ${i}`, MasterEndpoint: `https://localhost:${masterPort}`,
      MasterHttpsCertThumbprint: masterCert.thumbprint, WorkerHttpsCertThumbprint: cert.thumbprint,
      StoreLocation: 'LocalMachine', StoreName: 'My', TasksRootFolder: join(folder, 'tasks'),
      ExecutionLogCacheFolder: join(folder, 'elogcache'), CertificateStoreRoot: join(folder, 'certs'), LogFolder: join(folder, 'logs'),
      AgentId: agentId, MaxTaskCount: String(options.maxTaskCounts?.[i] ?? options.maxTaskCount ?? 4), LeaseInternval: ms(leaseMs),
      TaskHeartbeatInterval: ms(options.taskHeartbeatMs ?? leaseMs / 4), AgentHeartbeatInterval: ms(options.agentHeartbeatMs ?? 2_000),
      HeartbeatErrorTollerance: '00:05:00', TaskRequestMaxCPU: '100', TaskRequestMinMemory: '0',
    });
  }
  // The catalog with an admin login, and the files `scaleout deploy --data` reads.
  const password = randomBytes(18).toString('base64url');
  const store = await openSqliteCatalog({ path: catalogPath });
  try {
    await store.createLogin(SYSTEM_PRINCIPAL, { name: 'admin', password, roles: ['sysadmin', 'ssis_admin'] });
  } finally {
    await store.close();
  }
  writeFileSync(join(data, DataFiles.endpoint), `https://localhost:${masterPort}\n`);
  writeFileSync(join(data, DataFiles.adminPassword), password, { mode: 0o600 });
  writeFileSync(join(data, DataFiles.masterCertificate), masterCert.certPem);
  const api: ApiTarget = { endpoint: `https://localhost:${masterPort}`, user: 'admin', password, ca: masterCert.certPem + '\n' };

  const readLog = (folder: string, name: string): string => {
    const f = join(folder, 'logs', `${name}.log`);
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  };
  let deployed = false;
  let seq = 0;
  const c: FaultCluster = {
    dir, data, catalogPath, marker, masterPort, api, workers, master: null,
    async startMaster() {
      const m = spawnCli(['master', '--config', masterConfig, '--host', '127.0.0.1']);
      c.master = m;
      await m.waitFor(/Ready\. Press Ctrl-C/, READY_MS);
      return m;
    },
    async startWorker(i, port) {
      const w = workers[i]!;
      if (port !== undefined && port !== w.endpointPort) {
        w.endpointPort = port;
        const text = readFileSync(w.config, 'utf8').replace(/https:\/\/localhost:\d+/, `https://localhost:${port}`);
        writeFileSync(w.config, text);
      }
      const env = options.workerEnv?.[i] ?? {};
      const child = options.workerScript ? spawnCli(['--config', w.config], env, options.workerScript) : spawnCli(['worker', '--config', w.config], env);
      w.child = child;
      await child.waitFor(/Ready\. Press Ctrl-C/, READY_MS);
      await c.waitFor(`worker ${i} registered`, () => c.query('SELECT 1 FROM worker_agents WHERE WorkerAgentId = ?', w.agentId).length > 0, READY_MS);
      const enabled = c.query<{ IsEnabled: number }>('SELECT IsEnabled FROM worker_agents WHERE WorkerAgentId = ?', w.agentId)[0]?.IsEnabled;
      if (!enabled) await apiCall(api, 'POST', '/api/v1/sql', { text: `EXEC [catalog].[enable_worker_agent] @WorkerAgentId = N'${w.agentId}'` });
      // Connected and told it is enabled (its log says so).
      await c.waitFor(`worker ${i} enabled`, () => /enabled by the master|"enabled":true/.test(c.workerLog(i)), READY_MS);
      return child;
    },
    sql: (text) => apiCall(api, 'POST', '/api/v1/sql', { text }),
    async warmUp(slots) {
      // Retries: on a starved machine a thread's first start can outlast a short lease.
      const runs = await c.submit(slots, { seconds: 1, parallel: slots, retryCount: 3 });
      await c.waitEnded(runs.map((r) => r.id), 180_000);
    },
    async deploy() {
      if (deployed) return;
      const r = await runCli(['deploy', MARKER_PROJECT, '--folder', 'Faults', '--project', 'MarkerProject', '--data', data]);
      if (r.code !== 0) throw new Error(`deploy failed: ${r.stdout}${r.stderr}`);
      deployed = true;
    },
    async submit(count, o = {}) {
      await c.deploy();
      const out: Submitted[] = [];
      const parallel = o.parallel ?? 10;
      for (let i = 0; i < count; i += parallel) {
        const batch = Array.from({ length: Math.min(parallel, count - i) }, () => `t${++seq}-${randomBytes(3).toString('hex')}`);
        const ids = await Promise.all(batch.map((tag) => apiCall<{ executionId: number }>(api, 'POST', '/api/v1/executions', {
          folder: 'Faults', project: 'MarkerProject', package: 'Marker.dtsx', retryCount: o.retryCount ?? 0,
          ...(o.workers ? { workers: o.workers, useAnyWorker: false } : {}),
          parameters: [
            { objectType: 30, name: 'Tag', value: tag },
            { objectType: 30, name: 'Marker', value: marker },
            { objectType: 30, name: 'Seconds', value: String(o.seconds ?? 0) },
            { objectType: 30, name: 'TailSeconds', value: String(o.tailSeconds ?? 0) },
          ],
        })));
        ids.forEach((r, k) => out.push({ id: r.executionId, tag: batch[k]! }));
      }
      return out;
    },
    query<T>(sql: string, ...params: unknown[]): T[] {
      const db = new Database(catalogPath, { readonly: true, fileMustExist: true, timeout: 10_000 });
      try { return db.prepare(sql).all(...params) as T[]; } finally { db.close(); }
    },
    async waitFor(what, probe, timeoutMs) {
      const end = Date.now() + timeoutMs;
      let lastError: unknown;
      for (;;) {
        try {
          const v = await probe();
          if (v !== undefined && v !== false) return v as never;
        } catch (err) { lastError = err; }
        if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async waitEnded(ids, timeoutMs) {
      const wanted = new Set(ids);
      return c.waitFor(`${ids.length} executions to end`, () => {
        const rows = c.query<{ operation_id: number; status: number }>('SELECT operation_id, status FROM operations WHERE operation_type = 200');
        const got = new Map<number, number>();
        for (const r of rows) if (wanted.has(r.operation_id)) got.set(r.operation_id, r.status);
        return [...wanted].every((id) => FINAL.has(got.get(id) ?? 0)) ? got : false;
      }, timeoutMs);
    },
    markerLines() {
      return readFileSync(marker, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => {
        const [kind, tag, at] = l.trim().split(/\s+/);
        return { kind: kind as 'start' | 'end', tag: tag!, at: Number(at) };
      });
    },
    workerLog: (i) => readLog(workers[i]!.folder, 'worker'),
    pause: (i) => { workers[i]!.child!.child.kill('SIGSTOP'); },
    resume: (i) => { workers[i]!.child!.child.kill('SIGCONT'); },
    task: (id) => c.query<{ Status: number; ExecutedCount: number; WorkerAgentId: string | null }>(
      'SELECT t.Status, t.ExecutedCount, t.WorkerAgentId FROM tasks t JOIN executions e ON e.job_id = t.JobId WHERE e.execution_id = ?', id)[0],
    status: (id) => c.query<{ status: number }>('SELECT status FROM operations WHERE operation_id = ?', id)[0]?.status,
    masterLog: () => readLog(join(dir, 'master'), 'master'),
    async stop() {
      const all = [c.master, ...workers.map((w) => w.child)].filter((p): p is CliChild => p !== null);
      for (const p of all) { try { p.child.kill('SIGCONT'); } catch { /* gone */ } }
      await Promise.allSettled(all.map((p) => p.stop('SIGKILL', 10_000)));
      // SCALEOUT_KEEP_FAULTS=1 keeps the folder (logs, catalog, marker) for a look after a failure.
      if (process.env['SCALEOUT_KEEP_FAULTS'] === '1') process.stdout.write(`\nfault cluster kept in ${dir}\n`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
  return c;
}

/** Counts of marker lines per tag. */
export function runsByTag(lines: readonly MarkerLine[]): Map<string, { starts: number; ends: number }> {
  const m = new Map<string, { starts: number; ends: number }>();
  for (const l of lines) {
    const e = m.get(l.tag) ?? { starts: 0, ends: 0 };
    if (l.kind === 'start') e.starts++; else e.ends++;
    m.set(l.tag, e);
  }
  return m;
}
