/**
 * A project as the engine sees it: project parameters (`Project.params`), project connection managers
 * (`*.conmgr`) and its packages, loaded lazily by file name. Built from `.ispac` bytes, from a folder
 * (an SSDT project or an unzipped `.ispac`), or from a lone `.dtsx`.
 */
import { readFile, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SsoError } from '../../actors/errors.ts';
import type { ConnectionManagerDef, PackageDef, ParameterDef } from './model.ts';
import { unzipProject } from './project-archive.ts';
import { convertValue, loadDtsx, parseBool, parseConnection, typeCodeToVarType } from './load-dtsx.ts';
import type { XmlElement } from './xml.ts';
import { XmlSyntaxError, childNamed, parseXml } from './xml.ts';

export interface LoadedProject {
  readonly name: string;
  readonly parameters: readonly ParameterDef[];
  readonly connections: readonly ConnectionManagerDef[];
  /** Package file names (`Load.dtsx`), in archive order. */
  readonly packageNames: readonly string[];
  /** Loads (once) and returns a package by file name; `SSO_ERR_PACKAGE_INVALID` if it is not in the project. */
  getPackage(name: string): PackageDef;
}

const decoder = new TextDecoder('utf-8');

function text(bytes: Uint8Array): string {
  // UTF-16 files (rare, old tooling) start with a byte-order mark.
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  return decoder.decode(bytes);
}

/** Builds a project from its parts (part name → bytes, names already URL-decoded). */
export function loadProjectFromParts(parts: ReadonlyMap<string, Uint8Array>, origin: string, fallbackName = 'Project'): LoadedProject {
  const invalid = (what: string, message: string, cause?: unknown) =>
    new SsoError('SSO_ERR_PROJECT_INVALID', `Project '${origin}': ${what}: ${message}`, { where: `${origin} ${what}`, ...(cause ? { cause } : {}) });
  const xmlOf = (name: string, bytes: Uint8Array): XmlElement => {
    try {
      return parseXml(text(bytes));
    } catch (err) {
      if (err instanceof XmlSyntaxError) throw invalid(name, `not well-formed XML at line ${err.line}, column ${err.column} (${err.message})`, err);
      throw err;
    }
  };

  let name = fallbackName;
  const manifest = parts.get('@Project.manifest');
  if (manifest) {
    const m = xmlOf('@Project.manifest', manifest);
    const n = ssisProps(childNamed(m, 'SSIS:Properties')).Name;
    if (n) name = n;
  }

  let parameters: ParameterDef[] = [];
  const params = parts.get('Project.params');
  if (params) parameters = parseProjectParams(xmlOf('Project.params', params), (m) => invalid('Project.params', m));

  const connections: ConnectionManagerDef[] = [];
  const packageNames: string[] = [];
  for (const [part, bytes] of parts) {
    const lower = part.toLowerCase();
    if (lower.endsWith('.conmgr')) connections.push(parseConnection(xmlOf(part, bytes), 'project', { fileName: part }));
    else if (lower.endsWith('.dtsx')) packageNames.push(part);
  }

  const cache = new Map<string, PackageDef>();
  return {
    name, parameters, connections, packageNames,
    getPackage(pkgName: string): PackageDef {
      const key = packageNames.find((n) => n.toLowerCase() === pkgName.toLowerCase());
      if (key === undefined) {
        throw new SsoError('SSO_ERR_PACKAGE_INVALID', `Package '${pkgName}' is not in project '${name}' (it has: ${packageNames.join(', ') || 'no packages'})`, { where: pkgName });
      }
      let pkg = cache.get(key);
      if (!pkg) {
        pkg = loadDtsx(text(parts.get(key)!), key);
        cache.set(key, pkg);
      }
      return pkg;
    },
  };
}

function ssisProps(el: XmlElement | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!el) return out;
  for (const c of el.children) {
    const n = c.attrs['SSIS:Name'];
    if (c.name === 'SSIS:Property' && n !== undefined) out[n] = c.text;
  }
  return out;
}

function parseProjectParams(root: XmlElement, fail: (message: string) => Error): ParameterDef[] {
  if (root.name !== 'SSIS:Parameters') throw fail(`the root element is <${root.name}>, expected <SSIS:Parameters>`);
  return root.children.filter((c) => c.name === 'SSIS:Parameter').map((c) => {
    const name = c.attrs['SSIS:Name'] ?? '';
    if (name === '') throw fail('a parameter has no SSIS:Name');
    const p = ssisProps(childNamed(c, 'SSIS:Properties'));
    const dataType = typeCodeToVarType(Number(p.DataType ?? 18));
    const sensitive = parseBool(p.Sensitive);
    let value = null as ParameterDef['value'];
    if (p.Value !== undefined && !sensitive) {
      try {
        value = convertValue(p.Value, dataType);
      } catch (err) {
        throw fail(`parameter '${name}': ${(err as Error).message}`);
      }
    }
    return { name, dataType, value, required: parseBool(p.Required), sensitive, ...(p.ID ? { id: p.ID } : {}) };
  });
}

