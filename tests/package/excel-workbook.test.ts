/**
 * Excel workbooks (connections/excel-workbook.ts): ACE's table names, HDR and IMEX, type guessing,
 * formulas and rich text, ranges and named ranges, the SELECT form, and writing (create, append
 * under the header by name, dates) — on workbooks built with exceljs directly in a temp folder.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import ExcelJS from 'exceljs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  excelConnection, excelConnectionOf, isExcelConnection, listExcelSheets, openExcelReader, openExcelWriter, parseExcelSelect, parseExcelTableName, readExcelTable, writeExcelSheet,
} from '../../executor/package/connections/excel-workbook.ts';
import { T } from '../../executor/package/expressions/types.ts';
import { ticksFromUtcDate } from '../../executor/package/expressions/datetime.ts';

const dir = mkdtempSync(join(tmpdir(), 'scaleout-excel-'));
const book = join(dir, 'book.xlsx');
const day = (y: number, m: number, d: number) => ({ ticks: ticksFromUtcDate(new Date(Date.UTC(y, m - 1, d))), offsetMinutes: 0 });

async function makeBook(): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const s = wb.addWorksheet('Sheet1');
  s.addRow(['Id', 'Name', 'Born', 'Active', 'Price', 'Mixed', 'Total']);
  s.addRow([1, 'Ann', new Date(Date.UTC(1990, 0, 2)), true, 10.5, 1, { formula: 'A2*2', result: 2 }]);
  s.addRow([2, { richText: [{ text: 'Bo' }, { text: 'b' }] }, new Date(Date.UTC(1985, 5, 30)), false, 3, 'two', { formula: 'A3*2', result: 4 }]);
  s.addRow([]);
  s.addRow([4, 'D'.repeat(300), null, true, 7.25, 3, { formula: 'A5*2', result: 8 }]);
  s.getColumn(5).numFmt = '"$"#,##0.00';
  const other = wb.addWorksheet('My Sheet');
  other.addRow(['x', 'y']);
  other.addRow(['a', 1]);
  other.addRow(['b', 2]);
  wb.definedNames.add("'My Sheet'!$A$1:$B$2", 'FirstPair');
  await wb.xlsx.writeFile(book);
}

const xl = suite('Excel workbooks');
xl.before(makeBook);
xl.after(() => rmSync(dir, { recursive: true, force: true }));

xl('connection strings: file, HDR and IMEX from Extended Properties', () => {
  const c = excelConnection('Provider=Microsoft.ACE.OLEDB.12.0;Data Source=/data/in.xlsx;Extended Properties="Excel 12.0 XML;HDR=NO;IMEX=1";', 'Excel CM');
  assert.equal(c, { file: '/data/in.xlsx', header: false, importMode: true, version: 'Excel 12.0 XML' });
  assert.is(excelConnection('Provider=Microsoft.Jet.OLEDB.4.0;Data Source=a.xlsx', 'x').header, true);
  assert.throws(() => excelConnection('Provider=Microsoft.ACE.OLEDB.12.0;', 'Excel CM'), /Excel CM: the Excel connection string names no workbook/);
  const cm = (creationName: string, connectionString: string, properties: Record<string, string> = {}) =>
    ({ id: '{X}', name: 'Book', creationName, connectionString, properties, propertyExpressions: [], scope: 'package' as const });
  const excel = cm('EXCEL', 'Provider=Microsoft.ACE.OLEDB.12.0;Data Source=C:\\in\\a.xlsx;Extended Properties="Excel 12.0 XML;HDR=NO"', { ExcelFilePath: '/data/b.xlsx' });
  assert.ok(isExcelConnection(excel));
  assert.equal(excelConnectionOf(excel), { file: '/data/b.xlsx', header: false, importMode: false, version: 'Excel 12.0 XML' });
  assert.ok(isExcelConnection(cm('OLEDB', 'Provider=Microsoft.ACE.OLEDB.12.0;Data Source=x.xlsx;Extended Properties="Excel 12.0;HDR=YES"')));
  assert.not.ok(isExcelConnection(cm('OLEDB', 'Provider=SQLNCLI11;Data Source=db')));
  assert.throws(() => excelConnectionOf(cm('EXCEL', '')), /connection manager 'Book' names no workbook/);
});

xl('table names and SELECT commands as packages write them', () => {
  assert.equal(parseExcelTableName('Sheet1$'), { sheet: 'Sheet1' });
  assert.equal(parseExcelTableName('[Sheet1$]'), { sheet: 'Sheet1' });
  assert.equal(parseExcelTableName("'My Sheet$'"), { sheet: 'My Sheet' });
  assert.equal(parseExcelTableName('Sheet1$A1:C10'), { sheet: 'Sheet1', firstRow: 1, lastRow: 10, firstCol: 1, lastCol: 3 });
  assert.equal(parseExcelTableName('[Data$B3:D]'), { sheet: 'Data', firstRow: 3, firstCol: 2, lastCol: 4 });
  assert.equal(parseExcelTableName('MyRange'), { definedName: 'MyRange' });
  assert.throws(() => parseExcelTableName('Sheet1$C1:A3'), /The Excel table name 'Sheet1\$C1:A3' is not valid: the range 'C1:A3' ends left of its start/);
  assert.throws(() => parseExcelTableName('Sheet1$A1:B2:C3'), /more than one ':'/);
  assert.equal(parseExcelSelect('SELECT * FROM [Sheet1$]'), { table: { sheet: 'Sheet1' }, columns: '*' });
  assert.equal(parseExcelSelect('select [Name], Id from [Sheet1$A1:G3];'), { table: { sheet: 'Sheet1', firstRow: 1, lastRow: 3, firstCol: 1, lastCol: 7 }, columns: ['Name', 'Id'] });
  assert.throws(() => parseExcelSelect('SELECT * FROM [Sheet1$] WHERE Id > 1'), /only 'SELECT \* FROM \[Sheet\$\]'/);
});

xl('HDR=YES: names from the header, types guessed like ACE, formulas give results, blank rows are NULL rows', async () => {
  const r = await readExcelTable(book, '[Sheet1$]');
  assert.equal(r.columns.map((c) => `${c.name}:${c.dataType}${c.length ? `(${c.length})` : ''}`),
    ['Id:DT_R8', 'Name:DT_NTEXT', 'Born:DT_DATE', 'Active:DT_BOOL', 'Price:DT_CY', 'Mixed:DT_R8', 'Total:DT_R8']);
  assert.is(r.rows.length, 4);
  assert.equal(r.rows[0], [1, 'Ann', day(1990, 1, 2), true, { unscaled: 105n, scale: 1 }, 1, 2]);
  assert.equal(r.rows[1]!.slice(0, 2), [2, 'Bob']);
  assert.is(r.rows[1]![5], null, "text in a numeric column is NULL, as ACE gives it");
  assert.equal(r.rows[2], [null, null, null, null, null, null, null]);
  assert.is((r.rows[3]![1] as string).length, 300, 'a long text among the guessed rows makes the column DT_NTEXT');
  // With fewer guessed rows the long text is not seen: the column is DT_WSTR(255) and the text is cut.
  const short = await readExcelTable(book, '[Sheet1$]', { typeGuessRows: 2 });
  assert.equal([short.columns[1]!.dataType, short.columns[1]!.length], ['DT_WSTR', 255]);
  assert.is((short.rows[3]![1] as string).length, 255);
});

xl('IMEX=1 reads a mixed column as text; HDR=NO names columns F1… and reads the header row as data', async () => {
  const imex = await readExcelTable(book, 'Sheet1$', { importMode: true });
  assert.is(imex.columns[5]!.dataType, 'DT_WSTR');
  assert.equal(imex.rows.map((x) => x[5]), ['1', 'two', null, '3']);
  const nohdr = await readExcelTable(book, "'My Sheet$'", { header: false });
  assert.equal(nohdr.columns.map((c) => c.name), ['F1', 'F2']);
  assert.equal(nohdr.rows, [['x', null], ['a', 1], ['b', 2]]);
});

xl('ranges, named ranges, SELECT column lists and a batch reader', async () => {
  const range = await readExcelTable(book, 'Sheet1$B1:C3');
  assert.equal(range.columns.map((c) => c.name), ['Name', 'Born']);
  assert.equal(range.rows, [['Ann', day(1990, 1, 2)], ['Bob', day(1985, 6, 30)]]);
  const named = await readExcelTable(book, 'FirstPair');
  assert.equal(named.rows, [['a', 1]]);
  const sel = parseExcelSelect('SELECT Total, [Id] FROM [Sheet1$]');
  const picked = await readExcelTable(book, sel.table, { columns: sel.columns as string[] });
  assert.equal(picked.rows.map((x) => x.join('/')), ['2/1', '4/2', '/', '8/4']);
  const reader = await openExcelReader(book, 'Sheet1$', { batchRows: 3 });
  const sizes: number[] = [];
  for await (const b of reader) sizes.push(b.length);
  assert.equal(sizes, [3, 1]);
  assert.equal(await listExcelSheets(book), ['Sheet1$', 'My Sheet$']);
});

xl('bad input names the workbook and what is wrong', async () => {
  const expectFail = async (p: Promise<unknown>, re: RegExp) => { try { await p; assert.unreachable(); } catch (err) { assert.match((err as Error).message, re); } };
  await expectFail(readExcelTable(book, 'Nope$'), /Excel workbook '.*book\.xlsx': there is no sheet 'Nope' \(sheets: Sheet1\$, My Sheet\$\)/);
  await expectFail(readExcelTable(book, 'Nope'), /there is no sheet or named range 'Nope'/);
  // .xls is read now (tests/dataflow/excel-xls.test.ts): a missing or non-BIFF .xls is named as such.
  await expectFail(readExcelTable(join(dir, 'old.xls'), 'Sheet1$'), /old\.xls': the file does not exist/);
  writeFileSync(join(dir, 'old.xls'), 'plain text, not a workbook');
  await expectFail(readExcelTable(join(dir, 'old.xls'), 'Sheet1$'), /old\.xls': it is not an Excel 97-2003 \(\.xls\) workbook/);
  writeFileSync(join(dir, 'junk.xlsx'), 'not a zip');
  await expectFail(readExcelTable(join(dir, 'junk.xlsx'), 'Sheet1$'), /junk\.xlsx': it is not a readable \.xlsx workbook/);
  await expectFail(readExcelTable(book, 'Sheet1$', { columns: ['Nope'] }), /has no column 'Nope' \(it has Id, Name/);
});

xl('writing: a new workbook gets a header; append goes under the header by name; dates and exact numbers keep their values', async () => {
  const out = join(dir, 'out.xlsx');
  const cols = [{ name: 'Id', type: T.I4 }, { name: 'When', type: T.dbtimestamp2(3) }, { name: 'Amount', type: T.numeric(10, 2) }, { name: 'Note' }];
  assert.is(await writeExcelSheet(out, 'Load$', cols, [[1, day(2024, 2, 29), { unscaled: 1234n, scale: 2 }, 'first'], [2n, null, null, null]]), 2);
  // Append with the columns in another order: matched by header name.
  const w = await openExcelWriter(out, '[Load$]', [{ name: 'note' }, { name: 'ID' }], {});
  await w.write([['third', 3]]);
  assert.is(await w.finish(), 1);
  const back = await readExcelTable(out, 'Load$');
  assert.equal(back.columns.map((c) => `${c.name}:${c.dataType}`), ['Id:DT_R8', 'When:DT_DATE', 'Amount:DT_R8', 'Note:DT_WSTR']);
  assert.equal(back.rows, [[1, day(2024, 2, 29), 12.34, 'first'], [2, null, null, null], [3, null, null, 'third']]);
  // An unknown column fails before anything is written; the file is unchanged.
  const before = readFileSync(out);
  try { await openExcelWriter(out, 'Load$', [{ name: 'Nope' }]); assert.unreachable(); } catch (err) {
    assert.match((err as Error).message, /the sheet 'Load' has no column 'Nope' in its header row \(it has Id, When, Amount, Note\)/);
  }
  assert.ok(readFileSync(out).equals(before));
  // create replaces the sheet; other sheets stay.
  await writeExcelSheet(out, 'Other$', [{ name: 'A' }], [['keep']]);
  await writeExcelSheet(out, 'Load$', [{ name: 'B' }], [['new']], { mode: 'create' });
  assert.equal((await readExcelTable(out, 'Load$')).rows, [['new']]);
  assert.equal((await readExcelTable(out, 'Other$')).rows, [['keep']]);
  try { await writeExcelSheet(out, 'Bin$', [{ name: 'B' }], [[new Uint8Array([1])]]); assert.unreachable(); } catch (err) {
    assert.match((err as Error).message, /row 1, column 'B': binary data \(DT_BYTES\/DT_IMAGE\) cannot be written to an Excel cell/);
  }
});

xl.run();
