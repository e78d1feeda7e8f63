/**
 * The embedded catalog: `CatalogStore` over one SQLite file (better-sqlite3), with SSISDB's procedure
 * rules, status codes and error numbers (reference §1.4–1.7, §4). Mutations are group-committed: all
 * calls queued in one tick run in ONE `BEGIN IMMEDIATE` transaction (savepoints only on a replay after
 * a mutation failed having written), and every promise settles only after COMMIT returned. See
 * README.md beside this file for the decisions and the hot paths.
 */
import { randomBytes, randomUUID, scrypt as scryptCb, timingSafeEqual, createHash } from 'node:crypto';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { parseRowsSent } from './data-statistics.ts';
import { SsoError } from '../../actors/errors.ts';
import { catalogError } from '../../actors/catalog-errors.ts';
import {
  ANY_WORKER_ID, FINAL_OPERATION_STATUSES, OperationType, Roles, VALID_LOGGING_LEVELS, type Role,
} from '../../actors/catalog-codes.ts';
import type {
  CatalogStore, CreateExecutionInput, EventMessageInput, ExecutableStatisticInput, ExecutionPayload,
  ExpiredTaskOutcome, LoginRecord, ParameterDataType, ParameterValue, Principal, ProjectArchive, TaskRecord,
  UpdateTaskStatusInput, UpdateTaskStatusResult, ViewResult, WallClock, WorkerAgentRecord, WorkerAgentStatusInput,
} from '../../actors/ports.ts';
import { migrateSqlite, SQLITE_SCHEMA_VERSION } from './sqlite-migrations.ts';
import { bool, certificateMismatch, num, parseInputData, strOrNull, thumbprintParam, toTaskRecord, toWorker } from './catalog-rows.ts';
import type { Row } from './catalog-rows.ts';

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
}

export interface SqliteCatalogStore extends CatalogStore {
  readonly path: string;
  readonly schemaVersion: number;
  /** `PRAGMA integrity_check` result: 'ok' when the file is sound. */
  integrityCheck(): string;
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------


const ADMIN_ROLES: readonly Role[] = ['ssis_admin', 'sysadmin'];
const SCALE_OUT_ROLES: readonly Role[] = ['ssis_admin', 'ssis_cluster_executor', 'sysadmin'];
const LOG_READER_ROLES: readonly Role[] = ['ssis_admin', 'sysadmin', 'ssis_logreader'];
const WORKER_LOG_ROLES: readonly Role[] = ['ssis_admin', 'sysadmin', 'ssis_cluster_worker'];

const GUID_RE = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;
const PERF_COUNTER_KEEP_MS = 24 * 3600 * 1000;
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

function hasRole(caller: Principal, roles: readonly Role[]): boolean {
  return caller.roles.some((r) => roles.includes(r));
}
function requireRole(caller: Principal, roles: readonly Role[]): void {
  if (!hasRole(caller, roles)) throw catalogError(27140, roles.join(', '));
}

/** True for a GUID already in the stored form (36 characters, lower-case hex): the usual case, no regex. */
function isCanonicalGuid(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false; // '-'
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false; // 0-9 a-f
  }
  return true;
}

/** A GUID parameter: NULL → 27100, malformed → 27101, both naming the parameter. Returns it lower-case. */
function guidParam(name: string, value: unknown): string {
  if (typeof value === 'string' && isCanonicalGuid(value)) return value;
  if (value === null || value === undefined) throw catalogError(27100, name);
  const m = typeof value === 'string' ? GUID_RE.exec(value.trim()) : null;
  if (!m) throw catalogError(27101, name);
  return m[1]!.toLowerCase();
}

