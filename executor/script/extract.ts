/**
 * Extraction of the VSTA script project that a Script Task or a Script Component carries in the package:
 * every source item, the language, the entry point, the variable lists and the references the project
 * declares. Formats:
 *  - 2012+ (package formats 6 and 8) and 2008 (format 3) Script Task: `<ScriptProject Language=… EntryPoint=…
 *    ReadOnlyVariables=… ReadWriteVariables=…>` with `<ProjectItem Name=…>` (CDATA text) and `<BinaryItem>`
 *    (a precompiled assembly, ignored: we always compile from source);
 *  - 2005 (format 2) Script Task: `<ScriptTask …>` with `ScriptTaskProjectItem`s (VB.NET only in 2005);
 *  - Script Component (any format): the component's `SourceCode` string array (triples name, encoding,
 *    content) plus `ScriptLanguage`, `ReadOnlyVariables`, `ReadWriteVariables`, `VSTAProjectName`.
 * Pure: no I/O. Problems are returned as text naming the item, never thrown.
 */
import type { TaskDef } from '../package/model.ts';
import type { XmlElement } from '../package/xml.ts';
import { localName } from '../package/xml.ts';

export type ScriptLanguage = 'csharp' | 'vb' | 'unknown';

export interface ScriptSourceItem {
  /** Path inside the project as written, with `/` separators and no leading separator: `ScriptMain.cs`, `Properties/AssemblyInfo.cs`. */
  readonly name: string;
  readonly text: string;
}

export interface ScriptProject {
  /** `task` for a Script Task, `component` for a Script Component. */
  readonly host: 'task' | 'component';
  /** VSTA project name (`ST_…`/`SC_…`), used as the assembly name. */
  readonly projectName: string;
  readonly language: ScriptLanguage;
  /** The language as written (`CSharp`, `VisualBasic`, `Microsoft Visual C# 2008`…). */
  readonly languageText: string;
  /** Entry point method (`Main` for tasks). */
  readonly entryPoint: string;
  readonly readOnlyVariables: readonly string[];
  readonly readWriteVariables: readonly string[];
  /** Code files to compile (`.cs` for C#, `.vb` for VB.NET), in the order written. */
  readonly sources: readonly ScriptSourceItem[];
  /** Every other item (project files, resources, settings) by name. */
  readonly otherItems: readonly ScriptSourceItem[];
  /** Assembly names the project file references (`System.Data`, `Microsoft.Office.Interop.Outlook`…), without version. */
  readonly references: readonly string[];
  /** Whether a precompiled binary was stored too (informational). */
  readonly hasBinary: boolean;
}

export class ScriptExtractionError extends Error {}

function splitList(s: string | undefined): string[] {
  return (s ?? '').split(/[,;]/).map((x) => x.trim()).filter((x) => x !== '');
}

export function languageOf(text: string): ScriptLanguage {
  const t = text.toLowerCase();
  if (t.includes('csharp') || t.includes('c#') || t === 'cs') return 'csharp';
  if (t.includes('visualbasic') || t.includes('visual basic') || t === 'vb') return 'vb';
  return 'unknown';
}

function normalizeItemName(name: string): string {
  return name.replace(/\\/g, '/').replace(/^\/+/, '');
}

/** References from the `.csproj`/`.vbproj` item: `<Reference Include="Name, Version=…" />`. */
export function referencesOf(items: readonly ScriptSourceItem[]): string[] {
  const out = new Set<string>();
  for (const it of items) {
    if (!/\.(cs|vb)proj$/i.test(it.name)) continue;
    for (const m of it.text.matchAll(/<(?:\w+:)?Reference\s+Include\s*=\s*"([^"]+)"/g)) {
      const name = m[1]!.split(',')[0]!.trim();
      if (name) out.add(name);
    }
  }
  return [...out];
}

function build(host: 'task' | 'component', projectName: string, languageText: string, entryPoint: string, ro: string[], rw: string[], items: ScriptSourceItem[], hasBinary: boolean): ScriptProject {
  let language = languageOf(languageText);
  const ext = (n: string) => (/\.cs$/i.test(n) ? 'csharp' : /\.vb$/i.test(n) ? 'vb' : undefined);
  if (language === 'unknown') language = items.map((i) => ext(i.name)).find((l) => l !== undefined) ?? 'unknown';
  const codeExt = language === 'vb' ? /\.vb$/i : /\.cs$/i;
  const sources = items.filter((i) => codeExt.test(i.name));
  const otherItems = items.filter((i) => !codeExt.test(i.name));
  return { host, projectName, language, languageText, entryPoint, readOnlyVariables: ro, readWriteVariables: rw, sources, otherItems, references: referencesOf(items), hasBinary };
}

