/**
 * Raw files (connections/raw-file.ts): every data flow type round-trips with NULLs, the four write
 * options, column checks on append, batches across blocks, and damaged files named by byte offset.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRawFileReader, openRawFileWriter, rawWriteOption, readRawFileColumns } from '../../executor/package/connections/raw-file.ts';
import type { RawColumn } from '../../executor/package/connections/raw-file.ts';
import type { RowReader } from '../../executor/package/connections/provider.ts';
import { T } from '../../executor/package/expressions/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'scaleout-raw-'));
const ALL: RawColumn[] = [
  { name: 'Bool', type: T.BOOL }, { name: 'I1', type: T.I1 }, { name: 'I2', type: T.I2 }, { name: 'I4', type: T.I4 }, { name: 'I8', type: T.I8 },
  { name: 'UI1', type: T.UI1 }, { name: 'UI2', type: T.UI2 }, { name: 'UI4', type: T.UI4 }, { name: 'UI8', type: T.UI8 },
  { name: 'R4', type: T.R4 }, { name: 'R8', type: T.R8 }, { name: 'Cy', type: T.CY }, { name: 'Num', type: T.numeric(38, 4) }, { name: 'Dec', type: T.decimal(2) },
  { name: 'Str', type: T.str(10, 1252) }, { name: 'WStr', type: T.wstr(20) }, { name: 'Text', type: T.text(65001) }, { name: 'NText', type: T.NTEXT },
  { name: 'Date', type: T.DATE }, { name: 'DbDate', type: T.DBDATE }, { name: 'DbTime2', type: T.dbtime2(7) }, { name: 'Ts', type: T.DBTIMESTAMP },
  { name: 'Ts2', type: T.dbtimestamp2(7) }, { name: 'TsOff', type: T.dbtimestampoffset(3) }, { name: 'Guid', type: T.GUID },
  { name: 'Bytes', type: T.bytes(4) }, { name: 'Image', type: T.IMAGE }, { name: 'Ünïcode name', type: T.wstr(5) },
];
const ts = (ticks: bigint, offsetMinutes = 0) => ({ ticks, offsetMinutes });
const ROW = [
  true, -128, -32768, -2147483648, -(2n ** 63n), 255, 65535, 4294967295, 2n ** 64n - 1n,
  1.5, Math.PI, { unscaled: -123456789n, scale: 4 }, { unscaled: 10n ** 37n + 1n, scale: 4 }, { unscaled: 5n, scale: 2 },
  'abc', 'żółw 🐢', 'x'.repeat(70000), 'ntext', ts(638000000000000000n), ts(637999200000000000n), ts(123456789n),
  ts(638000000000000000n + 10_000_000n), ts(638000000000000123n), ts(638000000000000000n, -330), '{6F9619FF-8B86-D011-B42D-00C04FC964FF}',
  new Uint8Array([0, 1, 2, 255]), new Uint8Array(0), 'é',
];

async function readAll(r: RowReader): Promise<unknown[][]> {
  const out: unknown[][] = [];
  for await (const b of r) out.push(...b);
  return out;
}

const raw = suite('raw files');
raw.after(() => rmSync(dir, { recursive: true, force: true }));

raw('every data flow type round-trips exactly, NULLs in every column, the columns come back with their types', async () => {
  const f = join(dir, 'all.raw');
  const w = await openRawFileWriter(f, ALL, { rowsPerBlock: 2 });
  await w.write([ROW, ALL.map(() => null), ROW]);
  assert.is(await w.finish(), 3);
  assert.equal(await readRawFileColumns(f), ALL);
  const reader = await openRawFileReader(f, { batchRows: 2 });
  assert.equal(reader.columns.map((c) => c.dataType), ALL.map((c) => c.type.name));
  const rows = await readAll(reader);
  assert.is(rows.length, 3);
  const expect = ROW.map((v) => (v instanceof Uint8Array ? [...v] : v));
  const got = (r: unknown[]) => r.map((v) => (v instanceof Uint8Array ? [...v] : v));
  assert.equal(got(rows[0]!), expect);
  assert.equal(rows[1], ALL.map(() => null));
  assert.equal(got(rows[2]!), expect);
});

raw('write options: create always replaces, create once refuses an existing file, append adds, truncate and append keeps only the columns', async () => {
  const f = join(dir, 'opts.raw');
  const cols: RawColumn[] = [{ name: 'Id', type: T.I4 }, { name: 'Name', type: T.wstr(10) }];
  const put = async (option: Parameters<typeof rawWriteOption>[0], rows: unknown[][]) => {
    const w = await openRawFileWriter(f, cols, { writeOption: rawWriteOption(option) });
    await w.write(rows);
    return w.finish();
  };
  await put(0, [[1, 'a'], [2, 'b']]);
  await put('Create always', [[3, 'c']]);
  assert.equal(await readAll(await openRawFileReader(f)), [[3, 'c']]);
  try { await put(1, [[9, 'x']]); assert.unreachable(); } catch (err) { assert.match((err as Error).message, /already exists and the write option is Create once/); }
  await put(2, [[4, 'd']]);
  await put('append', [[5, null]]);
  assert.equal(await readAll(await openRawFileReader(f)), [[3, 'c'], [4, 'd'], [5, null]]);
  // A truncate and append that fails keeps the old rows; one that finishes replaces them.
  const t = await openRawFileWriter(f, cols, { writeOption: 'truncateAppend' });
  await t.write([[7, 'g']]);
  try { await t.write([['eight', 'h']]); assert.unreachable(); } catch (err) { assert.match((err as Error).message, /row 2, column 'Id' \(DT_I4\): 'eight' is not an integer/); }
  assert.equal(await readAll(await openRawFileReader(f)), [[3, 'c'], [4, 'd'], [5, null]]);
  await put(3, [[6, 'f']]);
  assert.equal(await readAll(await openRawFileReader(f)), [[6, 'f']]);
  assert.throws(() => rawWriteOption(7), /WriteOption '7' is not one of 0 \(Create always\)/);
  try { await openRawFileWriter(join(dir, 'none.raw'), cols, { writeOption: 'append' }); assert.unreachable(); } catch (err) {
    assert.match((err as Error).message, /none\.raw': the file does not exist, so it cannot be appended to \(write option Append\)/);
  }
  // Appending other columns is refused, naming the difference; the file is untouched.
  const before = readFileSync(f);
  try { await openRawFileWriter(f, [{ name: 'Id', type: T.I8 }, { name: 'Name', type: T.wstr(10) }], { writeOption: 'append' }); assert.unreachable(); } catch (err) {
    assert.match((err as Error).message, /the columns do not match the file's: column 'Id' is DT_I4 in the file but DT_I8 in the writer/);
  }
  assert.ok(readFileSync(f).equals(before));
});

raw('a bad value names row and column and leaves the file as it was; an aborted create leaves no file', async () => {
  const f = join(dir, 'bad.raw');
  const cols: RawColumn[] = [{ name: 'Id', type: T.I2 }, { name: 'When', type: T.DBDATE }];
  const w0 = await openRawFileWriter(f, cols);
  await w0.write([[1, '2024-01-02']]);
  await w0.finish();
  const before = readFileSync(f);
  const w = await openRawFileWriter(f, cols, { writeOption: 'append', rowsPerBlock: 1 });
  await w.write([[2, '2024-01-03']]);
  try { await w.write([[40000, '2024-01-04']]); assert.unreachable(); } catch (err) {
    assert.match((err as Error).message, /bad\.raw': row 2, column 'Id' \(DT_I2\): 40000 does not fit DT_I2/);
  }
  assert.ok(readFileSync(f).equals(before), 'the appended block was cut back');
  const w2 = await openRawFileWriter(join(dir, 'gone.raw'), cols);
  await w2.write([[1, 'not a date']].map((r) => [r[0], null]));
  await w2.abort();
  assert.not.ok(existsSync(join(dir, 'gone.raw')));
  assert.equal(readdirSync(dir).filter((n) => n.endsWith('.tmp')), [], 'no temporary file is left');
  const w3 = await openRawFileWriter(join(dir, 'gone.raw'), cols);
  try { await w3.write([[1, 'not a date']]); assert.unreachable(); } catch (err) {
    assert.match((err as Error).message, /row 1, column 'When' \(DT_DBDATE\): 'not a date' is not a date or time/);
  }
  assert.not.ok(existsSync(join(dir, 'gone.raw')));
});

raw('many rows stream in batches across blocks; a column subset; damaged files name the byte offset', async () => {
  const f = join(dir, 'big.raw');
  const w = await openRawFileWriter(f, [{ name: 'N', type: T.I4 }, { name: 'S', type: T.wstr(12) }], { rowsPerBlock: 1000 });
  for (let b = 0; b < 25; b++) await w.write(Array.from({ length: 1000 }, (_v, i) => [b * 1000 + i, `row${b * 1000 + i}`]));
  assert.is(await w.finish(), 25000);
  const r = await openRawFileReader(f, { batchRows: 4096, columns: ['s'] });
  const sizes: number[] = [];
  let last: unknown;
  for await (const batch of r) { sizes.push(batch.length); last = batch[batch.length - 1]![0]; }
  assert.is(sizes.reduce((a, b) => a + b, 0), 25000);
  assert.ok(sizes.slice(0, -1).every((s) => s === 4096), sizes.join(','));
  assert.is(last, 'row24999');
  try { await openRawFileReader(f, { columns: ['Nope'] }); assert.unreachable(); } catch (err) { assert.match((err as Error).message, /has no column 'Nope' \(it has N, S\)/); }

  const cut = join(dir, 'cut.raw');
  writeFileSync(cut, readFileSync(f));
  truncateSync(cut, statSync(cut).size - 10);
  const damaged = await openRawFileReader(cut, { batchRows: 100_000 });
  try { await damaged.next(); assert.unreachable(); } catch (err) {
    assert.match((err as Error).message, /Raw file '.*cut\.raw' is damaged at byte \d+: the block of 1000 rows is cut short/);
  }
  writeFileSync(join(dir, 'ssis.raw'), Buffer.from([0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]));
  try { await openRawFileReader(join(dir, 'ssis.raw')); assert.unreachable(); } catch (err) {
    assert.match((err as Error).message, /is not a valid raw file at byte 0: it does not start with the raw file signature/);
  }
  try { await openRawFileReader(join(dir, 'missing.raw')); assert.unreachable(); } catch (err) { assert.match((err as Error).message, /Raw file '.*missing\.raw' does not exist/); }
});

raw.run();
