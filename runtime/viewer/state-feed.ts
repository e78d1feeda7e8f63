/**
 * The live state the viewer streams: executions, their attempts and workers, each change numbered
 * with a sequence number. Contract:
 * - The master's own transitions come straight from the hub after their commit: a claim (execution
 *   Running, attempt started, worker busier), a final report (the execution's end state, attempt
 *   ended). No catalog read is needed for them, so viewers add almost nothing per dispatch.
 * - Everything else is read: `poke()` (coalesced, at most one read per `minReadGapMs`) re-reads
 *   `catalog.executions` and `catalog.worker_agents` and the hub's live view and turns every
 *   difference into one event. The master pokes after API calls and when the external change token
 *   moved (T-SQL from another process), so a change committed anywhere becomes an event within about
 *   one `CatalogPollIntervalInMs`. A read also brings the catalog's exact start/end times.
 * - Events carry the whole new record (not a patch), so a client that applied event n holds the
 *   same state as the feed at n. The last `historySize` events are kept: a client that reconnects
 *   with `since` within that window gets the missed events; otherwise a fresh snapshot.
 * - Attempts (one per run of an execution's task: worker, start, end, result) are recorded from the
 *   hub's claim and final-report notifications, and from the catalog (the current attempt's worker
 *   and start) when the master did not see the claim (a restart). They live in memory: the catalog
 *   keeps only the task's current attempt.
 */
import type { CatalogStore, Principal } from '../../actors/ports.ts';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import type { Role } from '../../actors/catalog-codes.ts';

/** SSISDB operation status names, as SSMS shows them (catalog.operations.status). */
export const STATUS_NAMES: Readonly<Record<number, string>> = {
  1: 'Created', 2: 'Running', 3: 'Canceled', 4: 'Failed', 5: 'Pending', 6: 'Ended unexpectedly', 7: 'Succeeded', 8: 'Stopping', 9: 'Completed',
};
export const FINAL_STATUSES: ReadonlySet<number> = new Set([3, 4, 6, 7, 9]);

export interface ExecutionState {
  readonly id: number;
  readonly folder: string;
  readonly project: string;
  readonly package: string;
  readonly status: number;
  readonly statusName: string;
  readonly createdTime: string | null;
  readonly startTime: string | null;
  readonly endTime: string | null;
  readonly workerAgentId: string | null;
  readonly executedCount: number;
  readonly callerName: string;
}

export interface WorkerState {
  readonly id: string;
  readonly displayName: string | null;
  readonly description: string | null;
  readonly machineName: string | null;
  readonly tags: string | null;
  readonly enabled: boolean;
  readonly online: boolean;
  readonly runningTasks: number;
  readonly maxTaskCount: number | null;
  readonly lastOnlineTime: string | null;
  readonly cpuPercent: number | null;
  readonly availableMemoryMb: number | null;
}

export type AttemptResult = 'running' | 'succeeded' | 'failed' | 'canceled' | 'retrying' | 'lost';

export interface AttemptState {
  readonly executionId: number;
  readonly attempt: number;
  readonly workerAgentId: string;
  readonly start: string;
  readonly end: string | null;
  readonly result: AttemptResult;
}

export type FeedEvent =
  | { readonly seq: number; readonly at: number; readonly kind: 'execution'; readonly data: ExecutionState }
  | { readonly seq: number; readonly at: number; readonly kind: 'worker'; readonly data: WorkerState }
  | { readonly seq: number; readonly at: number; readonly kind: 'worker-removed'; readonly data: { readonly id: string } }
  | { readonly seq: number; readonly at: number; readonly kind: 'attempt'; readonly data: AttemptState };

export interface Snapshot {
  readonly seq: number;
  readonly executions: readonly ExecutionState[];
  readonly workers: readonly WorkerState[];
  readonly attempts: readonly AttemptState[];
}

