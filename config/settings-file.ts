/**
 * Reads a Scale Out settings file (XML) into an ordered list of raw `key → text` entries, each with
 * its line and byte span, so that errors can name the line and a single key can be rewritten
 * without touching the rest of the file. Two shapes are accepted: one element per key under
 * `<MasterSettings>` / `<WorkerSettings>`, and .NET's `<configuration><appSettings><add key value/>`.
 */
import { readFileSync } from 'node:fs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SsoError } from '../actors/errors.ts';

export type SettingsShape = 'elements' | 'appSettings';

/** One key as written in the file. Offsets index `SettingsDocument.text` (BOM removed). */
export interface SettingsEntry {
  readonly key: string;
  /** Text content (elements) or `value` attribute (appSettings), entities decoded, trimmed. */
  readonly value: string;
  /** 1-based line of the element's start tag. */
  readonly line: number;
  /** Offset of the element's `<`. */
  readonly start: number;
  /** Offset just past the element's end (`</Key>` or `/>`). */
  readonly end: number;
}

export interface SettingsDocument {
  readonly path: string;
  /** The file text without its BOM. */
  readonly text: string;
  readonly bom: boolean;
  readonly shape: SettingsShape;
  /** Name of the element holding the entries (`MasterSettings`, `WorkerSettings` or `appSettings`). */
  readonly containerName: string;
  readonly entries: readonly SettingsEntry[];
  /** Where a new entry goes: the start of the container's closing tag (or its self-closing `/>`). */
  readonly insertAt: number;
  /** Whether the container is written `<X/>` and must be opened before an entry can be added. */
  readonly containerSelfClosing: boolean;
  /** Indentation of the entries (of the last one, or two more spaces than the container). */
  readonly indent: string;
  /** The file's own line break (`\r\n` when the file uses it). */
  readonly newline: string;
}

function fail(path: string, line: number | undefined, message: string): never {
  const where = line === undefined ? path : `${path}:${line}`;
  throw new SsoError('SSO_ERR_CONFIG_INVALID', `${where}: ${message}`, { where });
}

/** Reads and parses a settings file. @throws SsoError SSO_ERR_CONFIG_IO / SSO_ERR_CONFIG_INVALID */
export function readSettingsFile(path: string, rootName: string): SettingsDocument {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new SsoError('SSO_ERR_CONFIG_IO', `cannot read settings file ${path}: ${(cause as Error).message}`, { where: path, cause });
  }
  return parseSettingsText(raw, path, rootName);
}

/** Replaces comments, CDATA, processing instructions and DOCTYPE with spaces (newlines kept), so tag scanning sees markup only. */
function blankNonMarkup(text: string): string {
  return text.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE[^[>]*(?:\[[\s\S]*?\])?\s*>/g, (m) => m.replace(/[^\n]/g, ' '));
}

interface ScannedElement {
  readonly name: string;
  readonly start: number;
  end: number;
  readonly depth: number;
  readonly selfClosing: boolean;
  /** Offset of the closing tag's `<` (or of `/>` for a self-closing element). */
  closeStart: number;
  readonly children: ScannedElement[];
}

/** Structural scan of well-formed XML: every element with its offsets, as a tree. */
function scanElements(text: string): ScannedElement[] {
  const markup = blankNonMarkup(text);
  const tag = /<(\/)?([A-Za-z_][\w.:-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/)?>/g;
  const roots: ScannedElement[] = [];
  const stack: ScannedElement[] = [];
  for (let m = tag.exec(markup); m; m = tag.exec(markup)) {
    const [whole, closing, name, , selfClose] = m;
    if (closing) {
      const open = stack.pop();
      if (open) { open.closeStart = m.index; open.end = m.index + whole.length; }
      continue;
    }
    const el: ScannedElement = {
      name: name!, start: m.index, end: m.index + whole.length, depth: stack.length,
      selfClosing: selfClose !== undefined, closeStart: m.index + whole.length - 2, children: [],
    };
    (stack.length === 0 ? roots : stack[stack.length - 1]!.children).push(el);
    if (!el.selfClosing) stack.push(el);
  }
  return roots;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false,
  parseAttributeValue: false, trimValues: false, cdataPropName: '#cdata', processEntities: true,
});

function nodeName(node: OrderedNode): string | undefined {
  return Object.keys(node).find((k) => k !== ':@' && !k.startsWith('#') && !k.startsWith('?'));
}

/** Text of a key element; nested elements are an error (a key holds one value). */
function textOf(node: OrderedNode, name: string, path: string, line: number): string {
  const parts: string[] = [];
  for (const child of (node[name] as OrderedNode[] | undefined) ?? []) {
    if ('#text' in child) parts.push(String(child['#text']));
    else if ('#cdata' in child) for (const c of child['#cdata'] as OrderedNode[]) parts.push(String(c['#text'] ?? ''));
    else fail(path, line, `<${name}> must hold a single text value, found a nested <${nodeName(child) ?? '?'}> element`);
  }
  return parts.join('').trim();
}

/** Settings files are flat (root, optional appSettings, keys): anything deeper is not one. */
export const MAX_SETTINGS_DEPTH = 8;

/**
 * Refuses, with the file and line, what a settings file never needs and an attacker would use: a
 * DOCTYPE (internal or external entities, entity expansion) and deep nesting (the XML library
 * recurses). Checked on the raw text without recursion, before any XML library sees it.
 */