/** Folder/project naming rules (reference §4.5): 1–128 chars, no edge spaces, no leading '@', no control chars or `"<>|`. */
function objectName(param: string, value: unknown): string {
  if (value === null || value === undefined) throw catalogError(27100, param);
  if (typeof value !== 'string') throw catalogError(27101, param);
  if (value.length === 0) throw catalogError(27102, param);
  let why: string | undefined;
  if (value.length > 128) why = 'it is longer than 128 characters';
  else if (/^\s|\s$/.test(value)) why = 'it begins or ends with a space';
  else if (value.startsWith('@')) why = "it begins with '@'";
  // eslint-disable-next-line no-control-regex
  else if (/[\u0000-\u001f"<>|]/.test(value)) why = 'it contains a control character or one of " < > |';
  if (why !== undefined) throw catalogError(27400, value, why);
  return value;
}


const INT_RANGES: Partial<Record<ParameterDataType, readonly [bigint, bigint]>> = {
  Byte: [0n, 255n], SByte: [-128n, 127n], Int16: [-32768n, 32767n], Int32: [-2147483648n, 2147483647n],
  UInt32: [0n, 4294967295n], Int64: [-(2n ** 63n), 2n ** 63n - 1n], UInt64: [0n, 2n ** 64n - 1n],
};

/**
 * Checks a value against a parameter data type (27147 naming the parameter and the type) and
 * returns what is stored: booleans as 0/1, integers as number (bigint beyond 2^53), text as is.
 */
function storeValue(dataType: string, value: ParameterValue, name: string): number | bigint | string | null {
  if (value === null) return null;
  const bad = (): SsoError => catalogError(27147, name, dataType);
  switch (dataType) {
    case 'String':
      if (typeof value !== 'string') throw bad();
      return value;
    case 'Boolean':
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (value === 0 || value === 1 || value === 0n || value === 1n) return Number(value);
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return /^true$/i.test(value.trim()) ? 1 : 0;
      throw bad();
    case 'DateTime':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw bad();
      return value;
    case 'Decimal': case 'Double': case 'Single':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (typeof value === 'bigint') return Number(value);
      throw bad();
    default: {
      const range = INT_RANGES[dataType as ParameterDataType];
      if (range === undefined) throw bad();
      let big: bigint;
      if (typeof value === 'number' && Number.isInteger(value)) big = BigInt(value);
      else if (typeof value === 'bigint') big = value;
      else throw bad();
      if (big < range[0] || big > range[1]) throw bad();
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
  }
}

/** The stored form back to a ParameterValue of the parameter's type. */
function loadValue(dataType: string, stored: unknown): ParameterValue {
  if (stored === null || stored === undefined) return null;
  if (dataType === 'Boolean') return bool(stored) || stored === '1';
  if (typeof stored === 'bigint') return stored >= BigInt(Number.MIN_SAFE_INTEGER) && stored <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(stored) : stored;
  if (typeof stored === 'number' || typeof stored === 'string') return stored;
  return String(stored);
}

/**
 * The public views, with the row filter each one gets (reference §1.11, §4.5):
 * - public: every caller;
 * - scaleout: empty unless ssis_admin / ssis_cluster_executor / sysadmin (as SSISDB: no error);
 * - operation: rows of operations the caller created, all rows for ssis_admin / sysadmin / ssis_logreader;
 * - admin: empty unless ssis_admin / sysadmin (our choice for catalog_properties: SSISDB shows nothing, no error).
 * `filter` is the WHERE clause for the "own rows" case; `?` is the caller's name.
 */
const VIEWS: Readonly<Record<string, { kind: 'public' | 'scaleout' | 'operation' | 'admin'; filter?: string; order: string }>> = {
  'catalog.folders': { kind: 'public', order: 'folder_id' },
  'catalog.projects': { kind: 'public', order: 'project_id' },
  'catalog.object_versions': { kind: 'public', order: 'object_version_lsn' },
  'catalog.packages': { kind: 'public', order: 'package_id' },
  'catalog.object_parameters': { kind: 'public', order: 'parameter_id' },
  'catalog.master_properties': { kind: 'public', order: 'property_name' },
  'catalog.catalog_properties': { kind: 'admin', order: 'property_name' },
  'catalog.worker_agents': { kind: 'scaleout', order: 'WorkerAgentId' },
  'catalog.worker_agent_perfcounter': { kind: 'scaleout', order: 'TimeStamp, WorkerAgentId' },
  'catalog.operations': { kind: 'operation', filter: 'caller_name = ?', order: 'operation_id' },
  'catalog.executions': { kind: 'operation', filter: 'execution_id IN (SELECT operation_id FROM operations WHERE caller_name = ?)', order: 'execution_id' },
  'catalog.execution_parameter_values': { kind: 'operation', filter: 'execution_id IN (SELECT operation_id FROM operations WHERE caller_name = ?)', order: 'execution_parameter_id' },
  'catalog.execution_property_override_values': { kind: 'operation', filter: 'execution_id IN (SELECT operation_id FROM operations WHERE caller_name = ?)', order: 'property_id' },
  'catalog.operation_messages': { kind: 'operation', filter: 'operation_id IN (SELECT operation_id FROM operations WHERE caller_name = ?)', order: 'operation_message_id' },
  'catalog.event_messages': { kind: 'operation', filter: 'operation_id IN (SELECT operation_id FROM operations WHERE caller_name = ?)', order: 'event_message_id' },
  'catalog.event_message_context': { kind: 'operation', filter: 'event_message_id IN (SELECT event_message_id FROM event_messages WHERE operation_id IN (SELECT operation_id FROM operations WHERE caller_name = ?))', order: 'context_id' },
  'catalog.executables': { kind: 'operation', filter: 'execution_id IN (SELECT operation_id FROM operations WHERE caller_name = ?)', order: 'executable_id' },
  'catalog.executable_statistics': { kind: 'operation', filter: 'execution_id IN (SELECT operation_id FROM operations WHERE caller_name = ?)', order: 'statistics_id' },
  'catalog.execution_data_statistics': { kind: 'operation', filter: 'execution_id IN (SELECT operation_id FROM operations WHERE caller_name = ?)', order: 'data_stats_id' },
};

/** `configure_catalog` property rules: returns the value to store, or undefined when invalid. */
const CATALOG_PROPERTY_RULES: Readonly<Record<string, (v: string) => string | undefined>> = {
  DEFAULT_EXECUTION_MODE: (v) => (v === '0' || v === '1' ? v : undefined),
  SERVER_LOGGING_LEVEL: (v) => (/^\d+$/.test(v) && VALID_LOGGING_LEVELS.has(Number(v)) ? String(Number(v)) : undefined),
  RETENTION_WINDOW: (v) => (/^-?\d+$/.test(v) && Number(v) >= -1 && Number(v) !== 0 && Number(v) <= 2147483647 ? String(Number(v)) : undefined),
  MAX_PROJECT_VERSIONS: (v) => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 2147483647 ? String(Number(v)) : undefined),
  OPERATION_CLEANUP_ENABLED: (v) => (/^(true|false)$/i.test(v) ? v.toUpperCase() : undefined),
  VERSION_CLEANUP_ENABLED: (v) => (/^(true|false)$/i.test(v) ? v.toUpperCase() : undefined),
  VALIDATION_TIMEOUT: (v) => (/^\d+$/.test(v) && Number(v) >= 1 ? String(Number(v)) : undefined),
  SERVER_OPERATION_ENCRYPTION_LEVEL: (v) => (v === '1' || v === '2' ? v : undefined),
  ENCRYPTION_ALGORITHM: (v) => (['DES', 'TRIPLE_DES', 'TRIPLE_DES_3KEY', 'DESX', 'AES_128', 'AES_192', 'AES_256'].includes(v.toUpperCase()) ? v.toUpperCase() : undefined),
};

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

  constructor(db: Database.Database, options: OpenSqliteCatalogOptions) {
    this.db = db;
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
  private write<T>(fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new SsoError('SSO_ERR_ILLEGAL_STATE', 'The catalog is closed', { where: this.path }));
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
    try {
      this.q('BEGIN IMMEDIATE').run();
    } catch (error) {
      return abort(error);
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
          return 'replay';
        }
        if (savepoints) {
          try {
            this.q('ROLLBACK TO mutation').run();
            this.q('RELEASE mutation').run();
          } catch (rollbackError) {
            // The transaction itself is gone (e.g. disk full): nothing of this group is committed.
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
    if (row === undefined || (!hasRole(caller, ADMIN_ROLES) && row['caller_name'] !== caller.name)) throw catalogError(27103, executionId);
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
    return this.write(() => {
      requireRole(caller, ADMIN_ROLES);
      const name = objectName('folder_name', input?.folderName);
      if (input.description !== undefined && input.description !== null && (typeof input.description !== 'string' || input.description.length > 1024)) throw catalogError(27101, 'folder_description');
      if (this.get('SELECT 1 FROM folders WHERE name = ?', name) !== undefined) throw catalogError(27401, name);
      const r = this.run('INSERT INTO folders (name, description, created_by_name, created_time) VALUES (?, ?, ?, ?)', name, input.description ?? null, caller.name, this.nowIso());
      return { folderId: Number(r.lastInsertRowid) };
    });
  }

  deployProject(caller: Principal, input: { folderName: string; projectName: string; project: ProjectArchive }): Promise<{ operationId: number; projectId: number; versionLsn: number }> {
    return this.write(() => {
      requireRole(caller, ADMIN_ROLES);
      const folderName = objectName('folder_name', input?.folderName);
      const projectName = objectName('project_name', input.projectName);
      const project = input.project;
      if (project === null || project === undefined) throw catalogError(27100, 'project_stream');
      if (!(project.bytes instanceof Uint8Array) || project.bytes.length === 0) throw catalogError(27404, 'the project stream is empty');
      if (createHash('sha256').update(project.bytes).digest('hex') !== project.sha256) throw catalogError(27404, 'the SHA-256 of the stream does not match the archive');
      if (project.name.toLowerCase() !== projectName.toLowerCase()) throw catalogError(27405, projectName, project.name);
      const folder = this.get<{ folder_id: number }>('SELECT folder_id FROM folders WHERE name = ?', folderName);
      if (folder === undefined) throw catalogError(27402, folderName);
      const now = this.nowIso();
      let existing = this.get<{ project_id: number }>('SELECT project_id FROM projects WHERE folder_id = ? AND name = ?', folder.folder_id, projectName);
      if (existing === undefined) {
        const r = this.run('INSERT INTO projects (folder_id, name, created_time) VALUES (?, ?, ?)', folder.folder_id, projectName, now);
        existing = { project_id: Number(r.lastInsertRowid) };
      }
      const projectId = existing.project_id;
      const operationId = this.insertOperation(OperationType.deployProject, 7, caller, { type: 20, id: projectId, name: projectName }, true);
      const v = this.run('INSERT INTO object_versions (object_id, object_type, description, created_by, created_time, object_data, sha256) VALUES (?, 20, ?, ?, ?, ?, ?)',
        projectId, project.description ?? null, caller.name, now, Buffer.from(project.bytes), project.sha256);
      const lsn = Number(v.lastInsertRowid);
      this.run(`UPDATE projects SET description = ?, project_format_version = ?, deployed_by_name = ?, last_deployed_time = ?,
        object_version_lsn = ?, validation_status = 'N' WHERE project_id = ?`, project.description ?? null, project.formatVersion, caller.name, now, lsn, projectId);
      for (const p of project.packages) {
        this.run(`INSERT INTO packages (project_version_lsn, project_id, name, package_guid, description, package_format_version, version_major,
          version_minor, version_build, version_guid, entry_point) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          lsn, projectId, p.name, p.packageGuid ?? null, p.description ?? null, p.formatVersion ?? null, p.versionMajor ?? null,
          p.versionMinor ?? null, p.versionBuild ?? null, p.versionGuid ?? null, p.entryPoint ? 1 : 0);
      }
      const insertParam = (objectType: 20 | 30, objectNameValue: string, d: ProjectArchive['parameters'][number]): void => {
        const value = d.sensitive ? null : storeValue(d.dataType, d.defaultValue, d.name);
        this.run(`INSERT INTO object_parameters (project_id, project_version_lsn, object_type, object_name, parameter_name, data_type, required,
          sensitive, description, design_default_value, default_value, value_set) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
          projectId, lsn, objectType, objectNameValue, d.name, d.dataType, d.required ? 1 : 0, d.sensitive ? 1 : 0, d.description ?? null, value, value);
      };
      for (const d of project.parameters) insertParam(20, projectName, d);
      for (const p of project.packages) for (const d of p.parameters) insertParam(30, p.name, d);
      for (const c of project.connectionManagers) this.run('INSERT OR IGNORE INTO project_connection_managers (project_version_lsn, name, guid) VALUES (?, ?, ?)', lsn, c.name, c.guid ?? null);
      this.pruneVersions(projectId);
      return { operationId, projectId, versionLsn: lsn };
    });
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
    return this.write(() => {
      for (const [k, v] of [['folder_name', input?.folderName], ['project_name', input?.projectName], ['package_name', input?.packageName]] as const) {
        if (v === null || v === undefined) throw catalogError(27138, k);
        if (typeof v !== 'string') throw catalogError(27101, k);
      }
      const pkg = this.get<{ project_id: number; object_version_lsn: number; entry_point: number; project_name: string; folder_name: string; package_name: string }>(
        `SELECT p.project_id, p.object_version_lsn, k.entry_point, p.name AS project_name, f.name AS folder_name, k.name AS package_name
         FROM folders f JOIN projects p ON p.folder_id = f.folder_id
         JOIN packages k ON k.project_version_lsn = p.object_version_lsn AND k.name = ?
         WHERE f.name = ? AND p.name = ?`, input.packageName, input.folderName, input.projectName,
      );
      if (pkg === undefined || !bool(pkg.entry_point)) throw catalogError(27146, input.packageName);
      const runInScaleOut = input.runInScaleOut ?? (this.prop('IS_SCALEOUT_ENABLED').toUpperCase() === 'TRUE' && this.prop('DEFAULT_EXECUTION_MODE') === '1');
      // No per-object grants in this catalog: ssis_admin, sysadmin and ssis_cluster_executor may execute
      // any project; anyone else gets 27178 (the Scale Out role check of SSISDB, applied to every run).
      if (!hasRole(caller, SCALE_OUT_ROLES)) throw catalogError(27178, input.projectName);
      const use32 = input.use32BitRuntime === true;
      const executionId = this.insertOperation(OperationType.execution, 1, caller, { type: 20, id: pkg.project_id, name: null }, false);
      const now = this.nowIso();
      let jobId: string | null = null;
      if (runInScaleOut) {
        jobId = randomUUID();
        this.run('INSERT INTO jobs (JobId, IsCancelled, CreatedTime, JobType, InputData, Creator, Priority, LastUpdatedTime) VALUES (?, 0, ?, 1, ?, ?, 0, ?)',
          jobId, now, JSON.stringify([{ name: 'use32bitruntime', value: use32 ? '1' : '0' }]), caller.name, now);
        if (input.useAnyWorker !== false) this.run('INSERT INTO job_worker_agents (JobId, WorkerAgentId) VALUES (?, ?)', jobId, ANY_WORKER_ID);
      }
      this.run(`INSERT INTO executions (execution_id, folder_name, project_name, package_name, reference_id, project_lsn, executed_as_name, use32bitruntime, job_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, executionId, pkg.folder_name, pkg.project_name, pkg.package_name, input.referenceId ?? null,
      pkg.object_version_lsn, caller.name, use32 ? 1 : 0, jobId);
      const params = this.all<Row>(`SELECT object_type, parameter_name, data_type, required, sensitive, default_value, value_set FROM object_parameters
        WHERE project_version_lsn = ? AND ((object_type = 20) OR (object_type = 30 AND object_name = ?)) ORDER BY object_type, parameter_id`,
      pkg.object_version_lsn, pkg.package_name);
      const insert = `INSERT INTO execution_parameter_values (execution_id, object_type, parameter_data_type, parameter_name, parameter_value,
        sensitive_parameter_value, base_data_type, sensitive, required, value_set) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
      for (const p of params) {
        const sensitive = bool(p['sensitive']);
        this.run(insert, executionId, p['object_type'], p['data_type'], p['parameter_name'], sensitive ? null : p['default_value'],
          sensitive ? p['default_value'] : null, p['data_type'], sensitive ? 1 : 0, p['required'], p['value_set']);
      }
      const level = Number(this.prop('SERVER_LOGGING_LEVEL') || '1');
      const system: [string, string, unknown][] = [
        ['LOGGING_LEVEL', 'Int32', level],
        ...(level === 100 ? [['CUSTOMIZED_LOGGING_LEVEL', 'String', this.prop('SERVER_CUSTOMIZED_LOGGING_LEVEL') || null] as [string, string, unknown]] : []),
        ['DUMP_ON_ERROR', 'Boolean', 0], ['DUMP_ON_EVENT', 'Boolean', 0], ['DUMP_EVENT_CODE', 'String', '0'],
        ['CALLER_INFO', 'String', null], ['SYNCHRONIZED', 'Boolean', 0],
      ];
      for (const [name, type, value] of system) this.run(insert, executionId, 50, type, name, value, null, type, 0, 0, 0);
      return { executionId };
    });
  }

  setExecutionParameterValue(caller: Principal, input: { executionId: number; objectType: number; parameterName: string; parameterValue: ParameterValue }): Promise<void> {
    return this.write(() => {
      const exec = this.visibleExecution(caller, input?.executionId);
      if (input.objectType === null || input.objectType === undefined) throw catalogError(27100, 'object_type');
      if (![20, 30, 50].includes(input.objectType)) throw catalogError(27101, 'object_type');
      if (input.parameterName === null || input.parameterName === undefined) throw catalogError(27100, 'parameter_name');
      if (input.parameterValue === null || input.parameterValue === undefined) throw catalogError(27100, 'parameter_value');
      if (num(exec['status']) !== 1) throw catalogError(27224);
      // Names are matched case-sensitively, as SSISDB does (binary comparison).
      const p = this.get<{ execution_parameter_id: number; parameter_data_type: string; sensitive: number }>(
        'SELECT execution_parameter_id, parameter_data_type, sensitive FROM execution_parameter_values WHERE execution_id = ? AND object_type = ? AND parameter_name = ? COLLATE BINARY',
        input.executionId, input.objectType, input.parameterName,
      );
      if (p === undefined) throw catalogError(27176, input.parameterName);
      const value = storeValue(p.parameter_data_type, input.parameterValue, input.parameterName);
      if (input.objectType === 50 && input.parameterName === 'LOGGING_LEVEL') {
        if (!VALID_LOGGING_LEVELS.has(Number(value))) throw catalogError(27217, String(input.parameterValue));
        if (value === 100) {
          this.run(`INSERT OR IGNORE INTO execution_parameter_values (execution_id, object_type, parameter_data_type, parameter_name, parameter_value, base_data_type)
            VALUES (?, 50, 'String', 'CUSTOMIZED_LOGGING_LEVEL', NULL, 'String')`, input.executionId);
        } else {
          this.run("DELETE FROM execution_parameter_values WHERE execution_id = ? AND object_type = 50 AND parameter_name = 'CUSTOMIZED_LOGGING_LEVEL'", input.executionId);
        }
      }
      // No customized logging levels can be created in this catalog, so any name is unknown.
      if (input.objectType === 50 && input.parameterName === 'CUSTOMIZED_LOGGING_LEVEL') throw catalogError(27237, String(input.parameterValue));
      if (bool(p.sensitive)) {
        this.run('UPDATE execution_parameter_values SET sensitive_parameter_value = ?, parameter_value = NULL, value_set = 1, runtime_override = 1 WHERE execution_parameter_id = ?', value, p.execution_parameter_id);
      } else {
        this.run('UPDATE execution_parameter_values SET parameter_value = ?, value_set = 1, runtime_override = 1 WHERE execution_parameter_id = ?', value, p.execution_parameter_id);
      }
    });
  }

  setExecutionPropertyOverrideValue(caller: Principal, input: { executionId: number; propertyPath: string; propertyValue: string; sensitive: boolean }): Promise<void> {
    return this.write(() => {
      const exec = this.visibleExecution(caller, input?.executionId);
      if (input.propertyPath === null || input.propertyPath === undefined) throw catalogError(27100, 'property_path');
      if (typeof input.propertyPath !== 'string' || input.propertyPath.trim() === '') throw catalogError(27102, 'property_path');
      if (input.propertyPath.length > 4000) throw catalogError(27101, 'property_path');
      if (input.propertyValue === null || input.propertyValue === undefined) throw catalogError(27100, 'property_value');
      if (typeof input.propertyValue !== 'string') throw catalogError(27101, 'property_value');
      if (num(exec['status']) !== 1) throw catalogError(27224);
      const sensitive = input.sensitive === true;
      this.run(`INSERT INTO execution_property_override_values (execution_id, property_path, property_value, sensitive_property_value, sensitive)
        VALUES (?, ?, ?, ?, ?) ON CONFLICT (execution_id, property_path) DO UPDATE SET property_value = excluded.property_value,
        sensitive_property_value = excluded.sensitive_property_value, sensitive = excluded.sensitive`,
      input.executionId, input.propertyPath, sensitive ? null : input.propertyValue, sensitive ? input.propertyValue : null, sensitive ? 1 : 0);
    });
  }

  addExecutionWorker(caller: Principal, input: { executionId: number; workerAgentId: string }): Promise<void> {
    return this.write(() => {
      if (input?.workerAgentId === null || input?.workerAgentId === undefined) throw catalogError(27100, 'workeragent_id');
      const exec = this.visibleExecution(caller, input.executionId);
      const jobId = strOrNull(exec['job_id']);
      if (jobId === null) throw catalogError(27255, input.executionId);
      const wid = guidParam('workeragent_id', input.workerAgentId);
      if (wid === ANY_WORKER_ID) throw catalogError(27101, 'workeragent_id');
      if (this.get('SELECT 1 FROM job_worker_agents WHERE JobId = ? AND WorkerAgentId = ?', jobId, ANY_WORKER_ID) !== undefined) throw catalogError(27251);
      if (this.get('SELECT 1 FROM worker_agents WHERE WorkerAgentId = ?', wid) === undefined) throw catalogError(27243, wid);
      if (this.get('SELECT 1 FROM job_worker_agents WHERE JobId = ? AND WorkerAgentId = ?', jobId, wid) !== undefined) throw catalogError(27406, wid, input.executionId);
      this.run('INSERT INTO job_worker_agents (JobId, WorkerAgentId) VALUES (?, ?)', jobId, wid);
    });
  }

  startExecution(caller: Principal, input: { executionId: number; retryCount?: number }): Promise<void> {
    return this.write(() => {
      const exec = this.visibleExecution(caller, input?.executionId);
      const retry = input.retryCount ?? 0;
      if (typeof retry !== 'number' || !Number.isInteger(retry) || retry < 0 || retry > 2147483646) throw catalogError(27101, 'retry_count');
      if (num(exec['status']) !== 1) throw catalogError(27121);
      const current = this.get<{ object_version_lsn: number }>('SELECT object_version_lsn FROM projects WHERE project_id = ?', exec['project_id']);
      if (current === undefined || current.object_version_lsn !== num(exec['project_lsn'])) throw catalogError(27150);
      const missing = this.all<{ parameter_name: string }>('SELECT parameter_name FROM execution_parameter_values WHERE execution_id = ? AND required = 1 AND value_set = 0 ORDER BY execution_parameter_id', input.executionId);
      if (missing.length > 0) throw catalogError(27184, missing.map((m) => m.parameter_name).join(', '));
      const jobId = strOrNull(exec['job_id']);
      // This catalog has no local ISServerExec: only Scale Out executions can run (README.md).
      if (jobId === null) throw catalogError(27255, input.executionId);
      const job = this.get<{ IsCancelled: number }>('SELECT IsCancelled FROM jobs WHERE JobId = ?', jobId);
      if (job === undefined || bool(job.IsCancelled)) throw catalogError(27242, jobId);
      const now = this.nowIso();
      this.run("UPDATE operations SET status = 5, start_time = ?, machine_name = '' WHERE operation_id = ?", now, input.executionId);
      const inputData = JSON.stringify([
        { name: 'execution_id', value: String(input.executionId) },
        { name: 'use32bitruntime', value: bool(exec['use32bitruntime']) ? '1' : '0' },
        { name: 'operation_guid', value: String(exec['operation_guid']) },
      ]);
      this.run(`INSERT INTO tasks (TaskId, JobId, TaskType, InputData, MaxExecutedCount, ExecutedCount, Status, ReadyForDispatchTime, LastUpdatedTime, CreatedTime)
        VALUES (?, ?, 0, ?, ?, 0, 1, ?, ?, ?)`, randomUUID(), jobId, inputData, retry + 1, now, now, now);
    });
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
    return this.write(() => {
      const id = input?.operationId;
      if (id === null || id === undefined) throw catalogError(27100, 'operation_id');
      if (typeof id !== 'number' || !Number.isInteger(id)) throw catalogError(27101, 'operation_id');
      const op = this.get<{ operation_type: number; status: number; caller_name: string; object_id: number | null }>('SELECT operation_type, status, caller_name, object_id FROM operations WHERE operation_id = ?', id);
      if (op === undefined || ![200, 300, 301].includes(op.operation_type)) throw catalogError(27124);
      if (!hasRole(caller, ADMIN_ROLES) && op.caller_name !== caller.name) throw catalogError(27143, id);
      if (op.status === 8) throw catalogError(27126);
      const jobId = op.operation_type === 200 ? strOrNull(this.get<{ job_id: string | null }>('SELECT job_id FROM executions WHERE execution_id = ?', id)?.job_id) : null;
      // We also stop a pending (5) Scale Out execution, which the original cannot (reference §1.6, §5 #11).
      if (op.status !== 2 && !(op.status === 5 && jobId !== null)) throw catalogError(27124);
      if (jobId === null) throw catalogError(27125);
      const stopId = this.insertOperation(OperationType.stopOperation, 2, caller, { type: 20, id: op.object_id, name: null }, true);
      this.cancelJob(jobId, stopId);
      const leased = this.get('SELECT 1 FROM tasks WHERE JobId = ? AND Status IN (2, 3)', jobId) !== undefined;
      if (leased) {
        this.run('UPDATE operations SET status = 8 WHERE operation_id = ?', id);
      } else {
        // Nothing runs anywhere (queued, or waiting for a retry): the stop completes at once.
        this.completeCancel(id, stopId);
      }
      return { stopOperationId: stopId };
    });
  }

  // ---- workers ------------------------------------------------------------------------------

  enableWorkerAgent(caller: Principal, input: { workerAgentId: string }): Promise<void> {
    return this.setEnabled(caller, input, 1);
  }
  disableWorkerAgent(caller: Principal, input: { workerAgentId: string }): Promise<void> {
    return this.setEnabled(caller, input, 0);
  }
  private setEnabled(caller: Principal, input: { workerAgentId: string }, enabled: 0 | 1): Promise<void> {
    return this.write(() => {
      requireRole(caller, ADMIN_ROLES);
      const { id } = this.workerRow('WorkerAgentId', input?.workerAgentId);
      this.run('UPDATE worker_agents SET IsEnabled = ? WHERE WorkerAgentId = ?', enabled, id);
    });
  }

  deleteWorkerAgent(caller: Principal, input: { workerAgentId: string }): Promise<void> {
    return this.write(() => {
      requireRole(caller, ADMIN_ROLES);
      const { id } = this.workerRow('WorkerAgentId', input?.workerAgentId);
      this.run('DELETE FROM worker_agents WHERE WorkerAgentId = ?', id);
    });
  }

  setWorkerAgentProperty(caller: Principal, input: { workerAgentId: string; propertyName: string; propertyValue: string | null }): Promise<void> {
    return this.write(() => {
      requireRole(caller, ADMIN_ROLES);
      const { id } = this.workerRow('WorkerAgentId', input?.workerAgentId);
      const column = ({ DisplayName: 'DisplayName', Description: 'Description', Tags: 'Tags' } as Record<string, string>)[input.propertyName];
      if (column === undefined) throw catalogError(27101, 'PropertyName');
      if (input.propertyValue !== null && typeof input.propertyValue !== 'string') throw catalogError(27101, 'PropertyValue');
      if (column === 'DisplayName' && input.propertyValue !== null && input.propertyValue.length > 256) throw catalogError(27101, 'PropertyValue');
      this.run(`UPDATE worker_agents SET ${column} = ? WHERE WorkerAgentId = ?`, input.propertyValue, id);
    });
  }

  // ---- catalog properties -------------------------------------------------------------------

  configureCatalog(caller: Principal, input: { propertyName: string; propertyValue: string }): Promise<void> {
    return this.write(() => {
      requireRole(caller, ADMIN_ROLES);
      if (input?.propertyName === null || input?.propertyName === undefined) throw catalogError(27100, 'property_name');
      if (input.propertyValue === null || input.propertyValue === undefined) throw catalogError(27100, 'property_value');
      const name = String(input.propertyName).trim().toUpperCase();
      const rule = CATALOG_PROPERTY_RULES[name];
      const value = rule?.(String(input.propertyValue).trim());
      if (rule === undefined || value === undefined) throw catalogError(27409, String(input.propertyName), String(input.propertyValue));
      if (this.get('SELECT 1 FROM operations WHERE status IN (2, 5, 8) LIMIT 1') !== undefined) throw catalogError(27139);
      this.run('UPDATE catalog_properties SET property_value = ? WHERE property_name = ?', value, name);
      this.insertOperation(OperationType.configureCatalog, 7, caller, { type: null, id: null, name }, true);
    });
  }

  updateMasterAddress(caller: Principal, input: { masterAddress: string }): Promise<void> {
    return this.write(() => {
      requireRole(caller, ADMIN_ROLES);
      if (input?.masterAddress === null || input?.masterAddress === undefined) throw catalogError(27100, 'MasterAddress');
      if (typeof input.masterAddress !== 'string' || input.masterAddress.length > 256) throw catalogError(27101, 'MasterAddress');
      this.setMasterProperty('MASTER_ADDRESS', input.masterAddress);
    });
  }

  private setMasterProperty(name: string, value: string): void {
    this.run('INSERT INTO master_properties (property_name, property_value) VALUES (?, ?) ON CONFLICT (property_name) DO UPDATE SET property_value = excluded.property_value', name, value);
  }

  // ---- views --------------------------------------------------------------------------------

  async queryView(caller: Principal, viewName: string): Promise<ViewResult> {
    const key = String(viewName).trim().replace(/[[\]"]/g, '').toLowerCase();
    const name = Object.keys(VIEWS).find((v) => v === key || v === `catalog.${key}`);
    if (name === undefined) throw new SsoError('SSO_ERR_TSQL', `Invalid object name '${viewName}'.`, { number: 208, where: String(viewName) });
    const view = VIEWS[name]!;
    const select = `SELECT * FROM "${name}"`;
    const stmt = this.q(`${select} ORDER BY ${view.order}`);
    const columns = stmt.columns().map((c) => c.name);
    let rows: Row[];
    switch (view.kind) {
      case 'public': rows = stmt.all() as Row[]; break;
      case 'scaleout': rows = hasRole(caller, SCALE_OUT_ROLES) ? (stmt.all() as Row[]) : []; break;
      case 'admin': rows = hasRole(caller, ADMIN_ROLES) ? (stmt.all() as Row[]) : []; break;
      case 'operation':
        rows = hasRole(caller, LOG_READER_ROLES) ? (stmt.all() as Row[]) : this.all(`${select} WHERE ${view.filter!} ORDER BY ${view.order}`, caller.name);
        break;
    }
    return { columns, rows };
  }

  listViews(): readonly string[] {
    return Object.keys(VIEWS);
  }

  // ---- internal verbs -----------------------------------------------------------------------

  pullTask(caller: Principal, input: { workerAgentId: string; leaseMs: number }): Promise<TaskRecord | null> {
    return this.write(() => {
      requireRole(caller, ADMIN_ROLES);
      const { id, row } = this.workerRow('WorkerAgentId', input?.workerAgentId);
      if (!bool(row['IsEnabled'])) throw catalogError(27252, id);
      if (typeof input.leaseMs !== 'number' || !Number.isFinite(input.leaseMs) || input.leaseMs <= 0) throw catalogError(27101, 'leaseMs');
      const t = this.get<{ TaskId: string }>(`SELECT t.TaskId FROM tasks t INDEXED BY ix_tasks_ready
        WHERE t.ReadyForDispatchTime IS NOT NULL AND t.Status = 1
          AND EXISTS (SELECT 1 FROM job_worker_agents j WHERE j.JobId = t.JobId AND j.WorkerAgentId IN (?, ?))
        ORDER BY t.ReadyForDispatchTime, t.rowid LIMIT 1`, id, ANY_WORKER_ID);
      if (t === undefined) return null;
      const now = this.clock.now();
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
   * task row, `?` parameters follow the returned order). Empty today: the hook where a routing rule
   * (e.g. executions with Script Tasks only to workers with Mono) plugs in without touching the claim.
   */
  private claimFilter(_workerAgentId: string): { readonly sql: string; readonly params: readonly unknown[] } {
    return { sql: '', params: [] };
  }

  claimTasks(caller: Principal, input: { workerAgentId: string; leaseMs: number; limit: number }): Promise<readonly TaskRecord[]> {
    return this.write(() => {
      requireRole(caller, ADMIN_ROLES);
      const { id, row } = this.workerRow('WorkerAgentId', input?.workerAgentId);
      if (!bool(row['IsEnabled'])) throw catalogError(27252, id);
      if (typeof input.leaseMs !== 'number' || !Number.isFinite(input.leaseMs) || input.leaseMs <= 0) throw catalogError(27101, 'leaseMs');
      if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > 10_000) throw catalogError(27101, 'limit');
      const now = this.clock.now();
      const nowText = iso(now);
      const filter = this.claimFilter(id);
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
    });
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
    return this.write(() => {
      requireRole(caller, ADMIN_ROLES);
      const wid = guidParam('WorkerAgentId', input?.workerAgentId);
      if (wid === ANY_WORKER_ID) throw catalogError(27101, 'WorkerAgentId');
      const props = input.machineProperties ?? {};
      for (const c of input.perfCounters ?? []) {
        if (typeof c?.name !== 'string' || c.name === '' || typeof c.value !== 'number' || !Number.isFinite(c.value) || typeof c.timestamp !== 'number' || !Number.isFinite(c.timestamp)) {
          throw catalogError(27101, 'PerfCounterList');
        }
      }
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

  async getWorkerAgent(workerAgentId: string): Promise<WorkerAgentRecord | null> {
    const m = typeof workerAgentId === 'string' ? GUID_RE.exec(workerAgentId.trim()) : null;
    if (!m) return null;
    const r = this.get('SELECT * FROM worker_agents WHERE WorkerAgentId = ?', m[1]!.toLowerCase());
    return r === undefined ? null : toWorker(r);
  }

  async listWorkerAgents(): Promise<readonly WorkerAgentRecord[]> {
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
          value: loadValue(dataType, sensitive ? p['sensitive_parameter_value'] : p['parameter_value']),
          sensitive,
        };
      }),
      propertyOverrides: this.all('SELECT property_path, property_value, sensitive_property_value, sensitive FROM execution_property_override_values WHERE execution_id = ? ORDER BY property_id', executionId)
        .map((p) => ({ propertyPath: String(p['property_path']), value: String((bool(p['sensitive']) ? p['sensitive_property_value'] : p['property_value']) ?? ''), sensitive: bool(p['sensitive']) })),
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

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.queue.length > 0) this.flush();
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
  return new SqliteCatalog(db, options);
}

