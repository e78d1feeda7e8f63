/**
 * Runs a pipeline: checks the graph (paths join existing outputs and inputs, no cycles, every input
 * column reads a lineage some output creates), assigns every lineage id a slot in the row array,
 * prepares all components, runs the sources concurrently and pushes buffers through the graph
 * (each `send` awaits its downstream, so memory stays at a few buffers per path), then finishes the
 * components in topological order. Cancellation is checked between buffers. The first component
 * failure stops the flow; its message names the component path, the column and the row.
 */
import type { ConnectionManagerDef, VarValue } from '../model.ts';
import type { Problem, VariableInfo } from '../tasks/registry.ts';
import type { SsisType } from '../expressions/types.ts';
import type { ComponentHost, ComponentImplementation, ComponentRuntime, Row, RowFailure } from './component.ts';
import { ComponentFailure, outputsOf } from './component.ts';
import type { ComponentKind } from './component-types.ts';
import { COMPONENT_KIND_NAMES, componentKindOf } from './component-types.ts';
import type { PipelineComponent, PipelineDef, PipelineInput, PipelineOutput, PipelinePath } from './pipeline.ts';
import type { PhaseClock } from './phases.ts';

export interface FlowServices {
  readonly signal: AbortSignal;
  readonly workingDirectory: string | undefined;
  connection(ref: string): ConnectionManagerDef | undefined;
  getVariable(name: string): VarValue;
  setVariable(name: string, value: VarValue): void;
  hasVariable(name: string): boolean;
  variableNameById(id: string): string | undefined;
  information(message: string): void;
  warning(message: string): void;
  /** Script Components: any package event (OnError, OnProgress, OnCustomEvent…) and what a variable is. */
  raise?(eventName: string, message: string, code?: number): void;
  variableInfo?(name: string): VariableInfo | undefined;
  /** OnPipelineRowsSent-style progress: one call per buffer sent along a path. */
  rowsSent(path: PipelinePath, from: PipelineComponent, output: PipelineOutput, to: PipelineComponent, input: PipelineInput, rows: number): void;
  /** Data taps (data-taps.ts): sees each buffer sent along a path before the downstream component does. */
  tap?(path: PipelinePath, rows: readonly Row[], slot: (lineageId: string) => number): void;
  /** Component phase times (phases.ts), when the logging level records them. */
  readonly phases?: PhaseClock;
}

export interface FlowGraph {
  readonly byId: ReadonlyMap<string, PipelineComponent>;
  readonly kinds: ReadonlyMap<string, ComponentKind>;
  readonly outputOwner: ReadonlyMap<string, PipelineComponent>;
  readonly inputOwner: ReadonlyMap<string, PipelineComponent>;
  /** Path by start (output) id and by end (input) id. */
  readonly pathFrom: ReadonlyMap<string, PipelinePath>;
  readonly pathTo: ReadonlyMap<string, PipelinePath>;
  /** Lineage id → [output column owner, type]. */
  readonly lineage: ReadonlyMap<string, { component: PipelineComponent; type: SsisType | undefined; name: string }>;
  /** Components in topological order. */
  readonly order: readonly PipelineComponent[];
}

const norm = (s: string) => s.toLowerCase();

