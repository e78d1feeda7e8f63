/**
 * Bridges between SSIS values and the outside: package variables (.NET TypeCode in parameters,
 * COM VARTYPE in .dtsx `DTS:DataType`), plain JS values, and log text. Variable values arrive as
 * XML text or JS natives; both convert here with the same rules as the cast operator.
 */
import { SsoError } from '../../../actors/errors.ts';
import { castValue, textOf } from './convert.ts';
import { dateFromTicks, ticksFromLocalDate } from './datetime.ts';
import { formatDecimal, parseDecimal } from './decimal.ts';
import { EvaluationFailure } from './errors.ts';
import {
  T, integerInfo, isBinary, isDecimalFamily, isInteger, isReal, isString, isTemporal, nullOf, typeToString,
  type SsisDateTime, type SsisDecimal, type SsisType, type SsisValue,
} from './types.ts';

/** .NET System.TypeCode values (parameters' and SSISDB's `DataType`). */
export const TypeCode = {
  Empty: 0, Object: 1, DBNull: 2, Boolean: 3, Char: 4, SByte: 5, Byte: 6, Int16: 7, UInt16: 8, Int32: 9,
  UInt32: 10, Int64: 11, UInt64: 12, Single: 13, Double: 14, Decimal: 15, DateTime: 16, String: 18,
} as const;

/**
 * The expression type a variable of a TypeCode has (SSIS: DateTime → DT_DATE, Decimal →
 * DT_DECIMAL, Char → DT_UI2). Undefined for Object, which expressions cannot read.
 */
export function typeForTypeCode(typeCode: number): SsisType | undefined {
  switch (typeCode) {
    case 0: case 2: return T.NULL;
    case 3: return T.BOOL;
    case 4: return T.UI2;
    case 5: return T.I1;
    case 6: return T.UI1;
    case 7: return T.I2;
    case 8: return T.UI2;
    case 9: return T.I4;
    case 10: return T.UI4;
    case 11: return T.I8;
    case 12: return T.UI8;
    case 13: return T.R4;
    case 14: return T.R8;
    case 15: return T.decimal(0);
    case 16: return T.DATE;
    case 18: return T.wstr(0);
    default: return undefined;
  }
}

/**
 * The expression type of a .dtsx variable's `DTS:DataType` (a COM VARTYPE: 3 VT_I4, 8 VT_BSTR,
 * 11 VT_BOOL, 7 VT_DATE, 6 VT_CY, 13 VT_UNKNOWN = Object, …). Undefined for object types.
 */
export function typeForVarType(varType: number): SsisType | undefined {
  const map: Record<number, SsisType> = {
    0: T.NULL, 1: T.NULL, 2: T.I2, 3: T.I4, 4: T.R4, 5: T.R8, 6: T.CY, 7: T.DATE, 8: T.wstr(0), 11: T.BOOL,
    14: T.decimal(0), 16: T.I1, 17: T.UI1, 18: T.UI2, 19: T.UI4, 20: T.I8, 21: T.UI8, 22: T.I4, 23: T.UI4, 72: T.GUID,
  };
  return map[varType];
}

/** A JS value as handed in: XML text, a JS native, or null. */
export type JsValue = string | number | bigint | boolean | Date | Uint8Array | null | undefined;

/**
 * Converts a JS value to a value of `type`, with the cast operator's rules. A DT_WSTR of length
 * 0 takes the text's length; a DT_DECIMAL takes the value's own scale.
 */
