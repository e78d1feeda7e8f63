/**
 * One master and N workers in this process over real TLS sockets on 127.0.0.1, a real SQLite
 * catalog file and real Piscina threads (running a parameter-driven fixture instead of the engine).
 * Everything lives under one temp folder and `stop()` closes it all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { openSqliteCatalog } from '../../runtime/catalog/sqlite-catalog-store.ts';
import type { SqliteCatalogStore } from '../../runtime/catalog/sqlite-catalog-store.ts';
import { MasterService } from '../../runtime/master/master-service.ts';
import type { MasterServiceOptions } from '../../runtime/master/master-service.ts';
import type { CertStore } from '../../runtime/tls/cert-store.ts';
import { MASTER_TRUST_STORE } from '../../runtime/tls/tls-options.ts';
import { AgentService } from '../../runtime/agent/agent-service.ts';
import type { AgentServiceOptions } from '../../runtime/agent/agent-service.ts';
import { TaskPool } from '../../executor/pool/task-pool.ts';
import { readProjectArchive, readProjectFolder } from '../../executor/package/project-archive.ts';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { startExecution } from '../../runtime/transport/master-server.ts';
import type { StartExecutionBody } from '../../runtime/transport/master-server.ts';
import { makeCert, pinMaster, trustThumbprints } from './test-certs.ts';
import type { TestCert } from './test-certs.ts';

const RUNNER = new URL('../fixtures/runtime/param-runner.ts', import.meta.url);
export const TEST_PROJECT_DIR = new URL('../fixtures/runtime/TestProject', import.meta.url).pathname;

export interface Harness {
  readonly dir: string;
  readonly store: SqliteCatalogStore;
  readonly master: MasterService;
  readonly logLines: string[];
  readonly masterCert: TestCert;
  /** Starts a worker agent; its client certificate is trusted unless `options.cert` is given. */
  addWorker(options?: WorkerOptions): Promise<{ agent: AgentService; agentId: string; cert: TestCert }>;
  /** Starts an execution of TestProject/Param.dtsx as the API does. */
  run(body?: Partial<StartExecutionBody>): Promise<number>;
  waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs?: number): Promise<T>;
  operationStatus(id: number): Promise<number | null>;
  stop(): Promise<void>;
}

export interface WorkerOptions {
  maxTaskCount?: number;
  /** The worker's LeaseInternval (ms), sent in its hello. */
  leaseIntervalMs?: number;
  cert?: TestCert;
  pin?: string;
  onRunChange?: (n: number) => void;
  /** The worker's ExecutionLogCacheFolder (reuse one to simulate a restart). */
  journalFolder?: string;
  agentId?: string;
  taskLog?: AgentServiceOptions['taskLog'];
  tasksRootFolder?: string;
  taskHeartbeatIntervalMs?: number;
}

