/**
 * The embedded catalog: `CatalogStore` over one SQLite file (better-sqlite3), with SSISDB's procedure
 * rules, status codes and error numbers (reference §1.4–1.7, §4). Mutations are group-committed: all
 * calls queued in one tick run in ONE `BEGIN IMMEDIATE` transaction (savepoints only on a replay after
 * a mutation failed having written), and every promise settles only after COMMIT returned. See
 * README.md beside this file for the decisions and the hot paths.
 */
import { randomBytes, randomUUID, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { parseRowsSent } from './data-statistics.ts';
import { addDataTap, listDataTaps, removeDataTap, type DataTapDb } from './data-taps.ts';
import { appendComponentPhases } from './component-phases.ts';
import { SsoError } from '../../actors/errors.ts';
import { catalogError } from '../../actors/catalog-errors.ts';
import {
  ANY_WORKER_ID, FINAL_OPERATION_STATUSES, Roles, type Role,
} from '../../actors/catalog-codes.ts';
import type {
  AddDataTapInput, CatalogStore, ComponentPhaseInput, CreateExecutionInput, EventMessageInput, ExecutableStatisticInput, ExecutionPayload,
  ExpiredTaskOutcome, LoginRecord, ParameterValue, Principal, ProjectArchive, TaskRecord, UnfinishedEndedExecution,
  UpdateTaskStatusInput, UpdateTaskStatusResult, ViewResult, WallClock, WorkerAgentRecord, WorkerAgentStatusInput,
} from '../../actors/ports.ts';
import { migrateSqlite, SQLITE_SCHEMA_VERSION } from './sqlite-migrations.ts';
import { sqliteScriptRoutingCondition } from './script-routing.ts';
import { bool, certificateMismatch, num, parseInputData, strOrNull, thumbprintParam, toTaskRecord, toWorker } from './catalog-rows.ts';
import type { Row } from './catalog-rows.ts';
import { ADMIN_ROLES, hasRole, LOG_READER_ROLES, requireRole, SCALE_OUT_ROLES, WORKER_LOG_ROLES } from './rules/roles.ts';
import { loadValue } from './rules/parameter-values.ts';
import { GUID_RE, guidParam } from './rules/guids.ts';
import { resolveViewName, VIEWS } from './rules/views.ts';
import { PERMISSIONS_OF } from './rules/permissions.ts';
import { isEnvelope, loadCatalogKey, makeCipher, writeKeyFile, keyFileOf, type CatalogCipher } from './catalog-key.ts';
import type { ProcedureDb } from './sqlite/procedure-context.ts';
import { can, mayModifyOperation, readableIds } from './sqlite/object-permissions.ts';
import { createFolder as createFolderProcedure } from './sqlite/procedures/catalog.create_folder.ts';
import { deployProject as deployProjectProcedure } from './sqlite/procedures/catalog.deploy_project.ts';
import { setExecutionParameterValue as setExecutionParameterValueProcedure } from './sqlite/procedures/catalog.set_execution_parameter_value.ts';
import { setExecutionPropertyOverrideValue as setExecutionPropertyOverrideValueProcedure } from './sqlite/procedures/catalog.set_execution_property_override_value.ts';
import { addExecutionWorker as addExecutionWorkerProcedure } from './sqlite/procedures/catalog.add_execution_worker.ts';
import { startExecution as startExecutionProcedure } from './sqlite/procedures/catalog.start_execution.ts';
import { stopOperation as stopOperationProcedure } from './sqlite/procedures/catalog.stop_operation.ts';
import { deleteWorkerAgent as deleteWorkerAgentProcedure } from './sqlite/procedures/catalog.delete_worker_agent.ts';
import { setWorkerAgentProperty as setWorkerAgentPropertyProcedure } from './sqlite/procedures/catalog.set_worker_agent_property.ts';
import { configureCatalog as configureCatalogProcedure } from './sqlite/procedures/catalog.configure_catalog.ts';
import { updateMasterAddress as updateMasterAddressProcedure } from './sqlite/procedures/catalog.update_master_address.ts';
import { enableWorkerAgent as enableWorkerAgentProcedure } from './sqlite/procedures/catalog.enable_worker_agent.ts';
import { disableWorkerAgent as disableWorkerAgentProcedure } from './sqlite/procedures/catalog.disable_worker_agent.ts';
import { createExecution as createExecutionProcedure } from './sqlite/procedures/catalog.create_execution.ts';
import { createEnvironment } from './sqlite/procedures/catalog.create_environment.ts';
import { renameEnvironment } from './sqlite/procedures/catalog.rename_environment.ts';
import { moveEnvironment } from './sqlite/procedures/catalog.move_environment.ts';
import { deleteEnvironment } from './sqlite/procedures/catalog.delete_environment.ts';
import { createEnvironmentVariable } from './sqlite/procedures/catalog.create_environment_variable.ts';
import { setEnvironmentVariableValue } from './sqlite/procedures/catalog.set_environment_variable_value.ts';
import { setEnvironmentVariableProperty } from './sqlite/procedures/catalog.set_environment_variable_property.ts';
import { setEnvironmentVariableProtection } from './sqlite/procedures/catalog.set_environment_variable_protection.ts';
import { deleteEnvironmentVariable } from './sqlite/procedures/catalog.delete_environment_variable.ts';
import { createEnvironmentReference } from './sqlite/procedures/catalog.create_environment_reference.ts';
import { deleteEnvironmentReference } from './sqlite/procedures/catalog.delete_environment_reference.ts';
import { setObjectParameterValue } from './sqlite/procedures/catalog.set_object_parameter_value.ts';
import { clearObjectParameterValue } from './sqlite/procedures/catalog.clear_object_parameter_value.ts';
import { grantPermission } from './sqlite/procedures/catalog.grant_permission.ts';
import { denyPermission } from './sqlite/procedures/catalog.deny_permission.ts';
import { revokePermission } from './sqlite/procedures/catalog.revoke_permission.ts';
import type { PermissionInput } from './sqlite/permission-procedures.ts';
import type { EnvironmentApi } from '../../actors/ports.ts';
import { openSqliteCatalogInThread } from './sqlite-catalog-thread.ts';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

export interface OpenSqliteCatalogOptions {
  /** The catalog file; created (and migrated) when absent. */
  readonly path: string;
  /** Source of every catalog timestamp. Default: the system clock. */
  readonly clock?: WallClock;
  /** Group the mutations of one tick into one transaction (default true). False: one transaction each. */
  readonly groupCommit?: boolean;
  /** How long a writer waits for another process's write lock, ms (default 10000). */
  readonly busyTimeoutMs?: number;
  /** Name shown as `server_name` in operations (default 'scaleout'). */
  readonly serverName?: string;
  /** Where SCALEOUT_CATALOG_KEY is read from (default process.env); tests pass their own. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Run the catalog (its connection, every statement, every COMMIT's fsync) in a worker thread of
   * its own; the store returned forwards each call there (sqlite-catalog-thread.ts). The master
   * uses it with SCALEOUT_CATALOG_THREAD=1 (measured, not the default); no `clock` with it. @default false
   */
  readonly thread?: boolean;
}

export interface SqliteCatalogStore extends CatalogStore {
  readonly path: string;
  readonly schemaVersion: number;
  /** `PRAGMA integrity_check` result: 'ok' when the file is sound. */
  integrityCheck(): string;
  /** Where the catalog key came from: 'env' or the key file's path. */
  readonly keySource: string;
  /**
   * Re-encrypts every sensitive value with a new key in one transaction (scaleout catalog rotate-key).
   * With a key file: the new key is written to `<key>.new` first, then the values, then renamed over
   * the old file, so a crash at any point leaves a readable catalog. With SCALEOUT_CATALOG_KEY the new
   * key is returned for the operator to install (hex), and nothing is written to disk.
   */
  rotateKey(): Promise<{ reencrypted: number; newKeyHex?: string }>;
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------



const PERF_COUNTER_KEEP_MS = 24 * 3600 * 1000;
/** Longest a liveness-only heartbeat waits in memory before it is committed (see pendingLiveness). */
export const LIVENESS_FLUSH_MS = 1_000;
const DAY_MS = 24 * 3600 * 1000;

/**
 * `datetimeoffset` text: ISO-8601 in UTC with an explicit offset; fixed width, so text order is time order.
 * Same text as `new Date(ms).toISOString()` with `Z` → `+00:00` (and the same RangeError for a time
 * that is not one), but the date-and-seconds prefix of the last two seconds seen is cached: a
 * heartbeat formats two times (now, and the lease expiry a minute later) per call.
 */
const isoSeconds = [Number.NaN, Number.NaN];
const isoPrefixes = ['', ''];
let isoNext = 0;
function iso(ms: number): string {
  const t = Math.trunc(ms); // what Date's TimeClip does with a fractional time
  const second = Math.floor(t / 1000);
  let prefix: string;
  if (second === isoSeconds[0]) prefix = isoPrefixes[0]!;
  else if (second === isoSeconds[1]) prefix = isoPrefixes[1]!;
  else {
    const full = new Date(t).toISOString(); // throws for NaN, ±Infinity and out-of-range times
    prefix = full.slice(0, -4); // up to and including the '.' before the milliseconds
    isoSeconds[isoNext] = second;
    isoPrefixes[isoNext] = prefix;
    isoNext ^= 1;
  }
  const milli = t - second * 1000;
  return `${prefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}+00:00`;
}


/** The heartbeat's perf counters, checked (27101 PerfCounterList) before anything is recorded. */
function validPerfCounters(list: WorkerAgentStatusInput['perfCounters'] | undefined): WorkerAgentStatusInput['perfCounters'] {
  for (const c of list ?? []) {
    if (typeof c?.name !== 'string' || c.name === '' || typeof c.value !== 'number' || !Number.isFinite(c.value) || typeof c.timestamp !== 'number' || !Number.isFinite(c.timestamp)) {
      throw catalogError(27101, 'PerfCounterList');
    }
    iso(c.timestamp); // a time Date cannot hold is refused here, not when the beat is written
  }
  return list ?? [];
}

interface Pending {
  readonly fn: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  /** The mutation's result (or error, when `failed`), held until its group commits. */
  outcome: unknown;
  failed: boolean;
}

// ---------------------------------------------------------------------------------------------
// The store
// ---------------------------------------------------------------------------------------------

class SqliteCatalog implements SqliteCatalogStore {
  readonly keySource: string;
  private cipher: CatalogCipher;
  /** What a procedure file gets (sqlite/procedure-context.ts). */
  private readonly ctx: ProcedureDb;
  readonly path: string;
  readonly schemaVersion = SQLITE_SCHEMA_VERSION;
  private readonly db: Database.Database;
  private readonly clock: WallClock;
  private readonly groupCommit: boolean;
  private readonly serverName: string;
  private readonly statements = new Map<string, Database.Statement>();
  private queue: Pending[] = [];
  private flushScheduled = false;
  private closed = false;
  /** Count of write statements run; tells whether a failed mutation left writes to undo. */
  private writes = 0;
  /**
   * True while the queue holds a mutation that may make a task ready (anything but a claim or a
   * liveness beat): until it commits, "no ready task" read outside the group is not the answer the
   * group would give, so claimTasks may not answer [] early.
   */
  private readyMayChange = false;
  /**
   * Worker liveness not yet written (issue 15): a heartbeat that only says "alive" (no machine
   * property, no certificate) commits nothing by itself. Its LastOnlineTime (latest per worker) and
   * perf counters ride the next group transaction, or one written at most LIVENESS_FLUSH_MS later;
   * this store's own reads (views, getWorkerAgent, listWorkerAgents) write them first, so they never
   * lag. Another process reading the file sees a heartbeat at most LIVENESS_FLUSH_MS late; a crash
   * loses at most that much liveness (the workers beat again, nothing else is lost).
   */
  private pendingLiveness = new Map<string, string>();
  private pendingCounters: { wid: string; name: string; value: number; time: string }[] = [];
  private livenessTimer: NodeJS.Timeout | undefined;

  constructor(db: Database.Database, options: OpenSqliteCatalogOptions, key: { cipher: CatalogCipher; source: string }) {
    this.db = db;
    this.cipher = key.cipher;
    this.keySource = key.source;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    this.ctx = {
      get: (sql, ...p) => this.get(sql, ...p),
      all: (sql, ...p) => this.all(sql, ...p),
      run: (sql, ...p) => this.run(sql, ...p),
      nowIso: () => this.nowIso(),
      prop: (n) => this.prop(n),
      insertOperation: (t, st, c, o, start) => this.insertOperation(t, st, c, o, start),
      get cipher() { return self.cipher; },
      visibleExecution: (c, id) => this.visibleExecution(c, id),
      workerRow: (param, id) => this.workerRow(param, id),
      cancelJob: (jobId, stopId) => this.cancelJob(jobId, stopId),
      completeCancel: (op, stopId) => this.completeCancel(op, stopId),
      setMasterProperty: (n, v) => this.setMasterProperty(n, v),
      pruneVersions: (id) => this.pruneVersions(id),
    };
    this.path = options.path;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.groupCommit = options.groupCommit ?? true;
    this.serverName = options.serverName ?? 'scaleout';
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private q(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
  private get<T = Row>(sql: string, ...params: unknown[]): T | undefined {
    return this.q(sql).get(...params) as T | undefined;
  }
  private all<T = Row>(sql: string, ...params: unknown[]): T[] {
    return this.q(sql).all(...params) as T[];
  }
  private run(sql: string, ...params: unknown[]): Database.RunResult {
    this.writes++;
    return this.q(sql).run(...params);
  }
  private nowIso(): string {
    return iso(this.clock.now());
  }

  /**
   * Queues a mutation. It runs inside the next group transaction (see tryBatch): if it throws, only
   * its own changes are rolled back and only its promise rejects. Every promise of a group
   * settles after that group's COMMIT returned (durable, synchronous=FULL).
   */
  private write<T>(fn: () => T, kind: 'mutation' | 'claim' = 'mutation'): Promise<T> {
    if (this.closed) return Promise.reject(new SsoError('SSO_ERR_ILLEGAL_STATE', 'The catalog is closed', { where: this.path }));
    if (kind === 'mutation') this.readyMayChange = true;
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject, outcome: undefined, failed: false });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    while (this.queue.length > 0) {
      let batch: Pending[];
      if (this.groupCommit) {
        batch = this.queue;
        this.queue = [];
      } else {
        batch = this.queue.splice(0, 1);
      }
      this.runBatch(batch);
    }
    this.readyMayChange = false;
  }

  /** Writes the liveness beats held in memory, inside the caller's open transaction. */
  private writeLiveness(): void {
    if (this.pendingLiveness.size > 0) {
      const beats = this.pendingLiveness;
      this.pendingLiveness = new Map();
      for (const [wid, at] of beats) this.run('UPDATE worker_agents SET LastOnlineTime = ? WHERE WorkerAgentId = ? AND (LastOnlineTime IS NULL OR LastOnlineTime < ?)', at, wid, at);
    }
    if (this.pendingCounters.length > 0) {
      const counters = this.pendingCounters;
      this.pendingCounters = [];
      // A worker deleted since its beat keeps no counters (they would cascade away anyway).
      for (const c of counters) {
        this.run('INSERT INTO worker_agent_perfcounter (WorkerAgentId, PerfCounterName, PerfCounterValue, TimeStamp) SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM worker_agents WHERE WorkerAgentId = ?)',
          c.wid, c.name, c.value, c.time, c.wid);
      }
    }
  }

  /** Commits the liveness beats held in memory now (before a read that shows them). */
  private flushLiveness(): void {
    if (this.closed || (this.pendingLiveness.size === 0 && this.pendingCounters.length === 0)) return;
    this.runBatch([]);
  }

  private scheduleLivenessFlush(): void {
    if (this.livenessTimer !== undefined) return;
    this.livenessTimer = setTimeout(() => {
      this.livenessTimer = undefined;
      this.flushLiveness();
    }, LIVENESS_FLUSH_MS);
    this.livenessTimer.unref();
  }

  /**
   * One group transaction. Fast path: mutations run back to back with no SAVEPOINT; a mutation that
   * throws before writing anything (the usual case: validation) needs no undo. Only when one throws
   * after it wrote does the group roll back and replay with a SAVEPOINT around each mutation, so that
   * its writes alone are undone. Nothing is acknowledged before COMMIT either way.
   */
  private runBatch(batch: Pending[]): void {
    const fast = this.tryBatch(batch, false);
    if (fast === 'replay') this.tryBatch(batch, true);
  }

  private tryBatch(batch: Pending[], savepoints: boolean): 'done' | 'replay' {
    const ioError = (error: unknown): SsoError => (SsoError.is(error) ? error : new SsoError('SSO_ERR_CATALOG_IO', `The catalog transaction failed: ${(error as Error).message}`, { where: this.path, cause: error }));
    const abort = (error: unknown): 'done' => {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const p of batch) p.reject(ioError(error));
      return 'done';
    };
    const beats = this.pendingLiveness, counters = this.pendingCounters;
    const restoreLiveness = (): void => {
      // Rolled back: the beats are written by the next group (a newer beat of the same worker wins).
      for (const [wid, at] of beats) if (!((this.pendingLiveness.get(wid) ?? '') > at)) this.pendingLiveness.set(wid, at);
      this.pendingCounters.unshift(...counters);
      if (beats.size > 0 || counters.length > 0) this.scheduleLivenessFlush();
    };
    try {
      this.q('BEGIN IMMEDIATE').run();
    } catch (error) {
      restoreLiveness();
      return abort(error);
    }
    if (beats.size > 0 || counters.length > 0) {
      // In a savepoint of its own: beats that cannot be written (never expected) are dropped rather
      // than failing, or being retried with, every group after them.
      try {
        this.q('SAVEPOINT liveness').run();
        this.writeLiveness();
        this.q('RELEASE liveness').run();
      } catch {
        try {
          this.q('ROLLBACK TO liveness').run();
          this.q('RELEASE liveness').run();
        } catch (rollbackError) {
          restoreLiveness();
          return abort(rollbackError);
        }
      }
    }
    for (const p of batch) {
      if (savepoints) this.q('SAVEPOINT mutation').run();
      const writesBefore = this.writes;
      try {
        p.outcome = p.fn();
        p.failed = false;
        if (savepoints) this.q('RELEASE mutation').run();
      } catch (error) {
        if (!savepoints && this.writes !== writesBefore) {
          this.db.exec('ROLLBACK');
          restoreLiveness();
          return 'replay';
        }
        if (savepoints) {
          try {
            this.q('ROLLBACK TO mutation').run();
            this.q('RELEASE mutation').run();
          } catch (rollbackError) {
            // The transaction itself is gone (e.g. disk full): nothing of this group is committed.
            restoreLiveness();
            return abort(rollbackError);
          }
        }
        p.outcome = SsoError.is(error) ? error : ioError(error);
        p.failed = true;
      }
    }
    try {
      this.q('COMMIT').run();
    } catch (error) {
      restoreLiveness();
      return abort(error);
    }
    for (const p of batch) {
      if (p.failed) p.reject(p.outcome);
      else p.resolve(p.outcome);
      p.outcome = undefined;
    }
    return 'done';
  }

  private prop(name: string): string {
    return String(this.get<{ property_value: string }>('SELECT property_value FROM catalog_properties WHERE property_name = ?', name)?.property_value ?? '');
  }

  private insertOperation(type: number, status: number, caller: Principal, object: { type: number | null; id: number | null; name: string | null }, start: boolean): number {
    const now = this.nowIso();
    const r = this.run(
      `INSERT INTO operations (operation_type, created_time, object_type, object_id, object_name, status, start_time, end_time,
         caller_name, server_name, operation_guid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      type, now, object.type, object.id, object.name, status, start ? now : null,
      FINAL_OPERATION_STATUSES.has(status) ? now : null, caller.name, this.serverName, randomUUID(),
    );
    return Number(r.lastInsertRowid);
  }

  /** The execution as the caller may see it (creator, ssis_admin, sysadmin), else 27103. */
  private visibleExecution(caller: Principal, executionId: unknown): Row {
    if (executionId === null || executionId === undefined) throw catalogError(27100, 'execution_id');
    if (typeof executionId !== 'number' || !Number.isInteger(executionId)) throw catalogError(27101, 'execution_id');
    const row = this.get(
      `SELECT e.*, o.status, o.caller_name, o.operation_guid, o.object_id AS project_id FROM executions e
       JOIN operations o ON o.operation_id = e.execution_id WHERE e.execution_id = ?`, executionId,
    );
    if (row === undefined || !mayModifyOperation(this.ctx, caller, executionId, String(row['caller_name']))) throw catalogError(27103, executionId);
    return row;
  }

  private workerRow(param: string, id: unknown): { id: string; row: Row } {
    const wid = guidParam(param, id);
    if (wid === ANY_WORKER_ID) throw catalogError(27101, param);
    const row = this.get('SELECT * FROM worker_agents WHERE WorkerAgentId = ?', wid);
    if (row === undefined) throw catalogError(27243, wid);
    return { id: wid, row };
  }

  // ---- principals ---------------------------------------------------------------------------

  async createLogin(caller: Principal, input: { name: string; password: string; roles: readonly Role[] }): Promise<void> {
    if (!hasRole(caller, ['sysadmin'])) throw catalogError(27260);
    const name = input?.name;
    if (name === null || name === undefined) throw catalogError(27100, 'login_name');
    if (typeof name !== 'string' || name.length === 0) throw catalogError(27102, 'login_name');
    // eslint-disable-next-line no-control-regex
    if (name.length > 128 || /[\u0000-\u001f]/.test(name) || name !== name.trim()) throw catalogError(27400, name, 'a login name has 1–128 characters, no control characters and no edge spaces');
    if (typeof input.password !== 'string' || input.password.length === 0) throw catalogError(27102, 'password');
    for (const r of input.roles ?? []) if (!(Roles as readonly string[]).includes(r)) throw catalogError(27101, 'role');
    const salt = randomBytes(16);
    const hash = await scrypt(input.password, salt, 64);
    return this.write(() => {
      if (this.get('SELECT 1 FROM principals WHERE name = ?', name) !== undefined) throw catalogError(27408, name);
      this.run('INSERT INTO principals (name, password_hash, password_salt, created_time) VALUES (?, ?, ?, ?)', name, hash.toString('hex'), salt.toString('hex'), this.nowIso());
      for (const r of new Set(input.roles ?? [])) this.run('INSERT INTO role_members (principal_name, role) VALUES (?, ?)', name, r);
    });
  }

  async authenticate(name: string, password: string): Promise<Principal> {
    const row = typeof name === 'string' ? this.get<{ name: string; password_hash: string; password_salt: string }>('SELECT * FROM principals WHERE name = ?', name) : undefined;
    // Hash even for an unknown name, so that timing does not tell which names exist.
    const salt = row === undefined ? Buffer.alloc(16) : Buffer.from(row.password_salt, 'hex');
    const hash = await scrypt(typeof password === 'string' ? password : '', salt, 64);
    const expected = row === undefined ? Buffer.alloc(64, 0xff) : Buffer.from(row.password_hash, 'hex');
    if (row === undefined || expected.length !== hash.length || !timingSafeEqual(expected, hash)) throw catalogError(27407, String(name));
    const roles = this.all<{ role: Role }>('SELECT role FROM role_members WHERE principal_name = ? ORDER BY role', row.name).map((r) => r.role);
    return Object.freeze({ name: row.name, roles: Object.freeze(roles) });
  }

  addRoleMember(caller: Principal, input: { name: string; role: Role }): Promise<void> {
    return this.write(() => {
      if (!hasRole(caller, ['sysadmin'])) throw catalogError(27260);
      if (!(Roles as readonly string[]).includes(input?.role)) throw catalogError(27101, 'role');
      const row = this.get<{ name: string }>('SELECT name FROM principals WHERE name = ?', input.name);
      if (row === undefined) throw catalogError(27407, String(input.name));
      this.run('INSERT OR IGNORE INTO role_members (principal_name, role) VALUES (?, ?)', row.name, input.role);
    });
  }

  dropRoleMember(caller: Principal, input: { name: string; role: Role }): Promise<void> {
    return this.write(() => {
      if (!hasRole(caller, ['sysadmin'])) throw catalogError(27260);
      if (!(Roles as readonly string[]).includes(input?.role)) throw catalogError(27101, 'role');
      const row = this.get<{ name: string }>('SELECT name FROM principals WHERE name = ?', input.name);
      if (row === undefined) throw catalogError(27407, String(input.name));
      this.run('DELETE FROM role_members WHERE principal_name = ? AND role = ?', row.name, input.role);
    });
  }

  async alterLoginPassword(caller: Principal, input: { name: string; password: string }): Promise<void> {
    if (!hasRole(caller, ['sysadmin'])) throw catalogError(27260);
    if (typeof input?.password !== 'string' || input.password.length === 0) throw catalogError(27102, 'password');
    const salt = randomBytes(16);
    const hash = await scrypt(input.password, salt, 64);
    return this.write(() => {
      const r = this.run('UPDATE principals SET password_hash = ?, password_salt = ? WHERE name = ?', hash.toString('hex'), salt.toString('hex'), input.name);
      if (r.changes === 0) throw catalogError(27407, String(input.name));
    });
  }

  dropLogin(caller: Principal, input: { name: string }): Promise<void> {
    return this.write(() => {
      if (!hasRole(caller, ['sysadmin'])) throw catalogError(27260);
      const row = this.get<{ name: string }>('SELECT name FROM principals WHERE name = ?', input?.name);
      if (row === undefined) throw catalogError(27407, String(input?.name));
      this.run('DELETE FROM role_members WHERE principal_name = ?', row.name);
      this.run('DELETE FROM principals WHERE name = ?', row.name);
    });
  }

  async listLogins(caller: Principal): Promise<readonly LoginRecord[]> {
    const all = hasRole(caller, ['sysadmin']);
    const logins = this.all<{ name: string; created_time: string }>(`SELECT name, created_time FROM principals ${all ? '' : 'WHERE name = ?'} ORDER BY name`, ...(all ? [] : [caller.name]));
    return logins.map((l) => ({
      name: l.name, createdTime: l.created_time,
      roles: this.all<{ role: Role }>('SELECT role FROM role_members WHERE principal_name = ? ORDER BY role', l.name).map((r) => r.role),
    }));
  }

  // ---- folders and projects ----------------------------------------------------------------

  createFolder(caller: Principal, input: { folderName: string; description?: string }): Promise<{ folderId: number }> {
    return this.write(() => createFolderProcedure(this.ctx, caller, input));
  }

  deployProject(caller: Principal, input: { folderName: string; projectName: string; project: ProjectArchive }): Promise<{ operationId: number; projectId: number; versionLsn: number }> {
    return this.write(() => deployProjectProcedure(this.ctx, caller, input));
  }

  /** Keeps at most MAX_PROJECT_VERSIONS versions (when VERSION_CLEANUP_ENABLED), never one a live execution uses. */
  private pruneVersions(projectId: number): void {
    if (this.prop('VERSION_CLEANUP_ENABLED').toUpperCase() !== 'TRUE') return;
    const keep = Math.max(1, Number(this.prop('MAX_PROJECT_VERSIONS')) || 10);
    this.run(`DELETE FROM object_versions WHERE object_id = ? AND object_version_lsn NOT IN (
        SELECT object_version_lsn FROM object_versions WHERE object_id = ? ORDER BY object_version_lsn DESC LIMIT ?)
      AND object_version_lsn NOT IN (SELECT e.project_lsn FROM executions e JOIN operations o ON o.operation_id = e.execution_id
        WHERE o.status IN (1, 2, 5, 8))`, projectId, projectId, keep);
  }

  async getProjectBytes(versionLsn: number, sha256: string): Promise<Uint8Array | null> {
    const r = this.get<{ object_data: Buffer }>('SELECT object_data FROM object_versions WHERE object_version_lsn = ? AND sha256 = ?', versionLsn, String(sha256).toLowerCase());
    return r === undefined ? null : new Uint8Array(r.object_data);
  }

  // ---- executions ---------------------------------------------------------------------------

  createExecution(caller: Principal, input: CreateExecutionInput): Promise<{ executionId: number }> {
    return this.write(() => createExecutionProcedure(this.ctx, caller, input));
  }

  setExecutionParameterValue(caller: Principal, input: { executionId: number; objectType: number; parameterName: string; parameterValue: ParameterValue }): Promise<void> {
    return this.write(() => setExecutionParameterValueProcedure(this.ctx, caller, input));
  }

  setExecutionPropertyOverrideValue(caller: Principal, input: { executionId: number; propertyPath: string; propertyValue: string; sensitive: boolean }): Promise<void> {
    return this.write(() => setExecutionPropertyOverrideValueProcedure(this.ctx, caller, input));
  }

  addExecutionWorker(caller: Principal, input: { executionId: number; workerAgentId: string }): Promise<void> {
    return this.write(() => addExecutionWorkerProcedure(this.ctx, caller, input));
  }

  // catalog.add_data_tap / add_data_tap_by_guid / remove_data_tap: the rules live in data-taps.ts.
  private readonly tapDb: DataTapDb = {
    get: (sql, ...p) => this.get(sql, ...p),
    all: (sql, ...p) => this.all(sql, ...p),
    run: (sql, ...p) => this.run(sql, ...p),
    visibleExecution: (caller, id) => this.visibleExecution(caller, id),
    guid: guidParam,
  };
  addDataTap(caller: Principal, input: AddDataTapInput): Promise<{ dataTapId: number }> {
    return this.write(() => addDataTap(this.tapDb, caller, input));
  }
  removeDataTap(caller: Principal, input: { dataTapId: number }): Promise<void> {
    return this.write(() => removeDataTap(this.tapDb, caller, input));
  }

  startExecution(caller: Principal, input: { executionId: number; retryCount?: number }): Promise<void> {
    return this.write(() => startExecutionProcedure(this.ctx, caller, input));
  }

  /** `internal.cancel_job`: tasks not running/finishing/succeeded become 6; all flagged cancelled; stop_id appended. */
  private cancelJob(jobId: string, stopId: number): void {
    const now = this.nowIso();
    for (const t of this.all<{ TaskId: string; InputData: string | null }>('SELECT TaskId, InputData FROM tasks WHERE JobId = ?', jobId)) {
      const data = parseInputData(t.InputData).filter((p) => p.name !== 'stop_id');
      data.push({ name: 'stop_id', value: String(stopId) });
      this.run(`UPDATE tasks SET Status = CASE WHEN Status IN (2, 3, 5) THEN Status ELSE 6 END, IsCancelled = 1, ReadyForDispatchTime = NULL,
        InputData = ?, LastUpdatedTime = ? WHERE TaskId = ?`, JSON.stringify(data), now, t.TaskId);
    }
    this.run('UPDATE jobs SET IsCancelled = 1, LastUpdatedTime = ? WHERE JobId = ?', now, jobId);
  }

  /** Execution → 3 canceled (stopped_by from the stop operation); the stop operation → 7. */
  private completeCancel(operationId: number, stopId: number | null): void {
    const now = this.nowIso();
    const stop = stopId === null ? undefined : this.get<{ caller_name: string }>('SELECT caller_name FROM operations WHERE operation_id = ? AND operation_type = 202', stopId);
    this.run(`UPDATE operations SET status = 3, end_time = ?, stopped_by_name = COALESCE(?, stopped_by_name) WHERE operation_id = ?`, now, stop?.caller_name ?? null, operationId);
    if (stop !== undefined) this.run('UPDATE operations SET status = 7, end_time = ? WHERE operation_id = ? AND status NOT IN (3, 4, 6, 7, 9)', now, stopId);
  }

  stopOperation(caller: Principal, input: { operationId: number }): Promise<{ stopOperationId: number }> {
    return this.write(() => stopOperationProcedure(this.ctx, caller, input));
  }

  // ---- workers ------------------------------------------------------------------------------

  enableWorkerAgent(caller: Principal, input: { workerAgentId: string }): Promise<void> {
    return this.write(() => enableWorkerAgentProcedure(this.ctx, caller, input));
  }
  disableWorkerAgent(caller: Principal, input: { workerAgentId: string }): Promise<void> {
    return this.write(() => disableWorkerAgentProcedure(this.ctx, caller, input));
  }

  deleteWorkerAgent(caller: Principal, input: { workerAgentId: string }): Promise<void> {
    return this.write(() => deleteWorkerAgentProcedure(this.ctx, caller, input));
  }

  setWorkerAgentProperty(caller: Principal, input: { workerAgentId: string; propertyName: string; propertyValue: string | null }): Promise<void> {
    return this.write(() => setWorkerAgentPropertyProcedure(this.ctx, caller, input));
  }

  // ---- catalog properties -------------------------------------------------------------------

  configureCatalog(caller: Principal, input: { propertyName: string; propertyValue: string }): Promise<void> {
    return this.write(() => configureCatalogProcedure(this.ctx, caller, input));
  }

  updateMasterAddress(caller: Principal, input: { masterAddress: string }): Promise<void> {
    return this.write(() => updateMasterAddressProcedure(this.ctx, caller, input));
  }

  private setMasterProperty(name: string, value: string): void {
    this.run('INSERT INTO master_properties (property_name, property_value) VALUES (?, ?) ON CONFLICT (property_name) DO UPDATE SET property_value = excluded.property_value', name, value);
  }

  // ---- views --------------------------------------------------------------------------------

  async queryView(caller: Principal, viewName: string): Promise<ViewResult> {
    this.flushLiveness();
    const name = resolveViewName(viewName);
    if (name === undefined) throw new SsoError('SSO_ERR_TSQL', `Invalid object name '${viewName}'.`, { number: 208, where: String(viewName) });
    const view = VIEWS[name]!;
    if (view.kind === 'effective') return this.effectivePermissions(caller);
    const select = `SELECT * FROM "${name}"`;
    const stmt = this.q(`${select} ORDER BY ${view.order}`);
    const columns = stmt.columns().map((c) => c.name);
    let rows: Row[] = [];
    switch (view.kind) {
      case 'public': rows = stmt.all() as Row[]; break;
      case 'scaleout': rows = hasRole(caller, SCALE_OUT_ROLES) ? (stmt.all() as Row[]) : []; break;
      case 'admin': rows = hasRole(caller, ADMIN_ROLES) ? (stmt.all() as Row[]) : []; break;
      case 'object': {
        rows = stmt.all() as Row[];
        if (!hasRole(caller, ADMIN_ROLES)) {
          const ids = readableIds(this.ctx, caller, view.objectClass!);
          rows = rows.filter((r) => ids.has(num(r[view.objectColumn!])));
        }
        break;
      }
      case 'operation':
        rows = hasRole(caller, LOG_READER_ROLES) ? (stmt.all() as Row[])
          : this.all(`${select} WHERE ${view.filter!} ORDER BY ${view.order}`, ...Array<string>(view.filter!.split('?').length - 1).fill(caller.name));
        break;
    }
    return { columns, rows };
  }

  /** catalog.effective_object_permissions: every permission the caller holds on folders, projects, environments and its operations. */
  private effectivePermissions(caller: Principal): ViewResult {
    const rows: Row[] = [];
    const classes: [1 | 2 | 3 | 4, string][] = [
      [1, 'SELECT folder_id AS id FROM folders ORDER BY 1'], [2, 'SELECT project_id AS id FROM projects ORDER BY 1'],
      [3, 'SELECT environment_id AS id FROM environments ORDER BY 1'],
      [4, hasRole(caller, ADMIN_ROLES) ? 'SELECT operation_id AS id FROM operations ORDER BY 1' : 'SELECT operation_id AS id FROM operations WHERE caller_name = ? ORDER BY 1'],
    ];
    for (const [cls, sql] of classes) {
      for (const { id } of this.all<{ id: number }>(sql, ...(cls === 4 && !hasRole(caller, ADMIN_ROLES) ? [caller.name] : []))) {
        for (const p of PERMISSIONS_OF[cls]) {
          const held = cls === 4 && !hasRole(caller, ADMIN_ROLES) ? p !== 4 || can(this.ctx, caller, 4, id, 4) : can(this.ctx, caller, cls, id, p);
          if (held) rows.push({ object_type: cls, object_id: id, permission_type: p });
        }
      }
    }
    return { columns: ['object_type', 'object_id', 'permission_type'], rows };
  }

  listViews(): readonly string[] {
    return Object.keys(VIEWS);
  }

  // ---- internal verbs -----------------------------------------------------------------------

  pullTask(caller: Principal, input: { workerAgentId: string; leaseMs: number; onlineWindowMs?: number }): Promise<TaskRecord | null> {
    return this.write(() => {
      requireRole(caller, ADMIN_ROLES);
      const { id, row } = this.workerRow('WorkerAgentId', input?.workerAgentId);
      if (!bool(row['IsEnabled'])) throw catalogError(27252, id);
      if (typeof input.leaseMs !== 'number' || !Number.isFinite(input.leaseMs) || input.leaseMs <= 0) throw catalogError(27101, 'leaseMs');
      const now = this.clock.now();
      const scripts = sqliteScriptRoutingCondition({ workerAgentId: id, nowMs: now, ...(input.onlineWindowMs === undefined ? {} : { onlineWindowMs: input.onlineWindowMs }) }, iso);
      const t = this.get<{ TaskId: string }>(`SELECT t.TaskId FROM tasks t INDEXED BY ix_tasks_ready
        WHERE t.ReadyForDispatchTime IS NOT NULL AND t.Status = 1
          AND EXISTS (SELECT 1 FROM job_worker_agents j WHERE j.JobId = t.JobId AND j.WorkerAgentId IN (?, ?))
          AND ${scripts.sql}
        ORDER BY t.ReadyForDispatchTime, t.rowid LIMIT 1`, id, ANY_WORKER_ID, ...scripts.params);
      if (t === undefined) return null;
      const nowText = iso(now);
      this.writes++;
      const claimed = this.q(`UPDATE tasks SET Status = 2, ExecutedCount = ExecutedCount + 1, WorkerAgentId = ?, ReadyForDispatchTime = NULL,
        ExpiredTime = ?, LastPickupTime = ?, LastUpdatedTime = ? WHERE TaskId = ? RETURNING *`).get(id, iso(now + input.leaseMs), nowText, nowText, t.TaskId) as Row;
      return toTaskRecord(claimed);
    });
  }

  // ---- batched dispatch verbs (issue 15): the dispatch cycle in batches of K -------------------

  /**
   * Extra condition on the tasks a worker may claim, ANDed into the claim's WHERE (alias `t` is the
   * task row, `?` parameters follow the returned order): the routing rules. Today one: executions with
   * Script Tasks go to workers with Mono while one can take them (runtime/catalog/script-routing.ts).
   */
  private claimFilter(workerAgentId: string, nowMs: number, onlineWindowMs: number | undefined): { readonly sql: string; readonly params: readonly unknown[] } {
    return sqliteScriptRoutingCondition({ workerAgentId, nowMs, ...(onlineWindowMs === undefined ? {} : { onlineWindowMs }) }, iso);
  }

  /** claimTasks' refusals (27243, 27252, 27101), checked before anything is read or written. */
  private checkClaim(caller: Principal, input: { workerAgentId: string; leaseMs: number; limit: number }): { id: string; row: Row } {
    requireRole(caller, ADMIN_ROLES);
    const { id, row } = this.workerRow('WorkerAgentId', input?.workerAgentId);
    if (!bool(row['IsEnabled'])) throw catalogError(27252, id);
    if (typeof input.leaseMs !== 'number' || !Number.isFinite(input.leaseMs) || input.leaseMs <= 0) throw catalogError(27101, 'leaseMs');
    if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > 10_000) throw catalogError(27101, 'limit');
    return { id, row };
  }

  /** Whether any task waits for dispatch (index only, microseconds): an idle claim stops here. */
  private anyReadyTask(): boolean {
    return this.get('SELECT 1 FROM tasks INDEXED BY ix_tasks_ready WHERE ReadyForDispatchTime IS NOT NULL AND Status = 1 LIMIT 1') !== undefined;
  }

  async hasReadyTasks(): Promise<boolean> {
    return this.anyReadyTask();
  }

  claimTasks(caller: Principal, input: { workerAgentId: string; leaseMs: number; limit: number; onlineWindowMs?: number }): Promise<readonly TaskRecord[]> {
    // Idle claims (a master asks for every worker with free slots; most find nothing) answer at once
    // when no queued mutation could make a task ready: no transaction, nothing to commit.
    if (!this.closed && !this.readyMayChange) {
      try {
        this.checkClaim(caller, input);
        if (!this.anyReadyTask()) return Promise.resolve([]);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.write(() => {
      const { id, row } = this.checkClaim(caller, input);
      if (!this.anyReadyTask()) return [];
      const now = this.clock.now();
      const nowText = iso(now);
      const filter = this.claimFilter(id, now, input.onlineWindowMs);
      this.writes++;
      // One statement claims K: the FIFO selection of pullTask as a subquery, the claim as its UPDATE.
      const rows = this.q(`UPDATE tasks SET Status = 2, ExecutedCount = ExecutedCount + 1, WorkerAgentId = ?, ReadyForDispatchTime = NULL,
        ExpiredTime = ?, LastPickupTime = ?, LastUpdatedTime = ?
        WHERE TaskId IN (SELECT t.TaskId FROM tasks t INDEXED BY ix_tasks_ready
          WHERE t.ReadyForDispatchTime IS NOT NULL AND t.Status = 1
            AND EXISTS (SELECT 1 FROM job_worker_agents j WHERE j.JobId = t.JobId AND j.WorkerAgentId IN (?, ?))${filter.sql === '' ? '' : ` AND (${filter.sql})`}
          ORDER BY t.ReadyForDispatchTime, t.rowid LIMIT ?)
        RETURNING *`).all(id, iso(now + input.leaseMs), nowText, nowText, id, ANY_WORKER_ID, ...filter.params, input.limit) as Row[];
      if (rows.length === 0) return [];
      const tasks = rows.map(toTaskRecord).sort((a, b) => a.createdTime - b.createdTime);
      // Running folded into the claim's transaction: update_operation_status_for_task (status 2) for
      // every claimed execution in one statement. Pending → running only; a stop that arrived (8) stays.
      const executions = tasks.filter((t) => t.taskType === 0 && t.executionId > 0).map((t) => ({ id: t.executionId, n: t.executedCount }));
      if (executions.length > 0) {
        this.run(`UPDATE operations SET status = CASE WHEN operations.status = 5 THEN 2 ELSE operations.status END,
          machine_name = COALESCE(?, operations.machine_name), worker_agent_id = ?, executed_count = json_extract(c.value, '$.n')
          FROM json_each(?) c WHERE operations.operation_id = json_extract(c.value, '$.id')`,
        strOrNull(row['MachineName']), id, JSON.stringify(executions));
      }
      return tasks;
    }, 'claim');
  }

  /**
   * Moves the execution of a task that just reached a final state, in the same transaction:
   * succeeded → 7; failed → 4 (or 6 when the lease was lost); cancelled → 3 with the stop operation → 7.
   */
  private finishExecution(task: TaskRecord, taskStatus: number, leaseLost: boolean): number | undefined {
    if (task.taskType !== 0 || task.executionId < 0) return undefined;
    const now = this.nowIso();
    const op = this.get<{ status: number }>('SELECT status FROM operations WHERE operation_id = ?', task.executionId);
    if (op === undefined || FINAL_OPERATION_STATUSES.has(op.status)) return undefined;
    const stopRaw = task.inputData.find((p) => p.name === 'stop_id')?.value;
    const stopId = stopRaw === undefined ? null : Number(stopRaw);
    this.run('UPDATE operations SET executed_count = ? WHERE operation_id = ?', task.executedCount, task.executionId);
    if (taskStatus === 6) {
      this.completeCancel(task.executionId, stopId);
      return 3;
    }
    const status = taskStatus === 5 ? 7 : leaseLost ? 6 : 4;
    this.run('UPDATE operations SET status = ?, end_time = ? WHERE operation_id = ?', status, now, task.executionId);
    if (stopId !== null) this.run('UPDATE operations SET status = 7, end_time = ? WHERE operation_id = ? AND status NOT IN (3, 4, 6, 7, 9)', now, stopId);
    return status;
  }

  updateTaskStatus(caller: Principal, input: UpdateTaskStatusInput): Promise<UpdateTaskStatusResult> {
    return this.write(() => {
      requireRole(caller, ADMIN_ROLES);
      const wid = guidParam('WorkerAgentId', input?.workerAgentId);
      const taskId = guidParam('TaskId', input.taskId);
      const status = input.status;
      if (status !== 2 && status !== 3 && status !== 4 && status !== 5 && status !== 6) throw catalogError(27101, 'Status');
      const attempt = input.attempt;
      const expiredTime = input.expiredTime;
      let now: string | undefined;
      // The hot path (heartbeats): one statement that checks the lease and writes, for a report that
      // keeps the task's status on a task not cancelled. It matches exactly when the checks below
      // would pass, the status is unchanged (so the indexed Status column is not written) and the
      // answer is the reported status; anything else, including every refusal, takes the general
      // path below, which reports the same errors in the same order. (No RETURNING: it costs more
      // than the whole rest of the statement.)
      if ((status === 2 || status === 3) && typeof attempt === 'number' && Number.isInteger(attempt)
        && typeof expiredTime === 'number' && Number.isFinite(expiredTime)) {
        let changes: number;
        try {
          changes = this.q(`UPDATE tasks SET ExpiredTime = ?, LastUpdatedTime = ?
            WHERE TaskId = ? AND WorkerAgentId = ? AND Status = ? AND ExecutedCount = ? AND IsCancelled = 0`)
            .run(iso(expiredTime), now = this.nowIso(), taskId, wid, status, attempt).changes;
        } catch (error) {
          this.writes++; // it may have written: the group must replay with savepoints
          throw error;
        }
        // Counted only when it wrote, so that a refusal below does not force a replay of the group.
        if (changes === 1) {
          this.writes++;
          return { status };
        }
      }
      const row = this.get('SELECT * FROM tasks WHERE TaskId = ?', taskId);
      // Only the owner's current attempt, on a task still leased, with a status that does not go back.
      // A disabled worker is NOT refused here: it drains its running tasks (README.md).
      if (row === undefined || row['WorkerAgentId'] !== wid || (row['Status'] !== 2 && row['Status'] !== 3) || status < (row['Status'] as number) || attempt !== row['ExecutedCount']) {
        throw catalogError(27246, taskId);
      }
      now ??= this.nowIso();
      if (status === 2 || status === 3) {
        if (typeof expiredTime !== 'number' || !Number.isFinite(expiredTime)) throw catalogError(27101, 'ExpiredTime');
        if (status === row['Status']) this.run('UPDATE tasks SET ExpiredTime = ?, LastUpdatedTime = ? WHERE TaskId = ?', iso(expiredTime), now, taskId);
        else this.run('UPDATE tasks SET Status = ?, ExpiredTime = ?, LastUpdatedTime = ? WHERE TaskId = ?', status, iso(expiredTime), now, taskId);
        return { status: bool(row['IsCancelled']) ? 6 : status };
      }
      const task = toTaskRecord(row);
      if (input.status === 5) {
        this.run('UPDATE tasks SET Status = 5, ExpiredTime = NULL, LastUpdatedTime = ? WHERE TaskId = ?', now, taskId);
        const operationStatus = this.finishExecution(task, 5, false);
        return operationStatus === undefined ? { status: 5 } : { status: 5, operationStatus };
      }
      // 4 (failed) or 6 (canceled by the worker).
      if (!task.isCancelled && task.maxExecutedCount > task.executedCount) {
        this.run('UPDATE tasks SET Status = 1, ReadyForDispatchTime = ?, WorkerAgentId = NULL, ExpiredTime = NULL, LastUpdatedTime = ? WHERE TaskId = ?', now, now, taskId);
        return { status: 1 };
      }
      const finalStatus = task.isCancelled ? 6 : input.status;
      this.run('UPDATE tasks SET Status = ?, ExpiredTime = NULL, LastUpdatedTime = ? WHERE TaskId = ?', finalStatus, now, taskId);
      const operationStatus = this.finishExecution(task, finalStatus, false);
      return operationStatus === undefined ? { status: input.status } : { status: input.status, operationStatus };
    });
  }

  updateOperationStatusForTask(caller: Principal, input: { status: number; operationId: number; workerAgentId?: string | null }): Promise<void> {
    return this.write(() => {
      requireRole(caller, ADMIN_ROLES);
      const op = this.get<{ status: number }>('SELECT status FROM operations WHERE operation_id = ?', input?.operationId);
      if (op === undefined) throw catalogError(27143, input?.operationId);
      const now = this.nowIso();
      if (input.status === 2) {
        const wid = input.workerAgentId === null || input.workerAgentId === undefined ? null : guidParam('agent_id', input.workerAgentId);
        const machine = wid === null ? null : strOrNull(this.get<{ MachineName: string | null }>('SELECT MachineName FROM worker_agents WHERE WorkerAgentId = ?', wid)?.MachineName);
        const task = this.get<{ ExecutedCount: number }>('SELECT t.ExecutedCount FROM tasks t JOIN executions e ON e.job_id = t.JobId WHERE e.execution_id = ?', input.operationId);
        // Pending → running only: a stop that arrived meanwhile (8) or a final state is kept.
        this.run(`UPDATE operations SET status = CASE WHEN status = 5 THEN 2 ELSE status END, machine_name = COALESCE(?, machine_name),
          worker_agent_id = COALESCE(?, worker_agent_id), executed_count = COALESCE(?, executed_count) WHERE operation_id = ?`,
        machine, wid, task?.ExecutedCount ?? null, input.operationId);
      } else if (FINAL_OPERATION_STATUSES.has(input.status) && !FINAL_OPERATION_STATUSES.has(op.status)) {
        this.run('UPDATE operations SET status = ?, end_time = ? WHERE operation_id = ?', input.status, now, input.operationId);
      }
    });
  }

  updateCancelledOperationStatus(caller: Principal, input: { operationId: number; stopId: number }): Promise<void> {
    return this.write(() => {
      requireRole(caller, ADMIN_ROLES);
      if (this.get('SELECT 1 FROM operations WHERE operation_id = ?', input?.operationId) === undefined) throw catalogError(27143, input?.operationId);
      if (this.get('SELECT 1 FROM operations WHERE operation_id = ? AND operation_type = 202', input.stopId) === undefined) throw catalogError(27143, input.stopId);
      this.completeCancel(input.operationId, input.stopId);
    });
  }

  dealWithExpiredTasks(caller: Principal): Promise<readonly ExpiredTaskOutcome[]> {
    return this.write(() => {
      requireRole(caller, ADMIN_ROLES);
      const nowMs = this.clock.now();
      const now = iso(nowMs);
      const out: ExpiredTaskOutcome[] = [];
      for (const row of this.all('SELECT * FROM tasks WHERE Status IN (2, 3) AND ExpiredTime IS NOT NULL AND ExpiredTime <= ? ORDER BY ExpiredTime', now)) {
        const task = toTaskRecord(row);
        let taskStatus: number;
        if (task.isCancelled) taskStatus = 6;
        else if (task.maxExecutedCount > task.executedCount) taskStatus = 1;
        else taskStatus = 4;
        if (taskStatus === 1) {
          this.run('UPDATE tasks SET Status = 1, ReadyForDispatchTime = ?, WorkerAgentId = NULL, ExpiredTime = NULL, LastUpdatedTime = ? WHERE TaskId = ?', now, now, task.taskId);
          out.push({ taskId: task.taskId, executionId: task.executionId, taskStatus });
          continue;
        }
        this.run('UPDATE tasks SET Status = ?, ExpiredTime = NULL, LastUpdatedTime = ? WHERE TaskId = ?', taskStatus, now, task.taskId);
        const operationStatus = this.finishExecution(task, taskStatus, true);
        out.push(operationStatus === undefined ? { taskId: task.taskId, executionId: task.executionId, taskStatus } : { taskId: task.taskId, executionId: task.executionId, taskStatus, operationStatus });
      }
      return out;
    });
  }

  extendHeldLeases(caller: Principal, input: { expiredTime: number }): Promise<number> {
    return this.write(() => {
      requireRole(caller, ADMIN_ROLES);
      if (typeof input?.expiredTime !== 'number' || !Number.isFinite(input.expiredTime)) throw catalogError(27101, 'ExpiredTime');
      const until = iso(input.expiredTime);
      return this.run('UPDATE tasks SET ExpiredTime = ? WHERE Status IN (2, 3) AND (ExpiredTime IS NULL OR ExpiredTime < ?)', until, until).changes;
    });
  }

  readoptLostTask(caller: Principal, input: { taskId: string; workerAgentId: string; attempt: number; status: number; expiredTime: number }): Promise<'readopted' | 'succeeded' | 'refused'> {
    return this.write(() => {
      requireRole(caller, ADMIN_ROLES);
      const wid = guidParam('WorkerAgentId', input?.workerAgentId);
      const taskId = guidParam('TaskId', input.taskId);
      if (typeof input.expiredTime !== 'number' || !Number.isFinite(input.expiredTime)) throw catalogError(27101, 'ExpiredTime');
      const row = this.get('SELECT * FROM tasks WHERE TaskId = ?', taskId);
      if (row === undefined || row['ExecutedCount'] !== input.attempt || bool(row['IsCancelled'])) return 'refused';
      const now = this.nowIso();
      if (row['Status'] === 1 && input.status >= 2 && input.status <= 6) {
        this.run('UPDATE tasks SET Status = ?, WorkerAgentId = ?, ReadyForDispatchTime = NULL, ExpiredTime = ?, LastUpdatedTime = ? WHERE TaskId = ?',
          input.status === 3 ? 3 : 2, wid, iso(input.expiredTime), now, taskId);
        return 'readopted';
      }
      if (row['Status'] === 4 && input.status === 5 && row['WorkerAgentId'] === wid && row['TaskType'] === 0) {
        const task = toTaskRecord(row);
        const op = this.get<{ status: number }>('SELECT status FROM operations WHERE operation_id = ?', task.executionId);
        if (op?.status !== 6) return 'refused';
        this.run('UPDATE tasks SET Status = 5, LastUpdatedTime = ? WHERE TaskId = ?', now, taskId);
        this.run('UPDATE operations SET status = 7, end_time = ? WHERE operation_id = ?', now, task.executionId);
        return 'succeeded';
      }
      return 'refused';
    });
  }

  cleanupCompletedJobs(caller: Principal, input?: { minutesToKeep?: number }): Promise<{ jobsRemoved: number }> {
    return this.write(() => {
      requireRole(caller, ADMIN_ROLES);
      const raw = input?.minutesToKeep;
      const minutes = typeof raw === 'number' && Number.isFinite(raw) && raw >= 0 ? raw : 60;
      const nowMs = this.clock.now();
      const cutoff = iso(nowMs - minutes * 60000);
      // Jobs with at least one task, every task final (> 3), untouched since the cutoff.
      const jobs = this.all<{ JobId: string }>(`SELECT j.JobId FROM jobs j WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.JobId = j.JobId)
        AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.JobId = j.JobId AND (t.Status <= 3 OR t.LastUpdatedTime > ?))`, cutoff);
      for (const { JobId } of jobs) {
        this.run('INSERT OR REPLACE INTO jobs_history SELECT * FROM jobs WHERE JobId = ?', JobId);
        this.run('INSERT OR REPLACE INTO tasks_history SELECT * FROM tasks WHERE JobId = ?', JobId);
        this.run('INSERT OR REPLACE INTO job_worker_agents_history SELECT * FROM job_worker_agents WHERE JobId = ?', JobId);
        this.run('DELETE FROM jobs WHERE JobId = ?', JobId);
      }
      // Perf counters: 24 hours.
      this.run('DELETE FROM worker_agent_perfcounter WHERE TimeStamp < ?', iso(nowMs - PERF_COUNTER_KEEP_MS));
      // Operations, their logs and job history: RETENTION_WINDOW days, when OPERATION_CLEANUP_ENABLED.
      const window = Number(this.prop('RETENTION_WINDOW'));
      if (this.prop('OPERATION_CLEANUP_ENABLED').toUpperCase() === 'TRUE' && Number.isFinite(window) && window > 0) {
        const old = iso(nowMs - window * DAY_MS);
        this.run(`DELETE FROM jobs WHERE JobId IN (SELECT e.job_id FROM executions e JOIN operations o ON o.operation_id = e.execution_id
          WHERE o.created_time < ? AND o.status NOT IN (2, 5, 8))`, old);
        this.run('DELETE FROM operations WHERE created_time < ? AND status NOT IN (2, 5, 8)', old);
        this.run('DELETE FROM tasks_history WHERE JobId IN (SELECT JobId FROM jobs_history WHERE LastUpdatedTime < ?)', old);
        this.run('DELETE FROM job_worker_agents_history WHERE JobId IN (SELECT JobId FROM jobs_history WHERE LastUpdatedTime < ?)', old);
        this.run('DELETE FROM jobs_history WHERE LastUpdatedTime < ?', old);
      }
      return { jobsRemoved: jobs.length };
    });
  }

  updateWorkerAgentStatus(caller: Principal, input: WorkerAgentStatusInput): Promise<{ isEnabled: boolean; registered: boolean }> {
    // A liveness-only heartbeat of a registered worker while no mutation is queued (so the read below
    // is what the group would read): nothing committed now, see pendingLiveness.
    if (!this.closed && this.queue.length === 0 && input?.certificateThumbprint === undefined && input?.machineProperties !== undefined
      && input.machineProperties !== null && Object.keys(input.machineProperties).length === 0) {
      try {
        requireRole(caller, ADMIN_ROLES);
        const wid = guidParam('WorkerAgentId', input.workerAgentId);
        if (wid === ANY_WORKER_ID) throw catalogError(27101, 'WorkerAgentId');
        const counters = validPerfCounters(input.perfCounters);
        const existing = this.get<{ IsEnabled: number }>('SELECT IsEnabled FROM worker_agents WHERE WorkerAgentId = ?', wid);
        if (existing !== undefined) {
          this.pendingLiveness.set(wid, this.nowIso());
          for (const c of counters) this.pendingCounters.push({ wid, name: c.name, value: c.value, time: iso(c.timestamp) });
          this.scheduleLivenessFlush();
          return Promise.resolve({ isEnabled: bool(existing.IsEnabled), registered: false });
        }
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.write(() => {
      requireRole(caller, ADMIN_ROLES);
      const wid = guidParam('WorkerAgentId', input?.workerAgentId);
      if (wid === ANY_WORKER_ID) throw catalogError(27101, 'WorkerAgentId');
      const props = input.machineProperties ?? {};
      validPerfCounters(input.perfCounters);
      const now = this.nowIso();
      const machine = props['MachineName'] ?? null;
      const account = props['UserAccount'] ?? null;
      const thumbprint = input.certificateThumbprint === undefined ? null : thumbprintParam(input.certificateThumbprint);
      const existing = this.get<{ IsEnabled: number; CertificateThumbprint: string | null }>('SELECT IsEnabled, CertificateThumbprint FROM worker_agents WHERE WorkerAgentId = ?', wid);
      if (thumbprint !== null) {
        // Checked before anything is written: a refused hello leaves the catalog as it was.
        if (existing !== undefined && existing.CertificateThumbprint !== null && existing.CertificateThumbprint !== thumbprint) {
          throw certificateMismatch(wid, thumbprint, `worker agent ${wid} is bound to client certificate ${existing.CertificateThumbprint}`);
        }
        const holder = this.get<{ WorkerAgentId: string }>('SELECT WorkerAgentId FROM worker_agents WHERE CertificateThumbprint = ? AND WorkerAgentId <> ?', thumbprint, wid);
        if (holder !== undefined) throw certificateMismatch(wid, thumbprint, `that certificate is bound to worker agent ${holder.WorkerAgentId}`);
      }
      if (existing === undefined) {
        this.run('INSERT INTO worker_agents (WorkerAgentId, MachineName, UserAccount, IsEnabled, LastOnlineTime, CertificateThumbprint) VALUES (?, ?, ?, 0, ?, ?)', wid, machine, account, now, thumbprint);
      } else {
        this.run('UPDATE worker_agents SET LastOnlineTime = ?, MachineName = COALESCE(?, MachineName), UserAccount = COALESCE(?, UserAccount), CertificateThumbprint = COALESCE(CertificateThumbprint, ?) WHERE WorkerAgentId = ?', now, machine, account, thumbprint, wid);
      }
      for (const [k, v] of Object.entries(props)) {
        this.run('INSERT INTO machine_properties (WorkerAgentId, PropertyName, PropertyValue) VALUES (?, ?, ?) ON CONFLICT (WorkerAgentId, PropertyName) DO UPDATE SET PropertyValue = excluded.PropertyValue', wid, k, v === null || v === undefined ? null : String(v));
      }
      for (const c of input.perfCounters ?? []) {
        this.run('INSERT INTO worker_agent_perfcounter (WorkerAgentId, PerfCounterName, PerfCounterValue, TimeStamp) VALUES (?, ?, ?, ?)', wid, c.name, c.value, iso(c.timestamp));
      }
      return { isEnabled: existing === undefined ? false : bool(existing.IsEnabled), registered: existing === undefined };
    });
  }

  masterHeartbeat(caller: Principal): Promise<void> {
    return this.write(() => {
      requireRole(caller, ADMIN_ROLES);
      this.setMasterProperty('LAST_ONLINE_TIME', this.nowIso());
    });
  }

  updateMasterSettings(caller: Principal, input: { machineName: string; machineIp: string; masterServicePort: string; sslCertThumbprint: string; masterHeartbeatIntervalInMs: string }): Promise<void> {
    return this.write(() => {
      requireRole(caller, ADMIN_ROLES);
      const pairs: [string, string, unknown][] = [
        ['MACHINE_NAME', 'MachineName', input?.machineName], ['MACHINE_IP', 'MachineIP', input?.machineIp],
        ['MASTER_SERVICE_PORT', 'MasterServicePort', input?.masterServicePort], ['SSLCERT_THUMBPRINT', 'SSLCertThumbprint', input?.sslCertThumbprint],
        ['MASTER_HEARTBEAT_INTERVALINMS', 'MasterHeartbeatIntervalInMs', input?.masterHeartbeatIntervalInMs],
      ];
      for (const [, param, v] of pairs) {
        if (v === null || v === undefined) throw catalogError(27100, param);
        if (typeof v !== 'string' || v.length > 256) throw catalogError(27101, param);
      }
      for (const [prop, , v] of pairs) this.run('UPDATE master_properties SET property_value = ? WHERE property_name = ?', v, prop);
    });
  }

  appendEventMessages(caller: Principal, messages: readonly EventMessageInput[]): Promise<void> {
    return this.write(() => {
      requireRole(caller, WORKER_LOG_ROLES);
      if (!Array.isArray(messages)) throw catalogError(27100, 'messages');
      for (const m of messages) {
        const guid = guidParam('event_message_guid', m?.eventMessageGuid);
        if (this.get('SELECT 1 FROM operation_messages WHERE event_message_guid = ?', guid) !== undefined) continue;
        if (this.get('SELECT 1 FROM operations WHERE operation_id = ?', m.operationId) === undefined) throw catalogError(27143, m.operationId);
        if (typeof m.messageTime !== 'number' || !Number.isFinite(m.messageTime)) throw catalogError(27101, 'message_time');
        const r = this.run(`INSERT INTO operation_messages (operation_id, message_time, message_type, message_source_type, message, extended_info_id, event_message_guid)
          VALUES (?, ?, ?, ?, ?, ?, ?)`, m.operationId, iso(m.messageTime), m.messageType, m.messageSourceType, m.message, m.extendedInfoId ?? null, guid);
        const id = Number(r.lastInsertRowid);
        this.run(`INSERT INTO event_messages (event_message_id, operation_id, package_name, package_location_type, package_path_full, event_name,
          message_source_name, message_source_id, subcomponent_name, package_path, execution_path, threadID, message_code, event_message_guid)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, m.operationId, m.packageName, m.packageLocationType ?? null, m.packagePathFull ?? null,
        m.eventName, m.messageSourceName, m.messageSourceId, m.subcomponentName ?? null, m.packagePath, m.executionPath, m.threadId, m.messageCode ?? null, guid);
        const stats = m.eventName === 'OnPipelineRowsSent' ? parseRowsSent(m.message) : undefined;
        if (stats) {
          this.run(`INSERT INTO execution_data_statistics (execution_id, package_name, task_name, dataflow_path_id_string, dataflow_path_name,
            source_component_name, destination_component_name, rows_sent, created_time, execution_path, event_message_guid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          m.operationId, m.packageName, m.messageSourceName, stats.pathId, stats.pathName, stats.source, stats.destination, stats.rows, iso(m.messageTime), m.executionPath, guid);
        }
        for (const c of m.context ?? []) {
          const value = typeof c.propertyValue === 'boolean' ? (c.propertyValue ? 1 : 0) : c.propertyValue;
          this.run(`INSERT INTO event_message_context (operation_id, event_message_id, context_depth, package_path, context_type, context_source_name,
            context_source_id, property_name, property_value, event_message_guid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          m.operationId, id, c.contextDepth, c.packagePath, c.contextType, c.contextSourceName, c.contextSourceId, c.propertyName, value ?? null, guid);
        }
      }
    });
  }

  appendExecutableStatistics(caller: Principal, statistics: readonly ExecutableStatisticInput[]): Promise<void> {
    return this.write(() => {
      requireRole(caller, WORKER_LOG_ROLES);
      if (!Array.isArray(statistics)) throw catalogError(27100, 'statistics');
      for (const s of statistics) {
        const guid = guidParam('statistic_guid', s?.statisticGuid);
        if (this.get('SELECT 1 FROM executable_statistics WHERE statistic_guid = ?', guid) !== undefined) continue;
        if (this.get('SELECT 1 FROM operations WHERE operation_id = ? AND operation_type = 200', s.operationId) === undefined) throw catalogError(27103, s.operationId);
        if (![s.startTime, s.endTime].every((t) => typeof t === 'number' && Number.isFinite(t))) throw catalogError(27101, 'start_time');
        this.run('INSERT OR IGNORE INTO executables (execution_id, executable_name, executable_guid, package_name, package_path) VALUES (?, ?, ?, ?, ?)',
          s.operationId, s.executableName, s.executableGuid, s.packageName, s.packagePath);
        const exe = this.get<{ executable_id: number }>('SELECT executable_id FROM executables WHERE execution_id = ? AND package_name = ? AND package_path = ? AND executable_guid = ?',
          s.operationId, s.packageName, s.packagePath, s.executableGuid)!;
        const value = typeof s.executionValue === 'boolean' ? (s.executionValue ? 1 : 0) : s.executionValue ?? null;
        this.run(`INSERT INTO executable_statistics (execution_id, executable_id, execution_path, start_time, end_time, execution_duration, execution_result,
          execution_value, statistic_guid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.operationId, exe.executable_id, s.executionPath, iso(s.startTime), iso(s.endTime),
        s.executionDuration, s.executionResult, value, guid);
      }
    });
  }

  /** `internal.append_execution_component_phases_for_worker`: the rules are in component-phases.ts. */
  appendComponentPhases(caller: Principal, phases: readonly ComponentPhaseInput[]): Promise<void> {
    return this.write(() => {
      requireRole(caller, WORKER_LOG_ROLES);
      appendComponentPhases(this.tapDb, phases, iso, guidParam);
    });
  }

  // ---- reads --------------------------------------------------------------------------------

  async getTask(taskId: string): Promise<TaskRecord | null> {
    const m = typeof taskId === 'string' ? GUID_RE.exec(taskId.trim()) : null;
    if (!m) return null;
    const r = this.get('SELECT * FROM tasks WHERE TaskId = ?', m[1]!.toLowerCase());
    return r === undefined ? null : toTaskRecord(r);
  }

  async listLiveTasks(): Promise<readonly TaskRecord[]> {
    return this.all('SELECT * FROM tasks WHERE Status IN (1, 2, 3) ORDER BY CreatedTime, rowid').map(toTaskRecord);
  }

  /**
   * Through ix_operations_status (only unfinished operations: the live ones), then executions by key
   * and tasks by ix_tasks_job: cheap enough to run with every expiry sweep.
   */
  async listUnfinishedEndedExecutions(): Promise<readonly UnfinishedEndedExecution[]> {
    return this.all<{ execution_id: number; status: number; TaskId: string; Status: number; WorkerAgentId: string | null; ExecutedCount: number; IsCancelled: number }>(
      `SELECT o.operation_id AS execution_id, o.status, t.TaskId, t.Status, t.WorkerAgentId, t.ExecutedCount, t.IsCancelled
       FROM operations o JOIN executions e ON e.execution_id = o.operation_id JOIN tasks t ON t.JobId = e.job_id
       WHERE o.status IN (2, 5, 8) AND o.operation_type = 200 AND t.Status IN (4, 5, 6) ORDER BY o.operation_id`,
    ).map((r) => ({
      executionId: r.execution_id, operationStatus: r.status, taskId: r.TaskId, taskStatus: r.Status,
      workerAgentId: r.WorkerAgentId, attempt: r.ExecutedCount, isCancelled: bool(r.IsCancelled),
    }));
  }

  async getWorkerAgent(workerAgentId: string): Promise<WorkerAgentRecord | null> {
    const m = typeof workerAgentId === 'string' ? GUID_RE.exec(workerAgentId.trim()) : null;
    if (!m) return null;
    this.flushLiveness();
    const r = this.get('SELECT * FROM worker_agents WHERE WorkerAgentId = ?', m[1]!.toLowerCase());
    return r === undefined ? null : toWorker(r);
  }

  async listWorkerAgents(): Promise<readonly WorkerAgentRecord[]> {
    this.flushLiveness();
    return this.all('SELECT * FROM worker_agents ORDER BY WorkerAgentId').map(toWorker);
  }

  async getExecutionPayload(executionId: number): Promise<ExecutionPayload> {
    const e = this.get(`SELECT e.*, o.operation_guid, o.object_id AS project_id, v.sha256 FROM executions e JOIN operations o ON o.operation_id = e.execution_id
      LEFT JOIN object_versions v ON v.object_version_lsn = e.project_lsn WHERE e.execution_id = ?`, executionId);
    if (e === undefined) throw catalogError(27103, executionId);
    const paramStmt = this.q('SELECT object_type, parameter_name, parameter_data_type, parameter_value, sensitive_parameter_value, sensitive FROM execution_parameter_values WHERE execution_id = ? ORDER BY execution_parameter_id');
    const params = paramStmt.safeIntegers(true).all(executionId) as Row[];
    paramStmt.safeIntegers(false);
    return {
      executionId,
      operationGuid: String(e['operation_guid']),
      folderName: String(e['folder_name']),
      projectName: String(e['project_name']),
      projectId: num(e['project_id']),
      projectVersionLsn: num(e['project_lsn']),
      projectSha256: String(e['sha256'] ?? ''),
      packageName: String(e['package_name']),
      use32BitRuntime: bool(e['use32bitruntime']),
      parameters: params.map((p) => {
        const sensitive = bool(p['sensitive']);
        const dataType = String(p['parameter_data_type']);
        return {
          objectType: Number(p['object_type']) as 20 | 30 | 50,
          name: String(p['parameter_name']),
          dataType,
          // The one place a sensitive value is decrypted: the execution is being handed to a worker.
          value: sensitive ? this.cipher.decrypt(p['sensitive_parameter_value'], `execution ${executionId} parameter '${String(p['parameter_name'])}'`) : loadValue(dataType, p['parameter_value']),
          sensitive,
        };
      }),
      propertyOverrides: this.all('SELECT property_path, property_value, sensitive_property_value, sensitive FROM execution_property_override_values WHERE execution_id = ? ORDER BY property_id', executionId)
        .map((p) => ({ propertyPath: String(p['property_path']), value: String((bool(p['sensitive']) ? this.cipher.decrypt(p['sensitive_property_value'], `execution ${executionId} property override`) : p['property_value']) ?? ''), sensitive: bool(p['sensitive']) })),
      dataTaps: listDataTaps(this.tapDb, executionId),
    };
  }

  async getOperationStatus(operationId: number): Promise<number | null> {
    const r = this.get<{ status: number }>('SELECT status FROM operations WHERE operation_id = ?', operationId);
    return r === undefined ? null : r.status;
  }

  async externalChangeToken(): Promise<string> {
    return String(this.db.pragma('data_version', { simple: true }));
  }

  integrityCheck(): string {
    return String(this.db.pragma('integrity_check', { simple: true }));
  }

  async rotateKey(): Promise<{ reencrypted: number; newKeyHex?: string }> {
    const { randomBytes: rb } = await import('node:crypto');
    const newKey = rb(32);
    const fromEnv = this.keySource === 'env';
    const pendingFile = `${keyFileOf(this.path)}.new`;
    if (!fromEnv) writeKeyFile(pendingFile, newKey);
    const next = makeCipher(newKey);
    const reencrypted = await this.write(() => {
      let n = 0;
      for (const [table, id, column] of ENVELOPE_COLUMNS) {
        for (const r of this.all<Row>(`SELECT ${id} AS id, ${column} AS v FROM ${table} WHERE ${column} IS NOT NULL`)) {
          if (!isEnvelope(r['v'])) throw new SsoError('SSO_ERR_CATALOG_IO', `${table}.${column} of row ${String(r['id'])} is not an encrypted envelope`, { where: `${table}.${column}` });
          this.run(`UPDATE ${table} SET ${column} = ? WHERE ${id} = ?`, next.encrypt(this.cipher.decrypt(r['v'], `${table}.${column}`)), r['id']);
          n++;
        }
      }
      return n;
    });
    this.cipher = next;
    if (fromEnv) return { reencrypted, newKeyHex: newKey.toString('hex') };
    const { renameSync } = await import('node:fs');
    renameSync(pendingFile, keyFileOf(this.path));
    return { reencrypted };
  }

  // ---- environments, references, object parameter values, permissions (issue 14) ---------------

  createEnvironment(caller: Principal, input: Parameters<EnvironmentApi['createEnvironment']>[1]) { return this.write(() => createEnvironment(this.ctx, caller, input)); }
  renameEnvironment(caller: Principal, input: Parameters<EnvironmentApi['renameEnvironment']>[1]) { return this.write(() => renameEnvironment(this.ctx, caller, input)); }
  moveEnvironment(caller: Principal, input: Parameters<EnvironmentApi['moveEnvironment']>[1]) { return this.write(() => moveEnvironment(this.ctx, caller, input)); }
  deleteEnvironment(caller: Principal, input: Parameters<EnvironmentApi['deleteEnvironment']>[1]) { return this.write(() => deleteEnvironment(this.ctx, caller, input)); }
  createEnvironmentVariable(caller: Principal, input: Parameters<EnvironmentApi['createEnvironmentVariable']>[1]) { return this.write(() => createEnvironmentVariable(this.ctx, caller, input)); }
  setEnvironmentVariableValue(caller: Principal, input: Parameters<EnvironmentApi['setEnvironmentVariableValue']>[1]) { return this.write(() => setEnvironmentVariableValue(this.ctx, caller, input)); }
  setEnvironmentVariableProperty(caller: Principal, input: Parameters<EnvironmentApi['setEnvironmentVariableProperty']>[1]) { return this.write(() => setEnvironmentVariableProperty(this.ctx, caller, input)); }
  setEnvironmentVariableProtection(caller: Principal, input: Parameters<EnvironmentApi['setEnvironmentVariableProtection']>[1]) { return this.write(() => setEnvironmentVariableProtection(this.ctx, caller, input)); }
  deleteEnvironmentVariable(caller: Principal, input: Parameters<EnvironmentApi['deleteEnvironmentVariable']>[1]) { return this.write(() => deleteEnvironmentVariable(this.ctx, caller, input)); }
  createEnvironmentReference(caller: Principal, input: Parameters<EnvironmentApi['createEnvironmentReference']>[1]) { return this.write(() => createEnvironmentReference(this.ctx, caller, input)); }
  deleteEnvironmentReference(caller: Principal, input: Parameters<EnvironmentApi['deleteEnvironmentReference']>[1]) { return this.write(() => deleteEnvironmentReference(this.ctx, caller, input)); }
  setObjectParameterValue(caller: Principal, input: Parameters<EnvironmentApi['setObjectParameterValue']>[1]) { return this.write(() => setObjectParameterValue(this.ctx, caller, input)); }
  clearObjectParameterValue(caller: Principal, input: Parameters<EnvironmentApi['clearObjectParameterValue']>[1]) { return this.write(() => clearObjectParameterValue(this.ctx, caller, input)); }
  grantPermission(caller: Principal, input: PermissionInput) { return this.write(() => grantPermission(this.ctx, caller, input)); }
  denyPermission(caller: Principal, input: PermissionInput) { return this.write(() => denyPermission(this.ctx, caller, input)); }
  revokePermission(caller: Principal, input: PermissionInput) { return this.write(() => revokePermission(this.ctx, caller, input)); }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.queue.length > 0) this.flush();
    this.flushLiveness();
    clearTimeout(this.livenessTimer);
    this.closed = true;
    this.db.close();
  }
}

/**
 * Opens (creating and migrating when needed) the catalog file. WAL, synchronous=FULL, foreign keys,
 * and a busy timeout so that a second process (`scaleout sql --data`) serializes its writes with ours.
 */
export async function openSqliteCatalog(options: OpenSqliteCatalogOptions): Promise<SqliteCatalogStore> {
  if (typeof options?.path !== 'string' || options.path === '') throw new SsoError('SSO_ERR_CATALOG_IO', 'openSqliteCatalog: `path` must name the catalog file', { where: 'path' });
  if (options.thread === true) return openSqliteCatalogInThread(options);
  let db: Database.Database;
  try {
    db = new Database(options.path);
  } catch (error) {
    throw new SsoError('SSO_ERR_CATALOG_IO', `Cannot open the catalog '${options.path}': ${(error as Error).message}`, { where: options.path, cause: error });
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 10000))}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    const clock = options.clock ?? { now: () => Date.now() };
    migrateSqlite(db, () => iso(clock.now()));
  } catch (error) {
    db.close();
    if (SsoError.is(error)) throw error;
    throw new SsoError('SSO_ERR_CATALOG_IO', `Cannot prepare the catalog '${options.path}': ${(error as Error).message}`, { where: options.path, cause: error });
  }
  let key: { cipher: CatalogCipher; source: string };
  try {
    const k = loadCatalogKey(options.path, { mayCreate: !holdsEnvelopes(db), ...(options.env ? { env: options.env } : {}) });
    key = { cipher: makeCipher(k.key, k.pending ? [k.pending] : []), source: k.from };
  } catch (error) {
    db.close();
    throw error;
  }
  return new SqliteCatalog(db, options, key);
}

/** Every column that holds an encrypted envelope: [table, id column, value column]. */
const ENVELOPE_COLUMNS: readonly (readonly [string, string, string])[] = [
  ['object_parameters', 'parameter_id', 'sensitive_default_value'],
  ['environment_variables', 'variable_id', 'sensitive_value'],
  ['execution_parameter_values', 'execution_parameter_id', 'sensitive_parameter_value'],
  ['execution_property_override_values', 'property_id', 'sensitive_property_value'],
];

function holdsEnvelopes(db: Database.Database): boolean {
  return ENVELOPE_COLUMNS.some(([t, , c]) => db.prepare(`SELECT 1 FROM ${t} WHERE ${c} IS NOT NULL LIMIT 1`).get() !== undefined);
}

