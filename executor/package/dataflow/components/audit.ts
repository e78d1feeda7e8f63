/**
 * Audit: adds columns holding execution facts, chosen per output column by `LineageItemSelected`:
 * 0 ExecutionInstanceGUID, 1 PackageID, 2 PackageName, 3 VersionID, 4 ExecutionStartTime,
 * 5 MachineName, 6 UserName, 7 TaskName, 8 TaskID (the matching System variables, read once).
 */
import type { ComponentImplementation } from '../component.ts';
import { outputsOf } from '../component.ts';
import type { Cell } from '../types.ts';
import { cellFromJs } from '../types.ts';
import { T } from '../../expressions/types.ts';

const ITEMS = ['ExecutionInstanceGUID', 'PackageID', 'PackageName', 'VersionID', 'StartTime', 'MachineName', 'UserName', 'TaskName', 'TaskID'];

export const audit: ComponentImplementation = {
  kind: 'audit',
  validate(v) {
    const c = v.component;
    return outputsOf(c).normal.flatMap((o) => o.columns).filter((col) => {
      const n = Number(col.properties.LineageItemSelected ?? -1);
      return !Number.isInteger(n) || n < 0 || n >= ITEMS.length;
    }).map((col) => ({ path: c.path, severity: 'error' as const, message: `output column '${col.name}' has LineageItemSelected ${col.properties.LineageItemSelected ?? '(none)'}; 0-8 expected` }));
  },
  create(host) {
    const output = outputsOf(host.component).normal[0];
    let values: [number, Cell][] = [];
    return {
      async prepare() {
        values = (output?.columns ?? []).map((col) => {
          const name = `System::${ITEMS[Number(col.properties.LineageItemSelected)]!}`;
          const raw = host.hasVariable(name) ? host.getVariable(name) : null;
          return [host.slot(col.lineageId), raw === null || raw === undefined ? null : cellFromJs(raw, col.type ?? T.wstr(4000))];
        });
      },
      async receive(_input, rows) {
        for (const row of rows) for (const [slot, v] of values) row[slot] = v;
        if (output) await host.send(output, rows);
      },
    };
  },
};
