/**
 * Database types ↔ SSIS data types, and database driver values ↔ the engine's value shapes
 * (executor/package/expressions/types.ts: bigint for 8-byte integers, `SsisDecimal` for exact
 * numbers, `SsisDateTime` ticks for dates and times, `Uint8Array` for bytes, GUIDs as
 * `{UPPER-CASE}` text). Sources read rows already in those shapes; destinations hand them back.
 *
 * Mapping choices (the documented SSIS mappings where they exist; the rest is ours):
 * - SQL Server follows SSIS's own table: varchar(n) → DT_STR(n, 1252), nvarchar(n) → DT_WSTR(n),
 *   (n)varchar(max)/(n)text/xml → DT_TEXT/DT_NTEXT, varbinary(max)/image → DT_IMAGE, datetime → DT_DBTIMESTAMP,
 *   datetime2(s) → DT_DBTIMESTAMP2(s), money → DT_CY, tinyint → DT_UI1.
 * - PostgreSQL and SQLite are Unicode engines: bounded text is DT_WSTR(n), unbounded text DT_NTEXT.
 *   An unconstrained `numeric` is DT_NUMERIC(38, 10).
 * - SQLite uses the declared type's name (`INTEGER` → DT_I8, `INT` → DT_I4, `VARCHAR(20)` → DT_WSTR(20),
 *   `DATETIME` → DT_DBTIMESTAMP, `DECIMAL(10,2)` → DT_NUMERIC(10,2), …); a result column without a
 *   declared type (an expression) takes the type of its first non-NULL value.
 */
import type { SsisDateTime, SsisDecimal, SsisScalar, SsisType } from '../expressions/types.ts';
import { isString, isTemporal, T } from '../expressions/types.ts';
import { decimalFromNumber, formatDecimal, parseDecimal } from '../expressions/decimal.ts';
import { civilFromDays, parseDateText, partsFromTicks, ticksFromUtcDate, TICKS_PER_DAY, TICKS_PER_MS } from '../expressions/datetime.ts';
import type { Dialect } from './provider.ts';

/** Flat length/precision/scale/code page of a type, as SSIS shows them on a column. */
export function typeFacets(t: SsisType): { length: number; precision: number; scale: number; codePage: number } {
  switch (t.name) {
    case 'DT_STR': return { length: t.length, precision: 0, scale: 0, codePage: t.codepage };
    case 'DT_TEXT': return { length: 0, precision: 0, scale: 0, codePage: t.codepage };
    case 'DT_WSTR': case 'DT_BYTES': return { length: t.length, precision: 0, scale: 0, codePage: 0 };
    case 'DT_NUMERIC': return { length: 0, precision: t.precision, scale: t.scale, codePage: 0 };
    case 'DT_DECIMAL': case 'DT_DBTIME2': case 'DT_DBTIMESTAMP2': case 'DT_DBTIMESTAMPOFFSET':
      return { length: 0, precision: 0, scale: t.scale, codePage: 0 };
    default: return { length: 0, precision: 0, scale: 0, codePage: 0 };
  }
}

const clampScale = (s: number | undefined, dflt: number, max: number) => (s === undefined || !Number.isFinite(s) || s < 0 ? dflt : Math.min(s, max));

/**
 * The SSIS type of a SQL Server column type (`name` lower case as sys.types spells it; `length` in
 * characters for n-types, bytes otherwise, -1 for max).
 */
