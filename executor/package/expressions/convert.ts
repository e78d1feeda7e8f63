/**
 * Conversions between SSIS types: the cast operator `(DT_…)`, the implicit conversions of
 * `evaluateAs`, and the text form of every value. Numeric → integer conversions round half away
 * from zero; string lengths are enforced (truncation is an error, as in SSIS).
 */
import {
  compareDecimal, decimalFromBigInt, decimalFromNumber, decimalToNumber, digitCount, formatDecimal,
  parseDecimal, pow10, rescale,
} from './decimal.ts';
import {
  MAX_TICKS, OA_EPOCH_TICKS, TICKS_PER_DAY, TICKS_PER_MS, TICKS_PER_SECOND, formatDateValue, oaDateFromTicks,
  parseDateText, ticksFromOaDate,
} from './datetime.ts';
import { fail } from './errors.ts';
import {
  decimalScale, integerInfo, isBinary, isDateFamily, isDecimalFamily, isInteger, isNumeric, isReal, isString,
  isTemporal, isTimeOnly, nullOf, typeToString, type SsisDateTime, type SsisDecimal, type SsisType, type SsisValue,
} from './types.ts';

// ---- reading values ------------------------------------------------------------------------

export function asBigInt(v: SsisValue): bigint {
  return typeof v.value === 'bigint' ? v.value : BigInt(v.value as number);
}
export function asDecimal(v: SsisValue): SsisDecimal { return v.value as SsisDecimal; }
export function asDate(v: SsisValue): SsisDateTime { return v.value as SsisDateTime; }
export function asString(v: SsisValue): string { return v.value as string; }

/** An integer value of an integer type (number for ≤ 4 bytes, bigint for 8). */
export function integerValue(type: SsisType, v: bigint): SsisValue {
  const info = integerInfo(type);
  if (!info) return fail(`internal: ${typeToString(type)} is not an integer type`);
  return { type, value: info.bytes === 8 ? v : Number(v) };
}

/** Any numeric value as an exact decimal (reals via their shortest text). */
export function exactOf(v: SsisValue): SsisDecimal | undefined {
  if (isInteger(v.type)) return decimalFromBigInt(asBigInt(v));
  if (isDecimalFamily(v.type)) return asDecimal(v);
  if (isReal(v.type)) return decimalFromNumber(v.value as number);
  return undefined;
}
export function numberOf(v: SsisValue): number {
  if (isInteger(v.type)) return Number(v.value);
  if (isDecimalFamily(v.type)) return decimalToNumber(asDecimal(v));
  return v.value as number;
}

// ---- text forms ----------------------------------------------------------------------------

