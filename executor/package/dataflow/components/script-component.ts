/**
 * Script Component: the component's C# project (its `SourceCode` triples) compiled against our object
 * model (cached) and run in its own `mono` host process (`executor/script/run-component.ts`), driven as
 * SSIS drives it: start (AcquireConnections, PreExecute), PrimeOutput (a source's CreateNewOutputRows;
 * a transformation's output buffers), one ProcessInput per pipeline buffer (Input0_ProcessInputRow…),
 * an empty end-of-rowset buffer when the input is done, then PostExecute.
 *
 * Rows cross in the order of the generated buffer wrapper. A synchronous output returns the input's
 * rows with the columns the script may change (its output columns, ReadWrite input columns) read back
 * into the very row arrays, so columns the script does not see pass through untouched; rows of
 * asynchronous outputs stream to the pipeline as the host flushes them, and the host waits while the
 * pipeline is busy. Events (ComponentMetaData.Fire…) are raised at the task as they happen; an OnError
 * fails the component after PostExecute. ReadWrite variables are written when PostExecute returned
 * and the script fired no error (as SSIS unlocks them), never after a failure. Cancellation and a
 * failure elsewhere in the flow kill the host process; so does SCALEOUT_SCRIPT_TimeoutSeconds (counted from
 * the component's start), failing the component with the setting's name.
 */
import { SsoError } from '../../../../actors/errors.ts';
import { compileProject } from '../../../script/compile.ts';
import type { ScriptProject } from '../../../script/extract.ts';
import { ScriptExtractionError, pipelineComponentProject } from '../../../script/extract.ts';
import { fromWire as variableFromWire } from '../../../script/protocol.ts';
import type { WireConnection } from '../../../script/protocol.ts';
import type { ComponentInput, ComponentOutput, PipelineColumn as WireColumn } from '../../../script/run-component.ts';
import { ScriptComponentRun, componentLayouts } from '../../../script/run-component.ts';
import { applyMessage, validateScriptProject, wireVariables } from '../../../script/script-task.ts';
import { scriptSettings } from '../../../script/settings.ts';
import type { VarValue } from '../../model.ts';
import type { Problem } from '../../tasks/registry.ts';
import type { SsisType } from '../../expressions/types.ts';
import { T } from '../../expressions/types.ts';
import type { ComponentHost, ComponentImplementation, Row } from '../component.ts';
import { ComponentFailure, connectionRef, outputsOf } from '../component.ts';
import type { PipelineColumn, PipelineComponent, PipelineInput, PipelineOutput } from '../pipeline.ts';
import { Canceled } from '../runtime.ts';
import type { Cell } from '../types.ts';
import { cellFromJs, cellToJs } from '../types.ts';

/** SSIS's DataType codes (DT_*), as the script's buffer accessors know them. */
const DT_CODES: Readonly<Record<string, number>> = {
  DT_NULL: 0, DT_I2: 2, DT_I4: 3, DT_R4: 4, DT_R8: 5, DT_CY: 6, DT_DATE: 7, DT_BOOL: 11, DT_DECIMAL: 14, DT_I1: 16, DT_UI1: 17,
  DT_UI2: 18, DT_UI4: 19, DT_I8: 20, DT_UI8: 21, DT_FILETIME: 64, DT_GUID: 72, DT_BYTES: 128, DT_STR: 129, DT_WSTR: 130,
  DT_NUMERIC: 131, DT_DBDATE: 133, DT_DBTIME: 134, DT_DBTIMESTAMP: 135, DT_DBTIME2: 145, DT_DBTIMESTAMPOFFSET: 146,
  DT_IMAGE: 301, DT_TEXT: 302, DT_NTEXT: 303, DT_DBTIMESTAMP2: 304,
};
const WIRE_DATES = new Set([7, 133, 135, 304]);
const WIRE_BINARY = new Set([128, 301]);

/** A column as the host exchanges it, with its pipeline type and (at run time) its buffer slot as the tag. */
interface ScriptColumn extends WireColumn { readonly type: SsisType; readonly tag: number }

function dtCode(t: SsisType): number { return DT_CODES[t.name] ?? 130; }

function projectOf(c: PipelineComponent): ScriptProject {
  try {
    return pipelineComponentProject(c);
  } catch (err) {
    if (err instanceof ScriptExtractionError) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', err.message, { where: c.path });
    throw err;
  }
}

