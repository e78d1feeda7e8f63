/**
 * SQL values of the front door: typed scalars, SQL Server's conversion rules between them (with its
 * error numbers 245, 8114, 8115, 8169, 241, 206), comparison under a case-insensitive collation, and the
 * text form sqlcmd prints. Integers are exact (JS bigint); decimals carry their scale for printing.
 */
import type { SqlTypeSpec } from './parser.ts';

export interface DateTimeOffsetValue {
  /** The instant, ms since the epoch (UTC). */
  readonly ms: number;
  /** Extra 100-ns ticks within the millisecond (0…9999), so 7-digit fractions round-trip. */
  readonly ticks: number;
  /** Offset from UTC in minutes. */
  readonly offset: number;
}

export type SqlScalar = null | string | bigint | number | boolean | Uint8Array | DateTimeOffsetValue;

/** A value with its SQL type name (lower case: 'int', 'nvarchar', 'uniqueidentifier', 'null' for untyped NULL…). */
export interface SqlValue {
  readonly type: string;
  readonly value: SqlScalar;
  /** decimal/numeric scale, for printing. */
  readonly scale?: number;
}

export const NULL: SqlValue = { type: 'null', value: null };

/** A conversion or arithmetic failure, with SQL Server's error number; level 16. */
export class SqlValueError extends Error {
  override name = 'SqlValueError';
  constructor(readonly number: number, message: string) { super(message); }
}

const INT_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  tinyint: [0n, 255n],
  smallint: [-32768n, 32767n],
  int: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
};
export const STRING_TYPES = new Set(['varchar', 'nvarchar', 'char', 'nchar', 'sysname', 'text', 'ntext', 'xml']);
export const INTEGER_TYPES = new Set(Object.keys(INT_RANGES));
const DECIMAL_TYPES = new Set(['decimal', 'numeric', 'money', 'smallmoney']);
const FLOAT_TYPES = new Set(['float', 'real']);
const DATE_TYPES = new Set(['datetimeoffset', 'datetime2', 'datetime', 'smalldatetime', 'date', 'time']);

export function isNumericType(t: string): boolean {
  return INTEGER_TYPES.has(t) || DECIMAL_TYPES.has(t) || FLOAT_TYPES.has(t) || t === 'bit';
}
export function isStringType(t: string): boolean {
  return STRING_TYPES.has(t);
}

/** How SQL Server spells a type in conversion messages. */
function typeWord(t: string): string {
  if (t === 'decimal') return 'numeric';
  if (t === 'sysname') return 'nvarchar';
  return t;
}

export function typeText(t: SqlTypeSpec): string {
  if (t.length !== undefined) return `${t.name}(${t.length})`;
  if (t.precision !== undefined) return `${t.name}(${t.precision},${t.scale ?? 0})`;
  return t.name;
}

const GUID_RE = /^\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;

/** Parses date/time text (ISO 8601 or SQL Server's `yyyy-mm-dd hh:mm:ss[.fffffff] [+hh:mm]`). */
export function parseDateTime(text: string): DateTimeOffsetValue | null {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*(Z|[+-]\d{2}:\d{2})?\s*$/i.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', tz] = m;
  const fr = (frac + '0000000').slice(0, 7);
  const offset = tz === undefined || tz.toUpperCase() === 'Z' ? 0 : (tz[0] === '-' ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6)));
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(fr.slice(0, 3)));
  if (Number.isNaN(local)) return null;
  const check = new Date(local);
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  return { ms: local - offset * 60000, ticks: Number(fr.slice(3)), offset };
}

function pad(n: number, w: number): string {
  return String(Math.abs(n)).padStart(w, '0');
}

/** `2026-11-24 22:41:03.1234567 +00:00` (digits = fraction digits; offset omitted for datetime types). */
export function formatDateTime(v: DateTimeOffsetValue, type: string): string {
  const local = new Date(v.ms + v.offset * 60000);
  const date = `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)}`;
  if (type === 'date') return date;
  const time = `${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)}:${pad(local.getUTCSeconds(), 2)}`;
  const frac7 = pad(local.getUTCMilliseconds(), 3) + pad(v.ticks, 4);
  if (type === 'datetime') return `${date} ${time}.${frac7.slice(0, 3)}`;
  if (type === 'smalldatetime') return `${date} ${time.slice(0, 5)}:00`;
  if (type === 'datetime2') return `${date} ${time}.${frac7}`;
  if (type === 'time') return `${time}.${frac7}`;
  const sign = v.offset < 0 ? '-' : '+';
  return `${date} ${time}.${frac7} ${sign}${pad(Math.trunc(Math.abs(v.offset) / 60), 2)}:${pad(Math.abs(v.offset) % 60, 2)}`;
}

