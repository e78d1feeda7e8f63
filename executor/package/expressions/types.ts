/**
 * The SSIS data types as the expression language sees them, and the value shape every other part
 * of the engine exchanges with it. Values are plain data (structured-clone safe): 64-bit integers
 * are bigint, decimals are bigint-scaled, dates are 100 ns ticks, so they cross thread boundaries.
 */

/** Types that carry no parameters. */
export type SimpleTypeName =
  | 'DT_NULL' | 'DT_BOOL'
  | 'DT_I1' | 'DT_I2' | 'DT_I4' | 'DT_I8' | 'DT_UI1' | 'DT_UI2' | 'DT_UI4' | 'DT_UI8'
  | 'DT_R4' | 'DT_R8' | 'DT_CY'
  | 'DT_DATE' | 'DT_DBDATE' | 'DT_DBTIME' | 'DT_DBTIMESTAMP' | 'DT_FILETIME'
  | 'DT_GUID' | 'DT_NTEXT' | 'DT_IMAGE';

/**
 * An SSIS data type with its parameters. String lengths count characters (DT_WSTR) or bytes in
 * the code page (DT_STR); `scale` of the time types is the number of fractional-second digits.
 */
export type SsisType =
  | { readonly name: SimpleTypeName }
  | { readonly name: 'DT_STR'; readonly length: number; readonly codepage: number }
  | { readonly name: 'DT_WSTR'; readonly length: number }
  | { readonly name: 'DT_TEXT'; readonly codepage: number }
  | { readonly name: 'DT_BYTES'; readonly length: number }
  | { readonly name: 'DT_NUMERIC'; readonly precision: number; readonly scale: number }
  | { readonly name: 'DT_DECIMAL'; readonly scale: number }
  | { readonly name: 'DT_DBTIME2' | 'DT_DBTIMESTAMP2' | 'DT_DBTIMESTAMPOFFSET'; readonly scale: number };

export type SsisTypeName = SsisType['name'];

/** An exact decimal: `unscaled / 10^scale` (DT_NUMERIC, DT_DECIMAL, DT_CY with scale 4). */
export interface SsisDecimal {
  readonly unscaled: bigint;
  readonly scale: number;
}

/**
 * A point in (wall-clock) time: `ticks` counts 100 ns units since 0001-01-01 00:00:00, as .NET's
 * DateTime.Ticks. Date-only types hold midnight; time-only types hold ticks within one day.
 * `offsetMinutes` is meaningful only for DT_DBTIMESTAMPOFFSET (ticks are then the local time at
 * that offset) and is 0 otherwise.
 */
export interface SsisDateTime {
  readonly ticks: bigint;
  readonly offsetMinutes: number;
}

/**
 * The JS representation of each type's value:
 * - DT_BOOL: boolean
 * - DT_I1, DT_I2, DT_I4, DT_UI1, DT_UI2, DT_UI4, DT_R4, DT_R8: number
 * - DT_I8, DT_UI8: bigint
 * - DT_CY, DT_DECIMAL, DT_NUMERIC: SsisDecimal
 * - DT_STR, DT_WSTR, DT_TEXT, DT_NTEXT: string
 * - DT_GUID: string, canonical `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}` upper case
 * - DT_BYTES, DT_IMAGE: Uint8Array
 * - date and time types: SsisDateTime
 * - DT_NULL: always null
 */
export type SsisScalar = boolean | number | bigint | string | SsisDecimal | SsisDateTime | Uint8Array;

/** A typed value; `value: null` is the typed NULL (as `NULL(DT_I4)` yields). */
export interface SsisValue {
  readonly type: SsisType;
  readonly value: SsisScalar | null;
}

// ---- type constructors -------------------------------------------------------------------

const simpleCache = new Map<SimpleTypeName, SsisType>();
export function simpleType(name: SimpleTypeName): SsisType {
  let t = simpleCache.get(name);
  if (!t) { t = Object.freeze({ name }); simpleCache.set(name, t); }
  return t;
}

export const T = {
  NULL: simpleType('DT_NULL'),
  BOOL: simpleType('DT_BOOL'),
  I1: simpleType('DT_I1'), I2: simpleType('DT_I2'), I4: simpleType('DT_I4'), I8: simpleType('DT_I8'),
  UI1: simpleType('DT_UI1'), UI2: simpleType('DT_UI2'), UI4: simpleType('DT_UI4'), UI8: simpleType('DT_UI8'),
  R4: simpleType('DT_R4'), R8: simpleType('DT_R8'), CY: simpleType('DT_CY'),
  DATE: simpleType('DT_DATE'), DBDATE: simpleType('DT_DBDATE'), DBTIME: simpleType('DT_DBTIME'),
  DBTIMESTAMP: simpleType('DT_DBTIMESTAMP'), FILETIME: simpleType('DT_FILETIME'),
  GUID: simpleType('DT_GUID'), NTEXT: simpleType('DT_NTEXT'), IMAGE: simpleType('DT_IMAGE'),
  wstr: (length: number): SsisType => ({ name: 'DT_WSTR', length }),
  str: (length: number, codepage = 1252): SsisType => ({ name: 'DT_STR', length, codepage }),
  text: (codepage = 1252): SsisType => ({ name: 'DT_TEXT', codepage }),
  bytes: (length: number): SsisType => ({ name: 'DT_BYTES', length }),
  numeric: (precision: number, scale: number): SsisType => ({ name: 'DT_NUMERIC', precision, scale }),
  decimal: (scale: number): SsisType => ({ name: 'DT_DECIMAL', scale }),
  dbtime2: (scale: number): SsisType => ({ name: 'DT_DBTIME2', scale }),
  dbtimestamp2: (scale: number): SsisType => ({ name: 'DT_DBTIMESTAMP2', scale }),
  dbtimestampoffset: (scale: number): SsisType => ({ name: 'DT_DBTIMESTAMPOFFSET', scale }),
} as const;

