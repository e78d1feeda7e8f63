/**
 * Where the SQL Server catalog is: ADO.NET connection strings (`Server=…;Database=…;User Id=…;…`) and
 * the master's `SqlServerName` + `SqlConnectionTimeoutInSecs`, turned into an `mssql` config. Bad input
 * gets an error naming the key and what was expected; nothing is guessed silently.
 */
import { parse as parseConnectionString } from '@tediousjs/connection-string';
import type { config as MssqlConfig } from 'mssql';
import { SsoError } from '../../actors/errors.ts';

/** The database the catalog lives in when none is named (as SSISDB). */
export const DEFAULT_CATALOG_DATABASE = 'SSISDB';

function invalid(key: string, message: string): SsoError {
  return new SsoError('SSO_ERR_CONFIG_INVALID', `Connection string key '${key}': ${message}`, { where: key });
}

/** The key as the user wrote it (the parser lower-cases keys), so messages quote their text. */
function originalKey(connectionString: string, lowerKey: string): string {
  const escaped = lowerKey.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+');
  const m = new RegExp(`(?:^|;)\\s*(${escaped})\\s*=`, 'i').exec(connectionString);
  return m?.[1] ?? lowerKey;
}

/** ADO.NET keys (lower case) → our canonical key. Keys we accept but that change nothing here map to ''. */
const KEYS: Readonly<Record<string, string>> = {
  'server': 'server', 'data source': 'server', 'addr': 'server', 'address': 'server', 'network address': 'server',
  'database': 'database', 'initial catalog': 'database',
  'user id': 'user', 'uid': 'user', 'user': 'user',
  'password': 'password', 'pwd': 'password',
  'encrypt': 'encrypt',
  'trustservercertificate': 'trustServerCertificate', 'trust server certificate': 'trustServerCertificate',
  'connect timeout': 'connectTimeout', 'connection timeout': 'connectTimeout', 'timeout': 'connectTimeout',
  'command timeout': 'requestTimeout',
  'application name': 'appName', 'app': 'appName',
  'applicationintent': 'applicationIntent', 'application intent': 'applicationIntent',
  'multisubnetfailover': 'multiSubnetFailover', 'multi subnet failover': 'multiSubnetFailover',
  'max pool size': 'maxPool', 'min pool size': 'minPool',
  'packet size': 'packetSize',
  'integrated security': 'integratedSecurity', 'trusted_connection': 'integratedSecurity',
  'pooling': '', 'persist security info': '', 'persistsecurityinfo': '', 'multipleactiveresultsets': '', 'enlist': '',
  'workstation id': '', 'wsid': '', 'connectretrycount': '', 'connectretryinterval': '', 'transparentnetworkipresolution': '',
};

function bool(key: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['true', 'yes', '1', 'sspi', 'mandatory', 'strict'].includes(v)) return true;
  if (['false', 'no', '0', 'optional'].includes(v)) return false;
  throw invalid(key, `'${value}' is not a boolean (true/false, yes/no)`);
}

function int(key: string, value: string, min: number, max: number): number {
  if (!/^\s*\d+\s*$/.test(value)) throw invalid(key, `'${value}' is not a whole number`);
  const n = Number(value);
  if (n < min || n > max) throw invalid(key, `${n} is outside ${min}…${max}`);
  return n;
}

/**
 * A server as SqlClient writes it: `host`, `host,port`, `host\instance`, `tcp:host,port`, `(local)`,
 * `.` or `localhost`. Returns the host, and the port or the instance name.
 */
