/**
 * The documented SSIS expression function library (mathematical, string, date/time and NULL
 * functions). Each entry checks its argument count and types and names itself in every error;
 * a NULL argument yields a NULL of the function's result type unless documented otherwise.
 */
import { asBigInt, asDate, asDecimal, asString, castValue, exactOf, integerValue, numberOf } from './convert.ts';
import {
  MAX_TICKS, dateAdd, dateDiff, datePart, datePartFromName, ticksFromLocalDate, ticksFromUtcDate, type DatePart,
} from './datetime.ts';
import { rescale } from './decimal.ts';
import { fail } from './errors.ts';
import { conditionalType, toConditionalType } from './operators.ts';
import {
  T, integerInfo, isDateFamily, isDecimalFamily, isInteger, isNumeric, isReal, isString, nullOf, typeToString,
  type SsisType, type SsisValue,
} from './types.ts';

/** What a function may ask of its caller: the clock, for GETDATE/GETUTCDATE. */
export interface FunctionContext {
  now(): Date;
}

/**
 * A function receives its evaluated arguments, except that the first argument of DATEADD,
 * DATEDIFF and DATEPART may be a bare datepart name (passed as a DT_WSTR by the evaluator).
 */
export type SsisFunction = (args: readonly SsisValue[], ctx: FunctionContext) => SsisValue;

interface Spec { readonly min: number; readonly max: number; readonly fn: SsisFunction }

function argError(name: string, index: number, expected: string, got: SsisValue): never {
  return fail(`${name}: argument ${index + 1} must be ${expected}, got ${typeToString(got.type)}`);
}
function stringArg(name: string, args: readonly SsisValue[], i: number): void {
  const v = args[i] as SsisValue;
  if (!isString(v.type)) argError(name, i, 'a string (DT_WSTR or DT_STR)', v);
}
function intArg(name: string, args: readonly SsisValue[], i: number): void {
  const v = args[i] as SsisValue;
  if (!isInteger(v.type)) argError(name, i, 'an integer', v);
}
function numericArg(name: string, args: readonly SsisValue[], i: number): void {
  const v = args[i] as SsisValue;
  if (!isNumeric(v.type)) argError(name, i, 'numeric', v);
}
const anyNull = (args: readonly SsisValue[]): boolean => args.some((a) => a.value === null);
const int = (v: SsisValue): number => Number(asBigInt(v));
const str = (v: SsisValue): string => asString(v);
const wstr = (s: string): SsisValue => ({ type: T.wstr(s.length), value: s });
const i4 = (n: number | bigint, name: string): SsisValue => {
  const b = BigInt(n);
  if (b < -2147483648n || b > 2147483647n) fail(`${name}: the result ${b} does not fit DT_I4, overflow`);
  return { type: T.I4, value: Number(b) };
};

/** Math functions returning DT_R8: domain errors name the function. */
function real(name: string, compute: (...x: number[]) => number, check?: (...x: number[]) => string | undefined): SsisFunction {
  return (args) => {
    args.forEach((_, i) => numericArg(name, args, i));
    if (anyNull(args)) return nullOf(T.R8);
    const xs = args.map(numberOf);
    const problem = check?.(...xs);
    if (problem) fail(`${name}: ${problem}`);
    const r = compute(...xs);
    if (!Number.isFinite(r)) fail(`${name}: the result is out of the range of DT_R8`);
    return { type: T.R8, value: r };
  };
}

