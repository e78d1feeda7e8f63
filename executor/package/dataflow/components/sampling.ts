/**
 * Percentage Sampling and Row Sampling, with `SamplingSeed` (0 or empty: a fresh random seed, as
 * SSIS without "use the following random seed"). Percentage Sampling picks each row with
 * probability `SamplingValue`% as it passes (so the count is approximate, as in SSIS); Row Sampling
 * is blocking and picks exactly `SamplingValue` rows (all rows when fewer arrive), keeping their
 * input order. Both send the rest to the unselected output. Same seed and input, same sample.
 */
import { randomInt } from 'node:crypto';
import type { ComponentHost, ComponentImplementation, Row } from '../component.ts';
import { intProp, outputsOf } from '../component.ts';
import type { PipelineOutput } from '../pipeline.ts';
import { lineageRef } from './data-conversion.ts';

/** mulberry32: a small, fast, seedable generator (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function outputsFor(host: ComponentHost) {
  const normal = outputsOf(host.component).normal;
  const selected = normal.find((o) => (o.properties.Selected ?? '').toLowerCase() === 'true') ?? normal.find((o) => /unselected/i.test(o.name) === false) ?? normal[0];
  const unselected = normal.find((o) => o !== selected);
  return { selected, unselected };
}

/** Rows for an output: the same arrays for a synchronous output, copies by lineage otherwise. */
function project(host: ComponentHost, output: PipelineOutput): (rows: Row[]) => Row[] {
  if (output.synchronousInputId !== '' || output.columns.length === 0) return (rows) => rows;
  const input = host.component.inputs[0]!;
  const pairs = output.columns.map((col) => {
    const ref = lineageRef(col.properties.InputColumnLineageID ?? col.properties.SourceInputColumnLineageID ?? '');
    const src = input.columns.find((i) => (ref !== '' && i.lineageId.toLowerCase() === ref.toLowerCase()) || i.name === col.name);
    return src ? [host.slot(src.lineageId), host.slot(col.lineageId)] as const : undefined;
  }).filter((x): x is readonly [number, number] => x !== undefined);
  return (rows) => rows.map((r) => { const row = host.newRow(); for (const [a, b] of pairs) row[b] = r[a] ?? null; return row; });
}

const seedOf = (host: ComponentHost) => { const s = intProp(host.component, 'SamplingSeed', 0); return s !== 0 ? s : randomInt(1, 2 ** 31); };

export const percentageSampling: ComponentImplementation = {
  kind: 'percentageSampling',
  validate(v) {
    const p = intProp(v.component, 'SamplingValue', -1);
    return p < 0 || p > 100 ? [{ path: v.component.path, severity: 'error', message: `the Percentage Sampling '${v.component.name}' has SamplingValue ${v.component.properties.SamplingValue ?? '(none)'}; 0-100 expected` }] : [];
  },
  create(host) {
    const { selected, unselected } = outputsFor(host);
    const percent = intProp(host.component, 'SamplingValue', 10);
    let random: () => number = () => 0;
    return {
      async prepare() { random = seededRandom(seedOf(host)); },
      async receive(_input, rows) {
        const yes: Row[] = [], no: Row[] = [];
        for (const r of rows) (random() * 100 < percent ? yes : no).push(r);
        if (selected) await host.send(selected, project(host, selected)(yes));
        if (unselected) await host.send(unselected, project(host, unselected)(no));
      },
    };
  },
};

export const rowSampling: ComponentImplementation = {
  kind: 'rowSampling',
  validate(v) {
    const n = intProp(v.component, 'SamplingValue', -1);
    return n < 0 ? [{ path: v.component.path, severity: 'error', message: `the Row Sampling '${v.component.name}' has SamplingValue ${v.component.properties.SamplingValue ?? '(none)'}; a row count of 0 or more expected` }] : [];
  },
  create(host) {
    const { selected, unselected } = outputsFor(host);
    const wanted = intProp(host.component, 'SamplingValue', 10);
    let held: Row[] = [];
    return {
      async receive(_input, rows) { for (const r of rows) held.push(r); },
      async finish() {
        const random = seededRandom(seedOf(host));
        // Partial Fisher-Yates over indexes: the first `wanted` positions are the sample.
        const idx = held.map((_, i) => i);
        const n = Math.min(wanted, idx.length);
        for (let i = 0; i < n; i++) { const j = i + Math.floor(random() * (idx.length - i)); [idx[i], idx[j]] = [idx[j]!, idx[i]!]; }
        const pick = new Set(idx.slice(0, n));
        const yes: Row[] = [], no: Row[] = [];
        held.forEach((r, i) => (pick.has(i) ? yes : no).push(r));
        held = [];
        for (const [o, rows] of [[selected, yes], [unselected, no]] as const) {
          if (!o) continue;
          const map = project(host, o);
          for (let i = 0; i < rows.length; i += host.bufferRows) await host.send(o, map(rows.slice(i, i + host.bufferRows)));
        }
      },
      async cleanup() { held = []; },
    };
  },
};
