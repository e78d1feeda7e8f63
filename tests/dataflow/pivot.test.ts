/** Pivot and Unpivot from small packages on SQLite: NULLs, a duplicate pivot key, an unknown key, empty input. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ColumnSpec, PackageSpec } from './builder.ts';
import { errorsOf, runSpec, tempDir } from './helpers.ts';
import { exec, lineageRefOf, sqlSource, tableDestination, tableRows } from './part-two.ts';

const t = tempDir('pivot');
const db = t.file('pivot.sqlite');
const test = suite('data flow: Pivot, Unpivot');
test.after(() => t.remove());
test.before(() => exec(db, `
  CREATE TABLE Sales (Cust TEXT, Region TEXT, Quarter TEXT, Amount INTEGER);
  INSERT INTO Sales VALUES ('A', 'N', 'Q1', 10), ('A', 'N', 'Q3', 30), ('B', 'S', 'Q2', NULL), ('B', 'S', 'Q1', 5), ('C', NULL, 'Q2', 7);
  CREATE TABLE Wide (Cust TEXT, Region TEXT, Q1 INTEGER, Q2 INTEGER, Q3 INTEGER);
  CREATE TABLE Long (Cust TEXT, Quarter TEXT, Amount INTEGER);
`));
const db8 = { oledb: [{ name: 'Db', connectionString: `Provider=SQLite;Data Source=${db}` }] };
const sales: ColumnSpec[] = [{ name: 'Cust', dataType: 'wstr', length: 5 }, { name: 'Region', dataType: 'wstr', length: 5 }, { name: 'Quarter', dataType: 'wstr', length: 5 }, { name: 'Amount', dataType: 'i4' }];
const USAGE: Record<string, string> = { Cust: '1', Region: '0', Quarter: '2', Amount: '3' };

function pivotPackage(where: string, passUnmatched = false): PackageSpec {
  return {
    ...db8,
    components: [
      sqlSource('Sales', `SELECT Cust, Region, Quarter, Amount FROM Sales WHERE ${where} ORDER BY Cust`, sales),
      { name: 'Pivot', classId: 'Microsoft.Pivot', props: { PassThroughUnmatchedPivotKeys: String(passUnmatched) },
        inputs: [{ name: 'Pivot Default Input', columns: sales.map((c) => ({ from: `Sales.Out.${c.name}`, props: { PivotUsage: USAGE[c.name]! } })) }],
        outputs: [{ name: 'Pivot Default Output', columns: [
          { name: 'Cust', dataType: 'wstr', length: 5, props: { SourceColumn: lineageRefOf('Sales.Out.Cust') } },
          { name: 'Region', dataType: 'wstr', length: 5, props: { SourceColumn: lineageRefOf('Sales.Out.Region') } },
          ...['Q1', 'Q2', 'Q3'].map((q) => ({ name: q, dataType: 'i4', props: { SourceColumn: lineageRefOf('Sales.Out.Amount'), PivotKeyValue: q } })),
        ] }] },
      tableDestination('Load', 'Wide', ['Cust', 'Region', 'Q1', 'Q2', 'Q3'].map((c) => `Pivot.Pivot Default Output.${c}`), [sales[0]!, sales[1]!, ...['Q1', 'Q2', 'Q3'].map((q) => ({ name: q, dataType: 'i4' }))]),
    ],
    paths: [['Sales.Out', 'Pivot.Pivot Default Input'], ['Pivot.Pivot Default Output', 'Load.In']],
  };
}

test('Pivot: one row per set key, NULL values and NULL pass-through columns kept', async () => {
  exec(db, 'DELETE FROM Wide');
  const run = await runSpec(pivotPackage('1'));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal(tableRows(db, 'SELECT * FROM Wide ORDER BY Cust'), [['A', 'N', 10, null, 30], ['B', 'S', 5, null, null], ['C', null, null, 7, null]]);
});

test('Pivot: a duplicate pivot key in one set fails naming it; an unknown key fails or is dropped; empty input is fine', async () => {
  exec(db, "INSERT INTO Sales VALUES ('A', 'N', 'Q1', 99), ('D', 'E', 'Q9', 1)");
  let run = await runSpec(pivotPackage("Cust <> 'D'"));
  assert.is(run.result.outcome, 'failed');
  assert.match(errorsOf(run), /Pivot: row \d: the pivot key value "Q1" occurs twice for the same set key/);
  run = await runSpec(pivotPackage("Cust = 'D'"));
  assert.match(errorsOf(run), /the pivot key value "Q9" is not the PivotKeyValue of any output column/);
  exec(db, 'DELETE FROM Wide');
  run = await runSpec(pivotPackage("Cust = 'D'", true));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal(tableRows(db, 'SELECT * FROM Wide'), [['D', 'E', null, null, null]]);
  exec(db, "DELETE FROM Sales WHERE Amount IN (99, 1); DELETE FROM Wide");
  run = await runSpec(pivotPackage('0'));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal(tableRows(db, 'SELECT * FROM Wide'), []);
});

test('Unpivot: one row per non-NULL value with its key; pass-through column copied', async () => {
  exec(db, "DELETE FROM Wide; DELETE FROM Long; INSERT INTO Wide VALUES ('A', 'N', 10, NULL, 30), ('B', 'S', NULL, NULL, NULL)");
  const wide: ColumnSpec[] = [{ name: 'Cust', dataType: 'wstr', length: 5 }, ...['Q1', 'Q2', 'Q3'].map((q) => ({ name: q, dataType: 'i4' }))];
  const run = await runSpec({
    ...db8,
    components: [
      sqlSource('Wide', 'SELECT Cust, Q1, Q2, Q3 FROM Wide ORDER BY Cust', wide),
      { name: 'Unpivot', classId: 'Microsoft.UnPivot',
        inputs: [{ name: 'Unpivot Input', columns: wide.map((c) => ({ from: `Wide.Out.${c.name}`, props: c.name === 'Cust' ? { DestinationColumn: '-1', PivotKeyValue: '' } : { DestinationColumn: lineageRefOf('Unpivot.Unpivot Output.Amount'), PivotKeyValue: c.name } })) }],
        outputs: [{ name: 'Unpivot Output', columns: [{ name: 'Cust', dataType: 'wstr', length: 5 }, { name: 'Amount', dataType: 'i4' }, { name: 'Quarter', dataType: 'wstr', length: 5, props: { PivotKey: 'true' } }] }] },
      tableDestination('Load', 'Long', ['Cust', 'Quarter', 'Amount'].map((c) => `Unpivot.Unpivot Output.${c}`), [{ name: 'Cust', dataType: 'wstr', length: 5 }, { name: 'Quarter', dataType: 'wstr', length: 5 }, { name: 'Amount', dataType: 'i4' }]),
    ],
    paths: [['Wide.Out', 'Unpivot.Unpivot Input'], ['Unpivot.Unpivot Output', 'Load.In']],
  });
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal(tableRows(db, 'SELECT * FROM Long ORDER BY rowid'), [['A', 'Q1', 10], ['A', 'Q3', 30]]);
});

test.run();
