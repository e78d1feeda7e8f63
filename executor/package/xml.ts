/**
 * A small element tree over fast-xml-parser, so the loaders walk one uniform shape (name, attributes
 * in document order, children, text) whatever the package format. Prefixes are kept as written
 * (`DTS:Executable`, `SQLTask:SqlTaskData`): SSIS files always use the same prefixes for their namespaces.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface XmlElement {
  /** Qualified name as written, e.g. `DTS:Executable`. */
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** Concatenated text and CDATA directly inside this element. */
  readonly text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
  cdataPropName: '#cdata',
  commentPropName: '#comment',
});

export class XmlSyntaxError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

/** Parses a document and returns its root element; throws `XmlSyntaxError` with the position when malformed. */
export function parseXml(text: string): XmlElement {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const check = XMLValidator.validate(body, { allowBooleanAttributes: true });
  if (check !== true) throw new XmlSyntaxError(check.err.msg, check.err.line, check.err.col);
  const nodes = parser.parse(body) as unknown[];
  for (const n of nodes) {
    const el = toElement(n);
    if (el && !el.name.startsWith('?')) return el;
  }
  throw new XmlSyntaxError('the document has no root element', 1, 1);
}

function toElement(node: unknown): XmlElement | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const rec = node as Record<string, unknown>;
  const name = Object.keys(rec).find((k) => k !== ':@');
  if (name === undefined || name === '#text' || name === '#cdata' || name === '#comment') return undefined;
  const rawAttrs = (rec[':@'] ?? {}) as Record<string, unknown>;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawAttrs)) attrs[k] = v === true ? 'true' : String(v);
  const children: XmlElement[] = [];
  let text = '';
  for (const c of (rec[name] ?? []) as unknown[]) {
    const cr = c as Record<string, unknown>;
    if ('#text' in cr) text += String(cr['#text']);
    else if ('#cdata' in cr) for (const t of cr['#cdata'] as { '#text'?: unknown }[]) text += String(t['#text'] ?? '');
    else {
      const el = toElement(c);
      if (el) children.push(el);
    }
  }
  return { name, attrs, children, text };
}

/** Local part of a qualified name (`DTS:Executable` → `Executable`). */
export function localName(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

export function childNamed(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

/** Attribute by local name, whatever its prefix (`SQLTask:Connection` or `Connection`). */
export function attrLocal(el: XmlElement, local: string): string | undefined {
  if (local in el.attrs) return el.attrs[local];
  for (const [k, v] of Object.entries(el.attrs)) if (localName(k) === local) return v;
  return undefined;
}

/** Depth-first search for the first element whose local name matches. */
export function findDeep(el: XmlElement, local: string): XmlElement | undefined {
  for (const c of el.children) {
    if (localName(c.name) === local) return c;
    const d = findDeep(c, local);
    if (d) return d;
  }
  return undefined;
}

/** Serializes an element back to XML text (attribute order kept); used for DiagnosticEx and raw task data. */
export function serializeXml(el: XmlElement): string {
  const attrs = Object.entries(el.attrs).map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join('');
  if (el.children.length === 0 && el.text === '') return `<${el.name}${attrs} />`;
  return `<${el.name}${attrs}>${escapeXml(el.text)}${el.children.map(serializeXml).join('')}</${el.name}>`;
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
