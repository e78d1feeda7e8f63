/**
 * Runs a T-SQL script against a `CatalogStore` as one `Principal` and returns what SQL Server would send
 * back, as plain data: result sets, row counts, PRINT messages and errors with SQL Server's numbers,
 * levels and states. The CLI prints these; a master route can return them over HTTP unchanged.
 *
 * Error policy (SQL Server's, for a batch outside TRY…CATCH):
 * - compile errors (syntax 102/156/105, 137 undeclared variable, 134, 141, 2715, 119, 179) stop the whole
 *   batch before any statement of it runs;
 * - statement errors (2812 unknown procedure, 8145, 8144, 8143, 8162, 201, catalog errors raised by a
 *   procedure at severity 16, RAISERROR 11–18, 8134, 8115) end that statement only: the EXEC's return status
 *   is 1 and the batch goes on with the next statement;
 * - conversion errors (8114, 245, 8169, 241, 206), THROW, 911 (USE of another database), 208/207 (unknown
 *   view or column) and 195 (unknown function) abort the rest of the batch; later batches still run.
 * `SET XACT_ABORT ON` makes every statement error abort the batch. Error lines are batch-relative, as SQL
 * Server reports them; a procedure's error names the procedure and the line of the EXEC in the batch.
 */
import { randomUUID } from 'node:crypto';
import type { CatalogStore, Principal } from '../../actors/ports.ts';
import { SsoError } from '../../actors/errors.ts';
import { CatalogErrorMessages } from '../../actors/catalog-errors.ts';
import type { CatalogErrorNumber } from '../../actors/catalog-errors.ts';
import { splitBatches } from './batches.ts';
import type { Batch } from './batches.ts';
import { TsqlSyntaxError } from './lexer.ts';
import { parseBatch } from './parser.ts';
import type { ExecArg, Expr, ObjectName, SelectItem, SelectTail, SqlTypeSpec, Statement } from './parser.ts';
import { DATE_PART_FUNCTIONS, dateAdd, dateDiff, datePart, datePartOf } from './date-functions.ts';
import { findProcedure, RETURN_STATUS } from './procedures.ts';
import type { ProcedureDefinition } from './procedures.ts';
import {
  arithmetic, compareValues, convert, displayValue, fromJs, isStringType, likeToRegExp, NULL, SqlValueError,
} from './values.ts';
import type { SqlValue } from './values.ts';
import { viewColumnType as catalogViewColumnType } from './view-columns.ts';
import { SQL_LOGINS_COLUMN_TYPES, SQL_LOGINS_VIEW, SecurityStatementError, runSecurityStatement, sqlLoginsRows } from './security-statements.ts';

/** Column types of the catalog views and of the front door's own views (sys.sql_logins). */
function viewColumnType(view: string, column: string): string | undefined {
  if (view === SQL_LOGINS_VIEW) return SQL_LOGINS_COLUMN_TYPES[column.toLowerCase()];
  return catalogViewColumnType(view, column);
}

// ---------------------------------------------------------------------------------------------
// Outputs (plain, JSON-safe data)
// ---------------------------------------------------------------------------------------------

export interface TsqlColumn {
  readonly name: string;
  /** SQL type name of the column (`bigint`, `nvarchar`, `datetimeoffset`…), for alignment and CSV. */
  readonly type: string;
}

export type TsqlOutput =
  | { readonly kind: 'resultset'; readonly columns: readonly TsqlColumn[]; readonly rows: readonly (readonly (string | null)[])[] }
  | { readonly kind: 'rowcount'; readonly count: number }
  | { readonly kind: 'message'; readonly text: string }
  | {
    readonly kind: 'error'; readonly number: number; readonly level: number; readonly state: number;
    readonly procedure?: string; readonly line: number; readonly message: string;
  };

export interface TsqlResult {
  readonly outputs: readonly TsqlOutput[];
  /** How many error outputs (level > 10) the script produced. */
  readonly errorCount: number;
}

export interface TsqlOptions {
  readonly store: CatalogStore;
  readonly caller: Principal;
  /** Resolves relative `@project_path` values. Default: process.cwd(). */
  readonly cwd?: string;
  /** `@@SERVERNAME`. Default 'scaleout'. */
  readonly serverName?: string;
  /** `@@VERSION`. */
  readonly serverVersion?: string;
  /** Clock for GETDATE() and friends (ms since the epoch). Default Date.now. */
  readonly now?: () => number;
  /** Called with each output as soon as it exists (the interactive prompt prints as it goes). */
  readonly onOutput?: (output: TsqlOutput) => void;
}

export const DEFAULT_SERVER_VERSION = 'scaleout 0.1.0 - SSISDB-compatible catalog (embedded)';

/** Runs a whole script: batches split on GO lines, each batch compiled then run. */
export async function executeTsql(text: string, options: TsqlOptions): Promise<TsqlResult> {
  return runScript(text, (batch, sink) => runBatch(batch, options, sink), options.onOutput);
}

/**
 * Splits a script on GO lines (`GO n` runs a batch n times) and runs each batch with `runOne`,
 * collecting the outputs and counting errors; shared by the embedded and the SQL Server front doors.
 */
export async function runScript(text: string, runOne: (batch: Batch, sink: (o: TsqlOutput) => void) => Promise<void>, onOutput?: (o: TsqlOutput) => void): Promise<TsqlResult> {
  const outputs: TsqlOutput[] = [];
  let errorCount = 0;
  const sink = (o: TsqlOutput) => {
    outputs.push(o);
    if (o.kind === 'error' && o.level > 10) errorCount++;
    onOutput?.(o);
  };
  for (const batch of splitBatches(text)) {
    for (let i = 0; i < batch.repeat; i++) await runOne(batch, sink);
  }
  return { outputs, errorCount };
}

/** Runs one batch (already split), sending its outputs to `sink`. */
export async function runBatch(batch: Batch, options: TsqlOptions, sink: (o: TsqlOutput) => void): Promise<void> {
  let statements: Statement[];
  try {
    statements = parseBatch(batch.text);
    checkVariables(statements);
  } catch (err) {
    if (err instanceof TsqlSyntaxError) {
      sink({ kind: 'error', number: err.number, level: err.level, state: err.state, line: err.line, message: err.message });
      return;
    }
    throw err;
  }
  const session = new BatchRun(options, sink);
  await session.run(statements);
}

// ---------------------------------------------------------------------------------------------
// Compile-time variable check (137, 134): variables are batch-scoped and declared before use.
// ---------------------------------------------------------------------------------------------

