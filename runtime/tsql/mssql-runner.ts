/**
 * Runs a T-SQL script against a SQL Server catalog through `mssql` and returns the same `TsqlOutput[]`
 * the embedded interpreter returns, so `scaleout sql` prints the same text against both catalogs: result
 * sets with SQL type names and values rendered as the interpreter renders them, row counts, PRINT/info
 * messages, and errors — our catalog errors (`THROW 50000, N'[27243] …'`) mapped back to SSISDB's numbers.
 */
import sql from 'mssql';
import type { Principal } from '../../actors/ports.ts';
import { SsoError } from '../../actors/errors.ts';
import { CatalogErrorMessages } from '../../actors/catalog-errors.ts';
import type { Batch } from './batches.ts';
import { tokenize } from './lexer.ts';
import type { Token } from './lexer.ts';
import type { TsqlColumn, TsqlOutput, TsqlResult } from './interpreter.ts';
import { runScript } from './interpreter.ts';
import { displayValue, formatDateTime } from './values.ts';

// ---------------------------------------------------------------------------------------------
// Column types and values
// ---------------------------------------------------------------------------------------------

/** What the runner reads of an `mssql` column (`recordset.columns` entries; arrayRowMode gives them in order). */
export interface MssqlColumnLike {
  readonly name: string;
  readonly index?: number;
  /** The `mssql` type (`sql.NVarChar`, `sql.BigInt`…), which carries its name in `declaration`. */
  readonly type?: unknown;
  readonly scale?: number;
  readonly precision?: number;
  readonly udt?: { readonly name?: string };
}

/** `mssql` declarations whose name differs from the SQL Server type name `format.ts` expects. */
const TYPE_NAMES: Readonly<Record<string, string>> = { variant: 'sql_variant', udt: 'nvarchar', tvp: 'nvarchar' };

/** The SQL type name of a column as the interpreter names it (`bigint`, `nvarchar`, `sql_variant`…). */
export function mssqlColumnType(column: MssqlColumnLike): string {
  const declaration = (column.type as { declaration?: unknown } | undefined)?.declaration;
  if (typeof declaration !== 'string') return column.udt?.name?.toLowerCase() ?? 'nvarchar';
  if (declaration === 'udt' && column.udt?.name) return column.udt.name.toLowerCase();
  return TYPE_NAMES[declaration] ?? declaration;
}

const INTEGER = new Set(['bigint', 'int', 'smallint', 'tinyint']);
const DATE_TIME = new Set(['datetimeoffset', 'datetime2', 'datetime', 'smalldatetime', 'date', 'time']);

/** tedious keeps the 100-ns digits a JS Date cannot hold in `nanosecondsDelta` (seconds, < 0.001). */
function ticksOf(date: Date): number {
  const delta = (date as Date & { nanosecondsDelta?: unknown }).nanosecondsDelta;
  return typeof delta === 'number' && Number.isFinite(delta) ? Math.min(9999, Math.max(0, Math.round(delta * 1e7))) : 0;
}

/**
 * One value as the interpreter prints it: NULL → null, bit → 0/1, decimals with their scale, money with 4
 * digits, floats as `displayValue` writes them, GUIDs in lower case (as the catalog views show them on
 * both catalogs), binary as 0x…, date/time types with 7 fraction digits (datetime: 3). tedious gives
 * datetimeoffset as a UTC instant without its offset, so those print as `+00:00` (the catalog stores UTC).
 */
export function renderMssqlValue(value: unknown, type: string, column: Pick<MssqlColumnLike, 'scale'> = {}): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (value instanceof Date) {
    const dateType = DATE_TIME.has(type) ? type : 'datetimeoffset';
    return formatDateTime({ ms: value.getTime(), ticks: ticksOf(value), offset: 0 }, dateType);
  }
  if (value instanceof Uint8Array) return displayValue({ type: 'varbinary', value });
  if (INTEGER.has(type)) return String(value);
  if (type === 'bit') return Number(value) !== 0 ? '1' : '0';
  if (type === 'decimal' || type === 'numeric') return typeof value === 'number' ? value.toFixed(column.scale ?? 0) : String(value);
  if (type === 'money' || type === 'smallmoney') return typeof value === 'number' ? value.toFixed(4) : String(value);
  if (type === 'uniqueidentifier') return String(value).toLowerCase();
  if (typeof value === 'number') return displayValue({ type: type === 'real' ? 'real' : 'float', value });
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------
// Which EXEC of the batch a catalog error belongs to
// ---------------------------------------------------------------------------------------------

