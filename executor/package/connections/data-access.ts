/**
 * The engine-independent half of data flow database access: typing result rows, translating `?`
 * markers, and the batched, transactional table writer. Each session (sqlite.ts, postgres.ts,
 * sqlserver.ts) supplies only the engine-specific primitives (`InsertBackend`, a raw batch source).
 */
import { SsoError } from '../../../actors/errors.ts';
import type { SsisType } from '../expressions/types.ts';
import { fromDriverValue, toDriverValue, typeFacets, ValueConversionError } from './db-types.ts';
import type { DbColumn, Dialect, ReadOptions, Row, RowFailure, RowReader, TableInfo, TableWriteOptions, TableWriter } from './provider.ts';
import { findMarkers, replaceMarkers } from './sql-text.ts';
import { quoteIdentifier } from './sql-names.ts';

/** A column with the engine-internal facts the writer needs. */
export interface DbColumnInternal extends DbColumn {
  /** SQLite: the default's SQL expression (SQLite has no DEFAULT keyword in VALUES). */
  readonly defaultSql?: string;
  /** PostgreSQL: `GENERATED ALWAYS AS IDENTITY` needs OVERRIDING SYSTEM VALUE to take given values. */
  readonly identityAlways?: boolean;
}

export function makeColumn(name: string, type: SsisType, nativeType: string, extra: Partial<Omit<DbColumnInternal, 'name' | 'type' | 'nativeType'>> = {}): DbColumnInternal {
  return {
    name, type, dataType: type.name, ...typeFacets(type), nativeType,
    nullable: extra.nullable ?? true, identity: extra.identity ?? false, hasDefault: extra.hasDefault ?? false,
    ...(extra.defaultSql === undefined ? {} : { defaultSql: extra.defaultSql }),
    ...(extra.identityAlways ? { identityAlways: true } : {}),
  };
}

/** Converts one raw driver row to engine values; `rowNumber` is 1-based over the whole result. */
export function typeRow(raw: readonly unknown[], columns: readonly DbColumn[], rowNumber: number, utcDates: boolean): Row {
  const out: Row = new Array(columns.length);
  for (let i = 0; i < columns.length; i++) {
    try {
      out[i] = fromDriverValue(raw[i], columns[i]!.type, utcDates);
    } catch (err) {
      if (!(err instanceof ValueConversionError)) throw err;
      throw new SsoError('SSO_ERR_PACKAGE_RUN',
        `Row ${rowNumber}, column '${columns[i]!.name}' (${columns[i]!.nativeType || columns[i]!.dataType}): ${err.message}, so it cannot be read as ${columns[i]!.dataType}`,
        { where: columns[i]!.name });
    }
  }
  return out;
}

/**
 * Rewrites the `?` markers of `sql` to the dialect's placeholders (`?` stays for SQLite, `$n` for
 * PostgreSQL, `@Pn` for SQL Server) and checks the parameter count.
 */
export function bindPositional(sql: string, dialect: Dialect, paramCount: number): string {
  const markers = findMarkers(sql).filter((m) => m.kind === 'positional');
  if (markers.length !== paramCount) {
    throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `The SQL command has ${markers.length} parameter marker(s) (?) but ${paramCount} value(s) were given: ${sql.length > 200 ? `${sql.slice(0, 200)}…` : sql}`);
  }
  if (dialect === 'sqlite') return sql;
  return replaceMarkers(sql, markers, (_m, i) => (dialect === 'postgres' ? `$${i + 1}` : `@P${i + 1}`));
}

/** A reader over a raw batch source: typing, row counting, close-once. */
export class TypedRowReader implements RowReader {
  rowsRead = 0;
  private done = false;
  constructor(
    readonly columns: readonly DbColumn[],
    private readonly pull: (max: number) => Promise<unknown[][] | null>,
    private readonly release: () => Promise<void>,
    private readonly batchRows: number,
    private readonly utcDates: boolean,
    private readonly signal?: AbortSignal,
    /** The source already delivers engine values of the columns' types (raw files, Excel): no typing step. */
    private readonly preTyped = false,
  ) {}

