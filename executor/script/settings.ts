/**
 * Settings of the Script Task runtime, one table: key, default, parser. They are read from the
 * worker's environment (`SCALEOUT_SCRIPT_<Key>`), resolved once per process, frozen, and every error
 * names the key. Not in WorkerSettings.config because SSIS has no such keys and pool threads do not see
 * the agent's settings object; the environment reaches every thread and every child process alike.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SsoError } from '../../actors/errors.ts';
import { SettingValueError, parseBoolean, parseInteger, parseEnum } from '../../config/setting-values.ts';

export interface ScriptSettings {
  /** `MessageBox`: `fail` (as a catalog execution: MessageBox.Show throws) or `information` (logged as OnInformation). @default 'fail' */
  readonly messageBox: 'fail' | 'information';
  /** `TimeoutSeconds`: a script running longer is killed and the task fails; 0 = no limit. @default 3600 */
  readonly timeoutSeconds: number;
  /** `OutputLimitBytes`: a script writing more than this to stdout+stderr is killed and fails. @default 16777216 */
  readonly outputLimitBytes: number;
  /** `CacheFolder`: compiled object model and script assemblies. @default $XDG_CACHE_HOME/scaleout/script */
  readonly cacheFolder: string;
  /** `Mono` / `Mcs`: the programs to run. @default 'mono' / 'mcs' (from PATH) */
  readonly mono: string;
  readonly mcs: string;
  /** `Prestart`: keep one idle host process started per thread, so a run does not wait for Mono to start. @default true */
  readonly prestart: boolean;
  /** `Aot`: compile the object model host to native code (`mono --aot`) when it is built. @default true */
  readonly aot: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

const DEFS: readonly { key: string; field: keyof ScriptSettings; dflt: (env: Env) => string; parse: (t: string) => unknown }[] = [
  { key: 'MessageBox', field: 'messageBox', dflt: () => 'fail', parse: (t) => parseEnum(t.toLowerCase(), ['fail', 'information'] as const) },
  { key: 'TimeoutSeconds', field: 'timeoutSeconds', dflt: () => '3600', parse: (t) => parseInteger(t, 0, 31_536_000) },
  { key: 'OutputLimitBytes', field: 'outputLimitBytes', dflt: () => String(16 * 1024 * 1024), parse: (t) => parseInteger(t, 1024, Number.MAX_SAFE_INTEGER) },
  { key: 'CacheFolder', field: 'cacheFolder', dflt: (env) => join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'scaleout', 'script'), parse: (t) => t },
  { key: 'Mono', field: 'mono', dflt: () => 'mono', parse: (t) => t },
  { key: 'Mcs', field: 'mcs', dflt: () => 'mcs', parse: (t) => t },
  { key: 'Prestart', field: 'prestart', dflt: () => 'true', parse: (t) => parseBoolean(t) },
  { key: 'Aot', field: 'aot', dflt: () => 'true', parse: (t) => parseBoolean(t) },
];

export function resolveScriptSettings(env: Env = process.env): ScriptSettings {
  const out: Record<string, unknown> = {};
  for (const d of DEFS) {
    const name = `SCALEOUT_SCRIPT_${d.key}`;
    const raw = env[name];
    const text = raw === undefined || raw.trim() === '' ? d.dflt(env) : raw.trim();
    try {
      out[d.field] = d.parse(text);
    } catch (err) {
      const what = err instanceof SettingValueError ? err.message : (err as Error).message;
      throw new SsoError('SSO_ERR_CONFIG_INVALID', `${name}: ${what}, got '${text}'`, { where: name });
    }
  }
  return Object.freeze(out) as unknown as ScriptSettings;
}

let cached: { env: string; settings: ScriptSettings } | undefined;

/** The settings of this process (re-resolved when the SCALEOUT_SCRIPT_* environment changed, as tests do). */
export function scriptSettings(): ScriptSettings {
  const key = JSON.stringify(Object.entries(process.env).filter(([k]) => k.startsWith('SCALEOUT_SCRIPT_') || k === 'XDG_CACHE_HOME').sort());
  if (cached?.env !== key) cached = { env: key, settings: resolveScriptSettings() };
  return cached.settings;
}
