/**
 * Data taps in the engine (executor/package/dataflow/data-taps.ts): the rows of a path written as CSV
 * under `<task folder>/DataDumps/`, with a header of the columns the path carries (upstream columns of a
 * synchronous output included), NULL as an empty field, quoting of commas and quotes, MaxRows across
 * buffers, taps by package path and by task GUID, a file per run of a looped data flow, and taps on a
 * task or path the package lacks failing the run before anything runs, naming the tap.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync } from 'node:fs';
import type { DataTapSpec } from '../../actors/ports.ts';
import type { ColumnSpec, PackageSpec } from './builder.ts';
import { errorsOf, runSpec, tempDir } from './helpers.ts';
import { exec, sqlSource, tableDestination } from './part-two.ts';

const t = tempDir('taps');
const db = t.file('taps.sqlite');
const test = suite('data flow: data taps');
test.after(() => t.remove());
test.before(() => exec(db, `
  CREATE TABLE People (Id INTEGER, Name TEXT, Dept TEXT);
  INSERT INTO People VALUES (1, 'Ann', 'HR'), (2, 'Bob, Jr.', NULL), (3, 'Cy "the" Third', 'IT'), (4, NULL, 'IT'), (5, 'Dee', 'OPS');
  CREATE TABLE Copy (Id INTEGER, Name TEXT, Dept TEXT, Label TEXT);
`));

const person: ColumnSpec[] = [{ name: 'Id', dataType: 'i4' }, { name: 'Name', dataType: 'wstr', length: 30 }, { name: 'Dept', dataType: 'wstr', length: 10 }];
const spec = (extra: Partial<PackageSpec> = {}): PackageSpec => ({
  oledb: [{ name: 'Db', connectionString: `Provider=SQLite;Data Source=${db}` }],
  components: [
    sqlSource('People', 'SELECT Id, Name, Dept FROM People ORDER BY Id', person),
    {
      name: 'Derive', classId: 'Microsoft.DerivedColumn',
      inputs: [{ name: 'In', columns: [{ from: 'People.Out.Name' }] }],
      outputs: [{ name: 'Out', syncWith: 'In', columns: [{ name: 'Label', dataType: 'wstr', length: 40, props: { FriendlyExpression: 'ISNULL(Name) ? "(none)" : UPPER(Name)' } }] }],
    },
    tableDestination('Load', 'Copy', ['People.Out.Id', 'People.Out.Name', 'People.Out.Dept', 'Derive.Out.Label'], [...person, { name: 'Label', dataType: 'wstr', length: 40 }]),
  ],
  paths: [['People.Out', 'Derive.In'], ['Derive.Out', 'Load.In']],
  taskProps: { DefaultBufferMaxRows: '2' },
  ...extra,
});
const TASK_PATH = '\\Package\\Data Flow Task';
const TASK_GUID = '{22222222-2222-2222-2222-222222222222}';
const tap = (id: number, path: string, file: string, more: Partial<DataTapSpec> = {}): DataTapSpec => ({
  dataTapId: id, taskPackagePath: TASK_PATH, dataflowTaskGuid: null, dataflowPathIdString: path, dataFilename: file, maxRows: null, ...more,
});

test('taps by path and by GUID write CSV with the path\'s columns; MaxRows holds across buffers; NULL is empty', async () => {
  const work = tempDir('taps-run');
  try {
    exec(db, 'DELETE FROM Copy');
    const run = await runSpec(spec(), {
      workingDirectory: work.dir,
      dataTaps: [
        tap(1, 'Paths[Derive.Out]', 'derived.csv', { maxRows: 3 }),
        tap(2, 'Paths[People.Out]', 'source.csv', { taskPackagePath: null, dataflowTaskGuid: TASK_GUID.slice(1, -1).toUpperCase() }),
      ],
    });
    assert.is(run.result.outcome, 'succeeded', errorsOf(run));
    assert.equal(readdirSync(work.file('DataDumps')).sort(), ['derived.csv', 'source.csv']);
    // The Derived Column's output is synchronous: the path carries the source's columns, then Label.
    assert.is(work.read('DataDumps/derived.csv'), 'Id,Name,Dept,Label\r\n1,Ann,HR,ANN\r\n2,"Bob, Jr.",,"BOB, JR."\r\n3,"Cy ""the"" Third",IT,"CY ""THE"" THIRD"\r\n');
    assert.is(work.read('DataDumps/source.csv'), 'Id,Name,Dept\r\n1,Ann,HR\r\n2,"Bob, Jr.",\r\n3,"Cy ""the"" Third",IT\r\n4,,IT\r\n5,Dee,OPS\r\n');
    assert.ok(run.messages(70).some((m) => m.text === 'The data tap file "derived.csv" holds 3 rows.'), errorsOf(run));
    // The tap only watches: every row still reached the destination.
    assert.is(Number((await import('./part-two.ts')).tableRows(db, 'SELECT COUNT(*) FROM Copy')[0]![0]), 5);
  } finally { work.remove(); }
});

test('the path refId and Paths[<path name>] name a path too; an empty input writes only the header', async () => {
  const work = tempDir('taps-names');
  try {
    const s = spec();
    const empty = { ...s, components: [sqlSource('People', 'SELECT Id, Name, Dept FROM People WHERE 0', person), ...s.components.slice(1)] };
    const run = await runSpec(empty, { workingDirectory: work.dir, dataTaps: [tap(1, 'Package\\Data Flow Task.Paths[P0]', 'a.csv'), tap(2, 'Paths[P1]', 'b.csv')] });
    assert.is(run.result.outcome, 'succeeded', errorsOf(run));
    assert.is(work.read('DataDumps/a.csv'), 'Id,Name,Dept\r\n');
    assert.is(work.read('DataDumps/b.csv'), 'Id,Name,Dept,Label\r\n');
  } finally { work.remove(); }
});

test('an unknown path, an unknown task (paths are case-sensitive) or a task that is not a data flow fails the run up front, naming the tap', async () => {
  const work = tempDir('taps-bad');
  try {
    exec(db, 'DELETE FROM Copy');
    const bad = await runSpec(spec(), { workingDirectory: work.dir, dataTaps: [tap(7, 'Paths[People.Nope]', 'x.csv')] });
    assert.is(bad.result.outcome, 'failed');
    assert.match(errorsOf(bad), /the data tap 7 \(task '\\Package\\Data Flow Task', path 'Paths\[People\.Nope\]', file 'x\.csv'\): the data flow has no path 'Paths\[People\.Nope\]' \(its paths: Paths\[People\.Out\], Paths\[Derive\.Out\]\)/);
    assert.is(Number((await import('./part-two.ts')).tableRows(db, 'SELECT COUNT(*) FROM Copy')[0]![0]), 0, 'nothing ran');
    const task = await runSpec(spec(), { workingDirectory: work.dir, dataTaps: [tap(8, 'Paths[People.Out]', 'x.csv', { taskPackagePath: '\\Package\\data flow task' })] });
    assert.is(task.result.outcome, 'failed');
    assert.match(errorsOf(task), /the data tap 8 .*: the package has no task at '\\Package\\data flow task' \(package paths are case-sensitive\)/);
    const guid = await runSpec(spec(), { workingDirectory: work.dir, dataTaps: [tap(9, 'Paths[People.Out]', 'x.csv', { taskPackagePath: null, dataflowTaskGuid: '99999999-2222-2222-2222-222222222222' })] });
    assert.match(errorsOf(guid), /the data tap 9 .*: the package has no task with the GUID \{99999999-2222-2222-2222-222222222222\}/);
    assert.not.ok(existsSync(work.file('DataDumps/x.csv')));
  } finally { work.remove(); }
});

test('a data flow run three times by a For Loop writes one file per run: name, 2_name, 3_name', async () => {
  const work = tempDir('taps-loop');
  try {
    // Move the data flow into a For Loop that runs it three times.
    const { buildPackage } = await import('./builder.ts');
    const xml = buildPackage(spec({ variables: [{ name: 'I', dataType: 3, value: '0' }] }));
    const flow = /<DTS:Executable DTS:refId="Package\\Data Flow Task"[\s\S]*?<\/DTS:Executable>/.exec(xml)![0]
      .replace('DTS:refId="Package\\Data Flow Task"', 'DTS:refId="Package\\Loop\\Data Flow Task"');
    const looped = xml.replace(/<DTS:Executable DTS:refId="Package\\Data Flow Task"[\s\S]*?<\/DTS:Executable>/, `<DTS:Executable DTS:refId="Package\\Loop" DTS:CreationName="STOCK:FORLOOP" DTS:DTSID="{33333333-3333-3333-3333-333333333333}" DTS:ExecutableType="STOCK:FORLOOP" DTS:ObjectName="Loop" DTS:InitExpression="@[User::I] = 0" DTS:EvalExpression="@[User::I] &lt; 3" DTS:AssignExpression="@[User::I] = @[User::I] + 1"><DTS:Executables>${flow}</DTS:Executables></DTS:Executable>`);
    const { runParts } = await import('../package/run-helpers.ts');
    const run = await runParts(new Map([['DataFlowTest.dtsx', looped]]), 'DataFlowTest.dtsx', { workingDirectory: work.dir, dataTaps: [{ ...tap(1, 'Paths[People.Out]', 'people.csv', { maxRows: 1 }), taskPackagePath: '\\Package\\Loop\\Data Flow Task' }] });
    assert.is(run.result.outcome, 'succeeded', errorsOf(run));
    assert.equal(readdirSync(work.file('DataDumps')).sort(), ['2_people.csv', '3_people.csv', 'people.csv']);
    for (const f of ['people.csv', '2_people.csv', '3_people.csv']) assert.is(work.read(`DataDumps/${f}`), 'Id,Name,Dept\r\n1,Ann,HR\r\n');
  } finally { work.remove(); }
});

test.run();
