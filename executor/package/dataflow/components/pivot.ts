/**
 * Pivot and Unpivot.
 *
 * Pivot: input columns carry `PivotUsage` (0 pass through, 1 set key, 2 pivot key, 3 pivot value).
 * Consecutive rows with equal set keys (the input is expected grouped, as SSIS expects it sorted)
 * become one output row; each output column with a `PivotKeyValue` takes the pivot value of the
 * row whose pivot key, as text, equals it, and the other output columns copy their `SourceColumn`
 * from the first row of the set. A pivot key no column names fails (unless
 * `PassThroughUnmatchedPivotKeys`, which drops it) and a key seen twice in one set fails, as in SSIS.
 *
 * Unpivot: input columns with a `DestinationColumn` (the output value column) and a
 * `PivotKeyValue` become one output row each, with the key value in the output column marked
 * `PivotKey`; input columns sharing a PivotKeyValue (one per value column) fill one row; the other
 * input columns pass through by name (or their `DestinationColumn`). NULL values produce no row, as in SSIS.
 */
import type { ComponentImplementation, Row } from '../component.ts';
import { boolProp, ComponentFailure, outputsOf } from '../component.ts';
import type { Cell } from '../types.ts';
import { cellToText, convertCell } from '../types.ts';
import { T } from '../../expressions/types.ts';
import { keyPart } from './lookup.ts';
import { lineageRef } from './data-conversion.ts';

export const pivot: ComponentImplementation = {
  kind: 'pivot',
  validate(v) {
    const c = v.component;
    const usages = (c.inputs[0]?.columns ?? []).map((x) => Number(x.properties.PivotUsage ?? 0));
    const problems = [];
    if (usages.filter((u) => u === 2).length !== 1) problems.push({ path: c.path, severity: 'error' as const, message: `the Pivot '${c.name}' needs exactly one pivot key column (PivotUsage 2)` });
    if (usages.filter((u) => u === 3).length !== 1) problems.push({ path: c.path, severity: 'error' as const, message: `the Pivot '${c.name}' needs exactly one pivot value column (PivotUsage 3)` });
    return problems;
  },
  create(host) {
    const c = host.component;
    const input = c.inputs[0]!;
    const output = outputsOf(c).normal[0];
    const usage = (u: number) => input.columns.filter((x) => Number(x.properties.PivotUsage ?? 0) === u);
    const setKeys = usage(1).map((x) => host.slot(x.lineageId));
    const keyCol = usage(2)[0]!, valueCol = usage(3)[0]!;
    const keySlot = host.slot(keyCol.lineageId), valueSlot = host.slot(valueCol.lineageId);
    const keyType = keyCol.type ?? host.lineageType(keyCol.lineageId) ?? T.wstr(4000);
    const passUnmatched = boolProp(c, 'PassThroughUnmatchedPivotKeys', false);
    const pivoted = new Map<string, number>();
    const copies: [number, number][] = [];
    for (const col of output?.columns ?? []) {
      const kv = col.properties.PivotKeyValue;
      if (kv !== undefined && kv !== '') pivoted.set(kv, host.slot(col.lineageId));
      else {
        const src = lineageRef(col.properties.SourceColumn);
        const ic = input.columns.find((x) => x.lineageId.toLowerCase() === src.toLowerCase() || x.id === src);
        if (ic) copies.push([host.slot(ic.lineageId), host.slot(col.lineageId)]);
      }
    }
    let current: Row | undefined, currentKey = '', seen = new Set<string>();
    let buffer: Row[] = [];
    let rowNumber = 0;
    const flush = async (force: boolean) => {
      if (output && (force || buffer.length >= host.bufferRows) && buffer.length > 0) { const b = buffer; buffer = []; await host.send(output, b); }
    };
    return {
      async receive(_input, rows) {
        for (const row of rows) {
          rowNumber++;
          const setKey = setKeys.map((s) => keyPart(row[s] ?? null) ?? '\u0001').join('\u0000');
          if (!current || setKey !== currentKey) {
            current = host.newRow();
            for (const [a, b] of copies) current[b] = row[a] ?? null;
            currentKey = setKey;
            seen = new Set();
            buffer.push(current);
          }
          const k: Cell = row[keySlot] ?? null;
          const text = k === null ? '' : cellToText(k, keyType);
          const slot = pivoted.get(text);
          if (slot === undefined) {
            if (passUnmatched) continue;
            throw new ComponentFailure(`${c.path}: row ${rowNumber}: the pivot key value "${text}" is not the PivotKeyValue of any output column`);
          }
          if (seen.has(text)) throw new ComponentFailure(`${c.path}: row ${rowNumber}: the pivot key value "${text}" occurs twice for the same set key (sort or aggregate the input first)`);
          seen.add(text);
          current[slot] = row[valueSlot] ?? null;
        }
        await flush(false);
      },
      async finish() { await flush(true); },
    };
  },
};

