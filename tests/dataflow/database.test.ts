/**
 * The database components on SQLite in-process: the sales package (Lookup full cache with a
 * no-match output, OLE DB Destination fast load into `[dbo].[Sales]`), Lookup partial and no cache,
 * no-match as error (fail and redirect with ErrorCode), OLE DB Source by table, SQL with `?`
 * parameters and SQL from a variable, OLE DB Command, and a Recordset Destination looped by a
 * Foreach ADO enumerator.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { errorsOf, rowsByPath, runSpec, tempDir } from './helpers.ts';
import { EXPECTED_PATH_ROWS, EXPECTED_REJECTED, EXPECTED_SALES, EXPECTED_UNMATCHED, prepareSalesData, salesPackage } from './sales-package.ts';

const t = tempDir('db');
const test = suite('data flow: database components (SQLite)');


test('sales package: split, lookup with no-match output, fast load into [dbo].[Sales], flat files, path counts', async () => {
  const paths = { csv: t.file('sales.csv'), db: t.file('wh.sqlite'), rejected: t.file('rejected.txt'), unmatched: t.file('unmatched.txt') };
  prepareSalesData(paths.csv, paths.db);
  const run = await runSpec(salesPackage(paths));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  const db = new Database(paths.db, { readonly: true });
  const rows = db.prepare('SELECT Id, CustomerName, CountryName, Amount FROM Sales ORDER BY Id').raw(true).all();
  db.close();
  assert.equal(rows, EXPECTED_SALES);
  assert.is(t.read('rejected.txt'), EXPECTED_REJECTED);
  assert.is(t.read('unmatched.txt'), EXPECTED_UNMATCHED);
  assert.equal(Object.fromEntries(rowsByPath(run)), EXPECTED_PATH_ROWS);
  assert.ok(run.messages(70).some((m) => m.text === '"Load Sales" wrote 3 rows.'));
});

test.run();

// ---- more components on one small database ----------------------------------------------------

const more = suite('data flow: sources, lookups, commands, recordsets (SQLite)');
const dbFile = t.file('more.sqlite');
const conn = `Provider=SQLite;Data Source=${dbFile}`;
more.after(() => t.remove());
more.before(() => {
  const d = new Database(dbFile);
  d.exec(`CREATE TABLE People (Id INTEGER, Name TEXT, Dept TEXT);
    INSERT INTO People VALUES (1, 'Ann', 'IT'), (2, 'Bob', 'HR'), (3, 'Cy', NULL), (4, 'Dee', 'it');
    CREATE TABLE Depts (Code TEXT, Title TEXT); INSERT INTO Depts VALUES ('IT', 'Engineering'), ('HR', 'People'), ('HR', 'Duplicate');
    CREATE TABLE Audit (PersonId INTEGER, Note TEXT);`);
  d.close();
});

const person = [{ name: 'Id', dataType: 'i4', ext: 'Id' }, { name: 'Name', dataType: 'wstr', length: 20, ext: 'Name' }, { name: 'Dept', dataType: 'wstr', length: 10, ext: 'Dept' }];
const source = (props: Record<string, string>) => ({
  name: 'People', classId: 'Microsoft.OLEDBSource', connection: 'Db', props,
  outputs: [{ name: 'Out', columns: person, external: person.map((p) => ({ name: p.name, dataType: p.dataType, length: p.length })) }],
});
const recordset = (from: string[]) => ({
  name: 'Keep', classId: 'Microsoft.RecordsetDestination', props: { VariableName: 'User::Rows' },
  inputs: [{ name: 'In', columns: from.map((f) => ({ from: f })) }],
});
/** A Foreach ADO loop over User::Rows concatenating column 0 and 1 of each row into User::Names. */
const loop = `<DTS:Executable DTS:refId="Package\\EachRow" DTS:CreationName="STOCK:FOREACHLOOP" DTS:DTSID="{33333333-0000-0000-0000-000000000001}" DTS:ExecutableType="STOCK:FOREACHLOOP" DTS:ObjectName="EachRow">
  <DTS:ForEachEnumerator DTS:CreationName="Microsoft.ForEachADOEnumerator" DTS:DTSID="{33333333-0000-0000-0000-000000000002}" DTS:ObjectName="rows"><DTS:ObjectData><FEEADO EnumType="EnumerateRowsInFirstTable" VarName="User::Rows" /></DTS:ObjectData></DTS:ForEachEnumerator>
  <DTS:Executables><DTS:Executable DTS:refId="Package\\EachRow\\Append" DTS:CreationName="Microsoft.ExpressionTask" DTS:DTSID="{33333333-0000-0000-0000-000000000003}" DTS:ExecutableType="Microsoft.ExpressionTask" DTS:ObjectName="Append">
    <DTS:ObjectData><ExpressionTask Expression='@[User::Names] = @[User::Names] + (DT_WSTR,10)@[User::RowId] + "=" + @[User::RowName] + ";"' /></DTS:ObjectData></DTS:Executable></DTS:Executables>
  <DTS:ForEachVariableMappings>
    <DTS:ForEachVariableMapping DTS:CreationName="" DTS:DTSID="{33333333-0000-0000-0000-000000000004}" DTS:ObjectName="m0" DTS:ValueIndex="0" DTS:VariableName="User::RowId" />
    <DTS:ForEachVariableMapping DTS:CreationName="" DTS:DTSID="{33333333-0000-0000-0000-000000000005}" DTS:ObjectName="m1" DTS:ValueIndex="1" DTS:VariableName="User::RowName" />
  </DTS:ForEachVariableMappings></DTS:Executable>`;