  async next(): Promise<readonly Row[] | null> {
    if (this.done) return null;
    if (this.signal?.aborted) { await this.close(); throw new SsoError('SSO_ERR_TASK_ABORTED', 'The read was canceled'); }
    let raw: unknown[][] | null;
    try {
      raw = await this.pull(this.batchRows);
    } catch (err) {
      await this.close();
      throw err instanceof SsoError ? err : new SsoError('SSO_ERR_PACKAGE_RUN', (err as Error).message, { cause: err });
    }
    if (raw === null || raw.length === 0) { await this.close(); return null; }
    let out: Row[];
    if (this.preTyped) out = raw as Row[];
    else {
      out = new Array(raw.length);
      try {
        for (let i = 0; i < raw.length; i++) out[i] = typeRow(raw[i]!, this.columns, this.rowsRead + i + 1, this.utcDates);
      } catch (err) { await this.close(); throw err; }
    }
    this.rowsRead += raw.length;
    return out;
  }

  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.release();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<readonly Row[]> {
    try {
      for (;;) {
        const b = await this.next();
        if (b === null) return;
        yield b;
      }
    } finally { await this.close(); }
  }
}

export const readBatchRows = (o: ReadOptions | undefined): number => Math.max(1, Math.trunc(o?.batchRows ?? 10_000));

/** Matches the writer's column names to the table's (case-insensitively), or names what is missing. */
export function targetColumns(table: TableInfo, names: readonly string[]): DbColumnInternal[] {
  if (names.length === 0) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `No columns are mapped to the table ${table.name}`, { where: table.name });
  const seen = new Set<string>();
  return names.map((n) => {
    const c = table.columns.find((x) => x.name === n) ?? table.columns.find((x) => x.name.toLowerCase() === n.toLowerCase());
    if (!c) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `The table ${table.name} has no column '${n}' (it has ${table.columns.map((x) => x.name).join(', ')})`, { where: table.name });
    if (seen.has(c.name.toLowerCase())) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `The column '${n}' of ${table.name} is mapped twice`, { where: table.name });
    seen.add(c.name.toLowerCase());
    return c as DbColumnInternal;
  });
}

/** What an engine does for the table writer. Values given to `exec` are already driver values. */
export interface InsertBackend {
  readonly dialect: Dialect;
  /** Most parameters one statement may carry (SQL Server 2100, PostgreSQL 65535, SQLite 32766). */
  readonly maxParams: number;
  /** Most rows one VALUES list may hold (SQL Server 1000). */
  readonly maxRowsPerStatement: number;
  begin(): Promise<void>;
  /** Runs one statement; `paramColumns[k]` is the column `values[k]` goes into (empty for setup SQL). */
  exec(sql: string, values: unknown[], paramColumns: readonly DbColumnInternal[]): Promise<number>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** Run once inside each transaction before the first insert (IDENTITY_INSERT, LOCK TABLE). */
  readonly setupSql?: readonly string[];
  /** Run before each commit (IDENTITY_INSERT OFF). */
  readonly teardownSql?: readonly string[];
  /** SQL Server fast load: inserts `rows` (driver values, in `columns` order) by bulk copy inside the open transaction. */
  bulk?(rows: unknown[][], columns: readonly DbColumnInternal[]): Promise<number>;
  /** Table hint after the table name (`WITH (TABLOCK)`). */
  readonly tableHint?: string;
}

/** Multi-row INSERT (or bulk) writer with SSIS's commit-size semantics; see TableWriteOptions. */
export class BatchedTableWriter implements TableWriter {
  rowsCommitted = 0;
  readonly columns: readonly DbColumnInternal[];
  private readonly insertColumns: number[];
  private pending: unknown[][] = [];
  private inTxn = false;
  private rowsInTxn = 0;
  private rowsWritten = 0;
  private failed = false;
  private readonly batch: number;
  private readonly commitSize: number;

