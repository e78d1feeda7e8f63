/**
 * SSIS pipeline data types: the `dataType` attribute of pipeline columns (`wstr`, `str`, `i4`,
 * `numeric`, `dbTimeStamp`, …) with length, precision, scale and code page, mapped onto the
 * expression engine's `SsisType`, so one conversion table (`expressions/convert.ts`) serves casts in
 * expressions, Data Conversion, sources reading text and destinations binding values. Buffer values
 * are the expression engine's scalars (`SsisScalar | null`): they never leave the worker thread.
 */
import { castValue, textOf } from '../expressions/convert.ts';
import { EvaluationFailure } from '../expressions/errors.ts';
import { fromSsisValue, jsToSsisValue } from '../expressions/values.ts';
import type { SsisScalar, SsisType, SsisValue } from '../expressions/types.ts';
import { INTEGER_TYPES, T, isString, isTemporal, isTimeOnly, typeToString } from '../expressions/types.ts';
import { ticksFromParts } from '../expressions/datetime.ts';
import { SsoError } from '../../../actors/errors.ts';

export type Cell = SsisScalar | null;

export interface ColumnTypeAttrs {
  readonly dataType?: string | undefined;
  readonly length?: string | undefined;
  readonly precision?: string | undefined;
  readonly scale?: string | undefined;
  readonly codePage?: string | undefined;
}

const num = (v: string | undefined, d: number) => (v === undefined || v.trim() === '' || !Number.isFinite(Number(v)) ? d : Number(v));

/** Pipeline `dataType` → SsisType; undefined for an unknown name (validation names it). */
export function columnType(a: ColumnTypeAttrs): SsisType | undefined {
  const length = num(a.length, 0);
  const cp = num(a.codePage, 1252);
  const scale = num(a.scale, 0);
  switch ((a.dataType ?? '').trim().toLowerCase()) {
    case 'wstr': return T.wstr(length);
    case 'str': return T.str(length, cp);
    case 'text': return T.text(cp);
    case 'ntext': return T.NTEXT;
    case 'i1': return T.I1;
    case 'i2': return T.I2;
    case 'i4': return T.I4;
    case 'i8': return T.I8;
    case 'ui1': return T.UI1;
    case 'ui2': return T.UI2;
    case 'ui4': return T.UI4;
    case 'ui8': return T.UI8;
    case 'r4': return T.R4;
    case 'r8': return T.R8;
    case 'cy': return T.CY;
    case 'numeric': return T.numeric(num(a.precision, 18), scale);
    case 'decimal': return T.decimal(scale);
    case 'bool': return T.BOOL;
    case 'date': return T.DATE;
    case 'dbdate': return T.DBDATE;
    case 'dbtime': return T.DBTIME;
    case 'dbtime2': return T.dbtime2(scale);
    case 'dbtimestamp': return T.DBTIMESTAMP;
    case 'dbtimestamp2': return T.dbtimestamp2(scale);
    case 'dbtimestampoffset': return T.dbtimestampoffset(scale);
    case 'filetime': return T.FILETIME;
    case 'guid': return T.GUID;
    case 'bytes': return T.bytes(length);
    case 'image': return T.IMAGE;
    case 'null': case 'empty': return T.NULL;
    default: return undefined;
  }
}

/**
 * Flat-file connection column `DataType` codes (OLE DB DBTYPE numbers) → pipeline type names:
 * 129 str, 130 wstr, 3 i4, 20 i8, 131 numeric, 135 dbTimeStamp, 7 date, …
 */
export const DBTYPE_NAMES: Readonly<Record<number, string>> = {
  2: 'i2', 3: 'i4', 4: 'r4', 5: 'r8', 6: 'cy', 7: 'date', 11: 'bool', 14: 'decimal', 16: 'i1', 17: 'ui1', 18: 'ui2',
  19: 'ui4', 20: 'i8', 21: 'ui8', 64: 'fileTime', 72: 'guid', 128: 'bytes', 129: 'str', 130: 'wstr', 131: 'numeric',
  133: 'dbDate', 134: 'dbTime', 135: 'dbTimeStamp', 145: 'dbTime2', 146: 'dbTimeStampOffset', 301: 'image', 302: 'text',
  303: 'ntext', 304: 'dbTimeStamp2', 305: 'ntext', 0: 'empty',
};

/** What went wrong converting one value: SSIS distinguishes truncation (TruncationRowDisposition) from other errors. */
export type ConversionProblem = 'truncation' | 'error';