export function loadProjectFromIspac(bytes: Uint8Array, origin = 'project.ispac'): LoadedProject {
  return loadProjectFromParts(unzipProject(bytes, origin), origin, basename(origin).replace(/\.ispac$/i, ''));
}

/**
 * A folder: every `.dtsx`, `Project.params`, `*.conmgr` and `@Project.manifest` directly in it. When
 * the folder holds an SSDT project file (`.dtproj`) that lists its connection managers, only the
 * listed `.conmgr` files belong to the project, as in SSDT: a stray one (a leftover, a copy, a file
 * another tool broke) is ignored instead of refusing the whole project.
 */
export async function loadProjectFromFolder(dir: string): Promise<LoadedProject> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    throw new SsoError('SSO_ERR_PROJECT_INVALID', `Project folder '${dir}' cannot be read: ${(err as Error).message}`, { where: dir, cause: err });
  }
  const dtprojs = entries.filter((e) => e.toLowerCase().endsWith('.dtproj')).sort();
  const listed = await listedConnectionManagers(dir, dtprojs);
  const parts = new Map<string, Uint8Array>();
  for (const e of entries.sort()) {
    const l = e.toLowerCase();
    if (l.endsWith('.conmgr') && listed !== undefined && !listed.has(l)) continue;
    if (l.endsWith('.dtsx') || l.endsWith('.conmgr') || l === 'project.params' || l === '@project.manifest') {
      parts.set(l === 'project.params' ? 'Project.params' : e, await readFile(join(dir, e)));
    }
  }
  const dtproj = dtprojs[0];
  return loadProjectFromParts(parts, dir, dtproj ? dtproj.replace(/\.dtproj$/i, '') : basename(dir));
}

/**
 * The `.conmgr` names (lower case) that the folder's `.dtproj` files list under
 * `SSIS:ConnectionManagers`; undefined when there is no project file or none has that list (package
 * deployment model, or an unreadable project file: then every `.conmgr` counts, as before).
 */
async function listedConnectionManagers(dir: string, dtprojs: readonly string[]): Promise<Set<string> | undefined> {
  let out: Set<string> | undefined;
  for (const f of dtprojs) {
    let root: XmlElement;
    try {
      root = parseXml(text(await readFile(join(dir, f))));
    } catch {
      continue;
    }
    const walk = (el: XmlElement): void => {
      if (el.name === 'SSIS:ConnectionManagers') {
        out ??= new Set();
        for (const c of el.children) {
          const n = c.attrs['SSIS:Name'];
          if (c.name === 'SSIS:ConnectionManager' && n) out.add(n.toLowerCase());
        }
        return;
      }
      for (const c of el.children) walk(c);
    };
    walk(root);
  }
  return out;
}

/** A lone package file: a project of one package with no project parameters or connections. */
export async function loadProjectFromDtsx(file: string): Promise<LoadedProject> {
  const bytes = await readFile(file);
  return loadProjectFromParts(new Map([[basename(file), bytes]]), file, basename(file).replace(/\.dtsx$/i, ''));
}

/**
 * A package file with the project around it: when its folder is a project (a `.dtproj`,
 * `Project.params` or `.conmgr` next to it), the folder's project, so project connections and
 * parameters resolve as they do in SSDT; otherwise the package alone. `packageName` is the
 * file's name inside the returned project.
 */
export async function loadProjectAroundDtsx(file: string): Promise<{ project: LoadedProject; packageName: string; inProject: boolean }> {
  const dir = dirname(file);
  const entries = await readdir(dir).catch(() => [] as string[]);
  const isProject = entries.some((e) => {
    const l = e.toLowerCase();
    return l.endsWith('.dtproj') || l.endsWith('.conmgr') || l === 'project.params' || l === '@project.manifest';
  });
  if (!isProject) return { project: await loadProjectFromDtsx(file), packageName: basename(file), inProject: false };
  const project = await loadProjectFromFolder(dir);
  const packageName = project.packageNames.find((n) => n.toLowerCase() === basename(file).toLowerCase()) ?? basename(file);
  return { project, packageName, inProject: true };
}
