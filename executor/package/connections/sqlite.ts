/**
 * SQLite through better-sqlite3, for packages pointed at a local database file (tests, demos, small
 * staging stores). Accepted connection strings (keys case-insensitive):
 *   `Provider=SQLite;Data Source=<file>`                 (OLE DB style; also `Provider=System.Data.SQLite`)
 *   `Data Source=<file.db|.sqlite|.sqlite3|.db3>;Version=3` (System.Data.SQLite style; `Version=3` alone names it too)
 * `Data Source=:memory:` opens a private in-memory database. `Read Only=True` opens read-only;
 * `FailIfMissing=True` refuses to create a missing file. SQLite has no output parameters or
 * procedures: Execute SQL reads output bindings from the first result row (see execute-sql.ts).
 */
import Database from 'better-sqlite3';
import { SsoError } from '../../../actors/errors.ts';
import type { ConnectionProvider, DbColumn, DbSession, PreparedCommand, QueryOptions, QueryParam, QueryResult, ReadOptions, RowReader, RowSet, TableInfo, TableWriteOptions, TableWriter } from './provider.ts';
import { BatchedTableWriter, bindPositional, makeColumn, readBatchRows, targetColumns, typeRow, TypedRowReader } from './data-access.ts';
import { ssisTypeForSqlite, ssisTypeOfValue, toDriverValue } from './db-types.ts';
import { parseObjectName, quoteObjectName } from './sql-names.ts';
import type { ConnectionStringKeys } from './connection-string.ts';
import { boolKey } from './connection-string.ts';
import { findMarkers, splitStatements } from './sql-text.ts';

const FILE_RE = /\.(db|sqlite|sqlite3|db3)$/i;

/** Whether a parsed connection string names SQLite. */
export function namesSqlite(keys: ConnectionStringKeys): boolean {
  const provider = (keys.get('Provider') ?? '').toLowerCase();
  if (provider === 'sqlite' || provider.startsWith('system.data.sqlite') || provider.startsWith('microsoft.data.sqlite')) return true;
  const ds = keys.get('Data Source', 'DataSource', 'Filename') ?? '';
  return keys.get('Version') === '3' || (provider === '' && (FILE_RE.test(ds.trim()) || ds.trim() === ':memory:'));
}

export function sqliteProvider(keys: ConnectionStringKeys, what: string): ConnectionProvider {
  const file = (keys.get('Data Source', 'DataSource', 'Filename') ?? '').trim();
  if (file === '') throw new SsoError('SSO_ERR_CONNECTION', `${what}: the SQLite connection string has no Data Source (the database file)`, { where: what });
  const readonly = boolKey(keys.get('Read Only', 'ReadOnly'), false);
  const mustExist = boolKey(keys.get('FailIfMissing'), false);
  return {
    dialect: 'sqlite',
    description: `SQLite ${file}`,
    async open() {
      let db: Database.Database;
      try {
        db = new Database(file, { readonly, fileMustExist: mustExist || readonly });
      } catch (err) {
        throw new SsoError('SSO_ERR_CONNECTION', `${what}: cannot open the SQLite database '${file}': ${(err as Error).message}`, { where: what, cause: err });
      }
      return new SqliteSession(db);
    },
  };
}

/** SQLite binds booleans, Dates and bigints differently from the other engines: normalize. */
function bindable(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array)) return JSON.stringify(v);
  return v;
}

class SqliteSession implements DbSession {
  readonly dialect = 'sqlite' as const;
  readonly supportsOutputParameters = false;
  constructor(private readonly db: Database.Database) {}

  placeholder(index: number): string {
    return `@P${index + 1}`;
  }

