/**
 * The worker's Prometheus metrics and health check, on a small plain-HTTP server bound to
 * `MetricsHost:MetricsPort` (loopback by default; off unless `MetricsPort` is set):
 *
 *   GET /metrics   scaleout_worker_running_tasks, scaleout_worker_task_slots (MaxTaskCount),
 *                  scaleout_worker_pool_utilization (busy threads / threads), scaleout_worker_pool_queued,
 *                  scaleout_worker_pool_runs_completed_total, scaleout_worker_journal_backlog (reports the
 *                  master has not acknowledged), scaleout_worker_journal_in_memory, scaleout_worker_connected,
 *                  scaleout_worker_enabled, and prom-client's process metrics prefixed scaleout_worker_
 *   GET /health    200 {"status":"ok",…} while connected to the master (registered, enabled or not);
 *                  503 {"status":"unavailable",…} while connecting, draining or stopped
 *
 * It carries no secrets and changes nothing, which is why it may be plain HTTP; it listens on
 * loopback unless `MetricsHost` opens it up (for a Prometheus on another machine).
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { SsoError } from '../../actors/errors.ts';

/** What the metrics read at scrape time. */
export interface WorkerMetricsSources {
  readonly agentId: string;
  readonly maxTaskCount: number;
  state(): string;
  enabled(): boolean;
  runningTasks(): number;
  pool(): { readonly running: number; readonly queued: number; readonly completed: number; readonly threads: number };
  journal(): { readonly backlog: number; readonly inMemory: number } | null;
}

const CONNECTED_STATES = new Set(['waitingForEnable', 'active']);

export class WorkerMetrics {
  readonly registry = new Registry();
  #server: Server | undefined;

  constructor(readonly sources: WorkerMetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'scaleout_worker_' });
    const s = sources;
    new Gauge({ name: 'scaleout_worker_running_tasks', help: 'Tasks this worker holds now', registers, collect() { this.set(s.runningTasks()); } });
    new Gauge({ name: 'scaleout_worker_task_slots', help: 'MaxTaskCount: tasks it may hold at once', registers, collect() { this.set(s.maxTaskCount); } });
    new Gauge({
      name: 'scaleout_worker_pool_utilization', help: 'Busy package threads / threads of the pool (0–1)', registers,
      collect() { const p = s.pool(); this.set(p.threads > 0 ? p.running / p.threads : 0); },
    });
    new Gauge({ name: 'scaleout_worker_pool_queued', help: 'Runs accepted by the pool and waiting for a thread', registers, collect() { this.set(s.pool().queued); } });
    let completedSeen = 0;
    new Counter({
      name: 'scaleout_worker_pool_runs_completed_total', help: 'Package runs that ended on this worker since it started', registers,
      collect() { const c = s.pool().completed; if (c > completedSeen) { this.inc(c - completedSeen); completedSeen = c; } },
    });
    new Gauge({ name: 'scaleout_worker_journal_backlog', help: 'Reports journaled and not yet acknowledged by the master', registers, collect() { this.set(s.journal()?.backlog ?? 0); } });
    new Gauge({ name: 'scaleout_worker_journal_in_memory', help: 'Journal entries held in memory', registers, collect() { this.set(s.journal()?.inMemory ?? 0); } });
    new Gauge({ name: 'scaleout_worker_connected', help: '1 while registered with the master', registers, collect() { this.set(CONNECTED_STATES.has(s.state()) ? 1 : 0); } });
    new Gauge({ name: 'scaleout_worker_enabled', help: '1 while the master has this worker enabled', registers, collect() { this.set(s.enabled() ? 1 : 0); } });
  }

  /** The health document, and whether it is healthy. */
  health(): { ok: boolean; body: Record<string, unknown> } {
    const state = this.sources.state();
    const ok = CONNECTED_STATES.has(state);
    return { ok, body: { status: ok ? 'ok' : 'unavailable', agentId: this.sources.agentId, state, enabled: this.sources.enabled(), runningTasks: this.sources.runningTasks(), taskSlots: this.sources.maxTaskCount } };
  }

  /** Listens on host:port (0 = any free port); resolves the port. A port in use is a clear error naming the key. */
  async listen(host: string, port: number): Promise<number> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405, { allow: 'GET' }).end(); return; }
      if (path === '/metrics') {
        this.registry.metrics().then((text) => { res.writeHead(200, { 'content-type': this.registry.contentType }).end(text); },
          (err: unknown) => { res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(err as Error).message}\n`); });
        return;
      }
      if (path === '/health') {
        const h = this.health();
        res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(h.body));
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('GET /metrics or /health\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new SsoError('SSO_ERR_CONFIG_INVALID', `MetricsPort ${port} on ${host}: ${err.message}`, { where: 'MetricsPort', cause: err })));
      server.listen(port, host, () => resolve());
    });
    this.#server = server;
    return (server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
  }
}
