/**
 * The Data Flow Task: reads the pipeline, validates it (every component a known, runnable kind
 * with its references resolved; the graph well formed), then runs it in the worker thread and
 * reports what SSIS reports: "… wrote N rows" information messages, OnPipelineRowsSent progress per
 * buffer and path (which the catalog turns into execution_data_statistics rows, logged at the
 * Verbose level as SSISDB does), and errors naming the component path, the column and the row.
 * An empty data flow succeeds without doing anything.
 */
import { SsoError } from '../../../actors/errors.ts';
import type { ConnectedProblem, Problem, TaskContext, TaskImplementation, TaskValidationContext } from '../tasks/registry.ts';
import type { ComponentKind } from './component-types.ts';
import { COMPONENT_KIND_NAMES, LATER_KINDS } from './component-types.ts';
import { componentImplementations } from './components/registry.ts';
import type { PipelineComponent, PipelineDef } from './pipeline.ts';
import { readPipeline } from './pipeline.ts';
import { FlowError, buildGraph, runFlow } from './runtime.ts';
import { PhaseClock } from './phases.ts';

/** SSIS defaults: 10,000 rows and 10 MB per buffer. */
export const DEFAULT_BUFFER_MAX_ROWS = 10_000;
export const DEFAULT_BUFFER_SIZE = 10_485_760;

function why(kind: ComponentKind, c: PipelineComponent): string {
  const type = c.userComponentTypeName || c.classId;
  if (kind === 'script') return `the Script Component '${c.name}' cannot run here: it holds C#/VB.NET code for the .NET runtime`;
  if (kind === 'thirdParty') return `the third-party component '${c.name}' (${type}) cannot run here`;
  if (kind === 'unknown') return `the component '${c.name}' has an unknown type '${type}' and cannot run here`;
  if (LATER_KINDS.has(kind)) return `the ${COMPONENT_KIND_NAMES[kind]} component '${c.name}' is not supported yet`;
  return `the ${COMPONENT_KIND_NAMES[kind]} component '${c.name}' is not supported yet`;
}

/** Static validation of a pipeline (also used by `scaleout validate`). */
export function validatePipeline(p: PipelineDef, v: Pick<TaskValidationContext, 'hasVariable' | 'hasConnection'>, phases?: PhaseClock): { problems: Problem[]; refused: { component: PipelineComponent; kind: ComponentKind }[] } {
  const problems: Problem[] = [];
  const refused: { component: PipelineComponent; kind: ComponentKind }[] = [];
  const { graph, problems: graphProblems } = buildGraph(p);
  problems.push(...graphProblems);
  const impls = componentImplementations();
  for (const c of p.components) {
    const kind = graph.kinds.get(c.id.toLowerCase())!;
    const impl = impls.get(kind);
    if (!impl) {
      refused.push({ component: c, kind });
      problems.push({ path: c.path, severity: 'error', message: why(kind, c) });
      continue;
    }
    for (const o of c.outputs) for (const col of o.columns) {
      if (!col.type && col.specialFlags === 0) problems.push({ path: c.path, severity: 'error', message: `output '${o.name}' column '${col.name}' has the unknown data type '${col.dataTypeName}'` });
    }
    try {
      const validate = () => impl.validate?.({
        component: c, pipeline: p, hasVariable: v.hasVariable, hasConnection: v.hasConnection,
        hasLineage: (id) => graph.lineage.has(id.toLowerCase()),
      }) ?? [];
      problems.push(...(phases ? phases.timeSync(c, 'Validate', validate) : validate()));
    } catch (err) {
      if (!SsoError.is(err)) throw err;
      problems.push({ path: c.path, severity: 'error', message: err.message });
    }
    for (const conn of c.connections) {
      const m = /ConnectionManagers\[(.*)\]$/.exec(conn.connectionManagerId);
      const ref = m ? m[1]! : conn.connectionManagerId.replace(/:external$/i, '');
      if (ref !== '' && !v.hasConnection(ref)) problems.push({ path: c.path, severity: 'error', message: `the connection '${conn.name}' uses the connection manager '${ref}', which is not defined` });
    }
  }
  return { problems, refused };
}

export function bufferRowsOf(p: PipelineDef, props: Readonly<Record<string, string>>): number {
  const get = (n: string) => props[n] ?? p.settings.get(n.toLowerCase());
  const rows = Number(get('DefaultBufferMaxRows') ?? DEFAULT_BUFFER_MAX_ROWS);
  const size = Number(get('DefaultBufferSize') ?? DEFAULT_BUFFER_SIZE);
  const maxRows = Number.isFinite(rows) && rows > 0 ? Math.trunc(rows) : DEFAULT_BUFFER_MAX_ROWS;
  // Estimate 100 bytes a row (SSIS sizes from the column widths); the size caps the rows.
  const bySize = Number.isFinite(size) && size > 0 ? Math.max(1, Math.floor(size / 100)) : maxRows;
  return Math.max(1, Math.min(maxRows, bySize));
}

/**
 * Component properties set on the task, as SSIS exposes them for property expressions and
 * overrides: `[Lookup Currency].[SqlCommand]`, `[OLE DB Source].[SqlCommand]`.
 */