export const unpivot: ComponentImplementation = {
  kind: 'unpivot',
  validate(v) {
    const c = v.component;
    const cols = c.inputs[0]?.columns ?? [];
    if (!cols.some((x) => (x.properties.PivotKeyValue ?? '') !== '' && lineageRef(x.properties.DestinationColumn) !== '' && lineageRef(x.properties.DestinationColumn) !== '-1')) {
      return [{ path: c.path, severity: 'error', message: `the Unpivot '${c.name}' unpivots no column (no input column with a DestinationColumn and a PivotKeyValue)` }];
    }
    if (!outputsOf(c).normal.some((o) => o.columns.some((x) => boolProp({ ...c, properties: x.properties }, 'PivotKey', false)))) {
      return [{ path: c.path, severity: 'error', message: `the Unpivot '${c.name}' has no pivot key output column (PivotKey true)` }];
    }
    return [];
  },
  create(host) {
    const c = host.component;
    const input = c.inputs[0]!;
    const output = outputsOf(c).normal[0]!;
    const keyOut = output.columns.find((x) => ['true', '1', '-1'].includes((x.properties.PivotKey ?? '').toLowerCase()))!;
    const keySlot = host.slot(keyOut.lineageId);
    const keyType = keyOut.type ?? T.wstr(4000);
    const values: { from: number; to: number; key: Cell }[] = [];
    const pass: [number, number][] = [];
    for (const col of input.columns) {
      const dest = lineageRef(col.properties.DestinationColumn);
      const target = output.columns.find((o) => o.lineageId.toLowerCase() === dest.toLowerCase() || o.id === dest);
      const kv = col.properties.PivotKeyValue ?? '';
      if (target && kv !== '') values.push({ from: host.slot(col.lineageId), to: host.slot(target.lineageId), key: convertCell(kv, T.wstr(kv.length), keyType) });
      else {
        const same = target ?? output.columns.find((o) => o !== keyOut && o.name === col.name);
        if (same) pass.push([host.slot(col.lineageId), host.slot(same.lineageId)]);
      }
    }
    // Input columns with the same PivotKeyValue (one per destination column) form one output row;
    // a row whose values are all NULL is not produced.
    const groups = new Map<string, { key: Cell; cols: { from: number; to: number }[] }>();
    for (const v of values) {
      const k = keyPart(v.key) ?? '';
      const g = groups.get(k) ?? { key: v.key, cols: [] };
      g.cols.push({ from: v.from, to: v.to });
      groups.set(k, g);
    }
    return {
      async receive(_input, rows) {
        const out: Row[] = [];
        for (const row of rows) {
          for (const g of groups.values()) {
            if (g.cols.every((x) => (row[x.from] ?? null) === null)) continue;
            const r = host.newRow();
            for (const [a, b] of pass) r[b] = row[a] ?? null;
            r[keySlot] = g.key;
            for (const x of g.cols) r[x.to] = row[x.from] ?? null;
            out.push(r);
          }
        }
        for (let i = 0; i < out.length; i += host.bufferRows) await host.send(output, out.slice(i, i + host.bufferRows));
      },
    };
  },
};