const loopAfter = '<DTS:PrecedenceConstraints><DTS:PrecedenceConstraint DTS:refId="Package.PrecedenceConstraints[c0]" DTS:CreationName="" DTS:DTSID="{33333333-0000-0000-0000-000000000006}" DTS:From="Package\\Data Flow Task" DTS:LogicalAnd="True" DTS:ObjectName="c0" DTS:To="Package\\EachRow" /></DTS:PrecedenceConstraints>';
const vars = [
  { name: 'Rows', dataType: 13, value: '' }, { name: 'Names', dataType: 8, value: '' }, { name: 'RowId', dataType: 3, value: '0' },
  { name: 'RowName', dataType: 8, value: '' }, { name: 'MinId', dataType: 3, value: '2' }, { name: 'Query', dataType: 8, value: 'SELECT Id, Name, Dept FROM People WHERE Id <> 4' },
  { name: 'Count', dataType: 3, value: '0' },
];

more('OLE DB Source with a ? parameter → Row Count → Recordset Destination, looped by a Foreach ADO enumerator', async () => {
  const run = await runSpec({
    oledb: [{ name: 'Db', connectionString: conn }], variables: vars,
    components: [
      source({ AccessMode: '2', SqlCommand: 'SELECT Id, Name, Dept FROM People WHERE Id >= ? ORDER BY Id', ParameterMapping: '"Parameter0:Input",{A0000000-0000-0000-0000-000000000004};' }),
      { name: 'Count', classId: 'Microsoft.RowCount', props: { VariableName: 'User::Count' }, inputs: [{ name: 'In' }], outputs: [{ name: 'Out', syncWith: 'In' }] },
      recordset(['People.Out.Id', 'People.Out.Name']),
    ],
    paths: [['People.Out', 'Count.In'], ['Count.Out', 'Keep.In']],
    extraExecutables: loop, afterExecutables: loopAfter,
  });
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  const assigned = run.messages(70).map((m) => /evaluated to (.*) and was assigned to User::Names/.exec(m.text)?.[1]).filter(Boolean);
  assert.is(assigned[assigned.length - 1], '2=Bob;3=Cy;4=Dee;');
});