/** An `EXEC[UTE] [@rc =] <name>` of a batch: its 1-based line and the procedure's last name part. */
export interface ProcedureCall {
  readonly line: number;
  readonly name: string;
}

function isWord(t: Token | undefined, word: string): boolean {
  return t !== undefined && t.kind === 'ident' && t.quoted !== true && t.value.toLowerCase() === word;
}

/**
 * The procedure calls of a batch in text order (dynamic `EXEC (…)`, `EXEC @name` and `EXECUTE AS` are
 * left out). A batch the lexer cannot read (SQL Server will say why) has none.
 */
export function procedureCalls(batchText: string): ProcedureCall[] {
  let tokens: Token[];
  try {
    tokens = tokenize(batchText);
  } catch {
    return [];
  }
  const calls: ProcedureCall[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (!isWord(tokens[i], 'exec') && !isWord(tokens[i], 'execute')) continue;
    const line = tokens[i]!.line;
    let j = i + 1;
    if (isWord(tokens[j], 'as')) continue; // EXECUTE AS LOGIN/USER: a context switch, not a call
    if (tokens[j]?.kind === 'variable' && tokens[j + 1]?.kind === 'op' && tokens[j + 1]!.value === '=') j += 2;
    let name: string | undefined;
    while (tokens[j] !== undefined) {
      const t = tokens[j]!;
      if (t.kind === 'ident') { name = t.value; j++; } else if (t.kind === 'op' && t.value === '.') { j++; } else break;
      if (t.kind === 'ident' && !(tokens[j]?.kind === 'op' && tokens[j]!.value === '.')) break;
    }
    if (name !== undefined) calls.push({ line, name });
    i = j - 1;
  }
  return calls;
}

// ---------------------------------------------------------------------------------------------
// Messages and errors
// ---------------------------------------------------------------------------------------------

/** What `mssql` emits as `info` (PRINT, RAISERROR ≤ 10, "Changed database context…"). */
export interface MssqlInfoLike {
  readonly message: string;
  readonly number?: number;
  readonly class?: number;
  readonly state?: number;
}

/** The fields of an `mssql` RequestError the runner reads (also found under `originalError.info`). */
interface SqlErrorFields {
  readonly number?: unknown;
  readonly class?: unknown;
  readonly state?: unknown;
  readonly procName?: unknown;
  readonly lineNumber?: unknown;
  readonly message?: unknown;
  readonly originalError?: { readonly info?: SqlErrorFields };
}

/** internal.raise_catalog_error's text: `[27243] <SSISDB text>`. */
const CATALOG_PREFIX = /^\[(\d{5})\] ([\s\S]*)$/;

function field<T>(e: SqlErrorFields, key: keyof SqlErrorFields, test: (v: unknown) => v is T): T | undefined {
  const own = e[key];
  if (test(own)) return own;
  const inner = e.originalError?.info?.[key];
  return test(inner) ? inner : undefined;
}
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isText = (v: unknown): v is string => typeof v === 'string';

/**
 * A SQL Server error as an output, or null when it is not one (a driver or connection failure, which
 * the caller reports instead). A catalog error becomes SSISDB's number, level 16, state 1, its text,
 * and the procedure and line of the EXEC that raised it (`call`), as the embedded catalog prints them.
 */
export function mssqlErrorOutput(error: unknown, call?: ProcedureCall): Extract<TsqlOutput, { kind: 'error' }> | null {
  const e = (error ?? {}) as SqlErrorFields;
  const number = field(e, 'number', isNumber);
  if (number === undefined) return null;
  const message = field(e, 'message', isText) ?? String(error);
  const level = field(e, 'class', isNumber) ?? 16;
  const state = field(e, 'state', isNumber) ?? 1;
  const procName = field(e, 'procName', isText);
  const line = field(e, 'lineNumber', isNumber) ?? 0;
  const m = number === 50000 ? CATALOG_PREFIX.exec(message) : null;
  if (m !== null && Number(m[1]) in CatalogErrorMessages) {
    return {
      kind: 'error', number: Number(m[1]), level, state: 1, message: m[2]!,
      ...(call !== undefined ? { procedure: call.name, line: call.line } : { ...(procName ? { procedure: procName } : {}), line }),
    };
  }
  return { kind: 'error', number, level, state, ...(procName ? { procedure: procName } : {}), line, message };
}

// ---------------------------------------------------------------------------------------------
// One batch's events → outputs
// ---------------------------------------------------------------------------------------------