/** The component's inputs and normal outputs as the host sees them (numeric ids; error outputs are not the script's). */
function ios(c: PipelineComponent, column: (col: PipelineColumn, writable: boolean) => ScriptColumn): { inputs: (ComponentInput & { def: PipelineInput })[]; outputs: (ComponentOutput & { def: PipelineOutput })[] } {
  const inputs = c.inputs.map((i, k) => ({ id: k + 1, name: i.name, def: i, columns: i.columns.map((col) => column(col, col.usageType.toLowerCase() === 'readwrite')) }));
  const outputs = outputsOf(c).normal.map((o, k) => {
    const sync = o.synchronousInputId === '' ? undefined : inputs.find((i) => i.def.id.toLowerCase() === o.synchronousInputId.toLowerCase());
    return { id: 1001 + k, name: o.name, def: o, columns: o.columns.map((col) => column(col, true)), ...(sync ? { synchronousInputId: sync.id } : {}) };
  });
  return { inputs, outputs };
}

/** A buffer cell → the host's wire value (dates as epoch ms of their local wall clock, 64-bit and decimals as text, binary as base64). */
function toWire(col: ScriptColumn, cell: Cell): unknown {
  if (cell === null) return null;
  if (typeof cell === 'string' || typeof cell === 'boolean' || typeof cell === 'number') return cell;
  const js = cellToJs(cell, col.type);
  if (js instanceof Date) return js.getTime();
  if (typeof js === 'bigint') return js.toString();
  if (js instanceof Uint8Array) return Buffer.from(js).toString('base64');
  return js;
}

/** A wire value from the host → a cell of the column's type (the pipeline's casts: a value that does not fit fails). */
function fromWire(col: ScriptColumn, v: unknown): Cell {
  if (v === null || v === undefined) return null;
  const t = col.type;
  if (typeof v === 'string' && t.name === 'DT_WSTR' && v.length <= t.length) return v;
  if (typeof v === 'number' && (t.name === 'DT_R8' || (t.name === 'DT_I4' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647))) return v;
  if (typeof v === 'boolean' && t.name === 'DT_BOOL') return v;
  if (WIRE_DATES.has(col.dataType)) return cellFromJs(new Date(Number(v)), t);
  if (WIRE_BINARY.has(col.dataType)) return cellFromJs(Buffer.from(String(v), 'base64'), t);
  return cellFromJs(v, t);
}

