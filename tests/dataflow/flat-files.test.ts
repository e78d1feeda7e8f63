/**
 * Flat File Source and Destination shapes: code pages (1252, 437, 850, 65001 with BOM, Unicode),
 * fixed width, ragged right, header rows to skip, short and long rows, truncation redirected with
 * the flat-file ErrorCode, FileNameColumnName, append vs overwrite, and bad files (unterminated
 * qualifier, missing file) failing with the component, column and row named.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import type { ColumnSpec, FlatFileSpec, PackageSpec } from './builder.ts';
import { errorsOf, runSpec, tempDir } from './helpers.ts';

const t = tempDir('ff');
const test = suite('data flow: flat files');
test.after(() => t.remove());

/** Source (file `in`) → Destination (file `out`, always UTF-8, `|`-delimited) copying the named wstr columns. */
function copySpec(input: Omit<FlatFileSpec, 'name' | 'path'>, cols: string[], opts: { srcProps?: Record<string, string>; colSpec?: (n: string) => Partial<ColumnSpec>; extraCols?: ColumnSpec[]; destProps?: Record<string, string>; outCodePage?: number } = {}): PackageSpec {
  const all = [...cols.map((n) => ({ name: n, dataType: 'wstr', length: 50, ext: n, ...(opts.colSpec?.(n) ?? {}) })), ...(opts.extraCols ?? [])];
  return {
    flatFiles: [
      { name: 'In', path: t.file('in.txt'), ...input },
      { name: 'Out', path: t.file('out.txt'), codePage: opts.outCodePage ?? 65001, columns: all.map((c, i) => ({ name: c.name, delimiter: i === all.length - 1 ? '\n' : '|' })), rowDelimiter: '\n' },
      { name: 'Err', path: t.file('err.txt'), codePage: 65001, rowDelimiter: '\n', columns: [{ name: 'Raw', delimiter: '|' }, { name: 'ErrorCode', dataType: 3, delimiter: '|' }, { name: 'Col', dataType: 3, delimiter: '\n' }] },
    ],
    components: [
      { name: 'Src', classId: 'Microsoft.FlatFileSource', connection: 'In', props: opts.srcProps ?? {}, outputs: [
        { name: 'Out', external: all.map((c) => ({ name: c.name, dataType: 'wstr', length: 50 })), columns: all },
        { name: 'Errors', error: true, columns: [{ name: 'Raw', dataType: 'ntext' }] },
      ] },
      { name: 'Dst', classId: 'Microsoft.FlatFileDestination', connection: 'Out', props: opts.destProps ?? {}, inputs: [{ name: 'In', columns: all.map((c) => ({ from: `Src.Out.${c.name}`, ext: c.name })), external: all.map((c) => ({ name: c.name, dataType: 'wstr', length: 50 })) }] },
      { name: 'ErrDst', classId: 'Microsoft.FlatFileDestination', connection: 'Err', inputs: [{ name: 'In', columns: [{ from: 'Src.Errors.Raw', ext: 'Raw' }, { from: 'Src.Errors.ErrorCode', ext: 'ErrorCode' }, { from: 'Src.Errors.ErrorColumn', ext: 'Col' }],
        external: [{ name: 'Raw', dataType: 'ntext' }, { name: 'ErrorCode', dataType: 'i4' }, { name: 'Col', dataType: 'i4' }] }] },
    ],
    paths: [['Src.Out', 'Dst.In'], ['Src.Errors', 'ErrDst.In']],
  };
}

const delimited = (codePage: number, extra: Partial<FlatFileSpec> = {}): Omit<FlatFileSpec, 'name' | 'path'> => ({ codePage, header: true, columns: [{ name: 'A' }, { name: 'B' }], ...extra });

for (const [cp, text] of [[1252, 'café,naïve €'], [437, 'café,Ω ½'], [850, 'café,ÆØ ß']] as const) {
  test(`code page ${cp} is decoded`, async () => {
    writeFileSync(t.file('in.txt'), iconv.encode(`A,B\r\n${text}\r\n`, `cp${cp}`));
    const run = await runSpec(copySpec(delimited(cp), ['A', 'B']));
    assert.is(run.result.outcome, 'succeeded', errorsOf(run));
    assert.is(t.read('out.txt'), text.replace(',', '|') + '\n');
  });
}