/** .NET-style "G" formatting with `digits` significant digits (R8: 15, R4: 7). */
export function formatReal(n: number, digits: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return '0';
  const [mant = '0', expText = '0'] = n.toExponential(digits - 1).split('e');
  const exp = Number(expText);
  const neg = mant.startsWith('-');
  const d = mant.replace('-', '').replace('.', '').replace(/0+$/, '') || '0';
  let out: string;
  if (exp < -5 || exp >= digits) {
    const m = d.length > 1 ? `${d[0]}.${d.slice(1)}` : d;
    out = `${m}E${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  } else if (exp < 0) {
    out = `0.${'0'.repeat(-exp - 1)}${d}`;
  } else {
    const int = d.slice(0, exp + 1).padEnd(exp + 1, '0');
    const frac = d.slice(exp + 1);
    out = frac ? `${int}.${frac}` : int;
  }
  return neg ? `-${out}` : out;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join('');
}

/** The text a cast to DT_WSTR gives (not length-checked); 'NULL' is never returned for null. */
export function textOf(v: SsisValue): string {
  const t = v.type;
  const x = v.value;
  if (x === null) return '';
  if (typeof x === 'string') return x;
  if (typeof x === 'boolean') return x ? 'True' : 'False';
  if (isInteger(t)) return String(x);
  if (t.name === 'DT_R4') return formatReal(x as number, 7);
  if (t.name === 'DT_R8') return formatReal(x as number, 15);
  if (t.name === 'DT_NUMERIC') return formatDecimal(x as SsisDecimal);
  if (isDecimalFamily(t)) return formatDecimal(x as SsisDecimal, true);
  if (isTemporal(t)) return formatDateValue(x as SsisDateTime, t);
  if (x instanceof Uint8Array) return hex(x);
  return String(x);
}

/** Byte length of text in a DT_STR code page (UTF-8 and UTF-16 counted; others one byte a char). */
function byteLength(text: string, codepage: number): number {
  if (codepage === 65001) return Buffer.byteLength(text, 'utf8');
  if (codepage === 1200 || codepage === 1201) return text.length * 2;
  return text.length;
}

// ---- the cast operator ---------------------------------------------------------------------

function describe(v: SsisValue): string {
  const text = textOf(v);
  return `'${text.length > 60 ? `${text.slice(0, 57)}...` : text}' (${typeToString(v.type)})`;
}
function conversionFailed(v: SsisValue, target: SsisType, why?: string): never {
  return fail(`conversion of ${describe(v)} to ${typeToString(target)} failed${why ? `: ${why}` : ''}`);
}
function notSupported(v: SsisValue, target: SsisType): never {
  return fail(`a cast from ${typeToString(v.type)} to ${typeToString(target)} is not supported`);
}

/**
 * Casts `v` to `target` as `(target) v` does. A NULL stays NULL with the target type (after the
 * cast is checked to be legal). Failures raise an EvaluationFailure naming value and types.
 */
export function castValue(v: SsisValue, target: SsisType): SsisValue {
  checkLegal(v.type, target);
  if (v.value === null) return nullOf(target);
  if (isString(target)) return toText(v, target);
  if (isInteger(target)) return integerValue(target, toBigInt(v, target));
  if (isReal(target)) return { type: target, value: toReal(v, target) };
  if (isDecimalFamily(target)) return { type: target, value: toDecimal(v, target) };
  if (target.name === 'DT_BOOL') return { type: target, value: toBool(v, target) };
  if (isTemporal(target)) return { type: target, value: toDate(v, target) };
  if (target.name === 'DT_GUID') return { type: target, value: toGuid(v, target) };
  if (isBinary(target)) return { type: target, value: toBytes(v, target) };
  return notSupported(v, target);
}

/** The legal-cast table: which source families may convert to which targets. */
function checkLegal(from: SsisType, to: SsisType): void {
  if (from.name === 'DT_NULL' || to.name === from.name) return;
  const ok = ((): boolean => {
    if (to.name === 'DT_NULL') return false;
    if (isString(to)) return true;
    if (isString(from)) return true;
    if (isNumeric(to) || to.name === 'DT_BOOL') {
      return isNumeric(from) || from.name === 'DT_BOOL' || (from.name === 'DT_DATE' && isNumeric(to));
    }
    if (isTemporal(to)) return isTemporal(from) || (to.name === 'DT_DATE' && isNumeric(from));
    if (to.name === 'DT_GUID') return false;
    if (isBinary(to)) return isBinary(from) || from.name === 'DT_GUID';
    return false;
  })();
  if (!ok) fail(`a cast from ${typeToString(from)} to ${typeToString(to)} is not supported`);
}

function toText(v: SsisValue, target: SsisType): SsisValue {
  const text = textOf(v);
  if (target.name === 'DT_WSTR' && text.length > target.length) {
    fail(`the value ${describe(v)} does not fit ${typeToString(target)}: ${text.length} characters, truncation`);
  }
  if (target.name === 'DT_STR' && byteLength(text, target.codepage) > target.length) {
    fail(`the value ${describe(v)} does not fit ${typeToString(target)}: ${byteLength(text, target.codepage)} bytes, truncation`);
  }
  return { type: target, value: text };
}

const roundHalfAway = (n: number): number => Math.sign(n) * Math.round(Math.abs(n));

function toBigInt(v: SsisValue, target: SsisType): bigint {
  const info = integerInfo(target)!;
  let r: bigint;
  const t = v.type;
  if (isInteger(t)) r = asBigInt(v);
  else if (isReal(t)) {
    const n = v.value as number;
    if (!Number.isFinite(n)) conversionFailed(v, target, 'not a finite number');
    r = BigInt(roundHalfAway(n));
  } else if (isDecimalFamily(t)) r = rescale(asDecimal(v), 0).unscaled;
  else if (t.name === 'DT_BOOL') r = v.value ? (info.signed ? -1n : info.max) : 0n;
  else if (isString(t)) {
    const d = parseDecimal(asString(v));
    if (!d) return conversionFailed(v, target, 'not a number');
    r = rescale(d, 0).unscaled;
  } else if (t.name === 'DT_DATE') r = BigInt(roundHalfAway(oaDateFromTicks(asDate(v).ticks)));
  else return notSupported(v, target);
  if (r < info.min || r > info.max) conversionFailed(v, target, `out of range (${info.min} to ${info.max}), overflow`);
  return r;
}

function toReal(v: SsisValue, target: SsisType): number {
  const t = v.type;
  let n: number;
  if (isNumeric(t)) n = numberOf(v);
  else if (t.name === 'DT_BOOL') n = v.value ? -1 : 0;
  else if (isString(t)) {
    const s = asString(v).trim();
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return conversionFailed(v, target, 'not a number');
    n = Number(s);
  } else if (t.name === 'DT_DATE') n = oaDateFromTicks(asDate(v).ticks);
  else return notSupported(v, target);
  if (target.name === 'DT_R4') {
    const f = Math.fround(n);
    if (!Number.isFinite(f) && Number.isFinite(n)) conversionFailed(v, target, 'out of range, overflow');
    return f;
  }
  if (!Number.isFinite(n)) conversionFailed(v, target, 'out of range, overflow');
  return n;
}

const CY_MIN = -9223372036854775808n;
const CY_MAX = 9223372036854775807n;

/** Exact decimal at the target's scale, checked against its precision. */
export function fitDecimal(d: SsisDecimal, target: SsisType, onOverflow: () => never): SsisDecimal {
  const scaled = rescale(d, decimalScale(target));
  if (target.name === 'DT_CY') {
    if (scaled.unscaled < CY_MIN || scaled.unscaled > CY_MAX) onOverflow();
  } else {
    const precision = target.name === 'DT_NUMERIC' ? target.precision : 29;
    if (digitCount(scaled.unscaled) > precision) onOverflow();
  }
  return scaled;
}

function toDecimal(v: SsisValue, target: SsisType): SsisDecimal {
  const t = v.type;
  let d: SsisDecimal | undefined;
  if (isNumeric(t)) d = exactOf(v);
  else if (t.name === 'DT_BOOL') d = decimalFromBigInt(v.value ? -1n : 0n);
  else if (isString(t)) d = parseDecimal(asString(v));
  else return notSupported(v, target);
  if (!d) return conversionFailed(v, target, 'not a number');
  return fitDecimal(d, target, () => conversionFailed(v, target, 'the value does not fit the precision, overflow'));
}

function toBool(v: SsisValue, target: SsisType): boolean {
  const t = v.type;
  if (t.name === 'DT_BOOL') return v.value as boolean;
  if (isInteger(t)) return asBigInt(v) !== 0n;
  if (isReal(t)) return (v.value as number) !== 0;
  if (isDecimalFamily(t)) return asDecimal(v).unscaled !== 0n;
  if (isString(t)) {
    const s = asString(v).trim().toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
    const d = parseDecimal(s);
    if (d) return d.unscaled !== 0n;
    return conversionFailed(v, target, "expected 'True', 'False' or a number");
  }
  return notSupported(v, target);
}

/** Reduces ticks to the precision a date type keeps (truncating, not rounding). */
export function fitTicks(ticks: bigint, target: SsisType): bigint {
  const trunc = (unit: bigint): bigint => ticks - (ticks % unit);
  switch (target.name) {
    case 'DT_DBDATE': return trunc(TICKS_PER_DAY);
    case 'DT_DBTIME': return (ticks % TICKS_PER_DAY) - ((ticks % TICKS_PER_DAY) % TICKS_PER_SECOND);
    case 'DT_DBTIME2': {
      const t = ticks % TICKS_PER_DAY;
      return t - (t % pow10(7 - target.scale));
    }
    case 'DT_DBTIMESTAMP2': case 'DT_DBTIMESTAMPOFFSET': return trunc(pow10(7 - target.scale));
    case 'DT_DBTIMESTAMP': case 'DT_DATE': return trunc(TICKS_PER_MS);
    default: return ticks;
  }
}

function toDate(v: SsisValue, target: SsisType): SsisDateTime {
  const t = v.type;
  const offsetTarget = target.name === 'DT_DBTIMESTAMPOFFSET';
  if (isString(t)) {
    const p = parseDateText(asString(v));
    if (!p) return conversionFailed(v, target, 'not a date/time in a recognised format (yyyy-mm-dd hh:mm:ss[.fffffff] [+hh:mm], mm/dd/yyyy …)');
    if (isTimeOnly(target) && p.hasDate && !p.hasTime) conversionFailed(v, target, 'no time part');
    if (isDateFamily(target) && !p.hasDate) conversionFailed(v, target, 'no date part');
    return { ticks: fitTicks(p.ticks, target), offsetMinutes: offsetTarget ? p.offsetMinutes : 0 };
  }
  if (isTemporal(t)) {
    const d = asDate(v);
    let ticks = d.ticks;
    // A time alone becomes a time on the OLE zero date, 1899-12-30.
    if (isTimeOnly(t) && isDateFamily(target)) ticks = OA_EPOCH_TICKS + (ticks % TICKS_PER_DAY);
    return { ticks: fitTicks(ticks, target), offsetMinutes: offsetTarget && t.name === 'DT_DBTIMESTAMPOFFSET' ? d.offsetMinutes : 0 };
  }
  if (isNumeric(t) && target.name === 'DT_DATE') {
    const ticks = ticksFromOaDate(numberOf(v));
    if (ticks === undefined || ticks >= MAX_TICKS) return conversionFailed(v, target, 'out of the date range');
    return { ticks: fitTicks(ticks, target), offsetMinutes: 0 };
  }
  return notSupported(v, target);
}

const GUID_RE = /^\s*\{?([0-9a-fA-F]{8})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{12})\}?\s*$/;
function toGuid(v: SsisValue, target: SsisType): string {
  const m = GUID_RE.exec(asString(v));
  if (!m) return conversionFailed(v, target, 'not a GUID ({XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX})');
  return `{${m.slice(1, 6).join('-').toUpperCase()}}`;
}

function toBytes(v: SsisValue, target: SsisType): Uint8Array {
  const t = v.type;
  let bytes: Uint8Array;
  if (isBinary(t)) bytes = v.value as Uint8Array;
  else if (t.name === 'DT_GUID') {
    const h = (v.value as string).replace(/[{}-]/g, '');
    const be = Buffer.from(h, 'hex');
    // .NET Guid byte order: the first three groups are little-endian.
    bytes = Uint8Array.from([be[3], be[2], be[1], be[0], be[5], be[4], be[7], be[6], ...be.subarray(8)] as number[]);
  } else if (isString(t)) {
    bytes = new Uint8Array(Buffer.from(asString(v), t.name === 'DT_WSTR' || t.name === 'DT_NTEXT' ? 'utf16le' : 'latin1'));
  } else return notSupported(v, target);
  if (target.name === 'DT_BYTES' && bytes.length > target.length) {
    fail(`the value ${describe(v)} does not fit ${typeToString(target)}: ${bytes.length} bytes, truncation`);
  }
  return bytes;
}

/** Compares two decimals; exported for the operators. */
export { compareDecimal };