more('OLE DB Source from a table and from a SQL variable; Union All; Multicast into two recordsets', async () => {
  const run = await runSpec({
    oledb: [{ name: 'Db', connectionString: conn }], variables: [...vars, { name: 'Copy', dataType: 13, value: '' }],
    components: [
      source({ AccessMode: '0', OpenRowset: '[dbo].[People]' }),
      { ...source({ AccessMode: '3', SqlCommandVariable: 'User::Query' }), name: 'Again' },
      { name: 'Union', classId: 'Microsoft.UnionAll', inputs: [
        { name: 'In1', columns: [{ from: 'People.Out.Id', props: { OutputColumnLineageID: '#{Package\\Data Flow Task\\Union.Outputs[Out].Columns[Id]}' } }, { from: 'People.Out.Name', props: { OutputColumnLineageID: '#{Package\\Data Flow Task\\Union.Outputs[Out].Columns[Name]}' } }] },
        { name: 'In2', columns: [{ from: 'Again.Out.Id', props: { OutputColumnLineageID: '#{Package\\Data Flow Task\\Union.Outputs[Out].Columns[Id]}' } }, { from: 'Again.Out.Name', props: { OutputColumnLineageID: '#{Package\\Data Flow Task\\Union.Outputs[Out].Columns[Name]}' } }] },
      ], outputs: [{ name: 'Out', columns: [{ name: 'Id', dataType: 'i4' }, { name: 'Name', dataType: 'wstr', length: 20 }] }] },
      { name: 'Fan', classId: 'Microsoft.Multicast', inputs: [{ name: 'In' }], outputs: [{ name: 'A', syncWith: 'In' }, { name: 'B', syncWith: 'In' }] },
      recordset(['Union.Out.Id', 'Union.Out.Name']),
      { ...recordset(['Union.Out.Id']), name: 'Keep2', props: { VariableName: 'User::Copy' } },
    ],
    paths: [['People.Out', 'Union.In1'], ['Again.Out', 'Union.In2'], ['Union.Out', 'Fan.In'], ['Fan.A', 'Keep.In'], ['Fan.B', 'Keep2.In']],
    extraExecutables: loop, afterExecutables: loopAfter,
  });
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  const assigned = run.messages(70).map((m) => /evaluated to (.*) and was assigned to User::Names/.exec(m.text)?.[1]).filter(Boolean) as string[];
  const final = (assigned[assigned.length - 1] ?? '').split(';').filter(Boolean).sort();
  // 4 rows from the table, 3 from the query in the variable (Id <> 4), in whatever order the two sources interleave.
  assert.equal(final, ['1=Ann', '1=Ann', '2=Bob', '2=Bob', '3=Cy', '3=Cy', '4=Dee']);
  assert.ok(run.messages(70).some((m) => m.text === '"Keep2" wrote 7 rows.'), run.messages(70).map((m) => m.text).join('\n'));
});

function lookupSpec(props: Record<string, string>, disposition?: string) {
  return {
    oledb: [{ name: 'Db', connectionString: conn }], variables: vars,
    components: [
      source({ AccessMode: '2', SqlCommand: 'SELECT Id, Name, Dept FROM People ORDER BY Id' }),
      { name: 'Dept', classId: 'Microsoft.Lookup', connection: 'Db', props: { SqlCommand: 'SELECT Code, Title FROM Depts', SqlCommandParam: 'SELECT * FROM (SELECT Code, Title FROM Depts) refTable WHERE refTable.Code = ?', ...props },
        inputs: [{ name: 'In', errorDisposition: disposition, columns: [{ from: 'People.Out.Dept', props: { JoinToReferenceColumn: 'Code' } }] }],
        outputs: [{ name: 'Lookup Match Output', syncWith: 'In', columns: [{ name: 'Title', dataType: 'wstr', length: 20, props: { CopyFromReferenceColumn: 'Title' } }] },
          { name: 'Lookup No Match Output', syncWith: 'In' }, { name: 'Lookup Error Output', syncWith: 'In', error: true }] },
      { ...recordset(['People.Out.Id', 'Dept.Lookup Match Output.Title']) },
      { ...recordset(['People.Out.Id', 'Dept.Lookup Error Output.ErrorCode']), name: 'Errs', props: { VariableName: 'User::Copy' } },
    ],
    paths: [['People.Out', 'Dept.In'], ['Dept.Lookup Match Output', 'Keep.In'], ['Dept.Lookup Error Output', 'Errs.In']] as [string, string][],
    extraExecutables: loop, afterExecutables: loopAfter,
  };
}
const finalNames = (run: Awaited<ReturnType<typeof runSpec>>) => {
  const a = run.messages(70).map((m) => /evaluated to (.*) and was assigned to User::Names/.exec(m.text)?.[1]).filter(Boolean) as string[];
  return a[a.length - 1] ?? '';
};

