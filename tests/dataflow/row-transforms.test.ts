/**
 * Copy Column, Character Map, Audit, Percentage Sampling and Row Sampling from small hand-written
 * packages on SQLite (NULLs, empty inputs, seeds), plus the Character Map's text mappings directly.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ColumnSpec, ComponentSpec, PackageSpec } from './builder.ts';
import { errorsOf, rowsByPath, runSpec, tempDir } from './helpers.ts';
import { exec, lineageRefOf, sqlSource, tableDestination, tableRows } from './part-two.ts';
import { mapText } from '../../executor/package/dataflow/components/character-map.ts';

const t = tempDir('rowx');
const db = t.file('rowx.sqlite');
const test = suite('data flow: Copy Column, Character Map, Audit, sampling');
test.after(() => t.remove());
test.before(() => exec(db, `
  CREATE TABLE Src (Id INTEGER, Name TEXT);
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) INSERT INTO Src SELECT i, CASE WHEN i % 10 = 0 THEN NULL ELSE 'name ' || i END FROM n;
  CREATE TABLE Out (Id INTEGER, Name TEXT, Copy TEXT, Upper TEXT, Pkg TEXT, Task TEXT);
  CREATE TABLE Picked (Id INTEGER);
  CREATE TABLE Rest (Id INTEGER);
`));

const src: ColumnSpec[] = [{ name: 'Id', dataType: 'i4' }, { name: 'Name', dataType: 'wstr', length: 20 }];
const base = (components: ComponentSpec[], paths: [string, string][]): PackageSpec => ({ oledb: [{ name: 'Db', connectionString: `Provider=SQLite;Data Source=${db}` }], components, paths });

test('Copy Column → Character Map (new column upper, in place lower) → Audit into a table; NULLs stay NULL', async () => {
  exec(db, 'DELETE FROM Out');
  const run = await runSpec(base([
    sqlSource('Src', 'SELECT Id, Name FROM Src WHERE Id IN (1, 10, 12) ORDER BY Id', src),
    { name: 'Copy', classId: 'Microsoft.CopyMap', inputs: [{ name: 'In', columns: [{ from: 'Src.Out.Name' }] }],
      outputs: [{ name: 'Out', syncWith: 'In', columns: [{ name: 'Copy', dataType: 'wstr', length: 20, props: { copyColumnId: lineageRefOf('Src.Out.Name') } }] }] },
    { name: 'Map', classId: 'Microsoft.CharacterMap', inputs: [{ name: 'In', columns: [{ from: 'Copy.Out.Copy', usage: 'readWrite', props: { MapFlags: '256' } }, { from: 'Src.Out.Name' }] }],
      outputs: [{ name: 'Out', syncWith: 'In', columns: [{ name: 'Upper', dataType: 'wstr', length: 20, props: { MapFlags: '512', InputColumnLineageID: lineageRefOf('Src.Out.Name') } }] }, { name: 'Err', syncWith: 'In', error: true }] },
    { name: 'Audit', classId: 'Microsoft.Lineage', inputs: [{ name: 'In' }],
      outputs: [{ name: 'Out', syncWith: 'In', columns: [{ name: 'Pkg', dataType: 'wstr', length: 50, props: { LineageItemSelected: '2' } }, { name: 'Task', dataType: 'wstr', length: 50, props: { LineageItemSelected: '7' } }] }] },
    tableDestination('Load', 'Out', ['Src.Out.Id', 'Src.Out.Name', 'Copy.Out.Copy', 'Map.Out.Upper', 'Audit.Out.Pkg', 'Audit.Out.Task'],
      [...src, { name: 'Copy', dataType: 'wstr', length: 20 }, { name: 'Upper', dataType: 'wstr', length: 20 }, { name: 'Pkg', dataType: 'wstr', length: 50 }, { name: 'Task', dataType: 'wstr', length: 50 }]),
  ], [['Src.Out', 'Copy.In'], ['Copy.Out', 'Map.In'], ['Map.Out', 'Audit.In'], ['Audit.Out', 'Load.In']]));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal(tableRows(db, 'SELECT * FROM Out ORDER BY Id'), [
    [1, 'name 1', 'name 1', 'NAME 1', 'DataFlowTest', 'Data Flow Task'],
    [10, null, null, null, 'DataFlowTest', 'Data Flow Task'],
    [12, 'name 12', 'name 12', 'NAME 12', 'DataFlowTest', 'Data Flow Task'],
  ]);
});

test('Character Map: mappings on Unicode text (case, width, kana, byte reversal)', () => {
  assert.is(mapText('Straße İx', 0x200), 'STRASSE İX');
  assert.is(mapText('ＡＢＣ　１２３', 0x400000), 'ABC 123');
  assert.is(mapText('AB 12', 0x800000), 'ＡＢ　１２');
  assert.is(mapText('カタカナ', 0x100000), 'かたかな');
  assert.is(mapText('ひらがな', 0x200000), 'ヒラガナ');
  assert.is(mapText('ガイド', 0x400000), 'ｶﾞｲﾄﾞ');
  assert.is(mapText('ｶﾞｲﾄﾞ', 0x800000), 'ガイド');
  assert.is(mapText('A', 0x800), '\u4100');
});

test('Character Map: Chinese mappings are refused by validation naming the column', async () => {
  const run = await runSpec(base([
    sqlSource('Src', 'SELECT Id, Name FROM Src', src),
    { name: 'Map', classId: 'Microsoft.CharacterMap', inputs: [{ name: 'In', columns: [{ from: 'Src.Out.Name', usage: 'readWrite', props: { MapFlags: String(0x2000000) } }] }], outputs: [{ name: 'Out', syncWith: 'In' }] },
  ], [['Src.Out', 'Map.In']]));
  assert.is(run.result.outcome, 'failed');
  assert.match(errorsOf(run), /Map: column 'Name' maps to simplified or traditional Chinese/);
});

function sampling(kind: 'Microsoft.PctSampling' | 'Microsoft.RowSampling', value: number, seed: number, where = '1'): PackageSpec {
  return base([
    sqlSource('Src', `SELECT Id, Name FROM Src WHERE ${where} ORDER BY Id`, src),
    { name: 'Sample', classId: kind, props: { SamplingValue: String(value), SamplingSeed: String(seed) }, inputs: [{ name: 'In', columns: src.map((c) => ({ from: `Src.Out.${c.name}` })) }],
      outputs: [{ name: 'Sampling Selected Output', syncWith: kind === 'Microsoft.PctSampling' ? 'In' : undefined, props: { Selected: 'true' } }, { name: 'Sampling Unselected Output', syncWith: 'In', props: { Selected: 'false' } }] },
    tableDestination('Yes', 'Picked', ['Src.Out.Id'], src.slice(0, 1)),
    tableDestination('No', 'Rest', ['Src.Out.Id'], src.slice(0, 1)),
  ], [['Src.Out', 'Sample.In'], ['Sample.Sampling Selected Output', 'Yes.In'], ['Sample.Sampling Unselected Output', 'No.In']]);
}
const picked = () => tableRows(db, 'SELECT Id FROM Picked ORDER BY rowid').map((r) => r[0] as number);
const restCount = () => tableRows(db, 'SELECT COUNT(*) FROM Rest')[0]![0] as number;

test('Row Sampling: exactly N rows in input order, the same sample for the same seed, another for another seed', async () => {
  exec(db, 'DELETE FROM Picked; DELETE FROM Rest');
  let run = await runSpec(sampling('Microsoft.RowSampling', 25, 42));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  const first = picked();
  assert.is(first.length, 25);
  assert.is(restCount(), 975);
  assert.equal(first, [...first].sort((a, b) => a - b));
  exec(db, 'DELETE FROM Picked; DELETE FROM Rest');
  run = await runSpec(sampling('Microsoft.RowSampling', 25, 42));
  assert.equal(picked(), first);
  exec(db, 'DELETE FROM Picked; DELETE FROM Rest');
  run = await runSpec(sampling('Microsoft.RowSampling', 25, 7));
  assert.not.equal(picked(), first);
  assert.equal(Object.fromEntries(rowsByPath(run)), { P0: 1000, P1: 25, P2: 975 });
});

test('Row Sampling: fewer rows than asked selects all; an empty input selects none', async () => {
  exec(db, 'DELETE FROM Picked; DELETE FROM Rest');
  let run = await runSpec(sampling('Microsoft.RowSampling', 25, 1, 'Id <= 3'));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal(picked(), [1, 2, 3]);
  exec(db, 'DELETE FROM Picked; DELETE FROM Rest');
  run = await runSpec(sampling('Microsoft.RowSampling', 25, 1, '0'));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal(picked(), []);
});

test('Percentage Sampling: about the percentage, reproducible with a seed, selected + unselected = all', async () => {
  exec(db, 'DELETE FROM Picked; DELETE FROM Rest');
  const run = await runSpec(sampling('Microsoft.PctSampling', 20, 42));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  const first = picked();
  assert.ok(first.length > 150 && first.length < 250, `selected ${first.length} of 1000 at 20%`);
  assert.is(first.length + restCount(), 1000);
  exec(db, 'DELETE FROM Picked; DELETE FROM Rest');
  await runSpec(sampling('Microsoft.PctSampling', 20, 42));
  assert.equal(picked(), first);
});

test.run();
