/**
 * Sort and Aggregate throughput (issue 12): N generated rows (default 5,000,000;
 * `node --import tsx bench/dataflow-sort-aggregate.ts 1000000`) read by a Flat File Source and
 * (1) counted only (the source's own cost), (2) sorted on Country ascending, Amount descending,
 * (3) aggregated by Name (9,973 groups: count, sum, average, max) — each ending in a Row Count —
 * beside DuckDB's ORDER BY and GROUP BY over the same CSV into a temporary table. Prints rows/s,
 * seconds and peak RSS. Goal: Sort and Aggregate within 4× of DuckDB's time.
 * A separate file from bench/dataflow.ts so the two benchmarks merge without conflicts.
 */
import { appendFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ComponentSpec } from '../tests/dataflow/builder.ts';
import { buildPackage, lineageOf } from '../tests/dataflow/builder.ts';

const args = process.argv.slice(2);
const N = Number(args.find((a) => !a.startsWith('--')) ?? 5_000_000);
// `--built`: run the engine from dist/ (`npm run build` first), the JavaScript production runs.
const built = args.includes('--built');
const engineRoot = built ? '../dist/executor/package' : '../executor/package';
const ext = built ? 'js' : 'ts';
const { loadProjectFromParts } = await import(`${engineRoot}/load-project.${ext}`) as typeof import('../executor/package/load-project.ts');
const { runPackageWith } = await import(`${engineRoot}/run-package.${ext}`) as typeof import('../executor/package/run-package.ts');
const dir = mkdtempSync(join(tmpdir(), 'sso-bench-sortagg-'));
const input = join(dir, 'in.csv');

function generate(rows: number, file: string): void {
  writeFileSync(file, 'Id,Name,Amount,Country\n');
  let chunk = '';
  const countries = ['FR', 'DE', 'US', 'JP', 'BR'];
  for (let i = 1; i <= rows; i++) {
    chunk += `${i},name${(i * 7919) % 9973},${(i * 37) % 1000}.${i % 100},${countries[(i * 13) % 5]}\n`;
    if (i % 100_000 === 0) { appendFileSync(file, chunk); chunk = ''; }
  }
  appendFileSync(file, chunk);
}

let peak = 0;
function sampler(): () => number {
  peak = process.memoryUsage().rss;
  const t = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  return () => { clearInterval(t); return Math.max(peak, process.memoryUsage().rss); };
}

const cols = ['Id', 'Name', 'Amount', 'Country'];
const types: Record<string, { dataType: string; length?: number }> = { Id: { dataType: 'i4' }, Name: { dataType: 'wstr', length: 20 }, Amount: { dataType: 'r8' }, Country: { dataType: 'wstr', length: 2 } };
const ref = (spec: string) => `#{${lineageOf(spec)}}`;

function middle(kind: 'count' | 'sort' | 'aggregate'): { comps: ComponentSpec[]; last: string } {
  if (kind === 'count') return { comps: [], last: 'Src.Out' };
  if (kind === 'sort') {
    const keys: Record<string, number> = { Country: 1, Amount: -2 };
    return { last: 'Sort.Out', comps: [{ name: 'Sort', classId: 'Microsoft.Sort', props: { EliminateDuplicates: 'false' },
      inputs: [{ name: 'In', columns: cols.map((c) => ({ from: `Src.Out.${c}`, props: { NewSortKeyPosition: String(keys[c] ?? 0), NewComparisonFlags: '0' } })) }],
      outputs: [{ name: 'Out', sorted: true, columns: cols.map((c) => ({ name: c, ...types[c]!, props: { SortColumnId: ref(`Src.Out.${c}`) } })) }] }] };
  }
  const agg = (name: string, type: number, src: string | undefined, dataType: string, length?: number) => ({ name, dataType, ...(length ? { length } : {}), props: { AggregationType: String(type), ...(src ? { AggregationColumnId: ref(`Src.Out.${src}`) } : {}) } });
  return { last: 'Agg.Out', comps: [{ name: 'Agg', classId: 'Microsoft.Aggregate', inputs: [{ name: 'In', columns: cols.map((c) => ({ from: `Src.Out.${c}` })) }],
    outputs: [{ name: 'Out', columns: [agg('Name', 0, 'Name', 'wstr', 20), agg('N', 2, undefined, 'ui8'), agg('Total', 4, 'Amount', 'r8'), agg('Mean', 5, 'Amount', 'r8'), agg('Top', 7, 'Amount', 'r8')] }] }] };
}