/**
 * Turns the events of one streamed batch (in arrival order) into outputs: a result set is complete at
 * its row count, the next result set, a message, an error or the end. Procedure completions (tedious'
 * DONEPROC with a return status: one per top-level EXEC) tell which EXEC a catalog error came from.
 */
export class BatchOutputCollector {
  private pending: { columns: TsqlColumn[]; meta: MssqlColumnLike[]; rows: (string | null)[][] } | null = null;
  private completed = 0;
  private tracking = false;
  private nextByName = 0;
  /** Errors that are not SQL Server errors (connection lost, timeout): the batch result is unknown. */
  readonly failures: unknown[] = [];

  constructor(private readonly calls: readonly ProcedureCall[], private readonly sink: (o: TsqlOutput) => void) {}

  recordset(columns: readonly MssqlColumnLike[] | Readonly<Record<string, MssqlColumnLike>>): void {
    this.flush();
    const meta = Array.isArray(columns)
      ? [...(columns as readonly MssqlColumnLike[])]
      : Object.values(columns as Readonly<Record<string, MssqlColumnLike>>).sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    this.pending = { meta, columns: meta.map((c) => ({ name: c.name, type: mssqlColumnType(c) })), rows: [] };
  }

  row(values: readonly unknown[] | Readonly<Record<string, unknown>>): void {
    const set = this.pending;
    if (set === null) return;
    const cells = Array.isArray(values) ? values : set.meta.map((c) => (values as Readonly<Record<string, unknown>>)[c.name]);
    set.rows.push(set.meta.map((c, i) => renderMssqlValue(cells[i], set.columns[i]!.type, c)));
  }

  rowsAffected(count: number): void {
    this.flush();
    this.sink({ kind: 'rowcount', count });
  }

  info(message: MssqlInfoLike): void {
    this.flush();
    this.sink({ kind: 'message', text: message.message });
  }

  error(error: unknown): void {
    this.flush();
    const call = this.callFor(error);
    const output = mssqlErrorOutput(error, call);
    if (output === null) { this.failures.push(error); return; }
    this.sink(output);
  }

  /** A top-level EXEC finished (whatever its outcome). */
  procedureDone(): void {
    this.tracking = true;
    this.completed++;
  }

  end(): void {
    this.flush();
  }

  private flush(): void {
    if (this.pending === null) return;
    this.sink({ kind: 'resultset', columns: this.pending.columns, rows: this.pending.rows });
    this.pending = null;
  }

