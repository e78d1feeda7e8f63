/**
 * Column expressions (Derived Column, Conditional Split) through the expression engine: `[Col]`,
 * `Col`, `[Component].[Col]` and lineage references (`#12`, `#{Package\…Columns[Col]}`) resolve to
 * the component's input columns; variables come from the task's scope. A component's expression
 * is compiled once; evaluation reads the current row's cells as typed values.
 */
import { SsoError } from '../../../actors/errors.ts';
import { compileExpression, evaluateAs } from '../expressions/evaluate.ts';
import type { CompiledExpression, ExpressionScope } from '../expressions/evaluate.ts';
import type { SsisType, SsisValue } from '../expressions/types.ts';
import { T } from '../expressions/types.ts';
import { jsToSsisValue } from '../expressions/values.ts';
import { typeForVarType } from '../expressions/values.ts';
import type { VarValue } from '../model.ts';
import { VarType } from '../model.ts';
import type { ComponentHost, Row } from './component.ts';
import type { PipelineColumn, PipelineDef, PipelineInput } from './pipeline.ts';
import type { Cell } from './types.ts';
import type { CompiledCell } from './compiled-expressions.ts';
import { FALLBACK, compileColumnExpression, compileConversion } from './compiled-expressions.ts';

export interface ColumnRef { readonly slot: number; readonly type: SsisType }

/** Name → slot/type of the columns an expression may read. */
export class ColumnNames {
  private readonly map = new Map<string, ColumnRef>();
  constructor(private readonly host: ComponentHost, input: PipelineInput | undefined) {
    if (input) for (const c of input.columns) this.addColumn(c);
  }
  addColumn(c: PipelineColumn): void {
    const type = c.type ?? this.host.lineageType(c.lineageId) ?? T.wstr(4000);
    const ref = { slot: this.host.slot(c.lineageId), type };
    const lower = c.name.toLowerCase();
    if (!this.map.has(lower)) this.map.set(lower, ref);
    this.map.set(`#${c.lineageId.toLowerCase()}`, ref);
  }
  /** A bracket-safe alias for a lineage id (format 8 ids contain `]`). */
  alias(lineageId: string): string {
    let ref = this.map.get(`#${lineageId.toLowerCase()}`);
    if (!ref) {
      // A lineage the designer did not list as an input column (the virtual input): read it anyway.
      const type = this.host.lineageType(lineageId);
      try { if (type) ref = { slot: this.host.slot(lineageId), type }; } catch { ref = undefined; }
    }
    const key = `__lineage_${this.aliases++}`;
    if (ref) this.map.set(key, ref);
    return key;
  }
  private aliases = 0;
  private readonly exact = new Map<string, ColumnRef>();
  get(name: string): ColumnRef | undefined {
    const cached = this.exact.get(name);
    if (cached) return cached;
    const found = this.resolve(name);
    if (found) this.exact.set(name, found);
    return found;
  }
  private resolve(name: string): ColumnRef | undefined {
    const n = name.toLowerCase();
    const direct = this.map.get(n);
    if (direct) return direct;
    // `[Component].[Column]` or `Component.Column`: the last part names the column.
    const m = /\]?\.\[?([^\].]+)\]?$/.exec(name);
    const hit = m ? this.map.get(m[1]!.toLowerCase()) : undefined;
    if (hit) return hit;
    // Not an input column: an upstream column of that name (packages edited by hand leave inputs out).
    const col = upstreamByName(this.host.pipeline, m ? m[1]! : name);
    if (!col?.type) return undefined;
    const ref = { slot: this.host.slot(col.lineageId), type: col.type };
    this.map.set(n, ref);
    return ref;
  }
}

/** The first output column of the pipeline with this name (case-insensitive). */
export function upstreamByName(p: PipelineDef, name: string): PipelineColumn | undefined {
  const n = name.toLowerCase();
  for (const c of p.components) for (const o of c.outputs) for (const col of o.columns) if (col.name.toLowerCase() === n) return col;
  return undefined;
}

/**
 * The text a component evaluates: the lineage form (`Expression`, what SSIS runs) rewritten to
 * names, or the designer's FriendlyExpression when the lineage form is missing or does not parse.
 */
export function expressionText(props: Readonly<Record<string, string>>, names: ColumnNames): string {
  const raw = props.Expression ?? '';
  const friendly = props.FriendlyExpression ?? '';
  if (raw.trim() !== '') {
    const text = fromLineageForm(raw, names);
    try { compileExpression(text); return text; } catch { /* fall back to the friendly form */ }
  }
  return friendly.trim() !== '' ? friendly : raw;
}