async function engine(kind: 'count' | 'sort' | 'aggregate'): Promise<{ seconds: number; peakMb: number }> {
  const { comps, last } = middle(kind);
  const xml = buildPackage({
    flatFiles: [{ name: 'In', path: input, header: true, codePage: 65001, rowDelimiter: '\n', columns: cols.map((n, i) => ({ name: n, delimiter: i === 3 ? '\n' : ',' })) }],
    variables: [{ name: 'Rows', dataType: 3, value: '0' }],
    components: [
      { name: 'Src', classId: 'Microsoft.FlatFileSource', connection: 'In', outputs: [{ name: 'Out', external: cols.map((n) => ({ name: n, dataType: 'wstr', length: 50 })), columns: cols.map((c) => ({ name: c, ...types[c]!, ext: c })) }] },
      ...comps,
      { name: 'Count', classId: 'Microsoft.RowCount', props: { VariableName: 'User::Rows' }, inputs: [{ name: 'In' }], outputs: [{ name: 'Out', syncWith: 'In' }] },
    ],
    paths: [...(comps.length > 0 ? [['Src.Out', `${comps[0]!.name}.In`] as [string, string]] : []), [last, 'Count.In']],
  });
  const project = loadProjectFromParts(new Map([['Bench.dtsx', new TextEncoder().encode(xml)]]), 'bench');
  const stop = sampler();
  const t0 = performance.now();
  const r = await runPackageWith({ executionId: 1, projectBytes: new Uint8Array(), packageName: 'Bench.dtsx', parameters: [{ objectType: 50, name: 'LOGGING_LEVEL', value: 1 }], propertyOverrides: [] },
    { emit: () => undefined }, new AbortController().signal, { project });
  const seconds = (performance.now() - t0) / 1000;
  if (r.outcome !== 'succeeded') throw new Error(`engine ${kind} run failed: ${r.errors.join('; ')}`);
  return { seconds, peakMb: stop() / 2 ** 20 };
}

async function duck(kind: 'sort' | 'aggregate'): Promise<{ seconds: number; peakMb: number }> {
  const stop = sampler();
  const t0 = performance.now();
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const src = `read_csv('${input}', header = true, columns = {'Id': 'INTEGER', 'Name': 'VARCHAR', 'Amount': 'DOUBLE', 'Country': 'VARCHAR'})`;
  if (kind === 'sort') await c.run(`CREATE TEMP TABLE s AS SELECT * FROM ${src} ORDER BY Country, Amount DESC`);
  else await c.run(`CREATE TEMP TABLE a AS SELECT Name, count(*) AS N, sum(Amount) AS Total, avg(Amount) AS Mean, max(Amount) AS Top FROM ${src} GROUP BY Name`);
  c.closeSync();
  db.closeSync();
  return { seconds: (performance.now() - t0) / 1000, peakMb: stop() / 2 ** 20 };
}

try {
  generate(N, input);
  process.stdout.write(`Sort / Aggregate benchmark: ${N.toLocaleString('en-US')} rows (${(statSync(input).size / 2 ** 20).toFixed(0)} MB CSV) on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}${process.execArgv.some((x) => x.startsWith('--max-semi')) ? ` (${process.execArgv.filter((x) => x.startsWith('--max-semi')).join(' ')})` : ''}${built ? ', engine from dist/' : ', engine under tsx'}\n`);
  const line = (name: string, r: { seconds: number; peakMb: number }) =>
    process.stdout.write(`  ${name.padEnd(44)} ${(N / r.seconds / 1000).toFixed(0).padStart(6)} k rows/s  ${r.seconds.toFixed(1).padStart(6)} s  peak RSS ${r.peakMb.toFixed(0)} MB\n`);
  if (process.env.BENCH_ONLY) { line(`engine: ${process.env.BENCH_ONLY}`, await engine(process.env.BENCH_ONLY as 'sort')); process.exit(0); }
  const base = await engine('count');
  line('engine: Flat File Source → Row Count', base);
  const s = await engine('sort');
  line('engine: … → Sort (2 keys) → Row Count', s);
  const ds = await duck('sort');
  line('DuckDB: ORDER BY (2 keys) into a table', ds);
  const a = await engine('aggregate');
  line('engine: … → Aggregate (9,973 groups)', a);
  const da = await duck('aggregate');
  line('DuckDB: GROUP BY into a table', da);
  const verdict = (ours: number, theirs: number) => `${(ours / theirs).toFixed(1)}× DuckDB's time (goal ≤ 4×: ${ours / theirs <= 4 ? 'met' : 'NOT met'})`;
  process.stdout.write(`  Sort: ${verdict(s.seconds, ds.seconds)}; Aggregate: ${verdict(a.seconds, da.seconds)}; of which reading the CSV: ${base.seconds.toFixed(1)} s\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
