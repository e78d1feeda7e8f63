/**
 * Aggregate: a blocking transformation with one or more outputs, each grouping independently.
 * Output columns carry `AggregationType` (0 group by, 1 count, 2 count all, 3 count distinct,
 * 4 sum, 5 average, 6 minimum, 7 maximum), `AggregationColumnId` (the input lineage) and
 * `AggregationComparisonFlags` (text grouping and count distinct, as the Sort's flags). As SSIS:
 * NULLs form one group, Count and Count distinct skip NULLs, Count all counts rows, Sum/Avg/Min/Max
 * of only NULLs are NULL; an output without group-by columns returns one row also for an empty input.
 * Sums of integers are exact (bigint), of decimals exact, of floats in double; the result is cast
 * to the output column's type. `Keys`, `KeyScale`, `CountDistinctKeys`, `CountDistinctScale` and
 * `AutoExtendFactor` are SSIS's sizing hints: accepted, not needed.
 *
 * Memory: groups are held in memory; past `MaxRowsInMemory` groups per output (our extension, see
 * `ordering.ts`) or a heap above the bound, the component stops with an error naming it and the
 * group count instead of exhausting the worker's heap.
 */
import type { ComponentImplementation, Row } from '../component.ts';
import { ComponentFailure, outputsOf } from '../component.ts';
import type { PipelineOutput } from '../pipeline.ts';
import type { Cell } from '../types.ts';
import { convertCell } from '../types.ts';
import type { SsisDecimal, SsisType } from '../../expressions/types.ts';
import { INTEGER_TYPES, T } from '../../expressions/types.ts';
import { rescale } from '../../expressions/decimal.ts';
import { COMPARE_IGNORE_CASE, COMPARE_IGNORE_KANA, COMPARE_IGNORE_NONSPACE, COMPARE_IGNORE_WIDTH, compareValues, heapIsFull, maxRowsInMemory, stringComparer } from '../ordering.ts';
import { keyPart } from './lookup.ts';
import { lineageRef } from './data-conversion.ts';

const AGG_NAMES = ['group by', 'count', 'count all', 'count distinct', 'sum', 'average', 'minimum', 'maximum'];

/** A grouping key part equal exactly when SSIS's comparison with `flags` is. */
function groupPart(v: Cell, flags: number): string {
  if (v === null) return '\u0001';
  if (typeof v === 'string' && flags !== 0) {
    let t = v;
    if (flags & COMPARE_IGNORE_WIDTH) t = t.normalize('NFKC');
    if (flags & COMPARE_IGNORE_KANA) t = t.replace(/[\u30a1-\u30f6]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0x60));
    if (flags & COMPARE_IGNORE_NONSPACE) t = t.normalize('NFD').replace(/\p{Mn}/gu, '');
    if (flags & COMPARE_IGNORE_CASE) t = t.toLocaleLowerCase('en-US');
    return `s${t}`;
  }
  return keyPart(v)!;
}

interface Agg { type: number; slot: number; inType: SsisType; outType: SsisType; outSlot: number; flags: number; column: string }
type State = { count: number; sum: Cell; distinct?: Set<string>; best: Cell; first: Cell };

function addValues(a: Cell, b: Exclude<Cell, null>): Cell {
  if (a === null) return typeof b === 'number' && Number.isInteger(b) && typeof b !== 'bigint' ? b : b;
  if (typeof a === 'bigint' || typeof b === 'bigint') return BigInt(a as number | bigint) + BigInt(b as number | bigint);
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (typeof a === 'object' && typeof b === 'object' && a && 'unscaled' in a && 'unscaled' in b) {
    const x = a as SsisDecimal, y = b as SsisDecimal;
    const s = Math.max(x.scale, y.scale);
    return { unscaled: rescale(x, s).unscaled + rescale(y, s).unscaled, scale: s } as SsisDecimal;
  }
  throw new Error(`cannot add values of this type (${typeof b})`);
}

