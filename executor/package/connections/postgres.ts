/**
 * PostgreSQL through pg, when a connection string names it: `Provider=PostgreSQL` (or the PGNP /
 * Npgsql OLE DB providers) with `Host`/`Server`/`Data Source`, `Port`, `Database`/`Initial Catalog`,
 * `Username`/`User ID`, `Password`, `SSL Mode`, `Timeout`; an Npgsql string (`Host=…;Username=…`);
 * or a `postgres://` / `postgresql://` URL. Placeholders are `$1…`; PostgreSQL has no output
 * parameters here: Execute SQL reads output bindings from the first result row.
 */
import pg from 'pg';
import { SsoError } from '../../../actors/errors.ts';
import type { ConnectionProvider, DbColumn, DbSession, PreparedCommand, QueryOptions, QueryParam, QueryResult, ReadOptions, RowReader, RowSet, TableInfo, TableWriteOptions, TableWriter } from './provider.ts';
import { BatchedTableWriter, bindPositional, makeColumn, readBatchRows, targetColumns, typeRow, TypedRowReader } from './data-access.ts';
import { PG_OID, postgresTypeName, ssisTypeForPostgresOid, toDriverValue } from './db-types.ts';
import { parseObjectName, quoteIdentifier } from './sql-names.ts';
import { findMarkers } from './sql-text.ts';

