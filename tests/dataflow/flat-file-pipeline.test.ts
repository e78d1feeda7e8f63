/**
 * Flat File Source → Derived Column → Data Conversion → Conditional Split → Flat File Destinations,
 * with NULLs, a conversion failure redirected (ErrorCode/ErrorColumn), an ignored failure, and the
 * rows-sent statistics and "wrote N rows" messages.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import type { PackageSpec } from './builder.ts';
import { errorsOf, rowsByPath, runSpec, tempDir } from './helpers.ts';

const t = tempDir('pipeline');
const test = suite('data flow: flat file pipeline');
test.after(() => t.remove());

function spec(dataConversionError: 'RedirectRow' | 'IgnoreFailure' | 'FailComponent'): PackageSpec {
  return {
    flatFiles: [
      { name: 'In', path: t.file('in.csv'), header: true, qualifier: '"', columns: [{ name: 'Id' }, { name: 'Name' }, { name: 'Amount' }] },
      { name: 'Big', path: t.file('big.txt'), header: true, qualifier: '"', columns: [{ name: 'Id', dataType: 3 }, { name: 'Label' }, { name: 'Amount', dataType: 131, precision: 10, scale: 2 }] },
      { name: 'Small', path: t.file('small.txt'), qualifier: '"', columns: [{ name: 'Id', dataType: 3 }, { name: 'Label' }] },
      { name: 'Bad', path: t.file('bad.txt'), columns: [{ name: 'Amount' }, { name: 'ErrorCode', dataType: 3 }, { name: 'ErrorColumn', dataType: 3 }] },
    ],
    components: [
      {
        name: 'Source', classId: 'Microsoft.FlatFileSource', connection: 'In', props: { RetainNulls: 'true' },
        outputs: [{
          name: 'Out', external: [{ name: 'Id', dataType: 'wstr', length: 50 }, { name: 'Name', dataType: 'wstr', length: 50 }, { name: 'Amount', dataType: 'wstr', length: 50 }],
          columns: [{ name: 'Id', dataType: 'wstr', length: 50, ext: 'Id' }, { name: 'Name', dataType: 'wstr', length: 50, ext: 'Name' }, { name: 'Amount', dataType: 'wstr', length: 50, ext: 'Amount' }],
        }, { name: 'Errors', error: true, columns: [{ name: 'Flat File Source Error Output Column', dataType: 'ntext' }] }],
      },
      {
        name: 'Derive', classId: 'Microsoft.DerivedColumn',
        inputs: [{ name: 'In', columns: [{ from: 'Source.Out.Id' }, { from: 'Source.Out.Name' }] }],
        outputs: [{ name: 'Out', syncWith: 'In', columns: [{ name: 'Label', dataType: 'wstr', length: 60, props: { FriendlyExpression: 'ISNULL(Name) ? "(none)" : UPPER(TRIM([Name])) + "#" + Id' } }] },
          { name: 'Errors', syncWith: 'In', error: true }],
      },
      {
        name: 'Convert', classId: 'Microsoft.DataConvert',
        inputs: [{ name: 'In', columns: [{ from: 'Source.Out.Id' }, { from: 'Source.Out.Amount' }] }],
        outputs: [{ name: 'Out', syncWith: 'In', columns: [
          { name: 'IdNum', dataType: 'i4', props: { SourceInputColumnLineageID: '#{Package\\Data Flow Task\\Source.Outputs[Out].Columns[Id]}' } },
          { name: 'AmountNum', dataType: 'numeric', precision: 10, scale: 2, error: dataConversionError, props: { SourceInputColumnLineageID: '#{Package\\Data Flow Task\\Source.Outputs[Out].Columns[Amount]}' } },
        ] }, { name: 'Errors', syncWith: 'In', error: true }],
      },
      {
        name: 'Split', classId: 'Microsoft.ConditionalSplit',
        inputs: [{ name: 'In', columns: [{ from: 'Convert.Out.AmountNum' }] }],
        outputs: [
          { name: 'Big', syncWith: 'In', props: { FriendlyExpression: 'AmountNum >= 100', EvaluationOrder: '0' } },
          { name: 'Small', syncWith: 'In', props: { IsDefaultOut: 'true' } },
          { name: 'Errors', syncWith: 'In', error: true },
        ],
      },
      {
        name: 'Big Out', classId: 'Microsoft.FlatFileDestination', connection: 'Big', props: { Overwrite: 'true' },
        inputs: [{ name: 'In', columns: [{ from: 'Convert.Out.IdNum', ext: 'Id' }, { from: 'Derive.Out.Label', ext: 'Label' }, { from: 'Convert.Out.AmountNum', ext: 'Amount' }],
          external: [{ name: 'Id', dataType: 'i4' }, { name: 'Label', dataType: 'wstr', length: 60 }, { name: 'Amount', dataType: 'numeric', precision: 10, scale: 2 }] }],
      },
      {
        name: 'Small Out', classId: 'Microsoft.FlatFileDestination', connection: 'Small',
        inputs: [{ name: 'In', columns: [{ from: 'Convert.Out.IdNum', ext: 'Id' }, { from: 'Derive.Out.Label', ext: 'Label' }],
          external: [{ name: 'Id', dataType: 'i4' }, { name: 'Label', dataType: 'wstr', length: 60 }] }],
      },
      {
        name: 'Bad Out', classId: 'Microsoft.FlatFileDestination', connection: 'Bad',
        inputs: [{ name: 'In', columns: [{ from: 'Source.Out.Amount', ext: 'Amount' }, { from: 'Convert.Errors.ErrorCode', ext: 'ErrorCode' }, { from: 'Convert.Errors.ErrorColumn', ext: 'ErrorColumn' }],
          external: [{ name: 'Amount', dataType: 'wstr', length: 50 }, { name: 'ErrorCode', dataType: 'i4' }, { name: 'ErrorColumn', dataType: 'i4' }] }],
      },
    ],
    paths: [['Source.Out', 'Derive.In'], ['Derive.Out', 'Convert.In'], ['Convert.Out', 'Split.In'], ['Split.Big', 'Big Out.In'], ['Split.Small', 'Small Out.In'], ['Convert.Errors', 'Bad Out.In']],
  };
}

test.before(() => {
  writeFileSync(t.file('in.csv'), 'Id,Name,Amount\r\n1," ann ",150.5\r\n2,"Bob, Jr.",20\r\n3,,abc\r\n4,"say ""hi""",100\r\n5,eve,\r\n');
});

test('rows are split, converted, and the failing row redirected with ErrorCode and ErrorColumn', async () => {
  const run = await runSpec(spec('RedirectRow'));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.is(t.read('big.txt'), '"Id","Label","Amount"\r\n1,"ANN#1",150.50\r\n4,"SAY ""HI""#4",100.00\r\n');
  // Row 5 has an empty Amount: RetainNulls makes it NULL, NULL >= 100 is not TRUE → default output.
  assert.is(t.read('small.txt'), '2,"BOB, JR.#2"\r\n5,"EVE#5"\r\n');
  const bad = t.read('bad.txt').split('\r\n');
  assert.is(bad.length, 2);
  assert.match(bad[0]!, /^abc,-1071607681,\d+$/);
  const stats = rowsByPath(run);
  assert.is(stats.get('P0'), 5);
  assert.is(stats.get('P3'), 2);
  assert.is(stats.get('P4'), 2);
  assert.is(stats.get('P5'), 1);
  const info = run.messages(70).map((m) => m.text);
  assert.ok(info.includes('"Big Out" wrote 2 rows.'), info.join('\n'));
  assert.ok(info.includes('"Bad Out" wrote 1 rows.'), info.join('\n'));
});

test('IgnoreFailure keeps the row with a NULL; FailComponent stops the flow naming component, column and row', async () => {
  const ignored = await runSpec(spec('IgnoreFailure'));
  assert.is(ignored.result.outcome, 'succeeded', errorsOf(ignored));
  assert.is(t.read('small.txt'), '2,"BOB, JR.#2"\r\n3,"(none)"\r\n5,"EVE#5"\r\n');
  const failed = await runSpec(spec('FailComponent'));
  assert.is(failed.result.outcome, 'failed');
  const text = errorsOf(failed);
  assert.match(text, /\\Package\\Data Flow Task\\Convert: row 3 column "AmountNum"/);
  assert.match(text, /abc/);
});

test.run();