export function jsToSsisValue(js: JsValue, type: SsisType, what = 'value'): SsisValue {
  try {
    if (js === null || js === undefined || type.name === 'DT_NULL') return nullOf(type);
    let source: SsisValue;
    if (typeof js === 'string') source = { type: T.wstr(js.length), value: js };
    else if (typeof js === 'boolean') source = { type: T.BOOL, value: js };
    else if (typeof js === 'bigint') source = { type: js < 0n ? T.I8 : T.UI8, value: js };
    else if (typeof js === 'number') {
      source = Number.isInteger(js) && Math.abs(js) <= Number.MAX_SAFE_INTEGER
        ? { type: T.I8, value: BigInt(js) } : { type: T.R8, value: js };
    } else if (js instanceof Date) {
      if (Number.isNaN(js.getTime())) throw new EvaluationFailure('invalid Date');
      source = { type: T.dbtimestamp2(7), value: { ticks: ticksFromLocalDate(js), offsetMinutes: 0 } };
    } else if (js instanceof Uint8Array) source = { type: T.bytes(js.length), value: js };
    else throw new EvaluationFailure(`unsupported JS value of type ${typeof js}`);

    let target = type;
    if (type.name === 'DT_WSTR' && type.length === 0) {
      target = T.wstr(isString(source.type) ? (js as string).length : textOf(source).length);
    }
    if (type.name === 'DT_DECIMAL' && typeof js === 'string') {
      const d = parseDecimal(js);
      if (d) target = T.decimal(Math.min(Math.max(d.scale, 0), 28));
    }
    if (type.name === 'DT_DECIMAL' && typeof js === 'number' && !Number.isInteger(js)) {
      target = T.decimal(Math.min((String(js).split('.')[1] ?? '').length, 28));
    }
    return castValue(source, target);
  } catch (e) {
    if (e instanceof EvaluationFailure) {
      throw new SsoError('SSO_ERR_EXPRESSION_EVAL', `Cannot use ${JSON.stringify(typeof js === 'bigint' ? String(js) : js)} as ${what} of type ${typeToString(type)}: ${e.message}`, { where: what, cause: e });
    }
    throw e;
  }
}

/**
 * A variable or parameter value of a .NET TypeCode (3 Boolean, 9 Int32, 16 DateTime, 18 String…)
 * as an expression value. Object (1) variables cannot be read by expressions: that is an error.
 */
export function toSsisValue(js: JsValue, typeCode: number, what = 'value'): SsisValue {
  const type = typeForTypeCode(typeCode);
  if (!type) {
    throw new SsoError('SSO_ERR_EXPRESSION_EVAL',
      `The ${what} has data type ${typeCode === 1 ? 'Object' : `TypeCode ${typeCode}`}, which expressions cannot use`, { where: what });
  }
  // A Char arrives as its one-character text; the expression type is its UTF-16 code (DT_UI2).
  if (typeCode === TypeCode.Char && typeof js === 'string') return jsToSsisValue(js === '' ? null : js.charCodeAt(0), type, what);
  return jsToSsisValue(js, type, what);
}

/**
 * The JS form of a value: booleans, numbers (bigint for 8-byte integers), exact decimal text for
 * DT_CY/DT_DECIMAL/DT_NUMERIC, `Date` for dates (wall-clock read as local time; offsets applied),
 * strings for text and GUIDs, Uint8Array for binary, null for NULL.
 */
export function fromSsisValue(v: SsisValue): string | number | bigint | boolean | Date | Uint8Array | null {
  if (v.value === null) return null;
  if (isDecimalFamily(v.type)) return formatDecimal(v.value as SsisDecimal, v.type.name !== 'DT_NUMERIC');
  if (isTemporal(v.type)) {
    const d = v.value as SsisDateTime;
    if (v.type.name === 'DT_DBTIMESTAMPOFFSET') return dateFromTicks(d, true);
    const utcFields = dateFromTicks(d, false);
    const local = new Date(utcFields.getUTCFullYear(), utcFields.getUTCMonth(), utcFields.getUTCDate(),
      utcFields.getUTCHours(), utcFields.getUTCMinutes(), utcFields.getUTCSeconds(), utcFields.getUTCMilliseconds());
    if (utcFields.getUTCFullYear() < 100) local.setFullYear(utcFields.getUTCFullYear());
    return local;
  }
  if (isInteger(v.type) || isReal(v.type) || isString(v.type) || isBinary(v.type)) return v.value as string | number | bigint | Uint8Array;
  return v.value as boolean | string;
}

/** One-line text for logs: the value as a cast to DT_WSTR shows it, or NULL. */
export function formatSsisValue(v: SsisValue): string {
  if (v.value === null) return 'NULL';
  return textOf(v);
}

/** Whether a value's type is an integer (exported for callers mapping results back to variables). */
export function isIntegerValue(v: SsisValue): boolean { return integerInfo(v.type) !== undefined; }