test('UTF-8 with a BOM and Unicode (UTF-16LE) with a BOM; the destination writes code page 1252', async () => {
  writeFileSync(t.file('in.txt'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('A,B\r\nÅsa,日本\r\n', 'utf8')]));
  let run = await runSpec(copySpec(delimited(65001), ['A', 'B']));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.is(t.read('out.txt'), 'Åsa|日本\n');
  writeFileSync(t.file('in.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('A,B\r\nÅsa,ünï\r\n', 'utf16le')]));
  run = await runSpec(copySpec({ ...delimited(1200), unicode: true }, ['A', 'B'], { outCodePage: 1252 }));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal([...readFileSync(t.file('out.txt'))], [...iconv.encode('Åsa|ünï\n', 'cp1252')]);
});

test('fixed width and ragged right, header rows to skip', async () => {
  // Fixed width: no row delimiter, rows are the sum of the column widths.
  writeFileSync(t.file('in.txt'), 'AB  12345XCD  67890Y');
  let run = await runSpec(copySpec({ format: 'FixedWidth', columns: [{ name: 'Code', width: 4 }, { name: 'Num', width: 5 }, { name: 'Flag', width: 1 }] }, ['Code', 'Num', 'Flag']));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.is(t.read('out.txt'), 'AB  |12345|X\nCD  |67890|Y\n');
  writeFileSync(t.file('in.txt'), 'report header\r\nAB  12345 first\r\nCD  6short\r\n');
  run = await runSpec(copySpec({ format: 'RaggedRight', headerRowsToSkip: 1, columns: [{ name: 'Code', width: 4 }, { name: 'Num', width: 5 }, { name: 'Rest' }] }, ['Code', 'Num', 'Rest']));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.is(t.read('out.txt'), 'AB  |12345| first\nCD  |6shor|t\n');
});

test('a short row leaves the missing columns NULL; a long row keeps the rest in the last column', async () => {
  writeFileSync(t.file('in.txt'), 'A,B,C\r\n1\r\n2,x,y,z\r\n');
  const run = await runSpec(copySpec({ header: true, columns: [{ name: 'A' }, { name: 'B' }, { name: 'C' }] }, ['A', 'B', 'C'], { srcProps: { RetainNulls: 'true' } }));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.is(t.read('out.txt'), '1||\n2|x|y,z\n');
});

test('truncation redirected with the raw row, the flat-file ErrorCode and the column; conversion failure ignored', async () => {
  writeFileSync(t.file('in.txt'), 'A,N\r\nabc,1\r\ntoolong,2\r\nxyz,notanumber\r\n');
  const spec = copySpec({ header: true, columns: [{ name: 'A' }, { name: 'N' }] }, ['A'], {
    colSpec: () => ({ length: 3, truncation: 'RedirectRow' }),
    extraCols: [{ name: 'N', dataType: 'i4', ext: 'N', error: 'IgnoreFailure' }],
  });
  const run = await runSpec(spec);
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.is(t.read('out.txt'), 'abc|1\nxyz|\n');
  const err = t.read('err.txt').trim().split('|');
  assert.is(err[0], 'toolong,2\r\n');
  assert.is(err.length, 3);
  assert.is(Number(err[1]), -1071607675);
  assert.ok(Number(err[2]) > 0);
});

test('FileNameColumnName, append mode, header row written once', async () => {
  writeFileSync(t.file('in.txt'), 'A\r\nq\r\n');
  const spec = copySpec({ header: true, columns: [{ name: 'A' }] }, ['A'], {
    srcProps: { FileNameColumnName: 'Src' }, extraCols: [{ name: 'Src', dataType: 'wstr', length: 260 }], destProps: { Overwrite: 'false' },
  });
  writeFileSync(t.file('out.txt'), 'earlier\n');
  const run = await runSpec(spec);
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.is(t.read('out.txt'), `earlier\nq|${t.file('in.txt')}\n`);
});

test('an unterminated qualifier and a missing file fail naming component, column, row and file', async () => {
  writeFileSync(t.file('in.txt'), 'A,B\r\n1,ok\r\n2,"never closed\r\n');
  let run = await runSpec(copySpec({ header: true, qualifier: '"', columns: [{ name: 'A' }, { name: 'B' }] }, ['A', 'B']));
  assert.is(run.result.outcome, 'failed');
  assert.match(errorsOf(run), /\\Package\\Data Flow Task\\Src \(file '.*in\.txt'\): data row 2, column "B": the text qualifier " opened at character 3 of the row is never closed/);
  const spec = copySpec({ header: true, columns: [{ name: 'A' }] }, ['A']);
  spec.flatFiles![0]!.path = t.file('missing.txt');
  run = await runSpec(spec);
  assert.is(run.result.outcome, 'failed');
  assert.match(errorsOf(run), /\\Package\\Data Flow Task\\Src: the file '.*missing\.txt' of connection manager 'In' does not exist/);
});

test.run();