/** What the feed reads from the running master (the agent hub), besides the catalog. */
export interface LiveSource {
  connectedAgents(): readonly { agentId: string; enabled: boolean; outstanding: number; maxTaskCount?: number }[];
  assignments(): ReadonlyMap<string, { readonly executionId: number; readonly attempt: number; readonly agentId: string }>;
}

export interface StateFeedOptions {
  readonly store: CatalogStore;
  readonly live?: LiveSource;
  /** Events kept for resuming clients. @default 10000 */
  readonly historySize?: number;
  /** Executions in a snapshot: every live one plus the newest this many. @default 1000 */
  readonly snapshotExecutions?: number;
  /** Least time between two catalog reads. @default 25 */
  readonly minReadGapMs?: number;
  /** Perf counters are re-read at most this often (they change once per worker heartbeat). @default 5000 */
  readonly perfIntervalMs?: number;
  readonly onError?: (err: unknown) => void;
}

const ALL_EXECUTIONS: readonly Role[] = ['sysadmin', 'ssis_admin', 'ssis_logreader'];
const SCALEOUT_ROLES: readonly Role[] = ['sysadmin', 'ssis_admin', 'ssis_cluster_executor'];

/** Which feed records a principal may see: the catalog views' row filters (runtime/catalog/README.md). */
export function visibilityOf(p: Principal): { execution(e: { callerName: string }): boolean; workers: boolean } {
  const all = p.roles.some((r) => ALL_EXECUTIONS.includes(r));
  return { execution: (e) => all || e.callerName === p.name, workers: p.roles.some((r) => SCALEOUT_ROLES.includes(r)) };
}

export type FeedListener = (e: FeedEvent) => void;

export class StateFeed {
  readonly #o: StateFeedOptions;
  #seq = 0;
  readonly #executions = new Map<number, ExecutionState>();
  readonly #workers = new Map<string, WorkerState>();
  readonly #attempts = new Map<number, AttemptState[]>();
  readonly #history: FeedEvent[] = [];
  readonly #listeners = new Set<FeedListener>();
  #reading: Promise<void> | null = null;
  #again = false;
  #perfAt = 0;
  #perf = new Map<string, { cpu: number | null; mem: number | null }>();
  #closed = false;
  #started = false;
  #dirty = false;
  #lastReadAt = 0;
  /** Reads started so far; a hub move records the count, so a read that began before it cannot undo it. */
  #reads = 0;
  readonly #movedDuringRead = new Map<number, number>();

  constructor(options: StateFeedOptions) {
    this.#o = options;
  }