/** Every type name the language knows, for cast parsing and validation. */
export const TYPE_NAMES: readonly SsisTypeName[] = [
  'DT_NULL', 'DT_BOOL', 'DT_I1', 'DT_I2', 'DT_I4', 'DT_I8', 'DT_UI1', 'DT_UI2', 'DT_UI4', 'DT_UI8',
  'DT_R4', 'DT_R8', 'DT_CY', 'DT_DATE', 'DT_DBDATE', 'DT_DBTIME', 'DT_DBTIMESTAMP', 'DT_FILETIME',
  'DT_GUID', 'DT_NTEXT', 'DT_IMAGE', 'DT_STR', 'DT_WSTR', 'DT_TEXT', 'DT_BYTES', 'DT_NUMERIC',
  'DT_DECIMAL', 'DT_DBTIME2', 'DT_DBTIMESTAMP2', 'DT_DBTIMESTAMPOFFSET',
];

// ---- classification ----------------------------------------------------------------------

export interface IntegerInfo { readonly signed: boolean; readonly bytes: 1 | 2 | 4 | 8; readonly min: bigint; readonly max: bigint }

export const INTEGER_TYPES: Readonly<Record<string, IntegerInfo>> = {
  DT_I1: { signed: true, bytes: 1, min: -128n, max: 127n },
  DT_I2: { signed: true, bytes: 2, min: -32768n, max: 32767n },
  DT_I4: { signed: true, bytes: 4, min: -2147483648n, max: 2147483647n },
  DT_I8: { signed: true, bytes: 8, min: -9223372036854775808n, max: 9223372036854775807n },
  DT_UI1: { signed: false, bytes: 1, min: 0n, max: 255n },
  DT_UI2: { signed: false, bytes: 2, min: 0n, max: 65535n },
  DT_UI4: { signed: false, bytes: 4, min: 0n, max: 4294967295n },
  DT_UI8: { signed: false, bytes: 8, min: 0n, max: 18446744073709551615n },
};

export function integerInfo(t: SsisType): IntegerInfo | undefined { return INTEGER_TYPES[t.name]; }
export function isInteger(t: SsisType): boolean { return t.name in INTEGER_TYPES; }
export function isReal(t: SsisType): boolean { return t.name === 'DT_R4' || t.name === 'DT_R8'; }
export function isDecimalFamily(t: SsisType): boolean {
  return t.name === 'DT_CY' || t.name === 'DT_DECIMAL' || t.name === 'DT_NUMERIC';
}
export function isNumeric(t: SsisType): boolean { return isInteger(t) || isReal(t) || isDecimalFamily(t); }
export function isString(t: SsisType): boolean {
  return t.name === 'DT_WSTR' || t.name === 'DT_STR' || t.name === 'DT_TEXT' || t.name === 'DT_NTEXT';
}
export function isBinary(t: SsisType): boolean { return t.name === 'DT_BYTES' || t.name === 'DT_IMAGE'; }
/** Types holding a calendar date (possibly with a time). */
export function isDateFamily(t: SsisType): boolean {
  switch (t.name) {
    case 'DT_DATE': case 'DT_DBDATE': case 'DT_DBTIMESTAMP': case 'DT_DBTIMESTAMP2':
    case 'DT_DBTIMESTAMPOFFSET': case 'DT_FILETIME': return true;
    default: return false;
  }
}
export function isTimeOnly(t: SsisType): boolean { return t.name === 'DT_DBTIME' || t.name === 'DT_DBTIME2'; }
export function isTemporal(t: SsisType): boolean { return isDateFamily(t) || isTimeOnly(t); }

/** The scale (fractional digits) of a decimal-family type. */
export function decimalScale(t: SsisType): number {
  if (t.name === 'DT_CY') return 4;
  if (t.name === 'DT_DECIMAL' || t.name === 'DT_NUMERIC') return t.scale;
  return 0;
}

/** `DT_WSTR(20)`-style text for messages and logs (SSIS's own spelling, parameters in order). */
export function typeToString(t: SsisType): string {
  switch (t.name) {
    case 'DT_STR': return `DT_STR(${t.length},${t.codepage})`;
    case 'DT_WSTR': return `DT_WSTR(${t.length})`;
    case 'DT_TEXT': return `DT_TEXT(${t.codepage})`;
    case 'DT_BYTES': return `DT_BYTES(${t.length})`;
    case 'DT_NUMERIC': return `DT_NUMERIC(${t.precision},${t.scale})`;
    case 'DT_DECIMAL': return `DT_DECIMAL(${t.scale})`;
    case 'DT_DBTIME2': case 'DT_DBTIMESTAMP2': case 'DT_DBTIMESTAMPOFFSET': return `${t.name}(${t.scale})`;
    default: return t.name;
  }
}

/** Structural equality of two types (name and parameters). */
export function sameType(a: SsisType, b: SsisType): boolean {
  return typeToString(a) === typeToString(b);
}

/** A typed NULL. */
export function nullOf(type: SsisType): SsisValue { return { type, value: null }; }

export function isNull(v: SsisValue): boolean { return v.value === null; }