function refuseHostileMarkup(text: string, path: string): void {
  const visible = text.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g, (m) => m.replace(/[^\n]/g, ' '));
  const dtd = /<!(DOCTYPE|ENTITY|ELEMENT|ATTLIST)\b/i.exec(visible);
  if (dtd) fail(path, lineAt(text, dtd.index), `a <!${dtd[1]!.toUpperCase()}> declaration is not allowed in a settings file (no DTDs or entities: only the predefined ones like &amp; are read)`);
  const tag = /<(\/)?([A-Za-z_][\w.:-]*)(?:[^>"']|"[^"]*"|'[^']*')*?(\/)?>/g;
  let depth = 0;
  for (let m = tag.exec(visible); m; m = tag.exec(visible)) {
    if (m[1]) { depth = Math.max(0, depth - 1); continue; }
    if (m[3]) continue;
    if (++depth > MAX_SETTINGS_DEPTH) fail(path, lineAt(text, m.index), `elements nested more than ${MAX_SETTINGS_DEPTH} deep (at <${m[2]}>); a settings file holds one element per key under its root`);
  }
}

/** Runs an XML library call; whatever it throws becomes a file error instead of a library stack trace. */
function guarded<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (SsoError.is(err)) throw err;
    const msg = (err as Error)?.message ?? String(err);
    const line = /line:? ?(\d+)/i.exec(msg)?.[1];
    return fail(path, line === undefined ? undefined : Number(line), `cannot read the XML: ${msg.split('\n')[0]}`);
  }
}

/**
 * Parses settings XML. `rootName` is the element expected for the one-element-per-key shape;
 * the `<configuration>` shape is accepted whatever `rootName` is.
 */
export function parseSettingsText(raw: string, path: string, rootName: string): SettingsDocument {
  const bom = raw.charCodeAt(0) === 0xfeff;
  const text = bom ? raw.slice(1) : raw;
  if (text.trim() === '') fail(path, 1, `the file is empty; expected a <${rootName}> document`);
  refuseHostileMarkup(text, path);
  const valid = guarded(path, () => XMLValidator.validate(text));
  if (valid !== true) fail(path, valid.err.line, `malformed XML: ${valid.err.msg} (column ${valid.err.col})`);

  const tree = scanElements(text);
  if (tree.length !== 1) fail(path, tree[1] ? lineAt(text, tree[1].start) : 1, 'expected exactly one root element');
  const root = tree[0]!;
  const parsedRoot = (guarded(path, () => parser.parse(text)) as OrderedNode[]).find((n) => nodeName(n) === root.name);
  if (!parsedRoot) fail(path, lineAt(text, root.start), `cannot read root element <${root.name}>`);
  const newline = text.includes('\r\n') ? '\r\n' : '\n';

  let shape: SettingsShape;
  let container: ScannedElement;
  let containerNodes: OrderedNode[];
  if (root.name === rootName) {
    shape = 'elements'; container = root;
    containerNodes = (parsedRoot[root.name] as OrderedNode[]).filter((n) => nodeName(n) !== undefined);
  } else if (root.name === 'configuration') {
    shape = 'appSettings';
    const found = root.children.find((c) => c.name === 'appSettings');
    if (!found) fail(path, lineAt(text, root.start), '<configuration> has no <appSettings> section');
    container = found;
    const section = (parsedRoot[root.name] as OrderedNode[]).find((n) => nodeName(n) === 'appSettings');
    containerNodes = ((section?.['appSettings'] as OrderedNode[] | undefined) ?? []).filter((n) => nodeName(n) !== undefined);
  } else {
    fail(path, lineAt(text, root.start), `root element is <${root.name}>; expected <${rootName}> (or <configuration><appSettings>)`);
  }
  if (containerNodes.length !== container.children.length) {
    fail(path, lineAt(text, container.start), `cannot read the children of <${container.name}>`);
  }

  const entries: SettingsEntry[] = [];
  const seen = new Map<string, number>();
  container.children.forEach((el, i) => {
    const node = containerNodes[i]!;
    const line = lineAt(text, el.start);
    let key: string; let value: string;
    if (shape === 'elements') {
      key = el.name;
      value = textOf(node, el.name, path, line);
    } else {
      if (el.name !== 'add') fail(path, line, `<appSettings> may hold only <add key="…" value="…"/> elements, found <${el.name}>`);
      const attrs = node[':@'] ?? {};
      if (typeof attrs['key'] !== 'string' || attrs['key'].trim() === '') fail(path, line, '<add> needs a non-empty key attribute');
      key = attrs['key'].trim();
      value = String(attrs['value'] ?? '').trim();
    }
    const earlier = seen.get(key.toLowerCase());
    if (earlier !== undefined) fail(path, line, `duplicate key ${key} (first given on line ${earlier})`);
    seen.set(key.toLowerCase(), line);
    entries.push({ key, value, line, start: el.start, end: el.end });
  });

  const last = container.children[container.children.length - 1];
  const indentOf = (offset: number): string => {
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    const lead = /^[ \t]*/.exec(text.slice(lineStart, offset))![0];
    return lead.length === offset - lineStart ? lead : '';
  };
  const indent = last ? indentOf(last.start) : indentOf(container.start) + '  ';
  return {
    path, text, bom, shape, containerName: container.name, entries,
    insertAt: container.closeStart, containerSelfClosing: container.selfClosing, indent, newline,
  };
}