for (const [label, cacheType] of [['full', '0'], ['partial', '1'], ['no', '2']] as const) {
  more(`Lookup (${label} cache): exact, case-sensitive matches, first duplicate wins, NULL and 'it' redirected with ErrorCode -1071607778`, async () => {
    const spec = lookupSpec({ CacheType: cacheType }, 'RedirectRow');
    spec.variables = [...vars, { name: 'Copy', dataType: 13, value: '' }];
    const run = await runSpec(spec);
    assert.is(run.result.outcome, 'succeeded', errorsOf(run));
    assert.is(finalNames(run), '1=Engineering;2=People;');
    assert.ok(run.messages(70).some((m) => m.text === '"Errs" wrote 2 rows.'), run.messages(70).map((m) => m.text).join('\n'));
  });
}

more('Lookup no match with the default disposition fails naming the component, the row and the key', async () => {
  const spec = lookupSpec({ CacheType: '0' });
  spec.variables = [...vars, { name: 'Copy', dataType: 13, value: '' }];
  const run = await runSpec(spec);
  assert.is(run.result.outcome, 'failed');
  assert.match(errorsOf(run), /\\Package\\Data Flow Task\\Dept: row 3: Row yielded no match during lookup \(key Dept=NULL\)/);
});

more('OLE DB Command runs once per row with the mapped parameters', async () => {
  const run = await runSpec({
    oledb: [{ name: 'Db', connectionString: conn }], variables: vars,
    components: [
      source({ AccessMode: '2', SqlCommand: 'SELECT Id, Name, Dept FROM People WHERE Dept IS NOT NULL' }),
      { name: 'Note', classId: 'Microsoft.OLEDBCommand', connection: 'Db', props: { SqlCommand: 'INSERT INTO Audit (PersonId, Note) VALUES (?, ?)' },
        inputs: [{ name: 'In', columns: [{ from: 'People.Out.Name', ext: 'Param_1' }, { from: 'People.Out.Id', ext: 'Param_0' }], external: [{ name: 'Param_0', dataType: 'i4' }, { name: 'Param_1', dataType: 'wstr', length: 20 }] }],
        outputs: [{ name: 'Out', syncWith: 'In' }, { name: 'Err', syncWith: 'In', error: true }] },
    ],
    paths: [['People.Out', 'Note.In']],
  });
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  const d = new Database(dbFile, { readonly: true });
  assert.equal(d.prepare('SELECT PersonId, Note FROM Audit ORDER BY PersonId').raw(true).all(), [[1, 'Ann'], [2, 'Bob'], [4, 'Dee']]);
  d.close();
});

more('OLE DB Destination: a failing insert is redirected with ErrorCode -1071607685 when the input redirects, and fails the flow naming the table otherwise', async () => {
  const d = new Database(dbFile);
  d.exec('CREATE TABLE Strict (Id INTEGER NOT NULL, Dept TEXT NOT NULL)');
  d.close();
  const spec = (disposition?: string) => ({
    oledb: [{ name: 'Db', connectionString: conn }], variables: [...vars, { name: 'Copy', dataType: 13, value: '' }],
    components: [
      source({ AccessMode: '2', SqlCommand: 'SELECT Id, Name, Dept FROM People ORDER BY Id' }),
      { name: 'Load', classId: 'Microsoft.OLEDBDestination', connection: 'Db', props: { AccessMode: '3', OpenRowset: '[dbo].[Strict]' },
        inputs: [{ name: 'In', errorDisposition: disposition, columns: [{ from: 'People.Out.Id', ext: 'Id' }, { from: 'People.Out.Dept', ext: 'Dept' }], external: [{ name: 'Id', dataType: 'i4' }, { name: 'Dept', dataType: 'wstr', length: 10 }] }],
        outputs: [{ name: 'Err', error: true }] },
      { ...recordset(['People.Out.Id', 'Load.Err.ErrorCode']) },
    ],
    paths: [['People.Out', 'Load.In'], ['Load.Err', 'Keep.In']] as [string, string][],
    extraExecutables: loop, afterExecutables: loopAfter,
  });
  let run = await runSpec(spec('RedirectRow'));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.is(finalNames(run), '3=-1071607685;');
  assert.ok(run.messages(70).some((m) => m.text === '"Load" wrote 3 rows.'));
  run = await runSpec(spec());
  assert.is(run.result.outcome, 'failed');
  assert.match(errorsOf(run), /\\Package\\Data Flow Task\\Load: .*Strict.*NOT NULL/);
  const check = new Database(dbFile, { readonly: true });
  assert.is((check.prepare('SELECT COUNT(*) AS n FROM Strict').get() as { n: number }).n, 3, 'the failed run left no partial rows (one transaction)');
  check.close();
});

