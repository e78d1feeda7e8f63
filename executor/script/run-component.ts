/**
 * Running a Script Component for the data flow engine: one mono host process per component run (never in
 * a Node thread), driven step by step — start (PreExecute), prime (PrimeOutput: CreateNewOutputRows of a
 * source), input batches (ProcessInput: Input0_ProcessInputRow…), finish (PostExecute, variable writes).
 * Rows cross as arrays in the order of the generated BufferWrapper (parsed from the project), so the
 * buffer column indexes the wrapper uses are 0..n-1; columns the script does not see stay on this side
 * and are merged back into the rows of a synchronous output. Events stream to `onMessage` as they happen.
 */
import type { ChildProcess } from 'node:child_process';
import type { ScriptProject } from './extract.ts';
import type { HostMessage, WireConnection, WireVariable } from './protocol.ts';
import { parseHostMessage } from './protocol.ts';
import { takeHost } from './run-script.ts';

/** A pipeline column: name and SSIS data type code (DT_WSTR = 130, DT_I4 = 3, DT_DBTIMESTAMP = 135…). */
export interface PipelineColumn {
  readonly name: string;
  readonly dataType: number;
  /** The caller's own mark for the column (the data flow keeps the buffer slot here); carried through the layout. */
  readonly tag?: number;
  /** Whether the script may change the value (an output column, a ReadWrite input column): read back from a synchronous output. */
  readonly writable?: boolean;
}
export interface ComponentInput { readonly id: number; readonly name: string; readonly columns: readonly PipelineColumn[] }
export interface ComponentOutput {
  readonly id: number;
  readonly name: string;
  readonly columns: readonly PipelineColumn[];
  /** Set for a synchronous output: its rows are the input's rows, with the output's columns added. */
  readonly synchronousInputId?: number;
}
export type Row = Record<string, unknown>;

export interface ComponentRunOptions {
  readonly mono: string;
  readonly hostPath: string;
  readonly assemblyPath: string;
  readonly project: ScriptProject;
  /** The component's name (ComponentMetaData.Name) and package path (for messages). */
  readonly name: string;
  readonly path: string;
  readonly inputs: readonly ComponentInput[];
  readonly outputs: readonly ComponentOutput[];
  readonly variables: readonly WireVariable[];
  readonly connections: readonly WireConnection[];
  readonly onMessage: (m: HostMessage) => void;
  readonly signal: AbortSignal;
  readonly batchSize?: number;
  readonly prestart?: boolean;
  /**
   * Receives the rows of asynchronous outputs as the host sends them (wire values in layout order), in
   * order, one call at a time; while it has not returned, the host's channel is not read, so a script
   * adding rows faster than the pipeline takes them waits (back-pressure). Without it, rows are
   * collected and returned by the step.
   */
  readonly onRows?: (output: string, rows: unknown[][]) => Promise<void>;
  /** The whole run (start to PostExecute) is stopped past this many ms, naming the setting; 0 = no limit. */
  readonly timeoutMs?: number;
  readonly timeoutText?: string;
}

/** The generated wrapper class name of an input or output: `Input 0` → `Input0Buffer`. */
export function bufferClassName(ioName: string): string {
  const s = ioName.replace(/[^\p{L}\p{N}_]/gu, '');
  return `${/^\p{N}/u.test(s) ? '_' : ''}${s}Buffer`;
}

/** Property name → buffer column index, from the generated `BufferWrapper.cs` class of one input or output. */
export function wrapperColumns(project: ScriptProject, className: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const src of project.sources) {
    const start = src.text.search(new RegExp(`class\\s+${className.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:\\s*ScriptBuffer`));
    if (start < 0) continue;
    const next = src.text.slice(start + 5).search(/\n\s*public\s+class\s/);
    const body = next < 0 ? src.text.slice(start) : src.text.slice(start, start + 5 + next);
    const props = /public\s+(?:new\s+)?[\w.[\]]+\s+(\w+)\s*\{([\s\S]*?)\n\s{4}\}/g;
    for (let m; (m = props.exec(body)) !== null;) {
      const name = m[1]!;
      if (name.endsWith('_IsNull')) continue;
      const idx = /(?:this\[|BufferColumnIndexes\[|GetBlob\()(\d+)[\])]/.exec(m[2]!);
      if (idx) out.set(name, Number(idx[1]));
    }
    return out;
  }
  return out;
}