export const aggregate: ComponentImplementation = {
  kind: 'aggregate',
  validate(v) {
    const c = v.component;
    const problems = [];
    for (const o of outputsOf(c).normal) for (const col of o.columns) {
      const t = Number(col.properties.AggregationType ?? 0);
      if (!Number.isInteger(t) || t < 0 || t > 7) problems.push({ path: c.path, severity: 'error' as const, message: `output '${o.name}' column '${col.name}' has AggregationType ${col.properties.AggregationType}; 0-7 expected` });
      else if (t !== 2 && lineageRef(col.properties.AggregationColumnId) === '') problems.push({ path: c.path, severity: 'error' as const, message: `output '${o.name}' column '${col.name}' (${AGG_NAMES[t]}) names no input column (AggregationColumnId)` });
    }
    return problems;
  },
  create(host) {
    const c = host.component;
    const input = c.inputs[0]!;
    const limit = maxRowsInMemory(c);
    const plans = outputsOf(c).normal.map((o: PipelineOutput) => {
      const groups: Agg[] = [];
      const aggs: Agg[] = [];
      for (const col of o.columns) {
        const type = Number(col.properties.AggregationType ?? 0);
        const ref = lineageRef(col.properties.AggregationColumnId);
        const inCol = input.columns.find((x) => x.lineageId.toLowerCase() === ref.toLowerCase() || x.id === ref);
        const lineage = inCol?.lineageId ?? ref;
        const a: Agg = {
          type, slot: type === 2 && lineage === '' ? -1 : host.slot(lineage), inType: inCol?.type ?? host.lineageType(lineage) ?? T.wstr(4000),
          outType: col.type ?? T.R8, outSlot: host.slot(col.lineageId), flags: Number(col.properties.AggregationComparisonFlags ?? 0) || 0, column: col.name,
        };
        (type === 0 ? groups : aggs).push(a);
      }
      return { output: o, groups, aggs, table: new Map<string, { keys: Cell[]; states: State[] }>() };
    });
    let rowNumber = 0;
    const newStates = (aggs: Agg[]): State[] => aggs.map((a) => ({ count: 0, sum: null, best: null, first: null, ...(a.type === 3 ? { distinct: new Set<string>() } : {}) }));
    const strings = new Map<number, (a: string, b: string) => number>();
    const cmpFor = (flags: number) => { let s = strings.get(flags); if (!s) { s = stringComparer(flags); strings.set(flags, s); } return s; };

    return {
      async receive(_input, rows) {
        for (const plan of plans) {
          for (const row of rows) {
            let key = '';
            for (const g of plan.groups) key += groupPart(row[g.slot] ?? null, g.flags) + '\u0000';
            let entry = plan.table.get(key);
            if (!entry) {
              entry = { keys: plan.groups.map((g) => row[g.slot] ?? null), states: newStates(plan.aggs) };
              plan.table.set(key, entry);
            }
            for (let i = 0; i < plan.aggs.length; i++) {
              const a = plan.aggs[i]!, s = entry.states[i]!;
              if (a.type === 2) { s.count++; continue; }
              const v = row[a.slot] ?? null;
              if (v === null) continue;
              s.count++;
              switch (a.type) {
                case 3: s.distinct!.add(groupPart(v, a.flags)); break;
                case 4: case 5:
                  try { s.sum = addValues(s.sum, INTEGER_TYPES[a.inType.name] && typeof v === 'number' ? BigInt(v) : v); } catch (err) {
                    throw new ComponentFailure(`${c.path}: row ${rowNumber + 1} column "${a.column}": ${(err as Error).message}`);
                  }
                  break;
                case 6: if (s.best === null || compareValues(v, s.best, cmpFor(a.flags)) < 0) s.best = v; break;
                case 7: if (s.best === null || compareValues(v, s.best, cmpFor(a.flags)) > 0) s.best = v; break;
              }
            }
          }
          if (plan.table.size > limit) throw new ComponentFailure(`${c.path}: the Aggregate holds ${plan.table.size} groups for output '${plan.output.name}', more than its memory allows (MaxRowsInMemory ${limit}); aggregate in the source query or raise MaxRowsInMemory`);
        }
        rowNumber += rows.length;
        if (heapIsFull()) throw new ComponentFailure(`${c.path}: the Aggregate stopped after ${rowNumber} rows: the worker's memory is nearly exhausted by its ${plans.map((p) => p.table.size).join('+')} groups; aggregate in the source query or give the worker more memory`);
      },
      async finish() {
        for (const plan of plans) {
          if (plan.table.size === 0 && plan.groups.length === 0) plan.table.set('', { keys: [], states: newStates(plan.aggs) });
          if (!host.isAttached(plan.output)) continue;
          let buffer: Row[] = [];
          for (const { keys, states } of plan.table.values()) {
            const row = host.newRow();
            plan.groups.forEach((g, i) => { row[g.outSlot] = keys[i] ?? null; });
            plan.aggs.forEach((a, i) => {
              const s = states[i]!;
              let value: Cell, from: SsisType = a.inType;
              switch (a.type) {
                case 1: case 2: value = BigInt(s.count); from = T.UI8; break;
                case 3: value = BigInt(s.distinct!.size); from = T.UI8; break;
                case 4: value = s.sum; if (typeof s.sum === 'bigint') from = T.I8; break;
                case 5:
                  if (s.sum === null || s.count === 0) { value = null; break; }
                  if (typeof s.sum === 'object' && 'unscaled' in s.sum) {
                    const d = s.sum as SsisDecimal, scale = Math.max(d.scale, 6);
                    value = { unscaled: rescale(d, scale).unscaled / BigInt(s.count), scale } as SsisDecimal;
                    from = T.numeric(38, scale);
                  } else { value = Number(s.sum) / s.count; from = T.R8; }
                  break;
                default: value = s.best;
              }
              try { row[a.outSlot] = convertCell(value, from, a.outType); } catch (err) {
                throw new ComponentFailure(`${c.path}: output '${plan.output.name}' column "${a.column}": the ${AGG_NAMES[a.type]} does not fit the column's type: ${(err as Error).message}`);
              }
            });
            buffer.push(row);
            if (buffer.length >= host.bufferRows) { await host.send(plan.output, buffer); buffer = []; }
          }
          if (buffer.length > 0) await host.send(plan.output, buffer);
        }
      },
      async cleanup() { for (const p of plans) p.table.clear(); },
    };
  },
};
