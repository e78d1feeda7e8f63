/**
 * Windows-style separators in paths built by packages (`@[$Project::Folder] + "\\Sub\\file.csv"`) once an
 * operator points the root at a Linux folder: FILE/FLATFILE connections and the Foreach File enumerator
 * read them as separators; drive-letter and UNC paths are left as written.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hostPath, fileConnection } from '../../executor/package/connections/files.ts';

const test = suite('host paths from Windows-built expressions');

test('backslashes in POSIX and relative paths are separators; Windows paths are kept', () => {
  assert.is(hostPath('/data/in\\CrimeStat.Source.Countries\\ISOcountries.csv'), '/data/in/CrimeStat.Source.Countries/ISOcountries.csv');
  assert.is(hostPath('/data/in/\\Sub\\\\a.csv'), '/data/in/Sub/a.csv');
  assert.is(hostPath('in\\a.csv'), 'in/a.csv');
  assert.is(hostPath('/plain/path.csv'), '/plain/path.csv');
  assert.is(hostPath('C:\\Users\\x\\a.csv'), 'C:\\Users\\x\\a.csv');
  assert.is(hostPath('\\\\server\\share\\a.csv'), '\\\\server\\share\\a.csv');
});

test('a FLATFILE connection built with Windows separators resolves on this host', () => {
  const cm = { name: 'FFC', creationName: 'FLATFILE', connectionString: '/tmp/work\\Countries\\ISO.csv', properties: {} } as unknown as Parameters<typeof fileConnection>[0];
  assert.is(fileConnection(cm).path, '/tmp/work/Countries/ISO.csv');
});

test.run();