/** Rewrites the lineage form (`#12`, `#{…}`, `[FUNC](`) into names the parser reads. */
export function fromLineageForm(text: string, names: ColumnNames): string {
  return text
    .replace(/#\{([^}]*)\}/g, (_, id: string) => `[${names.alias(id)}]`)
    .replace(/#(\d+)/g, (_, id: string) => `[${names.alias(id)}]`)
    .replace(/\[([A-Z_][A-Z0-9_]*)\]\s*\(/g, (_, fn: string) => `${fn}(`);
}

function varTypeOfValue(v: VarValue): number {
  if (typeof v === 'string') return VarType.string;
  if (typeof v === 'boolean') return VarType.boolean;
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) <= 2147483647 ? VarType.int32 : VarType.double;
  if (typeof v === 'bigint') return VarType.int64;
  if (v instanceof Date) return VarType.dateTime;
  return VarType.object;
}

/** A compiled column expression bound to a component's columns. */
export class ColumnExpression {
  readonly compiled: CompiledExpression;
  private row: Row | undefined;
  private readonly vars = new Map<string, SsisValue>();
  private readonly scope: ExpressionScope;
  /** The expression compiled over row slots (`compiled-expressions.ts`), when its form is covered. */
  private readonly fast: ReturnType<typeof compileColumnExpression>;

  constructor(readonly text: string, private readonly names: ColumnNames, private readonly host: ComponentHost, what: string) {
    try {
      this.compiled = compileExpression(text);
    } catch (err) {
      throw new SsoError('SSO_ERR_EXPRESSION_SYNTAX', `${host.component.path}: ${what}: ${(err as Error).message}`, { where: host.component.path });
    }
    for (const c of this.compiled.columns) {
      if (!names.get(c)) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${host.component.path}: ${what} reads the column [${c.replace(/^#/, 'lineage ')}], which is not an input column of the component: "${text}"`, { where: host.component.path });
    }
    this.scope = {
      getVariable: (name) => {
        const hit = this.vars.get(name);
        if (hit) return hit;
        if (!this.host.hasVariable(name)) return undefined;
        const value = this.host.getVariable(name);
        const type = typeForVarType(varTypeOfValue(value));
        if (!type) return undefined;
        const v = jsToSsisValue(value as never, type, `variable ${name}`);
        this.vars.set(name, v);
        return v;
      },
      getColumn: (name) => {
        const ref = this.names.get(name);
        if (!ref || !this.row) return undefined;
        return { type: ref.type, value: this.row[ref.slot] as Cell };
      },
    };
    this.fast = compileColumnExpression(this.compiled.ast, (name) => this.names.get(name));
  }

  /** Whether rows go through the compiled closure (else the general evaluator). */
  get isCompiled(): boolean { return this.fast !== undefined; }

  /**
   * `evaluateAs(row, type).value` through the compiled closure when there is one: a closure made
   * once per target type with `converter(type)`; rows it cannot decide go to the general evaluator.
   */
  converter(type: SsisType): (row: Row) => Cell {
    const fast = this.fast ? compileConversion(this.fast, type) : undefined;
    if (!fast) return (row) => this.evaluateAs(row, type).value;
    return (row) => {
      const v = fast(row);
      return v !== FALLBACK ? v : this.evaluateAs(row, type).value;
    };
  }

  /**
   * A Boolean condition's compiled closure (true, false, NULL, or FALLBACK for a row the general
   * evaluator must decide); undefined when the expression is not compiled or not Boolean.
   */
  condition(): CompiledCell | undefined {
    return this.fast?.kind === 'bool' ? this.fast.fn : undefined;
  }

  /** Forget cached variable values (call once per buffer: variables may change between buffers). */
  newBuffer(): void { this.vars.clear(); }

  evaluate(row: Row): SsisValue {
    this.row = row;
    return this.compiled.evaluate(this.scope);
  }

  evaluateAs(row: Row, type: SsisType): SsisValue {
    this.row = row;
    return evaluateAs(this.compiled, this.scope, type);
  }
}

/**
 * Static check of a column expression for validation: syntax, and every `[Column]` an input column
 * (by name) or a lineage the pipeline creates. Returns an error message or undefined.
 */
export function checkColumnExpression(props: Readonly<Record<string, string>>, input: PipelineInput | undefined, hasLineage: (id: string) => boolean, pipeline: PipelineDef): string | undefined {
  const raw = props.Expression ?? '';
  const friendly = props.FriendlyExpression ?? '';
  const first = raw.trim() !== '' ? checkOne(raw, input, hasLineage, pipeline) : 'missing';
  if (first === undefined) return undefined;
  if (friendly.trim() !== '') return checkOne(friendly, input, hasLineage, pipeline);
  return first === 'missing' ? 'the expression is empty' : first;
}

function checkOne(text: string, input: PipelineInput | undefined, hasLineage: (id: string) => boolean, pipeline: PipelineDef): string | undefined {
  const names = new Set((input?.columns ?? []).map((c) => c.name.toLowerCase()));
  const lineages: string[] = [];
  const rewritten = text.replace(/#\{([^}]*)\}/g, (_, id: string) => { lineages.push(id); return `[__lineage_${lineages.length - 1}]`; })
    .replace(/#(\d+)/g, (_, id: string) => { lineages.push(id); return `[__lineage_${lineages.length - 1}]`; })
    .replace(/\[([A-Z_][A-Z0-9_]*)\]\s*\(/g, (_, fn: string) => `${fn}(`);
  let compiled: CompiledExpression;
  try { compiled = compileExpression(rewritten); } catch (err) { return (err as Error).message; }
  for (const c of compiled.columns) {
    const m = /^__lineage_(\d+)$/.exec(c);
    if (m) { const id = lineages[Number(m[1])]!; if (!hasLineage(id)) return `the expression "${text}" reads lineage ${id}, which no output column creates`; continue; }
    const last = (/\]?\.\[?([^\].]+)\]?$/.exec(c)?.[1] ?? c).toLowerCase();
    if (!names.has(c.toLowerCase()) && !names.has(last) && !upstreamByName(pipeline, last)) return `the expression "${text}" reads the column [${c}], which is not an input column of the component`;
  }
  return undefined;
}
