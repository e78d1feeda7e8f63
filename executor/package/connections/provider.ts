/**
 * The one shape every database a package talks to takes: a `ConnectionProvider` opens a `DbSession`;
 * a session runs one SQL batch at a time with bound parameters and returns the first result set,
 * the rows affected, the return value and output parameters. Execute SQL Task (and later the data
 * flow) only ever see this interface; `factory.ts` picks the implementation from the connection manager.
 */

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
}

export interface ConnectionProvider {
  readonly dialect: Dialect;
  /** A short description for logs, without secrets: `SQL Server db1.local/Sales`. */
  readonly description: string;
  open(): Promise<DbSession>;
}