/** Date and time types arrive as text (no time-zone shifting by the JS Date); the rest as pg parses them. */
const RAW_DATES = new Set<number>([PG_OID.date, PG_OID.time, PG_OID.timetz, PG_OID.timestamp, PG_OID.timestamptz]);
const DATA_FLOW_TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    RAW_DATES.has(oid) ? (v: string) => v : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};
let cursorSeq = 0;
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

  // ---- data flow access ------------------------------------------------------------------

  private inTxn = false;

  quoteName(name: string): string {
    const n = parseObjectName(name);
    return [...(n.schema === undefined || n.schema.toLowerCase() === 'dbo' ? [] : [n.schema]), n.object].map((p) => quoteIdentifier('postgres', p)).join('.');
  }

  private fail(sql: string, err: unknown): SsoError {
    if (err instanceof SsoError) return err;
    return new SsoError('SSO_ERR_PACKAGE_RUN', `PostgreSQL failed to run "${sql.length > 200 ? `${sql.slice(0, 200)}…` : sql}": ${(err as Error).message}`, { cause: err });
  }

  /** Columns of a result; NOT NULL looked up for columns that come straight from a table. */
  private async resultColumns(fields: readonly pg.FieldDef[]): Promise<DbColumn[]> {
    const tables = [...new Set(fields.filter((f) => f.tableID > 0).map((f) => f.tableID))];
    const notNull = new Set<string>();
    if (tables.length > 0) {
      const r = await this.client.query({ text: 'SELECT attrelid, attnum FROM pg_attribute WHERE attrelid = ANY($1::oid[]) AND attnotnull', values: [tables] });
      for (const row of r.rows as { attrelid: number; attnum: number }[]) notNull.add(`${row.attrelid}.${row.attnum}`);
    }
    return fields.map((f) => makeColumn(f.name, ssisTypeForPostgresOid(f.dataTypeID, f.dataTypeModifier), postgresTypeName(f.dataTypeID), {
      nullable: !notNull.has(`${f.tableID}.${f.columnID}`),
    }));
  }

  async readRows(sql: string, params: readonly unknown[] = [], options: ReadOptions = {}): Promise<RowSet> {
    const text = bindPositional(sql, 'postgres', params.length);
    const timeout = options.timeoutSeconds && options.timeoutSeconds > 0 ? Math.trunc(options.timeoutSeconds * 1000) : 0;
    try {
      if (timeout > 0) await this.client.query(`SET statement_timeout = ${timeout}`);
      const r = await this.client.query({ text, values: params.map((v) => toDriverValue(v, 'postgres')), rowMode: 'array', types: DATA_FLOW_TYPES });
      const columns = await this.resultColumns(r.fields);
      return { columns, rows: (r.rows as unknown[][]).map((row, i) => typeRow(row, columns, i + 1, false)) };
    } catch (err) {
      throw this.fail(sql, err);
    } finally {
      if (timeout > 0) await this.client.query('SET statement_timeout = 0').catch(() => undefined);
    }
  }

  /** A server-side cursor (DECLARE … CURSOR inside a transaction), fetched `batchRows` at a time. */
  async openReader(sql: string, params: readonly unknown[] = [], options: ReadOptions = {}): Promise<RowReader> {
    const text = bindPositional(sql, 'postgres', params.length);
    const name = `scaleout_cursor_${++cursorSeq}`;
    const batch = readBatchRows(options);
    const ownTxn = !this.inTxn;
    const fetchSize = Math.min(batch, 100_000);
    let first: pg.QueryArrayResult;
    try {
      if (ownTxn) { await this.client.query('BEGIN'); this.inTxn = true; }
      if (options.timeoutSeconds && options.timeoutSeconds > 0) await this.client.query(`SET LOCAL statement_timeout = ${Math.trunc(options.timeoutSeconds * 1000)}`);
      await this.client.query({ text: `DECLARE ${name} NO SCROLL CURSOR FOR ${text}`, values: params.map((v) => toDriverValue(v, 'postgres')) });
      first = await this.client.query({ text: `FETCH ${fetchSize} FROM ${name}`, rowMode: 'array', types: DATA_FLOW_TYPES });
    } catch (err) {
      if (ownTxn) { await this.client.query('ROLLBACK').catch(() => undefined); this.inTxn = false; }
      throw this.fail(sql, err);
    }
    let columns: DbColumn[];
    try {
      columns = await this.resultColumns(first.fields);
    } catch (err) {
      if (ownTxn) { await this.client.query('ROLLBACK').catch(() => undefined); this.inTxn = false; }
      throw this.fail(sql, err);
    }
    let held: unknown[][] | undefined = first.rows;
    let ended = first.rows.length < fetchSize;
    let open = true;
    const pull = async (max: number): Promise<unknown[][] | null> => {
      const out: unknown[][] = [];
      if (held) { out.push(...held); held = undefined; }
      while (!ended && out.length < max) {
        const r = await this.client.query({ text: `FETCH ${Math.min(fetchSize, max - out.length)} FROM ${name}`, rowMode: 'array', types: DATA_FLOW_TYPES });
        out.push(...(r.rows as unknown[][]));
        if (r.rows.length < Math.min(fetchSize, max - out.length + r.rows.length)) ended = true;
      }
      return out.length === 0 ? null : out;
    };
    const release = async () => {
      if (!open) return;
      open = false;
      await this.client.query(`CLOSE ${name}`).catch(() => undefined);
      if (ownTxn) { await this.client.query('COMMIT').catch(() => undefined); this.inTxn = false; }
    };
    return new TypedRowReader(columns, pull, release, batch, false, options.signal);
  }

  async describeQuery(sql: string, params: readonly unknown[] = []): Promise<readonly DbColumn[]> {
    const reader = await this.openReader(sql, params, { batchRows: 1 });
    await reader.close();
    return reader.columns;
  }

  /**
   * Finds the table: the schema as given (exact name, else the one case-insensitive match), `dbo`
   * falling back to the search path when there is no such schema; the table name exact, else the
   * one case-insensitive match (an unquoted CREATE TABLE DimCustomer makes `dimcustomer`).
   */
  async describeTable(name: string): Promise<TableInfo> {
    const n = parseObjectName(name);
    const found = await this.client.query({
      text: `SELECT c.oid, n.nspname, c.relname, array_position(current_schemas(false), n.nspname) AS pos
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind IN ('r','v','m','p','f') AND lower(c.relname) = lower($1)
                AND ($2::text IS NULL AND n.nspname = ANY(current_schemas(false))
                     OR lower(n.nspname) = lower($2::text)
                     OR (lower($2::text) = 'dbo' AND NOT EXISTS (SELECT 1 FROM pg_namespace WHERE lower(nspname) = 'dbo') AND n.nspname = ANY(current_schemas(false))))`,
      values: [n.object, n.schema ?? null],
    }).catch((err: unknown) => { throw this.fail('describe table', err); });
    const rows = found.rows as { oid: number; nspname: string; relname: string; pos: number | null }[];
    const pick = (list: typeof rows) => list.sort((a, b) => (a.pos ?? 1e9) - (b.pos ?? 1e9));
    const exact = pick(rows.filter((r) => r.relname === n.object && (n.schema === undefined || r.nspname === n.schema || n.schema.toLowerCase() === 'dbo')));
    const chosen = exact[0] ?? (rows.length === 1 ? rows[0] : undefined);
    if (!chosen) {
      throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', rows.length > 1
        ? `The table name ${name} is ambiguous in PostgreSQL: ${rows.map((r) => `${r.nspname}.${r.relname}`).join(', ')}`
        : `The table or view ${name} does not exist in the PostgreSQL database`, { where: name });
    }
    const cols = await this.client.query({
      text: `SELECT a.attname, a.atttypid, a.atttypmod, a.attnotnull, a.atthasdef, a.attidentity, format_type(a.atttypid, a.atttypmod) AS native,
                    pg_get_expr(d.adbin, d.adrelid) AS dflt
               FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
              WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      values: [chosen.oid],
    });
    const columns = (cols.rows as { attname: string; atttypid: number; atttypmod: number; attnotnull: boolean; atthasdef: boolean; attidentity: string; native: string; dflt: string | null }[])
      .map((c) => {
        const serial = typeof c.dflt === 'string' && /^nextval\(/i.test(c.dflt);
        return makeColumn(c.attname, ssisTypeForPostgresOid(c.atttypid, c.atttypmod), c.native, {
          nullable: !c.attnotnull, identity: c.attidentity === 'a' || c.attidentity === 'd' || serial,
          hasDefault: c.atthasdef || c.attidentity === 'a' || c.attidentity === 'd', identityAlways: c.attidentity === 'a',
        });
      });
    return { name, quotedName: `${quoteIdentifier('postgres', chosen.nspname)}.${quoteIdentifier('postgres', chosen.relname)}`, columns };
  }

  async prepare(sql: string): Promise<PreparedCommand> {
    const count = findMarkers(sql).filter((m) => m.kind === 'positional').length;
    const text = bindPositional(sql, 'postgres', count);
    const name = `scaleout_stmt_${++cursorSeq}`;
    let columns: DbColumn[] | undefined;
    return {
      run: async (params) => {
        bindPositional(sql, 'postgres', params.length);
        try {
          const r = await this.client.query({ name, text, values: params.map((v) => toDriverValue(v, 'postgres')), rowMode: 'array', types: DATA_FLOW_TYPES });
          if ((r.fields?.length ?? 0) === 0) return { columns: [], rows: [], rowsAffected: r.rowCount ?? 0 };
          columns ??= await this.resultColumns(r.fields);
          const cols = columns;
          return { columns: cols, rows: (r.rows as unknown[][]).map((row, i) => typeRow(row, cols, i + 1, false)), rowsAffected: r.command === 'SELECT' ? 0 : r.rowCount ?? 0 };
        } catch (err) { throw this.fail(sql, err); }
      },
      close: async () => { await this.client.query(`DEALLOCATE ${name}`).catch(() => undefined); },
    };
  }

  async openTableWriter(table: string, columns: readonly string[], options: TableWriteOptions = {}): Promise<TableWriter> {
    const info = await this.describeTable(table);
    const cols = targetColumns(info, columns);
    return new BatchedTableWriter(info, cols, {
      dialect: 'postgres', maxParams: 65535, maxRowsPerStatement: Number.MAX_SAFE_INTEGER,
      ...(options.tableLock ? { setupSql: [`LOCK TABLE ${info.quotedName} IN EXCLUSIVE MODE`] } : {}),
      begin: async () => { await this.client.query('BEGIN'); this.inTxn = true; },
      exec: async (text, values) => (await this.client.query({ text, values })).rowCount ?? 0,
      commit: async () => { await this.client.query('COMMIT'); this.inTxn = false; },
      rollback: async () => { this.inTxn = false; await this.client.query('ROLLBACK'); },
    }, options);
  }
}