const sanitize = (n: string) => n.replace(/[^\p{L}\p{N}_]/gu, '');

export interface Layout { readonly id: number; readonly name: string; readonly columns: readonly PipelineColumn[]; readonly syncInput?: number }

function layout(project: ScriptProject, id: number, name: string, given: readonly PipelineColumn[], path: string): Layout {
  const cls = bufferClassName(name);
  const props = wrapperColumns(project, cls);
  const byName = new Map(given.map((c) => [sanitize(c.name), c] as const));
  const cols: PipelineColumn[] = [];
  for (const [prop, idx] of props) {
    const c = byName.get(prop);
    if (!c) throw new Error(`${path}: the buffer wrapper ${cls} uses the column '${prop}' (index ${idx}), which '${name}' does not have`);
    cols[idx] = c;
  }
  for (let i = 0; i < cols.length; i++) if (!cols[i]) throw new Error(`${path}: the buffer wrapper ${cls} has no column at index ${i}`);
  return { id, name, columns: cols };
}

function toWire(dt: number, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if ((dt === 131 || dt === 14 || dt === 6 || dt === 20 || dt === 21) && typeof v === 'number') return String(v);
  return v;
}

function fromWire(dt: number, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (dt) {
    case 7: case 133: case 135: case 304: return new Date(Number(v));
    case 20: case 21: { const b = BigInt(String(v)); return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b; }
    case 6: case 14: case 131: return Number(v);
    case 128: case 301: return Buffer.from(String(v), 'base64');
    default: return v;
  }
}

/**
 * The buffer layout of every input and output, from the generated wrapper classes; throws naming the
 * component path and the column when the wrapper uses a column the component does not have.
 */
export function componentLayouts(project: ScriptProject, inputs: readonly ComponentInput[], outputs: readonly ComponentOutput[], path: string): { inputs: Layout[]; outputs: Layout[] } {
  const syncCols = new Map<number, PipelineColumn[]>();
  for (const out of outputs) if (out.synchronousInputId !== undefined) syncCols.set(out.synchronousInputId, [...(syncCols.get(out.synchronousInputId) ?? []), ...out.columns]);
  // A synchronous output's columns live in its input's buffer (the wrapper of the input shows them).
  const ins = inputs.map((i) => layout(project, i.id, i.name, [...i.columns, ...(syncCols.get(i.id) ?? [])], path));
  const outs = outputs.map((out): Layout => out.synchronousInputId !== undefined
    ? { ...ins.find((i) => i.id === out.synchronousInputId)!, id: out.id, name: out.name, syncInput: out.synchronousInputId }
    : layout(project, out.id, out.name, out.columns, path));
  return { inputs: ins, outputs: outs };
}