export class CellError extends Error {
  constructor(readonly problem: ConversionProblem, message: string) { super(message); }
}

/** Converts a typed value to `target` as SSIS converts between buffer types; throws `CellError`. */
export function convertCell(value: Cell, from: SsisType, target: SsisType): Cell {
  if (value === null) return null;
  try {
    return castValue({ type: from, value }, target).value;
  } catch (e) {
    if (e instanceof EvaluationFailure) throw new CellError(/truncation/.test(e.message) ? 'truncation' : 'error', e.message);
    throw e;
  }
}

/**
 * Text from a file or a driver → a value of `target`, the way the Flat File Source and the
 * database adapters convert: numbers and dates parsed with the invariant rules of the cast
 * operator; text longer than a string column is a truncation.
 */
export interface TextOptions {
  /** Day before month in `1/2/05` (the connection's LocaleID is not en-US). */
  readonly dayFirst?: boolean;
}

const LOOSE_DATE = /^\s*(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?\s*([AaPp][Mm])?)?\s*$/;

/**
 * Dates as data files write them and SSIS's locale-aware parsing reads them: `1/1/05 0:00`,
 * `12/31/2008 11:59:59 PM`, `31.12.2008`, `2008-12-31 23:59`. Two-digit years 00-29 are 2000s,
 * 30-99 1900s (Windows' default cutoff). Undefined when the text has another shape.
 */
export function looseDateTicks(text: string, dayFirst: boolean): bigint | undefined {
  const m = LOOSE_DATE.exec(text);
  if (!m) return undefined;
  const [a, b, c] = [Number(m[1]), Number(m[2]), Number(m[3])];
  let year: number, month: number, day: number;
  if (m[1]!.length === 4) { year = a; month = b; day = c; } else {
    if (dayFirst || m[0].includes('.')) { day = a; month = b; } else { month = a; day = b; }
    year = m[3]!.length <= 2 ? (c < 30 ? 2000 + c : 1900 + c) : c;
  }
  let hour = Number(m[4] ?? 0);
  const ampm = m[8]?.toUpperCase();
  if (ampm === 'PM' && hour < 12) hour += 12;
  if (ampm === 'AM' && hour === 12) hour = 0;
  const fraction = m[7] ? Number(m[7].padEnd(7, '0')) : 0;
  return ticksFromParts({ year, month, day, hour, minute: Number(m[5] ?? 0), second: Number(m[6] ?? 0), fraction });
}

export function cellFromText(text: string, target: SsisType, options: TextOptions = {}): Cell {
  if (isString(target)) {
    if (target.name === 'DT_WSTR' && target.length > 0 && text.length > target.length) throw new CellError('truncation', `the text has ${text.length} characters, more than the column's ${target.length}`);
    if (target.name === 'DT_STR' && target.length > 0) {
      const bytes = byteLength(text, target.codepage);
      if (bytes > target.length) throw new CellError('truncation', `the text has ${bytes} bytes in code page ${target.codepage}, more than the column's ${target.length}`);
    }
    return text;
  }
  const fast = fastNumber(text, target);
  if (fast !== undefined) return fast;
  if (isTemporal(target) && target.name !== 'DT_DBTIMESTAMPOFFSET' && !isTimeOnly(target)) {
    const ticks = looseDateTicks(text, options.dayFirst ?? false);
    if (ticks !== undefined) return convertCell({ ticks, offsetMinutes: 0 }, T.dbtimestamp2(7), target);
  }
  const t = target.name === 'DT_BOOL' ? normalizeBoolText(text) : text.trim();
  return convertCell(t, T.wstr(t.length), target);
}

/**
 * `cellFromText` specialised once for a column type (the Flat File Source's per-field hot path):
 * text columns check only their length, 32-bit-or-smaller integers and reals written plainly
 * (`-12`, `3.25`, `1e5`, no spaces) are parsed directly; any other text, and every other type,
 * goes through `cellFromText`, so values and errors are exactly its own.
 */
