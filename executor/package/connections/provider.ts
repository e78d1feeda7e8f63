/**
 * The one shape every database a package talks to takes: a `ConnectionProvider` opens a `DbSession`;
 * a session runs one SQL batch at a time with bound parameters and returns the first result set,
 * the rows affected, the return value and output parameters. Execute SQL Task (and later the data
 * flow) only ever see this interface; `factory.ts` picks the implementation from the connection manager.
 */

import type { SsisScalar, SsisType, SsisTypeName } from '../expressions/types.ts';

/** Which SQL engine is behind a session: decides the placeholder syntax and batch rules. */
export type Dialect = 'mssql' | 'sqlite' | 'postgres';

export type ParamDirection = 'input' | 'output' | 'inputOutput' | 'returnValue';

/**
 * A parameter's type as the session needs it to bind or declare it, normalized from the OLE DB
 * (DBTYPE) or ADO.NET (DbType) codes of an Execute SQL parameter binding.
 */
export type ParamType =
  | 'bool' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'real' | 'float' | 'decimal' | 'money'
  | 'date' | 'time' | 'datetime' | 'datetime2' | 'datetimeoffset' | 'guid' | 'string' | 'ansiString' | 'binary' | 'variant';

export interface QueryParam {
  /**
   * The name the SQL text uses, without prefix: `P1`/`1`… for translated `?` markers, `CustomerId`
   * for `@CustomerId`. Return values are named `RETURN_VALUE`.
   */
  readonly name: string;
  readonly direction: ParamDirection;
  readonly value: unknown;
  readonly type: ParamType;
  /** Characters/bytes for strings and binary; -1 or undefined = as needed (MAX). */
  readonly size?: number;
}

export interface QueryOptions {
  /** Command timeout in seconds; 0 or undefined = none. */
  readonly timeoutSeconds?: number;
  /** Call `sql` (a procedure name) as a stored procedure with named parameters. */
  readonly storedProcedure?: boolean;
  readonly signal?: AbortSignal;
}

export interface QueryResult {
  /** Column names of the first result set that has columns (empty when the batch returns none). */
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
  readonly rowsAffected: number;
  /** The procedure's return value (SQL Server), undefined elsewhere. */
  readonly returnValue?: unknown;
  /** Output parameter values by name (without prefix). */
  readonly output: Readonly<Record<string, unknown>>;
}

export interface DbSession {
  readonly dialect: Dialect;
  /** Whether the engine has real output parameters (SQL Server); others read outputs from a result row. */
  readonly supportsOutputParameters: boolean;
  /** The placeholder for the `index`-th (0-based) positional parameter: `@P1`, `?`, `$1`. */
  placeholder(index: number): string;
  query(sql: string, params: readonly QueryParam[], options?: QueryOptions): Promise<QueryResult>;
  close(): Promise<void>;

  // ---- data flow access (sources, destinations, lookups, OLE DB Command) -------------------
  // Parameters are positional values for the `?` markers of the SQL text (outside literals and
  // comments), engine values (types.ts shapes) or plain JS values; rows come back as arrays of
  // engine values in column order, typed by `DbColumn.type`. One reader or writer at a time per
  // session: open a session per component.

  /** A possibly qualified name (`[dbo].[DimCustomer]`, `"dbo"."x"`, `dbo.x`) quoted for this engine (see sql-names.ts). */
  quoteName(name: string): string;
  /** Runs a query and returns all its rows with column metadata. */
  readRows(sql: string, params?: readonly unknown[], options?: ReadOptions): Promise<RowSet>;
  /** Runs a query and reads its rows in batches (server-side cursor or driver stream, so memory stays flat). */
  openReader(sql: string, params?: readonly unknown[], options?: ReadOptions): Promise<RowReader>;
  /** The columns of a query's first result set without reading its rows. */
  describeQuery(sql: string, params?: readonly unknown[]): Promise<readonly DbColumn[]>;
  /** A table's or view's columns; `SSO_ERR_PACKAGE_VALIDATION` naming the table when it does not exist. */
  describeTable(name: string): Promise<TableInfo>;
  /** Prepares a statement with `?` markers to run once per row (OLE DB Command, partial-cache lookups). */
  prepare(sql: string): Promise<PreparedCommand>;
  /**
   * Opens a writer that inserts rows into `table`: `columns` are the target column names the rows'
   * values are for, in order (matched case-insensitively; an unknown name is an error naming it).
   */
  openTableWriter(table: string, columns: readonly string[], options?: TableWriteOptions): Promise<TableWriter>;
}

/** A result or table column as a data flow sees it. */
export interface DbColumn {
  readonly name: string;
  /** The SSIS data type the values are delivered in (see db-types.ts for the mapping). */
  readonly type: SsisType;
  /** `type` flattened, as SSIS shows a column: name, length, precision, scale, code page (0 when not applicable). */
  readonly dataType: SsisTypeName;
  readonly length: number;
  readonly precision: number;
  readonly scale: number;
  readonly codePage: number;
  /** The engine's own type name (`nvarchar`, `int4`, `VARCHAR(20)`). */
  readonly nativeType: string;
  readonly nullable: boolean;
  /** An identity / auto-increment column (SQL Server IDENTITY, PostgreSQL identity or serial, SQLite INTEGER PRIMARY KEY). */
  readonly identity: boolean;
  /** The column has a default (used for NULLs when KeepNulls is off). */
  readonly hasDefault: boolean;
}

