/**
 * SSIS pipeline types: the dataType names of every format, text → value as sources convert it
 * (numbers, dates in file forms, booleans, GUIDs, decimals with precision and scale), truncation vs
 * conversion errors (DT_STR counts bytes in its code page), and value → text as destinations write it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CellError, cellFromText, cellToText, columnType, convertCell, looseDateTicks } from '../../executor/package/dataflow/types.ts';
import { T, typeToString } from '../../executor/package/expressions/types.ts';
import type { SsisType } from '../../executor/package/expressions/types.ts';

const test = suite('data flow: SSIS types and conversions');

const ty = (dataType: string, more: Record<string, string> = {}) => columnType({ dataType, ...more })!;
const problem = (fn: () => unknown): string => { try { fn(); return 'none'; } catch (e) { return e instanceof CellError ? e.problem : `other: ${(e as Error).message}`; } };

test('every pipeline dataType name maps to its DT_ type with length, precision, scale and code page', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['wstr', { length: '20' }, 'DT_WSTR(20)'], ['str', { length: '10', codePage: '850' }, 'DT_STR(10,850)'], ['text', { codePage: '1252' }, 'DT_TEXT(1252)'],
    ['ntext', {}, 'DT_NTEXT'], ['i1', {}, 'DT_I1'], ['i2', {}, 'DT_I2'], ['i4', {}, 'DT_I4'], ['i8', {}, 'DT_I8'], ['ui1', {}, 'DT_UI1'], ['ui2', {}, 'DT_UI2'],
    ['ui4', {}, 'DT_UI4'], ['ui8', {}, 'DT_UI8'], ['r4', {}, 'DT_R4'], ['r8', {}, 'DT_R8'], ['cy', {}, 'DT_CY'], ['numeric', { precision: '10', scale: '2' }, 'DT_NUMERIC(10,2)'],
    ['decimal', { scale: '3' }, 'DT_DECIMAL(3)'], ['bool', {}, 'DT_BOOL'], ['date', {}, 'DT_DATE'], ['dbDate', {}, 'DT_DBDATE'], ['dbTime', {}, 'DT_DBTIME'],
    ['dbTime2', { scale: '3' }, 'DT_DBTIME2(3)'], ['dbTimeStamp', {}, 'DT_DBTIMESTAMP'], ['dbTimeStamp2', { scale: '7' }, 'DT_DBTIMESTAMP2(7)'],
    ['dbTimeStampOffset', { scale: '7' }, 'DT_DBTIMESTAMPOFFSET(7)'], ['fileTime', {}, 'DT_FILETIME'], ['guid', {}, 'DT_GUID'], ['bytes', { length: '16' }, 'DT_BYTES(16)'], ['image', {}, 'DT_IMAGE'],
  ];
  for (const [name, more, expected] of cases) assert.is(typeToString(ty(name, more)), expected, name);
  assert.is(columnType({ dataType: 'nonsense' }), undefined);
});

test('text to numbers, booleans, GUIDs and decimals; overflow and bad text are errors, long text is truncation', () => {
  assert.is(cellFromText(' 42 ', T.I4), 42);
  assert.is(cellFromText('9223372036854775807', T.I8), 9223372036854775807n);
  assert.is(cellFromText('-1.5e3', T.R8), -1500);
  assert.is(cellFromText('TRUE', T.BOOL), true);
  assert.is(cellFromText('0', T.BOOL), false);
  assert.is(cellToText(cellFromText('12.345', T.numeric(10, 2)), T.numeric(10, 2)), '12.35');
  assert.is(cellFromText('{6F9619FF-8B86-D011-B42D-00C04FC964FF}', T.GUID), '{6F9619FF-8B86-D011-B42D-00C04FC964FF}');
  assert.is(problem(() => cellFromText('300', T.UI1)), 'error');
  assert.is(problem(() => cellFromText('abc', T.I4)), 'error');
  assert.is(problem(() => cellFromText('12345678901', T.numeric(10, 2))), 'error');
  assert.is(problem(() => cellFromText('abcd', T.wstr(3))), 'truncation');
  // DT_STR counts bytes in its code page: 'é' is one byte in 1252, two in UTF-8.
  assert.is(problem(() => cellFromText('café', T.str(4, 1252))), 'none');
  assert.is(problem(() => cellFromText('café', T.str(4, 65001))), 'truncation');
});

test('dates as files write them, and as destinations print them', () => {
  const ts = (text: string, type: SsisType = T.DBTIMESTAMP, dayFirst = false) => cellToText(cellFromText(text, type, { dayFirst }), type);
  assert.is(ts('1/2/05 0:00', T.DBDATE), '2005-01-02');
  assert.is(ts('1/2/05 0:00', T.DBDATE, true), '2005-02-01');
  assert.is(ts('12/31/2008 11:59:59 PM'), '2008-12-31 23:59:59');
  assert.is(ts('31.12.1999'), '1999-12-31 00:00:00');
  assert.is(ts('2008-12-31 08:05:01.5', T.dbtimestamp2(3)), '2008-12-31 08:05:01.500');
  assert.is(looseDateTicks('2/30/2020', false), undefined);
  assert.is(problem(() => cellFromText('2/30/2020', T.DBDATE)), 'error');
});

test('conversions between buffer types follow the cast table', () => {
  assert.is(convertCell(3.7, T.R8, T.I4), 4);
  assert.is(problem(() => convertCell(70000, T.I4, T.I2)), 'error');
  assert.is(problem(() => convertCell('toolong', T.wstr(10), T.str(3, 1252))), 'truncation');
  assert.is(convertCell(null, T.I4, T.wstr(5)), null);
  assert.is(cellToText(true, T.BOOL), 'True');
  assert.is(cellToText(1.5, T.R8), '1.5');
});

test.run();
