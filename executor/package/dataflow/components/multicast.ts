/**
 * Multicast: every row to every output. The first attached output gets the arrays themselves,
 * the others copies, so a downstream Derived Column replacing a column on one branch never changes
 * the other branches' rows.
 */
import type { ComponentImplementation } from '../component.ts';

export const multicast: ComponentImplementation = {
  kind: 'multicast',
  create(host) {
    const outputs = host.component.outputs.filter((o) => !o.isErrorOut);
    return {
      async receive(_input, rows) {
        let first = true;
        for (const o of outputs) {
          if (!host.isAttached(o)) continue;
          await host.send(o, first ? rows : rows.map((r) => r.slice()));
          first = false;
        }
      },
    };
  },
};