function hex(bytes: Uint8Array): string {
  return '0x' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join('');
}

function decimalText(n: number, scale: number | undefined): string {
  if (scale === undefined) return String(n);
  return n.toFixed(scale);
}

/** The text sqlcmd prints for a value (NULL as `NULL`, bit as 0/1). */
export function displayValue(v: SqlValue): string | null {
  const x = v.value;
  if (x === null) return null;
  if (typeof x === 'boolean') return x ? '1' : '0';
  if (typeof x === 'bigint') return x.toString();
  if (typeof x === 'number') {
    if (DECIMAL_TYPES.has(v.type)) return decimalText(x, v.scale ?? (v.type.endsWith('money') ? 4 : undefined));
    if (Number.isInteger(x) && FLOAT_TYPES.has(v.type) && Math.abs(x) >= 1e15) return x.toExponential().replace('e', 'E');
    return String(x);
  }
  if (x instanceof Uint8Array) return hex(x);
  if (typeof x === 'object') return formatDateTime(x, v.type);
  return x;
}

/** The string form used when a value is converted to a character type (CAST(x AS nvarchar)). */
function toText(v: SqlValue): string {
  const x = v.value;
  if (typeof x === 'boolean') return x ? '1' : '0';
  if (typeof x === 'object' && x !== null && !(x instanceof Uint8Array)) {
    return formatDateTime(x, v.type);
  }
  if (x instanceof Uint8Array) return Buffer.from(x).toString('latin1');
  return displayValue(v) ?? '';
}

export type ConversionContext = 'assign' | 'param' | 'cast';

function failConvertString(src: SqlValue, target: string, ctx: ConversionContext, text: string): never {
  if (ctx === 'param' && target !== 'uniqueidentifier') throw new SqlValueError(8114, `Error converting data type ${typeWord(src.type)} to ${typeWord(target)}.`);
  if (target === 'uniqueidentifier') throw new SqlValueError(8169, 'Conversion failed when converting from a character string to uniqueidentifier.');
  if (DATE_TYPES.has(target)) throw new SqlValueError(241, 'Conversion failed when converting date and/or time from character string.');
  if (DECIMAL_TYPES.has(target) || FLOAT_TYPES.has(target)) throw new SqlValueError(8114, `Error converting data type ${typeWord(src.type)} to ${typeWord(target)}.`);
  throw new SqlValueError(245, `Conversion failed when converting the ${typeWord(src.type)} value '${text}' to data type ${typeWord(target)}.`);
}

function overflow(target: string): never {
  throw new SqlValueError(8115, `Arithmetic overflow error converting expression to data type ${typeWord(target)}.`);
}

function clash(src: string, target: string): never {
  throw new SqlValueError(206, `Operand type clash: ${typeWord(src)} is incompatible with ${typeWord(target)}`);
}

/**
 * Converts `v` to `target` as SQL Server does for an assignment, a procedure parameter or a CAST.
 * sql_variant keeps the value's own type. Character targets truncate silently to their length.
 */
