/**
 * The shared raw → resolved step for both settings files: gathers values from the file, from
 * `SCALEOUT_<KIND>_<Key>` environment variables and from objects, maps both historical spellings
 * onto one key, parses each value with its key's rule, and fills the rest from the defaults table.
 * Every error names where the value came from (file and line, variable, or object key).
 */
import { SsoError } from '../actors/errors.ts';
import type { SettingsEntry } from './settings-file.ts';
import { SettingValueError } from './setting-values.ts';
import type { ValueContext } from './setting-values.ts';

/** What a value parser and a default may use. */
export interface ResolveContext extends ValueContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The settings file, or a description of the source, for messages about missing keys. */
  readonly source: string;
}

/** One key of a settings file: its spellings, rule, default and docs. */
export interface SettingDef<P extends string = string> {
  /** The XML element (or appSettings key) name. */
  readonly key: string;
  /** Other accepted spellings (historical typos and their fixes). */
  readonly aliases?: readonly string[];
  /** Property of the resolved object. */
  readonly prop: P;
  /** The type as the docs show it. */
  readonly type: string;
  /** The default as the docs show it. */
  readonly defaultDoc: string;
  readonly doc: string;
  /** Whether an empty value means "use the default" (as SSIS documents for paths); otherwise empty is an error. */
  readonly emptyIsDefault?: boolean;
  /** Ours, not Microsoft's. */
  readonly extension?: boolean;
  parse(text: string, ctx: ResolveContext): unknown;
  default(ctx: ResolveContext): unknown;
}

/** A value before parsing, with a description of where it came from for messages. */
export interface RawValue {
  /** The spelling used at the source. */
  readonly key: string;
  readonly text: string;
  /** e.g. `/etc/scaleout/WorkerSettings.config:12` or `environment variable SCALEOUT_WORKER_MaxTaskCount`. */
  readonly where: string;
}

/** Raw settings given as an object (XML key names; either spelling). */
export type RawSettingsObject = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Gathered {
  /** Values by canonical key. */
  readonly values: Map<string, RawValue>;
  readonly warnings: string[];
}

function invalid(where: string, message: string): never {
  throw new SsoError('SSO_ERR_CONFIG_INVALID', `${where}: ${message}`, { where });
}

export function findDef<D extends SettingDef>(defs: readonly D[], key: string): D | undefined {
  const k = key.toLowerCase();
  return defs.find((d) => d.key.toLowerCase() === k || (d.aliases ?? []).some((a) => a.toLowerCase() === k));
}

/**
 * Adds one source's values. Within a source, two spellings of one key must agree (they are
 * parsed and compared); a later source replaces an earlier one key by key.
 */
function addSource(defs: readonly SettingDef[], gathered: Gathered, items: readonly RawValue[], ctx: ResolveContext, unknown: (item: RawValue) => string): void {
  const fromThisSource = new Map<string, RawValue>();
  for (const item of items) {
    const def = findDef(defs, item.key);
    if (!def) { gathered.warnings.push(unknown(item)); continue; }
    const other = fromThisSource.get(def.key);
    if (other) {
      const same = other.text === item.text || (() => {
        const quiet = { ...ctx, warn: () => {} };
        try { return JSON.stringify(parseValue(def, other, quiet)) === JSON.stringify(parseValue(def, item, quiet)); } catch { return false; }
      })();
      if (!same) invalid(item.where, `${item.key} = '${item.text}' conflicts with ${other.key} = '${other.text}' (${other.where}); they are two spellings of one setting, give one`);
      continue;
    }
    fromThisSource.set(def.key, item);
  }
  for (const [key, item] of fromThisSource) gathered.values.set(key, item);
}

export function gatherFromEntries(defs: readonly SettingDef[], gathered: Gathered, path: string, entries: readonly SettingsEntry[], ctx: ResolveContext): void {
  addSource(defs, gathered, entries.map((e) => ({ key: e.key, text: e.value, where: `${path}:${e.line}` })), ctx,
    (item) => `${item.where}: unknown key ${item.key} ignored`);
}