export function cellParser(target: SsisType, options: TextOptions = {}): (text: string) => Cell {
  const general = (text: string) => cellFromText(text, target, options);
  if (target.name === 'DT_WSTR') {
    const max = target.length;
    return max > 0 ? (text) => (text.length > max ? general(text) : text) : (text) => text;
  }
  if (target.name === 'DT_STR') {
    const max = target.length, cp = target.codepage;
    // Whatever the code page, a UTF-16 unit takes at most 4 bytes (a surrogate pair: 4 bytes for 2 units).
    if (max <= 0) return (text) => text;
    return (text) => (text.length * 4 <= max || byteLength(text, cp) <= max ? text : general(text));
  }
  const info = INTEGER_TYPES[target.name];
  if (info && info.bytes <= 4) {
    const min = Number(info.min), max = Number(info.max);
    return (text) => {
      const n = text.length;
      let i = 0, neg = false;
      const c0 = n > 0 ? text.charCodeAt(0) : 0;
      if (c0 === 45 /* - */ || c0 === 43 /* + */) { neg = c0 === 45; i = 1; }
      if (n - i < 1 || n - i > 9) return general(text);
      let v = 0;
      for (; i < n; i++) {
        const d = text.charCodeAt(i) - 48;
        if (d < 0 || d > 9) return general(text);
        v = v * 10 + d;
      }
      if (neg) v = v === 0 ? 0 : -v;
      return v < min || v > max ? general(text) : v;
    };
  }
  if (target.name === 'DT_R8' || target.name === 'DT_R4') {
    const r4 = target.name === 'DT_R4';
    return (text) => {
      // Only digits, sign, point and exponent: then JS's Number() and the cast's PLAIN_REAL agree.
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (!((c >= 48 && c <= 57) || c === 46 || c === 43 || c === 45 || c === 101 || c === 69)) return general(text);
      }
      const v = r4 ? Math.fround(Number(text)) : Number(text);
      return Number.isFinite(v) && text.length > 0 ? v : general(text);
    };
  }
  return general;
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * For integer (up to 32-bit) and real columns: reads a plainly written number (`-12`, `3.25`: sign,
 * digits, at most one point, no spaces or exponent) straight from `text[start, end)`, giving
 * exactly what `cellParser` gives for that slice; undefined for anything else (the caller slices
 * the field and takes the general path). Reals use the exact fast path of decimal conversion: up
 * to 15 significant digits and 22 decimals make a mantissa and a power of ten that are both exact
 * doubles, so their quotient is the correctly rounded value, the same double `Number()` returns.
 */
export function cellRangeParser(target: SsisType): ((text: string, start: number, end: number) => Cell | undefined) | undefined {
  const info = INTEGER_TYPES[target.name];
  const real = target.name === 'DT_R8' || target.name === 'DT_R4';
  if (!(info && info.bytes <= 4) && !real) return undefined;
  const min = info ? Number(info.min) : 0, max = info ? Number(info.max) : 0;
  const r4 = target.name === 'DT_R4';
  return (text, start, end) => {
    if (end - start > 16) return undefined;
    let i = start, neg = false;
    const c0 = text.charCodeAt(i);
    if (c0 === 45 || c0 === 43) { neg = c0 === 45; i++; }
    let m = 0, digits = 0, decimals = -1;
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        if (m !== 0 || c !== 48) digits++;
        m = m * 10 + (c - 48);
        if (decimals >= 0) decimals++;
      } else if (c === 46 && real && decimals < 0) decimals = 0;
      else return undefined;
    }
    if (info) {
      if (i - start - (c0 === 45 || c0 === 43 ? 1 : 0) < 1 || digits > 9) return undefined;
      const v = neg ? (m === 0 ? 0 : -m) : m;
      return v < min || v > max ? undefined : v;
    }
    // At least one digit (`.`, `-` and `+.` are not numbers), at most 15 significant ones.
    const count = end - start - (c0 === 45 || c0 === 43 ? 1 : 0) - (decimals >= 0 ? 1 : 0);
    if (count < 1 || digits > 15 || decimals > 22) return undefined;
    let v = decimals > 0 ? m / POW10[decimals]! : m;
    if (neg) v = -v;
    return r4 ? Math.fround(v) : v;
  };
}

const SMALL_INT = /^\s*[+-]?\d{1,15}\s*$/;
const PLAIN_REAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/**
 * The common cases of text → number without the general cast (the hot path of flat-file reads):
 * integers of up to 15 digits into integer columns (range-checked; out of range falls through to the
 * cast, which reports the overflow), and plain decimal text into DT_R8/DT_R4.
 */