export function parseServer(text: string, key = 'Server'): { host: string; port?: number; instanceName?: string } {
  let s = text.trim();
  if (s === '') throw invalid(key, 'the server name is empty');
  if (/^(np|lpc|admin):/i.test(s)) throw invalid(key, `'${text}' uses a protocol other than TCP (only tcp: is supported)`);
  s = s.replace(/^tcp:/i, '');
  let port: number | undefined;
  const comma = s.lastIndexOf(',');
  if (comma >= 0) {
    port = int(key, s.slice(comma + 1), 1, 65535);
    s = s.slice(0, comma).trim();
  }
  let instanceName: string | undefined;
  const slash = s.indexOf('\\');
  if (slash >= 0) {
    instanceName = s.slice(slash + 1).trim();
    s = s.slice(0, slash).trim();
    if (instanceName === '') throw invalid(key, `'${text}' has an empty instance name after '\\'`);
  }
  if (s === '' ) throw invalid(key, `'${text}' has no host`);
  const host = s === '.' || s.toLowerCase() === '(local)' || s.toLowerCase() === '(localdb)' ? 'localhost' : s;
  return { host, ...(port === undefined ? {} : { port }), ...(instanceName === undefined || port !== undefined ? {} : { instanceName }) };
}

/** Knobs every catalog connection gets, whatever the source. */
function baseConfig(): MssqlConfig {
  return {
    server: 'localhost',
    database: DEFAULT_CATALOG_DATABASE,
    connectionTimeout: 15_000,
    requestTimeout: 60_000,
    pool: { max: 10, min: 0, idleTimeoutMillis: 30_000 },
    options: { encrypt: true, trustServerCertificate: false, appName: 'scaleout', enableArithAbort: true },
  };
}

/**
 * Parses an ADO.NET connection string into an `mssql` config. `Server` is required; `Database`
 * defaults to SSISDB; `Encrypt` defaults to true (as Microsoft.Data.SqlClient 4+);
 * `Integrated Security` is refused (no Windows authentication from Linux here: use a SQL login).
 */
export function mssqlConfigFromConnectionString(connectionString: string): MssqlConfig {
  if (typeof connectionString !== 'string' || connectionString.trim() === '') {
    throw new SsoError('SSO_ERR_CONFIG_INVALID', 'The connection string is empty (expected Server=…;Database=…;User Id=…;Password=…)', { where: 'connection string' });
  }
  let entries: ReadonlyMap<string, unknown>;
  try {
    entries = parseConnectionString(connectionString);
  } catch (error) {
    throw new SsoError('SSO_ERR_CONFIG_INVALID', `The connection string cannot be parsed: ${(error as Error).message}`, { where: 'connection string', cause: error });
  }
  const config = baseConfig();
  const options = config.options!;
  let server: string | undefined;
  for (const [parsedKey, rawValue] of entries) {
    const key = parsedKey.trim().toLowerCase();
    const rawKey = originalKey(connectionString, key);
    const value = String(rawValue ?? '');
    const canonical = KEYS[key];
    if (canonical === undefined) throw invalid(rawKey, 'not a SQL Server connection string key this catalog understands');
    switch (canonical) {
      case 'server': server = value; break;
      case 'database':
        if (value.trim() === '') throw invalid(rawKey, 'the database name is empty');
        config.database = value.trim();
        break;
      case 'user': config.user = value; break;
      case 'password': config.password = value; break;
      case 'encrypt': options.encrypt = bool(rawKey, value); break;
      case 'trustServerCertificate': options.trustServerCertificate = bool(rawKey, value); break;
      case 'connectTimeout': config.connectionTimeout = int(rawKey, value, 0, 2_147_483) * 1000; break;
      case 'requestTimeout': config.requestTimeout = int(rawKey, value, 0, 2_147_483) * 1000; break;
      case 'appName': options.appName = value; break;
      case 'applicationIntent': {
        const v = value.trim().toLowerCase();
        if (v !== 'readonly' && v !== 'readwrite') throw invalid(rawKey, `'${value}' is neither ReadOnly nor ReadWrite`);
        if (v === 'readonly') throw invalid(rawKey, 'the catalog needs a read-write connection (ApplicationIntent=ReadWrite)');
        break;
      }
      case 'multiSubnetFailover': options.multiSubnetFailover = bool(rawKey, value); break;
      case 'maxPool': config.pool = { ...config.pool, max: int(rawKey, value, 1, 32767) }; break;
      case 'minPool': config.pool = { ...config.pool, min: int(rawKey, value, 0, 32767) }; break;
      case 'packetSize': options.packetSize = int(rawKey, value, 512, 32767); break;
      case 'integratedSecurity':
        if (bool(rawKey, value)) throw invalid(rawKey, 'Windows (integrated) authentication is not available here; give User Id and Password of a SQL login');
        break;
      default: break; // accepted, no effect on this driver
    }
  }
  if (server === undefined) throw invalid('Server', 'missing (expected e.g. Server=localhost,1433)');
  const { host, port, instanceName } = parseServer(server, 'Server');
  config.server = host;
  if (port !== undefined) config.port = port;
  if (instanceName !== undefined) options.instanceName = instanceName;
  if ((config.pool?.min ?? 0) > (config.pool?.max ?? 10)) throw invalid('Min Pool Size', `${config.pool?.min} is larger than Max Pool Size ${config.pool?.max}`);
  if (config.user === undefined || config.user === '') throw invalid('User Id', 'missing: the catalog connects with a SQL login (User Id=…;Password=…)');
  return config;
}

