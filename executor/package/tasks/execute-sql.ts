/**
 * Execute SQL Task: runs SQL from the task (DirectInput), a FILE connection or a variable against a
 * database connection (connections/factory.ts), batch by batch (`GO` lines), with parameter bindings
 * translated to the provider's placeholders (`?` → `@P1` SQL Server / `@P1` SQLite / `$1` PostgreSQL;
 * `@name` kept where the engine has named parameters), and puts results into variables: a single
 * row by column ordinal or name, a full result set as a `Recordset` in an Object variable (what the
 * Foreach ADO enumerator reads), output parameters and return values.
 *
 * Engines without output parameters (SQLite, PostgreSQL): the SQL contains markers for the input
 * bindings only (in ordinal order), and Output/InputOutput/ReturnValue bindings read the first row of
 * the result: the column named like the parameter (without `@`), else — for a ReturnValue — the
 * column `RETURN_VALUE` or the first column, else the column at the binding's position among the
 * output bindings. E.g. `INSERT … ; SELECT last_insert_rowid() AS NewId` with an Output binding `NewId`.
 * On SQL Server too, a ReturnValue binding that is neither a `? = EXEC proc` marker nor a procedure's
 * return value reads the first row that way.
 * With several `GO` batches, markers are numbered across the whole text and the first batch that
 * returns a result set provides the result. XML result sets are not supported (validation says so).
 */
import { readFile } from 'node:fs/promises';
import { SsoError } from '../../../actors/errors.ts';
import { databaseProvider, isAdoNet, isDatabaseConnection } from '../connections/factory.ts';
import { prepareFileConnection } from '../connections/files.ts';
import type { DbSession, QueryParam, QueryResult } from '../connections/provider.ts';
import { findMarkers, replaceMarkers, splitGoBatches } from '../connections/sql-text.ts';
import type { ConnectionManagerDef, Recordset, VarValue } from '../model.ts';
import type { Problem, TaskContext, TaskImplementation } from './registry.ts';
import type { ParameterBinding, SqlTaskSettings } from './execute-sql-bindings.ts';
import { bareName, decoderLabel, ordinalOf, paramTypeOf, readSqlTaskSettings } from './execute-sql-bindings.ts';

/** SSIS's DTS_E_EXECUTESQLTASK_EXECUTION_FAILED (0xC002F210). */
const EXECUTION_FAILED = -1073548784;

const isOutput = (b: ParameterBinding) => b.direction !== 'input';

