/**
 * The operators' type rules and arithmetic: the implicit numeric promotion of "Integration
 * Services Data Types in Expressions", integer overflow and divide-by-zero errors, exact decimal
 * results, string concatenation, comparisons, bitwise and three-valued logical operators.
 */
import type { BinaryOperator, UnaryOperator } from './ast.ts';
import { asBigInt, asDate, asDecimal, asString, castValue, exactOf, fitDecimal, integerValue, numberOf } from './convert.ts';
import { compareDecimal, digitCount, divRound, pow10, rescale } from './decimal.ts';
import { fail } from './errors.ts';
import {
  INTEGER_TYPES, T, decimalScale, integerInfo, isBinary, isDateFamily, isDecimalFamily, isInteger, isNumeric, isReal,
  isString, isTimeOnly, nullOf, typeToString, type SsisDecimal, type SsisType, type SsisValue,
} from './types.ts';

function incompatible(a: SsisType, b: SsisType, op: string): never {
  return fail(`the data types ${typeToString(a)} and ${typeToString(b)} are incompatible for binary operator "${op}"`);
}

const signedBySize: Record<number, SsisType> = { 1: T.I1, 2: T.I2, 4: T.I4, 8: T.I8 };

/** Result type of two integer operands: the wider one; signed ⊕ unsigned → a signed type wide enough. */
export function integerResultType(a: SsisType, b: SsisType, op: string): SsisType {
  const ia = integerInfo(a)!;
  const ib = integerInfo(b)!;
  if (a.name === b.name) return a;
  if (ia.signed === ib.signed) return ia.bytes >= ib.bytes ? a : b;
  const [s, u] = ia.signed ? [ia, ib] : [ib, ia];
  if (u.bytes === 8) {
    fail(`operator "${op}" combines ${typeToString(a)} and ${typeToString(b)}: an unsigned 8-byte integer with a signed integer needs an explicit cast`);
  }
  return signedBySize[Math.max(s.bytes, u.bytes * 2)] as SsisType;
}

/** Precision and scale a numeric type contributes to a DT_NUMERIC result. */
function precisionScale(t: SsisType): [number, number] {
  const info = integerInfo(t);
  if (info) return [info.bytes === 8 ? (info.signed ? 19 : 20) : info.bytes === 4 ? 10 : info.bytes === 2 ? 5 : 3, 0];
  if (t.name === 'DT_CY') return [19, 4];
  if (t.name === 'DT_DECIMAL') return [29, t.scale];
  if (t.name === 'DT_NUMERIC') return [t.precision, t.scale];
  return [38, 0];
}

function capNumeric(p: number, s: number): SsisType {
  // As SQL Server: when the precision overflows 38 the scale gives way, but never below min(scale, 6).
  if (p > 38) { s = Math.max(s - (p - 38), Math.min(s, 6)); p = 38; }
  return T.numeric(p, Math.min(s, p));
}

/** The type an arithmetic operator on two numeric operands yields. */
export function numericResultType(a: SsisType, b: SsisType, op: string): SsisType {
  if (a.name === 'DT_R8' || b.name === 'DT_R8') return T.R8;
  if (a.name === 'DT_R4' || b.name === 'DT_R4') {
    const other = a.name === 'DT_R4' ? b : a;
    const small = other.name === 'DT_R4' || (integerInfo(other)?.bytes ?? 8) <= 2;
    return small ? T.R4 : T.R8;
  }
  if (isDecimalFamily(a) || isDecimalFamily(b)) {
    if ((a.name === 'DT_CY' || isInteger(a)) && (b.name === 'DT_CY' || isInteger(b))) return T.CY;
    const [p1, s1] = precisionScale(a);
    const [p2, s2] = precisionScale(b);
    switch (op) {
      case '*': return capNumeric(p1 + p2 + 1, s1 + s2);
      case '/': { const s = Math.max(6, s1 + p2 + 1); return capNumeric(p1 - s1 + s2 + s, s); }
      case '%': { const s = Math.max(s1, s2); return capNumeric(Math.min(p1 - s1, p2 - s2) + s, s); }
      default: { const s = Math.max(s1, s2); return capNumeric(Math.max(p1 - s1, p2 - s2) + s + 1, s); }
    }
  }
  return integerResultType(a, b, op);
}

