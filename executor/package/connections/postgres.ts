/**
 * PostgreSQL through pg, when a connection string names it: `Provider=PostgreSQL` (or the PGNP /
 * Npgsql OLE DB providers) with `Host`/`Server`/`Data Source`, `Port`, `Database`/`Initial Catalog`,
 * `Username`/`User ID`, `Password`, `SSL Mode`, `Timeout`; an Npgsql string (`Host=…;Username=…`);
 * or a `postgres://` / `postgresql://` URL. Placeholders are `$1…`; PostgreSQL has no output
 * parameters here: Execute SQL reads output bindings from the first result row.
 */
import pg from 'pg';
import { SsoError } from '../../../actors/errors.ts';
import type { ConnectionProvider, DbSession, QueryOptions, QueryParam, QueryResult } from './provider.ts';
import type { ConnectionStringKeys } from './connection-string.ts';

/** Whether a connection string names PostgreSQL (URL, provider, or Npgsql keys). */
export function namesPostgres(text: string, keys: ConnectionStringKeys | undefined): boolean {
  if (/^\s*postgres(ql)?:\/\//i.test(text)) return true;
  if (!keys) return false;
  const provider = (keys.get('Provider') ?? '').toLowerCase();
  if (/^(postgresql|postgres|pgnp|npgsql)/.test(provider)) return true;
  return provider === '' && keys.has('Host') && keys.has('Username', 'User Name');
}

export function postgresProvider(text: string, keys: ConnectionStringKeys | undefined, what: string): ConnectionProvider {
  let config: pg.ClientConfig;
  if (/^\s*postgres(ql)?:\/\//i.test(text)) {
    config = { connectionString: text.trim() };
  } else {
    const k = keys!;
    const host = k.get('Host', 'Server', 'Data Source');
    if (!host) throw new SsoError('SSO_ERR_CONNECTION', `${what}: the PostgreSQL connection string names no Host`, { where: what });
    const port = Number(k.get('Port') ?? 5432);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new SsoError('SSO_ERR_CONNECTION', `${what}: Port '${k.get('Port')}' is not a number from 1 to 65535`, { where: what });
    const ssl = (k.get('SSL Mode', 'SslMode') ?? '').toLowerCase();
    const timeout = Number(k.get('Timeout', 'Connect Timeout') ?? 15);
    config = {
      host, port,
      ...(k.get('Database', 'Initial Catalog') ? { database: k.get('Database', 'Initial Catalog')! } : {}),
      ...(k.get('Username', 'User Name', 'User ID', 'UID') ? { user: k.get('Username', 'User Name', 'User ID', 'UID')! } : {}),
      ...(k.get('Password', 'PWD') !== undefined ? { password: k.get('Password', 'PWD')! } : {}),
      ...(ssl === 'require' || ssl === 'verify-full' || ssl === 'verify-ca' ? { ssl: { rejectUnauthorized: ssl !== 'require' } } : {}),
      connectionTimeoutMillis: Number.isFinite(timeout) && timeout > 0 ? timeout * 1000 : 15000,
      application_name: k.get('Application Name') ?? 'scaleout',
    };
  }
  const where = typeof config.connectionString === 'string' ? config.connectionString.replace(/:[^:@/]*@/, ':***@') : `${config.host}:${config.port}/${config.database ?? ''}`;
  return {
    dialect: 'postgres',
    description: `PostgreSQL ${where}`,
    async open() {
      const client = new pg.Client(config);
      client.on('error', () => { /* reported through the failing query */ });
      try {
        await client.connect();
      } catch (err) {
        await client.end().catch(() => undefined);
        throw new SsoError('SSO_ERR_CONNECTION', `${what}: cannot connect to PostgreSQL ${where}: ${(err as Error).message}`, { where: what, cause: err });
      }
      return new PostgresSession(client);
    },
  };
}

class PostgresSession implements DbSession {
  readonly dialect = 'postgres' as const;
  readonly supportsOutputParameters = false;
  constructor(private readonly client: pg.Client) {}

  placeholder(index: number): string {
    return `$${index + 1}`;
  }

  async query(text: string, params: readonly QueryParam[], options: QueryOptions = {}): Promise<QueryResult> {
    const inputs = params.filter((p) => p.direction === 'input' || p.direction === 'inputOutput');
    let sqlText = text;
    if (options.storedProcedure) {
      const args = inputs.map((p, i) => (/^\d+$/.test(p.name) || /^P\d+$/.test(p.name) ? `$${i + 1}` : `${p.name} => $${i + 1}`));
      sqlText = `SELECT * FROM ${text}(${args.join(', ')})`;
    }
    const values = inputs.map((p) => (p.value === undefined ? null : p.value));
    const timeout = options.timeoutSeconds && options.timeoutSeconds > 0 ? Math.trunc(options.timeoutSeconds * 1000) : 0;
    try {
      if (timeout > 0) await this.client.query(`SET statement_timeout = ${timeout}`);
      const r = await this.client.query({ text: sqlText, values, rowMode: 'array' }) as unknown as pg.QueryArrayResult | pg.QueryArrayResult[];
      const results = Array.isArray(r) ? r : [r];
      const first = results.find((x) => (x.fields?.length ?? 0) > 0);
      return {
        columns: first ? first.fields.map((f) => f.name) : [],
        rows: first ? first.rows.map((row) => [...row]) : [],
        rowsAffected: results.reduce((a, x) => a + (x.command === 'SELECT' ? 0 : x.rowCount ?? 0), 0),
        output: {},
      };
    } catch (err) {
      throw new SsoError('SSO_ERR_PACKAGE_RUN', (err as Error).message, { cause: err });
    } finally {
      if (timeout > 0) await this.client.query('SET statement_timeout = 0').catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