export type Row = (SsisScalar | null)[];

export interface RowSet {
  readonly columns: readonly DbColumn[];
  readonly rows: readonly Row[];
}

export interface ReadOptions {
  /** Rows per batch from `RowReader.next()`; default 10,000. */
  readonly batchRows?: number;
  /** Command timeout in seconds; 0 or undefined = none. */
  readonly timeoutSeconds?: number;
  readonly signal?: AbortSignal;
}

export interface RowReader extends AsyncIterable<readonly Row[]> {
  readonly columns: readonly DbColumn[];
  /** The next batch (1 to `batchRows` rows), or null after the last; `SSO_ERR_PACKAGE_RUN` naming column and row for a value that does not fit its column. */
  next(): Promise<readonly Row[] | null>;
  /** Rows delivered so far. */
  readonly rowsRead: number;
  /** Stops reading and frees the cursor; safe to call twice and after the end. */
  close(): Promise<void>;
}

export interface TableInfo {
  /** The name as asked for. */
  readonly name: string;
  /** The name quoted for the engine after schema mapping (`"main"."x"` is never produced: `dbo` maps away on SQLite). */
  readonly quotedName: string;
  readonly columns: readonly DbColumn[];
}

export interface PreparedCommand {
  /** Runs the statement with `params` for its `?` markers; rows of the first result set, if any. */
  run(params: readonly unknown[]): Promise<RowSet & { readonly rowsAffected: number }>;
  close(): Promise<void>;
}

/**
 * The OLE DB Destination's fast-load options. Rows are inserted in multi-row INSERT statements of
 * `rowsPerBatch` rows (capped by the engine's parameter limit), or by SQL Server bulk load when
 * `fastLoad` is set on SQL Server; a transaction is committed every `maxInsertCommitSize` rows.
 */
export interface TableWriteOptions {
  /** SSIS FastLoadOptions ROWS_PER_BATCH; default 1000. */
  readonly rowsPerBatch?: number;
  /** FastLoadMaxInsertCommitSize: commit every N rows; 0 (the SSIS default 2147483647 too) = one transaction for all rows. */
  readonly maxInsertCommitSize?: number;
  /** FastLoadKeepIdentity: insert the given identity values; off = identity columns in `columns` are ignored and the engine numbers rows. */
  readonly keepIdentity?: boolean;
  /** FastLoadKeepNulls: insert NULL as NULL; off = a NULL into a column with a default takes the default. */
  readonly keepNulls?: boolean;
  /** TABLOCK: SQL Server table lock hint / bulk lock; PostgreSQL LOCK TABLE … EXCLUSIVE; SQLite BEGIN IMMEDIATE. */
  readonly tableLock?: boolean;
  /** CHECK_CONSTRAINTS for SQL Server bulk load (plain inserts always check). */
  readonly checkConstraints?: boolean;
  /** SQL Server only: use the bulk load protocol (the OLE DB Destination's "fast load" access modes). */
  readonly fastLoad?: boolean;
  /**
   * `fail` (default): a refused batch fails the writer. `redirect`: rows go one INSERT each under a
   * savepoint, and refused rows are returned by `write` (for error outputs that redirect or ignore
   * failing rows, as the non-fast-load OLE DB Destination does); `fastLoad` is then not used.
   */
  readonly rowErrors?: 'fail' | 'redirect';
  /**
   * The SSIS types of the values `write` is given, one per column (the destination's input columns):
   * how a value of one type is written into a column of another (a DT_DBDATE into a text column is
   * `yyyy-mm-dd`; see toDriverValue).
   */
  readonly valueTypes?: readonly (SsisType | undefined)[];
  readonly signal?: AbortSignal;
}

/** A row the database refused (`rowErrors: 'redirect'`). */
export interface RowFailure {
  /** Index of the row in the `rows` given to `write`. */
  readonly index: number;
  readonly message: string;
  /** The database's error number when it has one (SQL Server). */
  readonly number?: number;
}

export interface TableWriter {
  readonly table: TableInfo;
  /** The target columns, in the order of the row values given to `write`. */
  readonly columns: readonly DbColumn[];
  /**
   * Buffers and inserts rows; commits every `maxInsertCommitSize` rows. Values: engine values or
   * plain JS values. With `rowErrors: 'redirect'` each row is inserted on its own and the rows the
   * database refused come back (index into `rows`, the database's message); otherwise the result is
   * always empty and a refused batch throws.
   */
  write(rows: readonly (readonly unknown[])[]): Promise<readonly RowFailure[]>;
  /** Inserts what is buffered and commits; returns the total rows written. */
  finish(): Promise<number>;
  /** Rolls back what is not committed yet (committed batches stay, as in SSIS). */
  abort(): Promise<void>;
  /** Rows committed so far. */
  readonly rowsCommitted: number;
}

export interface ConnectionProvider {
  readonly dialect: Dialect;
  /** A short description for logs, without secrets: `SQL Server db1.local/Sales`. */
  readonly description: string;
  open(): Promise<DbSession>;
}
