/**
 * Merge Join: joins two sorted inputs on their first `NumKeyColumns` sort keys. `JoinType` 0 full
 * outer, 1 left outer, 2 inner; output columns take the input column named by `InputColumnID`
 * (NULL when that side has no match). Key groups are joined as soon as both inputs have passed
 * them, so the component never waits for one input while the other is blocked (a Multicast feeding
 * both sides works); `MaxBuffersPerInput` is accepted as SSIS's hint and not enforced.
 *
 * NULL keys: with `TreatNullsAsEqual` (the default) NULL equals NULL, as in SSIS; without it a row
 * with a NULL key part matches nothing (it still appears in outer joins). NULL sorts first.
 * Unsorted inputs are a validation error, as SSIS's "IsSorted property must be set to True".
 */
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentHost, ComponentImplementation, Row } from '../component.ts';
import { boolProp, ComponentFailure, intProp, outputsOf } from '../component.ts';
import type { PipelineColumn, PipelineComponent, PipelineDef, PipelineInput } from '../pipeline.ts';
import { comparisonFlagsOf, inputSortPosition, rowComparer, sortedInputProblem } from '../ordering.ts';
import type { Cell } from '../types.ts';
import { lineageRef } from './data-conversion.ts';

/** The sort key columns of an input, in key order. */
export function sortedKeys(p: PipelineDef, input: PipelineInput): PipelineColumn[] {
  return input.columns
    .map((col) => ({ col, pos: inputSortPosition(p, input, col) }))
    .filter((x) => x.pos !== 0)
    .sort((a, b) => Math.abs(a.pos) - Math.abs(b.pos))
    .map((x) => x.col);
}

export function leftAndRight(c: PipelineComponent): [PipelineInput, PipelineInput] {
  const left = c.inputs.find((i) => /left/i.test(i.name)) ?? c.inputs[0]!;
  const right = c.inputs.find((i) => i !== left && /right/i.test(i.name)) ?? c.inputs.find((i) => i !== left)!;
  return [left, right];
}

/** Key extraction and comparison for one side: keys[i] of both sides compare with the left's flags. */
function keyReader(host: ComponentHost, cols: readonly PipelineColumn[], flagsFrom: readonly PipelineColumn[]) {
  const slots = cols.map((col) => host.slot(col.lineageId));
  const descending = cols.map((col) => inputSortPosition(host.pipeline, host.component.inputs.find((i) => i.columns.includes(col))!, col) < 0);
  return { slots, descending, flags: flagsFrom.map((f) => comparisonFlagsOf(f)) };
}

