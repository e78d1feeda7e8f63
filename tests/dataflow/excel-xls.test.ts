/**
 * Excel 97-2003 (.xls, BIFF8) workbooks: a small workbook written here with SheetJS (numbers, text,
 * a date-formatted number, a boolean, an empty cell, a second sheet) read through the
 * workbook module and through an Excel Source in a data flow; the real .xls files that come with the
 * fixtures (AmiraBedhiafi data01.xls and data03.xls, Peter-Hou series data.xls) read with the values checked
 * against the sheets' own cells; writing .xls refused with a clear message.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as SheetJS from '@e965/xlsx';
import { listExcelSheets, readExcelTable, writeExcelSheet } from '../../executor/package/connections/excel-workbook.ts';
import { excelOf } from '../../executor/package/dataflow/components/excel.ts';
import type { ComponentHost } from '../../executor/package/dataflow/component.ts';
import { reportSkip } from '../helpers/skip.ts';
import { errorsOf, runSpec, tempDir } from './helpers.ts';
import type { PackageSpec } from './builder.ts';

const CORPUS = join(process.cwd(), '..', 'shared', 'fixtures', 'dtsx');
const t = tempDir('xls');
const test = suite('Excel 97-2003 (.xls) workbooks');
test.after(() => t.remove());

function writeXls(file: string): void {
  const wb = SheetJS.utils.book_new();
  const stock = SheetJS.utils.aoa_to_sheet([
    ['Product', 'Qty', 'Since', 'Active'],
    ['Apple', 3, 38234, true],
    ['Pear', 4.5, 38332, false],
    ['Plum', null, 40047, true],
  ]);
  // Column C holds serial days with a date format: ACE (and this reader) sees dates.
  for (const ref of ['C2', 'C3', 'C4']) stock[ref]!.z = 'd-mmm-yy';
  SheetJS.utils.book_append_sheet(wb, stock, 'Stock');
  SheetJS.utils.book_append_sheet(wb, SheetJS.utils.aoa_to_sheet([['Code', 'Name'], ['A', 'Alpha'], ['B', 'Beta']]), 'Codes');
  writeFileSync(file, SheetJS.write(wb, { type: 'buffer', bookType: 'biff8' }) as Buffer);
}

test('a BIFF8 workbook written by SheetJS is read with ACE types: numbers, text, dates, booleans, NULL', async () => {
  const file = t.file('small.xls');
  writeXls(file);
  assert.equal(readFileSync(file).subarray(0, 4), Buffer.from([0xd0, 0xcf, 0x11, 0xe0]), 'an OLE2 compound file, not .xlsx');
  assert.equal(await listExcelSheets(file), ['Stock$', 'Codes$']);
  const set = await readExcelTable(file, 'Stock$');
  assert.equal(set.columns.map((c) => [c.name, c.type.name]), [['Product', 'DT_WSTR'], ['Qty', 'DT_R8'], ['Since', 'DT_DATE'], ['Active', 'DT_BOOL']]);
  assert.equal(set.rows.map((r) => [r[0], r[1], r[3]]), [['Apple', 3, true], ['Pear', 4.5, false], ['Plum', null, true]]);
  // 38234 is 2004-09-04 in the 1900 date system.
  const since = set.rows[0]![2] as { ticks: bigint };
  assert.is(new Date(Number((since.ticks - 621355968000000000n) / 10000n)).toISOString(), '2004-09-04T00:00:00.000Z');
  assert.equal((await readExcelTable(file, 'Codes$')).rows, [['A', 'Alpha'], ['B', 'Beta']]);
  const range = await readExcelTable(file, 'Stock$A1:B3');
  assert.equal(range.rows, [['Apple', 3], ['Pear', 4.5]]);
});

test('an Excel Source reads an .xls sheet in a data flow', async () => {
  const file = t.file('flow.xls');
  writeXls(file);
  const out = t.file('flow.txt');
  const spec: PackageSpec = {
    excel: [{ name: 'In', connectionString: `Provider=Microsoft.Jet.OLEDB.4.0;Data Source=${file};Extended Properties="Excel 8.0;HDR=YES"` }],
    flatFiles: [{ name: 'Out', path: out, header: true, columns: [{ name: 'Product' }, { name: 'Qty', dataType: 5 }] }],
    components: [
      { name: 'Sheet', classId: 'Microsoft.ExcelSource', connection: 'In', props: { AccessMode: '2', SqlCommand: 'SELECT * FROM [Stock$]' }, outputs: [{ name: 'Out',
        external: [{ name: 'Product', dataType: 'wstr', length: 255 }, { name: 'Qty', dataType: 'r8' }],
        columns: [{ name: 'Product', dataType: 'wstr', length: 255, ext: 'Product' }, { name: 'Qty', dataType: 'r8', ext: 'Qty' }] }] },
      { name: 'Write', classId: 'Microsoft.FlatFileDestination', connection: 'Out', inputs: [{ name: 'In',
        columns: [{ from: 'Sheet.Out.Product', ext: 'Product' }, { from: 'Sheet.Out.Qty', ext: 'Qty' }],
        external: [{ name: 'Product', dataType: 'wstr', length: 50 }, { name: 'Qty', dataType: 'r8' }] }] },
    ],
    paths: [['Sheet.Out', 'Write.In']],
  };
  const run = await runSpec(spec);
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.is(readFileSync(out, 'utf8').replace(/\r\n/g, '\n'), 'Product,Qty\nApple,3\nPear,4.5\nPlum,\n');
});

test('writing an .xls workbook is refused naming the file and what to do; a damaged .xls names the file', async () => {
  const file = t.file('out.xls');
  try {
    await writeExcelSheet(file, 'Sheet1$', [{ name: 'A' }], [[1]]);
    assert.unreachable('writing .xls must fail');
  } catch (err) {
    assert.match((err as Error).message, /out\.xls.*can be read but not written.*\.xlsx/);
  }
  writeFileSync(t.file('bad.xls'), 'this is not a workbook');
  try {
    await readExcelTable(t.file('bad.xls'), 'Sheet1$');
    assert.unreachable('a damaged .xls must fail');
  } catch (err) {
    assert.match((err as Error).message, /bad\.xls/);
  }
});

test('an ExcelFilePath set by a property expression (a Foreach loop\'s file) wins over the Data Source', () => {
  // AmiraBedhiafi ForEachLoop: the connection string names data01.xls on the author's disk, the loop sets
  // ExcelFilePath through @[User::strExcelFile]; the Excel Source must read the loop's file.
  const cm = { id: '{X}', name: 'Excel Connection Manager', creationName: 'EXCEL', propertyExpressions: [],
    connectionString: 'Provider=Microsoft.Jet.OLEDB.4.0;Data Source=C:\\Users\\amira\\data01.xls;Extended Properties="Excel 8.0;HDR=NO";',
    properties: { ExcelFilePath: '/data/in/data03.xls' } };
  const host = { component: { path: '\\Package\\Load\\Excel Source', connections: [{ name: 'OleDbConnection', connectionManagerId: '{X}' }] },
    connection: () => cm, workingDirectory: undefined } as unknown as ComponentHost;
  const conn = excelOf(host);
  assert.is(conn.file, '/data/in/data03.xls');
  assert.is(conn.header, false, 'HDR still comes from the connection string');
});

if (!existsSync(CORPUS)) {
  reportSkip('fixture .xls workbooks', `${CORPUS} is not present`);
} else {
  test('the fixtures\' .xls files: data01.xls and data03.xls (AmiraBedhiafi) and series data.xls (Peter-Hou)', async () => {
    const amira = join(CORPUS, 'AmiraBedhiafi__Lab_Initiation_To_SSIS');
    for (const f of ['data01.xls', 'data03.xls']) { // the repository has no data02.xls
      const file = join(amira, f);
      const sheets = await listExcelSheets(file);
      const set = await readExcelTable(file, sheets[0]!);
      // Independent count: SheetJS's own view of the sheet (rows with any value, less the header).
      const wb = SheetJS.read(readFileSync(file), { type: 'buffer' });
      const aoa = SheetJS.utils.sheet_to_json<unknown[]>(wb.Sheets[wb.SheetNames[0]!]!, { header: 1, blankrows: false });
      assert.is(set.rows.length, aoa.length - 1, `${f}: every data row`);
      assert.equal(set.columns.map((c) => c.name), (aoa[0] as string[]).map(String), `${f}: the header row names the columns`);
    }
    const d1 = await readExcelTable(join(amira, 'data01.xls'), 'data$');
    assert.equal(d1.rows[0], ['00 10 50015 0', 'SOCIETE test  KHAYAM', 0.2, 0.5, 1.5, 0.5, 0.5, 'OUI']);
    const series = join(CORPUS, 'Peter-Hou__SSIS-Project', 'LookUp Transform', 'series data.xls');
    assert.equal(await listExcelSheets(series), ['Finalists$', 'Series$', 'SeriesMale$', 'SeriesFemale$', 'Mentors$']);
    const s = await readExcelTable(series, 'Series$');
    assert.equal(s.columns.map((c) => c.type.name), ['DT_R8', 'DT_WSTR', 'DT_DATE', 'DT_DATE', 'DT_WSTR']);
    assert.is(s.rows.length, 9);
    assert.equal(s.rows[0]!.slice(0, 2), [1, 'Steve Brookstein']);
    const finalists = await readExcelTable(series, 'Finalists$');
    assert.is(finalists.rows.length, 109);
  });
}

test.run();