function checkVariables(statements: readonly Statement[]): void {
  const declared = new Set<string>();
  const use = (name: string, line: number) => {
    if (!declared.has(name.toLowerCase())) throw new TsqlSyntaxError(137, `Must declare the scalar variable "${name}".`, line, 15, 2);
  };
  const expr = (e: Expr | undefined): void => {
    if (e === undefined) return;
    switch (e.kind) {
      case 'variable': use(e.name, e.line); return;
      case 'unary': expr(e.operand); return;
      case 'binary': expr(e.left); expr(e.right); return;
      case 'in': expr(e.expr); e.list.forEach(expr); return;
      case 'like': expr(e.expr); expr(e.pattern); expr(e.escape); return;
      case 'isnull': expr(e.expr); return;
      case 'between': expr(e.expr); expr(e.low); expr(e.high); return;
      case 'call': e.args.forEach(expr); return;
      case 'cast': expr(e.expr); expr(e.style); return;
      case 'case': expr(e.operand); e.whens.forEach((w) => { expr(w.when); expr(w.then); }); expr(e.else); return;
      default: return;
    }
  };
  const stmt = (s: Statement): void => {
    switch (s.kind) {
      case 'declare':
        for (const d of s.decls) {
          expr(d.init);
          const key = d.name.toLowerCase();
          if (declared.has(key)) throw new TsqlSyntaxError(134, `The variable name '${d.name}' has already been declared. Variable names must be unique within a query batch or stored procedure.`, d.line, 15, 1);
          declared.add(key);
        }
        return;
      case 'set': use(s.variable, s.line); expr(s.expr); return;
      case 'selectassign':
        s.assignments.forEach((a) => { use(a.variable, s.line); expr(a.expr); });
        s.joins?.forEach((j) => expr(j.on)); expr(s.where); s.groupBy?.forEach(expr); expr(s.having); s.orderBy?.forEach((o) => expr(o.expr));
        return;
      case 'select':
        expr(s.top); s.items.forEach((i) => { if (i.kind === 'expr') expr(i.expr); });
        s.joins?.forEach((j) => expr(j.on)); expr(s.where); s.groupBy?.forEach(expr); expr(s.having); s.orderBy?.forEach((o) => expr(o.expr));
        return;
      case 'exec': {
        if (s.returnVar !== undefined) use(s.returnVar, s.line);
        let named = false;
        s.args.forEach((a, i) => {
          if (a.name !== undefined) named = true;
          else if (named) {
            throw new TsqlSyntaxError(119, `Must pass parameter number ${i + 1} and subsequent parameters as '@name = value'. After the form '@name = value' has been used, all subsequent parameters must be passed in the form '@name = value'.`, a.line, 15, 1);
          }
          if (a.value.kind === 'variable') use(a.value.name, a.line);
          else if (a.output) throw new TsqlSyntaxError(179, 'Cannot use the OUTPUT option when passing a constant to a stored procedure.', a.line, 15, 1);
        });
        return;
      }
      case 'print': expr(s.expr); return;
      case 'raiserror': expr(s.message); expr(s.severity); expr(s.state); s.args.forEach(expr); return;
      case 'throw': expr(s.number); expr(s.message); expr(s.state); return;
      case 'block': s.statements.forEach(stmt); return;
      case 'if': expr(s.condition); stmt(s.then); if (s.else) stmt(s.else); return;
      case 'return': expr(s.expr); return;
      default: return;
    }
  };
  statements.forEach(stmt);
}

// ---------------------------------------------------------------------------------------------
// Running a batch
// ---------------------------------------------------------------------------------------------

/** An error raised while running a statement, already in SQL Server's terms. */
class StatementError extends Error {
  constructor(
    readonly number: number, message: string, readonly line: number,
    readonly opts: { level?: number; state?: number; procedure?: string; abort?: boolean } = {},
  ) { super(message); }
}

/** Stops the batch (after its error was reported), or ends it quietly for RETURN. */
class BatchEnd extends Error {}

/** Nesting the interpreter runs before it refuses (see `eval`); above the parser's MAX_TREE_DEPTH. */
export const MAX_EVAL_DEPTH = 3000;
const STACK_LIMIT_MESSAGE = 'Internal error: Server stack limit has been reached. Please look for potentially deep nesting in your query, and try to simplify it.';
function stackLimit(line: number): StatementError {
  return new StatementError(8631, STACK_LIMIT_MESSAGE, line, { level: 17, abort: true });
}

const ABORTING_CONVERSIONS = new Set([8114, 245, 8169, 241, 206]);

interface Variable { readonly type: SqlTypeSpec; value: SqlValue }

type Row = ReadonlyMap<string, SqlValue>;

class BatchRun {
  private readonly vars = new Map<string, Variable>();
  private lastError = 0;
  /** `@@ERROR`: the error number of the statement before the one running. */
  private previousError = 0;
  private rowCount = 0;
  private evalDepth = 0;
  private statementDepth = 0;
  private noCount = false;
  private xactAbort = false;

  constructor(private readonly options: TsqlOptions, private readonly sink: (o: TsqlOutput) => void) {}

  async run(statements: readonly Statement[]): Promise<void> {
    try {
      for (const s of statements) await this.statement(s);
    } catch (err) {
      if (err instanceof BatchEnd) return;
      throw err;
    }
  }

  private error(number: number, message: string, line: number, opts: { level?: number; state?: number; procedure?: string } = {}): void {
    this.lastError = number;
    this.sink({
      kind: 'error', number, level: opts.level ?? 16, state: opts.state ?? 1,
      ...(opts.procedure !== undefined ? { procedure: opts.procedure } : {}), line, message,
    });
  }

  /** Runs one statement; reports its failure and decides whether the batch goes on. */
  private async statement(s: Statement): Promise<void> {
    if (this.statementDepth >= MAX_EVAL_DEPTH) {
      this.error(8631, STACK_LIMIT_MESSAGE, s.line, { level: 17 });
      throw new BatchEnd();
    }
    this.statementDepth++;
    try {
      await this.statementAt(s);
    } finally {
      this.statementDepth--;
    }
  }

  private async statementAt(s: Statement): Promise<void> {
    try {
      if (s.kind !== 'block') { this.previousError = this.lastError; this.lastError = 0; }
      await this.execute(s);
    } catch (err) {
      if (err instanceof BatchEnd) throw err;
      if (err instanceof StatementError) {
        this.error(err.number, err.message, err.line, err.opts);
        if (err.opts.abort || this.xactAbort) throw new BatchEnd();
        return;
      }
      if (err instanceof SqlValueError) {
        this.error(err.number, err.message, s.line);
        if (ABORTING_CONVERSIONS.has(err.number) || this.xactAbort) throw new BatchEnd();
        return;
      }
      throw err;
    }
  }

  private async execute(s: Statement): Promise<void> {
    switch (s.kind) {
      case 'use':
        if (s.database.toUpperCase() !== 'SSISDB') {
          throw new StatementError(911, `Database '${s.database}' does not exist. Make sure that the name is entered correctly.`, s.line, { abort: true });
        }
        this.sink({ kind: 'message', text: "Changed database context to 'SSISDB'." });
        return;
      case 'declare':
        for (const d of s.decls) {
          const v: Variable = { type: d.type, value: convert({ type: d.type.name, value: null }, d.type) };
          this.vars.set(d.name.toLowerCase(), v);
          if (d.init) v.value = convert(this.eval(d.init, null, s.line), d.type, 'assign');
        }
        return;
      case 'set': {
        const v = this.variable(s.variable);
        let value = this.eval(s.expr, null, s.line);
        if (s.op !== '=') value = arithmetic(s.op === '+=' ? '+' : '-', v.value, value);
        v.value = convert(value, v.type, 'assign');
        this.rowCount = 1;
        return;
      }
      case 'setoption':
        this.setOption(s.option, s.value, s.line);
        return;
      case 'select':
        await this.select(s);
        return;
      case 'selectassign': {
        if (s.groupBy !== undefined || s.having !== undefined) throw new StatementError(141, 'A SELECT statement that assigns a value to a variable cannot use GROUP BY or HAVING here.', s.line, { abort: true });
        const rows = s.from ? await this.viewRows(s, s.line) : this.noFromRows(s.where, s.line);
        // Each row assigns in turn; the last row's values remain (SQL Server's behaviour).
        for (const row of rows) {
          for (const a of s.assignments) {
            const v = this.variable(a.variable);
            v.value = convert(this.eval(a.expr, row, s.line), v.type, 'assign');
          }
        }
        this.rowCount = rows.length;
        return;
      }
      case 'exec':
        await this.exec(s);
        return;
      case 'print': {
        const v = this.eval(s.expr, null, s.line);
        this.sink({ kind: 'message', text: v.value === null ? '' : String(displayValue(convert(v, { name: 'nvarchar', length: 'max' }, 'cast')) ?? '') });
        return;
      }
      case 'raiserror':
        this.raiserror(s);
        return;
      case 'throw': {
        const number = this.intOf(this.eval(s.number, null, s.line), s.line);
        const message = String(displayValue(convert(this.eval(s.message, null, s.line), { name: 'nvarchar', length: 2048 }, 'cast')) ?? '');
        const state = this.intOf(this.eval(s.state, null, s.line), s.line);
        if (number < 50000) {
          throw new StatementError(35100, `Error number ${number} in the THROW statement is outside the valid range. Specify an error number in the valid range of 50000 to 2147483647.`, s.line, { abort: true });
        }
        throw new StatementError(number, message, s.line, { state, abort: true });
      }
      case 'block':
        for (const inner of s.statements) await this.statement(inner);
        return;
      case 'if': {
        const c = this.cond(s.condition, null, s.line);
        if (c === true) await this.statement(s.then);
        else if (s.else) await this.statement(s.else);
        return;
      }
      case 'return':
        if (s.expr) this.eval(s.expr, null, s.line);
        throw new BatchEnd();
      case 'security':
        try {
          await runSecurityStatement(s.statement, this.options.store, this.options.caller);
        } catch (err) {
          if (err instanceof SecurityStatementError) throw new StatementError(err.number, err.message, s.line, { state: err.state });
          throw err;
        }
        return;
    }
  }

