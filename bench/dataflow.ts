/**
 * Data Flow throughput: N generated rows (default 5,000,000; `node --import tsx bench/dataflow.ts 1000000`)
 * through Flat File Source → Derived Column → Conditional Split → two Flat File Destinations in our
 * engine (in this process, as a worker thread runs it), beside (a) a hand-written csv-parse →
 * transform → csv-stringify stream pipeline doing the same work and (b) DuckDB's CSV COPY with the
 * same filter, on the same file in the same run. Prints rows/s and peak RSS for each, and the
 * engine's peak at N/5 rows to show memory does not grow with the row count.
 * Goal: ≥ 1.5× the hand-written pipeline and ≥ 0.5× DuckDB.
 * `npm run bench:dataflow` builds and runs `--built`.
 */
import { appendFileSync, createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { DuckDBInstance } from '@duckdb/node-api';
import { buildPackage } from '../tests/dataflow/builder.ts';

const args = process.argv.slice(2);
const N = Number(args.find((a) => !a.startsWith('--')) ?? 5_000_000);
// `--built`: run the engine from dist/ (`npm run build` first), the JavaScript production runs,
// instead of the TypeScript sources under tsx's loader.
const built = args.includes('--built');
const engineRoot = built ? '../dist/executor/package' : '../executor/package';
const ext = built ? 'js' : 'ts';
const { loadProjectFromParts } = await import(`${engineRoot}/load-project.${ext}`) as typeof import('../executor/package/load-project.ts');
const { runPackageWith } = await import(`${engineRoot}/run-package.${ext}`) as typeof import('../executor/package/run-package.ts');
const dir = mkdtempSync(join(tmpdir(), 'sso-bench-dataflow-'));
const input = join(dir, 'in.csv');

/** Writes the file 100,000 rows at a time, so generating it does not inflate the memory figures. */
function generate(rows: number, file: string): void {
  writeFileSync(file, 'Id,Name,Amount,Country\n');
  let chunk = '';
  const countries = ['FR', 'DE', 'US', 'JP', 'BR'];
  for (let i = 1; i <= rows; i++) {
    chunk += `${i},name${i % 9973},${(i * 37) % 1000}.${i % 100},${countries[i % 5]}\n`;
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

async function engine(file: string, tag: string): Promise<{ seconds: number; peakMb: number }> {
  const cols = ['Id', 'Name', 'Amount', 'Country'];
  const xml = buildPackage({
    flatFiles: [
      { name: 'In', path: file, header: true, codePage: 65001, rowDelimiter: '\n', columns: cols.map((n, i) => ({ name: n, delimiter: i === 3 ? '\n' : ',' })) },
      { name: 'Big', path: join(dir, `${tag}-engine-big.csv`), codePage: 65001, rowDelimiter: '\n', columns: ['Id', 'Label', 'Amount'].map((n, i) => ({ name: n, delimiter: i === 2 ? '\n' : ',' })) },
      { name: 'Small', path: join(dir, `${tag}-engine-small.csv`), codePage: 65001, rowDelimiter: '\n', columns: ['Id', 'Label', 'Amount'].map((n, i) => ({ name: n, delimiter: i === 2 ? '\n' : ',' })) },
    ],
    components: [
      { name: 'Src', classId: 'Microsoft.FlatFileSource', connection: 'In', outputs: [{ name: 'Out',
        external: cols.map((n) => ({ name: n, dataType: 'wstr', length: 50 })),
        columns: [{ name: 'Id', dataType: 'i4', ext: 'Id' }, { name: 'Name', dataType: 'wstr', length: 50, ext: 'Name' }, { name: 'Amount', dataType: 'r8', ext: 'Amount' }, { name: 'Country', dataType: 'wstr', length: 2, ext: 'Country' }] }] },
      { name: 'Derive', classId: 'Microsoft.DerivedColumn', inputs: [{ name: 'In', columns: [{ from: 'Src.Out.Name' }, { from: 'Src.Out.Country' }] }],
        outputs: [{ name: 'Out', syncWith: 'In', columns: [{ name: 'Label', dataType: 'wstr', length: 60, props: { FriendlyExpression: 'UPPER(Name) + "-" + Country' } }] }] },
      { name: 'Split', classId: 'Microsoft.ConditionalSplit', inputs: [{ name: 'In', columns: [{ from: 'Src.Out.Amount' }] }],
        outputs: [{ name: 'Big', syncWith: 'In', props: { FriendlyExpression: 'Amount >= 500', EvaluationOrder: '0' } }, { name: 'Small', syncWith: 'In', props: { IsDefaultOut: 'true' } }] },
      ...(['Big', 'Small'] as const).map((o) => ({ name: `${o} Out`, classId: 'Microsoft.FlatFileDestination', connection: o, inputs: [{ name: 'In',
        columns: [{ from: 'Src.Out.Id', ext: 'Id' }, { from: 'Derive.Out.Label', ext: 'Label' }, { from: 'Src.Out.Amount', ext: 'Amount' }],
        external: [{ name: 'Id', dataType: 'i4' }, { name: 'Label', dataType: 'wstr', length: 60 }, { name: 'Amount', dataType: 'r8' }] }] })),
    ],
    paths: [['Src.Out', 'Derive.In'], ['Derive.Out', 'Split.In'], ['Split.Big', 'Big Out.In'], ['Split.Small', 'Small Out.In']],
  });
  const project = loadProjectFromParts(new Map([['Bench.dtsx', new TextEncoder().encode(xml)]]), 'bench');
  const stop = sampler();
  const t0 = performance.now();
  const r = await runPackageWith({ executionId: 1, projectBytes: new Uint8Array(), packageName: 'Bench.dtsx', parameters: [{ objectType: 50, name: 'LOGGING_LEVEL', value: 1 }], propertyOverrides: [] },
    { emit: () => undefined }, new AbortController().signal, { project });
  const seconds = (performance.now() - t0) / 1000;
  const peakMb = stop() / 2 ** 20;
  if (r.outcome !== 'succeeded') throw new Error(`engine run failed: ${r.errors.join('; ')}`);
  return { seconds, peakMb };
}

async function handWritten(file: string): Promise<{ seconds: number; peakMb: number }> {
  const stop = sampler();
  const t0 = performance.now();
  const big = stringify();
  const small = stringify();
  const bigDone = pipeline(big, createWriteStream(join(dir, 'csv-big.csv')));
  const smallDone = pipeline(small, createWriteStream(join(dir, 'csv-small.csv')));
  await pipeline(createReadStream(file), parse({ from_line: 2 }), new Transform({
    objectMode: true,
    transform(rec: string[], _enc, cb) {
      const amount = Number(rec[2]);
      const out = [Number(rec[0]), `${rec[1]!.toUpperCase()}-${rec[3]}`, amount];
      const target = amount >= 500 ? big : small;
      if (target.write(out)) cb(); else target.once('drain', () => cb());
    },
    flush(cb) { big.end(); small.end(); cb(); },
  }));
  await Promise.all([bigDone, smallDone]);
  return { seconds: (performance.now() - t0) / 1000, peakMb: stop() / 2 ** 20 };
}

async function duck(file: string): Promise<{ seconds: number; peakMb: number }> {
  const stop = sampler();
  const t0 = performance.now();
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const src = `read_csv('${file}', header = true, columns = {'Id': 'INTEGER', 'Name': 'VARCHAR', 'Amount': 'DOUBLE', 'Country': 'VARCHAR'})`;
  await c.run(`CREATE TEMP VIEW v AS SELECT Id, upper(Name) || '-' || Country AS Label, Amount FROM ${src}`);
  await c.run(`COPY (SELECT * FROM v WHERE Amount >= 500) TO '${join(dir, 'duck-big.csv')}' (HEADER false)`);
  await c.run(`COPY (SELECT * FROM v WHERE NOT (Amount >= 500)) TO '${join(dir, 'duck-small.csv')}' (HEADER false)`);
  c.closeSync();
  db.closeSync();
  return { seconds: (performance.now() - t0) / 1000, peakMb: stop() / 2 ** 20 };
}

try {
  generate(N, input);
  const small = join(dir, 'in-small.csv');
  generate(Math.floor(N / 5), small);
  process.stdout.write(`Data flow benchmark: ${N.toLocaleString('en-US')} rows (${(statSync(input).size / 2 ** 20).toFixed(0)} MB CSV) on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}${process.execArgv.some((x) => x.startsWith('--max-semi')) ? ` (${process.execArgv.filter((x) => x.startsWith('--max-semi')).join(' ')})` : ''}${built ? ', engine from dist/' : ', engine under tsx'}\n`);
  if (process.env.BENCH_ENGINE_ONLY) {
    const at = performance.now();
    const e = await engine(input, 'full');
    if (process.env.BENCH_ENGINE_ONLY === 'trace') process.stdout.write(`  engine ran from ${at.toFixed(0)} ms to ${performance.now().toFixed(0)} ms\n`);
    process.stdout.write(`  engine${built ? ' (built)' : ''}: ${(N / e.seconds / 1000).toFixed(0)} k rows/s, ${e.seconds.toFixed(1)} s, peak RSS ${e.peakMb.toFixed(0)} MB\n`);
    process.exit(0);
  }
  const eSmall = await engine(small, 'small');
  const e = await engine(input, 'full');
  const h = await handWritten(input);
  const d = await duck(input);
  const line = (name: string, r: { seconds: number; peakMb: number }) =>
    process.stdout.write(`  ${name.padEnd(44)} ${(N / r.seconds / 1000).toFixed(0).padStart(6)} k rows/s  ${r.seconds.toFixed(1).padStart(6)} s  peak RSS ${r.peakMb.toFixed(0)} MB\n`);
  line('scaleout data flow engine', e);
  line('csv-parse → transform → csv-stringify', h);
  line('DuckDB COPY (@duckdb/node-api)', d);
  process.stdout.write(`  engine at ${(N / 5).toLocaleString('en-US')} rows: peak RSS ${eSmall.peakMb.toFixed(0)} MB (vs ${e.peakMb.toFixed(0)} MB at ${N.toLocaleString('en-US')})\n`);
  const vsHand = h.seconds / e.seconds, vsDuck = d.seconds / e.seconds;
  process.stdout.write(`  engine / hand-written: ${vsHand.toFixed(2)}× (goal ≥ 1.5×: ${vsHand >= 1.5 ? 'met' : 'NOT met'}); engine / DuckDB: ${vsDuck.toFixed(2)}× (goal ≥ 0.5×: ${vsDuck >= 0.5 ? 'met' : 'NOT met'})\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