/** ROUND/CEILING/FLOOR: keep the argument's type, applying `mode` at `digits` fractional digits. */
function roundTo(v: SsisValue, digits: number, mode: 'round' | 'ceiling' | 'floor', name: string): SsisValue {
  if (isInteger(v.type)) return v;
  if (isReal(v.type)) {
    const x = v.value as number;
    const f = 10 ** digits;
    const scaled = x * f;
    const r = mode === 'ceiling' ? Math.ceil(scaled) : mode === 'floor' ? Math.floor(scaled) : Math.sign(scaled) * Math.round(Math.abs(scaled));
    const out = r / f;
    return { type: v.type, value: v.type.name === 'DT_R4' ? Math.fround(out) : out };
  }
  if (isDecimalFamily(v.type)) {
    const d = asDecimal(v);
    if (digits >= d.scale) return v;
    let cut = rescale(d, digits, 'truncate');
    const exact = rescale(cut, d.scale).unscaled === d.unscaled;
    if (mode === 'round') cut = rescale(d, digits, 'round');
    else if (!exact && mode === 'ceiling' && d.unscaled > 0n) cut = { unscaled: cut.unscaled + 1n, scale: cut.scale };
    else if (!exact && mode === 'floor' && d.unscaled < 0n) cut = { unscaled: cut.unscaled - 1n, scale: cut.scale };
    const back = rescale(cut, d.scale);
    return castValue({ type: T.numeric(38, d.scale), value: back }, v.type);
  }
  return fail(`${name}: argument 1 must be numeric, got ${typeToString(v.type)}`);
}

function dateArg(name: string, args: readonly SsisValue[], i: number): SsisValue {
  const v = args[i] as SsisValue;
  if (isDateFamily(v.type) || v.type.name === 'DT_DBTIME' || v.type.name === 'DT_DBTIME2') return v;
  // The documented functions also take a string in a date format.
  if (isString(v.type)) return castValue(v, T.DBTIMESTAMP);
  return argError(name, i, 'a date', v);
}

function datePartArg(name: string, args: readonly SsisValue[]): DatePart {
  const v = args[0] as SsisValue;
  if (!isString(v.type)) argError(name, 0, 'a datepart name such as "dd" or "month"', v);
  if (v.value === null) fail(`${name}: the datepart must not be NULL`);
  const part = datePartFromName(str(v));
  if (!part) fail(`${name}: "${str(v)}" is not a datepart (year/yy/yyyy, quarter/qq/q, month/mm/m, dayofyear/dy/y, day/dd/d, week/wk/ww, weekday/dw, hour/hh, minute/mi/n, second/ss/s, millisecond/ms)`);
  return part;
}

const SPACE_RUN_LEFT = /^ +/;
const SPACE_RUN_RIGHT = / +$/;

function tokens(text: string, delimiters: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const ch of text) {
    if (delimiters.includes(ch)) { if (cur !== '') out.push(cur); cur = ''; } else cur += ch;
  }
  if (cur !== '') out.push(cur);
  return out;
}

