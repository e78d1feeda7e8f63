/**
 * DATEDIFF, DATEADD and DATEPART as SQL Server computes them, for the reports' duration and
 * "last N days" arithmetic. DATEDIFF counts datepart boundaries crossed between two instants (a
 * datetimeoffset is taken in UTC, as SQL Server does); DATEADD moves a value by whole dateparts in
 * its own wall-clock time, keeping its type and offset, clamping the day to the month's end.
 * Errors carry SQL Server's numbers (155 unknown datepart, 535 DATEDIFF overflow, 517 DATEADD overflow).
 */
import type { DateTimeOffsetValue, SqlValue } from './values.ts';
import { SqlValueError, convert } from './values.ts';

export const DATE_PART_FUNCTIONS = new Set(['DATEDIFF', 'DATEADD', 'DATEPART', 'DATEDIFF_BIG']);

export type DatePart = 'year' | 'quarter' | 'month' | 'dayofyear' | 'day' | 'week' | 'weekday' | 'hour' | 'minute' | 'second' | 'millisecond' | 'microsecond' | 'nanosecond';

const ABBREVIATIONS: Readonly<Record<string, DatePart>> = {
  year: 'year', yy: 'year', yyyy: 'year', quarter: 'quarter', qq: 'quarter', q: 'quarter', month: 'month', mm: 'month', m: 'month',
  dayofyear: 'dayofyear', dy: 'dayofyear', y: 'dayofyear', day: 'day', dd: 'day', d: 'day', week: 'week', wk: 'week', ww: 'week',
  weekday: 'weekday', dw: 'weekday', w: 'weekday', hour: 'hour', hh: 'hour', minute: 'minute', mi: 'minute', n: 'minute',
  second: 'second', ss: 'second', s: 'second', millisecond: 'millisecond', ms: 'millisecond', microsecond: 'microsecond', mcs: 'microsecond',
  nanosecond: 'nanosecond', ns: 'nanosecond',
};

/** A datepart word (`day`, `dd`, `d`, …); Msg 155 for anything else. */
export function datePart(word: string, fn: string): DatePart {
  const p = ABBREVIATIONS[word.toLowerCase()];
  if (p === undefined) throw new SqlValueError(155, `'${word}' is not a recognized ${fn.toLowerCase()} option.`);
  return p;
}

const DATE_TYPES = new Set(['datetimeoffset', 'datetime2', 'datetime', 'smalldatetime', 'date', 'time']);
const DAY = 86_400_000;

/** The argument as a date value: a date/time type as is, text converted as datetime2 would be. */
function asDate(v: SqlValue): SqlValue {
  if (v.value === null || DATE_TYPES.has(v.type)) return v;
  return convert(v, { name: 'datetime2' }, 'cast');
}

function parts(ms: number): { y: number; mo: number; d: number } {
  const dt = new Date(ms);
  return { y: dt.getUTCFullYear(), mo: dt.getUTCMonth(), d: dt.getUTCDate() };
}

/** 100-ns ticks since the epoch, as a bigint (exact for microsecond/nanosecond differences). */
function ticks(v: DateTimeOffsetValue): bigint {
  return BigInt(v.ms) * 10_000n + BigInt(v.ticks);
}

/** DATEDIFF(part, start, end): boundaries of `part` crossed from start to end; NULL when either is NULL. */
export function dateDiff(part: DatePart, startV: SqlValue, endV: SqlValue, big = false): SqlValue {
  const type = big ? 'bigint' : 'int';
  const a = asDate(startV);
  const b = asDate(endV);
  if (a.value === null || b.value === null) return { type, value: null };
  const x = a.value as DateTimeOffsetValue;
  const y = b.value as DateTimeOffsetValue;
  const px = parts(x.ms);
  const py = parts(y.ms);
  const floorDiv = (ms: number, unit: number) => Math.floor(ms / unit);
  let n: bigint;
  switch (part) {
    case 'year': n = BigInt(py.y - px.y); break;
    case 'quarter': n = BigInt((py.y * 4 + Math.floor(py.mo / 3)) - (px.y * 4 + Math.floor(px.mo / 3))); break;
    case 'month': n = BigInt((py.y * 12 + py.mo) - (px.y * 12 + px.mo)); break;
    case 'dayofyear': case 'day': case 'weekday': n = BigInt(floorDiv(y.ms, DAY) - floorDiv(x.ms, DAY)); break;
    // Weeks start on Sunday (SQL Server's DATEDIFF ignores DATEFIRST); 1970-01-01 was a Thursday.
    case 'week': n = BigInt(Math.floor((floorDiv(y.ms, DAY) + 4) / 7) - Math.floor((floorDiv(x.ms, DAY) + 4) / 7)); break;
    case 'hour': n = BigInt(floorDiv(y.ms, 3_600_000) - floorDiv(x.ms, 3_600_000)); break;
    case 'minute': n = BigInt(floorDiv(y.ms, 60_000) - floorDiv(x.ms, 60_000)); break;
    case 'second': n = BigInt(floorDiv(y.ms, 1000) - floorDiv(x.ms, 1000)); break;
    case 'millisecond': n = BigInt(y.ms - x.ms); break;
    case 'microsecond': n = ticks(y) / 10n - ticks(x) / 10n; break;
    case 'nanosecond': n = (ticks(y) - ticks(x)) * 100n; break;
  }
  const limit = big ? 2n ** 63n : 2n ** 31n;
  if (n < -limit || n >= limit) {
    throw new SqlValueError(535, `The ${big ? 'datediff_big' : 'datediff'} function resulted in an overflow. The number of dateparts separating two date/time instances is too large. Try to use datediff with a less precise datepart.`);
  }
  return { type, value: n };
}

