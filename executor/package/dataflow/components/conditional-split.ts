/**
 * Conditional Split: outputs with an Expression are tried in EvaluationOrder; a row goes to the
 * first whose condition is TRUE, else to the default output (IsDefaultOut). A NULL result is not
 * TRUE. A condition that fails to evaluate follows the output's error disposition.
 */
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentImplementation, Row } from '../component.ts';
import { HRESULT, outputsOf } from '../component.ts';
import { ColumnExpression, ColumnNames, checkColumnExpression, expressionText } from '../column-expressions.ts';
import type { PipelineOutput } from '../pipeline.ts';
import type { CompiledCell } from '../compiled-expressions.ts';
import { FALLBACK } from '../compiled-expressions.ts';

export const conditionalSplit: ComponentImplementation = {
  kind: 'conditionalSplit',
  validate(v) {
    const c = v.component;
    const out = [];
    for (const o of outputsOf(c).normal) {
      if (!o.properties.FriendlyExpression && !o.properties.Expression) continue;
      const problem = checkColumnExpression(o.properties, c.inputs[0], v.hasLineage, v.pipeline);
      if (problem) out.push({ path: c.path, severity: 'error' as const, message: `output '${o.name}': ${problem}` });
    }
    return out;
  },
  create(host) {
    const c = host.component;
    const names = new ColumnNames(host, c.inputs[0]);
    const { normal, error } = outputsOf(c);
    const conditions: { output: PipelineOutput; expr: ColumnExpression; order: number; fast: CompiledCell | undefined }[] = [];
    let defaultOut: PipelineOutput | undefined;
    for (const o of normal) {
      const friendly = o.properties.FriendlyExpression;
      const raw = o.properties.Expression;
      const isDefault = (o.properties.IsDefaultOut ?? '').toLowerCase() === 'true' || (raw === undefined && friendly === undefined);
      if (isDefault) { defaultOut = o; continue; }
      const text = expressionText(o.properties, names);
      const expr = new ColumnExpression(text, names, host, `the condition of output '${o.name}'`);
      conditions.push({ output: o, expr, order: Number(o.properties.EvaluationOrder ?? conditions.length), fast: expr.condition() });
    }
    conditions.sort((a, b) => a.order - b.order);
    let rowNumber = 0;
    return {
      async receive(_input, rows) {
        for (const k of conditions) k.expr.newBuffer();
        const buckets = conditions.map(() => [] as Row[]);
        const rest: Row[] = [];
        for (const row of rows) {
          rowNumber++;
          let placed = false;
          for (let i = 0; i < conditions.length; i++) {
            const k = conditions[i]!;
            if (k.fast) {
              // Compiled: TRUE, FALSE or NULL (not TRUE); FALLBACK leaves the row to the general evaluator below.
              const fast = k.fast(row);
              if (fast === true) { buckets[i]!.push(row); placed = true; break; }
              if (fast !== FALLBACK) continue;
            }
            let v;
            try {
              v = k.expr.evaluate(row);
              if (v.type.name !== 'DT_BOOL' && v.type.name !== 'DT_NULL') throw new SsoError('SSO_ERR_EXPRESSION_EVAL', `the condition "${k.expr.text}" returns ${v.type.name}, not a Boolean`);
            } catch (err) {
              if (!SsoError.is(err)) throw err;
              const r = host.handle(row, rowNumber, { problem: 'error', column: undefined, code: HRESULT.inducedFailureOnError, message: `output '${k.output.name}': ${err.message}` }, k.output.errorDisposition === 'notUsed' ? 'fail' : k.output.errorDisposition, error);
              if (r === 'redirect') { placed = true; break; }
              continue;
            }
            if (v.value === true) { buckets[i]!.push(row); placed = true; break; }
          }
          if (!placed) rest.push(row);
        }
        for (let i = 0; i < conditions.length; i++) await host.send(conditions[i]!.output, buckets[i]!);
        if (defaultOut) await host.send(defaultOut, rest);
        await host.flushErrors();
      },
    };
  },
};
