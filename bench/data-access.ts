/**
 * Data flow I/O benchmark: rows per second through the modules the data flow's sources and
 * destinations use, on one generated table of N rows (int, text, decimal, date): the SQLite table
 * writer (batched INSERTs in one transaction) and reader (batches from the statement iterator), the
 * raw file writer and reader, and the Excel sheet writer and reader. Prints figures; asserts nothing.
 *   node --import tsx bench/data-access.ts [--rows 200000] [--excel-rows 20000]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { databaseProvider } from '../executor/package/connections/factory.ts';
import { openRawFileReader, openRawFileWriter } from '../executor/package/connections/raw-file.ts';
import type { RawColumn } from '../executor/package/connections/raw-file.ts';
import { openExcelReader, writeExcelSheet } from '../executor/package/connections/excel-workbook.ts';
import { T } from '../executor/package/expressions/types.ts';
import { intArg } from './bench-cli.ts';

const ROWS = intArg('rows', 200_000, 1);
const EXCEL_ROWS = intArg('excel-rows', 20_000, 1);
const BATCH = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'scaleout-bench-io-'));

const row = (i: number): unknown[] => [i, `customer ${i}`, { unscaled: BigInt(i * 7), scale: 2 }, { ticks: 638000000000000000n + BigInt(i) * 864_000_000_000n, offsetMinutes: 0 }];
const columns: RawColumn[] = [{ name: 'Id', type: T.I4 }, { name: 'Name', type: T.wstr(50) }, { name: 'Amount', type: T.numeric(18, 2) }, { name: 'Day', type: T.DBDATE }];

async function timed(what: string, rows: number, fn: () => Promise<void>, extra = ''): Promise<void> {
  const t0 = performance.now();
  await fn();
  const s = (performance.now() - t0) / 1000;
  console.log(`${what.padEnd(34)} ${String(rows).padStart(8)} rows  ${s.toFixed(2).padStart(7)} s  ${Math.round(rows / s).toLocaleString('en-US').padStart(10)} rows/s${extra ? `  ${extra}` : ''}`);
}

async function main(): Promise<void> {
  console.log(`data flow I/O, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? '?'}), Node ${process.version}`);
  const session = await databaseProvider({
    id: '{B}', name: 'Bench', creationName: 'OLEDB', connectionString: `Provider=SQLite;Data Source=${join(dir, 'bench.db')}`,
    properties: {}, propertyExpressions: [], scope: 'package',
  }).open();
  await session.query('CREATE TABLE Sales (Id INT NOT NULL, Name VARCHAR(50), Amount DECIMAL(18,2), Day DATE)', []);
  await timed('SQLite table writer (1000/batch)', ROWS, async () => {
    const w = await session.openTableWriter('[dbo].[Sales]', ['Id', 'Name', 'Amount', 'Day'], { rowsPerBatch: 1000 });
    for (let b = 0; b < ROWS; b += BATCH) await w.write(Array.from({ length: Math.min(BATCH, ROWS - b) }, (_v, k) => row(b + k)));
    await w.finish();
  });
  await timed('SQLite reader (10000/batch)', ROWS, async () => {
    const r = await session.openReader('SELECT Id, Name, Amount, Day FROM Sales', [], { batchRows: BATCH });
    let n = 0;
    for await (const b of r) n += b.length;
    if (n !== ROWS) throw new Error(`read ${n} rows`);
  });
  await session.close();

  const raw = join(dir, 'bench.raw');
  await timed('raw file writer', ROWS, async () => {
    const w = await openRawFileWriter(raw, columns);
    for (let b = 0; b < ROWS; b += BATCH) await w.write(Array.from({ length: Math.min(BATCH, ROWS - b) }, (_v, k) => row(b + k)));
    await w.finish();
  });
  await timed('raw file reader', ROWS, async () => {
    const r = await openRawFileReader(raw, { batchRows: BATCH });
    let n = 0;
    for await (const b of r) n += b.length;
    if (n !== ROWS) throw new Error(`read ${n} rows`);
  }, `${(statSync(raw).size / 1e6).toFixed(1)} MB`);

  const xlsx = join(dir, 'bench.xlsx');
  await timed('Excel sheet writer', EXCEL_ROWS, async () => {
    await writeExcelSheet(xlsx, 'Sales$', columns, Array.from({ length: EXCEL_ROWS }, (_v, i) => row(i)));
  });
  await timed('Excel reader', EXCEL_ROWS, async () => {
    const r = await openExcelReader(xlsx, 'Sales$', { batchRows: BATCH });
    let n = 0;
    for await (const b of r) n += b.length;
    if (n !== EXCEL_ROWS) throw new Error(`read ${n} rows`);
  }, `peak RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => { console.error(err); rmSync(dir, { recursive: true, force: true }); process.exit(1); });