  async query(sql: string, params: readonly QueryParam[], options: QueryOptions = {}): Promise<QueryResult> {
    if (options.storedProcedure) throw new SsoError('SSO_ERR_CONNECTION', 'SQLite has no stored procedures: set IsQueryStoredProcedure to False');
    if (options.timeoutSeconds) this.db.pragma(`busy_timeout = ${Math.trunc(options.timeoutSeconds * 1000)}`);
    const named: Record<string, unknown> = {};
    for (const p of params) if (p.direction === 'input' || p.direction === 'inputOutput') named[p.name] = bindable(p.value);
    let columns: string[] = [];
    let rows: unknown[][] = [];
    let haveResult = false;
    let rowsAffected = 0;
    for (const text of splitStatements(sql)) {
      if (options.signal?.aborted) throw new SsoError('SSO_ERR_TASK_ABORTED', 'The query was canceled');
      const stmt = this.db.prepare(text);
      const usesParams = findMarkers(text).some((m) => m.kind === 'named');
      if (stmt.reader) {
        const got = (usesParams ? stmt.raw(true).all(named) : stmt.raw(true).all()) as unknown[][];
        if (!haveResult) { columns = stmt.columns().map((c) => c.name); rows = got; haveResult = true; }
      } else {
        const r = usesParams ? stmt.run(named) : stmt.run();
        rowsAffected += r.changes;
      }
    }
    return { columns, rows, rowsAffected, output: {} };
  }

  async close(): Promise<void> {
    this.db.close();
  }

  // ---- data flow access ------------------------------------------------------------------

  quoteName(name: string): string {
    return quoteObjectName('sqlite', name);
  }

  /** Prepares a `?` statement with 64-bit integers as bigint; errors name the SQL. */
  private prepareRaw(sql: string, params: readonly unknown[]): Database.Statement {
    bindPositional(sql, 'sqlite', params.length);
    try {
      return this.db.prepare(sql).safeIntegers(true);
    } catch (err) {
      throw new SsoError('SSO_ERR_PACKAGE_RUN', `SQLite cannot prepare "${sql.length > 200 ? `${sql.slice(0, 200)}…` : sql}": ${(err as Error).message}`, { cause: err });
    }
  }

  /** Columns of a prepared reader; untyped (expression) columns take the type of `sample`'s values. */
  private resultColumns(stmt: Database.Statement, sample: readonly unknown[] | undefined): DbColumn[] {
    const notNull = new Map<string, boolean>();
    return stmt.columns().map((c, i) => {
      const declared = ssisTypeForSqlite(c.type);
      let nullable = true;
      if (c.table && c.column) {
        const key = `${c.database ?? 'main'}.${c.table}`;
        if (!notNull.has(`${key}.${c.column}`)) {
          for (const r of this.db.prepare(`SELECT name, "notnull" AS nn FROM pragma_table_info(?, ?)`).all(c.table, c.database ?? 'main') as { name: string; nn: number }[]) {
            notNull.set(`${key}.${r.name}`, r.nn === 1);
          }
        }
        nullable = !notNull.get(`${key}.${c.column}`);
      }
      const sampleValue = sample?.[i];
      const type = declared ?? ssisTypeOfValue(sampleValue === null ? undefined : sampleValue);
      return makeColumn(c.name, type, c.type ?? '', { nullable });
    });
  }

  async readRows(sql: string, params: readonly unknown[] = [], options: ReadOptions = {}): Promise<RowSet> {
    const reader = await this.openReader(sql, params, { ...options, batchRows: Number.MAX_SAFE_INTEGER });
    const rows = (await reader.next()) ?? [];
    await reader.close();
    return { columns: reader.columns, rows };
  }