  constructor(readonly table: TableInfo, columns: readonly DbColumnInternal[], private readonly backend: InsertBackend, private readonly options: TableWriteOptions) {
    this.columns = columns;
    // Identity columns take the engine's numbers unless KeepIdentity.
    this.insertColumns = columns.map((_c, i) => i).filter((i) => options.keepIdentity || !columns[i]!.identity);
    if (this.insertColumns.length === 0) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `Only identity columns are mapped to ${table.name}: set KeepIdentity or map other columns`, { where: table.name });
    const byParams = Math.max(1, Math.floor(backend.maxParams / this.insertColumns.length));
    this.batch = Math.max(1, Math.min(options.rowsPerBatch && options.rowsPerBatch > 0 ? options.rowsPerBatch : 1000, backend.bulk ? Number.MAX_SAFE_INTEGER : byParams, backend.bulk ? Number.MAX_SAFE_INTEGER : backend.maxRowsPerStatement));
    const c = options.maxInsertCommitSize ?? 0;
    this.commitSize = c > 0 && c < 2147483647 ? c : 0;
  }

  async write(rows: readonly (readonly unknown[])[]): Promise<readonly RowFailure[]> {
    if (this.failed) throw new SsoError('SSO_ERR_ILLEGAL_STATE', `The writer for ${this.table.name} has failed or was aborted`);
    if (this.options.rowErrors === 'redirect') return this.writeEach(rows);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      if (row.length !== this.columns.length) {
        throw new SsoError('SSO_ERR_PACKAGE_RUN', `Row ${this.rowsWritten + this.pending.length + 1} for ${this.table.name} has ${row.length} values but ${this.columns.length} columns are mapped`, { where: this.table.name });
      }
      this.pending.push(this.insertColumns.map((i) => toDriverValue(row[i], this.backend.dialect, this.columns[i]!.type, this.options.valueTypes?.[i])));
      if (this.pending.length >= this.nextBatchSize()) await this.flush(this.nextBatchSize());
    }
    return [];
  }

  /** One INSERT per row under a savepoint: a refused row is rolled back alone and reported. */
  private async writeEach(rows: readonly (readonly unknown[])[]): Promise<RowFailure[]> {
    const d = this.backend.dialect;
    const cols = this.insertColumns.map((i) => this.columns[i]!);
    const save = d === 'mssql' ? 'SAVE TRANSACTION so_row' : 'SAVEPOINT so_row';
    const undo = d === 'mssql' ? 'ROLLBACK TRANSACTION so_row' : 'ROLLBACK TO SAVEPOINT so_row';
    const failures: RowFailure[] = [];
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      if (row.length !== this.columns.length) {
        failures.push({ index: r, message: `the row has ${row.length} values but ${this.columns.length} columns are mapped` });
        continue;
      }
      if (this.options.signal?.aborted) { await this.abort(); throw new SsoError('SSO_ERR_TASK_ABORTED', `Writing to ${this.table.name} was canceled`); }
      const values = this.insertColumns.map((i) => toDriverValue(row[i], d, this.columns[i]!.type, this.options.valueTypes?.[i]));
      try {
        if (!this.inTxn) {
          await this.backend.begin();
          this.inTxn = true;
          for (const s of this.backend.setupSql ?? []) await this.backend.exec(s, [], []);
        }
        await this.backend.exec(save, [], []);
      } catch (err) {
        this.failed = true;
        await this.rollbackQuietly();
        throw new SsoError('SSO_ERR_PACKAGE_RUN', `Writing into ${this.table.name} failed: ${(err as Error).message}`, { where: this.table.name, cause: err });
      }
      const { sql, values: bound, paramColumns } = this.insertSql([values], cols);
      try {
        await this.backend.exec(sql, bound, paramColumns);
        if (d !== 'mssql') await this.backend.exec('RELEASE SAVEPOINT so_row', [], []);
      } catch (err) {
        const number = (err as { number?: unknown }).number ?? ((err as { cause?: { number?: unknown } }).cause?.number);
        failures.push({ index: r, message: (err as Error).message, ...(typeof number === 'number' ? { number } : {}) });
        try { await this.backend.exec(undo, [], []); } catch (e2) {
          this.failed = true;
          await this.rollbackQuietly();
          throw new SsoError('SSO_ERR_PACKAGE_RUN', `Row ${this.rowsWritten + 1} was refused by ${this.table.name} (${(err as Error).message}) and the transaction could not continue: ${(e2 as Error).message}`, { where: this.table.name, cause: e2 });
        }
        continue;
      }
      this.rowsWritten++;
      this.rowsInTxn++;
      if (this.commitSize > 0 && this.rowsInTxn >= this.commitSize) await this.commit();
    }
    return failures;
  }

  private nextBatchSize(): number {
    return this.commitSize > 0 ? Math.min(this.batch, this.commitSize - this.rowsInTxn) : this.batch;
  }

  private async flush(n: number): Promise<void> {
    const rows = this.pending.splice(0, n);
    if (rows.length === 0) return;
    if (this.options.signal?.aborted) { await this.abort(); throw new SsoError('SSO_ERR_TASK_ABORTED', `Writing to ${this.table.name} was canceled`); }
    const cols = this.insertColumns.map((i) => this.columns[i]!);
    const first = this.rowsWritten + 1;
    try {
      if (!this.inTxn) {
        await this.backend.begin();
        this.inTxn = true;
        for (const s of this.backend.setupSql ?? []) await this.backend.exec(s, [], []);
      }
      if (this.backend.bulk) await this.backend.bulk(rows, cols);
      else {
        const { sql, values, paramColumns } = this.insertSql(rows, cols);
        await this.backend.exec(sql, values, paramColumns);
      }
    } catch (err) {
      this.failed = true;
      await this.rollbackQuietly();
      const msg = err instanceof SsoError ? err.message : (err as Error).message;
      throw new SsoError('SSO_ERR_PACKAGE_RUN', `Inserting rows ${first} to ${first + rows.length - 1} into ${this.table.name} failed: ${msg}`, { where: this.table.name, cause: err, ...((err as { number?: number }).number !== undefined ? { number: (err as { number: number }).number } : {}) });
    }
    this.rowsWritten += rows.length;
    this.rowsInTxn += rows.length;
    if (this.commitSize > 0 && this.rowsInTxn >= this.commitSize) await this.commit();
  }

  private insertSql(rows: unknown[][], cols: readonly DbColumnInternal[]): { sql: string; values: unknown[]; paramColumns: DbColumnInternal[] } {
    const d = this.backend.dialect;
    const values: unknown[] = [];
    const paramColumns: DbColumnInternal[] = [];
    const tuples: string[] = [];
    for (const row of rows) {
      const parts: string[] = [];
      for (let i = 0; i < cols.length; i++) {
        const v = row[i];
        const c = cols[i]!;
        if ((v === null || v === undefined) && !this.options.keepNulls && c.hasDefault) {
          parts.push(d === 'sqlite' ? `(${c.defaultSql ?? 'NULL'})` : 'DEFAULT');
          continue;
        }
        values.push(v);
        paramColumns.push(c);
        parts.push(d === 'sqlite' ? '?' : d === 'postgres' ? `$${values.length}` : `@P${values.length}`);
      }
      tuples.push(`(${parts.join(', ')})`);
    }
    const overriding = d === 'postgres' && this.options.keepIdentity && cols.some((c) => c.identityAlways) ? ' OVERRIDING SYSTEM VALUE' : '';
    const hint = this.backend.tableHint ? ` ${this.backend.tableHint}` : '';
    return {
      sql: `INSERT INTO ${this.table.quotedName}${hint} (${cols.map((c) => quoteIdentifier(d, c.name)).join(', ')})${overriding} VALUES ${tuples.join(', ')}`,
      values, paramColumns,
    };
  }

  private async commit(): Promise<void> {
    if (!this.inTxn) return;
    try {
      for (const s of this.backend.teardownSql ?? []) await this.backend.exec(s, [], []);
      await this.backend.commit();
    } catch (err) {
      this.failed = true;
      await this.rollbackQuietly();
      throw new SsoError('SSO_ERR_PACKAGE_RUN', `Committing rows into ${this.table.name} failed: ${(err as Error).message}`, { where: this.table.name, cause: err });
    }
    this.inTxn = false;
    this.rowsCommitted += this.rowsInTxn;
    this.rowsInTxn = 0;
  }

  private async rollbackQuietly(): Promise<void> {
    if (!this.inTxn) return;
    this.inTxn = false;
    this.rowsInTxn = 0;
    await this.backend.rollback().catch(() => undefined);
  }

  async finish(): Promise<number> {
    if (this.failed) throw new SsoError('SSO_ERR_ILLEGAL_STATE', `The writer for ${this.table.name} has failed or was aborted`);
    while (this.pending.length > 0) await this.flush(this.nextBatchSize());
    await this.commit();
    return this.rowsCommitted;
  }

  async abort(): Promise<void> {
    this.failed = true;
    this.pending = [];
    await this.rollbackQuietly();
  }
}
