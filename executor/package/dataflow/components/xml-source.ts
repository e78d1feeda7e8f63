/**
 * XML Source (`Microsoft.XmlSourceAdapter`): reads an XML document from a file (AccessMode 0, the path
 * in `XMLData`), from a file named by a variable (1, `XMLDataVariable`) or from a variable holding the
 * XML itself (2), with its schema from an XSD file (`XMLSchemaDefinition`) or inline (`UseInlineSchema`:
 * the document's own `xs:schema` element). Parsing is fast-xml-parser's (executor/package/xml.ts).
 *
 * As SSIS does (its rowsets are the DataSet tables the schema describes), each output is one rowset,
 * named by its `RowsetID`: every element of that name gives a row. A column takes the value of the
 * element's attribute or simple child element of the same name, `<rowset>_Text` the element's own
 * text; `<rowset>_Id` numbers the rows of a rowset from 0 in document order, and a nested rowset's
 * `<parent>_Id` holds the id of the nearest enclosing row of that parent rowset. Values are converted
 * from their text to the column's type; a value that does not convert follows the column's error or
 * truncation disposition (fail, ignore = NULL, redirect to the output's error output).
 * Validation checks the schema: it must parse, declare every output's rowset element and every
 * column (as an attribute or child element of it), else the problem names the output and column.
 * The whole document is read into memory (the data flow still streams its buffers).
 */
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentHost, ComponentImplementation, Row } from '../component.ts';
import { HRESULT, boolProp, intProp, prop } from '../component.ts';
import type { PipelineColumn, PipelineComponent, PipelineOutput } from '../pipeline.ts';
import { checkpoint } from '../runtime.ts';
import { CellError, cellFromText } from '../types.ts';
import type { XmlElement } from '../../xml.ts';
import { localName, parseXml } from '../../xml.ts';
import type { Problem } from '../../tasks/registry.ts';

/** What an XSD declares: element name → its attribute and child element names (complex elements only). */
export type SchemaRowsets = ReadonlyMap<string, ReadonlySet<string>>;

/** Reads the complex elements of an XSD (any prefix): their attributes and child elements, named or by type reference. */
export function schemaRowsets(schema: XmlElement): SchemaRowsets {
  const named = new Map<string, XmlElement>();
  const walkTypes = (el: XmlElement) => {
    for (const c of el.children) {
      if (localName(c.name) === 'complexType' && c.attrs.name) named.set(stripPrefix(c.attrs.name), c);
      walkTypes(c);
    }
  };
  walkTypes(schema);
  const out = new Map<string, Set<string>>();
  const membersOf = (type: XmlElement, into: Set<string>, depth: number) => {
    if (depth > 50) return;
    for (const c of type.children) {
      const ln = localName(c.name);
      if (ln === 'attribute' && (c.attrs.name || c.attrs.ref)) into.add(stripPrefix(c.attrs.name ?? c.attrs.ref!));
      else if (ln === 'element' && (c.attrs.name || c.attrs.ref)) into.add(stripPrefix(c.attrs.name ?? c.attrs.ref!));
      else if (ln === 'extension' || ln === 'restriction') {
        const base = c.attrs.base ? named.get(stripPrefix(c.attrs.base)) : undefined;
        if (base) membersOf(base, into, depth + 1);
        membersOf(c, into, depth + 1);
      } else if (ln !== 'element') membersOf(c, into, depth + 1);
    }
  };
  const visit = (el: XmlElement) => {
    for (const c of el.children) {
      if (localName(c.name) === 'element' && c.attrs.name) {
        const inline = c.children.find((x) => localName(x.name) === 'complexType');
        const type = inline ?? (c.attrs.type ? named.get(stripPrefix(c.attrs.type)) : undefined);
        if (type) {
          const set = out.get(c.attrs.name) ?? new Set<string>();
          membersOf(type, set, 0);
          out.set(c.attrs.name, set);
        }
      }
      visit(c);
    }
  };
  visit(schema);
  return out;
}

const stripPrefix = (n: string) => localName(n);

function pathOf(host: { workingDirectory: string | undefined }, p: string): string {
  return isAbsolute(p) || /^[A-Za-z]:[\\/]/.test(p) || !host.workingDirectory ? p : resolve(host.workingDirectory, p);
}

function findSchema(root: XmlElement): XmlElement | undefined {
  if (localName(root.name) === 'schema') return root;
  for (const c of root.children) { const s = findSchema(c); if (s) return s; }
  return undefined;
}

/** The problems of a schema against the outputs (unknown rowsets and columns), naming them. */
export function checkOutputsAgainstSchema(c: PipelineComponent, rowsets: SchemaRowsets): Problem[] {
  const problems: Problem[] = [];
  const outputs = c.outputs.filter((o) => !o.isErrorOut);
  const ids = new Set(outputs.map((o) => rowsetOf(o)));
  for (const o of outputs) {
    const rowset = rowsetOf(o);
    const members = rowsets.get(rowset);
    if (!members) { problems.push({ path: c.path, severity: 'error', message: `the output '${o.name}' reads the rowset '${rowset}', which the XML schema does not declare as an element with attributes or child elements (declared: ${[...rowsets.keys()].join(', ') || 'none'})` }); continue; }
    for (const col of o.columns) {
      const key = /^(.*)_Id$/.exec(col.name)?.[1];
      if (key !== undefined && (key === rowset || ids.has(key))) continue;
      if (col.name === `${rowset}_Text` || members.has(col.name)) continue;
      problems.push({ path: c.path, severity: 'error', message: `the output '${o.name}' column '${col.name}' is neither an attribute nor a child element of '${rowset}' in the XML schema` });
    }
  }
  return problems;
}