export const mergeJoin: ComponentImplementation = {
  kind: 'mergeJoin',
  validate(v) {
    const c = v.component;
    if (c.inputs.length !== 2) return [{ path: c.path, severity: 'error', message: `the Merge Join '${c.name}' needs two inputs, it has ${c.inputs.length}` }];
    const keys = intProp(c, 'NumKeyColumns', 1);
    const problems = [];
    if (keys < 1) problems.push({ path: c.path, severity: 'error' as const, message: `the Merge Join '${c.name}' has NumKeyColumns ${keys}; at least 1 is needed` });
    for (const input of c.inputs) {
      const m = sortedInputProblem(v.pipeline, c, input, keys);
      if (m) problems.push({ path: c.path, severity: 'error' as const, message: m });
    }
    const jt = intProp(c, 'JoinType', 2);
    if (jt < 0 || jt > 2) problems.push({ path: c.path, severity: 'error' as const, message: `the Merge Join '${c.name}' has JoinType ${jt}; 0 (full), 1 (left) or 2 (inner) expected` });
    return problems;
  },
  create(host) {
    const c = host.component;
    const [left, right] = leftAndRight(c);
    const output = outputsOf(c).normal[0];
    const joinType = intProp(c, 'JoinType', 2);
    const nullsEqual = boolProp(c, 'TreatNullsAsEqual', true);
    const n = intProp(c, 'NumKeyColumns', 1);
    const lk = sortedKeys(host.pipeline, left).slice(0, n);
    const rk = sortedKeys(host.pipeline, right).slice(0, n);
    if (lk.length < n || rk.length < n) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: the inputs have fewer than ${n} sort key columns (NumKeyColumns)`);
    const L = keyReader(host, lk, lk), R = keyReader(host, rk, lk);
    // Compare rows as [key parts...] tuples.
    const cmp = rowComparer(lk.map((_, i) => ({ index: i, descending: L.descending[i]!, flags: L.flags[i]! })));
    const keyOf = (row: Row, slots: readonly number[]): Cell[] => slots.map((s) => row[s] ?? null);
    const hasNull = (k: readonly Cell[]) => k.some((x) => x === null);
    const copies: { side: 'l' | 'r'; from: number; to: number }[] = [];
    for (const col of output?.columns ?? []) {
      const ref = lineageRef(col.properties.InputColumnID).toLowerCase();
      for (const [side, input] of [['l', left], ['r', right]] as const) {
        const ic = input.columns.find((x) => x.id.toLowerCase() === ref || x.lineageId.toLowerCase() === ref);
        if (ic) copies.push({ side, from: host.slot(ic.lineageId), to: host.slot(col.lineageId) });
      }
    }
    const queues = { l: [] as { row: Row; key: Cell[] }[], r: [] as { row: Row; key: Cell[] }[] };
    const done = { l: false, r: false };
    let sent = 0;

    const emit = (out: Row[], l: Row | undefined, r: Row | undefined) => {
      const row = host.newRow();
      for (const cp of copies) { const src = cp.side === 'l' ? l : r; row[cp.to] = src ? (src[cp.from] ?? null) : null; }
      out.push(row);
    };

    /** Joins every key group both inputs have passed (all of it once both are done). */
    const drain = async () => {
      const bounds: Cell[][] = [];
      if (!done.l) { if (queues.l.length === 0) return; bounds.push(queues.l[queues.l.length - 1]!.key); }
      if (!done.r) { if (queues.r.length === 0) return; bounds.push(queues.r[queues.r.length - 1]!.key); }
      const bound = bounds.length === 0 ? undefined : bounds.reduce((a, b) => (cmp(a, b) <= 0 ? a : b));
      const ready = (k: Cell[]) => bound === undefined || cmp(k, bound) < 0;
      const out: Row[] = [];
      let i = 0, j = 0;
      const Lq = queues.l, Rq = queues.r;
      for (;;) {
        const a = i < Lq.length && ready(Lq[i]!.key) ? Lq[i]! : undefined;
        const b = j < Rq.length && ready(Rq[j]!.key) ? Rq[j]! : undefined;
        if (!a && !b) break;
        const r = a && b ? cmp(a.key, b.key) : a ? -1 : 1;
        if (r < 0 || (r === 0 && !nullsEqual && hasNull(a!.key))) {
          // A left row without a partner (a NULL key part never matches without TreatNullsAsEqual).
          if (joinType !== 2) emit(out, a!.row, undefined);
          i++;
          if (r === 0) { if (joinType === 0) emit(out, undefined, b!.row); j++; }
          continue;
        }
        if (r > 0) { if (joinType === 0) emit(out, undefined, b!.row); j++; continue; }
        let i2 = i; while (i2 < Lq.length && ready(Lq[i2]!.key) && cmp(Lq[i2]!.key, a!.key) === 0) i2++;
        let j2 = j; while (j2 < Rq.length && ready(Rq[j2]!.key) && cmp(Rq[j2]!.key, a!.key) === 0) j2++;
        for (let x = i; x < i2; x++) for (let y = j; y < j2; y++) emit(out, Lq[x]!.row, Rq[y]!.row);
        i = i2; j = j2;
        if (out.length >= host.bufferRows && output) { sent += out.length; await host.send(output, out.splice(0, out.length)); }
      }
      Lq.splice(0, i);
      Rq.splice(0, j);
      if (out.length > 0 && output) { sent += out.length; await host.send(output, out); }
    };

    return {
      async receive(input, rows) {
        const side = input === left || input.id === left.id ? 'l' : 'r';
        const slots = side === 'l' ? L.slots : R.slots;
        const q = queues[side];
        for (const row of rows) {
          const key = keyOf(row, slots);
          const last = q[q.length - 1];
          if (last && cmp(last.key, key) > 0) {
            throw new ComponentFailure(`${c.path}: the input '${input.name}' is not sorted on its key columns as IsSorted claims (a row with key ${JSON.stringify(key, (_, v) => (typeof v === 'bigint' ? String(v) : v))} follows a greater key); sort it with a Sort or an ORDER BY matching SortKeyPosition`);
          }
          q.push({ row, key });
        }
        await drain();
      },
      async inputDone(input) {
        done[input === left || input.id === left.id ? 'l' : 'r'] = true;
        await drain();
      },
      async finish() {
        done.l = true; done.r = true;
        await drain();
        host.information(`"${c.name}" joined ${sent} rows.`);
      },
    };
  },
};
