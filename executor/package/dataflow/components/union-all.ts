/**
 * Union All: an asynchronous output whose columns each name, per input, the input column that
 * feeds them (the input column's OutputColumnLineageID property); unmapped output columns are NULL.
 */
import type { ComponentImplementation, Row } from '../component.ts';
import { outputsOf } from '../component.ts';
import type { PipelineInput } from '../pipeline.ts';
import { lineageRef } from './data-conversion.ts';

export const unionAll: ComponentImplementation = {
  kind: 'unionAll',
  create(host) {
    const c = host.component;
    const output = outputsOf(c).normal[0];
    const maps = new Map<PipelineInput, [number, number][]>();
    for (const input of c.inputs) {
      const pairs: [number, number][] = [];
      for (const col of input.columns) {
        const target = lineageRef(col.properties.OutputColumnLineageID);
        const outCol = output?.columns.find((o) => o.lineageId.toLowerCase() === target.toLowerCase() || o.id === target);
        if (outCol) pairs.push([host.slot(col.lineageId), host.slot(outCol.lineageId)]);
      }
      maps.set(input, pairs);
    }
    return {
      async receive(input, rows) {
        if (!output) return;
        const pairs = maps.get(input) ?? [];
        const out: Row[] = new Array(rows.length);
        for (let i = 0; i < rows.length; i++) {
          const src = rows[i]!;
          const row = host.newRow();
          for (const [a, b] of pairs) row[b] = src[a] ?? null;
          out[i] = row;
        }
        await host.send(output, out);
      },
    };
  },
};