  private setOption(option: string, value: string, line: number): void {
    const on = value === 'ON';
    if (!on && value !== 'OFF' && !['DATEFORMAT', 'LANGUAGE', 'TEXTSIZE', 'ROWCOUNT', 'LOCK_TIMEOUT', 'DEADLOCK_PRIORITY', 'TRANSACTION'].includes(option)) {
      throw new StatementError(102, `Incorrect syntax near '${value}'.`, line, { level: 15, abort: true });
    }
    if (option === 'NOCOUNT') this.noCount = on;
    else if (option === 'XACT_ABORT') this.xactAbort = on;
    // ANSI_NULLS, QUOTED_IDENTIFIER and the like are accepted as no-ops: the behaviour here is fixed.
  }

  private variable(name: string): Variable {
    const v = this.vars.get(name.toLowerCase());
    if (v === undefined) throw new StatementError(137, `Must declare the scalar variable "${name}".`, 0, { level: 15, state: 2, abort: true });
    return v;
  }

  private intOf(v: SqlValue, line: number): number {
    if (v.value === null) throw new StatementError(8116, 'Argument data type NULL is invalid for argument 1.', line);
    return Number(convert(v, { name: 'int' }, 'cast').value);
  }

  // ---- EXEC ----

  private resolveProcedure(name: ObjectName): ProcedureDefinition | undefined {
    const p = name.parts;
    let schema: string | undefined;
    let proc: string | undefined;
    if (p.length === 2) [schema, proc] = p;
    else if (p.length === 3 && p[0]!.toUpperCase() === 'SSISDB') [, schema, proc] = p;
    if (schema === undefined || proc === undefined || schema === '') return undefined;
    return findProcedure(`${schema}.${proc}`);
  }

  private async exec(s: Statement & { kind: 'exec' }): Promise<void> {
    const proc = this.resolveProcedure(s.proc);
    if (proc === undefined) throw new StatementError(2812, `Could not find stored procedure '${s.proc.text}'.`, s.line, { state: 62 });
    const short = proc.name.slice(proc.name.indexOf('.') + 1);
    const bound = this.bind(proc, short, s.args, s.line);
    let outputs: ReadonlyMap<string, SqlValue>;
    try {
      outputs = await proc.run({ store: this.options.store, caller: this.options.caller, cwd: this.options.cwd ?? process.cwd() }, bound.values);
    } catch (err) {
      if (s.returnVar !== undefined) this.variable(s.returnVar).value = { type: 'int', value: 1n };
      if (SsoError.is(err)) {
        throw new StatementError(err.number ?? 50000, err.message, s.line, { level: err.level, procedure: short });
      }
      throw new StatementError(50000, err instanceof Error ? err.message : String(err), s.line, { procedure: short });
    }
    for (const [param, variable] of bound.outputs) {
      const value = outputs.get(param);
      if (value === undefined) continue;
      const v = this.variable(variable);
      v.value = convert(value, v.type, 'assign');
    }
    if (s.returnVar !== undefined) {
      const v = this.variable(s.returnVar);
      v.value = convert(outputs.get(RETURN_STATUS) ?? { type: 'int', value: 0n }, v.type, 'assign');
    }
  }

  /** Binds EXEC arguments to a signature (Msg 8144, 8145, 8143, 8162, 201, 8114). */
  private bind(proc: ProcedureDefinition, short: string, args: readonly ExecArg[], line: number): { values: Map<string, SqlValue>; outputs: Map<string, string> } {
    const values = new Map<string, SqlValue>();
    const outputs = new Map<string, string>();
    const byName = new Map<string, (typeof proc.params)[number]>();
    for (const p of proc.params) {
      byName.set(p.name.toLowerCase(), p);
      for (const a of p.aliases ?? []) byName.set(a.toLowerCase(), p);
    }
    const supplied = new Map<string, ExecArg>();
    args.forEach((a, i) => {
      let param: (typeof proc.params)[number] | undefined;
      if (a.name === undefined) {
        param = proc.params[i];
        if (param === undefined) throw new StatementError(8144, `Procedure or function ${short} has too many arguments specified.`, line, { state: 1, procedure: short });
      } else {
        param = byName.get(a.name.toLowerCase());
        if (param === undefined) throw new StatementError(8145, `${a.name} is not a parameter for procedure ${short}.`, line, { state: 2, procedure: short });
      }
      const key = param.name.toLowerCase();
      if (supplied.has(key)) throw new StatementError(8143, `Parameter '${a.name ?? param.name}' was supplied multiple times.`, line, { state: 1, procedure: short });
      supplied.set(key, a);
    });
    for (const p of proc.params) {
      const key = p.name.toLowerCase();
      const a = supplied.get(key);
      if (a === undefined || a.value.kind === 'default') {
        if (p.default === undefined) {
          throw new StatementError(201, `Procedure or function '${short}' expects parameter '${p.name}', which was not supplied.`, 0, { state: 4, procedure: short });
        }
        values.set(key, p.default);
        continue;
      }
      if (a.output) {
        if (!p.output) {
          throw new StatementError(8162, `The formal parameter "${p.name}" was not declared as an OUTPUT parameter, but the actual parameter passed in requested output.`, 0, { state: 2, procedure: short });
        }
        if (a.value.kind === 'variable') outputs.set(key, a.value.name);
      }
      const raw = this.eval(a.value, null, line);
      try {
        values.set(key, convert(raw, p.type, 'param'));
      } catch (err) {
        if (err instanceof SqlValueError) throw new StatementError(err.number, err.message, 0, { procedure: short, abort: ABORTING_CONVERSIONS.has(err.number) });
        throw err;
      }
    }
    return { values, outputs };
  }

  private raiserror(s: Statement & { kind: 'raiserror' }): void {
    const msgValue = this.eval(s.message, null, s.line);
    const severity = this.intOf(this.eval(s.severity, null, s.line), s.line);
    const state = this.intOf(this.eval(s.state, null, s.line), s.line);
    const args = s.args.map((a) => this.eval(a, null, s.line));
    let number = 50000;
    let template: string;
    if (msgValue.type !== 'null' && !isStringType(msgValue.type)) {
      number = this.intOf(msgValue, s.line);
      const known = CatalogErrorMessages[number as CatalogErrorNumber] as string | undefined;
      if (known === undefined) {
        throw new StatementError(2732, `Error number ${number} is invalid. The number must be from 13000 through 2147483647 and it cannot be 50000.`, s.line);
      }
      template = known;
    } else template = msgValue.value === null ? '' : String(msgValue.value);
    const message = formatRaiserror(template, args);
    if (severity > 18 && !this.options.caller.roles.includes('sysadmin')) {
      throw new StatementError(2754, 'Error severity levels greater than 18 can only be specified by members of the sysadmin role, using the WITH LOG option.', s.line);
    }
    if (severity <= 10) {
      this.sink({ kind: 'message', text: message });
      return;
    }
    throw new StatementError(number, message, s.line, { level: Math.min(severity, 25), state, abort: severity >= 20 });
  }

  // ---- SELECT ----

  private noFromRows(where: Expr | undefined, line: number): Row[] {
    const row: Row = new Map();
    if (where !== undefined && this.cond(where, row, line) !== true) return [];
    return [row];
  }

