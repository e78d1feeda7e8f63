/**
 * .NET TimeSpan strings, the duration format of WorkerSettings.config (`00:01:00`, `7.00:00:00`).
 * Parsing follows `TimeSpan.Parse` with the invariant culture, including its surprises (`"1"` is one
 * day, `"24:00:00"` is 24 days), so a file written for SSIS means the same thing here.
 */

/** Why a TimeSpan string was refused; `message` names the value. */
export class TimeSpanFormatError extends Error {
  override name = 'TimeSpanFormatError';
}

const MAX_DAYS = 10_675_199;
const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60 * MS_PER_SECOND;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;
const MS_PER_DAY = 24 * MS_PER_HOUR;

/** A parsed TimeSpan: milliseconds (fractional below 1 ms when the string has 100 ns ticks). */
export interface ParsedTimeSpan {
  readonly ms: number;
  /**
   * Set when the string used .NET's reading of an hours part ≥ 24 as days (`24:00:00` = 24 days),
   * which is rarely what the author meant; callers turn it into a warning.
   */
  readonly hoursReadAsDays: boolean;
}

/**
 * Parses `[ws][-]{ d | [d.]hh:mm[:ss[.fffffff]] }[ws]`, plus .NET's `d:hh:mm:ss` and the
 * `hh:mm:ss` → `d:hh:mm` fallback when the first part is ≥ 24.
 * @throws TimeSpanFormatError naming the value and the part that is wrong.
 */
export function parseTimeSpanDetailed(text: string): ParsedTimeSpan {
  const value = text.trim();
  const quoted = `'${text}'`;
  const m = /^(-)?(?:(\d+)\.)?(\d+)(?::(\d+))?(?::(\d+))?(?::(\d+))?(?:\.(\d+))?$/.exec(value);
  if (!m) throw new TimeSpanFormatError(`TimeSpan ${quoted} is not in the form [-][d.]hh:mm[:ss[.fffffff]]`);
  const [, minus, dayDot, p1, p2, p3, p4, frac] = m;
  const n = (s: string | undefined): number => (s === undefined ? 0 : Number(s));
  let days = 0, hours = 0, minutes = 0, seconds = 0;
  let hoursReadAsDays = false;

  if (p2 === undefined) {
    // One number: days. `1.5` or `1.` style leftovers are not TimeSpans.
    if (dayDot !== undefined || frac !== undefined) throw new TimeSpanFormatError(`TimeSpan ${quoted} is not in the form [-][d.]hh:mm[:ss[.fffffff]]`);
    days = n(p1);
  } else if (p4 !== undefined) {
    // d:hh:mm:ss — four colon parts; a `d.` prefix as well would be five parts.
    if (dayDot !== undefined) throw new TimeSpanFormatError(`TimeSpan ${quoted} has too many parts`);
    days = n(p1); hours = n(p2); minutes = n(p3); seconds = n(p4);
  } else if (dayDot !== undefined) {
    days = n(dayDot); hours = n(p1); minutes = n(p2); seconds = n(p3);
  } else if (p3 !== undefined && n(p1) >= 24) {
    // .NET reads `24:00:00` as d:hh:mm (24 days) because 24 is out of the hours range.
    if (frac !== undefined) throw new TimeSpanFormatError(`TimeSpan ${quoted}: hours must be 0–23`);
    days = n(p1); hours = n(p2); minutes = n(p3);
    hoursReadAsDays = true;
  } else {
    hours = n(p1); minutes = n(p2); seconds = n(p3);
  }
  if (frac !== undefined && p3 === undefined && p4 === undefined) {
    throw new TimeSpanFormatError(`TimeSpan ${quoted}: a fraction needs a seconds part (hh:mm:ss.fffffff)`);
  }
  if (days > MAX_DAYS) throw new TimeSpanFormatError(`TimeSpan ${quoted}: days must be at most ${MAX_DAYS}`);
  if (hours > 23) throw new TimeSpanFormatError(`TimeSpan ${quoted}: hours must be 0–23`);
  if (minutes > 59) throw new TimeSpanFormatError(`TimeSpan ${quoted}: minutes must be 0–59`);
  if (seconds > 59) throw new TimeSpanFormatError(`TimeSpan ${quoted}: seconds must be 0–59`);
  if (frac !== undefined && frac.length > 7) throw new TimeSpanFormatError(`TimeSpan ${quoted}: at most 7 fraction digits (100 ns ticks) are allowed`);

  const ticks = frac === undefined ? 0 : Number(frac.padEnd(7, '0'));
  const ms = days * MS_PER_DAY + hours * MS_PER_HOUR + minutes * MS_PER_MINUTE + seconds * MS_PER_SECOND + ticks / 10_000;
  return { ms: minus ? -ms : ms, hoursReadAsDays };
}

/** Parses a TimeSpan string to milliseconds. @throws TimeSpanFormatError */
export function parseTimeSpan(text: string): number {
  return parseTimeSpanDetailed(text).ms;
}

/**
 * Formats milliseconds as .NET's constant ("c") format: `[-][d.]hh:mm:ss[.fffffff]`.
 * Sub-millisecond parts are kept to the 100 ns tick.
 */
export function formatTimeSpan(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`cannot format ${ms} ms as a TimeSpan`);
  const negative = ms < 0;
  let ticks = Math.round(Math.abs(ms) * 10_000);
  const fraction = ticks % 10_000_000; ticks = (ticks - fraction) / 10_000_000;
  const seconds = ticks % 60; ticks = (ticks - seconds) / 60;
  const minutes = ticks % 60; ticks = (ticks - minutes) / 60;
  const hours = ticks % 24;
  const days = (ticks - hours) / 24;
  const two = (v: number) => String(v).padStart(2, '0');
  return `${negative ? '-' : ''}${days > 0 ? `${days}.` : ''}${two(hours)}:${two(minutes)}:${two(seconds)}${fraction > 0 ? `.${String(fraction).padStart(7, '0')}` : ''}`;
}
