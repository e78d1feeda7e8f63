/**
 * SQL Server through mssql (tedious), for the connection strings real packages carry: OLE DB
 * (`Provider=SQLNCLI11|SQLNCLI10|SQLNCLI|MSOLEDBSQL|MSOLEDBSQL19|SQLOLEDB`) and ADO.NET SqlClient.
 * Keys read: Data Source/Server/Address (`host`, `host\instance`, `host,port`, `tcp:host,port`,
 * `.`/`(local)`), Initial Catalog/Database, User ID/UID, Password/PWD, Integrated Security /
 * Trusted_Connection, Encrypt, TrustServerCertificate, Connect Timeout/Connection Timeout,
 * Application Name. Windows authentication cannot work on a Linux worker: the package must be run
 * with a connection-string override (or a parameter bound by property expression) holding a SQL login.
 */
import sql from 'mssql';
import { SsoError } from '../../../actors/errors.ts';
import type { ConnectionProvider, DbColumn, DbSession, ParamType, PreparedCommand, QueryOptions, QueryParam, QueryResult, ReadOptions, RowReader, RowSet, TableInfo, TableWriteOptions, TableWriter } from './provider.ts';
import { BatchedTableWriter, bindPositional, makeColumn, readBatchRows, targetColumns, typeRow, TypedRowReader } from './data-access.ts';
import type { DbColumnInternal } from './data-access.ts';
import { ssisTypeForSqlServer, toDriverValue } from './db-types.ts';
import { quoteObjectName } from './sql-names.ts';
import { findMarkers } from './sql-text.ts';
import type { ConnectionStringKeys } from './connection-string.ts';
import { boolKey } from './connection-string.ts';

const OLEDB_SQLSERVER = /^(sqlncli\d*|msoledbsql\d*|sqloledb)(\.\d+)?$/i;

/** Whether an OLE DB `Provider=` value is a SQL Server provider. */
export function isSqlServerOleDbProvider(provider: string): boolean {
  return OLEDB_SQLSERVER.test(provider.trim());
}

export interface SqlServerSettings {
  readonly server: string;
  readonly port?: number;
  readonly instanceName?: string;
  readonly database?: string;
  readonly user: string;
  readonly password: string;
  readonly encrypt: boolean;
  readonly trustServerCertificate: boolean;
  readonly connectTimeoutMs: number;
  readonly appName: string;
}

/** Reads the settings; `SSO_ERR_CONNECTION` for Windows authentication without a SQL login, or no server. */
export function sqlServerSettings(keys: ConnectionStringKeys, what: string): SqlServerSettings {
  const fail = (m: string) => new SsoError('SSO_ERR_CONNECTION', `${what}: ${m}`, { where: what });
  let source = (keys.get('Data Source', 'Server', 'Address', 'Addr', 'Network Address') ?? '').trim();
  if (source === '') throw fail('the connection string names no server (Data Source or Server)');
  source = source.replace(/^(tcp|np|lpc):/i, '');
  let port: number | undefined;
  const comma = source.lastIndexOf(',');
  if (comma >= 0) {
    const p = Number(source.slice(comma + 1).trim());
    if (!Number.isInteger(p) || p <= 0 || p > 65535) throw fail(`the port in Data Source '${source}' is not a number from 1 to 65535`);
    port = p;
    source = source.slice(0, comma).trim();
  }
  let host = source, instanceName: string | undefined;
  const slash = source.indexOf('\\');
  if (slash >= 0) { host = source.slice(0, slash); instanceName = source.slice(slash + 1); }
  if (host === '.' || host.toLowerCase() === '(local)' || host.toLowerCase() === '(localdb)') host = 'localhost';
  const user = keys.get('User ID', 'UID', 'User', 'UserID') ?? '';
  const password = keys.get('Password', 'PWD') ?? '';
  const integrated = boolKey(keys.get('Integrated Security', 'Trusted_Connection'), false);
  if (user === '') {
    throw fail(integrated
      ? 'Integrated Security cannot be used on this worker; override the connection string with a SQL login'
      : 'the connection string has no User ID: override the connection string with a SQL login (User ID and Password)');
  }
  const timeoutS = Number(keys.get('Connect Timeout', 'Connection Timeout', 'Timeout') ?? 15);
  return {
    server: host, ...(port === undefined ? {} : { port }), ...(instanceName ? { instanceName } : {}),
    ...(keys.get('Initial Catalog', 'Database') ? { database: keys.get('Initial Catalog', 'Database')! } : {}),
    user, password,
    encrypt: boolKey(keys.get('Encrypt', 'Use Encryption for Data'), false),
    trustServerCertificate: boolKey(keys.get('TrustServerCertificate', 'Trust Server Certificate'), false),
    connectTimeoutMs: Number.isFinite(timeoutS) && timeoutS > 0 ? timeoutS * 1000 : 15000,
    appName: keys.get('Application Name', 'App') ?? 'scaleout',
  };
}