  async openReader(sql: string, params: readonly unknown[] = [], options: ReadOptions = {}): Promise<RowReader> {
    const stmt = this.prepareRaw(sql, params);
    if (!stmt.reader) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `The SQL command returns no rows: ${sql}`);
    const values = params.map((v) => toDriverValue(v, 'sqlite'));
    let it: IterableIterator<unknown[]>;
    try {
      it = stmt.raw(true).iterate(...values) as IterableIterator<unknown[]>;
    } catch (err) {
      throw new SsoError('SSO_ERR_PACKAGE_RUN', `SQLite cannot run "${sql}": ${(err as Error).message}`, { cause: err });
    }
    // The first row decides the types of untyped columns, so it is read before the columns are known.
    let first: IteratorResult<unknown[]>;
    try { first = it.next(); } catch (err) { throw new SsoError('SSO_ERR_PACKAGE_RUN', `SQLite cannot run "${sql}": ${(err as Error).message}`, { cause: err }); }
    const columns = this.resultColumns(stmt, first.done ? undefined : first.value);
    let held: unknown[] | undefined = first.done ? undefined : first.value;
    let ended = !!first.done;
    const pull = async (max: number): Promise<unknown[][] | null> => {
      if (ended && held === undefined) return null;
      const out: unknown[][] = [];
      if (held !== undefined) { out.push(held); held = undefined; }
      while (!ended && out.length < max) {
        const r = it.next();
        if (r.done) { ended = true; break; }
        out.push(r.value);
      }
      return out;
    };
    return new TypedRowReader(columns, pull, async () => { ended = true; held = undefined; it.return?.(); }, readBatchRows(options), false, options.signal);
  }

  async describeQuery(sql: string, params: readonly unknown[] = []): Promise<readonly DbColumn[]> {
    const reader = await this.openReader(sql, params, { batchRows: 1 });
    await reader.close();
    return reader.columns;
  }

  async describeTable(name: string): Promise<TableInfo> {
    const n = parseObjectName(name);
    const schema = n.schema === undefined || n.schema.toLowerCase() === 'dbo' ? 'main' : n.schema;
    const rows = (() => {
      try {
        return this.db.prepare('SELECT name, type, "notnull" AS nn, dflt_value AS dflt, pk FROM pragma_table_info(?, ?)').all(n.object, schema) as { name: string; type: string; nn: number; dflt: string | null; pk: number }[];
      } catch (err) {
        throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `The table ${name} cannot be described: ${(err as Error).message}`, { where: name, cause: err });
      }
    })();
    if (rows.length === 0) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `The table or view ${name} does not exist in the SQLite database${schema === 'main' ? '' : ` '${schema}'`}`, { where: name });
    const pkCount = rows.filter((r) => r.pk > 0).length;
    const columns = rows.map((r) => makeColumn(r.name, ssisTypeForSqlite(r.type) ?? ssisTypeOfValue(undefined), r.type, {
      nullable: r.nn === 0 && r.pk === 0,
      identity: pkCount === 1 && r.pk === 1 && r.type.trim().toUpperCase() === 'INTEGER',
      hasDefault: r.dflt !== null,
      ...(r.dflt !== null ? { defaultSql: r.dflt } : {}),
    }));
    return { name, quotedName: quoteObjectName('sqlite', n), columns };
  }

  async prepare(sql: string): Promise<PreparedCommand> {
    const count = findMarkers(sql).filter((m) => m.kind === 'positional').length;
    const stmt = this.prepareRaw(sql, new Array(count).fill(null));
    let columns: DbColumn[] | undefined;
    return {
      run: async (params) => {
        bindPositional(sql, 'sqlite', params.length);
        const values = params.map((v) => toDriverValue(v, 'sqlite'));
        try {
          if (stmt.reader) {
            const raw = stmt.raw(true).all(...values) as unknown[][];
            columns ??= this.resultColumns(stmt, raw[0]);
            const cols = columns;
            return { columns: cols, rows: raw.map((r, i) => typeRow(r, cols, i + 1, false)), rowsAffected: 0 };
          }
          return { columns: [], rows: [], rowsAffected: stmt.run(...values).changes };
        } catch (err) {
          if (err instanceof SsoError) throw err;
          throw new SsoError('SSO_ERR_PACKAGE_RUN', `SQLite failed to run "${sql}": ${(err as Error).message}`, { cause: err });
        }
      },
      close: async () => undefined,
    };
  }

  async openTableWriter(table: string, columns: readonly string[], options: TableWriteOptions = {}): Promise<TableWriter> {
    const info = await this.describeTable(table);
    const cols = targetColumns(info, columns);
    const db = this.db;
    const cache = new Map<string, Database.Statement>();
    return new BatchedTableWriter(info, cols, {
      dialect: 'sqlite', maxParams: 32766, maxRowsPerStatement: Number.MAX_SAFE_INTEGER,
      begin: async () => { db.exec(options.tableLock ? 'BEGIN IMMEDIATE' : 'BEGIN'); },
      exec: async (text, values) => {
        let stmt = cache.get(text);
        if (!stmt) {
          stmt = db.prepare(text);
          if (cache.size > 16) cache.clear();
          cache.set(text, stmt);
        }
        return stmt.run(...values).changes;
      },
      commit: async () => { db.exec('COMMIT'); },
      rollback: async () => { if (db.inTransaction) db.exec('ROLLBACK'); },
    }, options);
  }
}

