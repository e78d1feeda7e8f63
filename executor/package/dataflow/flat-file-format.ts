/**
 * The layout a FLATFILE connection manager describes (format 8/6 attributes and 2005/2008
 * `DTS:Property` children alike): Delimited / FixedWidth / RaggedRight, code page or Unicode,
 * header rows to skip and their delimiter, column names in the first data row, text qualifier,
 * and per column its type (delimited with its own delimiter, or fixed width), data type, width and
 * whether it is text-qualified. Names like `_x000D__x000A_` are decoded here.
 */
import { SsoError } from '../../../actors/errors.ts';
import { props } from '../load-dtsx.ts';
import type { ConnectionManagerDef } from '../model.ts';
import type { XmlElement } from '../xml.ts';
import { localName } from '../xml.ts';
import type { SsisType } from '../expressions/types.ts';
import { DBTYPE_NAMES, columnType } from './types.ts';

export interface FlatFileColumnDef {
  readonly name: string;
  readonly columnType: 'Delimited' | 'FixedWidth';
  readonly delimiter: string;
  readonly width: number;
  readonly maximumWidth: number;
  readonly type: SsisType;
  readonly textQualified: boolean;
}

export interface FlatFileFormat {
  readonly format: 'Delimited' | 'FixedWidth' | 'RaggedRight';
  readonly codePage: number;
  readonly unicode: boolean;
  readonly headerRowsToSkip: number;
  readonly headerRowDelimiter: string;
  readonly columnNamesInFirstDataRow: boolean;
  readonly dataRowsToSkip: number;
  readonly rowDelimiter: string;
  /** '' when none. */
  readonly textQualifier: string;
  readonly columns: readonly FlatFileColumnDef[];
}

/** `_x000D__x000A_` → CR LF (XML name escaping as SSIS persists delimiters). */
export function decodeEscapes(s: string | undefined): string {
  return (s ?? '').replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

const bool = (v: string | undefined, d: boolean) => (v === undefined ? d : /^(true|1|-1)$/i.test(v.trim()));
const int = (v: string | undefined, d: number) => (v === undefined || v.trim() === '' || !Number.isFinite(Number(v)) ? d : Number(v));

export function flatFileFormat(cm: ConnectionManagerDef): FlatFileFormat {
  const p = cm.properties;
  const what = `connection manager '${cm.name}'`;
  const fmt = (p.Format ?? 'Delimited').trim();
  const format = /^fixed/i.test(fmt) ? 'FixedWidth' : /^ragged/i.test(fmt) ? 'RaggedRight' : 'Delimited';
  const unicode = bool(p.Unicode, false);
  const q = decodeEscapes(p.TextQualifier);
  const colEls: XmlElement[] = [];
  const walk = (el: XmlElement) => { for (const c of el.children) { if (localName(c.name) === 'FlatFileColumn') colEls.push(c); else if (localName(c.name) === 'FlatFileColumns') walk(c); } };
  if (cm.objectData) walk(cm.objectData);
  const columns = colEls.map((el, i): FlatFileColumnDef => {
    const cp = props(el);
    const name = cp.ObjectName ?? `Column ${i}`;
    const dbtype = int(cp.DataType, 129);
    const typeName = DBTYPE_NAMES[dbtype] ?? 'str';
    const maximumWidth = int(cp.MaximumWidth, 50);
    const type = columnType({ dataType: typeName, length: String(maximumWidth), precision: cp.DataPrecision, scale: cp.DataScale, codePage: String(unicode ? 1200 : int(p.CodePage, 1252)) });
    if (!type) throw new SsoError('SSO_ERR_PACKAGE_INVALID', `${what}: column '${name}' has an unknown DataType ${dbtype}`, { where: cm.name });
    return {
      name, columnType: /^fixed/i.test(cp.ColumnType ?? '') ? 'FixedWidth' : 'Delimited',
      delimiter: decodeEscapes(cp.ColumnDelimiter ?? ''), width: int(cp.ColumnWidth, 0), maximumWidth, type,
      textQualified: bool(cp.TextQualified, true),
    };
  });
  const last = columns[columns.length - 1];
  const rowDelimiter = decodeEscapes(p.RowDelimiter) || (last && last.columnType === 'Delimited' ? last.delimiter : '') || '\r\n';
  return {
    format, codePage: int(p.CodePage, 1252), unicode,
    headerRowsToSkip: int(p.HeaderRowsToSkip, 0),
    headerRowDelimiter: decodeEscapes(p.HeaderRowDelimiter) || '\r\n',
    columnNamesInFirstDataRow: bool(p.ColumnNamesInFirstDataRow, false),
    dataRowsToSkip: int(p.DataRowsToSkip, 0),
    rowDelimiter,
    textQualifier: q === '<none>' ? '' : q,
    columns,
  };
}

/** Node/iconv-lite encoding name of a code page. */
export function encodingOf(f: Pick<FlatFileFormat, 'unicode' | 'codePage'>): string {
  if (f.unicode || f.codePage === 1200) return 'utf16le';
  if (f.codePage === 1201) return 'utf16be';
  if (f.codePage === 65001) return 'utf8';
  if (f.codePage === 20127) return 'ascii';
  if (f.codePage === 28591) return 'latin1';
  return `cp${f.codePage}`;
}