const rowsetOf = (o: PipelineOutput): string => (o.properties['RowsetID'] ?? '').trim() || o.name;

interface Plan {
  readonly output: PipelineOutput;
  readonly error: PipelineOutput | undefined;
  readonly rowset: string;
  readonly columns: readonly { col: PipelineColumn; slot: number; kind: 'id' | 'parent' | 'text' | 'value'; parent?: string }[];
  rows: Row[];
  nextId: number;
  rowNumber: number;
}

async function readXmlText(host: ComponentHost): Promise<{ text: string; where: string }> {
  const c = host.component;
  const mode = intProp(c, 'AccessMode', 0);
  if (mode === 2) {
    const name = prop(c, 'XMLDataVariable');
    return { text: String(host.getVariable(name) ?? ''), where: `the variable ${name}` };
  }
  const file = mode === 1 ? String(host.getVariable(prop(c, 'XMLDataVariable')) ?? '') : prop(c, 'XMLData');
  if (file.trim() === '') throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: no XML file is set${mode === 1 ? ` (the variable ${prop(c, 'XMLDataVariable')} is empty)` : ' (XMLData)'}`);
  const path = pathOf(host, file);
  try {
    return { text: await readFile(path, 'utf8'), where: `'${path}'` };
  } catch (err) {
    throw new SsoError('SSO_ERR_DATAFLOW_DATA', `${c.path}: the XML file '${path}' cannot be read: ${(err as Error).message}`, { where: path, cause: err });
  }
}

function parseOrFail(c: PipelineComponent, text: string, where: string): XmlElement {
  try {
    return parseXml(text);
  } catch (err) {
    const e = err as { message: string; line?: number; column?: number };
    throw new SsoError('SSO_ERR_DATAFLOW_DATA', `${c.path}: ${where} is not well-formed XML${e.line ? ` (line ${e.line}, column ${e.column})` : ''}: ${e.message}`, { where });
  }
}

export const xmlSource: ComponentImplementation = {
  kind: 'xmlSource',
  validate(v) {
    const c = v.component;
    const problems: Problem[] = [];
    const mode = intProp(c, 'AccessMode', 0);
    if (![0, 1, 2].includes(mode)) return [{ path: c.path, severity: 'error', message: `the XML Source's AccessMode ${mode} is not one of 0 (file), 1 (file name from a variable), 2 (XML data from a variable)` }];
    if (mode !== 0 && !v.hasVariable(prop(c, 'XMLDataVariable'))) problems.push({ path: c.path, severity: 'error', message: `the XML Source reads ${mode === 1 ? 'its file name' : 'its XML'} from the variable '${prop(c, 'XMLDataVariable')}', which is not defined` });
    if (mode === 0 && prop(c, 'XMLData').trim() === '') problems.push({ path: c.path, severity: 'error', message: 'the XML Source has no XML file (XMLData)' });
    if (!boolProp(c, 'UseInlineSchema', false)) {
      const xsd = prop(c, 'XMLSchemaDefinition').trim();
      if (xsd === '') problems.push({ path: c.path, severity: 'error', message: 'the XML Source has no schema: set XMLSchemaDefinition to an .xsd file or UseInlineSchema to true' });
      else {
        // Relative paths resolve against the task folder at run time; only absolute ones can be checked now.
        if (isAbsolute(xsd)) {
          let text: string | undefined;
          try { text = readFileSync(xsd, 'utf8'); } catch (err) { problems.push({ path: c.path, severity: 'error', message: `the XML schema '${xsd}' cannot be read: ${(err as Error).message}` }); }
          if (text !== undefined) {
            try {
              const schema = findSchema(parseXml(text));
              if (!schema) problems.push({ path: c.path, severity: 'error', message: `'${xsd}' holds no xs:schema element` });
              else problems.push(...checkOutputsAgainstSchema(c, schemaRowsets(schema)));
            } catch (err) { problems.push({ path: c.path, severity: 'error', message: `the XML schema '${xsd}' is not well-formed XML: ${(err as Error).message}` }); }
          }
        }
      }
    }
    return problems;
  },
  create(host) {
    const c = host.component;
    const error = c.outputs.find((o) => o.isErrorOut);
    return {
      async produce() {
        const { text, where } = await readXmlText(host);
        const root = parseOrFail(c, text, where);
        let schema: XmlElement | undefined;
        if (boolProp(c, 'UseInlineSchema', false)) {
          schema = findSchema(root);
          if (!schema) throw new SsoError('SSO_ERR_DATAFLOW_DATA', `${c.path}: UseInlineSchema is true but ${where} holds no inline xs:schema element`);
        } else {
          const xsd = pathOf(host, prop(c, 'XMLSchemaDefinition'));
          let xsdText: string;
          try { xsdText = await readFile(xsd, 'utf8'); } catch (err) { throw new SsoError('SSO_ERR_DATAFLOW_DATA', `${c.path}: the XML schema '${xsd}' cannot be read: ${(err as Error).message}`, { where: xsd, cause: err }); }
          schema = findSchema(parseOrFail(c, xsdText, `the XML schema '${xsd}'`));
          if (!schema) throw new SsoError('SSO_ERR_DATAFLOW_DATA', `${c.path}: the XML schema '${xsd}' holds no xs:schema element`);
        }
        const problems = checkOutputsAgainstSchema(c, schemaRowsets(schema));
        if (problems.length > 0) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: ${problems.map((p) => p.message).join('; ')}`);

        const outputs = c.outputs.filter((o) => !o.isErrorOut);
        const rowsetNames = new Set(outputs.map(rowsetOf));
        const plans = new Map<string, Plan>();
        for (const o of outputs) {
          const rowset = rowsetOf(o);
          plans.set(rowset, {
            output: o, error, rowset, rows: [], nextId: 0, rowNumber: 0,
            columns: o.columns.map((col) => {
              const key = /^(.*)_Id$/.exec(col.name)?.[1];
              const slot = host.slot(col.lineageId);
              if (key === rowset) return { col, slot, kind: 'id' as const };
              if (key !== undefined && rowsetNames.has(key)) return { col, slot, kind: 'parent' as const, parent: key };
              if (col.name === `${rowset}_Text`) return { col, slot, kind: 'text' as const };
              return { col, slot, kind: 'value' as const };
            }),
          });
        }
        const flush = async (p: Plan, force: boolean) => {
          if (p.rows.length === 0 || (!force && p.rows.length < host.bufferRows)) return;
          checkpoint(host.signal);
          const rows = p.rows;
          p.rows = [];
          await host.send(p.output, rows);
          await host.flushErrors();
        };
        const convert = (p: Plan, row: Row, col: PipelineColumn, slot: number, value: string): boolean => {
          try {
            row[slot] = cellFromText(value, col.type!);
            return true;
          } catch (err) {
            if (!(err instanceof CellError)) throw err;
            const trunc = err.problem === 'truncation';
            const r = host.handle(row, p.rowNumber, {
              problem: err.problem, column: col, code: trunc ? HRESULT.flatFileSourceTruncated : HRESULT.flatFileSourceCantConvert,
              message: `the value '${value.length > 50 ? value.slice(0, 47) + '...' : value}' of "${col.name}" in rowset '${p.rowset}' cannot be converted: ${err.message}`,
            }, trunc ? col.truncationDisposition : col.errorDisposition, p.error);
            if (r === 'redirect') return false;
            row[slot] = null;
            return true;
          }
        };
        const ids = new Map<string, number>(); // rowset → id of the nearest enclosing row
        const walk = async (el: XmlElement): Promise<void> => {
          const name = localName(el.name);
          if (name === 'schema') return; // an inline schema is not data
          const plan = plans.get(name);
          let saved: number | undefined;
          if (plan) {
            const id = plan.nextId++;
            plan.rowNumber++;
            const row = host.newRow();
            let keep = true;
            for (const pc of plan.columns) {
              if (!keep) break;
              if (pc.kind === 'id') { row[pc.slot] = convertId(id, pc.col); continue; }
              if (pc.kind === 'parent') { const pid = ids.get(pc.parent!); row[pc.slot] = pid === undefined ? null : convertId(pid, pc.col); continue; }
              const text = pc.kind === 'text' ? (el.children.length === 0 || el.text.trim() !== '' ? el.text : undefined) : valueOf(el, pc.col.name);
              if (text === undefined) { row[pc.slot] = null; continue; }
              keep = convert(plan, row, pc.col, pc.slot, text);
            }
            if (keep) plan.rows.push(row);
            saved = ids.get(name);
            ids.set(name, id);
            await flush(plan, false);
          }
          for (const child of el.children) if (!plan || plans.has(localName(child.name)) || child.children.length > 0) await walk(child);
          if (plan) { if (saved === undefined) ids.delete(name); else ids.set(name, saved); }
        };
        await walk(root);
        for (const p of plans.values()) await flush(p, true);
        await host.flushErrors();
      },
    };
  },
};

/** The value of an attribute or a simple child element of that name (attributes first); undefined when absent. */
function valueOf(el: XmlElement, name: string): string | undefined {
  for (const [k, v] of Object.entries(el.attrs)) if (localName(k) === name && !k.startsWith('xmlns')) return v;
  const child = el.children.find((x) => localName(x.name) === name);
  if (!child) return undefined;
  if (child.attrs['xsi:nil'] === 'true') return undefined;
  return child.text;
}

function convertId(id: number, col: PipelineColumn): number | bigint {
  const t = col.type?.name;
  return t === 'DT_UI8' || t === 'DT_I8' ? BigInt(id) : id;
}