export function convert(v: SqlValue, target: SqlTypeSpec, ctx: ConversionContext = 'assign'): SqlValue {
  const t = target.name === 'sysname' ? 'nvarchar' : target.name === 'numeric' ? 'decimal' : target.name;
  if (t === 'sql_variant') return v.value === null ? { type: 'sql_variant', value: null } : v;
  const x = v.value;
  if (x === null) return { type: t, value: null, ...(t === 'decimal' ? { scale: target.scale ?? 0 } : {}) };
  const src = v.type;

  if (STRING_TYPES.has(t)) {
    let s = toText(v);
    const len = target.length ?? (target.name === 'sysname' ? 128 : ctx === 'cast' ? 30 : 1);
    if (len !== 'max' && s.length > len) {
      if (ctx === 'cast' && isNumericType(src)) throw new SqlValueError(8115, `Arithmetic overflow error converting ${typeWord(src)} to data type ${typeWord(t)}.`);
      s = s.slice(0, len);
    }
    return { type: t, value: s };
  }

  if (INTEGER_TYPES.has(t)) {
    let n: bigint;
    if (typeof x === 'bigint') n = x;
    else if (typeof x === 'boolean') n = x ? 1n : 0n;
    else if (typeof x === 'number') {
      if (!Number.isFinite(x)) overflow(t);
      n = BigInt(Math.trunc(x));
    } else if (typeof x === 'string') {
      const s = x.trim();
      if (!/^[-+]?\d+$/.test(s)) failConvertString(v, t, ctx, x);
      n = BigInt(s);
    } else return clash(src, t);
    const range = INT_RANGES[t]!;
    if (n < range[0] || n > range[1]) overflow(t);
    return { type: t, value: n };
  }

  if (t === 'bit') {
    if (typeof x === 'boolean') return { type: 'bit', value: x };
    if (typeof x === 'bigint') return { type: 'bit', value: x !== 0n };
    if (typeof x === 'number') return { type: 'bit', value: x !== 0 };
    if (typeof x === 'string') {
      const s = x.trim().toUpperCase();
      if (s === 'TRUE') return { type: 'bit', value: true };
      if (s === 'FALSE') return { type: 'bit', value: false };
      if (/^[-+]?\d+(\.\d*)?$/.test(s)) return { type: 'bit', value: Number(s) !== 0 };
      failConvertString(v, 'bit', ctx, x);
    }
    return clash(src, t);
  }

  if (DECIMAL_TYPES.has(t) || FLOAT_TYPES.has(t)) {
    let n: number;
    if (typeof x === 'bigint') n = Number(x);
    else if (typeof x === 'number') n = x;
    else if (typeof x === 'boolean') n = x ? 1 : 0;
    else if (typeof x === 'string') {
      const s = x.trim();
      if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s) || (DECIMAL_TYPES.has(t) && /[eE]/.test(s))) failConvertString(v, t, ctx, x);
      n = Number(s);
    } else return clash(src, t);
    if (FLOAT_TYPES.has(t)) return { type: t, value: t === 'real' ? Math.fround(n) : n };
    const scale = target.scale ?? (t.endsWith('money') ? 4 : 0);
    const precision = target.precision ?? (t.endsWith('money') ? 19 : 18);
    const rounded = Number(n.toFixed(scale));
    if (Math.abs(rounded) >= 10 ** (precision - scale)) overflow(t);
    return { type: t, value: rounded, scale };
  }

  if (t === 'uniqueidentifier') {
    if (typeof x === 'string') {
      const m = GUID_RE.exec(x.trim());
      if (!m || x.trim().length !== 36 && x.trim().length !== 38) failConvertString(v, t, ctx, x);
      return { type: t, value: `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`.toUpperCase() };
    }
    if (src === 'uniqueidentifier') return v;
    return clash(src, t);
  }

  if (DATE_TYPES.has(t)) {
    let d: DateTimeOffsetValue | null;
    if (typeof x === 'string') {
      d = parseDateTime(x);
      if (d === null) failConvertString(v, t, ctx, x);
    } else if (typeof x === 'object' && !(x instanceof Uint8Array)) d = x;
    else return clash(src, t);
    // Converting to a type without an offset keeps the local time; to datetimeoffset from one keeps +00:00.
    if (t !== 'datetimeoffset' && d.offset !== 0) d = { ms: d.ms + d.offset * 60000, ticks: d.ticks, offset: 0 };
    if (t === 'datetime') d = { ms: d.ms, ticks: 0, offset: 0 };
    return { type: t, value: d };
  }

  if (t === 'varbinary' || t === 'binary') {
    if (x instanceof Uint8Array) return { type: t, value: x };
    if (typeof x === 'string') return { type: t, value: new Uint8Array(Buffer.from(x, STRING_TYPES.has(src) && src.startsWith('n') ? 'utf16le' : 'latin1')) };
    return clash(src, t);
  }
  return clash(src, t);
}

// ---------------------------------------------------------------------------------------------
// Comparison and arithmetic
// ---------------------------------------------------------------------------------------------