/** Builds the graph; returns problems (errors) for malformed pipelines instead of throwing. */
export function buildGraph(p: PipelineDef): { graph: FlowGraph; problems: Problem[] } {
  const problems: Problem[] = [];
  const byId = new Map<string, PipelineComponent>();
  const kinds = new Map<string, ComponentKind>();
  const outputOwner = new Map<string, PipelineComponent>();
  const inputOwner = new Map<string, PipelineComponent>();
  const lineage = new Map<string, { component: PipelineComponent; type: SsisType | undefined; name: string }>();
  for (const c of p.components) {
    byId.set(norm(c.id), c);
    kinds.set(norm(c.id), componentKindOf(c));
    for (const i of c.inputs) inputOwner.set(norm(i.id), c);
    for (const o of c.outputs) {
      outputOwner.set(norm(o.id), c);
      for (const col of o.columns) lineage.set(norm(col.lineageId), { component: c, type: col.type, name: col.name });
    }
  }
  const pathFrom = new Map<string, PipelinePath>();
  const pathTo = new Map<string, PipelinePath>();
  for (const path of p.paths) {
    const from = outputOwner.get(norm(path.startId));
    const to = inputOwner.get(norm(path.endId));
    const where = from?.path ?? to?.path ?? '\\Package';
    if (!from) { problems.push({ path: where, severity: 'error', message: `the path '${path.name}' starts at output '${path.startId}', which no component has` }); continue; }
    if (!to) { problems.push({ path: where, severity: 'error', message: `the path '${path.name}' ends at input '${path.endId}', which no component has` }); continue; }
    if (pathFrom.has(norm(path.startId)) || pathTo.has(norm(path.endId))) { problems.push({ path: where, severity: 'error', message: `the path '${path.name}' joins an output or input that another path already uses` }); continue; }
    pathFrom.set(norm(path.startId), path);
    pathTo.set(norm(path.endId), path);
  }
  // Topological order (Kahn); a cycle is an error naming its components.
  const indeg = new Map<string, number>(p.components.map((c) => [norm(c.id), 0]));
  const next = new Map<string, string[]>();
  for (const path of pathFrom.values()) {
    const a = norm(outputOwner.get(norm(path.startId))!.id), b = norm(inputOwner.get(norm(path.endId))!.id);
    indeg.set(b, (indeg.get(b) ?? 0) + 1);
    next.set(a, [...(next.get(a) ?? []), b]);
  }
  const queue = [...indeg.entries()].filter(([, d]) => d === 0).map(([k]) => k);
  const order: PipelineComponent[] = [];
  while (queue.length > 0) {
    const k = queue.shift()!;
    order.push(byId.get(k)!);
    for (const n of next.get(k) ?? []) {
      indeg.set(n, indeg.get(n)! - 1);
      if (indeg.get(n) === 0) queue.push(n);
    }
  }
  if (order.length < p.components.length) {
    const inCycle = p.components.filter((c) => !order.includes(c));
    problems.push({ path: inCycle[0]!.path, severity: 'error', message: `the data flow has a cycle through ${inCycle.map((c) => `'${c.name}'`).join(', ')}` });
    order.push(...inCycle);
  }
  // Input columns must read a lineage that an upstream output creates.
  for (const c of p.components) {
    for (const i of c.inputs) {
      for (const col of i.columns) {
        if (!lineage.has(norm(col.lineageId))) problems.push({ path: c.path, severity: 'error', message: `input '${i.name}' column '${col.name}' reads lineage '${col.lineageId}', which no output column creates` });
      }
    }
  }
  return { graph: { byId, kinds, outputOwner, inputOwner, pathFrom, pathTo, lineage, order }, problems };
}

export class FlowError extends Error {
  constructor(message: string, readonly component: PipelineComponent, readonly code?: number) { super(message); this.name = 'FlowError'; }
}