export function withComponentProperties(p: PipelineDef, props: Readonly<Record<string, string>>): PipelineDef {
  const byComponent = new Map<string, Record<string, string>>();
  for (const [k, v] of Object.entries(props)) {
    const m = /^\[(.+)\]\.\[(.+)\]$/.exec(k.trim());
    if (!m) continue;
    const set = byComponent.get(m[1]!.toLowerCase()) ?? {};
    set[m[2]!] = v;
    byComponent.set(m[1]!.toLowerCase(), set);
  }
  if (byComponent.size === 0) return p;
  return {
    ...p,
    components: p.components.map((c) => {
      const set = byComponent.get(c.name.toLowerCase());
      if (!set) return c;
      const properties: Record<string, string> = { ...c.properties };
      for (const [k, v] of Object.entries(set)) {
        const existing = Object.keys(properties).find((x) => x.toLowerCase() === k.toLowerCase());
        properties[existing ?? k] = v;
      }
      return { ...c, properties };
    }),
  };
}

export const dataFlowTask: TaskImplementation = {
  kind: 'dataFlow',
  validate(v) {
    let p: PipelineDef;
    try {
      p = readPipeline(v.task.objectData, v.task.path, v.task.properties);
    } catch (err) {
      if (!SsoError.is(err)) throw err;
      return [{ path: v.task.path, severity: 'error', message: err.message }];
    }
    return validatePipeline(p, v).problems;
  },
  /**
   * Each component whose ValidateExternalMetadata is True and that checks external data
   * (`validateExternal`: the OLE DB Source and Destination) is validated against its database; a
   * component with ValidateExternalMetadata = False is not (SSIS then trusts the package's metadata).
   * A pipeline that cannot be read is left to `execute`, which reports it.
   */
  async validateConnected(ctx: TaskContext): Promise<ConnectedProblem[]> {
    let p: PipelineDef;
    try {
      p = withComponentProperties(readPipeline(ctx.task.objectData, ctx.task.path, { ...ctx.task.properties, ...ctx.props }), ctx.props);
    } catch {
      return [];
    }
    if (p.components.length === 0) return [];
    const { graph } = buildGraph(p);
    const impls = componentImplementations();
    const out: ConnectedProblem[] = [];
    for (const c of p.components) {
      if (!c.validateExternalMetadata) continue;
      const impl = impls.get(graph.kinds.get(c.id.toLowerCase())!);
      if (!impl?.validateExternal) continue;
      const found = await impl.validateExternal({
        component: c,
        connection: (r) => ctx.connection(r),
        getVariable: (n) => ctx.getVariable(n),
        hasVariable: (n) => ctx.hasVariable(n),
      });
      for (const f of found) out.push({ path: c.path, severity: f.severity, message: f.message, code: f.code });
    }
    return out;
  },
  async execute(ctx: TaskContext) {
    const task = ctx.task;
    let p: PipelineDef;
    try {
      p = readPipeline(task.objectData, task.path, { ...task.properties, ...ctx.props });
    } catch (err) {
      ctx.error(`${task.path}: ${(err as Error).message}`);
      return 'failure';
    }
    if (p.components.length === 0) return 'success';
    p = withComponentProperties(p, ctx.props);
    const phases = ctx.componentPhases ? new PhaseClock() : undefined;
    const { problems } = validatePipeline(p, { hasVariable: (n) => ctx.hasVariable(n), hasConnection: (r) => { try { return ctx.connection(r) !== undefined; } catch { return true; /* exists; its expression fails later, naming itself */ } } }, phases);
    const errors = problems.filter((x) => x.severity === 'error');
    if (errors.length > 0) {
      for (const e of errors) ctx.error(`${e.path}: ${e.message}`, -1073450985 /* DTS_E_VALIDATIONFAILED */);
      return 'failure';
    }
    const { graph } = buildGraph(p);
    const taps = ctx.dataTaps?.open(task, graph);
    try {
      await runFlow(p, graph, componentImplementations(), {
        signal: ctx.signal,
        workingDirectory: ctx.workingDirectory,
        connection: (r) => ctx.connection(r),
        getVariable: (n) => ctx.getVariable(n),
        setVariable: (n, v) => ctx.setVariable(n, v),
        hasVariable: (n) => ctx.hasVariable(n),
        variableNameById: (id) => ctx.variableNameById?.(id),
        information: (m) => ctx.information(m),
        warning: (m) => ctx.warning(m),
        raise: (e, m, code) => ctx.raise(e, m, code),
        variableInfo: (n) => ctx.variableInfo(n),
        ...(taps ? { tap: (path, rows, slot) => taps.rows(path, rows, slot) } : {}),
        ...(phases ? { phases } : {}),
        rowsSent: (path, from, output, to, input, rows) => {
          // SSIS's OnPipelineRowsSent text; the catalog parses it into execution_data_statistics.
          ctx.custom?.('OnPipelineRowsSent', `Rows were provided to a data flow component as input. :  : ${path.id} : ${path.name || output.name} : ${from.id} : ${from.name} : ${to.id} : ${to.name} : ${input.id} : ${input.name} : ${rows}`);
        },
      }, bufferRowsOf(p, ctx.props));
      return 'success';
    } catch (err) {
      if (ctx.signal.aborted) return 'failure';
      if (err instanceof FlowError) {
        ctx.error(err.message.startsWith(err.component.path) ? err.message : `${err.component.path}: ${err.message}`, err.code);
        ctx.error(`SSIS Error Code DTS_E_PROCESSINPUTFAILED. The component "${err.component.name}" failed; the data flow stopped.`, -1073450974);
        return 'failure';
      }
      throw err;
    } finally {
      for (const f of taps?.close() ?? []) ctx.information(`The data tap file "${f.file}" holds ${f.rows} rows.`);
      if (phases) ctx.componentPhases?.(phases.rows());
    }
  },
};