/** DATEADD(part, number, date): the same type (text becomes datetime), moved in wall-clock time. */
export function dateAdd(part: DatePart, numberV: SqlValue, dateV: SqlValue): SqlValue {
  const d = dateV.value === null || DATE_TYPES.has(dateV.type) ? dateV : convert(dateV, { name: 'datetime' }, 'cast');
  if (d.value === null || numberV.value === null) return { type: d.type === 'null' ? 'datetime' : d.type, value: null };
  const n = Math.trunc(Number(convert(numberV, { name: 'bigint' }, 'cast').value));
  const v = d.value as DateTimeOffsetValue;
  const wall = v.ms + v.offset * 60_000;
  let out = wall;
  let extraTicks = v.ticks;
  const addMonths = (months: number) => {
    const dt = new Date(wall);
    const total = dt.getUTCFullYear() * 12 + dt.getUTCMonth() + months;
    const y = Math.floor(total / 12);
    const mo = total - y * 12;
    const last = new Date(Date.UTC(y, mo + 1, 0)).getUTCDate();
    const day = Math.min(dt.getUTCDate(), last);
    return Date.UTC(y, mo, day) + (wall - Date.UTC(dt.getUTCFullYear(), dt.getUTCMonth(), dt.getUTCDate()));
  };
  switch (part) {
    case 'year': out = addMonths(12 * n); break;
    case 'quarter': out = addMonths(3 * n); break;
    case 'month': out = addMonths(n); break;
    case 'dayofyear': case 'day': case 'weekday': out = wall + n * DAY; break;
    case 'week': out = wall + n * 7 * DAY; break;
    case 'hour': out = wall + n * 3_600_000; break;
    case 'minute': out = wall + n * 60_000; break;
    case 'second': out = wall + n * 1000; break;
    case 'millisecond': out = wall + n; break;
    case 'microsecond': case 'nanosecond': {
      const t = BigInt(wall) * 10_000n + BigInt(v.ticks) + (part === 'microsecond' ? BigInt(n) * 10n : BigInt(n) / 100n);
      out = Number(t / 10_000n);
      extraTicks = Number(t % 10_000n);
      break;
    }
  }
  const year = new Date(out).getUTCFullYear();
  if (!Number.isFinite(out) || year < 1 || year > 9999) throw new SqlValueError(517, 'Adding a value to a \'' + d.type + '\' column caused an overflow.');
  return { type: d.type, value: { ms: out - v.offset * 60_000, ticks: extraTicks, offset: v.offset } };
}

/** DATEPART(part, date) as an int (weekday with Sunday = 1, SQL Server's default DATEFIRST 7). */
export function datePartOf(part: DatePart, dateV: SqlValue): SqlValue {
  const d = asDate(dateV);
  if (d.value === null) return { type: 'int', value: null };
  const v = d.value as DateTimeOffsetValue;
  const dt = new Date(v.ms + v.offset * 60_000);
  const startOfYear = Date.UTC(dt.getUTCFullYear(), 0, 1);
  const dayOfYear = Math.floor((dt.getTime() - startOfYear) / DAY) + 1;
  let n: number;
  switch (part) {
    case 'year': n = dt.getUTCFullYear(); break;
    case 'quarter': n = Math.floor(dt.getUTCMonth() / 3) + 1; break;
    case 'month': n = dt.getUTCMonth() + 1; break;
    case 'dayofyear': n = dayOfYear; break;
    case 'day': n = dt.getUTCDate(); break;
    case 'week': n = Math.floor((dayOfYear - 1 + new Date(startOfYear).getUTCDay()) / 7) + 1; break;
    case 'weekday': n = dt.getUTCDay() + 1; break;
    case 'hour': n = dt.getUTCHours(); break;
    case 'minute': n = dt.getUTCMinutes(); break;
    case 'second': n = dt.getUTCSeconds(); break;
    case 'millisecond': n = dt.getUTCMilliseconds(); break;
    case 'microsecond': n = dt.getUTCMilliseconds() * 1000 + Math.floor(v.ticks / 10); break;
    case 'nanosecond': n = dt.getUTCMilliseconds() * 1_000_000 + v.ticks * 100; break;
  }
  return { type: 'int', value: BigInt(n) };
}