  /** Rows of a view, filtered and ordered (ORDER BY over view columns; select-list aliases are resolved by the caller). */
  private async viewRows(s: SelectTail & { from?: ObjectName }, line: number): Promise<Row[]> {
    const { where, orderBy } = s;
    const { rows } = await this.loadSources(s, line);
    let out = where === undefined ? rows : rows.filter((r) => this.cond(where, r, line) === true);
    if (orderBy) out = this.sort(out, orderBy.map((o) => ({ key: (r: Row) => this.eval(o.expr, r, line), desc: o.desc })));
    return out;
  }

  private viewName(from: ObjectName): string | undefined {
    const p = from.parts;
    let schema: string | undefined;
    let view: string | undefined;
    if (p.length === 2) [schema, view] = p;
    else if (p.length === 3 && p[0]!.toUpperCase() === 'SSISDB') [, schema, view] = p;
    if (schema === undefined || view === undefined || schema === '') return undefined;
    const wanted = `${schema}.${view}`.toLowerCase();
    return this.options.store.listViews().find((v) => v.toLowerCase() === wanted);
  }

  private async loadView(from: ObjectName, line: number): Promise<{ columns: string[]; rows: Row[]; view: string }> {
    const wanted = from.parts.filter((p, i) => !(i === 0 && from.parts.length === 3 && /^(ssisdb|master)$/i.test(p))).join('.').toLowerCase();
    if (wanted === SQL_LOGINS_VIEW) return { ...(await sqlLoginsRows(this.options.store, this.options.caller)), view: SQL_LOGINS_VIEW };
    const view = this.viewName(from);
    if (view === undefined) throw new StatementError(208, `Invalid object name '${from.text}'.`, line, { abort: true });
    let result;
    try {
      result = await this.options.store.queryView(this.options.caller, view);
    } catch (err) {
      if (SsoError.is(err)) throw new StatementError(err.number ?? 50000, err.message, line, { level: err.level });
      throw err;
    }
    const columns = [...result.columns];
    const rows = result.rows.map((r) => {
      const m = new Map<string, SqlValue>();
      for (const c of columns) m.set(c.toLowerCase(), fromJs(r[c], viewColumnType(view, c)));
      return m as Row;
    });
    return { columns, rows, view };
  }

  private sort(rows: Row[], keys: { key: (r: Row) => SqlValue; desc: boolean }[]): Row[] {
    const decorated = rows.map((r, i) => ({ r, i, k: keys.map((k) => k.key(r)) }));
    decorated.sort((a, b) => {
      for (let j = 0; j < keys.length; j++) {
        const x = a.k[j]!;
        const y = b.k[j]!;
        let c: number;
        if (x.value === null || y.value === null) c = x.value === null ? (y.value === null ? 0 : -1) : 1;
        else c = compareValues(x, y);
        if (c !== 0) return keys[j]!.desc ? -c : c;
      }
      return a.i - b.i;
    });
    return decorated.map((d) => d.r);
  }

  private async select(s: Statement & { kind: 'select' }): Promise<void> {
    let columnsAll: SourceColumn[] = [];
    let rows: Row[];
    let view: string | undefined;
    let probe: Row = new Map();
    if (s.from) {
      const loaded = await this.loadSources(s, s.line);
      columnsAll = loaded.columns;
      view = loaded.view;
      probe = loaded.probe;
      rows = s.where === undefined ? loaded.rows : loaded.rows.filter((r) => this.cond(s.where!, r, s.line) === true);
    } else {
      if (s.items.some((i) => i.kind === 'star')) throw new StatementError(263, 'Must specify table to select from.', s.line, { level: 16, abort: true });
      rows = this.noFromRows(s.where, s.line);
    }

    // Expand the select list (a join's * lists every view's columns, qualified keys, bare names).
    const cols: OutCol[] = [];
    for (const item of s.items) {
      if (item.kind === 'star') for (const c of columnsAll.filter((x) => !s.joins?.length || x.key.includes('.'))) cols.push({ name: c.name, expr: null, column: c.key });
      else cols.push({ name: itemName(item), expr: item.expr });
    }
    const grouped = s.groupBy !== undefined || s.having !== undefined || cols.some((c) => c.expr !== null && containsAggregate(c.expr));
    let produced: Produced[];
    if (grouped) {
      produced = this.groupedRows(s, cols, rows, probe, view);
    } else {
      // Validate column references even when there are no rows (SQL Server fails at compile time).
      for (const c of cols) if (c.expr) this.eval(c.expr, s.from ? probe : null, s.line);
      produced = rows.map((row) => ({ row, values: cols.map((c) => (c.expr === null ? row.get(c.column!.toLowerCase()) ?? NULL : this.eval(c.expr, row, s.line))) }));
    }

    if (s.orderBy) {
      const keyFns = s.orderBy.map((o) => {
        const e = o.expr;
        if (e.kind === 'literal' && e.type === 'int') {
          const pos = Number(e.value);
          if (pos < 1 || pos > cols.length) throw new StatementError(108, `The ORDER BY position number ${pos} is out of range of the number of items in the select list.`, s.line, { level: 16, abort: true });
          return { key: (p: Produced) => p.values[pos - 1]!, desc: o.desc };
        }
        if (e.kind === 'column' && e.parts.length === 1) {
          const idx = cols.findIndex((c) => c.name.toLowerCase() === e.parts[0]!.toLowerCase());
          if (idx >= 0 && (cols[idx]!.expr !== null || !s.from)) return { key: (p: Produced) => p.values[idx]!, desc: o.desc };
        }
        if (s.from && !grouped) this.eval(e, probe, s.line);
        return { key: (p: Produced) => this.withAggregates(p.aggregates, () => this.eval(e, p.row, s.line)), desc: o.desc };
      });
      const decorated = produced.map((p, i) => ({ p, i, k: keyFns.map((k) => k.key(p)) }));
      decorated.sort((a, b) => {
        for (let j = 0; j < keyFns.length; j++) {
          const x = a.k[j]!;
          const y = b.k[j]!;
          const c = x.value === null || y.value === null ? (x.value === null ? (y.value === null ? 0 : -1) : 1) : compareValues(x, y);
          if (c !== 0) return keyFns[j]!.desc ? -c : c;
        }
        return a.i - b.i;
      });
      produced = decorated.map((d) => d.p);
    }
    if (s.top) {
      const n = this.intOf(this.eval(s.top, null, s.line), s.line);
      if (n < 0) throw new StatementError(1014, 'A TOP or FETCH clause contains an invalid value.', s.line);
      produced = produced.slice(0, n);
    }

    const typeOf = (key: string) => columnsAll.find((c) => c.key === key.toLowerCase())?.type;
    const columns: TsqlColumn[] = cols.map((c, i) => {
      const parts = c.expr?.kind === 'column' ? c.expr.parts : undefined;
      const declared = c.column !== undefined ? typeOf(c.column)
        : parts === undefined ? undefined
          : (parts.length >= 2 ? typeOf(`${parts[parts.length - 2]}.${parts[parts.length - 1]}`) : undefined) ?? typeOf(parts[parts.length - 1]!);
      const first = produced.find((p) => p.values[i]!.value !== null)?.values[i];
      return { name: c.name, type: declared ?? first?.type ?? (produced[0]?.values[i]?.type ?? 'null') };
    });
    this.sink({ kind: 'resultset', columns, rows: produced.map((p) => p.values.map((v) => displayValue(v))) });
    this.rowCount = produced.length;
    if (!this.noCount) this.sink({ kind: 'rowcount', count: produced.length });
  }

  // ---- joins, GROUP BY / HAVING, date functions (report queries; grammar in report-grammar.ts) ----

  /** Aggregate values of the group being evaluated (eval returns them for their call nodes). */
  private groupAggregates: ReadonlyMap<Expr, SqlValue> | undefined;