export function gatherFromObject(defs: readonly SettingDef[], gathered: Gathered, raw: RawSettingsObject, what: string, ctx: ResolveContext): void {
  const items: RawValue[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') invalid(`${what} ${key}`, `expected a string, number or boolean, got ${typeof value}`);
    items.push({ key, text: String(value).trim(), where: `${what} ${key}` });
  }
  addSource(defs, gathered, items, ctx, (item) => `${item.where}: unknown key ${item.key} ignored`);
}

/** `SCALEOUT_<KIND>_<Key>` variables (key in either spelling, any case). */
export function gatherFromEnv(defs: readonly SettingDef[], gathered: Gathered, prefix: string, env: ResolveContext['env'], ctx: ResolveContext): void {
  const items: RawValue[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(prefix) || value === undefined) continue;
    items.push({ key: name.slice(prefix.length), text: value.trim(), where: `environment variable ${name}` });
  }
  addSource(defs, gathered, items, ctx, (item) => `${item.where}: no setting named ${item.key}; ignored`);
}

function parseValue(def: SettingDef, raw: RawValue, ctx: ResolveContext): unknown {
  try {
    return def.parse(raw.text, ctx);
  } catch (e) {
    if (e instanceof SettingValueError) invalid(raw.where, `${raw.key} must be ${e.expected}, got '${raw.text}'`);
    throw e;
  }
}

/** Parses every gathered value and fills defaults; returns the plain resolved record. */
export function resolveDefs(defs: readonly SettingDef[], gathered: Gathered, ctx: ResolveContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const def of defs) {
    const raw = gathered.values.get(def.key);
    if (raw === undefined || (raw.text === '' && def.emptyIsDefault)) {
      try {
        out[def.prop] = def.default(ctx);
      } catch (e) {
        if (e instanceof SettingValueError) invalid(ctx.source, `${def.key} is required: expected ${e.expected}`);
        throw e;
      }
      continue;
    }
    if (raw.text === '') invalid(raw.where, `${raw.key} is empty; give a value or remove the key to use the default (${def.defaultDoc})`);
    out[def.prop] = parseValue(def, raw, { ...ctx, warn: (m) => gathered.warnings.push(`${raw.where}: ${raw.key}: ${m}`) });
  }
  return out;
}

/** Freezes a resolved object and its nested objects. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Where the raw values come from, for `collectSettings`. */
export interface SettingsSources {
  /** The parsed file, if any. */
  readonly file?: { readonly path: string; readonly entries: readonly SettingsEntry[] };
  /** Values given as an object (after the file, before the environment). */
  readonly object?: RawSettingsObject;
  /** Environment (defaults to none); `SCALEOUT_<KIND>_<Key>` variables override single keys. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `SCALEOUT_MASTER_` or `SCALEOUT_WORKER_`. */
  readonly envPrefix: string;
  /** Folder for relative paths. */
  readonly baseDir: string;
}

/** Gathers all sources in order (file → object → environment) and resolves them against `defs`. */
export function collectSettings(defs: readonly SettingDef[], sources: SettingsSources): { record: Record<string, unknown>; gathered: Gathered; ctx: ResolveContext } {
  const gathered: Gathered = { values: new Map(), warnings: [] };
  const env = sources.env ?? {};
  const source = sources.file?.path ?? 'settings';
  const ctx: ResolveContext = { baseDir: sources.baseDir, env, source, warn: (m) => gathered.warnings.push(m) };
  if (sources.file) gatherFromEntries(defs, gathered, sources.file.path, sources.file.entries, ctx);
  if (sources.object) gatherFromObject(defs, gathered, sources.object, 'setting', ctx);
  gatherFromEnv(defs, gathered, sources.envPrefix, env, ctx);
  return { record: resolveDefs(defs, gathered, ctx), gathered, ctx };
}
