/**
 * Parsers for the value types used in the settings files (integers, doubles, booleans, GUIDs,
 * URLs, thumbprints, TimeSpans, paths, enums, log-level flags). Each returns the resolved value
 * or throws `SettingValueError` saying what was expected; the resolver adds file, key and line.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { TimeSpanFormatError, parseTimeSpanDetailed } from './timespan.ts';

/** A value that does not fit its key's type; `expected` completes "expected …". */
export class SettingValueError extends Error {
  override name = 'SettingValueError';
  constructor(readonly expected: string) { super(`expected ${expected}`); }
}

/** What a parser may need besides the text. */
export interface ValueContext {
  /** Folder that relative paths are resolved against (the settings file's folder). */
  readonly baseDir: string;
  /** Records a non-fatal remark about the value (e.g. `24:00:00` read as 24 days). */
  warn(message: string): void;
}

export function parseInteger(text: string, min: number, max: number): number {
  if (!/^[+-]?\d+$/.test(text)) throw new SettingValueError(`an integer ${min}–${max}`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new SettingValueError(`an integer ${min}–${max}`);
  return n;
}

export function parseDouble(text: string, min: number, max: number): number {
  // .NET double.Parse with the invariant culture: decimal point, optional exponent.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new SettingValueError(`a number ${min}–${max}`);
  const n = Number(text);
  if (!Number.isFinite(n) || n < min || n > max) throw new SettingValueError(`a number ${min}–${max}`);
  return n;
}

/** `true`/`false` in any case (as .NET `bool.Parse`), and `1`/`0`. */
export function parseBoolean(text: string): boolean {
  const t = text.toLowerCase();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  throw new SettingValueError('true, false, 1 or 0');
}

/** A GUID, with or without braces; returned lower-cased without braces. */
export function parseGuid(text: string): string {
  const m = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/.exec(text);
  if (!m || (text.startsWith('{') !== text.endsWith('}'))) throw new SettingValueError('a GUID like 6583054a-e915-4c2a-80e4-c765e79ef61d');
  return m[1]!.toLowerCase();
}

/**
 * A certificate thumbprint: 40 hex digits, case-insensitive; spaces, colons and the invisible
 * left-to-right marks that Windows' certificate dialog puts in copied thumbprints are dropped.
 * Returned upper-case, as SSIS shows it.
 */
export function parseThumbprint(text: string): string {
  const t = text.replace(/[\s:\u200e\u200f\ufeff]/g, '');
  if (!/^[0-9a-fA-F]{40}$/.test(t)) throw new SettingValueError('a certificate thumbprint of 40 hex digits (SHA-1)');
  return t.toUpperCase();
}

export interface Endpoint {
  /** Normalised `https://host:port`. */
  readonly url: string;
  /** Host name or address, without IPv6 brackets. */
  readonly host: string;
  readonly port: number;
}

/** An `https://host[:port]` URL; the port defaults to `defaultPort` when not written. */
export function parseHttpsEndpoint(text: string, defaultPort: number): Endpoint {
  const expected = `an https URL with a host, like https://master01:${defaultPort}`;
  let url: URL;
  try { url = new URL(text); } catch { throw new SettingValueError(expected); }
  if (url.protocol !== 'https:' || url.hostname === '') throw new SettingValueError(expected);
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || (url.pathname !== '/' && url.pathname !== '')) {
    throw new SettingValueError(`${expected} (no path, query or credentials)`);
  }
  // URL drops an explicit default port (443), so look at the text for one.
  const explicit = /^https:\/\/(?:\[[^\]]*\]|[^/:]*):(\d+)/i.exec(text);
  const port = url.port !== '' ? Number(url.port) : explicit ? Number(explicit[1]) : defaultPort;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { url: `https://${url.hostname}:${port}`, host, port };
}