const FUNCTIONS: Readonly<Record<string, Spec>> = {
  // ---- mathematical
  ABS: { min: 1, max: 1, fn: (args) => {
    numericArg('ABS', args, 0);
    const v = args[0] as SsisValue;
    if (v.value === null) return v;
    if (isInteger(v.type)) {
      const x = asBigInt(v);
      const r = x < 0n ? -x : x;
      if (r > integerInfo(v.type)!.max) fail(`ABS: the result ${r} does not fit ${typeToString(v.type)}, overflow`);
      return integerValue(v.type, r);
    }
    if (isReal(v.type)) return { type: v.type, value: Math.abs(v.value as number) };
    const d = asDecimal(v);
    return { type: v.type, value: { unscaled: d.unscaled < 0n ? -d.unscaled : d.unscaled, scale: d.scale } };
  } },
  CEILING: { min: 1, max: 1, fn: (args) => { numericArg('CEILING', args, 0); const v = args[0] as SsisValue; return v.value === null ? v : roundTo(v, 0, 'ceiling', 'CEILING'); } },
  FLOOR: { min: 1, max: 1, fn: (args) => { numericArg('FLOOR', args, 0); const v = args[0] as SsisValue; return v.value === null ? v : roundTo(v, 0, 'floor', 'FLOOR'); } },
  ROUND: { min: 2, max: 2, fn: (args) => {
    numericArg('ROUND', args, 0);
    intArg('ROUND', args, 1);
    const [v, len] = args as [SsisValue, SsisValue];
    if (v.value === null || len.value === null) return nullOf(v.type);
    const digits = int(len);
    if (digits < 0) fail(`ROUND: the length must be 0 or more, got ${digits}`);
    return roundTo(v, digits, 'round', 'ROUND');
  } },
  EXP: { min: 1, max: 1, fn: real('EXP', Math.exp) },
  LN: { min: 1, max: 1, fn: real('LN', Math.log, (x) => (x! <= 0 ? `the argument must be greater than 0, got ${x}` : undefined)) },
  LOG: { min: 1, max: 1, fn: real('LOG', Math.log10, (x) => (x! <= 0 ? `the argument must be greater than 0, got ${x}` : undefined)) },
  POWER: { min: 2, max: 2, fn: real('POWER', Math.pow, (x, y) => (x! < 0 && !Number.isInteger(y) ? 'a negative number cannot be raised to a fractional power' : undefined)) },
  SQRT: { min: 1, max: 1, fn: real('SQRT', Math.sqrt, (x) => (x! < 0 ? `the argument must not be negative, got ${x}` : undefined)) },
  SQUARE: { min: 1, max: 1, fn: real('SQUARE', (x) => x * x) },
  SIGN: { min: 1, max: 1, fn: (args) => {
    numericArg('SIGN', args, 0);
    const v = args[0] as SsisValue;
    if (v.value === null) return nullOf(T.I4);
    const d = exactOf(v);
    const s = isReal(v.type) ? Math.sign(v.value as number) : d!.unscaled > 0n ? 1 : d!.unscaled < 0n ? -1 : 0;
    return { type: T.I4, value: s };
  } },

  // ---- string
  CODEPOINT: { min: 1, max: 1, fn: (args) => {
    stringArg('CODEPOINT', args, 0);
    const v = args[0] as SsisValue;
    if (v.value === null || str(v) === '') return nullOf(T.UI2);
    return { type: T.UI2, value: str(v).charCodeAt(0) };
  } },
  FINDSTRING: { min: 3, max: 3, fn: (args) => {
    stringArg('FINDSTRING', args, 0); stringArg('FINDSTRING', args, 1); intArg('FINDSTRING', args, 2);
    if (anyNull(args)) return nullOf(T.I4);
    const [s, search, occ] = [str(args[0]!), str(args[1]!), int(args[2]!)];
    if (occ <= 0) fail(`FINDSTRING: the occurrence must be greater than 0, got ${occ}`);
    if (search === '') return { type: T.I4, value: 0 };
    let at = -1;
    for (let n = 0; n < occ; n++) {
      at = s.indexOf(search, at + 1);
      if (at < 0) return { type: T.I4, value: 0 };
    }
    return { type: T.I4, value: at + 1 };
  } },
  HEX: { min: 1, max: 1, fn: (args) => {
    intArg('HEX', args, 0);
    const v = args[0] as SsisValue;
    if (v.value === null) return nullOf(T.wstr(16));
    const info = integerInfo(v.type)!;
    const bits = info.bytes * 8;
    return wstr(BigInt.asUintN(bits, asBigInt(v)).toString(16).toUpperCase());
  } },
  LEFT: { min: 2, max: 2, fn: (args) => {
    stringArg('LEFT', args, 0); intArg('LEFT', args, 1);
    if (anyNull(args)) return nullOf(T.wstr(0));
    const n = int(args[1]!);
    if (n < 0) fail(`LEFT: the number of characters must not be negative, got ${n}`);
    return wstr(str(args[0]!).slice(0, n));
  } },
  RIGHT: { min: 2, max: 2, fn: (args) => {
    stringArg('RIGHT', args, 0); intArg('RIGHT', args, 1);
    if (anyNull(args)) return nullOf(T.wstr(0));
    const n = int(args[1]!);
    if (n < 0) fail(`RIGHT: the number of characters must not be negative, got ${n}`);
    const s = str(args[0]!);
    return wstr(n === 0 ? '' : s.slice(Math.max(0, s.length - n)));
  } },
  LEN: { min: 1, max: 1, fn: (args) => {
    stringArg('LEN', args, 0);
    const v = args[0] as SsisValue;
    return v.value === null ? nullOf(T.I4) : { type: T.I4, value: str(v).length };
  } },
  LOWER: { min: 1, max: 1, fn: (args) => { stringArg('LOWER', args, 0); const v = args[0]!; return v.value === null ? v : { type: v.type, value: str(v).toLowerCase() }; } },
  UPPER: { min: 1, max: 1, fn: (args) => { stringArg('UPPER', args, 0); const v = args[0]!; return v.value === null ? v : { type: v.type, value: str(v).toUpperCase() }; } },
  // TRIM, LTRIM and RTRIM remove spaces only, not tabs or line breaks (documented).
  LTRIM: { min: 1, max: 1, fn: (args) => { stringArg('LTRIM', args, 0); const v = args[0]!; return v.value === null ? v : { type: v.type, value: str(v).replace(SPACE_RUN_LEFT, '') }; } },
  RTRIM: { min: 1, max: 1, fn: (args) => { stringArg('RTRIM', args, 0); const v = args[0]!; return v.value === null ? v : { type: v.type, value: str(v).replace(SPACE_RUN_RIGHT, '') }; } },
  TRIM: { min: 1, max: 1, fn: (args) => { stringArg('TRIM', args, 0); const v = args[0]!; return v.value === null ? v : { type: v.type, value: str(v).replace(SPACE_RUN_LEFT, '').replace(SPACE_RUN_RIGHT, '') }; } },
  REPLACE: { min: 3, max: 3, fn: (args) => {
    [0, 1, 2].forEach((i) => stringArg('REPLACE', args, i));
    if (anyNull(args)) return nullOf(T.wstr(0));
    const search = str(args[1]!);
    if (search === '') fail('REPLACE: the search string must not be empty');
    return wstr(str(args[0]!).split(search).join(str(args[2]!)));
  } },
  REPLICATE: { min: 2, max: 2, fn: (args) => {
    stringArg('REPLICATE', args, 0); intArg('REPLICATE', args, 1);
    if (anyNull(args)) return nullOf(T.wstr(0));
    const n = int(args[1]!);
    if (n < 0) fail(`REPLICATE: the number of times must not be negative, got ${n}`);
    const s = str(args[0]!);
    if (s.length * n > 4000) fail(`REPLICATE: the result (${s.length * n} characters) is longer than 4000 characters`);
    return wstr(s.repeat(n));
  } },
  REVERSE: { min: 1, max: 1, fn: (args) => { stringArg('REVERSE', args, 0); const v = args[0]!; return v.value === null ? v : { type: v.type, value: [...str(v)].reverse().join('') }; } },
  SUBSTRING: { min: 3, max: 3, fn: (args) => {
    stringArg('SUBSTRING', args, 0); intArg('SUBSTRING', args, 1); intArg('SUBSTRING', args, 2);
    if (anyNull(args)) return nullOf(T.wstr(0));
    const [start, len] = [int(args[1]!), int(args[2]!)];
    if (start <= 0) fail(`SUBSTRING: the start position must be 1 or more, got ${start}`);
    if (len < 0) fail(`SUBSTRING: the length must not be negative, got ${len}`);
    return wstr(str(args[0]!).substr(start - 1, len));
  } },
  TOKEN: { min: 3, max: 3, fn: (args) => {
    stringArg('TOKEN', args, 0); stringArg('TOKEN', args, 1); intArg('TOKEN', args, 2);
    if (anyNull(args)) return nullOf(T.wstr(0));
    const occ = int(args[2]!);
    if (occ <= 0) fail(`TOKEN: the occurrence must be greater than 0, got ${occ}`);
    return wstr(tokens(str(args[0]!), str(args[1]!))[occ - 1] ?? '');
  } },
  TOKENCOUNT: { min: 2, max: 2, fn: (args) => {
    stringArg('TOKENCOUNT', args, 0); stringArg('TOKENCOUNT', args, 1);
    if (anyNull(args)) return nullOf(T.I4);
    return { type: T.I4, value: tokens(str(args[0]!), str(args[1]!)).length };
  } },

  // ---- date and time
  DATEADD: { min: 3, max: 3, fn: (args) => {
    const part = datePartArg('DATEADD', args);
    numericArg('DATEADD', args, 1);
    const d = dateArg('DATEADD', args, 2);
    if (args[1]!.value === null || d.value === null) return nullOf(T.DBTIMESTAMP);
    const n = numberOf(args[1]!);
    const ticks = dateAdd(part, n, asDate(d).ticks);
    if (ticks === undefined) fail(`DATEADD: adding ${n} ${part}(s) leaves the date range (0001-01-01 to 9999-12-31)`);
    return castValue({ type: T.dbtimestamp2(7), value: { ticks, offsetMinutes: 0 } }, T.DBTIMESTAMP);
  } },
  DATEDIFF: { min: 3, max: 3, fn: (args) => {
    const part = datePartArg('DATEDIFF', args);
    const a = dateArg('DATEDIFF', args, 1);
    const b = dateArg('DATEDIFF', args, 2);
    if (a.value === null || b.value === null) return nullOf(T.I4);
    // Offsets are normalised to UTC first, so a +02:00 and a Z timestamp compare as instants.
    const utc = (v: SsisValue): bigint => asDate(v).ticks - BigInt(asDate(v).offsetMinutes) * 600_000_000n;
    return i4(dateDiff(part, utc(a), utc(b)), 'DATEDIFF');
  } },
  DATEPART: { min: 2, max: 2, fn: (args) => {
    const part = datePartArg('DATEPART', args);
    const d = dateArg('DATEPART', args, 1);
    if (d.value === null) return nullOf(T.I4);
    return { type: T.I4, value: datePart(part, asDate(d).ticks) };
  } },
  DAY: { min: 1, max: 1, fn: (args) => { const d = dateArg('DAY', args, 0); return d.value === null ? nullOf(T.I4) : { type: T.I4, value: datePart('day', asDate(d).ticks) }; } },
  MONTH: { min: 1, max: 1, fn: (args) => { const d = dateArg('MONTH', args, 0); return d.value === null ? nullOf(T.I4) : { type: T.I4, value: datePart('month', asDate(d).ticks) }; } },
  YEAR: { min: 1, max: 1, fn: (args) => { const d = dateArg('YEAR', args, 0); return d.value === null ? nullOf(T.I4) : { type: T.I4, value: datePart('year', asDate(d).ticks) }; } },
  GETDATE: { min: 0, max: 0, fn: (_args, ctx) => ({ type: T.DBTIMESTAMP, value: { ticks: clampTicks(ticksFromLocalDate(ctx.now())), offsetMinutes: 0 } }) },
  GETUTCDATE: { min: 0, max: 0, fn: (_args, ctx) => ({ type: T.DBTIMESTAMP, value: { ticks: clampTicks(ticksFromUtcDate(ctx.now())), offsetMinutes: 0 } }) },

  // ---- NULL
  ISNULL: { min: 1, max: 1, fn: (args) => ({ type: T.BOOL, value: args[0]!.value === null }) },
  REPLACENULL: { min: 2, max: 2, fn: (args) => {
    const [v, r] = args as [SsisValue, SsisValue];
    const type = conditionalType(v.type, r.type);
    return toConditionalType(v.value === null ? r : v, type);
  } },
};

function clampTicks(t: bigint): bigint { return t < 0n ? 0n : t >= MAX_TICKS ? MAX_TICKS - 1n : t; }

/** Looks a function up by (upper-case) name. */
export function lookupFunction(name: string): Spec | undefined { return FUNCTIONS[name]; }

/** Names of every supported function, for documentation and validation. */
export const FUNCTION_NAMES: readonly string[] = Object.keys(FUNCTIONS);

/** Functions whose first argument is a datepart name that may be written without quotes. */
export const DATEPART_FUNCTIONS: ReadonlySet<string> = new Set(['DATEADD', 'DATEDIFF', 'DATEPART']);

export type { SsisType };
