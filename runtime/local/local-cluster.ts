/**
 * One master and one local worker from a `scaleout up` data folder, in this process: what `up` and
 * `demo` run. The local worker is enabled once, the first time it registers (an admin who disables
 * it later is not overruled). `stop()` stops the worker first (its reports drain to the master),
 * then the master.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { serializeError } from '../../actors/errors.ts';
import { startMaster } from '../master/index.ts';
import type { RunningMaster } from '../master/index.ts';
import type { HubObserver } from '../master/agent-hub.ts';
import { startWorker } from '../agent/index.ts';
import type { RunningWorker, StartWorkerOptions } from '../agent/index.ts';
import { DataLayout, ensureDataFolder } from './data-folder.ts';
import type { DataFolder } from './data-folder.ts';

export interface LocalCluster {
  readonly data: DataFolder;
  readonly master: RunningMaster;
  readonly worker: RunningWorker;
  /** True when this run enabled the local worker (its first registration). */
  readonly workerEnabledNow: boolean;
  /** The live viewer on a loopback-only plain HTTP port (also on the master's TLS port). */
  readonly viewerUrl: string;
  stop(): Promise<void>;
}

export interface StartLocalOptions {
  readonly port?: number;
  /** The master's listen address. @default 'localhost' (loopback only) */
  readonly host?: string;
  /** A module to run instead of the package engine (benchmarks only). */
  readonly runner?: string | URL;
  /** How long to wait for the local worker's first welcome before going on without it. @default 30000 */
  readonly workerWaitMs?: number;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Hub lifecycle notifications (benchmarks). */
  readonly observer?: HubObserver;
  /** Port of the loopback plain HTTP viewer. @default a free one */
  readonly viewerPort?: number;
  /** The local worker's refused connection attempts (`up` prints them on stderr). */
  readonly onWorkerRefused?: StartWorkerOptions['onRefused'];
}

export async function startLocalCluster(dataDir: string, options: StartLocalOptions = {}): Promise<LocalCluster> {
  const data = await ensureDataFolder(dataDir, options.port === undefined ? {} : { port: options.port });
  const env = options.env ?? process.env;
  const master = await startMaster(data.masterConfig, { env, host: options.host ?? 'localhost', ...(options.observer ? { observer: options.observer } : {}) });
  let worker: RunningWorker;
  try {
    worker = await startWorker(data.workerConfig, {
      env, noWait: true, ...(options.runner ? { runner: options.runner } : {}), ...(options.onWorkerRefused ? { onRefused: options.onWorkerRefused } : {}),
    });
  } catch (err) {
    await master.stop();
    throw err;
  }
  const { startPlainViewer } = await import('../viewer/plain-http.ts');
  let viewer: Awaited<ReturnType<typeof startPlainViewer>>;
  try {
    viewer = await startPlainViewer(master.service, { logger: master.logger, ...(options.viewerPort === undefined ? {} : { port: options.viewerPort }) });
  } catch (err) {
    await worker.stop().catch(() => undefined);
    await master.stop();
    throw err;
  }
  const stop = async (): Promise<void> => {
    await viewer.close().catch(() => undefined);
    await worker.stop().catch((err: unknown) => master.logger.error({ err: serializeError(err) }, 'worker stop failed'));
    await master.stop();
  };
  let workerEnabledNow = false;
  try {
    const registered = await waitFor(() => master.service.hub.connectedAgents().some((a) => a.agentId === data.agentId), options.workerWaitMs ?? 30_000);
    const marker = data.path(DataLayout.workerEnabledMarker);
    if (registered && !existsSync(marker)) {
      const store = master.service.store;
      const row = await store.getWorkerAgent(data.agentId);
      if (row && !row.isEnabled) {
        await store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: data.agentId });
        await master.service.requestRefresh();
        workerEnabledNow = true;
      }
      writeFileSync(marker, `${new Date().toISOString()}\n`);
    } else if (!registered) {
      master.logger.warn({ agentId: data.agentId }, 'the local worker has not connected yet; it keeps retrying');
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { data, master, worker, workerEnabledNow, viewerUrl: viewer.url, stop };
}

async function waitFor(probe: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}