export function sqlServerProvider(keys: ConnectionStringKeys, what: string): ConnectionProvider {
  const s = sqlServerSettings(keys, what);
  const config: sql.config = {
    server: s.server, user: s.user, password: s.password,
    ...(s.port === undefined ? {} : { port: s.port }),
    ...(s.database === undefined ? {} : { database: s.database }),
    connectionTimeout: s.connectTimeoutMs,
    requestTimeout: 0, // SSIS's TimeOut 0 means "no limit"; Execute SQL enforces its own TimeOut.
    pool: { min: 0, max: 1 },
    arrayRowMode: true,
    options: {
      encrypt: s.encrypt, trustServerCertificate: s.trustServerCertificate, appName: s.appName,
      ...(s.instanceName === undefined ? {} : { instanceName: s.instanceName }),
    },
  };
  return {
    dialect: 'mssql',
    description: `SQL Server ${s.server}${s.instanceName ? `\\${s.instanceName}` : ''}${s.port ? `,${s.port}` : ''}/${s.database ?? ''}`,
    async open() {
      const pool = new sql.ConnectionPool(config);
      pool.on('error', () => { /* reported through the failing request */ });
      try {
        await pool.connect();
      } catch (err) {
        await pool.close().catch(() => undefined);
        throw new SsoError('SSO_ERR_CONNECTION', `${what}: cannot connect to SQL Server ${s.server}: ${(err as Error).message}`, { where: what, cause: err });
      }
      return new SqlServerSession(pool);
    },
  };
}

function sqlType(p: QueryParam): sql.ISqlType | (() => sql.ISqlType) {
  const len = p.size !== undefined && p.size > 0 ? p.size : sql.MAX;
  switch (p.type) {
    case 'bool': return sql.Bit;
    case 'int8': case 'uint8': return sql.TinyInt;
    case 'int16': return sql.SmallInt;
    case 'int32': return sql.Int;
    case 'int64': return sql.BigInt;
    case 'real': return sql.Real;
    case 'float': return sql.Float;
    case 'decimal': return sql.Decimal(38, decimalScale(p.value));
    case 'money': return sql.Money;
    case 'date': return sql.Date;
    case 'time': return sql.Time(7);
    case 'datetime': return sql.DateTime;
    case 'datetime2': return sql.DateTime2(7);
    case 'datetimeoffset': return sql.DateTimeOffset(7);
    case 'guid': return sql.UniqueIdentifier;
    case 'ansiString': return sql.VarChar(len);
    case 'binary': return sql.VarBinary(len);
    case 'variant': return sql.Variant;
    default: return sql.NVarChar(len);
  }
}

function decimalScale(v: unknown): number {
  const t = typeof v === 'number' || typeof v === 'string' ? String(v) : '';
  const m = /\.(\d+)/.exec(t);
  return Math.min(m ? m[1]!.length : 4, 38);
}

class SqlServerSession implements DbSession {
  readonly dialect = 'mssql' as const;
  readonly supportsOutputParameters = true;
  constructor(private readonly pool: sql.ConnectionPool) {}