export class ScriptComponentRun {
  private readonly child: ChildProcess;
  private readonly inputs: Layout[];
  private readonly outputs: Layout[];
  private step: { rows: Map<number, unknown[][]>; resolve: (r: Map<number, unknown[][]>) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  private ended: { writes: HostMessage & { t: 'end' } } | undefined;
  private closed = false;
  private closeWaiters: (() => void)[] = [];
  private stderrTail = '';
  private lastInput = new Map<number, Row[]>();
  private readonly lines: string[] = [];
  private draining: Promise<void> | undefined;

  private constructor(private readonly o: ComponentRunOptions) {
    ({ inputs: this.inputs, outputs: this.outputs } = componentLayouts(o.project, o.inputs, o.outputs, o.path));
    this.child = takeHost(o.mono, o.hostPath, o.prestart ?? true);
    this.child.on('error', (e) => this.fail(new Error(`'${o.mono}' could not be started: ${e.message}`)));
    this.child.stdout!.resume();
    let pending = '';
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (!line.startsWith('{"t":')) { this.stderrTail = (this.stderrTail + line + '\n').slice(-2000); continue; }
        this.lines.push(line);
      }
      if (this.lines.length > 0) this.drain();
    });
    this.child.on('close', (code) => {
      void (async () => { while (this.draining) await this.draining; })().then(() => {
        this.closed = true;
        if (!this.ended && !this.failure) this.fail(new Error(`${o.path}: the script host ended (exit code ${code ?? 'none'}) ${this.stderrTail.trim() ? `: ${this.stderrTail.trim()}` : 'before PostExecute returned, for example by Environment.Exit'}`));
        for (const w of this.closeWaiters.splice(0)) w();
      });
    });
    const onAbort = () => { this.fail(new Error(`${o.path}: canceled`)); this.kill(); };
    o.signal.addEventListener('abort', onAbort, { once: true });
    const timer = o.timeoutMs ? setTimeout(() => { this.fail(new Error(`${o.path}: ${o.timeoutText ?? `the script ran longer than ${o.timeoutMs} ms and was stopped`}`)); this.kill(); }, o.timeoutMs) : undefined;
    this.child.once('close', () => { o.signal.removeEventListener('abort', onAbort); if (timer) clearTimeout(timer); });
  }

  /** Handles the host's lines one at a time; a slow `onRows` pauses reading the channel. */
  private drain(): void {
    if (this.draining) return;
    const stream = this.child.stderr!;
    this.draining = (async () => {
      while (this.lines.length > 0) {
        if (this.lines.length > 8 && !stream.isPaused()) stream.pause();
        await this.onLine(this.lines.shift()!);
      }
      if (stream.isPaused()) stream.resume();
    })().finally(() => { this.draining = undefined; if (this.lines.length > 0) this.drain(); });
  }

  private async onLine(line: string): Promise<void> {
    type Line = HostMessage | { t: 'rows'; output: number; rows: unknown[][] } | { t: 'done'; op: string };
    let m: Line;
    try {
      m = JSON.parse(line) as Line;
      if (m.t !== 'rows' && m.t !== 'done') m = parseHostMessage(line);
    } catch (err) {
      this.fail(new Error(`${this.o.path}: ${(err as Error).message}`));
      this.kill();
      return;
    }
    if (m.t === 'rows') {
      const out = this.outputs.find((x) => x.id === m.output);
      if (this.o.onRows && out && out.syncInput === undefined) {
        if (this.failure) return;
        try { await this.o.onRows(out.name, m.rows); } catch (err) { this.fail(err as Error); this.kill(); }
        return;
      }
      const list = this.step?.rows.get(m.output) ?? [];
      for (const r of m.rows) list.push(r);
      this.step?.rows.set(m.output, list);
      return;
    }
    if (m.t === 'done') { const s = this.step; this.step = undefined; s?.resolve(s.rows); return; }
    if (m.t === 'exception') { this.fail(new Error(`${m.full}`)); return; }
    if (m.t === 'end') { this.ended = { writes: m }; return; }
    this.o.onMessage(m);
  }

  private fail(e: Error): void {
    this.failure ??= e;
    const s = this.step;
    this.step = undefined;
    s?.reject(this.failure);
  }

  private send(cmd: unknown): Promise<Map<number, unknown[][]>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.step = { rows: new Map(), resolve, reject };
      this.child.stdin!.write(`${JSON.stringify(cmd)}\n`);
    });
  }

  private rowsByOutput(raw: Map<number, unknown[][]>): Map<string, Row[]> {
    const out = new Map<string, Row[]>();
    for (const o of this.outputs) {
      const rows = raw.get(o.id) ?? [];
      const base = o.syncInput !== undefined ? this.lastInput.get(o.syncInput) ?? [] : [];
      out.set(o.name, rows.map((r, i) => {
        const row: Row = o.syncInput !== undefined ? { ...base[i] } : {};
        o.columns.forEach((c, k) => { row[c.name] = fromWire(c.dataType, r[k]); });
        return row;
      }));
    }
    return out;
  }

  /** Starts the host: loads the script, binds variables and connections, runs AcquireConnections and PreExecute. */
  static async start(o: ComponentRunOptions): Promise<ScriptComponentRun> {
    const run = new ScriptComponentRun(o);
    const request = {
      mode: 'component', assembly: o.assemblyPath, entryPoint: '', messageBox: 'fail', name: o.name,
      variables: o.variables, connections: o.connections, batchSize: o.batchSize ?? 10000,
      inputs: run.inputs.map((i) => ({ id: i.id, name: i.name, types: i.columns.map((c) => c.dataType) })),
      outputs: run.outputs.map((x) => ({ id: x.id, name: x.name, types: x.columns.map((c) => c.dataType), syncInput: x.syncInput ?? null })),
    };
    try { await run.send(request); } catch (err) { run.kill(); throw err; }
    return run;
  }

  /** The columns of an input's or output's buffer in the order the host exchanges them (the given objects, tags kept). */
  columnsOf(ioName: string): readonly PipelineColumn[] {
    const io = this.inputs.find((i) => i.name === ioName) ?? this.outputs.find((x) => x.name === ioName);
    if (!io) throw new Error(`${this.o.path}: the component has no input or output named '${ioName}'`);
    return io.columns;
  }

  /** PrimeOutput with wire rows (layout order) by output name; asynchronous rows go to `onRows` when given. */
  async primeWire(): Promise<Map<string, unknown[][]>> {
    return this.byName(await this.send({ op: 'prime' }));
  }

  /** One batch of an input's rows already in wire form (layout order); wire rows each output produced, by output name. */
  async processWire(inputName: string, rows: unknown[][], endOfRowset: boolean): Promise<Map<string, unknown[][]>> {
    const input = this.inputs.find((i) => i.name === inputName);
    if (!input) throw new Error(`${this.o.path}: the component has no input named '${inputName}'`);
    return this.byName(await this.send({ op: 'input', id: input.id, rows, end: endOfRowset }));
  }

  private byName(raw: Map<number, unknown[][]>): Map<string, unknown[][]> {
    const out = new Map<string, unknown[][]>();
    for (const o of this.outputs) out.set(o.name, raw.get(o.id) ?? []);
    return out;
  }

  /** PrimeOutput: a source's CreateNewOutputRows; rows of every asynchronous output by output name. */
  async prime(): Promise<Map<string, Row[]>> {
    return this.rowsByOutput(await this.send({ op: 'prime' }));
  }

  /** One batch of an input's rows (ProcessInput); rows each output produced for it, by output name. */
  async processInput(inputName: string, rows: readonly Row[], endOfRowset: boolean): Promise<Map<string, Row[]>> {
    const input = this.inputs.find((i) => i.name === inputName);
    if (!input) throw new Error(`${this.o.path}: the component has no input named '${inputName}'`);
    this.lastInput.set(input.id, [...rows]);
    const wire = rows.map((r) => input.columns.map((c) => toWire(c.dataType, r[c.name])));
    return this.rowsByOutput(await this.send({ op: 'input', id: input.id, rows: wire, end: endOfRowset }));
  }

  /** PostExecute and ReleaseConnections; the rows still held by outputs and the variable writes. */
  async finish(): Promise<{ rows: Map<string, Row[]>; writes: readonly { name: string; type: number; value: unknown }[] }> {
    const done = await this.finishWire();
    return { rows: this.rowsByOutput(done.raw), writes: done.writes };
  }

  /** PostExecute and ReleaseConnections; the wire rows still held by outputs (by output id) and the variable writes. */
  async finishWire(): Promise<{ raw: Map<number, unknown[][]>; rows: Map<string, unknown[][]>; writes: readonly { name: string; type: number; value: unknown }[] }> {
    if (this.failure) throw this.failure;
    const rows = new Map<number, unknown[][]>();
    this.step = { rows, resolve: () => {}, reject: () => {} };
    this.child.stdin!.end(`${JSON.stringify({ op: 'finish' })}\n`);
    if (!this.closed) await new Promise<void>((r) => this.closeWaiters.push(r));
    this.step = undefined;
    if (this.failure) throw this.failure;
    if (!this.ended) throw new Error(`${this.o.path}: the script host ended without reporting`);
    return { raw: rows, rows: this.byName(rows), writes: this.ended.writes.writes };
  }

  kill(): void {
    try { if (this.child.pid !== undefined) process.kill(-this.child.pid, 'SIGKILL'); } catch { /* gone */ }
  }
}
