/**
 * Excel Source (sheet and SELECT forms, ACE typing) → Data Conversion → Excel Destination appending
 * under the header of an existing sheet, on real .xlsx files written with exceljs.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import ExcelJS from 'exceljs';
import { errorsOf, runSpec, tempDir } from './helpers.ts';
import type { PackageSpec } from './builder.ts';

const t = tempDir('excel');
const test = suite('data flow: Excel Source and Destination');
test.after(() => t.remove());

const ace = (file: string) => `Provider=Microsoft.ACE.OLEDB.12.0;Data Source=${file};Extended Properties="Excel 12.0 XML;HDR=YES"`;

function spec(srcProps: Record<string, string>): PackageSpec {
  return {
    excel: [{ name: 'In', connectionString: ace(t.file('in.xlsx')) }, { name: 'Out', connectionString: ace(t.file('out.xlsx')) }],
    components: [
      { name: 'Sheet', classId: 'Microsoft.ExcelSource', connection: 'In', props: srcProps, outputs: [{ name: 'Out',
        external: [{ name: 'Product', dataType: 'wstr', length: 255 }, { name: 'Qty', dataType: 'r8' }],
        columns: [{ name: 'Product', dataType: 'wstr', length: 255, ext: 'Product' }, { name: 'Qty', dataType: 'r8', ext: 'Qty' }] }] },
      { name: 'Conv', classId: 'Microsoft.DataConvert', inputs: [{ name: 'In', columns: [{ from: 'Sheet.Out.Qty' }] }],
        outputs: [{ name: 'Out', syncWith: 'In', columns: [{ name: 'QtyInt', dataType: 'i4', props: { SourceInputColumnLineageID: '#{Package\\Data Flow Task\\Sheet.Outputs[Out].Columns[Qty]}' } }] }] },
      { name: 'Book', classId: 'Microsoft.ExcelDestination', connection: 'Out', props: { OpenRowset: 'Result$' }, inputs: [{ name: 'In',
        columns: [{ from: 'Sheet.Out.Product', ext: 'Item' }, { from: 'Conv.Out.QtyInt', ext: 'Count' }],
        external: [{ name: 'Item', dataType: 'wstr', length: 255 }, { name: 'Count', dataType: 'i4' }] }] },
    ],
    paths: [['Sheet.Out', 'Conv.In'], ['Conv.Out', 'Book.In']],
  };
}

test.before(async () => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Stock');
  ws.addRows([['Product', 'Qty'], ['Apple', 3], ['Pear', 4.6], ['Plum', null]]);
  await wb.xlsx.writeFile(t.file('in.xlsx'));
  const out = new ExcelJS.Workbook();
  out.addWorksheet('Result').addRows([['Count', 'Item'], [0, 'existing']]);
  await out.xlsx.writeFile(t.file('out.xlsx'));
});

async function sheet(file: string, name: string): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const rows: unknown[][] = [];
  wb.getWorksheet(name)!.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
  return rows;
}

test('a sheet is read with ACE types, converted, and appended under the header by column name', async () => {
  const run = await runSpec(spec({ AccessMode: '0', OpenRowset: 'Stock$' }));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal(await sheet(t.file('out.xlsx'), 'Result'), [['Count', 'Item'], [0, 'existing'], [3, 'Apple'], [5, 'Pear'], [undefined, 'Plum']]);
});

test('the SELECT form reads the same rows; a missing sheet fails naming it', async () => {
  let run = await runSpec(spec({ AccessMode: '2', SqlCommand: 'SELECT Product, Qty FROM [Stock$]' }));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal((await sheet(t.file('out.xlsx'), 'Result')).length, 8);
  run = await runSpec(spec({ AccessMode: '0', OpenRowset: 'Nope$' }));
  assert.is(run.result.outcome, 'failed');
  assert.match(errorsOf(run), /\\Package\\Data Flow Task\\Sheet: .*Nope/);
});

test.run();