export function ssisTypeForSqlServer(name: string, length: number, precision: number, scale: number): SsisType {
  switch (name.toLowerCase()) {
    case 'bit': return T.BOOL;
    case 'tinyint': return T.UI1;
    case 'smallint': return T.I2;
    case 'int': return T.I4;
    case 'bigint': return T.I8;
    case 'real': return T.R4;
    case 'float': return T.R8;
    case 'decimal': case 'numeric': return T.numeric(precision || 18, scale);
    case 'money': case 'smallmoney': return T.CY;
    case 'char': case 'varchar': return length < 0 ? T.text(1252) : T.str(length, 1252);
    case 'text': return T.text(1252);
    case 'nchar': case 'nvarchar': case 'sysname': return length < 0 ? T.NTEXT : T.wstr(length);
    case 'ntext': case 'xml': return T.NTEXT;
    case 'binary': case 'varbinary': return length < 0 ? T.IMAGE : T.bytes(length);
    case 'image': return T.IMAGE;
    case 'timestamp': case 'rowversion': return T.bytes(8);
    case 'date': return T.DBDATE;
    case 'time': return T.dbtime2(clampScale(scale, 7, 7));
    case 'datetime': case 'smalldatetime': return T.DBTIMESTAMP;
    case 'datetime2': return T.dbtimestamp2(clampScale(scale, 7, 7));
    case 'datetimeoffset': return T.dbtimestampoffset(clampScale(scale, 7, 7));
    case 'uniqueidentifier': return T.GUID;
    default: return T.wstr(4000);
  }
}

/** PostgreSQL type OIDs the mapping knows. */
export const PG_OID = {
  bool: 16, bytea: 17, char: 18, name: 19, int8: 20, int2: 21, int4: 23, text: 25, oid: 26, json: 114, xml: 142,
  float4: 700, float8: 701, money: 790, bpchar: 1042, varchar: 1043, date: 1082, time: 1083,
  timestamp: 1114, timestamptz: 1184, timetz: 1266, numeric: 1700, uuid: 2950, jsonb: 3802,
} as const;

const PG_NAME_OF_OID = new Map<number, string>(Object.entries(PG_OID).map(([k, v]) => [v, k]));

/** A PostgreSQL type's name for messages (`varchar`, `int4`), from its OID. */
export function postgresTypeName(oid: number): string {
  return PG_NAME_OF_OID.get(oid) ?? `oid ${oid}`;
}

/** The SSIS type of a PostgreSQL type (by OID and typmod, as a result field carries them). */
export function ssisTypeForPostgresOid(oid: number, typmod: number): SsisType {
  switch (oid) {
    case PG_OID.bool: return T.BOOL;
    case PG_OID.int2: return T.I2;
    case PG_OID.int4: case PG_OID.oid: return T.I4;
    case PG_OID.int8: return T.I8;
    case PG_OID.float4: return T.R4;
    case PG_OID.float8: return T.R8;
    case PG_OID.money: return T.CY;
    case PG_OID.numeric: {
      if (typmod < 4) return T.numeric(38, 10);
      const m = typmod - 4;
      return T.numeric(Math.min((m >> 16) & 0xffff, 38), m & 0xffff);
    }
    case PG_OID.varchar: case PG_OID.bpchar: return typmod >= 4 ? T.wstr(typmod - 4) : T.NTEXT;
    case PG_OID.name: return T.wstr(63);
    case PG_OID.char: return T.wstr(1);
    case PG_OID.bytea: return T.IMAGE;
    case PG_OID.date: return T.DBDATE;
    case PG_OID.time: case PG_OID.timetz: return T.dbtime2(typmod >= 0 ? Math.min(typmod, 7) : 6);
    case PG_OID.timestamp: return T.dbtimestamp2(typmod >= 0 ? Math.min(typmod, 7) : 6);
    case PG_OID.timestamptz: return T.dbtimestampoffset(typmod >= 0 ? Math.min(typmod, 7) : 6);
    case PG_OID.uuid: return T.GUID;
    default: return T.NTEXT;
  }
}