/** A .NET TimeSpan → ms; negative values refused, zero allowed only when `allowZero`. */
export function parseDuration(text: string, ctx: ValueContext, allowZero: boolean): number {
  const expected = `a TimeSpan [d.]hh:mm:ss[.fffffff]${allowZero ? '' : ' greater than zero'}`;
  let parsed;
  try { parsed = parseTimeSpanDetailed(text); } catch (e) {
    if (e instanceof TimeSpanFormatError) throw new SettingValueError(`${expected} (${e.message})`);
    throw e;
  }
  if (parsed.ms < 0 || (!allowZero && parsed.ms === 0)) throw new SettingValueError(expected);
  // Everything downstream counts whole milliseconds (timers, the journal's retry window): a
  // non-zero duration below one is refused, not rounded to 0 or to a fraction nothing accepts.
  if (parsed.ms > 0 && parsed.ms < 1) throw new SettingValueError(`a TimeSpan of at least 1 millisecond (00:00:00.001)${allowZero ? ' or zero' : ''}; this one is ${parsed.ms} ms`);
  if (parsed.hoursReadAsDays) ctx.warn(`'${text}' means ${Math.floor(parsed.ms / 86_400_000)} days, as in .NET (an hours part of 24 or more is read as days); write 1.00:00:00 for one day`);
  return Math.round(parsed.ms);
}

/** A file or folder path: `~/` is the home folder, relative paths are against `ctx.baseDir`. */
export function parsePath(text: string, ctx: ValueContext): string {
  if (text.includes('\0')) throw new SettingValueError('a path');
  if (/^[A-Za-z]:[\\/]/.test(text) || text.startsWith('\\\\')) throw new SettingValueError('a Linux path (this is a Windows path)');
  if (text === '~' || text.startsWith('~/')) return join(homedir(), text.slice(1));
  return isAbsolute(text) ? resolve(text) : resolve(ctx.baseDir, text);
}

/** One of `values`, case-insensitive; returned in the canonical spelling. */
export function parseEnum<T extends string>(text: string, values: readonly T[]): T {
  const found = values.find((v) => v.toLowerCase() === text.toLowerCase());
  if (found === undefined) throw new SettingValueError(`one of ${values.join(', ')}`);
  return found;
}

/** The task log level bit flags of WorkerSettings.config `TaskLogLevel`. */
export const TaskLogFlags = {
  Verbose: 0x01,
  Information: 0x02,
  Warning: 0x04,
  Error: 0x08,
  Progress: 0x10,
  CriticalError: 0x20,
  Audit: 0x40,
} as const;
export type TaskLogFlag = keyof typeof TaskLogFlags;

export interface TaskLogLevel {
  /** The flags as a number, 0–127. */
  readonly value: number;
  /** The flags that are set, in bit order. */
  readonly flags: readonly TaskLogFlag[];
}

export function decodeTaskLogLevel(value: number): TaskLogLevel {
  const flags = (Object.keys(TaskLogFlags) as TaskLogFlag[]).filter((f) => (value & TaskLogFlags[f]) !== 0);
  return Object.freeze({ value, flags: Object.freeze(flags) });
}

/** `126`, `0x7E`, or flag names as .NET prints them (`Information, Warning, Error`). */
export function parseTaskLogLevel(text: string): TaskLogLevel {
  const expected = 'bit flags 0–127 (Verbose 1, Information 2, Warning 4, Error 8, Progress 16, CriticalError 32, Audit 64) or their names separated by commas';
  if (/^\d+$/.test(text) || /^0x[0-9a-f]+$/i.test(text)) {
    const n = Number(text);
    if (n > 127) throw new SettingValueError(expected);
    return decodeTaskLogLevel(n);
  }
  let value = 0;
  for (const part of text.split(',').map((s) => s.trim())) {
    const name = (Object.keys(TaskLogFlags) as TaskLogFlag[]).find((f) => f.toLowerCase() === part.toLowerCase());
    if (name === undefined) throw new SettingValueError(expected);
    value |= TaskLogFlags[name];
  }
  return decodeTaskLogLevel(value);
}
