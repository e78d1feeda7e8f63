/**
 * What a worker can do with scripts, as it tells the master in its machine properties (`ScriptTasks`,
 * stored in the catalog's machine_properties): `C# (<compiler version>)` or `unsupported: <why>`.
 * Checked once per process (the toolchain probe is cached).
 */
import { toolchain } from './compile.ts';
import { scriptSettings } from './settings.ts';

export const SCRIPT_CAPABILITY_PROPERTY = 'ScriptTasks';

export function scriptCapability(): string {
  try {
    const tc = toolchain(scriptSettings());
    return tc.available ? `C# (${tc.mcsVersion ?? 'mcs'}); VB.NET unsupported` : `unsupported: ${tc.reason}`;
  } catch (err) {
    return `unsupported: ${(err as Error).message}`;
  }
}