/** SQL Server's data type precedence (higher wins an implicit conversion), for the types we have. */
const PRECEDENCE: readonly string[] = [
  'datetimeoffset', 'datetime2', 'datetime', 'smalldatetime', 'date', 'time', 'float', 'real', 'decimal', 'numeric', 'money', 'smallmoney',
  'bigint', 'int', 'smallint', 'tinyint', 'bit', 'ntext', 'text', 'uniqueidentifier', 'nvarchar', 'nchar', 'varchar', 'char', 'varbinary', 'binary',
];
function rank(t: string): number {
  const i = PRECEDENCE.indexOf(t === 'sysname' ? 'nvarchar' : t);
  return i < 0 ? PRECEDENCE.length : i;
}

/** The common type two operands are compared or combined in. */
export function commonType(a: string, b: string): string {
  if (a === 'null') return b;
  if (b === 'null') return a;
  return rank(a) <= rank(b) ? a : b;
}

function asNumber(v: SqlValue): number {
  const x = v.value;
  if (typeof x === 'bigint') return Number(x);
  if (typeof x === 'boolean') return x ? 1 : 0;
  return x as number;
}

/**
 * Compares two non-NULL values (−1, 0, 1) after converting to their common type. Strings compare
 * case-insensitively and ignore trailing spaces (SSISDB's default collation is *_CI_AS).
 */
export function compareValues(a: SqlValue, b: SqlValue): number {
  const t = commonType(a.type, b.type);
  const x = convert(a, { name: t, ...(STRING_TYPES.has(t) ? { length: 'max' } : {}), ...(t === 'decimal' ? { precision: 38, scale: 10 } : {}) }, 'cast');
  const y = convert(b, { name: t, ...(STRING_TYPES.has(t) ? { length: 'max' } : {}), ...(t === 'decimal' ? { precision: 38, scale: 10 } : {}) }, 'cast');
  const p = x.value;
  const q = y.value;
  if (typeof p === 'string' && typeof q === 'string') {
    const l = p.replace(/ +$/, '').toLowerCase();
    const r = q.replace(/ +$/, '').toLowerCase();
    return l < r ? -1 : l > r ? 1 : 0;
  }
  if (typeof p === 'bigint' && typeof q === 'bigint') return p < q ? -1 : p > q ? 1 : 0;
  if (p instanceof Uint8Array && q instanceof Uint8Array) return Buffer.compare(Buffer.from(p), Buffer.from(q));
  if (typeof p === 'object' && p !== null && typeof q === 'object' && q !== null && !(p instanceof Uint8Array) && !(q instanceof Uint8Array)) {
    return p.ms !== q.ms ? (p.ms < q.ms ? -1 : 1) : p.ticks < q.ticks ? -1 : p.ticks > q.ticks ? 1 : 0;
  }
  const m = asNumber(x);
  const n = asNumber(y);
  return m < n ? -1 : m > n ? 1 : 0;
}

/** + - * / % with SQL Server's typing; `+` on character types concatenates. NULL in → NULL out. */
export function arithmetic(op: '+' | '-' | '*' | '/' | '%', a: SqlValue, b: SqlValue): SqlValue {
  const t = commonType(a.type === 'null' && b.type === 'null' ? 'int' : a.type, b.type);
  if (a.value === null || b.value === null) return { type: t, value: null };
  if (STRING_TYPES.has(t) || t === 'uniqueidentifier') {
    if (op !== '+' || !(STRING_TYPES.has(a.type) || a.type === 'uniqueidentifier') || !(STRING_TYPES.has(b.type) || b.type === 'uniqueidentifier')) {
      if (op === '+' && (STRING_TYPES.has(a.type) || STRING_TYPES.has(b.type))) {
        // e.g. 'x' + 1: the string converts to the number's type (and usually fails).
        return arithmetic(op, convert(a, { name: t }, 'cast'), convert(b, { name: t }, 'cast'));
      }
      throw new SqlValueError(8117, `Operand data type ${typeWord(t)} is invalid for ${opName(op)} operator.`);
    }
    return { type: t === 'uniqueidentifier' ? 'nvarchar' : t, value: toText(a) + toText(b) };
  }
  if (!isNumericType(t)) throw new SqlValueError(8117, `Operand data type ${typeWord(t)} is invalid for ${opName(op)} operator.`);
  const resultType = t === 'bit' ? 'int' : t;
  if (INTEGER_TYPES.has(resultType)) {
    const x = BigInt(asNumber(convert(a, { name: 'bigint' }, 'cast')));
    const y = BigInt(asNumber(convert(b, { name: 'bigint' }, 'cast')));
    if ((op === '/' || op === '%') && y === 0n) throw new SqlValueError(8134, 'Divide by zero error encountered.');
    const r = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : x % y;
    const range = INT_RANGES[resultType]!;
    if (r < range[0] || r > range[1]) overflow(resultType);
    return { type: resultType, value: r };
  }
  const x = asNumber(a);
  const y = asNumber(b);
  if ((op === '/' || op === '%') && y === 0) throw new SqlValueError(8134, 'Divide by zero error encountered.');
  const r = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : x % y;
  if (DECIMAL_TYPES.has(resultType)) {
    const scale = op === '/' ? 6 : Math.max(a.scale ?? 0, b.scale ?? 0) * (op === '*' ? 2 : 1);
    return { type: 'decimal', value: Number(r.toFixed(Math.min(scale, 12))), scale };
  }
  return { type: resultType, value: r };
}

