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
import type { ConnectionProvider, DbSession, ParamType, QueryOptions, QueryParam, QueryResult } from './provider.ts';
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
}

export type { ParamType };