export const scriptComponent: ComponentImplementation = {
  kind: 'script',
  validate(v) {
    const c = v.component;
    let project: ScriptProject;
    try {
      project = pipelineComponentProject(c);
    } catch (err) {
      if (err instanceof ScriptExtractionError) return [{ path: c.path, severity: 'error', message: err.message }];
      throw err;
    }
    const problems: Problem[] = validateScriptProject(c.path, c.name, project, v.hasVariable, 'Script Component');
    if (problems.some((p) => p.severity === 'error')) return problems;
    const { inputs, outputs } = ios(c, (col, writable) => {
      const type = col.type ?? T.wstr(4000);
      return { name: col.name, dataType: dtCode(type), type, tag: 0, writable };
    });
    try {
      componentLayouts(project, inputs, outputs, c.path);
    } catch (err) {
      problems.push({ path: c.path, severity: 'error', message: (err as Error).message.replace(`${c.path}: `, '') });
    }
    return problems;
  },
  create(host: ComponentHost) {
    const c = host.component;
    const { inputs, outputs } = ios(c, (col, writable) => {
      const type = col.type ?? host.lineageType(col.lineageId) ?? T.wstr(4000);
      return { name: col.name, dataType: dtCode(type), type, tag: host.slot(col.lineageId), writable };
    });
    const outputByName = new Map(outputs.map((o) => [o.name, o.def] as const));
    const asyncOutputs = outputs.filter((o) => o.synchronousInputId === undefined);
    const state = { errors: 0 };
    let run: ScriptComponentRun | undefined;
    let primed: Promise<unknown> | undefined;
    let finished = false;
    let rowNumber = 0;

    /** Why the host failed, as the component's failure (the .NET exception text names type, message and stack). */
    const failure = (err: unknown): Error => {
      if (host.signal.aborted) return new Canceled();
      if (err instanceof ComponentFailure || err instanceof Canceled || SsoError.is(err)) return err as Error;
      const text = (err as Error).message;
      return new ComponentFailure(text.startsWith(c.path) ? text : `${c.path}: the script failed: ${text}`);
    };
    const cells = (cols: readonly WireColumn[], wire: unknown[], row: Row, onlyWritable: boolean) => {
      for (let k = 0; k < cols.length; k++) {
        const col = cols[k] as ScriptColumn;
        if (onlyWritable && !col.writable) continue;
        try {
          row[col.tag] = fromWire(col, wire[k]);
        } catch (err) {
          if (!SsoError.is(err)) throw err;
          throw new ComponentFailure(`${c.path}: row ${rowNumber} column "${col.name}": the value the script set cannot be stored: ${err.message}`);
        }
      }
    };
    const started = (): ScriptComponentRun => {
      if (!run) throw new ComponentFailure(`${c.path}: the script host is not started`);
      return run;
    };
    const prime = async () => {
      primed ??= started().primeWire();
      try { await primed; } catch (err) { throw failure(err); }
    };

    return {
      async prepare() {
        const settings = scriptSettings();
        const project = projectOf(c);
        const compiled = compileProject(project, settings);
        if (!compiled.ok) throw new ComponentFailure(`${c.path}: Script Component '${c.name}' cannot run here: ${compiled.reason}`);
        const connections: WireConnection[] = [];
        for (const conn of c.connections) {
          const ref = connectionRef(c, conn.name);
          const cm = ref === undefined ? undefined : host.connection(ref);
          if (cm) connections.push({ name: conn.name, id: cm.id, creationName: cm.creationName, connectionString: cm.connectionString, properties: cm.properties });
        }
        const variables = wireVariables({ variableInfo: (n) => host.variableInfo(n), getVariable: (n) => host.getVariable(n), path: c.path }, project);
        try {
          run = await ScriptComponentRun.start({
            mono: settings.mono, hostPath: compiled.hostPath, assemblyPath: compiled.assemblyPath, project, name: c.name, path: c.path,
            inputs, outputs, variables, connections, signal: host.signal, batchSize: host.bufferRows, prestart: settings.prestart,
            timeoutMs: settings.timeoutSeconds * 1000,
            timeoutText: `the script ran longer than ${settings.timeoutSeconds} seconds (SCALEOUT_SCRIPT_TimeoutSeconds) and was stopped`,
            onMessage: (m) => applyMessage({ raise: (e, text, code) => host.raise(e, text, code) }, m, state),
            onRows: async (name, wire) => {
              const cols = started().columnsOf(name);
              const rows: Row[] = new Array<Row>(wire.length);
              for (let i = 0; i < wire.length; i++) { rowNumber++; const row = host.newRow(); cells(cols, wire[i]!, row, false); rows[i] = row; }
              await host.send(outputByName.get(name)!, rows);
            },
          });
        } catch (err) {
          throw failure(err);
        }
      },
      async produce() {
        // A source: PrimeOutput runs CreateNewOutputRows; its rows reach the pipeline as the host flushes them.
        if (c.inputs.length === 0) await prime();
      },
      async receive(input, rows) {
        if (asyncOutputs.length > 0) await prime();
        const r = started();
        const cols = r.columnsOf(input.name);
        const wire: unknown[][] = new Array<unknown[]>(rows.length);
        for (let i = 0; i < rows.length; i++) {
          const row = rows[i]!;
          const w = new Array<unknown>(cols.length);
          for (let k = 0; k < cols.length; k++) w[k] = toWire(cols[k] as ScriptColumn, row[(cols[k] as ScriptColumn).tag] ?? null);
          wire[i] = w;
        }
        let result: Map<string, unknown[][]>;
        try { result = await r.processWire(input.name, wire, false); } catch (err) { throw failure(err); }
        for (const o of outputs) {
          if (o.synchronousInputId === undefined || o.def.synchronousInputId.toLowerCase() !== input.id.toLowerCase()) continue;
          const back = result.get(o.name) ?? [];
          const base = rowNumber;
          for (let i = 0; i < back.length && i < rows.length; i++) { rowNumber = base + i + 1; cells(cols, back[i]!, rows[i]!, true); }
          rowNumber = base;
          await host.send(o.def, rows);
        }
        rowNumber += rows.length;
      },
      async inputDone(input) {
        if (asyncOutputs.length > 0) await prime();
        // The end-of-rowset buffer: generated code finishes asynchronous outputs when it sees it.
        try { await started().processWire(input.name, [], true); } catch (err) { throw failure(err); }
      },
      async finish() {
        if (asyncOutputs.length > 0 && c.inputs.length > 0) await prime();
        let done;
        try { done = await started().finishWire(); } catch (err) { throw failure(err); } finally { finished = true; }
        if (state.errors > 0) throw new ComponentFailure(`${c.path}: the script reported ${state.errors === 1 ? 'an error' : `${state.errors} errors`} (ComponentMetaData.FireError); the component failed`);
        for (const w of done.writes) {
          try {
            host.setVariable(w.name, variableFromWire(w) as VarValue);
          } catch (err) {
            throw new ComponentFailure(`${c.path}: the script's value for ${w.name} could not be assigned: ${(err as Error).message}`);
          }
        }
      },
      async cleanup() {
        if (run && !finished) run.kill();
      },
    };
  },
};