  private withAggregates<T>(aggregates: ReadonlyMap<Expr, SqlValue> | undefined, fn: () => T): T {
    const saved = this.groupAggregates;
    this.groupAggregates = aggregates;
    try { return fn(); } finally { this.groupAggregates = saved; }
  }

  /**
   * The rows of FROM: one view, or views joined (inner / left) on their ON conditions. Joined rows
   * hold `alias.column` keys and, for names only one source has, the bare name (a name two sources
   * share is ambiguous, Msg 209, unless qualified).
   */
  private async loadSources(s: SelectTail & { from?: ObjectName }, line: number): Promise<{ columns: SourceColumn[]; rows: Row[]; view: string; probe: Row }> {
    const first = await this.loadView(s.from!, line);
    const typed = (view: string, c: string): SqlValue => ({ type: viewColumnType(view, c) ?? 'null', value: null });
    if (s.joins === undefined || s.joins.length === 0) {
      const columns = first.columns.map((c) => ({ key: c.toLowerCase(), name: c, type: viewColumnType(first.view, c) }));
      return { columns, rows: first.rows, view: first.view, probe: new Map(first.columns.map((c) => [c.toLowerCase(), typed(first.view, c)])) };
    }
    const lastPart = (o: ObjectName) => o.parts[o.parts.length - 1]!;
    const sources = [{ alias: s.fromAlias ?? lastPart(s.from!), loaded: first }];
    for (const j of s.joins) sources.push({ alias: j.alias ?? lastPart(j.source), loaded: await this.loadView(j.source, j.line) });
    const seen = new Set<string>();
    for (const src of sources) {
      const a = src.alias.toLowerCase();
      if (seen.has(a)) throw new StatementError(1011, `The correlation name '${src.alias}' is specified multiple times in a FROM clause.`, line, { abort: true });
      seen.add(a);
    }
    const counts = new Map<string, number>();
    for (const src of sources) for (const c of src.loaded.columns) counts.set(c.toLowerCase(), (counts.get(c.toLowerCase()) ?? 0) + 1);
    const ambiguous = [...counts].filter(([, n]) => n > 1).map(([c]) => c);
    const columns: SourceColumn[] = sources.flatMap((src) => src.loaded.columns.map((c) => ({ key: `${src.alias}.${c}`.toLowerCase(), name: c, type: viewColumnType(src.loaded.view, c) })));
    for (const [c, n] of counts) if (n === 1) columns.push({ key: c, name: c, type: columns.find((x) => x.key.endsWith(`.${c}`))?.type });
    const qualify = (alias: string, view: string, cols: readonly string[], r: Row | null): [string, SqlValue][] => cols.flatMap((c) => {
      const v = r === null ? typed(view, c) : r.get(c.toLowerCase()) ?? NULL;
      return [[`${alias}.${c}`.toLowerCase(), v], [c.toLowerCase(), v]] as [string, SqlValue][];
    });
    const finish = (entries: [string, SqlValue][]): Row => {
      const m = new Map<string, SqlValue>(entries);
      for (const c of ambiguous) m.set(c, { type: AMBIGUOUS, value: null });
      m.set(JOINED_ROW, NULL);
      for (const src of sources) m.set(`${JOINED_ROW}:${src.alias.toLowerCase()}`, NULL);
      return m;
    };
    const probe = finish(sources.flatMap((src) => qualify(src.alias, src.loaded.view, src.loaded.columns, null)));
    // ON conditions naming unknown columns fail even when a side is empty.
    for (const j of s.joins) this.cond(j.on, probe, j.line);
    let rows: [string, SqlValue][][] = first.rows.map((r) => qualify(sources[0]!.alias, first.view, first.columns, r));
    for (const [i, j] of s.joins.entries()) {
      const src = sources[i + 1]!;
      const right = src.loaded.rows.map((r) => qualify(src.alias, src.loaded.view, src.loaded.columns, r));
      const next: [string, SqlValue][][] = [];
      for (const left of rows) {
        let matched = false;
        for (const r of right) {
          const entries = [...left, ...r];
          if (this.cond(j.on, finish(entries), j.line) === true) { next.push(entries); matched = true; }
        }
        if (!matched && j.kind === 'left') next.push([...left, ...qualify(src.alias, src.loaded.view, src.loaded.columns, null)]);
      }
      rows = next;
    }
    return { columns, rows: rows.map(finish), view: first.view, probe };
  }

  /**
   * GROUP BY / HAVING / aggregates: one output row per group (one for the whole input without GROUP
   * BY). Outside aggregates the select list may only use the grouped expressions (Msg 8120).
   */
  private groupedRows(s: Statement & { kind: 'select' }, cols: readonly OutCol[], rows: readonly Row[], probe: Row, view: string | undefined): Produced[] {
    const groupBy = s.groupBy ?? [];
    for (const g of groupBy) {
      if (containsAggregate(g)) throw new StatementError(144, 'Cannot use an aggregate or a subquery in an expression used for the group by list of a GROUP BY clause.', s.line, { level: 15, abort: true });
      if (s.from) this.eval(g, probe, s.line);
    }
    const isGrouped = (e: Expr): boolean => groupBy.some((g) => sameExpr(g, e));
    const check = (e: Expr, what: string): void => {
      const bad = ungroupedColumn(e, isGrouped);
      if (bad !== undefined) {
        const name = bad.parts.length >= 2 ? bad.parts.slice(-2).join('.') : `${view ?? ''}.${bad.parts[0]}`;
        throw new StatementError(8120, `Column '${name}' is invalid in the ${what} because it is not contained in either an aggregate function or the GROUP BY clause.`, s.line, { abort: true });
      }
    };
    for (const c of cols) {
      if (c.expr === null) throw new StatementError(8120, `Column '${view ?? ''}.${c.name}' is invalid in the select list because it is not contained in either an aggregate function or the GROUP BY clause.`, s.line, { abort: true });
      check(c.expr, 'select list');
    }
    if (s.having) check(s.having, 'HAVING clause');
    for (const o of s.orderBy ?? []) {
      const e = o.expr;
      const byAlias = e.kind === 'column' && e.parts.length === 1 && cols.some((c) => c.name.toLowerCase() === e.parts[0]!.toLowerCase());
      if (e.kind !== 'literal' && !byAlias) check(e, 'ORDER BY clause');
    }
    const aggregateNodes: (Expr & { kind: 'call' })[] = [];
    for (const e of [...cols.map((c) => c.expr!), ...(s.having ? [s.having] : []), ...(s.orderBy ?? []).map((o) => o.expr)]) collectAggregates(e, aggregateNodes);

    const groups = new Map<string, Row[]>();
    if (groupBy.length === 0) groups.set('', [...rows]);
    else {
      for (const r of rows) {
        const key = JSON.stringify(groupBy.map((g) => { const v = this.eval(g, r, s.line); return v.value === null ? null : String(displayValue(v)).toLowerCase(); }));
        const list = groups.get(key);
        if (list) list.push(r); else groups.set(key, [r]);
      }
    }
    const out: Produced[] = [];
    for (const members of groups.values()) {
      const aggregates = new Map<Expr, SqlValue>();
      for (const node of aggregateNodes) aggregates.set(node, this.evalAggregate(node, members, s.line));
      const sample = members[0] ?? probe;
      if (s.having && this.withAggregates(aggregates, () => this.cond(s.having!, sample, s.line)) !== true) continue;
      out.push({ row: sample, aggregates, values: this.withAggregates(aggregates, () => cols.map((c) => this.eval(c.expr!, sample, s.line))) });
    }
    return out;
  }