function overflow(op: string, type: SsisType, shown: string): never {
  return fail(`arithmetic overflow: the result of "${op}" (${shown}) does not fit ${typeToString(type)}`);
}
function divideByZero(): never { return fail('divide by zero'); }

function arithmetic(op: BinaryOperator, a: SsisValue, b: SsisValue): SsisValue {
  const type = numericResultType(a.type, b.type, op);
  if (a.value === null || b.value === null) return nullOf(type);
  const info = integerInfo(type);
  if (info) {
    const x = asBigInt(a);
    const y = asBigInt(b);
    let r: bigint;
    switch (op) {
      case '+': r = x + y; break;
      case '-': r = x - y; break;
      case '*': r = x * y; break;
      case '/': if (y === 0n) divideByZero(); r = x / y; break;
      default: if (y === 0n) divideByZero(); r = x % y; break;
    }
    if (r < info.min || r > info.max) overflow(op, type, String(r));
    return integerValue(type, r);
  }
  if (isReal(type)) {
    const x = numberOf(a);
    const y = numberOf(b);
    if ((op === '/' || op === '%') && y === 0) divideByZero();
    let r = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : x % y;
    if (type.name === 'DT_R4') r = Math.fround(r);
    if (!Number.isFinite(r)) overflow(op, type, String(r));
    return { type, value: r };
  }
  // Decimal family: exact at the result's scale.
  const x = exactOf(a) as SsisDecimal;
  const y = exactOf(b) as SsisDecimal;
  const scale = decimalScale(type);
  let r: SsisDecimal;
  switch (op) {
    case '+': case '-': {
      const s = Math.max(x.scale, y.scale);
      const xu = rescale(x, s).unscaled;
      const yu = rescale(y, s).unscaled;
      r = { unscaled: op === '+' ? xu + yu : xu - yu, scale: s };
      break;
    }
    case '*': r = { unscaled: x.unscaled * y.unscaled, scale: x.scale + y.scale }; break;
    case '/': {
      if (y.unscaled === 0n) divideByZero();
      // x/y at `scale` digits: (x.u * 10^(scale + y.s - x.s)) / y.u, rounded.
      const shift = scale + y.scale - x.scale;
      const num = shift >= 0 ? x.unscaled * pow10(shift) : x.unscaled;
      const den = shift >= 0 ? y.unscaled : y.unscaled * pow10(-shift);
      r = { unscaled: divRound(num, den), scale };
      break;
    }
    default: {
      if (y.unscaled === 0n) divideByZero();
      const s = Math.max(x.scale, y.scale);
      r = { unscaled: rescale(x, s).unscaled % rescale(y, s).unscaled, scale: s };
      break;
    }
  }
  return { type, value: fitDecimal(r, type, () => overflow(op, type, `${digitCount(r.unscaled)} digits`)) };
}

/** -1, 0, 1 ordering of two non-null values of compatible types (checked by the caller). */
function order(a: SsisValue, b: SsisValue): number {
  const cmp = <V>(x: V, y: V): number => (x < y ? -1 : x > y ? 1 : 0);
  if (isNumeric(a.type)) {
    if (isReal(a.type) || isReal(b.type)) return cmp(numberOf(a), numberOf(b));
    return compareDecimal(exactOf(a) as SsisDecimal, exactOf(b) as SsisDecimal);
  }
  if (isString(a.type)) return cmp(asString(a), asString(b));
  if (a.type.name === 'DT_BOOL') return cmp(Number(a.value), Number(b.value));
  if (isDateFamily(a.type)) {
    // With an offset on either side both compare as UTC instants; a plain date counts as +00:00.
    const da = asDate(a);
    const db = asDate(b);
    const ua = da.ticks - BigInt(da.offsetMinutes) * 600_000_000n;
    const ub = db.ticks - BigInt(db.offsetMinutes) * 600_000_000n;
    return cmp(ua, ub);
  }
  if (isTimeOnly(a.type)) return cmp(asDate(a).ticks, asDate(b).ticks);
  if (isBinary(a.type)) return Buffer.compare(a.value as Uint8Array, b.value as Uint8Array);
  return cmp(String(a.value), String(b.value));
}