function fastNumber(text: string, target: SsisType): Cell | undefined {
  const info = INTEGER_TYPES[target.name];
  if (info) {
    if (!SMALL_INT.test(text)) return undefined;
    const n = Number(text);
    if (info.bytes === 8) { const b = BigInt(n); return b >= info.min && b <= info.max ? b : undefined; }
    return n >= Number(info.min) && n <= Number(info.max) ? n : undefined;
  }
  if (target.name === 'DT_R8' && PLAIN_REAL.test(text)) { const n = Number(text); return Number.isFinite(n) ? n : undefined; }
  if (target.name === 'DT_R4' && PLAIN_REAL.test(text)) { const n = Math.fround(Number(text)); return Number.isFinite(n) ? n : undefined; }
  return undefined;
}

function normalizeBoolText(text: string): string {
  const t = text.trim().toLowerCase();
  if (t === '1' || t === '-1' || t === 'true' || t === 'yes' || t === 'y') return 'TRUE';
  if (t === '0' || t === 'false' || t === 'no' || t === 'n') return 'FALSE';
  return text;
}

/** A JS value from a database driver → a value of `target` (numbers, bigint, Date, Buffer, text). */
export function cellFromJs(js: unknown, target: SsisType): Cell {
  if (js === null || js === undefined) return null;
  if (typeof js === 'string') return cellFromText(js, target);
  try {
    const v = js instanceof Uint8Array ? new Uint8Array(js) : js;
    if (typeof v !== 'number' && typeof v !== 'bigint' && typeof v !== 'boolean' && !(v instanceof Date) && !(v instanceof Uint8Array)) {
      return cellFromText(String(v), target);
    }
    return jsToSsisValue(v, target).value;
  } catch (e) {
    if (SsoError.is(e)) throw new CellError(/truncation/.test(e.message) ? 'truncation' : 'error', e.message);
    throw e;
  }
}

/** A buffer value → the JS value drivers bind (exact decimals as text, dates as local `Date`). */
export function cellToJs(value: Cell, type: SsisType): unknown {
  if (value === null) return null;
  return fromSsisValue({ type, value } as SsisValue);
}

/** A buffer value as text, as the Flat File Destination writes it (SSIS's DT_WSTR cast form). */
export function cellToText(value: Cell, type: SsisType): string {
  if (value === null) return '';
  if (typeof value === 'string' && isString(type)) return value;
  if (typeof value === 'number' && INTEGER_TYPES[type.name]) return String(value);
  if (typeof value === 'number' && type.name === 'DT_R8' && Number.isFinite(value)) {
    // Up to 15 significant digits print as JS prints them; longer ones take the cast's G15 form.
    const t = String(value);
    if (significantDigits(t) <= 15) return t;
  }
  if (type.name === 'DT_BOOL') return value ? 'True' : 'False';
  const text = textOf({ type, value } as SsisValue);
  // SSIS writes DT_NUMERIC/DT_DECIMAL between -1 and 1 without the leading zero ('.20', '-.5'), as the
  // golden DATA_NON.txt of the AmiraBedhiafi Split fixture shows.
  if (type.name === 'DT_NUMERIC' || type.name === 'DT_DECIMAL') return text.replace(/^(-?)0\./, '$1.');
  return text;
}

/**
 * Significant digits of a JS number's text without exponent (`0.0012` → 2, `100.5` → 4); 99 when it
 * has an exponent. Leading zeros (also after the point) do not count, trailing ones do.
 */
function significantDigits(t: string): number {
  let i = 0;
  const n = t.length;
  if (t.charCodeAt(0) === 45) i++;
  while (i < n && t.charCodeAt(i) === 48) i++;
  if (i < n && t.charCodeAt(i) === 46) i++;
  while (i < n && t.charCodeAt(i) === 48) i++;
  let digits = 0;
  for (; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c === 101 || c === 69) return 99;
    if (c !== 46) digits++;
  }
  return digits;
}

/** `cellToText` specialised once for a column type (the Flat File Destination's per-field hot path). */
export function cellWriter(type: SsisType): (value: Cell) => string {
  if (isString(type)) return (v) => (typeof v === 'string' ? v : cellToText(v, type));
  const info = INTEGER_TYPES[type.name];
  if (info && info.bytes <= 4) return (v) => (typeof v === 'number' ? String(v) : cellToText(v, type));
  return (v) => cellToText(v, type);
}

export function byteLength(text: string, codepage: number): number {
  if (codepage === 65001) return Buffer.byteLength(text, 'utf8');
  if (codepage === 1200 || codepage === 1201) return text.length * 2;
  return text.length;
}

export { typeToString };