  /** DATEDIFF / DATEADD / DATEPART: the first argument is a datepart word, not a value. */
  private dateFunction(e: Expr & { kind: 'call' }, row: Row | null, line: number): SqlValue {
    const lower = e.name.toLowerCase();
    const want = e.name === 'DATEPART' ? 2 : 3;
    if (e.args.length !== want) throw new StatementError(174, `The ${lower} function requires ${want} argument(s).`, line, { level: 15, abort: true });
    const partArg = e.args[0]!;
    if (partArg.kind !== 'column' || partArg.parts.length !== 1) throw new StatementError(1023, `Invalid parameter 1 specified for ${lower}.`, line, { level: 15, abort: true });
    const part = datePart(partArg.parts[0]!, e.name);
    const args = e.args.slice(1).map((a) => this.eval(a, row, line));
    switch (e.name) {
      case 'DATEDIFF': return dateDiff(part, args[0]!, args[1]!);
      case 'DATEDIFF_BIG': return dateDiff(part, args[0]!, args[1]!, true);
      case 'DATEADD': return dateAdd(part, args[0]!, args[1]!);
      default: return datePartOf(part, args[0]!);
    }
  }

  private evalAggregate(e: Expr, rows: readonly Row[], line: number): SqlValue {
    if (e.kind === 'call' && AGGREGATES.has(e.name)) {
      if (e.name === 'COUNT') {
        if (e.star) return { type: 'int', value: BigInt(rows.length) };
        const arg = e.args[0];
        if (arg === undefined) throw new StatementError(174, 'The count function requires 1 argument(s).', line, { level: 15, abort: true });
        return { type: 'int', value: BigInt(rows.filter((r) => this.eval(arg, r, line).value !== null).length) };
      }
      const arg = e.args[0];
      if (arg === undefined || e.args.length !== 1) throw new StatementError(174, `The ${e.name.toLowerCase()} function requires 1 argument(s).`, line, { level: 15, abort: true });
      const values = rows.map((r) => this.eval(arg, r, line)).filter((v) => v.value !== null);
      if (values.length === 0) return NULL;
      if (e.name === 'MIN' || e.name === 'MAX') {
        return values.reduce((a, b) => { const c = compareValues(a, b); return (e.name === 'MIN' ? c <= 0 : c >= 0) ? a : b; });
      }
      const sum = values.reduce((a, b) => arithmetic('+', a, b));
      if (e.name === 'SUM') return sum;
      return arithmetic('/', sum, { type: 'int', value: BigInt(values.length) });
    }
    if (e.kind === 'binary') return this.evalBinaryValues(e.op, this.evalAggregate(e.left, rows, line), this.evalAggregate(e.right, rows, line), line);
    if (e.kind === 'cast') return this.castValue(e, this.evalAggregate(e.expr, rows, line), line);
    if (e.kind === 'call' && e.args.some(containsAggregate)) {
      const values = e.args.map((a) => this.evalAggregate(a, rows, line));
      return this.callWith(e, values, line);
    }
    return this.eval(e, null, line);
  }

  // ---- expressions ----

  private columnValue(parts: readonly string[], row: Row | null, line: number): SqlValue {
    const name = parts[parts.length - 1]!;
    if (parts.length >= 2) {
      const qualified = row?.get(`${parts[parts.length - 2]}.${name}`.toLowerCase());
      if (qualified !== undefined) return qualified;
      if (row?.has(JOINED_ROW) && !row.has(`${JOINED_ROW}:${parts[parts.length - 2]!.toLowerCase()}`)) throw new StatementError(4104, `The multi-part identifier "${parts.join('.')}" could not be bound.`, line, { abort: true });
    }
    const v = row?.get(name.toLowerCase());
    if (v === undefined) throw new StatementError(207, `Invalid column name '${name}'.`, line, { abort: true });
    if (v.type === AMBIGUOUS) throw new StatementError(209, `Ambiguous column name '${name}'.`, line, { abort: true });
    return v;
  }

  /** Evaluates a value expression. `row` gives the columns of the current view row (null: none). */
  /**
   * Expression evaluation is recursive: a tree the parser let through is far shallower than this,
   * but the interpreter does not rely on it (a tree built elsewhere, a future construct): past
   * MAX_EVAL_DEPTH the statement ends with SQL Server's 8631 instead of a stack overflow.
   */
  eval(e: Expr | { kind: 'default'; line: number }, row: Row | null, line: number): SqlValue {
    if (this.evalDepth >= MAX_EVAL_DEPTH) throw stackLimit(e.line ?? line);
    this.evalDepth++;
    try { return this.evalAt(e, row, line); } finally { this.evalDepth--; }
  }

  private evalAt(e: Expr | { kind: 'default'; line: number }, row: Row | null, line: number): SqlValue {
    switch (e.kind) {
      case 'default': return NULL;
      case 'literal': return literalValue(e.type, e.value);
      case 'variable': return this.variable(e.name).value;
      case 'sysvar': return this.sysvar(e.name, e.line);
      case 'column': return this.columnValue(e.parts, row, e.line);
      case 'unary': {
        if (e.op === 'not') throw new StatementError(4145, "An expression of non-boolean type specified in a context where a condition is expected, near 'NOT'.", e.line, { level: 15, abort: true });
        const v = this.eval(e.operand, row, line);
        return e.op === '-' ? arithmetic('-', { type: v.type === 'null' ? 'int' : v.type, value: v.type.includes('int') ? 0n : 0, scale: 0 }, v) : v;
      }
      case 'binary':
        if (e.op === 'and' || e.op === 'or' || ['=', '<>', '<', '>', '<=', '>='].includes(e.op)) {
          throw new StatementError(102, `Incorrect syntax near '${e.op === 'and' || e.op === 'or' ? e.op.toUpperCase() : e.op}'.`, e.line, { level: 15, abort: true });
        }
        return this.evalBinaryValues(e.op, this.eval(e.left, row, line), this.eval(e.right, row, line), e.line);
      case 'in': case 'like': case 'isnull': case 'between':
        throw new StatementError(4145, 'An expression of non-boolean type specified in a context where a condition is expected.', e.line, { level: 15, abort: true });
      case 'cast': return this.castValue(e, this.eval(e.expr, row, line), e.line);
      case 'case': {
        const operand = e.operand ? this.eval(e.operand, row, line) : undefined;
        for (const w of e.whens) {
          const hit = operand !== undefined
            ? (() => { const x = this.eval(w.when, row, line); return operand.value !== null && x.value !== null && compareValues(operand, x) === 0; })()
            : this.cond(w.when, row, line) === true;
          if (hit) return this.eval(w.then, row, line);
        }
        return e.else ? this.eval(e.else, row, line) : NULL;
      }
      case 'call': {
        if (DATE_PART_FUNCTIONS.has(e.name)) return this.dateFunction(e, row, line);
        const grouped = AGGREGATES.has(e.name) ? this.groupAggregates?.get(e) : undefined;
        if (grouped !== undefined) return grouped;
        if (AGGREGATES.has(e.name)) throw new StatementError(147, 'An aggregate may not appear in the WHERE clause unless it is in a subquery contained in a HAVING clause or a select list, and the column being aggregated is an outer reference.', e.line, { level: 15, abort: true });
        return this.callWith(e, e.args.map((a) => this.eval(a, row, line)), e.line);
      }
    }
  }

  private evalBinaryValues(op: string, a: SqlValue, b: SqlValue, line: number): SqlValue {
    if (op === '+' || op === '-' || op === '*' || op === '/' || op === '%') return arithmetic(op, a, b);
    throw new StatementError(102, `Incorrect syntax near '${op}'.`, line, { level: 15, abort: true });
  }