  placeholder(index: number): string {
    return `@P${index + 1}`;
  }

  async query(text: string, params: readonly QueryParam[], options: QueryOptions = {}): Promise<QueryResult> {
    const request = this.pool.request();
    request.arrayRowMode = true;
    for (const p of params) {
      if (p.direction === 'returnValue') continue;
      const value = p.value === undefined ? null : p.value;
      if (p.direction === 'input') request.input(p.name, sqlType(p), value);
      else request.output(p.name, sqlType(p), p.direction === 'inputOutput' ? value : undefined);
    }
    let timedOut = false;
    const timer = options.timeoutSeconds && options.timeoutSeconds > 0
      ? setTimeout(() => { timedOut = true; request.cancel(); }, options.timeoutSeconds * 1000) : undefined;
    const onAbort = () => request.cancel();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const r = options.storedProcedure ? await request.execute(text) : await request.query(text);
      // arrayRowMode: `columns[i]` describes `recordsets[i]`; the first set with columns is the result.
      const cols = (r as unknown as { columns?: { name: string }[][] }).columns ?? [];
      const sets = r.recordsets as unknown as unknown[][][];
      const setIndex = sets.findIndex((_rs, i) => (cols[i]?.length ?? 0) > 0);
      const columns = setIndex >= 0 ? cols[setIndex]!.map((c) => c.name) : [];
      const rows = setIndex >= 0 ? sets[setIndex]! : [];
      return {
        columns, rows: rows.map((row) => [...row]),
        rowsAffected: r.rowsAffected.reduce((a, b) => a + b, 0),
        returnValue: (r as sql.IProcedureResult<unknown>).returnValue,
        output: { ...r.output },
      };
    } catch (err) {
      if (timedOut) throw new SsoError('SSO_ERR_PACKAGE_RUN', `The query timed out after ${options.timeoutSeconds} seconds and was canceled`, { cause: err });
      const number = (err as { number?: unknown }).number;
      throw new SsoError('SSO_ERR_PACKAGE_RUN', (err as Error).message, { cause: err, ...(typeof number === 'number' ? { number } : {}) });
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  // ---- data flow access ------------------------------------------------------------------

  quoteName(name: string): string {
    return quoteObjectName('mssql', name);
  }

  private fail(sql: string, err: unknown): SsoError {
    if (err instanceof SsoError) return err;
    const number = (err as { number?: unknown }).number;
    return new SsoError('SSO_ERR_PACKAGE_RUN', `SQL Server failed to run "${sql.length > 200 ? `${sql.slice(0, 200)}…` : sql}": ${(err as Error).message}`,
      { cause: err, ...(typeof number === 'number' ? { number } : {}) });
  }

  /** A request with `?` values bound as @P1… (types from the values). */
  private positionalRequest(sqlText: string, params: readonly unknown[], via?: sql.Transaction): { request: sql.Request; text: string } {
    const text = bindPositional(sqlText, 'mssql', params.length);
    const request = via ? new sql.Request(via) : this.pool.request();
    request.arrayRowMode = true;
    params.forEach((v, i) => request.input(`P${i + 1}`, valueSqlType(v), toDriverValue(v, 'mssql')));
    return { request, text };
  }

  async readRows(text: string, params: readonly unknown[] = [], options: ReadOptions = {}): Promise<RowSet> {
    const { request, text: bound } = this.positionalRequest(text, params);
    const timer = options.timeoutSeconds && options.timeoutSeconds > 0 ? setTimeout(() => request.cancel(), options.timeoutSeconds * 1000) : undefined;
    try {
      const r = await request.query(bound);
      const meta = ((r as unknown as { columns?: MssqlColumnMeta[][] }).columns ?? [])[0] ?? [];
      const columns = meta.map(columnFromMeta);
      const rows = ((r.recordsets as unknown as unknown[][][])[0] ?? []).map((row, i) => typeRow(row, columns, i + 1, true));
      return { columns, rows };
    } catch (err) {
      throw this.fail(text, err);
    } finally { clearTimeout(timer); }
  }

  /** The driver's row stream, paused while a batch's worth of rows waits to be taken. */
  async openReader(text: string, params: readonly unknown[] = [], options: ReadOptions = {}): Promise<RowReader> {
    const { request, text: bound } = this.positionalRequest(text, params);
    request.stream = true;
    const batch = readBatchRows(options);
    const queue: unknown[][] = [];
    let columns: DbColumn[] | undefined;
    let finished = false;
    let error: unknown;
    let wake: (() => void) | undefined;
    const notify = () => { const w = wake; wake = undefined; w?.(); };
    let setsSeen = 0;
    request.on('recordset', (meta: MssqlColumnMeta[]) => { setsSeen++; if (setsSeen === 1) columns = meta.map(columnFromMeta); notify(); });
    request.on('row', (row: unknown[]) => {
      if (setsSeen !== 1) return; // only the first result set
      queue.push(row);
      if (queue.length >= batch) request.pause();
      notify();
    });
    request.on('error', (err: unknown) => { error ??= err; notify(); });
    request.on('done', () => { finished = true; notify(); });
    void request.query(bound);
    const waitFor = (cond: () => boolean) => new Promise<void>((resolve) => {
      const check = () => { if (cond() || finished || error) resolve(); else wake = check; };
      check();
    });
    await waitFor(() => columns !== undefined);
    if (error) throw this.fail(text, error);
    if (!columns) columns = [];
    const pull = async (max: number): Promise<unknown[][] | null> => {
      if (queue.length < max && !finished && !error) {
        request.resume();
        await waitFor(() => queue.length >= max);
      }
      if (error) throw this.fail(text, error);
      if (queue.length === 0) return null;
      const out = queue.splice(0, max);
      if (!finished) request.resume();
      return out;
    };
    const release = async () => {
      if (finished || error) return;
      request.cancel();
      request.resume();
      // The driver ends a canceled request with an error and 'done'; do not wait forever for it.
      await Promise.race([waitFor(() => false), new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref())]);
    };
    return new TypedRowReader(columns, pull, release, batch, true, options.signal);
  }