export const executeSqlTask: TaskImplementation = {
  kind: 'executeSql',
  validate(v) {
    const out: Problem[] = [];
    const path = v.task.path;
    let s: SqlTaskSettings;
    try {
      s = readSqlTaskSettings(v.task.objectData?.attrs ? localAttrs(v.task.objectData.attrs) : {}, v.task.objectData);
    } catch (err) {
      return [{ path, severity: 'error', message: (err as Error).message }];
    }
    const expr = (n: string) => v.task.propertyExpressions.some((p) => p.name.toLowerCase() === n.toLowerCase());
    if (s.connection === '' && !expr('Connection')) out.push({ path, severity: 'error', message: 'the Execute SQL Task has no connection' });
    else if (s.connection !== '' && !v.hasConnection(s.connection)) out.push({ path, severity: 'error', message: `the connection '${s.connection}' does not exist` });
    if (s.resultSetType === 'XML') out.push({ path, severity: 'error', message: 'the XML result set type is not supported (use None, Single row or Full result set)' });
    if (!expr('SqlStatementSource')) {
      if (s.sourceType === 'DirectInput' && s.source.trim() === '') out.push({ path, severity: 'error', message: 'the Execute SQL Task has no SQL statement' });
      if (s.sourceType === 'Variable' && !v.hasVariable(s.source)) out.push({ path, severity: 'error', message: `the SQL statement variable '${s.source}' does not exist` });
      if (s.sourceType === 'FileConnection' && !v.hasConnection(s.source)) out.push({ path, severity: 'error', message: `the SQL file connection '${s.source}' does not exist` });
    }
    for (const b of s.parameters) {
      if (!v.hasVariable(b.variable)) out.push({ path, severity: 'error', message: `parameter '${b.parameterName}' is bound to '${b.variable}', which does not exist` });
    }
    for (const r of s.results) {
      if (!v.hasVariable(r.variable)) out.push({ path, severity: 'error', message: `result '${r.resultName}' is bound to '${r.variable}', which does not exist` });
    }
    if (s.resultSetType === 'None' && s.results.length > 0) out.push({ path, severity: 'warning', message: 'result bindings are ignored: the result set type is None' });
    if (s.resultSetType === 'Full' && s.results.some((r) => r.resultName !== '0')) {
      out.push({ path, severity: 'error', message: `a full result set binds result name 0 only, found ${s.results.map((r) => `'${r.resultName}'`).join(', ')}` });
    }
    return out;
  },

  async execute(ctx) {
    const s = readSqlTaskSettings(ctx.props, ctx.task.objectData);
    const cm = ctx.connection(s.connection);
    if (!cm) throw new SsoError('SSO_ERR_PACKAGE_RUN', `the connection '${s.connection}' does not exist`, { where: ctx.task.path });
    if (!isDatabaseConnection(cm)) throw new SsoError('SSO_ERR_CONNECTION', `the connection '${cm.name}' is a ${cm.creationName} connection, not a database`, { where: ctx.task.path });
    if (s.resultSetType === 'XML') throw new SsoError('SSO_ERR_PACKAGE_UNSUPPORTED', 'the XML result set type is not supported', { where: ctx.task.path });
    const text = await statementText(ctx, s);
    const provider = databaseProvider(cm);
    let session: DbSession;
    try {
      session = await provider.open();
    } catch (err) {
      ctx.error(`${ctx.task.path}: failed to acquire connection "${cm.name}": ${(err as Error).message}`, EXECUTION_FAILED);
      return 'failure';
    }
    try {
      const result = await runBatches(ctx, s, cm, session, text);
      if (result === undefined) return 'failure';
      assignResults(ctx, s, session, result);
      return 'success';
    } finally {
      await session.close().catch(() => undefined);
    }
  },
};

function localAttrs(attrs: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (!k.startsWith('xmlns')) out[k.includes(':') ? k.slice(k.indexOf(':') + 1) : k] = v;
  return out;
}

async function statementText(ctx: TaskContext, s: SqlTaskSettings): Promise<string> {
  switch (s.sourceType) {
    case 'DirectInput': return s.source;
    case 'Variable': {
      const v = ctx.getVariable(s.source);
      if (typeof v !== 'string') throw new SsoError('SSO_ERR_PACKAGE_RUN', `the SQL statement variable '${s.source}' holds ${v === null ? 'NULL' : typeof v}, expected a String`, { where: ctx.task.path });
      return v;
    }
    case 'FileConnection': {
      const fcm = ctx.connection(s.source);
      if (!fcm) throw new SsoError('SSO_ERR_PACKAGE_RUN', `the SQL file connection '${s.source}' does not exist`, { where: ctx.task.path });
      const path = await prepareFileConnection(fcm, ctx.workingDirectory);
      const bytes = await readFile(path);
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
      if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
      return new TextDecoder(decoderLabel(s.codePage)).decode(bytes);
    }
  }
}

/** Shortened statement text for messages, as SSIS quotes it. */
function quote(sql: string): string {
  const t = sql.trim().replace(/\s+/g, ' ');
  return t.length > 100 ? `${t.slice(0, 100)}...` : t;
}

function bindingValue(ctx: TaskContext, b: ParameterBinding): unknown {
  if (b.direction === 'output' || b.direction === 'returnValue') return null;
  const v = ctx.getVariable(b.variable);
  return v;
}

/**
 * Runs each `GO` batch with its parameters; returns the first result set (with rows affected and
 * outputs summed/merged), or undefined after raising OnError.
 */