more('ADO.NET Source → ADO.NET Destination (managed components by UserComponentTypeName), ODBC Source → ODBC and SQL Server Destinations', async () => {
  const d = new Database(dbFile);
  d.exec('CREATE TABLE CopyA (Id INTEGER, Name TEXT); CREATE TABLE CopyB (Id INTEGER, Name TEXT); CREATE TABLE CopyC (Id INTEGER, Name TEXT);');
  d.close();
  const cols = [{ name: 'Id', dataType: 'i4', ext: 'Id' }, { name: 'Name', dataType: 'wstr', length: 20, ext: 'Name' }];
  const ext = [{ name: 'Id', dataType: 'i4' }, { name: 'Name', dataType: 'wstr', length: 20 }];
  const dest = (name: string, classId: string, props: Record<string, string>, from: string) => ({ name, classId, connection: 'Db', props,
    inputs: [{ name: 'In', columns: [{ from: `${from}.Out.Id`, ext: 'Id' }, { from: `${from}.Out.Name`, ext: 'Name' }], external: ext }] });
  const run = await runSpec({
    oledb: [{ name: 'Db', connectionString: conn }],
    components: [
      { name: 'Ado', classId: 'Microsoft.ManagedComponentHost', connection: 'Db', props: { UserComponentTypeName: 'Microsoft.DataReaderSourceAdapter', AccessMode: '2', SqlCommand: 'SELECT Id, Name FROM People WHERE Id <= 2' },
        outputs: [{ name: 'Out', columns: cols, external: ext }] },
      dest('AdoDst', 'Microsoft.ManagedComponentHost', { UserComponentTypeName: 'Microsoft.ADONETDestination', TableOrViewName: '"CopyA"' }, 'Ado'),
      { name: 'Odbc', classId: 'Microsoft.SSISODBCSrc', connection: 'Db', props: { AccessMode: '0', TableName: 'People' }, outputs: [{ name: 'Out', columns: cols, external: ext }] },
      { name: 'Fan', classId: 'Microsoft.Multicast', inputs: [{ name: 'In' }], outputs: [{ name: 'A', syncWith: 'In' }, { name: 'B', syncWith: 'In' }] },
      { ...dest('OdbcDst', 'Microsoft.SSISODBCDst', { TableName: 'CopyB' }, 'Odbc'), inputs: [{ name: 'In', columns: [{ from: 'Odbc.Out.Id', ext: 'Id' }, { from: 'Odbc.Out.Name', ext: 'Name' }], external: ext }] },
      dest('SqlDst', 'Microsoft.SQLServerDestination', { BulkInsertTableName: '[dbo].[CopyC]' }, 'Odbc'),
    ],
    paths: [['Ado.Out', 'AdoDst.In'], ['Odbc.Out', 'Fan.In'], ['Fan.A', 'OdbcDst.In'], ['Fan.B', 'SqlDst.In']],
  });
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  const check = new Database(dbFile, { readonly: true });
  const all = (t: string) => check.prepare(`SELECT Id, Name FROM ${t} ORDER BY Id`).raw(true).all();
  assert.equal(all('CopyA'), [[1, 'Ann'], [2, 'Bob']]);
  assert.equal(all('CopyB'), [[1, 'Ann'], [2, 'Bob'], [3, 'Cy'], [4, 'Dee']]);
  assert.equal(all('CopyC'), all('CopyB'));
  check.close();
});

more.run();