export interface HarnessOptions {
  trustedWorkers?: TestCert[];
  leaseMs?: number;
  sweepIntervalMs?: number;
  /** Worker certificates installed here (LocalMachine/Root) are trusted too (enrolment tests). */
  trustStore?: CertStore;
  /** The master's viewer options (task log folder, enrolment), or a function of the master certificate. */
  viewer?: MasterServiceOptions['viewer'] | ((masterCert: TestCert) => MasterServiceOptions['viewer']);
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'scaleout-rt-'));
  const logLines: string[] = [];
  const logger: Logger = pino({ level: 'info' }, new Writable({ write(c, _e, cb) { logLines.push(String(c)); cb(); } }));
  const store = await openSqliteCatalog({ path: join(dir, 'ssisdb.sqlite') });
  const masterCert = makeCert('localhost', { server: true });
  const workerCerts: TestCert[] = [...(options.trustedWorkers ?? [])];
  const trusted = () => workerCerts.map((c) => c.thumbprint);
  const master = new MasterService({
    store, logger, port: 0, host: '127.0.0.1', sslCertThumbprint: masterCert.thumbprint,
    https: { key: masterCert.key, cert: masterCert.cert, requestCert: true, rejectUnauthorized: false },
    verifyAgentPeer: (peer) => trustThumbprints([...trusted(), ...(options.trustStore?.list(MASTER_TRUST_STORE).map((c) => c.thumbprint) ?? [])])(peer),
    ...(options.viewer ? { viewer: typeof options.viewer === 'function' ? options.viewer(masterCert) : options.viewer } : {}),
    readProjectArchive: (b) => readProjectArchive(b),
    masterHeartbeatIntervalMs: 30_000, dealWithExpiredTasksIntervalMs: options.sweepIntervalMs ?? 1_000, cleanupCompletedJobsIntervalMs: 3_600_000,
    catalogPollIntervalMs: 50, leaseMs: options.leaseMs ?? 30_000,
  });
  const { port } = await master.start();
  await store.createFolder(SYSTEM_PRINCIPAL, { folderName: 'Tests' });
  await store.deployProject(SYSTEM_PRINCIPAL, { folderName: 'Tests', projectName: 'TestProject', project: await readProjectFolder(TEST_PROJECT_DIR) });
  const agents: AgentService[] = [];
  const pools: TaskPool[] = [];
  const h: Harness = {
    dir, store, master, logLines, masterCert,
    async addWorker(o = {}) {
      const cert = o.cert ?? makeCert(`worker-${agents.length}`);
      if (!o.cert) workerCerts.push(cert);
      const maxTaskCount = o.maxTaskCount ?? 4;
      const pool = new TaskPool({ maxThreads: maxTaskCount, minThreads: 0, cancelGraceMs: 2_000, closeTimeoutMs: 5_000 });
      pools.push(pool);
      const agentId = o.agentId ?? randomUUID();
      const agent = new AgentService({
        agentId, masterEndpoint: `https://localhost:${port}`,
        tls: { cert: cert.cert, key: cert.key, ca: masterCert.cert, checkServerIdentity: pinMaster(o.pin ?? masterCert.thumbprint) },
        runner: { run: (req, ro) => pool.run(req, { ...ro, runner: RUNNER }), close: () => pool.close() },
        logger, maxTaskCount, ...(o.leaseIntervalMs === undefined ? {} : { leaseIntervalMs: o.leaseIntervalMs }), agentHeartbeatIntervalMs: 60_000, taskHeartbeatIntervalMs: o.taskHeartbeatIntervalMs ?? 500, heartbeatErrorToleranceMs: 60_000,
        taskRequestMaxCpu: 100, taskRequestMinMemoryMb: 0, tasksRootFolder: o.tasksRootFolder ?? join(dir, 'tasks'), projectCacheFolder: join(dir, 'projects'),
        reconnectMinMs: 100, reconnectMaxMs: 500, drainTimeoutMs: 2_000, journal: { folder: o.journalFolder ?? join(dir, `elogcache-${agents.length}`), flushIntervalMs: 200 },
        ...(o.taskLog ? { taskLog: o.taskLog } : {}), ...(o.onRunChange ? { onRunChange: o.onRunChange } : {}),
      });
      agents.push(agent);
      if (o.pin === undefined && o.cert === undefined) await agent.start();
      else agent.start().catch(() => undefined); // refused for good: the test reads the log
      return { agent, agentId, cert };
    },
    async run(body = {}) {
      const id = await startExecution(store, SYSTEM_PRINCIPAL, { folder: 'Tests', project: 'TestProject', package: 'Param.dtsx', ...body });
      master.hub.kick();
      return id;
    },
    async waitFor(what, probe, timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const v = await probe();
        if (v !== undefined && v !== false) return v as never;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    operationStatus: (id) => store.getOperationStatus(id),
    async stop() {
      await Promise.allSettled(agents.map((a) => a.stop()));
      await master.close();
      await Promise.allSettled(pools.map((p) => p.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