  get seq(): number { return this.#seq; }

  /** First read; afterwards `poke()` keeps the state current. */
  async start(): Promise<void> {
    this.#started = true;
    await this.refresh();
  }

  close(): void { this.#closed = true; this.#listeners.clear(); }

  subscribe(listener: FeedListener): () => void {
    this.#listeners.add(listener);
    if (this.#dirty) void this.refresh();
    return () => this.#listeners.delete(listener);
  }

  /**
   * Something may have been committed: re-read soon (coalesced; never more than one read in flight
   * plus one queued). Nobody listening: only remembered, and the next `refresh()` reads (so a
   * master without viewers pays nothing per dispatch).
   */
  poke(): void {
    if (!this.#started || this.#closed) return;
    if (this.#listeners.size === 0) { this.#dirty = true; return; }
    void this.refresh();
  }

  /** Reads only when something was poked since the last read. */
  fresh(): Promise<void> {
    return this.#dirty || this.#reading ? this.refresh() : Promise.resolve();
  }

  /** Re-reads now (or joins the read in flight and one more); resolves once the state at call time is applied. */
  refresh(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#reading) { this.#again = true; return this.#reading; }
    this.#reading = (async () => {
      try {
        do {
          this.#again = false;
          this.#dirty = false;
          // At most one read per `minReadGapMs`: a storm of pokes costs a bounded number of full reads.
          const wait = this.#lastReadAt + (this.#o.minReadGapMs ?? 25) - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          this.#lastReadAt = Date.now();
          try { await this.#read(); } catch (err) { this.#o.onError?.(err); }
        } while (this.#again && !this.#closed);
      } finally {
        this.#reading = null;
      }
    })();
    return this.#reading;
  }

  snapshot(viewer?: Principal): Snapshot {
    const vis = viewer ? visibilityOf(viewer) : { execution: () => true, workers: true };
    const limit = this.#o.snapshotExecutions ?? 1000;
    const all = [...this.#executions.values()].filter((e) => vis.execution(e)).sort((a, b) => b.id - a.id);
    const executions = all.filter((e, i) => i < limit || !FINAL_STATUSES.has(e.status));
    const ids = new Set(executions.map((e) => e.id));
    const attempts = [...this.#attempts.entries()].filter(([id]) => ids.has(id)).flatMap(([, list]) => list);
    return { seq: this.#seq, executions, workers: vis.workers ? [...this.#workers.values()] : [], attempts };
  }

  /** Events after `since`, or null when they are no longer kept (the client needs a snapshot). */
  eventsSince(since: number): FeedEvent[] | null {
    if (since > this.#seq) return null;
    if (since === this.#seq) return [];
    const first = this.#history[0];
    if (!first || first.seq > since + 1) return null;
    return this.#history.slice(since + 1 - first.seq);
  }

  execution(id: number): ExecutionState | undefined { return this.#executions.get(id); }
  attemptsOf(id: number): readonly AttemptState[] { return this.#attempts.get(id) ?? []; }
  workers(): readonly WorkerState[] { return [...this.#workers.values()]; }

  // ---- hub notifications (the master's own commits) ----

  /** A claim committed and its assignment sent. */
  attemptStarted(a: { executionId: number; attempt: number; agentId: string }, at = Date.now()): void {
    if (this.#closed) return;
    const list = this.#attempts.get(a.executionId) ?? [];
    if (!list.some((x) => x.attempt === a.attempt)) {
      const rec: AttemptState = { executionId: a.executionId, attempt: a.attempt, workerAgentId: a.agentId, start: new Date(at).toISOString(), end: null, result: 'running' };
      list.push(rec);
      this.#attempts.set(a.executionId, list);
      this.#emit({ kind: 'attempt', data: rec });
    }
    // The claim committed the execution as Running: say so now, without waiting for a read.
    this.#moveExecution(a.executionId, 2, { workerAgentId: a.agentId.toLowerCase(), executedCount: a.attempt }, at);
    this.#liveWorker(a.agentId);
  }

  /** The worker's running-task count changed with a claim or a final report: from the hub, no read. */
  #liveWorker(agentId: string): void {
    const id = agentId.toLowerCase();
    const w = this.#workers.get(id);
    if (!w) { this.poke(); return; }
    let running = 0;
    for (const a of this.#o.live?.assignments().values() ?? []) if (a.agentId.toLowerCase() === id) running++;
    if (running === w.runningTasks) return;
    const next = { ...w, runningTasks: running };
    this.#workers.set(id, next);
    this.#emit({ kind: 'worker', data: next });
  }

  /** A transition the hub knows was committed; the next read fills in the catalog's exact times. */
  #moveExecution(id: number, status: number, patch: Partial<ExecutionState>, at: number): void {
    const e = this.#executions.get(id);
    // Not read yet (started by a path that did not refresh the feed): the read brings it with this state.
    if (!e) { this.poke(); return; }
    if (e.status === status || FINAL_STATUSES.has(e.status)) return;
    const iso = new Date(at).toISOString();
    const next: ExecutionState = {
      ...e, ...patch, status, statusName: STATUS_NAMES[status] ?? String(status),
      startTime: e.startTime ?? (status === 2 ? iso : null), endTime: FINAL_STATUSES.has(status) ? e.endTime ?? iso : e.endTime,
    };
    this.#executions.set(id, next);
    this.#movedDuringRead.set(id, this.#reads);
    this.#emit({ kind: 'execution', data: next });
    if (FINAL_STATUSES.has(status)) this.#reconcileAttempts(next, e);
  }

  /** A report committed: `effective` is the task status the catalog answered (1 = re-queued for a retry). */
  attemptReported(a: { executionId: number; attempt: number; agentId: string }, _reported: number, effective: number, operationStatus?: number, at = Date.now()): void {
    if (this.#closed) return;
    const result: AttemptResult | null = effective === 1 ? 'retrying' : effective === 5 ? 'succeeded' : effective === 4 ? 'failed' : effective === 6 ? 'canceled' : null;
    if (result) this.#endAttempt(a.executionId, a.attempt, a.agentId, result, at);
    if (operationStatus !== undefined && FINAL_STATUSES.has(operationStatus)) this.#moveExecution(a.executionId, operationStatus, {}, at);
    if (result) this.#liveWorker(a.agentId);
  }

  #endAttempt(executionId: number, attempt: number, agentId: string | null, result: AttemptResult, at: number): void {
    const list = this.#attempts.get(executionId) ?? [];
    const i = list.findIndex((x) => x.attempt === attempt);
    const prev = i >= 0 ? list[i]! : null;
    if (prev && prev.end !== null) return;
    const rec: AttemptState = { executionId, attempt, workerAgentId: prev?.workerAgentId ?? agentId ?? '', start: prev?.start ?? new Date(at).toISOString(), end: new Date(at).toISOString(), result };
    if (i >= 0) list[i] = rec; else list.push(rec);
    this.#attempts.set(executionId, list);
    this.#emit({ kind: 'attempt', data: rec });
  }

  #emit(partial: { kind: FeedEvent['kind']; data: unknown }): void {
    const e = { seq: ++this.#seq, at: Date.now(), ...partial } as FeedEvent;
    this.#history.push(e);
    const max = this.#o.historySize ?? 10_000;
    if (this.#history.length > max) this.#history.splice(0, this.#history.length - max);
    for (const l of this.#listeners) {
      try { l(e); } catch (err) { this.#o.onError?.(err); }
    }
  }

  async #read(): Promise<void> {
    const { store } = this.#o;
    const generation = ++this.#reads;
    const [execView, workerView] = await Promise.all([
      store.queryView(SYSTEM_PRINCIPAL, 'catalog.executions'),
      store.queryView(SYSTEM_PRINCIPAL, 'catalog.worker_agents'),
    ]);
    const now = Date.now();
    if (now - this.#perfAt >= (this.#o.perfIntervalMs ?? 5_000)) {
      this.#perfAt = now;
      const perf = await store.queryView(SYSTEM_PRINCIPAL, 'catalog.worker_agent_perfcounter').catch(() => null);
      if (perf) {
        const latest = new Map<string, { cpu: number | null; mem: number | null; t: string }>();
        for (const r of perf.rows) {
          const id = String(r['WorkerAgentId']).toLowerCase();
          const cur = latest.get(id) ?? { cpu: null, mem: null, t: '' };
          const name = String(r['PerfCounterName']);
          if (name === 'CpuPercent') cur.cpu = Number(r['PerfCounterValue']);
          if (name === 'AvailableMemoryMB') cur.mem = Number(r['PerfCounterValue']);
          latest.set(id, cur);
        }
        this.#perf = new Map([...latest].map(([k, v]) => [k, { cpu: v.cpu, mem: v.mem }]));
      }
    }
    if (this.#closed) return;
    const moved = this.#movedDuringRead;
    for (const r of execView.rows) {
      const e = executionFromRow(r);
      // The hub moved this execution while this read was in flight: its row may predate the move; the next read settles it.
      const m = moved.get(e.id);
      if (m !== undefined) { if (m >= generation) continue; moved.delete(e.id); }
      const prev = this.#executions.get(e.id);
      if (!prev || !sameExecution(prev, e)) {
        this.#executions.set(e.id, e);
        this.#emit({ kind: 'execution', data: e });
      }
      this.#reconcileAttempts(e, prev);
    }
    const live = this.#o.live;
    const connected = new Map((live?.connectedAgents() ?? []).map((c) => [c.agentId.toLowerCase(), c]));
    const running = new Map<string, number>();
    for (const a of live?.assignments().values() ?? []) running.set(a.agentId.toLowerCase(), (running.get(a.agentId.toLowerCase()) ?? 0) + 1);
    const seen = new Set<string>();
    for (const r of workerView.rows) {
      const id = String(r['WorkerAgentId']).toLowerCase();
      seen.add(id);
      const c = connected.get(id);
      const p = this.#perf.get(id);
      const w: WorkerState = {
        id, displayName: str(r['DisplayName']), description: str(r['Description']), machineName: str(r['MachineName']), tags: str(r['Tags']),
        enabled: Boolean(Number(r['IsEnabled'])), online: c !== undefined, runningTasks: running.get(id) ?? 0,
        maxTaskCount: c?.maxTaskCount ?? this.#workers.get(id)?.maxTaskCount ?? null, lastOnlineTime: str(r['LastOnlineTime']),
        cpuPercent: p?.cpu ?? null, availableMemoryMb: p?.mem ?? null,
      };
      const prev = this.#workers.get(id);
      if (!prev || JSON.stringify(prev) !== JSON.stringify(w)) {
        this.#workers.set(id, w);
        this.#emit({ kind: 'worker', data: w });
      }
    }
    for (const id of [...this.#workers.keys()]) {
      if (!seen.has(id)) { this.#workers.delete(id); this.#emit({ kind: 'worker-removed', data: { id } }); }
    }
  }

  /** Attempts the hub did not report (claimed before a master restart, or ended by the expiry sweep or a stop). */
  #reconcileAttempts(e: ExecutionState, prev: ExecutionState | undefined): void {
    const list = this.#attempts.get(e.id) ?? [];
    const n = e.executedCount;
    if (n > 0 && e.workerAgentId && !list.some((a) => a.attempt === n)) {
      // The catalog knows the current attempt's worker; its start is the execution's start for the first run.
      const rec: AttemptState = { executionId: e.id, attempt: n, workerAgentId: e.workerAgentId, start: (n === 1 ? e.startTime : null) ?? new Date().toISOString(), end: null, result: 'running' };
      list.push(rec);
      this.#attempts.set(e.id, list);
      this.#emit({ kind: 'attempt', data: rec });
    }
    if (FINAL_STATUSES.has(e.status) && (!prev || !FINAL_STATUSES.has(prev.status))) {
      const open = list.filter((a) => a.end === null);
      const result: AttemptResult = e.status === 7 ? 'succeeded' : e.status === 3 ? 'canceled' : e.status === 6 ? 'lost' : 'failed';
      const at = e.endTime ? Date.parse(e.endTime) : Date.now();
      for (const a of open) this.#endAttempt(e.id, a.attempt, a.workerAgentId, result, Number.isFinite(at) ? at : Date.now());
    }
  }
}

function str(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

export function executionFromRow(r: Record<string, unknown>): ExecutionState {
  const status = Number(r['status']);
  return {
    id: Number(r['execution_id']), folder: String(r['folder_name'] ?? ''), project: String(r['project_name'] ?? ''), package: String(r['package_name'] ?? ''),
    status, statusName: STATUS_NAMES[status] ?? String(status),
    createdTime: str(r['created_time']), startTime: str(r['start_time']), endTime: str(r['end_time']),
    workerAgentId: str(r['worker_agent_id'])?.toLowerCase() ?? null, executedCount: Number(r['executed_count'] ?? 0), callerName: String(r['caller_name'] ?? ''),
  };
}

function sameExecution(a: ExecutionState, b: ExecutionState): boolean {
  return a.status === b.status && a.startTime === b.startTime && a.endTime === b.endTime && a.workerAgentId === b.workerAgentId && a.executedCount === b.executedCount;
}
