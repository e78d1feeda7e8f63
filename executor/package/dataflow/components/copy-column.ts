/** Copy Column: each output column (synchronous) copies the input lineage named by `copyColumnId`. */
import type { ComponentImplementation } from '../component.ts';
import { outputsOf } from '../component.ts';
import { lineageRef } from './data-conversion.ts';

export const copyColumn: ComponentImplementation = {
  kind: 'copyColumn',
  validate(v) {
    const c = v.component;
    return outputsOf(c).normal.flatMap((o) => o.columns)
      .filter((col) => !v.hasLineage(lineageRef(col.properties.copyColumnId)))
      .map((col) => ({ path: c.path, severity: 'error' as const, message: `output column '${col.name}' copies '${lineageRef(col.properties.copyColumnId)}' (copyColumnId), which no upstream column creates` }));
  },
  create(host) {
    const output = outputsOf(host.component).normal[0];
    const pairs = (output?.columns ?? []).map((col) => [host.slot(lineageRef(col.properties.copyColumnId)), host.slot(col.lineageId)] as const);
    return {
      async receive(_input, rows) {
        for (const row of rows) for (const [a, b] of pairs) row[b] = row[a] ?? null;
        if (output) await host.send(output, rows);
      },
    };
  },
};