/** Runs the pipeline to completion; throws `FlowError` for the first failure. */
export async function runFlow(
  p: PipelineDef, graph: FlowGraph, impls: ReadonlyMap<ComponentKind, ComponentImplementation>, services: FlowServices, bufferRows: number,
): Promise<void> {
  // Slots: every lineage an output creates, in component order.
  const slots = new Map<string, number>();
  for (const c of graph.order) for (const o of c.outputs) for (const col of o.columns) if (!slots.has(norm(col.lineageId))) slots.set(norm(col.lineageId), slots.size);
  const width = slots.size;
  const slotOf = (lineageId: string): number => slots.get(norm(lineageId)) ?? -1;
  /** Copied for every new row: a packed array of NULLs is the cheapest row to make. */
  const blank: Row = new Array<null>(width).fill(null);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  services.signal.addEventListener('abort', onAbort, { once: true });
  const runtimes = new Map<string, ComponentRuntime>();
  const pendingInputs = new Map<string, number>();
  let failure: FlowError | undefined;

  const fail = (c: PipelineComponent, err: unknown): FlowError => {
    if (err instanceof FlowError) return err;
    const code = err instanceof ComponentFailure ? err.code : undefined;
    const e = new FlowError(err instanceof Error ? err.message : String(err), c, code);
    if (!failure) failure = e;
    stop.abort();
    return e;
  };

  const deliver = async (output: PipelineOutput, rows: Row[]): Promise<void> => {
    const path = graph.pathFrom.get(norm(output.id));
    if (!path || rows.length === 0) return;
    if (stop.signal.aborted) throw failure ?? new Canceled();
    const to = graph.inputOwner.get(norm(path.endId))!;
    const input = to.inputs.find((i) => norm(i.id) === norm(path.endId))!;
    services.rowsSent(path, graph.outputOwner.get(norm(output.id))!, output, to, input, rows.length);
    services.tap?.(path, rows, slotOf);
    const rt = runtimes.get(norm(to.id));
    if (!rt?.receive) return;
    try {
      await rt.receive(input, rows);
    } catch (err) {
      if (err instanceof Canceled || err instanceof FlowError) throw err;
      throw fail(to, err);
    }
  };

  const endOutput = async (output: PipelineOutput): Promise<void> => {
    const path = graph.pathFrom.get(norm(output.id));
    if (!path) return;
    const to = graph.inputOwner.get(norm(path.endId))!;
    const input = to.inputs.find((i) => norm(i.id) === norm(path.endId))!;
    const rt = runtimes.get(norm(to.id));
    try {
      await rt?.inputDone?.(input);
    } catch (err) {
      if (err instanceof Canceled || err instanceof FlowError) throw err;
      throw fail(to, err);
    }
    const left = (pendingInputs.get(norm(to.id)) ?? 1) - 1;
    pendingInputs.set(norm(to.id), left);
    if (left === 0) await complete(to);
  };

  const complete = async (c: PipelineComponent): Promise<void> => {
    const rt = runtimes.get(norm(c.id));
    try {
      await rt?.finish?.();
    } catch (err) {
      if (err instanceof Canceled || err instanceof FlowError) throw err;
      throw fail(c, err);
    }
    for (const o of c.outputs) await endOutput(o);
  };

  const hostFor = (c: PipelineComponent): ComponentHost => {
    const errorQueue: Row[] = [];
    const { error: errorOutput } = outputsOf(c);
    const errSlots = errorOutput ? {
      code: errorOutput.columns.find((x) => x.specialFlags === 1 || x.name === 'ErrorCode'),
      column: errorOutput.columns.find((x) => x.specialFlags === 2 || x.name === 'ErrorColumn'),
    } : undefined;
    return {
      component: c, pipeline: p, signal: stop.signal, bufferRows, workingDirectory: services.workingDirectory, width,
      slot(lineageId) {
        const s = slots.get(norm(lineageId));
        if (s === undefined) throw new ComponentFailure(`${c.path}: lineage '${lineageId}' is not created by any output column`);
        return s;
      },
      lineageType: (id) => graph.lineage.get(norm(id))?.type,
      newRow: () => blank.slice(),
      send: (output, rows) => deliver(output, rows),
      isAttached: (output) => graph.pathFrom.has(norm(output.id)),
      handle(row, rowNumber, f: RowFailure, disposition, errOut) {
        if (disposition === 'ignore') return 'keep';
        const out = errOut ?? errorOutput;
        if (disposition === 'redirect' && out) {
          if (errSlots?.code) row[slots.get(norm(errSlots.code.lineageId))!] = f.code;
          if (errSlots?.column) row[slots.get(norm(errSlots.column.lineageId))!] = f.column ? lineageNumber(f.column.lineageId, f.column.id) : 0;
          if (graph.pathFrom.has(norm(out.id))) errorQueue.push(row);
          return 'redirect';
        }
        const col = f.column ? ` column "${f.column.name}"` : '';
        const what = f.problem === 'truncation' ? 'truncation occurred' : 'an error occurred';
        throw new ComponentFailure(`${c.path}: row ${rowNumber}${col}: ${f.message} (${what}, and the ${f.problem === 'truncation' ? 'truncation' : 'error'} row disposition specifies failure; error code 0x${(f.code >>> 0).toString(16).toUpperCase()})`, f.problem === 'truncation' ? -1071607766 : -1071607767);
      },
      async flushErrors() {
        if (errorQueue.length === 0 || !errorOutput) return;
        const rows = errorQueue.splice(0, errorQueue.length);
        await deliver(errorOutput, rows);
      },
      connection: (ref) => services.connection(ref),
      getVariable: (n) => services.getVariable(n),
      setVariable: (n, v) => services.setVariable(n, v),
      hasVariable: (n) => services.hasVariable(n),
      variableNameById: (id) => services.variableNameById(id),
      information: (m) => services.information(m),
      warning: (m) => services.warning(m),
      raise: (e, m, code) => { if (services.raise) services.raise(e, m, code); else if (e === 'OnWarning') services.warning(m); else services.information(m); },
      variableInfo: (n) => services.variableInfo?.(n),
    };
  };

  try {
    for (const c of graph.order) {
      const kind = graph.kinds.get(norm(c.id))!;
      const impl = impls.get(kind);
      if (!impl) throw new FlowError(`${c.path}: the ${COMPONENT_KIND_NAMES[kind]} component cannot run here`, c);
      runtimes.set(norm(c.id), services.phases ? services.phases.create(c, hostFor(c), (h) => impl.create(h)) : impl.create(hostFor(c)));
      pendingInputs.set(norm(c.id), c.inputs.filter((i) => graph.pathTo.has(norm(i.id))).length);
    }
    for (const c of graph.order) {
      try { await runtimes.get(norm(c.id))!.prepare?.(); } catch (err) { throw fail(c, err); }
    }
    const roots = graph.order.filter((c) => pendingInputs.get(norm(c.id)) === 0);
    await Promise.all(roots.map(async (c) => {
      const rt = runtimes.get(norm(c.id))!;
      try {
        await rt.produce?.();
      } catch (err) {
        if (err instanceof Canceled) return;
        if (err instanceof FlowError) { if (!failure) failure = err; stop.abort(); return; }
        fail(c, err);
        return;
      }
      try { await complete(c); } catch (err) {
        if (err instanceof Canceled) return;
        if (err instanceof FlowError) { if (!failure) failure = err; stop.abort(); }
      }
    }));
    if (failure) throw failure;
  } finally {
    services.signal.removeEventListener('abort', onAbort);
    for (const rt of runtimes.values()) await rt.cleanup?.().catch(() => undefined);
  }
}

/** Thrown into producers after the flow stopped (failure elsewhere or cancellation). */
export class Canceled extends Error {
  constructor() { super('the data flow was canceled'); this.name = 'Canceled'; }
}

/** ErrorColumn holds the lineage id; format 8 ids are paths, so their number is a stable hash. */
function lineageNumber(lineageId: string, id: string): number {
  const n = Number(lineageId);
  if (Number.isInteger(n)) return n;
  const m = Number(id);
  if (Number.isInteger(m)) return m;
  let h = 0;
  for (let i = 0; i < lineageId.length; i++) h = (h * 31 + lineageId.charCodeAt(i)) | 0;
  return Math.abs(h);
}

/** Throws `Canceled` when the flow must stop (call between buffers). */
export function checkpoint(signal: AbortSignal): void {
  if (signal.aborted) throw new Canceled();
}