/**
 * The master's settings form: `SqlServerName` (a server, or — our extension — a whole connection
 * string when it contains '=') and `SqlConnectionTimeoutInSecs` (already in ms). The login comes from
 * the connection string or from SCALEOUT_MSSQL_USER / SCALEOUT_MSSQL_PASSWORD in `env`.
 */
export function mssqlConfigFromMasterSettings(input: { server: string; connectionTimeoutMs?: number; env?: NodeJS.ProcessEnv }): MssqlConfig {
  const env = input.env ?? process.env;
  let config: MssqlConfig;
  if (input.server.includes('=')) {
    config = mssqlConfigFromConnectionString(input.server);
  } else {
    config = baseConfig();
    const { host, port, instanceName } = parseServer(input.server, 'SqlServerName');
    config.server = host;
    if (port !== undefined) config.port = port;
    if (instanceName !== undefined) config.options!.instanceName = instanceName;
    const user = env['SCALEOUT_MSSQL_USER'];
    if (user === undefined || user === '') {
      throw new SsoError('SSO_ERR_CONFIG_INVALID', `SqlServerName '${input.server}' names a server but no login: set SCALEOUT_MSSQL_USER and SCALEOUT_MSSQL_PASSWORD, or give a whole connection string (Server=…;User Id=…;Password=…)`, { where: 'SqlServerName' });
    }
    config.user = user;
    config.password = env['SCALEOUT_MSSQL_PASSWORD'] ?? '';
    if (env['SCALEOUT_MSSQL_DATABASE']) config.database = env['SCALEOUT_MSSQL_DATABASE'];
    if (env['SCALEOUT_MSSQL_TRUST_SERVER_CERTIFICATE'] !== undefined) config.options!.trustServerCertificate = bool('SCALEOUT_MSSQL_TRUST_SERVER_CERTIFICATE', env['SCALEOUT_MSSQL_TRUST_SERVER_CERTIFICATE']);
  }
  if (input.connectionTimeoutMs !== undefined) {
    if (!Number.isInteger(input.connectionTimeoutMs) || input.connectionTimeoutMs < 0) {
      throw new SsoError('SSO_ERR_CONFIG_INVALID', `SqlConnectionTimeoutInSecs must be a whole number of seconds ≥ 0 (got ${input.connectionTimeoutMs} ms)`, { where: 'SqlConnectionTimeoutInSecs' });
    }
    // 0 = wait for ever in SqlClient; tedious wants a number, so a day stands for "for ever".
    config.connectionTimeout = input.connectionTimeoutMs === 0 ? 86_400_000 : input.connectionTimeoutMs;
  }
  return config;
}

/** The config without its password, for messages and `catalog status`. */
export function describeConfig(config: MssqlConfig): string {
  const where = `${config.server}${config.port ? `,${config.port}` : ''}${config.options?.instanceName ? `\\${config.options.instanceName}` : ''}`;
  return `${where}/${config.database ?? DEFAULT_CATALOG_DATABASE} as ${config.user ?? '?'}`;
}