  /**
   * The EXEC a catalog error belongs to: the one running (as many EXECs done as precede it in the text,
   * when the driver reports completions), else the next EXEC of the procedure the server names, else
   * none (the server's procedure and line are kept). Assumes EXECs run in text order (no loops).
   */
  private callFor(error: unknown): ProcedureCall | undefined {
    const message = (error as { message?: unknown } | null)?.message;
    if (typeof message !== 'string' || !CATALOG_PREFIX.test(message)) return undefined;
    if (this.tracking) {
      const running = this.calls[this.completed];
      if (running !== undefined) return running;
    }
    const procName = (error as { procName?: unknown }).procName;
    const named = typeof procName === 'string' ? procName.toLowerCase() : '';
    for (let i = this.nextByName; i < this.calls.length; i++) {
      if (this.calls[i]!.name.toLowerCase() === named) { this.nextByName = i + 1; return this.calls[i]; }
    }
    if (this.calls.length === 1) return this.calls[0];
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Running scripts
// ---------------------------------------------------------------------------------------------

/** The part of `sql.Request` the runner uses (a fake in the unit tests). */
export interface RequestLike {
  stream: boolean;
  arrayRowMode: boolean;
  // Listener arguments are event-specific (EventEmitter's own signature).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: string, listener: (...args: any[]) => void): unknown;
  batch(text: string): Promise<unknown>;
}

export interface RequestSource {
  request(): RequestLike;
}

export interface SqlServerRunOptions {
  /** Requests on ONE session (a pool of one connection): USE, SET and #tables carry across batches. */
  readonly pool: RequestSource;
  /**
   * The catalog principal asserted through SESSION_CONTEXT before each batch, as the mssql adapter does
   * (honoured only when the SQL login is trusted: sysadmin, db_owner, ssis_admin). Undefined: the SQL
   * login acts as itself and is judged by its own SQL Server roles.
   */
  readonly caller?: Principal;
  /** Called with each output as soon as its batch has produced it. */
  readonly onOutput?: (output: TsqlOutput) => void;
}

function nString(value: string | null): string {
  return value === null ? 'NULL' : `N'${value.replace(/'/g, "''")}'`;
}

/** The batch that states who calls (keys read by internal.caller_name / caller_in_roles / now_utc). */
export function sessionContextBatch(caller: Principal): string {
  return [
    `EXEC sys.sp_set_session_context @key = N'scaleout.caller_name', @value = ${nString(caller.name)};`,
    `EXEC sys.sp_set_session_context @key = N'scaleout.caller_roles', @value = ${nString(caller.roles.join(','))};`,
    `EXEC sys.sp_set_session_context @key = N'scaleout.now', @value = NULL;`,
  ].join('\n');
}

/**
 * Hooks tedious' DONEPROC events of the request mssql is about to send (mssql hands its driver request
 * to `_setCurrentRequest`). Without that method (another driver) nothing is tracked and catalog errors
 * are matched to EXECs by procedure name.
 */
function trackProcedures(request: RequestLike, onDone: () => void): void {
  const r = request as RequestLike & { _setCurrentRequest?: (driverRequest: unknown) => unknown };
  const original = r._setCurrentRequest;
  if (typeof original !== 'function') return;
  r._setCurrentRequest = function (this: unknown, driverRequest: unknown) {
    const emitter = driverRequest as { on?: (event: string, fn: (...args: unknown[]) => void) => void };
    emitter.on?.('doneProc', (_rowCount: unknown, _more: unknown, returnStatus: unknown) => {
      if (returnStatus !== undefined) onDone();
    });
    return original.call(this, driverRequest);
  };
}

function ioError(error: unknown, startLine: number): SsoError {
  const message = (error as { message?: unknown } | null)?.message;
  return new SsoError('SSO_ERR_CATALOG_IO', `The SQL Server connection failed while running the batch that starts on line ${startLine}: ${typeof message === 'string' ? message : String(error)}`, { where: `line ${startLine}`, cause: error });
}

/** Runs one batch (already split) and sends its outputs to `sink`; a driver failure throws SSO_ERR_CATALOG_IO. */
export async function runSqlServerBatch(batch: Batch, options: SqlServerRunOptions, sink: (o: TsqlOutput) => void): Promise<void> {
  if (options.caller !== undefined) {
    try {
      await options.pool.request().batch(sessionContextBatch(options.caller));
    } catch (error) {
      throw ioError(error, batch.startLine);
    }
  }
  const collector = new BatchOutputCollector(procedureCalls(batch.text), sink);
  const request = options.pool.request();
  request.stream = true;
  request.arrayRowMode = true;
  trackProcedures(request, () => collector.procedureDone());
  const on = request.on.bind(request);
  on('recordset', (columns: readonly MssqlColumnLike[]) => collector.recordset(columns));
  on('row', (row: readonly unknown[]) => collector.row(row));
  on('rowsaffected', (count: number) => collector.rowsAffected(count));
  on('info', (info: MssqlInfoLike) => collector.info(info));
  on('error', (error: unknown) => collector.error(error));
  try {
    await request.batch(batch.text);
  } catch (error) {
    collector.error(error);
  }
  collector.end();
  if (collector.failures.length > 0) throw ioError(collector.failures[0], batch.startLine);
}

/** Runs a whole script: batches split on GO lines (`GO n` runs one n times), each sent as one batch. */
export async function executeTsqlOnSqlServer(text: string, options: SqlServerRunOptions): Promise<TsqlResult> {
  return runScript(text, (batch, sink) => runSqlServerBatch(batch, options, sink), options.onOutput);
}

/**
 * A pool of exactly one connection, so a script's batches share one session as with sqlcmd (USE,
 * SET options, temp tables, SESSION_CONTEXT). Close it when the script is done.
 */
export async function openSqlServerSession(config: sql.config): Promise<sql.ConnectionPool> {
  const pool = new sql.ConnectionPool({ ...config, pool: { ...config.pool, min: 0, max: 1 } });
  try {
    await pool.connect();
  } catch (error) {
    await pool.close().catch(() => undefined);
    const message = (error as { message?: unknown } | null)?.message;
    throw new SsoError('SSO_ERR_CATALOG_IO', `Cannot connect to SQL Server ${config.server}${config.port ? `,${config.port}` : ''} (database ${config.database ?? 'SSISDB'}): ${typeof message === 'string' ? message : String(error)}`, { where: 'connection string', cause: error });
  }
  return pool;
}
