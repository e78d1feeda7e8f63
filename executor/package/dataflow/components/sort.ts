/**
 * Sort: a blocking transformation. Input columns with a `NewSortKeyPosition` (1, 2, … ascending;
 * -1, -2, … descending) are the keys, compared with their `NewComparisonFlags`; output columns copy
 * the input lineage named by `SortColumnId`. `EliminateDuplicates` keeps the first row of every run
 * of rows whose keys compare equal. The output is sorted (IsSorted, SortKeyPosition in the package),
 * which Merge and Merge Join check.
 *
 * Memory: rows are held projected to the columns the output needs; past `MaxRowsInMemory` rows (or
 * a heap above the bound in `ordering.ts`) the rows held are sorted and written as a run to a
 * temporary folder (the task's `BufferTempStoragePath`, else the OS temp folder) and the runs are
 * merged at the end, so inputs larger than memory sort without exhausting the worker's heap.
 */
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentImplementation, Row } from '../component.ts';
import { ComponentFailure, outputsOf } from '../component.ts';
import type { SortKey } from '../ordering.ts';
import { SpillStore, heapIsFull, maxRowsInMemory, rowComparer, sortRows } from '../ordering.ts';
import { checkpoint } from '../runtime.ts';
import { lineageRef } from './data-conversion.ts';

const num = (v: string | undefined) => { const n = Number(v ?? 0); return Number.isFinite(n) ? Math.trunc(n) : 0; };

export const sort: ComponentImplementation = {
  kind: 'sort',
  validate(v) {
    const c = v.component;
    const input = c.inputs[0];
    if (!input) return [{ path: c.path, severity: 'error', message: 'the Sort has no input' }];
    const keys = input.columns.filter((col) => num(col.properties.NewSortKeyPosition) !== 0);
    if (keys.length === 0) return [{ path: c.path, severity: 'error', message: `the Sort '${c.name}' has no sort key (no input column with a NewSortKeyPosition)` }];
    const positions = keys.map((k) => Math.abs(num(k.properties.NewSortKeyPosition))).sort((a, b) => a - b);
    if (positions.some((p, i) => p !== i + 1)) return [{ path: c.path, severity: 'error', message: `the Sort '${c.name}' has sort key positions ${positions.join(', ')}; they must be 1, 2, … without gaps or repeats` }];
    const problems = [];
    for (const o of outputsOf(c).normal) for (const col of o.columns) {
      const src = lineageRef(col.properties.SortColumnId);
      if (src !== '' && !input.columns.some((i) => i.lineageId.toLowerCase() === src.toLowerCase() || i.id === src)) {
        problems.push({ path: c.path, severity: 'error' as const, message: `output column '${col.name}' copies SortColumnId '${src}', which is not an input column of the Sort` });
      }
    }
    return problems;
  },
  create(host) {
    const c = host.component;
    const input = c.inputs[0]!;
    const output = outputsOf(c).normal[0];
    const eliminate = (c.properties.EliminateDuplicates ?? '').trim().toLowerCase() === 'true' || c.properties.EliminateDuplicates === '1';
    // The projected row: one value per distinct input slot the output or the keys need.
    const projected: number[] = [];
    const indexOf = (slot: number) => { let i = projected.indexOf(slot); if (i < 0) { i = projected.length; projected.push(slot); } return i; };
    const keys: (SortKey & { position: number })[] = [];
    for (const col of input.columns) {
      const pos = num(col.properties.NewSortKeyPosition);
      if (pos !== 0) keys.push({ index: indexOf(host.slot(col.lineageId)), descending: pos < 0, flags: num(col.properties.NewComparisonFlags), position: Math.abs(pos) });
    }
    keys.sort((a, b) => a.position - b.position);
    if (keys.length === 0) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: the Sort has no sort key`);
    const copies: [number, number][] = [];
    for (const col of output?.columns ?? []) {
      const src = lineageRef(col.properties.SortColumnId);
      const inCol = input.columns.find((i) => i.lineageId.toLowerCase() === src.toLowerCase() || i.id === src);
      const from = inCol ? host.slot(inCol.lineageId) : src !== '' ? host.slot(src) : -1;
      if (from >= 0) copies.push([indexOf(from), host.slot(col.lineageId)]);
    }
    const copyFrom = copies.map(([from]) => from), copyTo = copies.map(([, to]) => to);
    const compare = rowComparer(keys);
    const limit = maxRowsInMemory(c);
    const spill = new SpillStore(host.pipeline.settings.get('buffertempstoragepath') ?? host.workingDirectory);
    let held: Row[] = [];
    let received = 0;

    const spillRun = () => {
      held = sortRows(held, keys);
      spill.writeRun(held);
      held = [];
    };

    return {
      async receive(_input, rows) {
        for (const r of rows) {
          const p: Row = new Array(projected.length);
          for (let i = 0; i < projected.length; i++) p[i] = r[projected[i]!] ?? null;
          held.push(p);
        }
        received += rows.length;
        if (held.length >= limit || heapIsFull()) {
          try { spillRun(); } catch (err) {
            throw new ComponentFailure(`${c.path}: the Sort cannot write its sorted run to disk after ${received} rows: ${(err as Error).message}`);
          }
        }
      },
      async finish() {
        held = sortRows(held, keys);
        const runs = spill.runCount + (held.length > 0 && spill.runCount > 0 ? 1 : 0);
        const all = spill.runCount === 0 ? held : spill.merge(held, compare);
        let buffer: Row[] = [];
        let previous: Row | undefined;
        let sent = 0;
        for (const p of all) {
          if (eliminate && previous && compare(previous, p) === 0) continue;
          previous = p;
          if (!output) continue;
          const row = host.newRow();
          for (let k = 0; k < copyFrom.length; k++) row[copyTo[k]!] = p[copyFrom[k]!] ?? null;
          buffer.push(row);
          if (buffer.length >= host.bufferRows) { checkpoint(host.signal); await host.send(output, buffer); sent += buffer.length; buffer = []; }
        }
        if (output && buffer.length > 0) { await host.send(output, buffer); sent += buffer.length; }
        held = [];
        if (runs > 0) host.information(`"${c.name}" sorted ${received} rows in ${runs} runs spilled to disk; ${sent} rows sent.`);
      },
      async cleanup() { held = []; spill.remove(); },
    };
  },
};