async function runBatches(ctx: TaskContext, s: SqlTaskSettings, cm: ConnectionManagerDef, session: DbSession, text: string): Promise<(QueryResult & { bindings: Map<ParameterBinding, string> }) | undefined> {
  const adoNet = isAdoNet(cm);
  const bindings = s.parameters;
  const byOrdinal = new Map<number, ParameterBinding>();
  for (const b of bindings) { const o = ordinalOf(b.parameterName); if (o !== undefined) byOrdinal.set(o, b); }
  // Engines without output parameters: markers count the input bindings only, in ordinal order.
  const markerBindings: ParameterBinding[] = session.supportsOutputParameters
    ? [...byOrdinal.keys()].sort((a, b) => a - b).map((o) => byOrdinal.get(o)!)
    : bindings.filter((b) => !isOutput(b) && ordinalOf(b.parameterName) !== undefined).sort((a, b) => ordinalOf(a.parameterName)! - ordinalOf(b.parameterName)!);
  const nonOrdinal = bindings.filter((b) => ordinalOf(b.parameterName) === undefined);
  /** Binding → the name its value travels under (for reading outputs back). */
  const sentAs = new Map<ParameterBinding, string>();
  let first: QueryResult | undefined;
  let rowsAffected = 0;
  const output: Record<string, unknown> = {};
  let returnValue: unknown;
  let markerBase = 0;

  const batches = s.isStoredProcedure ? [text.trim()] : splitGoBatches(text);
  for (const batch of batches) {
    if (ctx.signal.aborted) return undefined;
    const params: QueryParam[] = [];
    let sql = batch;
    if (s.isStoredProcedure) {
      for (const b of bindings) {
        const name = b.direction === 'returnValue' ? 'RETURN_VALUE' : bareName(b.parameterName);
        sentAs.set(b, name);
        if (b.direction !== 'returnValue') params.push({ name, direction: b.direction, value: bindingValue(ctx, b), type: paramTypeOf(b.dataType, adoNet), size: b.size });
      }
    } else {
      const markers = findMarkers(batch);
      const positional = markers.filter((m) => m.kind === 'positional');
      const usedNames = new Set(markers.filter((m) => m.kind === 'named').map((m) => m.name.toLowerCase()));
      const named = nonOrdinal.filter((b) => usedNames.has(bareName(b.parameterName).toLowerCase()));
      // Non-ordinal names with `?` markers (some ODBC/OLE DB packages): bind in declaration order.
      const forMarkers = markerBindings.length > 0 || positional.length === 0 ? markerBindings : nonOrdinal.filter((b) => session.supportsOutputParameters || !isOutput(b));
      const paramIndex = new Map<ParameterBinding, number>();
      const add = (b: ParameterBinding, name: string): number => {
        const existing = paramIndex.get(b);
        if (existing !== undefined) return existing;
        params.push({ name, direction: b.direction, value: bindingValue(ctx, b), type: paramTypeOf(b.dataType, adoNet), size: b.size });
        paramIndex.set(b, params.length - 1);
        sentAs.set(b, name);
        return params.length - 1;
      };
      const replacement = new Map<number, string>();
      positional.forEach((m, k) => {
        const ordinal = markerBase + k;
        const b = forMarkers[ordinal];
        if (!b) throw new SsoError('SSO_ERR_PACKAGE_RUN', `parameter marker ${ordinal + 1} (?) has no parameter binding (bindings: ${bindings.map((x) => x.parameterName).join(', ') || 'none'})`, { where: ctx.task.path });
        const idx = add(b, session.dialect === 'postgres' ? String(params.length + 1) : `P${ordinal + 1}`);
        replacement.set(markers.indexOf(m), session.dialect === 'postgres' ? session.placeholder(idx) : `@P${ordinal + 1}`);
      });
      markerBase += positional.length;
      for (const b of named) {
        const idx = add(b, bareName(b.parameterName));
        if (session.dialect === 'postgres') {
          markers.forEach((m, mi) => { if (m.kind === 'named' && m.name.toLowerCase() === bareName(b.parameterName).toLowerCase()) replacement.set(mi, session.placeholder(idx)); });
        }
      }
      sql = replaceMarkers(batch, markers, (_m, i) => replacement.get(i));
      // OLE DB return value: `? = EXEC proc …` → `EXEC @P1 = proc …` (T-SQL's form).
      if (session.dialect === 'mssql') sql = sql.replace(/^(\s*)(@P\d+)\s*=\s*(EXEC(?:UTE)?)\s+/i, '$1$3 $2 = ');
    }
    let r: QueryResult;
    try {
      r = await session.query(sql, params, { timeoutSeconds: s.timeoutSeconds, storedProcedure: s.isStoredProcedure, signal: ctx.signal });
    } catch (err) {
      if (ctx.signal.aborted) return undefined;
      ctx.error(`${ctx.task.path}: Executing the query "${quote(batch)}" failed with the following error: "${(err as Error).message}". Possible failure reasons: problems with the query, "ResultSet" property not set correctly, parameters not set correctly, or connection not established correctly.`, EXECUTION_FAILED);
      return undefined;
    }
    rowsAffected += r.rowsAffected;
    Object.assign(output, r.output);
    if (r.returnValue !== undefined) returnValue = r.returnValue;
    if (!first && r.columns.length > 0) first = r;
  }
  return { columns: first?.columns ?? [], rows: first?.rows ?? [], rowsAffected, returnValue, output, bindings: sentAs };
}