  async describeQuery(text: string, params: readonly unknown[] = []): Promise<readonly DbColumn[]> {
    const reader = await this.openReader(text, params, { batchRows: 1 });
    await reader.close();
    return reader.columns;
  }

  async describeTable(name: string): Promise<TableInfo> {
    const quoted = quoteObjectName('mssql', name);
    const request = this.pool.request();
    request.input('name', sql.NVarChar(4000), quoted);
    let rows: { name: string; type_name: string; max_length: number; precision: number; scale: number; is_nullable: boolean; is_identity: boolean; has_default: number; is_computed: boolean }[];
    try {
      const r = await request.query(`SELECT c.name, t.name AS type_name, c.max_length, c.precision, c.scale, c.is_nullable, c.is_identity,
          CASE WHEN c.default_object_id <> 0 THEN 1 ELSE 0 END AS has_default, c.is_computed
        FROM sys.columns c JOIN sys.types t ON t.user_type_id = c.system_type_id
        WHERE c.object_id = OBJECT_ID(@name) ORDER BY c.column_id`);
      rows = r.recordset as unknown as typeof rows;
    } catch (err) { throw this.fail('describe table', err); }
    if (rows.length === 0) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `The table or view ${name} does not exist in the SQL Server database`, { where: name });
    const columns = rows.map((c) => {
      const t = c.type_name.toLowerCase();
      const length = c.max_length === -1 ? -1 : t === 'nchar' || t === 'nvarchar' ? c.max_length / 2 : c.max_length;
      return makeColumn(c.name, ssisTypeForSqlServer(t, length, c.precision, c.scale), nativeName(t, length, c.precision, c.scale),
        { nullable: c.is_nullable, identity: c.is_identity, hasDefault: c.has_default === 1 });
    });
    return { name, quotedName: quoted, columns };
  }

  /** Runs the statement each time (SQL Server caches the plan of the parameterised text). */
  async prepare(text: string): Promise<PreparedCommand> {
    const count = findMarkers(text).filter((m) => m.kind === 'positional').length;
    bindPositional(text, 'mssql', count);
    return {
      run: async (params) => {
        const { request, text: bound } = this.positionalRequest(text, params);
        try {
          const r = await request.query(bound);
          const meta = ((r as unknown as { columns?: MssqlColumnMeta[][] }).columns ?? [])[0] ?? [];
          const columns = meta.map(columnFromMeta);
          const rows = ((r.recordsets as unknown as unknown[][][])[0] ?? []).map((row, i) => typeRow(row, columns, i + 1, true));
          return { columns, rows, rowsAffected: r.rowsAffected.reduce((a, b) => a + b, 0) };
        } catch (err) { throw this.fail(text, err); }
      },
      close: async () => undefined,
    };
  }

  /**
   * Multi-row INSERTs (1000 rows / 2100 parameters a statement), or bulk load with `fastLoad`.
   * Bulk load cannot keep identity values (tedious has no KEEPIDENTITY), so fastLoad with
   * keepIdentity and a mapped identity column uses INSERTs under SET IDENTITY_INSERT ON.
   */
  async openTableWriter(table: string, columns: readonly string[], options: TableWriteOptions = {}): Promise<TableWriter> {
    const info = await this.describeTable(table);
    const cols = targetColumns(info, columns);
    const identityMapped = cols.some((c) => c.identity);
    const useBulk = !!options.fastLoad && options.rowErrors !== 'redirect' && !(options.keepIdentity && identityMapped);
    let tx: sql.Transaction | undefined;
    const identityInsert = options.keepIdentity && identityMapped;
    return new BatchedTableWriter(info, cols, {
      dialect: 'mssql', maxParams: 2000, maxRowsPerStatement: 1000,
      ...(identityInsert ? { setupSql: [`SET IDENTITY_INSERT ${info.quotedName} ON`], teardownSql: [`SET IDENTITY_INSERT ${info.quotedName} OFF`] } : {}),
      ...(options.tableLock && !useBulk ? { tableHint: 'WITH (TABLOCK)' } : {}),
      begin: async () => { tx = new sql.Transaction(this.pool); await tx.begin(); },
      exec: async (text, values, paramColumns) => {
        const request = new sql.Request(tx!);
        // Each value is declared with its target column's type (the table's own, from describeTable).
        values.forEach((v, k) => request.input(`P${k + 1}`, paramColumns[k] ? columnSqlType(paramColumns[k]!) : valueSqlType(v), v));
        const r = await request.query(text);
        return r.rowsAffected.reduce((a, b) => a + b, 0);
      },
      commit: async () => { await tx!.commit(); tx = undefined; },
      rollback: async () => { const t = tx; tx = undefined; await t?.rollback(); },
      ...(useBulk ? {
        bulk: async (rows: unknown[][], bulkCols: readonly DbColumnInternal[]) => {
          const t = new sql.Table(info.quotedName);
          t.create = false;
          for (const c of bulkCols) t.columns.add(c.name, columnSqlType(c), { nullable: c.nullable });
          for (const r of rows) t.rows.add(...(r as (string | number | boolean | Date | Buffer | null)[]));
          const r = await new sql.Request(tx!).bulk(t, { keepNulls: !!options.keepNulls, lockTable: !!options.tableLock, checkConstraints: !!options.checkConstraints } as never);
          return r.rowsAffected;
        },
      } : {}),
    }, options);
  }
}