  private castValue(e: Expr & { kind: 'cast' }, v: SqlValue, line: number): SqlValue {
    if (e.fn.startsWith('TRY_')) {
      try { return convert(v, e.type, 'cast'); } catch (err) { if (err instanceof SqlValueError) return { type: e.type.name, value: null }; throw err; }
    }
    if (e.style !== undefined) this.eval(e.style, null, line);
    return convert(v, e.type, 'cast');
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private sysvar(name: string, line: number): SqlValue {
    switch (name) {
      case '@@VERSION': return { type: 'nvarchar', value: this.options.serverVersion ?? DEFAULT_SERVER_VERSION };
      case '@@SERVERNAME': return { type: 'nvarchar', value: this.options.serverName ?? 'scaleout' };
      case '@@ERROR': return { type: 'int', value: BigInt(this.previousError) };
      case '@@ROWCOUNT': return { type: 'int', value: BigInt(this.rowCount) };
      case '@@SPID': return { type: 'smallint', value: 51n };
      case '@@TRANCOUNT': return { type: 'int', value: 0n };
      default: throw new StatementError(137, `Must declare the scalar variable "${name}".`, line, { level: 15, state: 2, abort: true });
    }
  }

  /** Built-in scalar functions, given evaluated arguments. */
  private callWith(e: Expr & { kind: 'call' }, args: SqlValue[], line: number): SqlValue {
    const n = e.name;
    const argc = (min: number, max = min) => {
      if (args.length < min || args.length > max) {
        throw new StatementError(174, `The ${n.toLowerCase()} function requires ${min === max ? min : `${min} to ${max}`} argument(s).`, line, { level: 15, abort: true });
      }
    };
    const str = (v: SqlValue): string | null => (v.value === null ? null : String(convert(v, { name: 'nvarchar', length: 'max' }, 'cast').value));
    const nv = (s: string | null): SqlValue => ({ type: 'nvarchar', value: s });
    const int = (v: SqlValue): number | null => (v.value === null ? null : Number(convert(v, { name: 'bigint' }, 'cast').value));
    const now = this.now();
    const roles = this.options.caller.roles as readonly string[];
    switch (n) {
      case 'ISNULL': argc(2); return args[0]!.value === null ? (args[0]!.type === 'null' ? args[1]! : convert(args[1]!, { name: args[0]!.type, length: 'max' }, 'cast')) : args[0]!;
      case 'COALESCE': {
        if (args.length < 2) throw new StatementError(189, 'The coalesce function requires 2 to 254 arguments.', line, { level: 15, abort: true });
        return args.find((a) => a.value !== null) ?? NULL;
      }
      case 'NULLIF': argc(2); return args[0]!.value !== null && args[1]!.value !== null && compareValues(args[0]!, args[1]!) === 0 ? { type: args[0]!.type, value: null } : args[0]!;
      case 'GETDATE': case 'CURRENT_TIMESTAMP': case 'GETUTCDATE': argc(0); return { type: 'datetime', value: { ms: now, ticks: 0, offset: 0 } };
      case 'SYSDATETIME': case 'SYSUTCDATETIME': argc(0); return { type: 'datetime2', value: { ms: now, ticks: 0, offset: 0 } };
      case 'SYSDATETIMEOFFSET': argc(0); return { type: 'datetimeoffset', value: { ms: now, ticks: 0, offset: 0 } };
      case 'NEWID': argc(0); return { type: 'uniqueidentifier', value: randomUUID().toUpperCase() };
      case 'SUSER_NAME': case 'SUSER_SNAME': case 'USER_NAME': case 'CURRENT_USER': case 'SYSTEM_USER': case 'SESSION_USER': case 'ORIGINAL_LOGIN':
        argc(0, 1); return nv(this.options.caller.name);
      case 'DB_NAME': argc(0, 1); return nv('SSISDB');
      case 'IS_MEMBER': case 'IS_SRVROLEMEMBER': case 'IS_ROLEMEMBER': {
        argc(1, 2);
        const role = str(args[0]!);
        return { type: 'int', value: role === null ? null : roles.some((r) => r.toLowerCase() === role.toLowerCase()) || (role.toLowerCase() === 'public') ? 1n : 0n };
      }
      case 'LEN': { argc(1); const s = str(args[0]!); return { type: 'int', value: s === null ? null : BigInt(s.replace(/ +$/, '').length) }; }
      case 'UPPER': argc(1); return nv(str(args[0]!)?.toUpperCase() ?? null);
      case 'LOWER': argc(1); return nv(str(args[0]!)?.toLowerCase() ?? null);
      case 'LTRIM': argc(1); return nv(str(args[0]!)?.replace(/^ +/, '') ?? null);
      case 'RTRIM': argc(1); return nv(str(args[0]!)?.replace(/ +$/, '') ?? null);
      case 'TRIM': argc(1); return nv(str(args[0]!)?.replace(/^ +| +$/g, '') ?? null);
      case 'LEFT': { argc(2); const s = str(args[0]!); const k = int(args[1]!); return nv(s === null || k === null ? null : s.slice(0, Math.max(0, k))); }
      case 'RIGHT': { argc(2); const s = str(args[0]!); const k = int(args[1]!); return nv(s === null || k === null ? null : k <= 0 ? '' : s.slice(-k)); }
      case 'SUBSTRING': {
        argc(3);
        const s = str(args[0]!); const st = int(args[1]!); const len = int(args[2]!);
        if (s === null || st === null || len === null) return nv(null);
        const from = Math.max(st, 1);
        const to = st + len;
        return nv(to <= from ? '' : s.slice(from - 1, to - 1));
      }
      case 'REPLACE': { argc(3); const [a, b, c] = args.map(str); return nv(a == null || b == null || c == null ? null : b === '' ? a : a.split(new RegExp(b.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi')).join(c)); }
      case 'CHARINDEX': { argc(2, 3); const [a, b] = [str(args[0]!), str(args[1]!)]; const st = args[2] ? int(args[2]) ?? 1 : 1; return { type: 'int', value: a === null || b === null ? null : BigInt(b.toLowerCase().indexOf(a.toLowerCase(), Math.max(st, 1) - 1) + 1) }; }
      case 'CONCAT': if (args.length < 2) argc(2, 254); return nv(args.map((a) => str(a) ?? '').join(''));
      case 'ABS': { argc(1); const v = args[0]!; if (v.value === null) return v; return compareValues(v, { type: 'int', value: 0n }) < 0 ? arithmetic('-', { type: 'int', value: 0n }, v) : v; }
      case 'DATALENGTH': { argc(1); const v = args[0]!; if (v.value === null) return { type: 'int', value: null }; const s = str(v)!; return { type: 'int', value: BigInt(v.value instanceof Uint8Array ? v.value.length : v.type.startsWith('n') ? s.length * 2 : s.length) }; }
      default:
        throw new StatementError(195, `'${n}' is not a recognized built-in function name.`, line, { level: 15, abort: true });
    }
  }

  /** Evaluates a search condition in three-valued logic: true, false or null (unknown). */
  cond(e: Expr, row: Row | null, line: number): boolean | null {
    switch (e.kind) {
      case 'unary':
        if (e.op === 'not') { const c = this.cond(e.operand, row, line); return c === null ? null : !c; }
        break;
      case 'binary': {
        if (e.op === 'and') {
          const a = this.cond(e.left, row, line);
          if (a === false) return false;
          const b = this.cond(e.right, row, line);
          return b === false ? false : a === null || b === null ? null : true;
        }
        if (e.op === 'or') {
          const a = this.cond(e.left, row, line);
          if (a === true) return true;
          const b = this.cond(e.right, row, line);
          return b === true ? true : a === null || b === null ? null : false;
        }
        if (['=', '<>', '<', '>', '<=', '>='].includes(e.op)) {
          const a = this.eval(e.left, row, line);
          const b = this.eval(e.right, row, line);
          if (a.value === null || b.value === null) return null;
          const c = compareValues(a, b);
          switch (e.op) {
            case '=': return c === 0;
            case '<>': return c !== 0;
            case '<': return c < 0;
            case '>': return c > 0;
            case '<=': return c <= 0;
            default: return c >= 0;
          }
        }
        break;
      }
      case 'isnull': {
        const isNull = this.eval(e.expr, row, line).value === null;
        return e.not ? !isNull : isNull;
      }
      case 'in': {
        const v = this.eval(e.expr, row, line);
        if (v.value === null) return null;
        let unknown = false;
        for (const item of e.list) {
          const x = this.eval(item, row, line);
          if (x.value === null) { unknown = true; continue; }
          if (compareValues(v, x) === 0) return !e.not;
        }
        return unknown ? null : e.not;
      }
      case 'like': {
        const v = this.eval(e.expr, row, line);
        const p = this.eval(e.pattern, row, line);
        const esc = e.escape ? this.eval(e.escape, row, line) : undefined;
        if (v.value === null || p.value === null || (esc !== undefined && esc.value === null)) return null;
        const text = String(convert(v, { name: 'nvarchar', length: 'max' }, 'cast').value);
        const re = likeToRegExp(String(convert(p, { name: 'nvarchar', length: 'max' }, 'cast').value), esc === undefined ? undefined : String(esc.value));
        return re.test(text) !== e.not;
      }
      case 'between': {
        const v = this.eval(e.expr, row, line);
        const lo = this.eval(e.low, row, line);
        const hi = this.eval(e.high, row, line);
        if (v.value === null || lo.value === null || hi.value === null) return null;
        const inside = compareValues(v, lo) >= 0 && compareValues(v, hi) <= 0;
        return inside !== e.not;
      }
      default:
        break;
    }
    throw new StatementError(4145, 'An expression of non-boolean type specified in a context where a condition is expected.', line, { level: 15, abort: true });
  }
}

const AGGREGATES = new Set(['COUNT', 'MIN', 'MAX', 'SUM', 'AVG']);

/** A column of FROM: its row key (`col`, or `alias.col` in a join), the name it prints as, its type. */
interface SourceColumn { readonly key: string; readonly name: string; readonly type: string | undefined }

/** A select-list column: an expression, or (for *) the source column's key. */
interface OutCol { name: string; expr: Expr | null; column?: string }

/** One output row before printing; `aggregates` for a group's row (ORDER BY evaluates with them). */
interface Produced { values: SqlValue[]; row: Row; aggregates?: ReadonlyMap<Expr, SqlValue> }

/** Type marker of a bare column name two joined views share (Msg 209 when used unqualified). */
const AMBIGUOUS = '#ambiguous';
/** Key present in joined rows only (and `#joined:<alias>` per source): a qualifier that names no source is Msg 4104. */
const JOINED_ROW = '#joined';

function collectAggregates(e: Expr, out: (Expr & { kind: 'call' })[]): void {
  switch (e.kind) {
    case 'call': if (AGGREGATES.has(e.name)) { out.push(e); return; } e.args.forEach((a) => collectAggregates(a, out)); return;
    case 'binary': collectAggregates(e.left, out); collectAggregates(e.right, out); return;
    case 'unary': collectAggregates(e.operand, out); return;
    case 'cast': collectAggregates(e.expr, out); if (e.style) collectAggregates(e.style, out); return;
    case 'case': if (e.operand) collectAggregates(e.operand, out); e.whens.forEach((w) => { collectAggregates(w.when, out); collectAggregates(w.then, out); }); if (e.else) collectAggregates(e.else, out); return;
    case 'in': collectAggregates(e.expr, out); e.list.forEach((x) => collectAggregates(x, out)); return;
    case 'like': collectAggregates(e.expr, out); collectAggregates(e.pattern, out); return;
    case 'isnull': collectAggregates(e.expr, out); return;
    case 'between': collectAggregates(e.expr, out); collectAggregates(e.low, out); collectAggregates(e.high, out); return;
    default: return;
  }
}

/** Same expression, as GROUP BY matching needs: columns by (last two) name parts, case-insensitive. */
function sameExpr(a: Expr, b: Expr): boolean {
  if (a.kind === 'column' && b.kind === 'column') {
    const x = a.parts.map((p) => p.toLowerCase());
    const y = b.parts.map((p) => p.toLowerCase());
    if (x[x.length - 1] !== y[y.length - 1]) return false;
    return x.length < 2 || y.length < 2 || x[x.length - 2] === y[y.length - 2];
  }
  const text = (e: Expr): string => JSON.stringify(e, (k, v: unknown) => (k === 'line' ? undefined : typeof v === 'string' ? v.toLowerCase() : v));
  return text(a) === text(b);
}

/** The first column used outside aggregates that is not (part of) a grouped expression. */
function ungroupedColumn(e: Expr, isGrouped: (e: Expr) => boolean): (Expr & { kind: 'column' }) | undefined {
  if (isGrouped(e)) return undefined;
  switch (e.kind) {
    case 'column': return e;
    case 'call': return AGGREGATES.has(e.name) ? undefined : firstUngrouped(DATE_PART_FUNCTIONS.has(e.name) ? e.args.slice(1) : e.args, isGrouped);
    case 'binary': return firstUngrouped([e.left, e.right], isGrouped);
    case 'unary': return ungroupedColumn(e.operand, isGrouped);
    case 'cast': return ungroupedColumn(e.expr, isGrouped);
    case 'case': return firstUngrouped([...(e.operand ? [e.operand] : []), ...e.whens.flatMap((w) => [w.when, w.then]), ...(e.else ? [e.else] : [])], isGrouped);
    case 'in': return firstUngrouped([e.expr, ...e.list], isGrouped);
    case 'like': return firstUngrouped([e.expr, e.pattern], isGrouped);
    case 'isnull': return ungroupedColumn(e.expr, isGrouped);
    case 'between': return firstUngrouped([e.expr, e.low, e.high], isGrouped);
    default: return undefined;
  }
}

function firstUngrouped(list: readonly Expr[], isGrouped: (e: Expr) => boolean): (Expr & { kind: 'column' }) | undefined {
  for (const x of list) { const bad = ungroupedColumn(x, isGrouped); if (bad) return bad; }
  return undefined;
}


function containsAggregate(e: Expr): boolean {
  switch (e.kind) {
    case 'call': return AGGREGATES.has(e.name) || e.args.some(containsAggregate);
    case 'binary': return containsAggregate(e.left) || containsAggregate(e.right);
    case 'unary': return containsAggregate(e.operand);
    case 'cast': return containsAggregate(e.expr);
    default: return false;
  }
}

/** Column name of a select item: its alias, the column it reads, or none (`SELECT 1` has a blank header). */
function itemName(item: SelectItem & { kind: 'expr' }): string {
  if (item.alias !== undefined) return item.alias;
  if (item.expr.kind === 'column') return item.expr.parts[item.expr.parts.length - 1]!;
  return '';
}

function literalValue(type: string, text: string): SqlValue {
  switch (type) {
    case 'null': return NULL;
    case 'int': case 'bigint': return { type, value: BigInt(text) };
    case 'decimal': {
      const frac = text.includes('.') ? text.split('.')[1]!.length : 0;
      return { type: 'decimal', value: Number(text), scale: frac };
    }
    case 'float': return { type: 'float', value: Number(text) };
    case 'varbinary': {
      const hex = text.length % 2 === 1 ? '0' + text : text;
      return { type: 'varbinary', value: new Uint8Array(Buffer.from(hex, 'hex')) };
    }
    default: return { type, value: text };
  }
}

/** RAISERROR's printf subset: %s %d %i %u %x %X %o with optional flags/width, %% for a percent sign. */
function formatRaiserror(template: string, args: readonly SqlValue[]): string {
  let i = 0;
  return template.replace(/%([-+ 0#]*)(\d+|\*)?(?:\.(\d+|\*))?(?:h|l|I64)?([sdiuxXo%])/g, (_whole: string, flags: string, width: string | undefined, _p, conv: string) => {
    if (conv === '%') return '%';
    if (width === '*') i++;
    const v = args[i++];
    if (v === undefined) return '(null)';
    let s: string;
    if (conv === 's') s = v.value === null ? '(null)' : String(displayValue(v));
    else {
      const n = v.value === null ? 0 : Number(convert(v, { name: 'bigint' }, 'cast').value);
      s = conv === 'x' ? n.toString(16) : conv === 'X' ? n.toString(16).toUpperCase() : conv === 'o' ? n.toString(8) : String(n);
    }
    if (width !== undefined && width !== '*') s = flags.includes('-') ? s.padEnd(Number(width)) : s.padStart(Number(width));
    return s;
  });
}
