/**
 * The master's Prometheus metrics (prom-client, one registry per master so that several masters in
 * one process do not mix), served at `GET /metrics` (HTTP Basic like the rest of /api/v1):
 *
 *   scaleout_executions{status}                    executions in the catalog by status name (gauge, read at scrape)
 *   scaleout_executions_finished_total{status}     executions this master saw end, by final status (counter)
 *   scaleout_tasks_assigned_total                  task attempts handed to workers (counter)
 *   scaleout_dispatch_latency_seconds              first attempts: start_execution → assigned to a worker (histogram)
 *   scaleout_queue_depth                           executions pending: waiting for a worker or just handed to one (gauge)
 *   scaleout_workers_online / scaleout_workers_enabled   connected workers; workers enabled in the catalog (gauges)
 *   scaleout_websocket_connections                 open worker WebSocket connections (gauge)
 *   scaleout_catalog_commit_seconds                catalog writes, call → durably committed (histogram)
 *   scaleout_catalog_commits_total{verb}           catalog writes by catalog verb (counter)
 *   scaleout_master_process_*, nodejs_*            prom-client's process metrics, prefixed
 *
 * Gauges that read the catalog do so once per scrape (one view read each), not on the hot path.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CatalogStore } from '../../actors/ports.ts';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import type { Assignment, HubObserver } from './agent-hub.ts';

/** catalog.operations status numbers → the names metrics (and `scaleout`) use. */
export const OPERATION_STATUS_NAMES: Readonly<Record<number, string>> = {
  1: 'created', 2: 'running', 3: 'canceled', 4: 'failed', 5: 'pending', 6: 'ended_unexpectedly', 7: 'succeeded', 8: 'stopping', 9: 'completed',
};
const FINAL = new Set([3, 4, 6, 7, 9]);

/** Catalog verbs that only read: not timed as commits. */
const READ_VERBS = new Set(['queryView', 'listViews', 'authenticate', 'getTask', 'getWorkerAgent', 'getExecutionPayload', 'getProjectBytes', 'externalChangeToken', 'listLogins', 'close', 'hasReadyTasks', 'getOperationStatus', 'listWorkerAgents', 'listLiveTasks']);

/** What the gauges read at scrape time. */
export interface MasterMetricsSources {
  readonly store: CatalogStore;
  connectedAgents(): readonly { readonly agentId: string; readonly enabled: boolean }[];
  webSocketConnections(): number;
}

export class MasterMetrics {
  readonly registry = new Registry();
  readonly #finished: Counter<'status'>;
  readonly #assigned: Counter;
  readonly #dispatch: Histogram;
  readonly #commit: Histogram;
  readonly #commits: Counter<'verb'>;
  #sources: MasterMetricsSources | undefined;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'scaleout_master_' });
    this.#finished = new Counter({ name: 'scaleout_executions_finished_total', help: 'Executions this master saw end, by final status', labelNames: ['status'], registers });
    this.#assigned = new Counter({ name: 'scaleout_tasks_assigned_total', help: 'Task attempts handed to workers', registers });
    this.#dispatch = new Histogram({
      name: 'scaleout_dispatch_latency_seconds', help: 'First attempts: from start_execution to the assignment to a worker',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers,
    });
    this.#commit = new Histogram({
      name: 'scaleout_catalog_commit_seconds', help: 'Catalog writes from call to durable commit',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5], registers,
    });
    this.#commits = new Counter({ name: 'scaleout_catalog_commits_total', help: 'Catalog writes by catalog verb', labelNames: ['verb'], registers });
    const sources = () => this.#sources;
    const executions = new Gauge({
      name: 'scaleout_executions', help: 'Executions in the catalog by status', labelNames: ['status'], registers,
      async collect() {
        const s = sources();
        if (!s) return;
        const rows = (await s.store.queryView(SYSTEM_PRINCIPAL, 'catalog.executions')).rows;
        const counts = new Map<string, number>(Object.values(OPERATION_STATUS_NAMES).map((n) => [n, 0]));
        for (const r of rows) {
          const name = OPERATION_STATUS_NAMES[Number(r['status'])] ?? String(r['status']);
          counts.set(name, (counts.get(name) ?? 0) + 1);
        }
        this.reset();
        for (const [status, n] of counts) this.set({ status }, n);
        queueDepth.set(counts.get('pending') ?? 0);
      },
    });
    void executions;
    const queueDepth = new Gauge({ name: 'scaleout_queue_depth', help: 'Executions pending: waiting for a worker, or just handed to one', registers });
    new Gauge({
      name: 'scaleout_workers_online', help: 'Workers connected to this master', registers,
      collect() { this.set(sources()?.connectedAgents().length ?? 0); },
    });
    new Gauge({
      name: 'scaleout_workers_enabled', help: 'Workers enabled in the catalog', registers,
      async collect() {
        const s = sources();
        if (!s) return;
        const rows = (await s.store.queryView(SYSTEM_PRINCIPAL, 'catalog.worker_agents')).rows;
        this.set(rows.filter((r) => r['IsEnabled'] === true || Number(r['IsEnabled']) === 1).length);
      },
    });
    new Gauge({
      name: 'scaleout_websocket_connections', help: 'Open worker WebSocket connections', registers,
      collect() { this.set(sources()?.webSocketConnections() ?? 0); },
    });
  }

  /** Where the scrape-time gauges read from (set once the master's hub and server exist). */
  bind(sources: MasterMetricsSources): void {
    this.#sources = sources;
  }

  /** Hub notifications that feed the counters and the dispatch histogram. */
  readonly observer: HubObserver = {
    taskAssigned: (a: Assignment) => {
      this.#assigned.inc();
      if (a.readySince !== undefined && a.readySince !== null) this.#dispatch.observe(Math.max(0, Date.now() - a.readySince) / 1000);
    },
    taskReported: (_a, _reported, _effective, operationStatus) => {
      if (operationStatus !== undefined && FINAL.has(operationStatus)) this.#finished.inc({ status: OPERATION_STATUS_NAMES[operationStatus] ?? String(operationStatus) });
    },
  };

  /** The same store, with every write timed into scaleout_catalog_commit_seconds and counted by verb. */
  instrumentStore(store: CatalogStore): CatalogStore {
    const commit = this.#commit;
    const commits = this.#commits;
    return new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function' || typeof prop !== 'string' || READ_VERBS.has(prop)) return typeof value === 'function' ? value.bind(target) : value;
        return (...args: unknown[]) => {
          commits.inc({ verb: prop });
          const end = commit.startTimer();
          const out = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (out instanceof Promise) return out.finally(() => end());
          end();
          return out;
        };
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Calls every observer given (the master's metrics and, say, a benchmark's). */
export function combineObservers(...observers: (HubObserver | undefined)[]): HubObserver {
  const list = observers.filter((o): o is HubObserver => o !== undefined);
  return {
    agentOnline: (id, enabled) => { for (const o of list) o.agentOnline?.(id, enabled); },
    agentOffline: (id) => { for (const o of list) o.agentOffline?.(id); },
    taskAssigned: (a) => { for (const o of list) o.taskAssigned?.(a); },
    taskReported: (a, r, e, s) => { for (const o of list) o.taskReported?.(a, r, e, s); },
  };
}
