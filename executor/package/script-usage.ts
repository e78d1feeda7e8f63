/**
 * Which packages of a project need the script runtime (Mono), found at deploy time so the catalog can
 * route their executions to workers that can run scripts (README "Script Tasks and Script Components").
 *
 * A package needs it when it holds an enabled Script Task or a Data Flow with an enabled Script
 * Component (in its control flow or an event handler), or when an enabled Execute Package Task runs a
 * package of the same project that needs it (by project reference, or by a file connection naming one
 * of the project's packages), transitively. The analysis errs towards "needs scripts": a false yes only
 * prefers Mono workers (any worker still runs it when none is online); a false no can send the package
 * to a worker that fails it. So a `Disable` set by an expression counts as enabled, an Execute Package
 * Task whose package name or connection is an expression may run any package of the project, and a
 * package our loader cannot read is scanned as text for a script. A child package outside the project
 * (a file on the worker) cannot be seen from here and is not counted.
 */
import { loadDtsx, parseConnection } from './load-dtsx.ts';
import type { ConnectionManagerDef, ContainerDef, ExecutableDef, PackageDef, TaskDef } from './model.ts';
import { isContainer } from './model.ts';
import { readConfig } from './tasks/execute-package.ts';
import { componentKindOf } from './dataflow/component-types.ts';
import { localName, parseXml } from './xml.ts';
import type { XmlElement } from './xml.ts';

export interface PackageScriptUsage {
  /** The package, or a project package it runs, holds a Script Task or Script Component that can run. */
  readonly requiresScripts: boolean;
  /** Its own Script Tasks and Script Components (package paths), in document order. */
  readonly scripts: readonly string[];
  /** Project packages it runs (Execute Package Task) that need scripts. */
  readonly viaChildren: readonly string[];
}

const decoder = new TextDecoder('utf-8');
function text(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  return decoder.decode(bytes);
}

/** Markers of a script in the raw XML, for a package the loader refuses. */
const RAW_SCRIPT = /ScriptProject|Microsoft\.ScriptTask|ScriptTask\.ScriptTask|ScriptComponentHost|ScriptComponent/i;

interface OwnUsage {
  readonly scripts: string[];
  /** Child package names as written, or 'any' when a child is chosen by an expression. */
  readonly children: (string | 'any')[];
}

function componentsOf(objectData: XmlElement | undefined): { name: string; classId: string; userComponentTypeName: string; contactInfo: string; description: string }[] {
  const out: { name: string; classId: string; userComponentTypeName: string; contactInfo: string; description: string }[] = [];
  const walk = (el: XmlElement): void => {
    if (localName(el.name) === 'component') {
      const props = el.children.find((c) => localName(c.name) === 'properties');
      const user = props?.children.find((p) => p.attrs.name === 'UserComponentTypeName')?.text ?? '';
      out.push({
        name: el.attrs.name ?? '', classId: el.attrs.componentClassID ?? '', userComponentTypeName: user.split(',')[0]!.trim(),
        contactInfo: el.attrs.contactInfo ?? '', description: el.attrs.description ?? '',
      });
      return;
    }
    for (const c of el.children) walk(c);
  };
  if (objectData) walk(objectData);
  return out;
}

/** A disabled executable never runs, unless an expression may enable it at run time. */
function mayRun(def: ExecutableDef | ContainerDef): boolean {
  return !def.disabled || def.propertyExpressions.some((p) => p.name.toLowerCase() === 'disable');
}

function ownUsage(pkg: PackageDef, connections: readonly ConnectionManagerDef[], packageNames: readonly string[]): OwnUsage {
  const scripts: string[] = [];
  const children: (string | 'any')[] = [];
  const childOf = (task: TaskDef): void => {
    const c = readConfig(task.objectData);
    const dynamic = (name: string) => task.propertyExpressions.some((p) => p.name.toLowerCase() === name);
    if (c.useProjectReference) {
      children.push(dynamic('packagename') ? 'any' : c.packageName);
      return;
    }
    if (dynamic('connection')) { children.push('any'); return; }
    const ref = c.connection.toLowerCase();
    const cm = connections.find((x) => x.id.toLowerCase() === ref || x.name.toLowerCase() === ref);
    if (cm === undefined) return;
    if (cm.propertyExpressions.some((p) => p.name.toLowerCase() === 'connectionstring')) { children.push('any'); return; }
    const file = cm.connectionString.split(/[\\/]/).pop() ?? '';
    if (packageNames.some((n) => n.toLowerCase() === file.toLowerCase())) children.push(file);
  };
  const visit = (def: ExecutableDef | ContainerDef): void => {
    if (!mayRun(def)) return;
    if (isContainer(def)) {
      for (const e of def.executables) visit(e);
    } else if (def.kind === 'script') {
      scripts.push(def.path);
    } else if (def.kind === 'dataFlow') {
      for (const c of componentsOf(def.objectData)) if (componentKindOf(c) === 'script') scripts.push(`${def.path}\\${c.name}`);
    } else if (def.kind === 'executePackage') {
      childOf(def);
    }
    for (const h of def.eventHandlers) visit(h);
  };
  visit(pkg);
  return { scripts, children };
}

/**
 * The script usage of every package of a project, from its parts (part name → bytes, as
 * `unzipProject` returns them). Never throws for package content.
 */
export function projectScriptUsage(parts: ReadonlyMap<string, Uint8Array>): Map<string, PackageScriptUsage> {
  const packageNames = [...parts.keys()].filter((n) => n.toLowerCase().endsWith('.dtsx'));
  const projectConnections: ConnectionManagerDef[] = [];
  for (const [name, bytes] of parts) {
    if (!name.toLowerCase().endsWith('.conmgr')) continue;
    try { projectConnections.push(parseConnection(parseXml(text(bytes)), 'project', { fileName: name })); } catch { /* the run reports it */ }
  }
  const own = new Map<string, OwnUsage>();
  for (const name of packageNames) {
    const raw = text(parts.get(name)!);
    let usage: OwnUsage;
    try {
      const pkg = loadDtsx(raw, name);
      usage = ownUsage(pkg, [...pkg.connections, ...projectConnections], packageNames);
    } catch {
      usage = { scripts: RAW_SCRIPT.test(raw) ? ['\\Package (a script found in a package this engine cannot load)'] : [], children: [] };
    }
    own.set(name.toLowerCase(), usage);
  }
  // Fixed point: a package needs scripts when it has its own or runs one that needs them (cycles allowed).
  const anyOwn = [...own.values()].some((u) => u.scripts.length > 0);
  const needing = new Set([...own].filter(([, u]) => u.scripts.length > 0).map(([k]) => k));
  for (let changed = true; changed;) {
    changed = false;
    for (const [key, u] of own) {
      if (needing.has(key)) continue;
      if (u.children.some((c) => (c === 'any' ? anyOwn : needing.has(c.toLowerCase())))) { needing.add(key); changed = true; }
    }
  }
  const out = new Map<string, PackageScriptUsage>();
  for (const name of packageNames) {
    const key = name.toLowerCase();
    const u = own.get(key)!;
    const viaChildren = new Set<string>();
    for (const c of u.children) {
      for (const n of packageNames) {
        const k = n.toLowerCase();
        if (k !== key && needing.has(k) && (c === 'any' || c.toLowerCase() === k)) viaChildren.add(n);
      }
    }
    out.set(name, { requiresScripts: needing.has(key), scripts: u.scripts, viaChildren: [...viaChildren] });
  }
  return out;
}