/** The column metadata mssql gives a result set (`columns` with arrayRowMode). */
interface MssqlColumnMeta {
  readonly name: string;
  readonly length: number;
  readonly type: { readonly declaration?: string } & ((...a: unknown[]) => unknown);
  readonly scale?: number;
  readonly precision?: number;
  readonly nullable: boolean;
  readonly identity: boolean;
}

function columnFromMeta(m: MssqlColumnMeta): DbColumn {
  const t = (m.type?.declaration ?? 'nvarchar').toLowerCase();
  // tedious reports n-type lengths in bytes and max types as 65535 (or more).
  const raw = m.length ?? 0;
  const length = raw >= 65535 || raw < 0 ? -1 : t === 'nchar' || t === 'nvarchar' ? raw / 2 : raw;
  return makeColumn(m.name, ssisTypeForSqlServer(t, length, m.precision ?? 0, m.scale ?? 0), nativeName(t, length, m.precision ?? 0, m.scale ?? 0),
    { nullable: m.nullable, identity: m.identity });
}

function nativeName(t: string, length: number, precision: number, scale: number): string {
  if (/char|binary/.test(t)) return `${t}(${length < 0 ? 'max' : length})`;
  if (t === 'decimal' || t === 'numeric') return `${t}(${precision},${scale})`;
  if (t === 'datetime2' || t === 'time' || t === 'datetimeoffset') return `${t}(${scale})`;
  return t;
}

