/** Export Column and Import Column round trip through files: bytes, Unicode text with a BOM, NULLs, existing files, a missing file. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import type { ColumnSpec, PackageSpec } from './builder.ts';
import { errorsOf, runSpec, tempDir } from './helpers.ts';
import { exec, inputRef, lineageRefOf, sqlSource, tableDestination, tableRows } from './part-two.ts';

const t = tempDir('filecols');
const db = t.file('files.sqlite');
const test = suite('data flow: Export Column, Import Column');
test.after(() => t.remove());
test.before(() => exec(db, `
  CREATE TABLE Docs (Path TEXT, Body BLOB, Note TEXT);
  INSERT INTO Docs VALUES ('${t.file('a.bin')}', x'00010203ff', 'héllo'), ('${t.file('b.bin')}', NULL, NULL), (NULL, x'01', 'x');
  CREATE TABLE Back (Path TEXT, Body BLOB);
`));
const oledb = [{ name: 'Db', connectionString: `Provider=SQLite;Data Source=${db}` }];
const docs: ColumnSpec[] = [{ name: 'Path', dataType: 'wstr', length: 200 }, { name: 'Body', dataType: 'image' }, { name: 'Note', dataType: 'ntext' }];

function exportSpec(props: Record<string, string>, dataCol = 'Body'): PackageSpec {
  return {
    oledb, components: [
      sqlSource('Docs', 'SELECT Path, Body, Note FROM Docs ORDER BY rowid', docs),
      { name: 'Export', classId: 'Microsoft.Extractor',
        inputs: [{ name: 'Export Column Input', columns: [
          { from: 'Docs.Out.Path', props: { FileDataColumnID: inputRef('Export', 'Export Column Input', dataCol), WriteBOM: 'false', ForceTruncate: 'false', AllowAppend: 'false', ...props } },
          { from: `Docs.Out.${dataCol}`, props: { FileDataColumnID: '0' } },
        ] }],
        outputs: [{ name: 'Export Column Output', syncWith: 'Export Column Input' }] },
    ], paths: [['Docs.Out', 'Export.Export Column Input']],
  };
}

test('Export Column writes bytes per row, skips NULLs, refuses an existing file unless append/truncate', async () => {
  let run = await runSpec(exportSpec({}));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal([...readFileSync(t.file('a.bin'))], [0, 1, 2, 3, 255]);
  run = await runSpec(exportSpec({}));
  assert.is(run.result.outcome, 'failed');
  assert.match(errorsOf(run), /Export: row 1 column "Path": the file '.*a\.bin' exists and neither AllowAppend nor ForceTruncate is set/);
  run = await runSpec(exportSpec({ AllowAppend: 'true' }));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.is(readFileSync(t.file('a.bin')).length, 10);
  run = await runSpec(exportSpec({ ForceTruncate: 'true', WriteBOM: 'true' }, 'Note'));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal(readFileSync(t.file('a.bin')), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('héllo', 'utf16le')]));
  run = await runSpec(exportSpec({ ForceTruncate: 'true', AllowAppend: 'true' }));
  assert.match(errorsOf(run), /AllowAppend and ForceTruncate cannot both be set/);
});

test('Import Column reads files into a DT_IMAGE column; a missing file is redirected or fails naming the row', async () => {
  writeFileSync(t.file('a.bin'), Buffer.from([9, 8, 7]));
  // The builder writes error dispositions on inputs; the component falls back to it from the column.
  const spec = (disposition: 'RedirectRow' | 'FailComponent'): PackageSpec => ({
    oledb, components: [
      sqlSource('Docs', `SELECT Path FROM Docs WHERE Path IS NOT NULL ORDER BY rowid`, docs.slice(0, 1)),
      { name: 'Import', classId: 'Microsoft.Inserter',
        inputs: [{ name: 'Import Column Input', errorDisposition: disposition, columns: [{ from: 'Docs.Out.Path', props: { FileDataColumnID: lineageRefOf('Import.Import Column Output.Body'), ExpectBOM: 'false' } }] }],
        outputs: [{ name: 'Import Column Output', syncWith: 'Import Column Input', columns: [{ name: 'Body', dataType: 'image' }] }, { name: 'Import Column Error Output', syncWith: 'Import Column Input', error: true }] },
      tableDestination('Load', 'Back', ['Docs.Out.Path', 'Import.Import Column Output.Body'], [docs[0]!, docs[1]!]),
    ], paths: [['Docs.Out', 'Import.Import Column Input'], ['Import.Import Column Output', 'Load.In']],
  });
  let run = await runSpec(spec('RedirectRow'));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.equal(tableRows(db, 'SELECT Path, hex(Body) FROM Back'), [[t.file('a.bin'), '090807']]);
  run = await runSpec(spec('FailComponent'));
  assert.is(run.result.outcome, 'failed');
  assert.match(errorsOf(run), /Import: row 2 column "Path": cannot read the file '.*b\.bin': ENOENT/);
});

test.run();