function columnIndex(columns: readonly string[], name: string): number {
  const o = ordinalOf(name);
  if (o !== undefined) return o < columns.length ? o : -1;
  const lower = bareName(name).toLowerCase();
  return columns.findIndex((c) => c.toLowerCase() === lower);
}

function assignResults(ctx: TaskContext, s: SqlTaskSettings, session: DbSession, r: QueryResult & { bindings: Map<ParameterBinding, string> }): void {
  // Output parameters and return values.
  const outputs = s.parameters.filter(isOutput);
  outputs.forEach((b, position) => {
    let value: unknown;
    const name = r.bindings.get(b);
    // A ReturnValue without a `? = EXEC` marker (nor a procedure call) reads the first row everywhere.
    const fromRow = !session.supportsOutputParameters || (b.direction === 'returnValue' && !s.isStoredProcedure && name === undefined);
    if (!fromRow) {
      if (b.direction === 'returnValue' && s.isStoredProcedure) value = r.returnValue;
      else if (name !== undefined && name in r.output) value = r.output[name];
      else throw new SsoError('SSO_ERR_PACKAGE_RUN', `the ${b.direction === 'returnValue' ? 'return value' : 'output parameter'} '${b.parameterName}' is not in the statement`, { where: ctx.task.path });
    } else {
      const row = r.rows[0];
      if (!row) throw new SsoError('SSO_ERR_PACKAGE_RUN', `the output binding '${b.parameterName}' reads the first result row, but the statement returned no rows (${session.dialect} has no output parameters: SELECT the value instead)`, { where: ctx.task.path });
      let i = columnIndex(r.columns, ordinalOf(b.parameterName) === undefined ? b.parameterName : '\u0000');
      if (i < 0 && b.direction === 'returnValue') { i = columnIndex(r.columns, 'RETURN_VALUE'); if (i < 0) i = 0; }
      if (i < 0) i = position;
      if (i >= row.length) throw new SsoError('SSO_ERR_PACKAGE_RUN', `the output binding '${b.parameterName}' has no column in the result (columns: ${r.columns.join(', ')})`, { where: ctx.task.path });
      value = row[i];
    }
    ctx.setVariable(b.variable, toVarValue(value));
  });

  switch (s.resultSetType) {
    case 'None': return;
    case 'SingleRow': {
      if (s.results.length === 0) return;
      const row = r.rows[0];
      if (!row) throw new SsoError('SSO_ERR_PACKAGE_RUN', 'Single Row result set is specified, but no rows were returned', { where: ctx.task.path });
      for (const b of s.results) {
        const i = columnIndex(r.columns, b.resultName);
        if (i < 0) throw new SsoError('SSO_ERR_PACKAGE_RUN', `the result column '${b.resultName}' (bound to ${b.variable}) is not in the result set (columns: ${r.columns.map((c, k) => c || `#${k}`).join(', ')})`, { where: ctx.task.path });
        ctx.setVariable(b.variable, toVarValue(row[i]));
      }
      return;
    }
    case 'Full': {
      const rs: Recordset = { kind: 'recordset', columns: [...r.columns], rows: r.rows.map((row) => row.map(toVarValue)) };
      for (const b of s.results) ctx.setVariable(b.variable, rs);
      return;
    }
    case 'XML': return;
  }
}

/** Database values → variable values: Buffers as bytes, everything else as the driver gives it. */
function toVarValue(v: unknown): VarValue {
  if (v === undefined) return null;
  if (typeof Buffer !== 'undefined' && Buffer.isBuffer(v)) return new Uint8Array(v);
  return v as VarValue;
}
