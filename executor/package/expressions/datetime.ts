/**
 * Calendar arithmetic on SSIS date values (100 ns ticks since 0001-01-01, proleptic Gregorian):
 * text parsing in the formats SSIS accepts, text formatting per date type, and the DATEADD,
 * DATEDIFF and DATEPART semantics (SQL Server's: boundaries crossed, Sunday-first weeks).
 */
import type { SsisDateTime, SsisType } from './types.ts';

export const TICKS_PER_MS = 10_000n;
export const TICKS_PER_SECOND = 10_000_000n;
export const TICKS_PER_MINUTE = 600_000_000n;
export const TICKS_PER_HOUR = 36_000_000_000n;
export const TICKS_PER_DAY = 864_000_000_000n;
/** 9999-12-31 23:59:59.9999999 + 1 tick. */
export const MAX_TICKS = 3_155_378_976_000_000_000n;
/** Days from 0001-01-01 to 1899-12-30, the OLE Automation (DT_DATE) epoch. */
const OA_EPOCH_DAYS = 693_593;

/** Days since 0001-01-01 for a proleptic Gregorian date (month 1-12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 306; // 306: 0000-03-01 → 0001-01-01
}

export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 306;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: era * 400 + yoe + (month <= 2 ? 1 : 0), month, day };
}

export function isLeapYear(y: number): boolean { return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0; }
export function daysInMonth(y: number, m: number): number {
  return [31, isLeapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] as number;
}

export interface DateParts {
  year: number; month: number; day: number; hour: number; minute: number; second: number;
  /** Ticks (100 ns) within the second, 0 to 9,999,999. */
  fraction: number;
}

export function partsFromTicks(ticks: bigint): DateParts {
  const days = Number(ticks / TICKS_PER_DAY);
  let rest = ticks % TICKS_PER_DAY;
  const hour = Number(rest / TICKS_PER_HOUR); rest %= TICKS_PER_HOUR;
  const minute = Number(rest / TICKS_PER_MINUTE); rest %= TICKS_PER_MINUTE;
  const second = Number(rest / TICKS_PER_SECOND);
  const fraction = Number(rest % TICKS_PER_SECOND);
  return { ...civilFromDays(days), hour, minute, second, fraction };
}

/** Ticks for the given parts; undefined when a field is out of range. */
export function ticksFromParts(p: DateParts): bigint | undefined {
  if (p.year < 1 || p.year > 9999 || p.month < 1 || p.month > 12 || p.day < 1 || p.day > daysInMonth(p.year, p.month)) return undefined;
  if (p.hour < 0 || p.hour > 23 || p.minute < 0 || p.minute > 59 || p.second < 0 || p.second > 59 || p.fraction < 0 || p.fraction > 9_999_999) return undefined;
  return BigInt(daysFromCivil(p.year, p.month, p.day)) * TICKS_PER_DAY + BigInt(p.hour) * TICKS_PER_HOUR
    + BigInt(p.minute) * TICKS_PER_MINUTE + BigInt(p.second) * TICKS_PER_SECOND + BigInt(p.fraction);
}

/** The wall-clock time of a JS Date in the process's local time zone (what GETDATE returns). */
export function ticksFromLocalDate(d: Date): bigint {
  return ticksFromParts({
    year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate(), hour: d.getHours(),
    minute: d.getMinutes(), second: d.getSeconds(), fraction: d.getMilliseconds() * 10_000,
  }) ?? 0n;
}
export function ticksFromUtcDate(d: Date): bigint {
  return ticksFromParts({
    year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(),
    minute: d.getUTCMinutes(), second: d.getUTCSeconds(), fraction: d.getUTCMilliseconds() * 10_000,
  }) ?? 0n;
}
/** A JS Date whose UTC fields equal the wall-clock ticks (and offset applied when asked). */
export function dateFromTicks(t: SsisDateTime, applyOffset: boolean): Date {
  const p = partsFromTicks(t.ticks);
  const ms = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, Math.floor(p.fraction / 10_000));
  const d = new Date(ms - (applyOffset ? t.offsetMinutes * 60_000 : 0));
  if (p.year < 100) d.setUTCFullYear(p.year);
  return d;
}