function opName(op: string): string {
  return { '+': 'add', '-': 'subtract', '*': 'multiply', '/': 'divide', '%': 'modulo' }[op] ?? op;
}

/** LIKE with % _ [abc] [a-z] [^x] and an optional escape character; case-insensitive. */
export function likeToRegExp(pattern: string, escape?: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape !== undefined && c === escape && i + 1 < pattern.length) {
      re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
      continue;
    }
    if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) { re += '\\['; continue; }
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'is');
}

/** A value from outside (a catalog view row) as a SqlValue; `declared` is the view column's SQL type when known. */
export function fromJs(x: unknown, declaredType?: string): SqlValue {
  const declared = declaredType === 'sql_variant' ? undefined : declaredType;
  if (x === null || x === undefined) return { type: declared ?? 'null', value: null };
  if (typeof x === 'boolean') return { type: 'bit', value: x };
  if (typeof x === 'bigint') return { type: declared !== undefined && INTEGER_TYPES.has(declared) ? declared : 'bigint', value: x };
  if (typeof x === 'number') {
    if (declared === 'bit') return { type: 'bit', value: x !== 0 };
    if (declared !== undefined && INTEGER_TYPES.has(declared) && Number.isInteger(x)) return { type: declared, value: BigInt(x) };
    if (declared !== undefined && DATE_TYPES.has(declared)) return { type: declared, value: { ms: x, ticks: 0, offset: 0 } };
    if (declared === undefined && Number.isInteger(x)) return { type: 'bigint', value: BigInt(x) };
    return { type: declared !== undefined && (FLOAT_TYPES.has(declared) || DECIMAL_TYPES.has(declared)) ? declared : 'float', value: x };
  }
  if (x instanceof Date) return { type: declared ?? 'datetimeoffset', value: { ms: x.getTime(), ticks: 0, offset: 0 } };
  if (x instanceof Uint8Array) return { type: 'varbinary', value: x };
  if (typeof x === 'string') {
    if (declared !== undefined && DATE_TYPES.has(declared)) {
      const d = parseDateTime(x);
      if (d) return { type: declared, value: d };
    }
    if (declared === 'bit' && /^(0|1|true|false)$/i.test(x)) return { type: 'bit', value: /^(1|true)$/i.test(x) };
    if (declared !== undefined && INTEGER_TYPES.has(declared) && /^-?\d+$/.test(x)) return { type: declared, value: BigInt(x) };
    // Timestamps of columns we have no type for: ISO-8601 text with an offset is a datetimeoffset.
    if (declared === undefined && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(x)) {
      const d = parseDateTime(x);
      if (d) return { type: 'datetimeoffset', value: d };
    }
    return { type: declared === 'uniqueidentifier' ? 'uniqueidentifier' : declared !== undefined && STRING_TYPES.has(declared) ? declared : 'nvarchar', value: x };
  }
  return { type: 'nvarchar', value: JSON.stringify(x) };
}

/** A SqlValue as a plain JS value for a catalog verb (integers as numbers when exact). */
export function toJs(v: SqlValue): string | number | boolean | bigint | null {
  const x = v.value;
  if (x === null) return null;
  if (typeof x === 'bigint') return x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x;
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'string') return x;
  return displayValue(v);
}
