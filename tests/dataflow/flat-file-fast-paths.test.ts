/**
 * The Flat File Source's fast paths on files larger than one read chunk (1 MB): pure-ASCII chunks
 * taken as one-byte text until the first other byte, after which the code page's decoder reads the
 * rest (UTF-8 characters split across chunk boundaries, code page 1252); numbers read straight
 * from the text next to ones that need the general conversion (exponents, spaces, overflow
 * redirected with the flat-file error code).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import type { PackageSpec } from './builder.ts';
import { errorsOf, runSpec, tempDir } from './helpers.ts';

const t = tempDir('ff-fast');
const test = suite('data flow: flat-file fast paths');
test.after(() => t.remove());

function spec(codePage: number): PackageSpec {
  const cols = [{ name: 'Id', dataType: 'i4' }, { name: 'Name', dataType: 'wstr', length: 40 }, { name: 'Amount', dataType: 'r8' }];
  return {
    flatFiles: [
      { name: 'In', path: t.file('in.txt'), codePage, header: true, rowDelimiter: '\n', columns: cols.map((c, i) => ({ name: c.name, delimiter: i === 2 ? '\n' : ',' })) },
      { name: 'Out', path: t.file('out.txt'), codePage: 65001, rowDelimiter: '\n', columns: cols.map((c, i) => ({ name: c.name, delimiter: i === 2 ? '\n' : '|' })) },
      { name: 'Err', path: t.file('err.txt'), codePage: 65001, rowDelimiter: '\n', columns: [{ name: 'Raw', delimiter: '|' }, { name: 'ErrorCode', dataType: 3, delimiter: '\n' }] },
    ],
    components: [
      { name: 'Src', classId: 'Microsoft.FlatFileSource', connection: 'In', outputs: [
        { name: 'Out', external: cols.map((c) => ({ name: c.name, dataType: 'wstr', length: 50 })), columns: cols.map((c) => ({ ...c, ext: c.name, error: 'RedirectRow' as const })) },
        { name: 'Errors', error: true, columns: [{ name: 'Raw', dataType: 'ntext' }] },
      ] },
      { name: 'Dst', classId: 'Microsoft.FlatFileDestination', connection: 'Out', inputs: [{ name: 'In', columns: cols.map((c) => ({ from: `Src.Out.${c.name}`, ext: c.name })), external: cols }] },
      { name: 'ErrDst', classId: 'Microsoft.FlatFileDestination', connection: 'Err', inputs: [{ name: 'In', columns: [{ from: 'Src.Errors.Raw', ext: 'Raw' }, { from: 'Src.Errors.ErrorCode', ext: 'ErrorCode' }],
        external: [{ name: 'Raw', dataType: 'ntext' }, { name: 'ErrorCode', dataType: 'i4' }] }] },
    ],
    paths: [['Src.Out', 'Dst.In'], ['Src.Errors', 'ErrDst.In']],
  };
}

/** Rows 1..n; from `from` on, names carry `extra` (non-ASCII), so the file turns non-ASCII past the first chunk. */
function rows(n: number, from: number, extra: string): { text: string; expected: string[] } {
  const text: string[] = ['Id,Name,Amount'];
  const expected: string[] = [];
  for (let i = 1; i <= n; i++) {
    const name = `name${i}${i >= from ? extra : ''}`;
    text.push(`${i},${name},${(i * 37) % 1000}.${i % 100}`);
    expected.push(`${i}|${name}|${Number(`${(i * 37) % 1000}.${i % 100}`)}`);
  }
  return { text: text.join('\n') + '\n', expected };
}

test('UTF-8: ASCII chunks, then characters split across chunk boundaries', async () => {
  const { text, expected } = rows(120_000, 60_000, 'é日本😀');
  writeFileSync(t.file('in.txt'), text, 'utf8');
  const run = await runSpec(spec(65001));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  const out = t.read('out.txt').split('\n');
  assert.is(out.length, expected.length + 1);
  assert.equal(out.slice(0, -1), expected);
});

test('code page 1252 past the first chunk; numbers the fast path declines go the general way or to the error output', async () => {
  const { text, expected } = rows(80_000, 70_000, 'café€');
  const odd = 'Id,Name,Amount\n 7 ,spaced,1.5e3\n+8,plus,-.25\n99999999999,big,1\n';
  writeFileSync(t.file('in.txt'), Buffer.concat([iconv.encode(text, 'cp1252'), iconv.encode(odd.split('\n').slice(1).join('\n'), 'cp1252')]));
  const run = await runSpec(spec(1252));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  const out = t.read('out.txt').split('\n');
  assert.equal(out.slice(0, expected.length), expected);
  assert.equal(out.slice(expected.length), ['7|spaced|1500', '8|plus|-0.25', '']);
  assert.is(t.read('err.txt'), '99999999999,big,1\n|-1071607676\n');
});

test.run();
