/**
 * Sort, Merge Join, Merge and Aggregate from small hand-written packages on SQLite: keys and
 * order, comparison flags, duplicates removed, NULLs, empty inputs, spilling to disk, the
 * sorted-input validation error, NULL join keys, and the Aggregate's memory bound.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ColumnSpec, ComponentSpec, PackageSpec } from './builder.ts';
import { errorsOf, rowsByPath, runSpec, tempDir } from './helpers.ts';
import { exec, inputRef, lineageRefOf, sqlSource, tableDestination, tableRows } from './part-two.ts';

const t = tempDir('sja');
const db = t.file('sja.sqlite');
const test = suite('data flow: Sort, Merge Join, Merge, Aggregate');
test.after(() => t.remove());
test.before(() => exec(db, `
  CREATE TABLE People (Id INTEGER, Name TEXT, Dept TEXT, Salary INTEGER);
  INSERT INTO People VALUES (3, 'cy', 'IT', 300), (1, 'Ann', 'HR', 100), (2, 'bob', NULL, 200), (4, 'Bob', 'IT', NULL), (5, 'ann', 'HR', 150), (6, 'Dee', 'IT', 300);
  CREATE TABLE Depts (Code TEXT, Title TEXT);
  INSERT INTO Depts VALUES ('HR', 'People'), ('IT', 'Engineering'), ('IT', 'Engineering 2'), ('OPS', 'Operations'), (NULL, 'Nobody');
  CREATE TABLE Sorted (Id INTEGER, Name TEXT, Dept TEXT);
  CREATE TABLE Joined (Name TEXT, Dept TEXT, Title TEXT);
  CREATE TABLE Agg (Dept TEXT, N INTEGER, NAll INTEGER, NDistinct INTEGER, Total INTEGER, Average REAL, Low INTEGER, High INTEGER);
  CREATE TABLE Totals (N INTEGER, Total INTEGER);
  CREATE TABLE Merged (Id INTEGER, Name TEXT);
`));

const person: ColumnSpec[] = [{ name: 'Id', dataType: 'i4' }, { name: 'Name', dataType: 'wstr', length: 20 }, { name: 'Dept', dataType: 'wstr', length: 10 }, { name: 'Salary', dataType: 'i4' }];
const base = (components: ComponentSpec[], paths: [string, string][]): PackageSpec => ({ oledb: [{ name: 'Db', connectionString: `Provider=SQLite;Data Source=${db}` }], components, paths });

function sortSpec(name: string, from: string, keys: Record<string, [number, number?]>, columns: ColumnSpec[], props: Record<string, string> = {}): ComponentSpec {
  return {
    name, classId: 'Microsoft.Sort', props: { EliminateDuplicates: 'false', MaximumThreads: '-1', ...props },
    inputs: [{ name: 'Sort Input', columns: columns.map((c) => ({ from: `${from}.${c.name}`, props: { NewSortKeyPosition: String(keys[c.name]?.[0] ?? 0), NewComparisonFlags: String(keys[c.name]?.[1] ?? 0) } })) }],
    outputs: [{ name: 'Sort Output', sorted: true, columns: columns.map((c) => ({ ...c, sortKeyPosition: keys[c.name]?.[0], props: { SortColumnId: lineageRefOf(`${from}.${c.name}`) } })) }],
  };
}

const sortedBy = (sql: string) => tableRows(db, sql);

test('Sort: two keys (Dept ascending, Name descending, ignore case), NULL first, IsSorted output', async () => {
  exec(db, 'DELETE FROM Sorted');
  const cols = person.slice(0, 3);
  const run = await runSpec(base([
    sqlSource('People', 'SELECT Id, Name, Dept, Salary FROM People', person),
    sortSpec('Sort', 'People.Out', { Dept: [1], Name: [-2, 1] }, cols),
    tableDestination('Load', 'Sorted', ['Sort.Sort Output.Id', 'Sort.Sort Output.Name', 'Sort.Sort Output.Dept'], cols),
  ], [['People.Out', 'Sort.Sort Input'], ['Sort.Sort Output', 'Load.In']]));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  const ids = sortedBy('SELECT Id FROM Sorted ORDER BY rowid').map((r) => r[0]);
  // NULL dept first; HR: 'Ann'/'ann' tie under ignore-case (stable: input order 1, 5); IT: Dee, cy, Bob descending.
  assert.equal(ids, [2, 1, 5, 6, 3, 4]);
  assert.equal(Object.fromEntries(rowsByPath(run)), { P0: 6, P1: 6 });
});

test('Sort: EliminateDuplicates keeps one row per key (case-insensitive key → Ann/ann collapse)', async () => {
  exec(db, 'DELETE FROM Sorted');
  const cols = person.slice(0, 3);
  const run = await runSpec(base([
    sqlSource('People', 'SELECT Id, Name, Dept, Salary FROM People', person),
    sortSpec('Sort', 'People.Out', { Name: [1, 1] }, cols, { EliminateDuplicates: 'true' }),
    tableDestination('Load', 'Sorted', ['Sort.Sort Output.Id', 'Sort.Sort Output.Name'], cols.slice(0, 2)),
  ], [['People.Out', 'Sort.Sort Input'], ['Sort.Sort Output', 'Load.In']]));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal(sortedBy('SELECT Name FROM Sorted ORDER BY rowid').map((r) => (r[0] as string).toLowerCase()), ['ann', 'bob', 'cy', 'dee']);
});

test('Sort: an empty input sends nothing and succeeds; spilling to disk (MaxRowsInMemory 2) gives the same order', async () => {
  exec(db, 'DELETE FROM Sorted');
  const cols = person.slice(0, 3);
  const empty = await runSpec(base([
    sqlSource('People', 'SELECT Id, Name, Dept, Salary FROM People WHERE 0', person),
    sortSpec('Sort', 'People.Out', { Id: [1] }, cols),
    tableDestination('Load', 'Sorted', ['Sort.Sort Output.Id'], cols.slice(0, 1)),
  ], [['People.Out', 'Sort.Sort Input'], ['Sort.Sort Output', 'Load.In']]));
  assert.is(empty.result.outcome, 'succeeded', errorsOf(empty));
  assert.is(sortedBy('SELECT COUNT(*) FROM Sorted')[0]![0], 0);
  const spilled = await runSpec({ ...base([
    sqlSource('People', 'SELECT Id, Name, Dept, Salary FROM People', person),
    sortSpec('Sort', 'People.Out', { Salary: [-1], Id: [2] }, person, { MaxRowsInMemory: '2' }),
    tableDestination('Load', 'Sorted', ['Sort.Sort Output.Id'], cols.slice(0, 1)),
  ], [['People.Out', 'Sort.Sort Input'], ['Sort.Sort Output', 'Load.In']]), taskProps: { DefaultBufferMaxRows: '2' } });
  assert.is(spilled.result.outcome, 'succeeded', errorsOf(spilled));
  // Salary descending (NULL last), then Id ascending.
  assert.equal(sortedBy('SELECT Id FROM Sorted ORDER BY rowid').map((r) => r[0]), [3, 6, 2, 5, 1, 4]);
  assert.ok(spilled.messages(70).some((m) => /"Sort" sorted 6 rows in 3 runs spilled to disk/.test(m.text)), errorsOf(spilled));
});

test('Sort: no sort key is a validation error naming the component', async () => {
  const cols = person.slice(0, 1);
  const run = await runSpec(base([
    sqlSource('People', 'SELECT Id, Name, Dept, Salary FROM People', person),
    sortSpec('Sort', 'People.Out', {}, cols),
  ], [['People.Out', 'Sort.Sort Input']]));
  assert.is(run.result.outcome, 'failed');
  assert.match(errorsOf(run), /Sort: the Sort 'Sort' has no sort key/);
});

// ---- Merge Join ---------------------------------------------------------------------------------

const dept: ColumnSpec[] = [{ name: 'Code', dataType: 'wstr', length: 10 }, { name: 'Title', dataType: 'wstr', length: 20 }];

function joinPackage(joinType: number, opts: { nullsEqual?: boolean; sortLeft?: boolean } = {}): PackageSpec {
  const pcols = person.slice(1, 3);
  const left = opts.sortLeft === false
    ? sqlSource('People', 'SELECT Id, Name, Dept, Salary FROM People', person)
    : sqlSource('People', 'SELECT Id, Name, Dept, Salary FROM People ORDER BY Dept, Id', person.map((c) => (c.name === 'Dept' ? { ...c, sortKeyPosition: 1 } : c)), true);
  return base([
    left,
    sortSpec('SortDepts', 'Depts.Out', { Code: [1] }, dept),
    sqlSource('Depts', 'SELECT Code, Title FROM Depts', dept),
    {
      name: 'Join', classId: 'Microsoft.MergeJoin', props: { JoinType: String(joinType), NumKeyColumns: '1', TreatNullsAsEqual: opts.nullsEqual === false ? 'false' : 'true', MaxBuffersPerInput: '5' },
      inputs: [
        { name: 'Merge Join Left Input', columns: pcols.map((c) => ({ from: `People.Out.${c.name}` })) },
        { name: 'Merge Join Right Input', columns: dept.map((c) => ({ from: `SortDepts.Sort Output.${c.name}` })) },
      ],
      outputs: [{ name: 'Merge Join Output', sorted: true, columns: [
        { name: 'Name', dataType: 'wstr', length: 20, props: { InputColumnID: inputRef('Join', 'Merge Join Left Input', 'Name') } },
        { name: 'Dept', dataType: 'wstr', length: 10, sortKeyPosition: 1, props: { InputColumnID: inputRef('Join', 'Merge Join Left Input', 'Dept') } },
        { name: 'Title', dataType: 'wstr', length: 20, props: { InputColumnID: inputRef('Join', 'Merge Join Right Input', 'Title') } },
      ] }],
    },
    tableDestination('Load', 'Joined', ['Join.Merge Join Output.Name', 'Join.Merge Join Output.Dept', 'Join.Merge Join Output.Title'], [...pcols, { name: 'Title', dataType: 'wstr', length: 20 }]),
  ], [['People.Out', 'Join.Merge Join Left Input'], ['Depts.Out', 'SortDepts.Sort Input'], ['SortDepts.Sort Output', 'Join.Merge Join Right Input'], ['Join.Merge Join Output', 'Load.In']]);
}

const joined = () => tableRows(db, 'SELECT Name, Dept, Title FROM Joined ORDER BY rowid');

test('Merge Join inner: duplicate right keys multiply rows; NULL keys equal by default', async () => {
  exec(db, 'DELETE FROM Joined');
  const run = await runSpec(joinPackage(2));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal(joined(), [
    ['bob', null, 'Nobody'],
    ['Ann', 'HR', 'People'], ['ann', 'HR', 'People'],
    ['cy', 'IT', 'Engineering'], ['cy', 'IT', 'Engineering 2'], ['Bob', 'IT', 'Engineering'], ['Bob', 'IT', 'Engineering 2'], ['Dee', 'IT', 'Engineering'], ['Dee', 'IT', 'Engineering 2'],
  ]);
});

test('Merge Join left outer with TreatNullsAsEqual false: the NULL-key row has no partner', async () => {
  exec(db, 'DELETE FROM Joined');
  const run = await runSpec(joinPackage(1, { nullsEqual: false }));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  const rows = joined();
  assert.equal(rows[0], ['bob', null, null]);
  assert.is(rows.length, 9);
});

test('Merge Join full outer: unmatched rows of both sides, in key order', async () => {
  exec(db, 'DELETE FROM Joined');
  const run = await runSpec(joinPackage(0, { nullsEqual: false }));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  const rows = joined();
  assert.equal(rows.slice(0, 2), [['bob', null, null], [null, null, 'Nobody']]);
  assert.equal(rows[rows.length - 1], [null, null, 'Operations']);
  assert.is(rows.length, 11);
});

test('Merge Join on an unsorted input: validation error naming the input and IsSorted', async () => {
  const run = await runSpec(joinPackage(2, { sortLeft: false }));
  assert.is(run.result.outcome, 'failed');
  assert.match(errorsOf(run), /Join: the input 'Merge Join Left Input' of 'Join' is not sorted: the output 'Out' of 'People' must have IsSorted set to true/);
});

test('Merge Join: IsSorted seen through a synchronous Derived Column; a source that claims order but is not sorted fails at run time naming the input', async () => {
  exec(db, 'DELETE FROM Joined');
  const spec = joinPackage(2);
  // Put a Derived Column (synchronous) between the sorted source and the join's left input.
  spec.components.push({ name: 'Pass', classId: 'Microsoft.DerivedColumn', inputs: [{ name: 'In', columns: [{ from: 'People.Out.Name' }] }], outputs: [{ name: 'Out', syncWith: 'In', columns: [{ name: 'Upper', dataType: 'wstr', length: 20, props: { FriendlyExpression: 'UPPER(Name)' } }] }] });
  spec.paths = spec.paths.map(([a, b]) => (a === 'People.Out' ? ['Pass.Out', b] : [a, b]) as [string, string]);
  spec.paths.push(['People.Out', 'Pass.In']);
  let run = await runSpec(spec);
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.is(joined().length, 9);
  // The same source marked sorted, but its query orders by Id only.
  const lying = joinPackage(2);
  lying.components[0] = sqlSource('People', 'SELECT Id, Name, Dept, Salary FROM People ORDER BY Id', person.map((c) => (c.name === 'Dept' ? { ...c, sortKeyPosition: 1 } : c)), true);
  run = await runSpec(lying);
  assert.is(run.result.outcome, 'failed');
  assert.match(errorsOf(run), /Join: the input 'Merge Join Left Input' is not sorted on its key columns as IsSorted claims/);
});

test('Merge: two sorted inputs interleave in key order; an empty input is fine', async () => {
  exec(db, 'DELETE FROM Merged');
  const idName = person.slice(0, 2);
  const sortedSrc = (name: string, where: string) => sqlSource(name, `SELECT Id, Name FROM People WHERE ${where} ORDER BY Id`, idName.map((c) => (c.name === 'Id' ? { ...c, sortKeyPosition: 1 } : c)), true);
  const spec = (where2: string) => base([
    sortedSrc('Odd', 'Id % 2 = 1'), sortedSrc('Even', where2),
    {
      name: 'Merge', classId: 'Microsoft.Merge',
      inputs: ['Odd', 'Even'].map((s, i) => ({ name: `Merge Input ${i + 1}`, columns: idName.map((c) => ({ from: `${s}.Out.${c.name}`, props: { OutputColumnLineageID: lineageRefOf(`Merge.Merge Output.${c.name}`) } })) })),
      outputs: [{ name: 'Merge Output', sorted: true, columns: idName.map((c) => ({ ...c, sortKeyPosition: c.name === 'Id' ? 1 : undefined })) }],
    },
    tableDestination('Load', 'Merged', ['Merge.Merge Output.Id', 'Merge.Merge Output.Name'], idName),
  ], [['Odd.Out', 'Merge.Merge Input 1'], ['Even.Out', 'Merge.Merge Input 2'], ['Merge.Merge Output', 'Load.In']]);
  let run = await runSpec(spec('Id % 2 = 0'));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal(tableRows(db, 'SELECT Id FROM Merged ORDER BY rowid').map((r) => r[0]), [1, 2, 3, 4, 5, 6]);
  exec(db, 'DELETE FROM Merged');
  run = await runSpec(spec('0'));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal(tableRows(db, 'SELECT Id FROM Merged ORDER BY rowid').map((r) => r[0]), [1, 3, 5]);
});

// ---- Aggregate ----------------------------------------------------------------------------------

function aggPackage(sql: string, props: Record<string, string> = {}): PackageSpec {
  const agg = (name: string, type: number, source: string | undefined, dataType: string, extra: Partial<ColumnSpec> = {}): ColumnSpec => ({
    name, dataType, ...extra, props: { AggregationType: String(type), ...(source ? { AggregationColumnId: lineageRefOf(`People.Out.${source}`) } : {}), AggregationComparisonFlags: '0', IsBig: '0' },
  });
  return base([
    sqlSource('People', sql, person),
    {
      name: 'Agg', classId: 'Microsoft.Aggregate', props: { KeyScale: '0', Keys: '', CountDistinctScale: '0', AutoExtendFactor: '25', ...props },
      inputs: [{ name: 'Aggregate Input 1', columns: person.map((c) => ({ from: `People.Out.${c.name}` })) }],
      outputs: [
        { name: 'By Dept', columns: [
          agg('Dept', 0, 'Dept', 'wstr', { length: 10 }), agg('N', 1, 'Salary', 'ui8'), agg('NAll', 2, undefined, 'ui8'), agg('NDistinct', 3, 'Salary', 'ui8'),
          agg('Total', 4, 'Salary', 'i8'), agg('Average', 5, 'Salary', 'r8'), agg('Low', 6, 'Salary', 'i4'), agg('High', 7, 'Salary', 'i4'),
        ] },
        { name: 'Overall', columns: [agg('N', 2, undefined, 'ui8'), agg('Total', 4, 'Salary', 'i8')] },
      ],
    },
    tableDestination('Load', 'Agg', ['Dept', 'N', 'NAll', 'NDistinct', 'Total', 'Average', 'Low', 'High'].map((c) => `Agg.By Dept.${c}`),
      [{ name: 'Dept', dataType: 'wstr', length: 10 }, ...['N', 'NAll', 'NDistinct', 'Total'].map((n) => ({ name: n, dataType: 'i8' })), { name: 'Average', dataType: 'r8' }, { name: 'Low', dataType: 'i4' }, { name: 'High', dataType: 'i4' }]),
    tableDestination('LoadTotals', 'Totals', ['Agg.Overall.N', 'Agg.Overall.Total'], [{ name: 'N', dataType: 'i8' }, { name: 'Total', dataType: 'i8' }]),
  ], [['People.Out', 'Agg.Aggregate Input 1'], ['Agg.By Dept', 'Load.In'], ['Agg.Overall', 'LoadTotals.In']]);
}

test('Aggregate: group by with NULL group, count / count all / count distinct / sum / avg / min / max, two outputs', async () => {
  exec(db, 'DELETE FROM Agg; DELETE FROM Totals');
  const run = await runSpec(aggPackage('SELECT Id, Name, Dept, Salary FROM People'));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal(tableRows(db, 'SELECT * FROM Agg ORDER BY Dept'), [
    [null, 1, 1, 1, 200, 200, 200, 200],
    ['HR', 2, 2, 2, 250, 125, 100, 150],
    ['IT', 2, 3, 1, 600, 300, 300, 300],
  ]);
  assert.equal(tableRows(db, 'SELECT * FROM Totals'), [[6, 1050]]);
  assert.equal(Object.fromEntries(rowsByPath(run)), { P0: 6, P1: 3, P2: 1 });
});

test('Aggregate: empty input gives no groups, and one row (count 0, sum NULL) where nothing is grouped', async () => {
  exec(db, 'DELETE FROM Agg; DELETE FROM Totals');
  const run = await runSpec(aggPackage('SELECT Id, Name, Dept, Salary FROM People WHERE 0'));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal(tableRows(db, 'SELECT * FROM Agg'), []);
  assert.equal(tableRows(db, 'SELECT * FROM Totals'), [[0, null]]);
});

test('Aggregate: more groups than memory allows stops with an error naming the component', async () => {
  const run = await runSpec(aggPackage('SELECT Id, Name, Id AS Dept, Salary FROM People', { MaxRowsInMemory: '2' }));
  assert.is(run.result.outcome, 'failed');
  assert.match(errorsOf(run), /Agg: the Aggregate holds \d groups for output 'By Dept', more than its memory allows \(MaxRowsInMemory 2\)/);
});

test.run();