/** The SSIS type of a SQLite declared column type; undefined when there is none (an expression column). */
export function ssisTypeForSqlite(declared: string | null | undefined): SsisType | undefined {
  if (!declared || declared.trim() === '') return undefined;
  const d = declared.trim().toUpperCase();
  const m = /^([A-Z_ ]+?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$/.exec(d);
  const base = (m?.[1] ?? d).trim();
  const a = m?.[2] !== undefined ? Number(m[2]) : undefined;
  const b = m?.[3] !== undefined ? Number(m[3]) : undefined;
  switch (base) {
    case 'BOOLEAN': case 'BOOL': case 'BIT': return T.BOOL;
    case 'TINYINT': return T.UI1;
    case 'SMALLINT': case 'INT2': return T.I2;
    case 'INT': case 'MEDIUMINT': case 'INT4': return T.I4;
    case 'INTEGER': case 'BIGINT': case 'INT8': case 'UNSIGNED BIG INT': return T.I8;
    case 'REAL': case 'DOUBLE': case 'DOUBLE PRECISION': case 'FLOAT': return T.R8;
    case 'DECIMAL': case 'NUMERIC': return a === undefined ? T.numeric(38, 10) : T.numeric(Math.min(a, 38), b ?? 0);
    case 'MONEY': case 'SMALLMONEY': return T.CY;
    case 'DATE': return T.DBDATE;
    case 'TIME': return T.dbtime2(7);
    case 'DATETIME': case 'SMALLDATETIME': case 'TIMESTAMP': return T.DBTIMESTAMP;
    case 'DATETIME2': return T.dbtimestamp2(a === undefined ? 7 : Math.min(a, 7));
    case 'DATETIMEOFFSET': return T.dbtimestampoffset(a === undefined ? 7 : Math.min(a, 7));
    case 'UNIQUEIDENTIFIER': case 'GUID': case 'UUID': return T.GUID;
    case 'BLOB': case 'IMAGE': return T.IMAGE;
    case 'BINARY': case 'VARBINARY': return a === undefined ? T.IMAGE : T.bytes(a);
    default:
      if (base.includes('INT')) return T.I8;
      if (/CHAR|CLOB|TEXT/.test(base)) return a === undefined ? T.NTEXT : T.wstr(a);
      if (/REAL|FLOA|DOUB/.test(base)) return T.R8;
      return T.NTEXT;
  }
}

/** The SSIS type of a value whose column has no declared type (SQLite expressions). */
export function ssisTypeOfValue(v: unknown): SsisType {
  if (typeof v === 'bigint') return T.I8;
  if (typeof v === 'number') return Number.isInteger(v) ? T.I8 : T.R8;
  if (v instanceof Uint8Array) return T.IMAGE;
  if (typeof v === 'boolean') return T.BOOL;
  return T.NTEXT;
}

// ---- values --------------------------------------------------------------------------------

/** A value that cannot become the column's type; the caller adds column and row to the message. */
export class ValueConversionError extends Error {}

function isDecimal(v: unknown): v is SsisDecimal {
  return typeof v === 'object' && v !== null && typeof (v as SsisDecimal).unscaled === 'bigint' && typeof (v as SsisDecimal).scale === 'number';
}
function isDateTime(v: unknown): v is SsisDateTime {
  return typeof v === 'object' && v !== null && typeof (v as SsisDateTime).ticks === 'bigint' && typeof (v as SsisDateTime).offsetMinutes === 'number';
}

const describe = (v: unknown): string => {
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  if (typeof v === 'bigint') return String(v);
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (v instanceof Date) return v.toISOString();
  return typeof v === 'object' ? JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x)) : String(v);
};

function toBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return BigInt(v.trim());
  if (isDecimal(v) && v.unscaled % 10n ** BigInt(v.scale) === 0n) return v.unscaled / 10n ** BigInt(v.scale);
  throw new ValueConversionError(`${describe(v)} is not an integer`);
}

function toDateTime(v: unknown, utcDates: boolean): SsisDateTime {
  if (isDateTime(v)) return v;
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new ValueConversionError('an invalid date');
    let ticks = utcDates ? ticksFromUtcDate(v) : ticksFromUtcDate(new Date(v.getTime() - v.getTimezoneOffset() * 60000));
    const nano = (v as Date & { nanosecondDelta?: number }).nanosecondDelta;
    if (typeof nano === 'number' && nano > 0) ticks += BigInt(Math.round(nano * 1e7));
    return { ticks, offsetMinutes: 0 };
  }
  if (typeof v === 'string') {
    const p = parseDateText(v);
    if (p) return { ticks: p.ticks, offsetMinutes: p.offsetMinutes };
  }
  throw new ValueConversionError(`${describe(v)} is not a date or time`);
}

