/**
 * Merge: interleaves two sorted inputs into one sorted output. Input columns name their output
 * column by `OutputColumnLineageID` (as Union All); rows are ordered by the inputs' sort keys and,
 * on equal keys, the first input's rows come first. Rows are passed on as soon as both inputs have
 * gone past their key, so neither input waits on the other. Unsorted inputs are a validation error.
 */
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentImplementation, Row } from '../component.ts';
import { ComponentFailure, outputsOf } from '../component.ts';
import type { PipelineInput } from '../pipeline.ts';
import { comparisonFlagsOf, inputSortPosition, rowComparer, sortedInputProblem } from '../ordering.ts';
import type { Cell } from '../types.ts';
import { lineageRef } from './data-conversion.ts';
import { sortedKeys } from './merge-join.ts';

export const merge: ComponentImplementation = {
  kind: 'merge',
  validate(v) {
    const c = v.component;
    if (c.inputs.length !== 2) return [{ path: c.path, severity: 'error', message: `the Merge '${c.name}' needs two inputs, it has ${c.inputs.length}` }];
    return c.inputs.map((i) => sortedInputProblem(v.pipeline, c, i, 1)).filter((m): m is string => m !== undefined).map((message) => ({ path: c.path, severity: 'error' as const, message }));
  },
  create(host) {
    const c = host.component;
    const output = outputsOf(c).normal[0];
    const [first, second] = [c.inputs[0]!, c.inputs[1]!];
    const keys0 = sortedKeys(host.pipeline, first);
    const keys1 = sortedKeys(host.pipeline, second);
    const n = Math.min(keys0.length, keys1.length);
    if (n === 0) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: the Merge inputs have no sort key columns`);
    const cmp = rowComparer(keys0.slice(0, n).map((col, i) => ({ index: i, descending: inputSortPosition(host.pipeline, first, col) < 0, flags: comparisonFlagsOf(col) })));
    const side = (input: PipelineInput, keys: typeof keys0) => {
      const maps: [number, number][] = [];
      for (const col of input.columns) {
        const target = lineageRef(col.properties.OutputColumnLineageID).toLowerCase();
        const o = output?.columns.find((x) => x.lineageId.toLowerCase() === target || x.id.toLowerCase() === target);
        if (o) maps.push([host.slot(col.lineageId), host.slot(o.lineageId)]);
      }
      return { maps, keySlots: keys.slice(0, n).map((k) => host.slot(k.lineageId)), queue: [] as { row: Row; key: Cell[] }[], done: false };
    };
    const sides = [side(first, keys0), side(second, keys1)] as const;
    const drain = async () => {
      const bounds = sides.filter((s) => !s.done).map((s) => s.queue[s.queue.length - 1]?.key);
      if (bounds.some((b) => b === undefined)) return;
      const bound = bounds.length === 0 ? undefined : (bounds as Cell[][]).reduce((a, b) => (cmp(a, b) <= 0 ? a : b));
      const ready = (k: Cell[]) => bound === undefined || cmp(k, bound) < 0;
      const out: Row[] = [];
      const at = [0, 0];
      for (;;) {
        const a = at[0]! < sides[0].queue.length && ready(sides[0].queue[at[0]!]!.key) ? sides[0].queue[at[0]!] : undefined;
        const b = at[1]! < sides[1].queue.length && ready(sides[1].queue[at[1]!]!.key) ? sides[1].queue[at[1]!] : undefined;
        if (!a && !b) break;
        const k = a && (!b || cmp(a.key, b.key) <= 0) ? 0 : 1;
        const src = (k === 0 ? a : b)!.row;
        const row = host.newRow();
        for (const [from, to] of sides[k].maps) row[to] = src[from] ?? null;
        out.push(row);
        at[k]!++;
      }
      sides[0].queue.splice(0, at[0]);
      sides[1].queue.splice(0, at[1]);
      if (output && out.length > 0) await host.send(output, out);
    };
    return {
      async receive(input, rows) {
        const s = input.id === first.id ? sides[0] : sides[1];
        for (const row of rows) {
          const key = s.keySlots.map((x) => row[x] ?? null);
          const last = s.queue[s.queue.length - 1];
          if (last && cmp(last.key, key) > 0) throw new ComponentFailure(`${c.path}: the input '${input.name}' is not sorted on its key columns as IsSorted claims`);
          s.queue.push({ row, key });
        }
        await drain();
      },
      async inputDone(input) { (input.id === first.id ? sides[0] : sides[1]).done = true; await drain(); },
      async finish() { sides[0].done = true; sides[1].done = true; await drain(); },
    };
  },
};
