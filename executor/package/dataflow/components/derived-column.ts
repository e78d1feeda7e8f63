/**
 * Derived Column: each output column (add) or read-write input column (replace) carries an
 * expression; the result is cast to the column's type. A failing expression or a cast that
 * truncates follows the column's ErrorRowDisposition / TruncationRowDisposition (fail, ignore =
 * NULL, redirect to the error output with ErrorCode and ErrorColumn). Synchronous: rows pass on.
 */
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentImplementation, Row } from '../component.ts';
import { HRESULT, outputsOf } from '../component.ts';
import { ColumnExpression, ColumnNames, checkColumnExpression, expressionText } from '../column-expressions.ts';
import type { PipelineColumn } from '../pipeline.ts';
import type { Cell } from '../types.ts';
import { T } from '../../expressions/types.ts';

export function expressionOf(col: PipelineColumn): string | undefined {
  const friendly = col.properties.FriendlyExpression;
  if (friendly !== undefined && friendly.trim() !== '') return friendly;
  return col.properties.Expression;
}

export const derivedColumn: ComponentImplementation = {
  kind: 'derivedColumn',
  validate(v) {
    const c = v.component;
    const input = c.inputs[0];
    const cols = [...(input?.columns ?? []).filter((x) => x.usageType.toLowerCase() === 'readwrite'), ...(outputsOf(c).normal[0]?.columns ?? [])];
    const out = [];
    for (const col of cols) {
      if (expressionOf(col) === undefined) continue;
      const problem = checkColumnExpression(col.properties, input, v.hasLineage, v.pipeline);
      if (problem) out.push({ path: c.path, severity: 'error' as const, message: `column '${col.name}': ${problem}` });
    }
    return out;
  },
  create(host) {
    const c = host.component;
    const input = c.inputs[0];
    const { normal, error } = outputsOf(c);
    const output = normal[0];
    const names = new ColumnNames(host, input);
    interface Derivation { col: PipelineColumn; slot: number; expr: ColumnExpression; value: (row: Row) => Cell }
    const derivations: Derivation[] = [];
    const add = (col: PipelineColumn, slotLineage: string) => {
      const text = expressionText(col.properties, names);
      if (text.trim() === '') throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: column '${col.name}' has no expression`, { where: c.path });
      const expr = new ColumnExpression(text, names, host, `the expression of column '${col.name}'`);
      const type = col.type ?? host.lineageType(col.lineageId) ?? T.wstr(4000);
      derivations.push({ col, slot: host.slot(slotLineage), expr, value: expr.converter(type) });
    };
    for (const col of input?.columns ?? []) if (col.usageType.toLowerCase() === 'readwrite' && (col.properties.Expression ?? col.properties.FriendlyExpression) !== undefined) add(col, col.lineageId);
    for (const col of output?.columns ?? []) add(col, col.lineageId);
    let rowNumber = 0;
    return {
      async receive(_input, rows) {
        for (const d of derivations) d.expr.newBuffer();
        const out: Row[] = [];
        for (const row of rows) {
          rowNumber++;
          let keep = true;
          for (const d of derivations) {
            try {
              row[d.slot] = d.value(row);
            } catch (err) {
              if (!SsoError.is(err)) throw err;
              const truncation = /truncation/.test(err.message);
              const disp = truncation ? d.col.truncationDisposition : d.col.errorDisposition;
              const r = host.handle(row, rowNumber, { problem: truncation ? 'truncation' : 'error', column: d.col, code: truncation ? HRESULT.inducedFailureOnTruncation : HRESULT.inducedFailureOnError, message: err.message }, disp, error);
              if (r === 'redirect') { keep = false; break; }
              row[d.slot] = null;
            }
          }
          if (keep) out.push(row);
        }
        if (output) await host.send(output, out);
        await host.flushErrors();
      },
    };
  },
};