/** OLE Automation date (days since 1899-12-30, fraction = time of day) ↔ ticks. */
export function ticksFromOaDate(oa: number): bigint | undefined {
  if (!Number.isFinite(oa)) return undefined;
  const days = Math.trunc(oa);
  const frac = Math.abs(oa - days);
  const ms = Math.round(frac * 86_400_000);
  const ticks = BigInt(days + OA_EPOCH_DAYS) * TICKS_PER_DAY + BigInt(ms) * TICKS_PER_MS;
  return ticks < 0n || ticks >= MAX_TICKS ? undefined : ticks;
}
export function oaDateFromTicks(ticks: bigint): number {
  const days = Number(ticks / TICKS_PER_DAY) - OA_EPOCH_DAYS;
  const frac = Number(ticks % TICKS_PER_DAY) / Number(TICKS_PER_DAY);
  return days >= 0 ? days + frac : days - frac;
}
export const OA_EPOCH_TICKS = BigInt(OA_EPOCH_DAYS) * TICKS_PER_DAY;

// ---- parsing -------------------------------------------------------------------------------

export interface ParsedDateText {
  readonly ticks: bigint;
  readonly offsetMinutes: number;
  readonly hasDate: boolean;
  readonly hasTime: boolean;
  readonly hasOffset: boolean;
}

const TIME_RE = '(\\d{1,2}):(\\d{1,2})(?::(\\d{1,2})(?:[.,](\\d{1,9}))?)?\\s*([AaPp][Mm])?';
const OFFSET_RE = '(?:\\s*(Z|[+-])\\s*(?:(\\d{1,2}):?(\\d{2})?)?)?';
const DATE_FORMATS: readonly { re: RegExp; order: 'ymd' | 'mdy' }[] = [
  { re: /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})/, order: 'ymd' },
  { re: /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})/, order: 'mdy' },
  { re: /^(\d{4})(\d{2})(\d{2})(?=$|[ T])/, order: 'ymd' },
];

/**
 * Parses date/time text as SSIS's conversions accept it: ISO `yyyy-mm-dd[ |T]hh:mm:ss[.fffffff]
 * [±hh:mm]`, `yyyy/mm/dd`, `yyyymmdd`, US `mm/dd/yyyy [h:mm:ss AM]`, and a bare time. The
 * locale-dependent forms are read as en-US (month first), our fixed locale.
 */
export function parseDateText(text: string): ParsedDateText | undefined {
  let s = text.trim();
  let year = 1899, month = 12, day = 30;
  let hasDate = false;
  for (const f of DATE_FORMATS) {
    const m = f.re.exec(s);
    if (!m) continue;
    const [a, b, c] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (f.order === 'ymd') { year = a; month = b; day = c; } else { month = a; day = b; year = c; }
    hasDate = true;
    s = s.slice(m[0].length);
    break;
  }
  let hour = 0, minute = 0, second = 0, fraction = 0, hasTime = false, hasOffset = false, offsetMinutes = 0;
  s = s.replace(/^(?:T|\s+)/, '');
  const tm = new RegExp(`^${TIME_RE}`).exec(s);
  if (tm) {
    hour = Number(tm[1]); minute = Number(tm[2]); second = Number(tm[3] ?? 0);
    fraction = tm[4] ? Number(tm[4].padEnd(7, '0').slice(0, 7)) : 0;
    const ampm = tm[5]?.toUpperCase();
    if (ampm) {
      if (hour < 1 || hour > 12) return undefined;
      if (ampm === 'AM' && hour === 12) hour = 0;
      if (ampm === 'PM' && hour !== 12) hour += 12;
    }
    hasTime = true;
    s = s.slice(tm[0].length);
  }
  if (!hasDate && !hasTime) return undefined;
  const om = new RegExp(`^${OFFSET_RE}$`).exec(s);
  if (!om) return undefined;
  if (om[1] === 'Z') { hasOffset = true; }
  else if (om[1]) {
    if (om[2] === undefined) return undefined;
    const oh = Number(om[2]); const omin = Number(om[3] ?? 0);
    if (oh > 14 || omin > 59) return undefined;
    offsetMinutes = (om[1] === '-' ? -1 : 1) * (oh * 60 + omin);
    hasOffset = true;
  }
  const ticks = ticksFromParts({ year, month, day, hour, minute, second, fraction });
  if (ticks === undefined) return undefined;
  return { ticks, offsetMinutes, hasDate, hasTime, hasOffset };
}

