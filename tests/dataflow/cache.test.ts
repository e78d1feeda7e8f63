/**
 * Cache Transform + Cache connection manager + Lookup (ConnectionType 1): one data flow fills the
 * cache, a second one (after it by a precedence constraint) looks rows up in it; duplicate keys,
 * NULL keys, a cache file (UseFile) read by a later execution, and a Lookup on an empty cache
 * connection manager.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ColumnSpec, PackageSpec } from './builder.ts';
import { buildPackage } from './builder.ts';
import { errorsOf, runSpec, tempDir } from './helpers.ts';
import { exec, sqlSource, tableDestination, tableRows } from './part-two.ts';

const t = tempDir('cache');
const db = t.file('cache.sqlite');
const test = suite('data flow: Cache Transform, Cache connection manager, Lookup from the cache');
test.after(() => t.remove());
test.before(() => exec(db, `
  CREATE TABLE Depts (Code TEXT, Title TEXT);
  INSERT INTO Depts VALUES ('HR', 'People'), ('IT', 'Engineering'), (NULL, 'Nobody');
  CREATE TABLE People (Id INTEGER, Dept TEXT);
  INSERT INTO People VALUES (1, 'IT'), (2, 'HR'), (3, NULL), (4, 'OPS');
  CREATE TABLE Result (Id INTEGER, Title TEXT);
`));

const cacheCm = (file?: string) => `<DTS:ConnectionManager DTS:refId="Package.ConnectionManagers[Dept Cache]" DTS:CreationName="CACHE" DTS:DTSID="{C0000000-0000-0000-0000-000000000001}" DTS:ObjectName="Dept Cache"><DTS:ObjectData><DTS:ConnectionManager${file ? ` DTS:UseFile="True" DTS:ConnectionString="${file}"` : ''}><DTS:CacheColumns>
  <DTS:CacheColumn DTS:DataType="130" DTS:Length="10" DTS:IndexPosition="1" DTS:ObjectName="Code" DTS:DTSID="{C0000000-0000-0000-0000-000000000002}" DTS:CreationName="" />
  <DTS:CacheColumn DTS:DataType="130" DTS:Length="20" DTS:ObjectName="Title" DTS:DTSID="{C0000000-0000-0000-0000-000000000003}" DTS:CreationName="" />
</DTS:CacheColumns></DTS:ConnectionManager></DTS:ObjectData></DTS:ConnectionManager>`;
const dept: ColumnSpec[] = [{ name: 'Code', dataType: 'wstr', length: 10 }, { name: 'Title', dataType: 'wstr', length: 20 }];
const person: ColumnSpec[] = [{ name: 'Id', dataType: 'i4' }, { name: 'Dept', dataType: 'wstr', length: 10 }];
const oledb = [{ name: 'Db', connectionString: `Provider=SQLite;Data Source=${db}` }];

const fillSpec = (where: string, duplicatesFail: boolean): PackageSpec => ({
  oledb, components: [
    sqlSource('Depts', `SELECT Code, Title FROM Depts WHERE ${where}`, dept),
    { name: 'Fill Cache', classId: 'Microsoft.Cache', connection: 'Dept Cache', props: { TreatDuplicateKeysAsError: String(duplicatesFail) },
      inputs: [{ name: 'Cache Input', columns: dept.map((c) => ({ from: `Depts.Out.${c.name}`, props: { CacheColumnName: c.name } })) }], outputs: [{ name: 'Cache Output', syncWith: 'Cache Input' }] },
  ], paths: [['Depts.Out', 'Fill Cache.Cache Input']],
});
const lookupSpec: PackageSpec = {
  oledb, components: [
    sqlSource('People', 'SELECT Id, Dept FROM People ORDER BY Id', person),
    { name: 'Find Dept', classId: 'Microsoft.Lookup', connection: 'Dept Cache', props: { ConnectionType: '1', CacheType: '0', NoMatchBehavior: '1' },
      inputs: [{ name: 'Lookup Input', columns: [{ from: 'People.Out.Dept', props: { JoinToReferenceColumn: 'Code' } }] }],
      outputs: [{ name: 'Lookup Match Output', syncWith: 'Lookup Input', columns: [{ name: 'Title', dataType: 'wstr', length: 20, props: { CopyFromReferenceColumn: 'Title' } }] }, { name: 'Lookup No Match Output', syncWith: 'Lookup Input' }] },
    tableDestination('Load', 'Result', ['People.Out.Id', 'Find Dept.Lookup Match Output.Title'], [person[0]!, dept[1]!]),
  ], paths: [['People.Out', 'Find Dept.Lookup Input'], ['Find Dept.Lookup Match Output', 'Load.In']],
};

/** The lookup flow as a second Data Flow Task ("Use Cache") after the fill flow. */
function twoFlows(fill: PackageSpec | undefined, file?: string): PackageSpec {
  const second = buildPackage(lookupSpec);
  const flow = /<DTS:Executable DTS:refId="Package\\Data Flow Task"[\s\S]*?<\/DTS:Executable>/.exec(second)![0]
    .replaceAll('Package\\Data Flow Task', 'Package\\Use Cache').replace('DTS:ObjectName="Data Flow Task"', 'DTS:ObjectName="Use Cache"').replace('{22222222-2222-2222-2222-222222222222}', '{22222222-2222-2222-2222-222222222223}');
  const base = fill ?? { oledb, components: [], paths: [] };
  return {
    ...base, extraConnections: cacheCm(file), extraExecutables: flow,
    afterExecutables: fill ? '<DTS:PrecedenceConstraints><DTS:PrecedenceConstraint DTS:refId="Package.PrecedenceConstraints[c0]" DTS:CreationName="" DTS:DTSID="{33333333-0000-0000-0000-00000000000A}" DTS:From="Package\\Data Flow Task" DTS:LogicalAnd="True" DTS:ObjectName="c0" DTS:To="Package\\Use Cache" /></DTS:PrecedenceConstraints>' : '',
  };
}