/** The mssql type to declare a parameter or bulk column for a table column. */
function columnSqlType(c: DbColumn): sql.ISqlType | (() => sql.ISqlType) {
  const t = c.nativeType.replace(/\(.*$/, '').toLowerCase();
  const len = c.length > 0 ? c.length : sql.MAX;
  switch (t) {
    case 'bit': return sql.Bit;
    case 'tinyint': return sql.TinyInt;
    case 'smallint': return sql.SmallInt;
    case 'int': return sql.Int;
    case 'bigint': return sql.BigInt;
    case 'real': return sql.Real;
    case 'float': return sql.Float;
    case 'decimal': case 'numeric': return sql.Decimal(c.precision || 18, c.scale);
    case 'money': return sql.Money;
    case 'smallmoney': return sql.SmallMoney;
    case 'char': return sql.Char(len);
    case 'varchar': return sql.VarChar(len);
    case 'text': return sql.Text;
    case 'nchar': return sql.NChar(len);
    case 'nvarchar': case 'sysname': return sql.NVarChar(len);
    case 'ntext': return sql.NText;
    case 'xml': return sql.Xml;
    case 'binary': return (sql.Binary as unknown as (n: number) => sql.ISqlType)(len);
    case 'varbinary': return sql.VarBinary(len);
    case 'image': return sql.Image;
    case 'date': return sql.Date;
    case 'time': return sql.Time(c.scale);
    case 'datetime': return sql.DateTime;
    case 'smalldatetime': return sql.SmallDateTime;
    case 'datetime2': return sql.DateTime2(c.scale);
    case 'datetimeoffset': return sql.DateTimeOffset(c.scale);
    case 'uniqueidentifier': return sql.UniqueIdentifier;
    default: return sql.NVarChar(sql.MAX);
  }
}

/** The mssql type for a parameter known only by its value. */
function valueSqlType(v: unknown): sql.ISqlType | (() => sql.ISqlType) {
  if (v === null || v === undefined || typeof v === 'string') return sql.NVarChar(sql.MAX);
  if (typeof v === 'boolean') return sql.Bit;
  if (typeof v === 'bigint') return sql.BigInt;
  if (typeof v === 'number') return Number.isInteger(v) ? (Math.abs(v) <= 2147483647 ? sql.Int : sql.BigInt) : sql.Float;
  if (v instanceof Date) return sql.DateTime2(7);
  if (v instanceof Uint8Array) return sql.VarBinary(sql.MAX);
  if (typeof v === 'object' && typeof (v as { unscaled?: unknown }).unscaled === 'bigint') return sql.Decimal(38, (v as { scale: number }).scale);
  if (typeof v === 'object' && typeof (v as { ticks?: unknown }).ticks === 'bigint') return sql.DateTime2(7);
  return sql.NVarChar(sql.MAX);
}

export type { ParamType };