function comparable(a: SsisType, b: SsisType, op: string): void {
  const ok = (isNumeric(a) && isNumeric(b)) || (isString(a) && isString(b)) || (isDateFamily(a) && isDateFamily(b))
    || (isTimeOnly(a) && isTimeOnly(b)) || (isBinary(a) && isBinary(b))
    || (a.name === b.name && (a.name === 'DT_BOOL' || a.name === 'DT_GUID'));
  if (!ok) incompatible(a, b, op);
  if (isInteger(a) && isInteger(b)) integerResultType(a, b, op);
  if ((a.name === 'DT_BOOL' || a.name === 'DT_GUID') && op !== '==' && op !== '!=') {
    fail(`operator "${op}" cannot compare ${typeToString(a)} values (only == and != can)`);
  }
}

function requireBool(v: SsisValue, op: string): void {
  if (v.type.name !== 'DT_BOOL') fail(`operator "${op}" needs DT_BOOL operands, got ${typeToString(v.type)}`);
}

/** Kleene logic as documented: FALSE && NULL is FALSE, TRUE || NULL is TRUE, otherwise NULL wins. */
export function logical(op: '&&' | '||', a: SsisValue, b: () => SsisValue): SsisValue {
  requireBool(a, op);
  const decisive = op === '||';
  if (a.value === decisive) return { type: T.BOOL, value: decisive };
  const right = b();
  requireBool(right, op);
  if (right.value === decisive) return { type: T.BOOL, value: decisive };
  if (a.value === null || right.value === null) return nullOf(T.BOOL);
  return { type: T.BOOL, value: !decisive };
}

/** Applies a binary operator other than && and || to two evaluated operands. */
export function binary(op: BinaryOperator, a: SsisValue, b: SsisValue): SsisValue {
  if (op === '+' && (isString(a.type) || isString(b.type))) {
    if (!isString(a.type) || !isString(b.type)) incompatible(a.type, b.type, op);
    const blob = a.type.name === 'DT_NTEXT' || a.type.name === 'DT_TEXT' || b.type.name === 'DT_NTEXT' || b.type.name === 'DT_TEXT';
    if (a.value === null || b.value === null) return nullOf(blob ? T.NTEXT : T.wstr(lengthOf(a.type) + lengthOf(b.type)));
    const s = asString(a) + asString(b);
    return { type: blob ? T.NTEXT : T.wstr(s.length), value: s };
  }
  switch (op) {
    case '+': case '-': case '*': case '/': case '%':
      if (!isNumeric(a.type) || !isNumeric(b.type)) incompatible(a.type, b.type, op);
      return arithmetic(op, a, b);
    case '==': case '!=': case '<': case '>': case '<=': case '>=': {
      comparable(a.type, b.type, op);
      if (a.value === null || b.value === null) return nullOf(T.BOOL);
      const o = order(a, b);
      const r = op === '==' ? o === 0 : op === '!=' ? o !== 0 : op === '<' ? o < 0 : op === '>' ? o > 0 : op === '<=' ? o <= 0 : o >= 0;
      return { type: T.BOOL, value: r };
    }
    case '&': case '|': case '^': {
      if (!isInteger(a.type) || !isInteger(b.type)) {
        fail(`bitwise operator "${op}" needs integer operands, got ${typeToString(a.type)} and ${typeToString(b.type)}`);
      }
      const type = integerResultType(a.type, b.type, op);
      if (a.value === null || b.value === null) return nullOf(type);
      const info = integerInfo(type)!;
      const bits = BigInt(info.bytes * 8);
      const x = asBigInt(a);
      const y = asBigInt(b);
      let r = op === '&' ? x & y : op === '|' ? x | y : x ^ y;
      r = info.signed ? BigInt.asIntN(Number(bits), r) : BigInt.asUintN(Number(bits), r);
      return integerValue(type, r);
    }
    default:
      return fail(`internal: operator "${op}" is evaluated elsewhere`);
  }
}

