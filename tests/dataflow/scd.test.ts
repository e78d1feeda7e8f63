/**
 * The Slowly Changing Dimension as the wizard wires it, on a SQLite dimension table over two runs:
 * business key Code, changing attribute Name (OLE DB Command UPDATE), historical attribute City
 * (expire the current row with an OLE DB Command, insert a new version through Union All with the
 * new rows into an OLE DB Destination), fixed attribute Birth (Fixed Attribute Output, or a failure
 * with FailOnFixedAttributeChange), and an inferred member completed by its own OLE DB Command.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ComponentSpec, PackageSpec } from './builder.ts';
import { errorsOf, rowsByPath, runSpec, tempDir } from './helpers.ts';
import { exec, lineageRefOf, sqlSource, tableRows } from './part-two.ts';

const t = tempDir('scd');
const db = t.file('dw.sqlite');
const test = suite('data flow: Slowly Changing Dimension (SQLite, two runs)');
test.after(() => t.remove());
test.before(() => exec(db, `
  CREATE TABLE Staging (Code TEXT, Name TEXT, City TEXT, Birth TEXT);
  CREATE TABLE DimCustomer (Sk INTEGER PRIMARY KEY, Code TEXT, Name TEXT, City TEXT, Birth TEXT, Inferred INTEGER DEFAULT 0, StartRun INTEGER, EndRun INTEGER);
  -- An inferred member (loaded early by a fact load): only its key is known.
  INSERT INTO DimCustomer (Code, Name, City, Birth, Inferred, StartRun) VALUES ('C9', NULL, NULL, NULL, 1, 0);
`));

const staging = [{ name: 'Code', dataType: 'wstr', length: 10 }, { name: 'Name', dataType: 'wstr', length: 30 }, { name: 'City', dataType: 'wstr', length: 30 }, { name: 'Birth', dataType: 'wstr', length: 10 }];
const TYPES: Record<string, number> = { Code: 1, Name: 2, City: 3, Birth: 4 };
const param = (from: string, n: number) => ({ from, ext: `Param_${n}` });
const cmd = (name: string, sql: string, params: { from: string; ext: string }[]): ComponentSpec => ({
  name, classId: 'Microsoft.OLEDBCommand', connection: 'Db', props: { SqlCommand: sql },
  inputs: [{ name: 'In', columns: params, external: params.map((p) => ({ name: p.ext, dataType: p.from.endsWith('RunNo') ? 'i4' : 'wstr', length: 30 })) }],
  outputs: [{ name: 'Out', syncWith: 'In' }],
});
const s = (col: string) => `Staging.Out.${col}`;

function scdPackage(run: number, failOnFixed: boolean): PackageSpec {
  const outputs = ['Unchanged Output', 'New Output', 'Fixed Attribute Output', 'Changing Attribute Updates Output', 'Historical Attribute Inserts Output', 'Inferred Member Updates Output'];
  const union = (col: string, dataType: string, length?: number) => ({ name: col, dataType, ...(length ? { length } : {}) });
  const unionCols = ['Code', 'Name', 'City', 'Birth'];
  return {
    oledb: [{ name: 'Db', connectionString: `Provider=SQLite;Data Source=${db}` }],
    variables: [{ name: 'Run', dataType: 3, value: String(run) }, { name: 'Fixed', dataType: 3, value: '0' }],
    components: [
      sqlSource('Staging', 'SELECT Code, Name, City, Birth FROM Staging', staging),
      {
        name: 'SCD', classId: 'Microsoft.SCD', connection: 'Db',
        props: {
          SqlCommand: 'SELECT Code, Name, City, Birth, Inferred, StartRun, EndRun FROM DimCustomer', CurrentRowWhere: '[EndRun] IS NULL',
          UpdateChangingAttributeHistory: 'false', FailOnFixedAttributeChange: failOnFixed ? 'true' : 'false', InferredMemberIndicator: '[Inferred]',
          EnableInferredMember: 'true', FailOnLookupFailure: 'false', IncomingRowChangeType: '1',
        },
        inputs: [{ name: 'Slowly Changing Dimension Input', columns: staging.map((c) => ({ from: s(c.name), ext: c.name, props: { ColumnType: String(TYPES[c.name]) } })), external: staging }],
        outputs: outputs.map((name) => ({ name, syncWith: 'Slowly Changing Dimension Input' })),
      },
      cmd('Update Changing', 'UPDATE DimCustomer SET Name = ? WHERE Code = ?', [param(s('Name'), 0), param(s('Code'), 1)]),
      cmd('Complete Inferred', 'UPDATE DimCustomer SET Name = ?, City = ?, Birth = ?, Inferred = 0 WHERE Code = ? AND EndRun IS NULL', [param(s('Name'), 0), param(s('City'), 1), param(s('Birth'), 2), param(s('Code'), 3)]),
      { name: 'Count Fixed', classId: 'Microsoft.RowCount', props: { VariableName: 'User::Fixed' }, inputs: [{ name: 'In' }], outputs: [{ name: 'Out', syncWith: 'In' }] },
      { name: 'Expiry Run', classId: 'Microsoft.DerivedColumn', inputs: [{ name: 'In' }], outputs: [{ name: 'Out', syncWith: 'In', columns: [{ name: 'RunNo', dataType: 'i4', props: { FriendlyExpression: '@[User::Run]' } }] }] },
      cmd('Expire', 'UPDATE DimCustomer SET EndRun = ? WHERE Code = ? AND EndRun IS NULL', [param('Expiry Run.Out.RunNo', 0), param(s('Code'), 1)]),
      {
        name: 'Union All', classId: 'Microsoft.UnionAll',
        inputs: ['Union Input 1', 'Union Input 2'].map((n) => ({ name: n, columns: unionCols.map((c) => ({ from: s(c), props: { OutputColumnLineageID: lineageRefOf(`Union All.Union Output.${c}`) } })) })),
        outputs: [{ name: 'Union Output', columns: unionCols.map((c) => union(c, 'wstr', 30)) }],
      },
      { name: 'Start Run', classId: 'Microsoft.DerivedColumn', inputs: [{ name: 'In' }], outputs: [{ name: 'Out', syncWith: 'In', columns: [{ name: 'RunNo', dataType: 'i4', props: { FriendlyExpression: '@[User::Run]' } }] }] },
      {
        name: 'Insert Versions', classId: 'Microsoft.OLEDBDestination', connection: 'Db', props: { AccessMode: '3', OpenRowset: '[dbo].[DimCustomer]' },
        inputs: [{ name: 'In', columns: [...unionCols.map((c) => ({ from: `Union All.Union Output.${c}`, ext: c })), { from: 'Start Run.Out.RunNo', ext: 'StartRun' }], external: [...unionCols.map((c) => union(c, 'wstr', 30)), { name: 'StartRun', dataType: 'i4' }] }],
      },
    ],
    paths: [
      ['Staging.Out', 'SCD.Slowly Changing Dimension Input'],
      ['SCD.Changing Attribute Updates Output', 'Update Changing.In'],
      ['SCD.Inferred Member Updates Output', 'Complete Inferred.In'],
      ['SCD.Fixed Attribute Output', 'Count Fixed.In'],
      ['SCD.Historical Attribute Inserts Output', 'Expiry Run.In'],
      ['Expiry Run.Out', 'Expire.In'],
      ['Expire.Out', 'Union All.Union Input 1'],
      ['SCD.New Output', 'Union All.Union Input 2'],
      ['Union All.Union Output', 'Start Run.In'],
      ['Start Run.Out', 'Insert Versions.In'],
    ],
  };
}

const dim = () => tableRows(db, 'SELECT Code, Name, City, Birth, Inferred, StartRun, EndRun FROM DimCustomer ORDER BY Code, StartRun');

test('run 1 inserts new members and completes the inferred one; run 2 expires historical changes, updates changing ones in place', async () => {
  exec(db, `INSERT INTO Staging VALUES ('C1', 'Ann', 'Oslo', '1990'), ('C2', 'Bob', 'Rome', '1985'), ('C3', NULL, 'Lima', NULL), ('C9', 'Ida', 'Kyiv', '2000');`);
  let run = await runSpec(scdPackage(1, false));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal(dim(), [
    ['C1', 'Ann', 'Oslo', '1990', 0, 1, null],
    ['C2', 'Bob', 'Rome', '1985', 0, 1, null],
    ['C3', null, 'Lima', null, 0, 1, null],
    ['C9', 'Ida', 'Kyiv', '2000', 0, 0, null],
  ]);
  assert.ok(run.messages(70).some((m) => m.text === '"SCD": 3 new, 0 changing, 0 historical, 0 fixed, 1 inferred, 0 unchanged rows.'), errorsOf(run));

  // Run 2: C1 moves (historical), C2 renamed (changing), C3 renamed from NULL and moves (both), C9 unchanged, C4 new.
  exec(db, `DELETE FROM Staging; INSERT INTO Staging VALUES ('C1', 'Ann', 'Bergen', '1990'), ('C2', 'Robert', 'Rome', '1985'), ('C3', 'Cy', 'Quito', NULL), ('C9', 'Ida', 'Kyiv', '2000'), ('C4', 'Dee', 'Oslo', '1999');`);
  run = await runSpec(scdPackage(2, false));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal(dim(), [
    ['C1', 'Ann', 'Oslo', '1990', 0, 1, 2],
    ['C1', 'Ann', 'Bergen', '1990', 0, 2, null],
    ['C2', 'Robert', 'Rome', '1985', 0, 1, null],
    ['C3', 'Cy', 'Lima', null, 0, 1, 2],
    ['C3', 'Cy', 'Quito', null, 0, 2, null],
    ['C4', 'Dee', 'Oslo', '1999', 0, 2, null],
    ['C9', 'Ida', 'Kyiv', '2000', 0, 0, null],
  ]);
  assert.ok(run.messages(70).some((m) => m.text === '"SCD": 1 new, 2 changing, 2 historical, 0 fixed, 0 inferred, 1 unchanged rows.'), errorsOf(run));
  const counts = rowsByPath(run);
  assert.is(counts.get('P1'), 2); // changing updates
  assert.is(counts.get('P4'), 2); // historical inserts
  assert.is(counts.get('P9'), 3); // versions inserted
});

test('a changed fixed attribute goes to the Fixed Attribute Output, or fails naming the column with FailOnFixedAttributeChange', async () => {
  exec(db, `DELETE FROM Staging; INSERT INTO Staging VALUES ('C4', 'Dee', 'Oslo', '1998');`);
  let run = await runSpec(scdPackage(3, false));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.is(rowsByPath(run).get('P3'), 1);
  run = await runSpec(scdPackage(3, true));
  assert.is(run.result.outcome, 'failed');
  assert.match(errorsOf(run), /SCD: row 1 column "Birth": a fixed attribute changed and FailOnFixedAttributeChange is set/);
});

test('an empty input and a component without attribute columns (validation error)', async () => {
  exec(db, 'DELETE FROM Staging');
  const run = await runSpec(scdPackage(4, true));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  const spec = scdPackage(4, true);
  const scd = spec.components[1]!;
  scd.inputs![0]!.columns = scd.inputs![0]!.columns!.map((c) => ({ ...c, props: { ColumnType: c.from.endsWith('Code') ? '1' : '0' } }));
  const bad = await runSpec(spec);
  assert.is(bad.result.outcome, 'failed');
  assert.match(errorsOf(bad), /no fixed, changing or historical attribute column/);
});

test.run();