// ---- formatting ----------------------------------------------------------------------------

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function fractionDigits(fraction: number, digits: number): string {
  return digits <= 0 ? '' : `.${pad(fraction, 7).padEnd(9, '0').slice(0, digits)}`;
}
function isoDate(p: DateParts): string { return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`; }
function isoTime(p: DateParts): string { return `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`; }

export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Text of a date value as a cast to DT_WSTR produces it, per source type. */
export function formatDateValue(v: SsisDateTime, type: SsisType): string {
  const p = partsFromTicks(v.ticks);
  switch (type.name) {
    case 'DT_DBDATE': return isoDate(p);
    case 'DT_DBTIME': return isoTime(p);
    case 'DT_DBTIME2': return isoTime(p) + fractionDigits(p.fraction, type.scale);
    case 'DT_DBTIMESTAMP2': return `${isoDate(p)} ${isoTime(p)}${fractionDigits(p.fraction, type.scale)}`;
    case 'DT_DBTIMESTAMPOFFSET':
      return `${isoDate(p)} ${isoTime(p)}${fractionDigits(p.fraction, type.scale)} ${formatOffset(v.offsetMinutes)}`;
    case 'DT_FILETIME': return `${isoDate(p)} ${isoTime(p)}${fractionDigits(p.fraction, 3)}`;
    case 'DT_DATE': {
      // Variant (VT_DATE) text in the en-US locale: the time is left out at midnight.
      const date = `${p.month}/${p.day}/${p.year}`;
      if (p.hour === 0 && p.minute === 0 && p.second === 0) return date;
      const h12 = p.hour % 12 === 0 ? 12 : p.hour % 12;
      return `${date} ${h12}:${pad(p.minute)}:${pad(p.second)} ${p.hour < 12 ? 'AM' : 'PM'}`;
    }
    default:
      // DT_DBTIMESTAMP prints nine fractional digits when it has a fraction, as SSIS does.
      return `${isoDate(p)} ${isoTime(p)}${p.fraction === 0 ? '' : fractionDigits(p.fraction, 9)}`;
  }
}

// ---- DATEADD / DATEDIFF / DATEPART ---------------------------------------------------------

export type DatePart =
  | 'year' | 'quarter' | 'month' | 'dayofyear' | 'day' | 'week' | 'weekday' | 'hour' | 'minute' | 'second' | 'millisecond';

const DATEPART_NAMES: Readonly<Record<string, DatePart>> = {
  year: 'year', yy: 'year', yyyy: 'year',
  quarter: 'quarter', qq: 'quarter', q: 'quarter',
  month: 'month', mm: 'month', m: 'month',
  dayofyear: 'dayofyear', dy: 'dayofyear', y: 'dayofyear',
  day: 'day', dd: 'day', d: 'day',
  week: 'week', wk: 'week', ww: 'week',
  weekday: 'weekday', dw: 'weekday',
  hour: 'hour', hh: 'hour',
  minute: 'minute', mi: 'minute', n: 'minute',
  second: 'second', ss: 'second', s: 'second',
  millisecond: 'millisecond', ms: 'millisecond',
};

export function datePartFromName(name: string): DatePart | undefined {
  return DATEPART_NAMES[name.trim().toLowerCase()];
}

/** 1 = Sunday … 7 = Saturday (US default, DATEFIRST 7). 0001-01-01 was a Monday. */
export function weekday(ticks: bigint): number {
  const days = Number(ticks / TICKS_PER_DAY);
  return ((days + 1) % 7) + 1;
}

export function dayOfYear(p: DateParts): number {
  return daysFromCivil(p.year, p.month, p.day) - daysFromCivil(p.year, 1, 1) + 1;
}

/** SQL Server week number: week 1 contains January 1st, weeks start on Sunday. */
function weekOfYear(p: DateParts): number {
  const jan1 = BigInt(daysFromCivil(p.year, 1, 1)) * TICKS_PER_DAY;
  return Math.floor((dayOfYear(p) - 1 + weekday(jan1) - 1) / 7) + 1;
}

export function datePart(part: DatePart, ticks: bigint): number {
  const p = partsFromTicks(ticks);
  switch (part) {
    case 'year': return p.year;
    case 'quarter': return Math.floor((p.month - 1) / 3) + 1;
    case 'month': return p.month;
    case 'dayofyear': return dayOfYear(p);
    case 'day': return p.day;
    case 'week': return weekOfYear(p);
    case 'weekday': return weekday(ticks);
    case 'hour': return p.hour;
    case 'minute': return p.minute;
    case 'second': return p.second;
    case 'millisecond': return Math.floor(p.fraction / 10_000);
  }
}

/** DATEADD: months and years clamp the day to the month's end. Undefined when out of range. */
export function dateAdd(part: DatePart, amount: number, ticks: bigint): bigint | undefined {
  const n = BigInt(Math.trunc(amount));
  let result: bigint;
  switch (part) {
    case 'year': case 'quarter': case 'month': {
      const months = part === 'year' ? 12 : part === 'quarter' ? 3 : 1;
      const p = partsFromTicks(ticks);
      const total = p.year * 12 + (p.month - 1) + Number(n) * months;
      const year = Math.floor(total / 12);
      const month = total - year * 12 + 1;
      if (year < 1 || year > 9999) return undefined;
      const day = Math.min(p.day, daysInMonth(year, month));
      const t = ticksFromParts({ ...p, year, month, day });
      if (t === undefined) return undefined;
      result = t;
      break;
    }
    case 'dayofyear': case 'day': case 'weekday': result = ticks + n * TICKS_PER_DAY; break;
    case 'week': result = ticks + n * 7n * TICKS_PER_DAY; break;
    case 'hour': result = ticks + n * TICKS_PER_HOUR; break;
    case 'minute': result = ticks + n * TICKS_PER_MINUTE; break;
    case 'second': result = ticks + n * TICKS_PER_SECOND; break;
    case 'millisecond': result = ticks + n * TICKS_PER_MS; break;
  }
  return result < 0n || result >= MAX_TICKS ? undefined : result;
}

/** DATEDIFF: the number of `part` boundaries crossed from `start` to `end`. */
export function dateDiff(part: DatePart, start: bigint, end: bigint): bigint {
  const floorDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? a / b : -((-a + b - 1n) / b));
  const a = partsFromTicks(start);
  const b = partsFromTicks(end);
  switch (part) {
    case 'year': return BigInt(b.year - a.year);
    case 'quarter': return BigInt((b.year * 4 + Math.floor((b.month - 1) / 3)) - (a.year * 4 + Math.floor((a.month - 1) / 3)));
    case 'month': return BigInt((b.year * 12 + b.month) - (a.year * 12 + a.month));
    case 'dayofyear': case 'day': case 'weekday': return end / TICKS_PER_DAY - start / TICKS_PER_DAY;
    // Weeks end on Saturday night: count Sundays crossed. Day 6 (0001-01-07) was a Sunday.
    case 'week': return floorDiv(end / TICKS_PER_DAY + 1n, 7n) - floorDiv(start / TICKS_PER_DAY + 1n, 7n);
    case 'hour': return end / TICKS_PER_HOUR - start / TICKS_PER_HOUR;
    case 'minute': return end / TICKS_PER_MINUTE - start / TICKS_PER_MINUTE;
    case 'second': return end / TICKS_PER_SECOND - start / TICKS_PER_SECOND;
    case 'millisecond': return end / TICKS_PER_MS - start / TICKS_PER_MS;
  }
}
