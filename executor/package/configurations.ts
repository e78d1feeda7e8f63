/**
 * 2005/2008 package configurations and property overrides: both end up in the run's override table
 * (object path → property → text), which the engine applies before each executable runs.
 */
import { readFile } from 'node:fs/promises';
import { SsoError } from '../../actors/errors.ts';
import type { OverrideTable } from './engine.ts';
import type { PackageDef } from './model.ts';
import type { VarScope } from './variables.ts';
import { parseXml } from './xml.ts';

/**
 * Parses `\Package\Seq\Task.Properties[Disable]`, `\Package.Variables[User::X].Properties[Value]`,
 * `\Package.Connections[Db].Properties[ConnectionString]` into (object path, property).
 */
export function parsePropertyPath(propertyPath: string): { objectPath: string; property: string } {
  // The property may itself hold brackets: a data flow component property is `Properties[[Lookup].[SqlCommand]]`.
  const m = /^(\\Package.*?)\.Properties\[(.+)\]$/i.exec(propertyPath.trim());
  if (!m) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `The property path '${propertyPath}' is not of the form \\Package...Properties[Name]`, { where: propertyPath });
  return { objectPath: m[1]!, property: m[2]! };
}

export function addOverride(table: OverrideTable, propertyPath: string, value: string): void {
  const { objectPath, property } = parsePropertyPath(propertyPath);
  const key = objectPath.toLowerCase();
  const t = table.get(key) ?? new Map<string, string>();
  t.set(property.toLowerCase(), value);
  table.set(key, t);
}

/**
 * Applies a package's 2005/2008 configurations to its override table, in the order they are listed:
 * XML configuration files (1, or 5 through an environment variable naming the file), environment
 * variables (2), and parent package variables (0, or 4 through an environment variable naming the
 * parent variable) read from the calling package's scope when an Execute Package Task runs this one.
 * Registry and SQL Server configurations (3, 6, 7, 9) cannot be read here: a warning names them.
 */
export async function applyConfigurations(pkg: PackageDef, table: OverrideTable, warn: (m: string) => void, env: NodeJS.ProcessEnv, parentScope?: VarScope): Promise<void> {
  for (const c of pkg.configurations) {
    let type = c.type;
    let target = c.configurationString;
    if (type === 4 || type === 5) { // indirect: the string names an environment variable holding the real one
      target = env[c.configurationString] ?? '';
      if (target === '') { warn(`configuration '${c.name}': the environment variable ${c.configurationString} is not set`); continue; }
      type = type === 4 ? 0 : 1;
    }
    if (type === 1) {
      let text: string;
      try {
        text = await readFile(target, 'utf8');
      } catch {
        warn(`configuration '${c.name}': the configuration file '${target}' cannot be read; the package uses its own values`);
        continue;
      }
      let root;
      try { root = parseXml(text); } catch (err) { warn(`configuration '${c.name}': the configuration file '${target}' is not valid XML (${(err as Error).message}); the package uses its own values`); continue; }
      for (const cfg of root.children.filter((x) => x.name === 'Configuration')) {
        const path = cfg.attrs.Path ?? '';
        const value = cfg.children.find((x) => x.name === 'ConfiguredValue')?.text ?? '';
        try { addOverride(table, path, value); } catch { warn(`configuration '${c.name}': bad path '${path}'`); }
      }
    } else if (type === 2) {
      const value = env[c.configurationString];
      if (value === undefined) { warn(`configuration '${c.name}': the environment variable ${c.configurationString} is not set`); continue; }
      try { addOverride(table, c.variable, value); } catch { warn(`configuration '${c.name}': bad target path '${c.variable}'`); }
    } else if (type === 0) {
      // Only meaningful when a parent package runs this one; on its own the package keeps its values, as in SSIS.
      if (!parentScope) continue;
      if (!parentScope.has(target)) { warn(`configuration '${c.name}': the parent package has no variable '${target}'; the package uses its own value`); continue; }
      const value = parentScope.get(target);
      const text = value === null ? '' : value instanceof Date ? value.toISOString() : typeof value === 'object' ? undefined : String(value);
      if (text === undefined) { warn(`configuration '${c.name}': the parent variable '${target}' holds an object, which a configuration cannot pass`); continue; }
      try { addOverride(table, c.variable, text); } catch { warn(`configuration '${c.name}': bad target path '${c.variable}'`); }
    } else {
      warn(`configuration '${c.name}': configurations of type ${c.type} (registry, SQL Server) cannot be read on this worker; the package uses its own values`);
    }
  }
}
