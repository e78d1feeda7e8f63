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
import type { ConnectionProvider, DbSession, QueryOptions, QueryParam, QueryResult } from './provider.ts';
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
}
