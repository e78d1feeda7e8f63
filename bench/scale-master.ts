/**
 * The master process of `bench/scale.ts`: a MasterService on 127.0.0.1 (mutual TLS, the SQLite catalog
 * with every state change committed, EmptyProject deployed), driven by the benchmark over IPC so its
 * CPU and memory are its own. Worker certificates are trusted by thumbprint (`trust`); `enable`
 * enables registered workers; `start` starts one execution and answers with the wall-clock time
 * (timeOrigin + now, comparable across processes) taken just before `start_execution`; `submit`
 * starts many; `memory` answers process.memoryUsage().
 * Usage: node --import tsx bench/scale-master.ts <data folder> <master cert pem file> <master key pem file>
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { destination, pino } from 'pino';
import { SYSTEM_PRINCIPAL } from '../actors/ports.ts';
import { openSqliteCatalog } from '../runtime/catalog/sqlite-catalog-store.ts';
import { MasterService } from '../runtime/master/master-service.ts';
import { readProjectArchive, readProjectFolder } from '../executor/package/project-archive.ts';
import { startExecution } from '../runtime/transport/master-server.ts';
import { trustThumbprints } from '../tests/helpers/test-certs.ts';
import { bySource, installCounters, msBySource } from './dispatch-counters.ts';

// SCALEOUT_BENCH_SQL=1: the master prints its statements by text (count, ms) when stopped.
if (process.env['SCALEOUT_BENCH_SQL'] === '1') {
  installCounters();
  process.env['SCALEOUT_CATALOG_THREAD_PRELOAD'] = new URL('./thread-counters.ts', import.meta.url).href;
}
const [dir, certFile, keyFile] = process.argv.slice(2);
if (dir === undefined || certFile === undefined || keyFile === undefined || process.send === undefined) {
  console.error('usage (as a child with IPC): scale-master.ts <data folder> <cert pem> <key pem>');
  process.exit(2);
}
const send = (m: unknown): void => { process.send!(m); };
const cert = readFileSync(certFile, 'utf8'), key = readFileSync(keyFile, 'utf8');
const { X509Certificate } = await import('node:crypto');
const thumbprint = new X509Certificate(cert).fingerprint.replace(/:/g, '').toUpperCase();
const trusted: string[] = [];
// As the master opens it (runtime/master/index.ts): in a thread of its own with SCALEOUT_CATALOG_THREAD=1.
const store = await openSqliteCatalog({ path: join(dir, 'ssisdb.sqlite'), thread: process.env['SCALEOUT_CATALOG_THREAD'] === '1' });
const master = new MasterService({
  store, logger: pino({ level: process.env['SCALEOUT_LOG_LEVEL'] ?? 'warn' }, destination(2)), port: 0, host: '127.0.0.1', sslCertThumbprint: thumbprint,
  https: { key, cert, requestCert: true, rejectUnauthorized: false },
  verifyAgentPeer: (peer) => trustThumbprints(trusted)(peer),
  readProjectArchive: (b) => readProjectArchive(b),
  masterHeartbeatIntervalMs: 30_000, dealWithExpiredTasksIntervalMs: 1_000, cleanupCompletedJobsIntervalMs: 3_600_000,
  catalogPollIntervalMs: 50, leaseMs: 30_000,
});
const { port } = await master.start();
await store.createFolder(SYSTEM_PRINCIPAL, { folderName: 'Bench' });
await store.deployProject(SYSTEM_PRINCIPAL, { folderName: 'Bench', projectName: 'EmptyProject', project: await readProjectFolder(fileURLToPath(new URL('./fixtures/EmptyProject', import.meta.url))) });
const body = { folder: 'Bench', project: 'EmptyProject', package: 'Empty.dtsx' } as const;
const wall = () => performance.timeOrigin + performance.now();

process.on('message', (m: { cmd: string; id: number; thumbprints?: string[]; agentIds?: string[]; count?: number }) => {
  void (async () => {
    try {
      switch (m.cmd) {
        case 'trust': trusted.push(...m.thumbprints!); return send({ id: m.id });
        case 'enable':
          for (const workerAgentId of m.agentIds!) await store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId });
          await master.hub.refresh();
          return send({ id: m.id, connected: master.hub.connectedAgents().filter((a) => a.enabled).length });
        case 'start': {
          const t0 = wall();
          const executionId = await startExecution(store, SYSTEM_PRINCIPAL, body);
          master.hub.kick();
          return send({ id: m.id, executionId, t0 });
        }
        case 'submit': {
          const ids: number[] = [];
          for (let i = 0; i < m.count!; i += 500) {
            ids.push(...await Promise.all(Array.from({ length: Math.min(500, m.count! - i) }, () => startExecution(store, SYSTEM_PRINCIPAL, body))));
            master.hub.kick();
          }
          return send({ id: m.id, first: ids[0], last: ids[ids.length - 1] });
        }
        case 'memory': {
          if (m.count === 1) (globalThis as { gc?: () => void }).gc?.();
          return send({ id: m.id, memory: process.memoryUsage() });
        }
        case 'stop': {
          const thread = await (store as unknown as { benchCounters?: () => Promise<{ bySource: [string, number][] | null; msBySource: [string, number][] | null } | null> }).benchCounters?.();
          await master.close();
          if (bySource !== null) {
            for (const [sql, n] of thread?.bySource ?? []) bySource.set(sql, (bySource.get(sql) ?? 0) + n);
            for (const [sql, ms] of thread?.msBySource ?? []) msBySource!.set(sql, (msBySource!.get(sql) ?? 0) + ms);
            for (const [sql, n] of [...bySource].sort((x, y) => (msBySource!.get(y[0]) ?? 0) - (msBySource!.get(x[0]) ?? 0)).slice(0, 25)) {
              console.error(`master SQL: ${String(n).padStart(8)} × ${(msBySource!.get(sql) ?? 0).toFixed(0).padStart(6)} ms  ${sql.replace(/\s+/g, ' ').slice(0, 140)}`);
            }
          }
          send({ id: m.id });
          return process.exit(0);
        }
        default: return send({ id: m.id, error: `unknown command ${m.cmd}` });
      }
    } catch (err) {
      return send({ id: m.id, error: (err as Error).stack ?? String(err) });
    }
  })();
});
send({ ready: true, port });