/**
 * A driver value as the engine's value of type `t`. `utcDates`: the driver returns wall-clock date
 * and time as the UTC fields of a Date (mssql's default); otherwise as local time. Throws
 * `ValueConversionError` when the value does not fit.
 */
export function fromDriverValue(v: unknown, t: SsisType, utcDates = true): SsisScalar | null {
  if (v === null || v === undefined) return null;
  switch (t.name) {
    case 'DT_BOOL':
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number' || typeof v === 'bigint') return Number(v) !== 0;
      if (typeof v === 'string' && /^(true|t|1|yes|false|f|0|no)$/i.test(v.trim())) return /^(true|t|1|yes)$/i.test(v.trim());
      throw new ValueConversionError(`${describe(v)} is not a Boolean`);
    case 'DT_I1': case 'DT_I2': case 'DT_I4': case 'DT_UI1': case 'DT_UI2': case 'DT_UI4':
      return Number(toBigInt(v));
    case 'DT_I8': case 'DT_UI8':
      return toBigInt(v);
    case 'DT_R4': case 'DT_R8': {
      const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : isDecimal(v) ? Number(formatDecimal(v)) : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
      if (Number.isNaN(n) && !(typeof v === 'number')) throw new ValueConversionError(`${describe(v)} is not a number`);
      return n;
    }
    case 'DT_NUMERIC': case 'DT_DECIMAL': case 'DT_CY': {
      if (isDecimal(v)) return v;
      if (typeof v === 'bigint') return { unscaled: v, scale: 0 };
      if (typeof v === 'number') {
        const d = decimalFromNumber(v);
        if (d) return d;
      } else if (typeof v === 'string') {
        const d = parseDecimal(v.trim());
        if (d) return d;
      }
      throw new ValueConversionError(`${describe(v)} is not an exact number`);
    }
    case 'DT_STR': case 'DT_WSTR': case 'DT_TEXT': case 'DT_NTEXT':
      if (typeof v === 'string') return v;
      if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
      if (v instanceof Date) return v.toISOString();
      if (isDecimal(v)) return formatDecimal(v);
      if (typeof v === 'object') return JSON.stringify(v);
      return String(v);
    case 'DT_GUID': {
      const s = String(v).trim().replace(/^\{|\}$/g, '');
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)) throw new ValueConversionError(`${describe(v)} is not a GUID`);
      return `{${s.toUpperCase()}}`;
    }
    case 'DT_BYTES': case 'DT_IMAGE':
      if (v instanceof Uint8Array) return v;
      throw new ValueConversionError(`${describe(v)} is not binary data`);
    case 'DT_DBDATE': { const d = toDateTime(v, utcDates); return { ticks: d.ticks - (d.ticks % TICKS_PER_DAY), offsetMinutes: 0 }; }
    case 'DT_DBTIME': case 'DT_DBTIME2': { const d = toDateTime(v, utcDates); return { ticks: d.ticks % TICKS_PER_DAY, offsetMinutes: 0 }; }
    case 'DT_DBTIMESTAMPOFFSET': return toDateTime(v, utcDates);
    case 'DT_DATE': case 'DT_DBTIMESTAMP': case 'DT_DBTIMESTAMP2': case 'DT_FILETIME': { const d = toDateTime(v, utcDates); return { ticks: d.ticks, offsetMinutes: 0 }; }
    case 'DT_NULL': return null;
  }
}