function lengthOf(t: SsisType): number {
  return t.name === 'DT_WSTR' || t.name === 'DT_STR' ? t.length : 0;
}

/** Unary minus, logical not and bitwise not. */
export function unary(op: UnaryOperator, v: SsisValue): SsisValue {
  if (op === '!') {
    requireBool(v, op);
    return v.value === null ? v : { type: T.BOOL, value: !v.value };
  }
  if (op === '~') {
    const info = integerInfo(v.type);
    if (!info) fail(`operator "~" needs an integer operand, got ${typeToString(v.type)}`);
    if (v.value === null) return v;
    const r = info.signed ? ~asBigInt(v) : BigInt.asUintN(info.bytes * 8, ~asBigInt(v));
    return integerValue(v.type, r);
  }
  if (!isNumeric(v.type)) fail(`operator "-" needs a numeric operand, got ${typeToString(v.type)}`);
  const info = integerInfo(v.type);
  if (info) {
    // Negating an unsigned value needs a signed type twice as wide.
    let type = v.type;
    if (!info.signed) {
      if (info.bytes === 8) fail('operator "-" cannot negate DT_UI8; cast it to a signed type first');
      type = signedBySize[info.bytes * 2] as SsisType;
    }
    if (v.value === null) return nullOf(type);
    const r = -asBigInt(v);
    const ti = INTEGER_TYPES[type.name]!;
    if (r < ti.min || r > ti.max) overflow('-', type, String(r));
    return integerValue(type, r);
  }
  if (v.value === null) return v;
  if (isReal(v.type)) return { type: v.type, value: -(v.value as number) };
  const d = asDecimal(v);
  return { type: v.type, value: { unscaled: -d.unscaled, scale: d.scale } };
}

/** The type both branches of `? :` convert to, or a failure when they are incompatible. */
export function conditionalType(a: SsisType, b: SsisType): SsisType {
  if (a.name === 'DT_NULL') return b;
  if (b.name === 'DT_NULL') return a;
  if (isNumeric(a) && isNumeric(b)) return a.name === b.name && typeToString(a) === typeToString(b) ? a : numericResultType(a, b, '?:');
  if (isString(a) && isString(b)) {
    if (a.name === 'DT_NTEXT' || b.name === 'DT_NTEXT' || a.name === 'DT_TEXT' || b.name === 'DT_TEXT') return T.NTEXT;
    if (a.name === 'DT_STR' && b.name === 'DT_STR' && a.codepage === b.codepage) return T.str(Math.max(a.length, b.length), a.codepage);
    return T.wstr(Math.max(lengthOf(a), lengthOf(b)));
  }
  if (typeToString(a) === typeToString(b)) return a;
  if (isDateFamily(a) && isDateFamily(b)) return a.name === 'DT_DBTIMESTAMPOFFSET' ? a : b.name === 'DT_DBTIMESTAMPOFFSET' ? b : T.DBTIMESTAMP;
  if (isTimeOnly(a) && isTimeOnly(b)) return T.dbtime2(7);
  if (isBinary(a) && isBinary(b)) return T.bytes(Math.max(a.name === 'DT_BYTES' ? a.length : 8000, b.name === 'DT_BYTES' ? b.length : 8000));
  return fail(`the data types ${typeToString(a)} and ${typeToString(b)} are incompatible for the conditional operator "? :"`);
}

/** Brings a branch value to the conditional's result type (string lengths are not re-checked). */
export function toConditionalType(v: SsisValue, type: SsisType): SsisValue {
  if (typeToString(v.type) === typeToString(type)) return v;
  if (v.value === null) return nullOf(type);
  if (isString(type)) return { type, value: v.value };
  return castValue(v, type);
}

