/**
 * The per-type converters the flat-file components use on their hot paths (`cellParser`,
 * `cellWriter` in dataflow/types.ts) against the general `cellFromText` / `cellToText`: the same
 * value, or the same failure (truncation vs error), for text that is plain, padded, signed, out of
 * range, in exponent form, empty-ish, non-ASCII and not a number at all.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CellError, cellFromText, cellParser, cellRangeParser, cellToText, cellWriter } from '../../executor/package/dataflow/types.ts';
import type { Cell } from '../../executor/package/dataflow/types.ts';
import { T, typeToString } from '../../executor/package/expressions/types.ts';
import type { SsisType } from '../../executor/package/expressions/types.ts';

const test = suite('data flow: specialised text conversions match the general ones');

const outcome = (fn: () => Cell): string => {
  try { const v = fn(); return `${typeof v}:${typeof v === 'object' && v !== null ? JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)) : String(v)}`; } catch (e) { return e instanceof CellError ? `fail:${e.problem}:${e.message}` : `other:${(e as Error).message}`; }
};

const types: SsisType[] = [
  T.wstr(5), T.wstr(0), T.str(4, 1252), T.str(4, 65001), T.str(6, 1200), T.I1, T.I2, T.I4, T.UI1, T.UI2, T.UI4, T.I8, T.UI8, T.R4, T.R8,
  T.numeric(10, 2), T.BOOL, T.DBTIMESTAMP, T.DBDATE, T.GUID,
];
const texts = [
  '0', '-0', '+7', '42', ' 42 ', '007', '-128', '127', '128', '-129', '255', '256', '32767', '32768', '-32768', '2147483647', '2147483648', '-2147483648',
  '-2147483649', '4294967295', '4294967296', '123456789', '1234567890', '999999999999999', '9223372036854775807', '1.5', '-1.5e3', '1e400', '.5', '5.', '+.5',
  '1e', 'e5', '-', '+', '.', '1.2.3', '--1', '0x10', 'Infinity', 'NaN', 'abc', 'abcde', 'abcdef', 'éé', 'ééé', '日本語', 'TRUE', 'yes', '1/2/05', '2008-12-31 23:59',
  '{6F9619FF-8B86-D011-B42D-00C04FC964FF}', '3.4028235e38', '3.5e38', '12.345', ' ',
];

test('cellParser gives what cellFromText gives, values and failures alike', () => {
  for (const type of types) {
    const parse = cellParser(type);
    for (const text of texts) assert.is(outcome(() => parse(text)), outcome(() => cellFromText(text, type)), `${JSON.stringify(text)} → ${typeToString(type)}`);
  }
  const dayFirst = cellParser(T.DBTIMESTAMP, { dayFirst: true });
  assert.is(outcome(() => dayFirst('1/2/05')), outcome(() => cellFromText('1/2/05', T.DBTIMESTAMP, { dayFirst: true })));
});

test('cellRangeParser reads numbers inside a line as cellParser reads the sliced field, or declines', () => {
  const more = ['0.1', '123.45', '-499.99', '0000000001', '00000000000000001', '999999999', '1000000000', '123456789012345', '1234567890123456', '0.0000000000000000000001',
    '0.00000000000000000000001', '-0.0', '+0', '1.5.', '12-3', '1,5', '٣'];
  let decided = 0;
  for (const type of [T.I1, T.I2, T.I4, T.UI1, T.UI2, T.UI4, T.R4, T.R8]) {
    const direct = cellRangeParser(type)!;
    const parse = cellParser(type);
    for (const text of [...texts, ...more]) {
      if (text === '') continue;
      const line = `xx,${text};yy`;
      const got = direct(line, 3, 3 + text.length);
      if (got === undefined) continue;
      decided++;
      assert.is(outcome(() => got), outcome(() => parse(text)), `${JSON.stringify(text)} → ${typeToString(type)}`);
      assert.ok(Object.is(got, parse(text)), `${JSON.stringify(text)} → ${typeToString(type)}: ${String(got)} is the same number (sign of zero too)`);
    }
  }
  assert.ok(decided > 100, `most plain numbers are read directly (${decided})`);
  for (const type of [T.I8, T.numeric(10, 2), T.wstr(4), T.BOOL]) assert.is(cellRangeParser(type), undefined, typeToString(type));
});

test('cellWriter prints what cellToText prints', () => {
  const values: [Cell, SsisType][] = [
    ['abc', T.wstr(5)], ['', T.str(4, 1252)], [42, T.I4], [-7, T.I2], [4294967295, T.UI4], [9007199254740993n, T.I8], [500, T.R8], [0.1, T.R8], [-0.000123, T.R8],
    [123456789012345.6, T.R8], [1e21, T.R8], [1e-7, T.R8], [100.5, T.R8], [0, T.R8], [3.25, T.R4], [true, T.BOOL], [false, T.BOOL],
    [{ unscaled: 1234n, scale: 2 }, T.numeric(10, 2)], [null, T.I4], [null, T.wstr(3)],
  ];
  for (const [v, type] of values) assert.is(cellWriter(type)(v), cellToText(v, type), `${String(v)} as ${typeToString(type)}`);
});

test.run();