/** Date/time text every engine parses: `yyyy-mm-dd hh:mm:ss[.fffffff]` (trailing zeros of the fraction dropped). */
export function dateTimeText(v: SsisDateTime, t: SsisType | undefined): string {
  // Runs for every date a destination writes: split the ticks with two BigInt operations, the rest in Numbers.
  const p = splitTicks(v.ticks);
  const two = (n: number) => (n < 10 ? `0${n}` : String(n));
  const date = `${String(p.year).padStart(4, '0')}-${two(p.month)}-${two(p.day)}`;
  const name = t?.name;
  if (name === 'DT_DBDATE') return date;
  const frac = p.fraction === 0 ? '' : `.${String(p.fraction).padStart(7, '0').replace(/0+$/, '')}`;
  const time = `${two(p.hour)}:${two(p.minute)}:${two(p.second)}${frac}`;
  if (name === 'DT_DBTIME' || name === 'DT_DBTIME2') return time;
  return name === 'DT_DBTIMESTAMPOFFSET' ? `${date} ${time}${formatOffsetMinutes(v.offsetMinutes)}` : `${date} ${time}`;
}

function splitTicks(ticks: bigint): { year: number; month: number; day: number; hour: number; minute: number; second: number; fraction: number } {
  if (ticks < 0n) return partsFromTicks(ticks);
  const days = ticks / TICKS_PER_DAY;
  let rest = Number(ticks - days * TICKS_PER_DAY); // < 8.64e11: exact in a Number
  const { year, month, day } = civilFromDays(Number(days));
  const hour = Math.floor(rest / 36_000_000_000); rest -= hour * 36_000_000_000;
  const minute = Math.floor(rest / 600_000_000); rest -= minute * 600_000_000;
  const second = Math.floor(rest / 10_000_000);
  return { year, month, day, hour, minute, second, fraction: rest - second * 10_000_000 };
}

function formatOffsetMinutes(m: number): string {
  const a = Math.abs(m);
  return `${m < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/**
 * An engine value (or a plain JS value) as the driver of `dialect` binds it for a column of type
 * `t` (undefined: unknown column type, bind by the value's own kind). `valueType` is the SSIS type
 * the value has in the data flow (the destination's input column), when known: a date/time value
 * written into a text column becomes the text of its own type (a DT_DBDATE `2021-01-10`, a
 * DT_DBTIMESTAMP `2021-01-10 08:30:00`), as the OLE DB provider converts DBTYPE_DBDATE to a
 * string column; without it the text would be the target's guess (a full timestamp).
 */
export function toDriverValue(v: unknown, dialect: Dialect, t?: SsisType, valueType?: SsisType): unknown {
  if (v === null || v === undefined) return null;
  if (isDecimal(v)) return dialect === 'mssql' ? Number(formatDecimal(v)) : formatDecimal(v);
  if (isDateTime(v)) {
    if (t !== undefined && valueType !== undefined && isString(t) && isTemporal(valueType)) return dateTimeText(v, valueType);
    if (dialect !== 'mssql') return dateTimeText(v, t);
    // mssql reads a Date's UTC fields as the wall-clock value (useUTC); sub-millisecond ticks ride on
    // nanosecondDelta. A DATETIMEOFFSET goes as its UTC instant (the server stores it at offset +00:00).
    const wall = t?.name === 'DT_DBTIMESTAMPOFFSET' ? v.ticks - BigInt(v.offsetMinutes) * 600_000_000n : v.ticks;
    const sinceEpoch = wall - 621355968000000000n;
    let ms = sinceEpoch / TICKS_PER_MS;
    if (sinceEpoch < 0n && sinceEpoch % TICKS_PER_MS !== 0n) ms -= 1n;
    const d = new Date(Number(ms));
    const rest = Number(sinceEpoch - ms * TICKS_PER_MS);
    if (rest > 0) (d as Date & { nanosecondDelta?: number }).nanosecondDelta = rest / 1e7;
    return d;
  }
  if (v instanceof Date) return dialect === 'sqlite' ? dateTimeText({ ticks: ticksFromUtcDate(new Date(v.getTime() - v.getTimezoneOffset() * 60000)), offsetMinutes: 0 }, t) : v;
  if (typeof v === 'boolean') return dialect === 'sqlite' ? (v ? 1 : 0) : v;
  if (typeof v === 'bigint') return dialect === 'postgres' ? String(v) : v;
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === 'string' && t?.name === 'DT_GUID') return v.replace(/^\{|\}$/g, '');
  return v;
}