test('a Cache Transform fills the cache; a later Lookup reads it (NULL keys never match)', async () => {
  exec(db, 'DELETE FROM Result');
  const run = await runSpec(twoFlows(fillSpec('1', true)));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal(tableRows(db, 'SELECT Id, Title FROM Result ORDER BY Id'), [[1, 'Engineering'], [2, 'People']]);
  assert.ok(run.messages(70).some((m) => m.text === '"Fill Cache" wrote 3 rows to the cache \'Dept Cache\'.'), errorsOf(run));
});

test('duplicate keys fail with TreatDuplicateKeysAsError, else the first row wins', async () => {
  exec(db, "INSERT INTO Depts VALUES ('IT', 'Second IT'); DELETE FROM Result");
  let run = await runSpec(twoFlows(fillSpec('1', true)));
  assert.is(run.result.outcome, 'failed');
  assert.match(errorsOf(run), /Fill Cache: row 4: the key \(Code\) repeats an earlier row and TreatDuplicateKeysAsError is set/);
  run = await runSpec(twoFlows(fillSpec('1', false)));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal(tableRows(db, 'SELECT Id, Title FROM Result ORDER BY Id'), [[1, 'Engineering'], [2, 'People']]);
  exec(db, "DELETE FROM Depts WHERE Title = 'Second IT'");
});

test('a cache file (UseFile) written by one execution is read by the next; an empty cache is an error naming it', async () => {
  const file = t.file('depts.cache');
  exec(db, 'DELETE FROM Result');
  let run = await runSpec(twoFlows(fillSpec("Code = 'HR'", true), file));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  exec(db, 'DELETE FROM Result');
  run = await runSpec(twoFlows(undefined, file));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal(tableRows(db, 'SELECT Id, Title FROM Result ORDER BY Id'), [[2, 'People']]);
  run = await runSpec(twoFlows(undefined));
  assert.is(run.result.outcome, 'failed');
  assert.match(errorsOf(run), /Find Dept: the Cache connection manager 'Dept Cache' holds no data: a Cache Transform must fill it earlier in this execution/);
});

test.run();