/** The script project of a Script Task (formats 2, 3, 6, 8). Throws `ScriptExtractionError` naming what is missing. */
export function extractTaskProject(task: Pick<TaskDef, 'path' | 'objectData'>): ScriptProject {
  const od = task.objectData;
  if (!od) throw new ScriptExtractionError(`the Script Task ${task.path} has no object data (no script project is stored in the package)`);
  const root = localName(od.name) === 'ScriptProject' ? od : od.children.find((c) => localName(c.name) === 'ScriptProject');
  if (root) {
    const items: ScriptSourceItem[] = [];
    let hasBinary = false;
    for (const c of root.children) {
      const ln = localName(c.name);
      if (ln === 'ProjectItem') items.push({ name: normalizeItemName(c.attrs.Name ?? ''), text: c.text });
      else if (ln === 'BinaryItem') hasBinary = true;
    }
    const a = root.attrs;
    return build('task', a.Name ?? 'ScriptTask', a.Language ?? '', a.EntryPoint ?? 'Main', splitList(a.ReadOnlyVariables), splitList(a.ReadWriteVariables), items, hasBinary);
  }
  // 2005: <ScriptTask xmlns=… ScriptLanguage=… EntryPoint=… ReadOnlyVariables=…> with ScriptTaskProjectItem children.
  if (localName(od.name) === 'ScriptTask' || /scripttask/i.test(od.name)) {
    const a: Record<string, string> = {};
    for (const [k, v] of Object.entries(od.attrs)) a[localName(k)] = v;
    const items: ScriptSourceItem[] = [];
    const walk = (el: XmlElement) => {
      for (const c of el.children) {
        if (/ProjectItem$/i.test(localName(c.name))) {
          const name = normalizeItemName(Object.entries(c.attrs).find(([k]) => localName(k) === 'Name')?.[1] ?? '');
          const text = c.text !== '' ? c.text : (c.children[0]?.text ?? '');
          if (name) items.push({ name, text });
        } else walk(c);
      }
    };
    walk(od);
    return build('task', a.VsaProjectName ?? a.Name ?? 'ScriptTask', a.ScriptLanguage ?? a.Language ?? '', a.EntryPoint ?? 'ScriptMain', splitList(a.ReadOnlyVariables), splitList(a.ReadWriteVariables), items, a.PreCompile === 'True');
  }
  throw new ScriptExtractionError(`the Script Task ${task.path} stores no script project (object data <${od.name}>)`);
}

/** A data-flow component element that hosts a script (`Microsoft.ScriptComponentHost` / `ScriptComponentHost`). */
export function isScriptComponent(component: XmlElement): boolean {
  const cls = component.attrs.componentClassID ?? '';
  const user = componentProperty(component, 'UserComponentTypeName')?.text ?? '';
  if (/ScriptComponentHost/i.test(user) || /ScriptComponentHost/i.test(cls)) return true;
  // A managed host without a UserComponentTypeName but with script source (some 2008 packages).
  return componentProperty(component, 'SourceCode') !== undefined && /ManagedComponentHost|874F7595/i.test(cls);
}

function componentProperty(component: XmlElement, name: string): XmlElement | undefined {
  const props = component.children.find((c) => localName(c.name) === 'properties');
  return props?.children.find((p) => p.attrs.name === name);
}

/** The script project of a Script Component (`component` element of a data flow). */
export function extractComponentProject(component: XmlElement, path: string): ScriptProject {
  const src = componentProperty(component, 'SourceCode');
  if (!src) throw new ScriptExtractionError(`the Script Component ${path} has no SourceCode property`);
  const arr = src.children.find((c) => localName(c.name) === 'arrayElements');
  const elems = (arr?.children ?? []).filter((c) => localName(c.name) === 'arrayElement').map((c) => c.text);
  const binary = componentProperty(component, 'BinaryCode');
  return componentProject(path, elems, (n) => componentProperty(component, n)?.text ?? '', (binary?.children.length ?? 0) > 0);
}

/** The same from a component the data flow engine has read (its properties by name, array properties as lists). */
export function pipelineComponentProject(c: { readonly path: string; readonly properties: Readonly<Record<string, string>>; readonly arrayProperties: Readonly<Record<string, readonly string[]>> }): ScriptProject {
  const elems = c.arrayProperties.SourceCode;
  if (!elems) throw new ScriptExtractionError(`the Script Component ${c.path} has no SourceCode property`);
  return componentProject(c.path, elems, (n) => c.properties[n] ?? '', (c.arrayProperties.BinaryCode?.length ?? 0) > 0);
}

function componentProject(path: string, elems: readonly string[], p: (name: string) => string, hasBinary: boolean): ScriptProject {
  if (elems.length % 3 !== 0) throw new ScriptExtractionError(`the SourceCode of Script Component ${path} has ${elems.length} elements, not name/encoding/content triples`);
  const items: ScriptSourceItem[] = [];
  for (let i = 0; i < elems.length; i += 3) items.push({ name: normalizeItemName(elems[i]!), text: elems[i + 2]! });
  return build('component', p('VSTAProjectName') || 'ScriptComponent', p('ScriptLanguage'), 'ScriptMain', splitList(p('ReadOnlyVariables')), splitList(p('ReadWriteVariables')), items, hasBinary);
}

/** Every Script Component of a data flow task's object data, with a package path. */
export function scriptComponentsOf(task: Pick<TaskDef, 'path' | 'objectData'>): { path: string; name: string; element: XmlElement }[] {
  const out: { path: string; name: string; element: XmlElement }[] = [];
  const walk = (el: XmlElement) => {
    if (localName(el.name) === 'component') {
      if (isScriptComponent(el)) out.push({ path: `${task.path}\\${el.attrs.name ?? ''}`, name: el.attrs.name ?? '', element: el });
      return;
    }
    for (const c of el.children) walk(c);
  };
  if (task.objectData) walk(task.objectData);
  return out;
}
