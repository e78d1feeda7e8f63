/**
 * Flat File Source: streams the file named by its FLATFILE connection manager, decoding the code
 * page (iconv-lite: 1252, 437, 850, … ; 65001 and Unicode with or without BOM), skips header rows,
 * the column-name row and data rows to skip, and splits rows as SSIS does: each column ends at its
 * own delimiter, the last at the row delimiter; a row delimiter found early ends the row (missing
 * columns are NULL); a text qualifier encloses a field (doubled inside it). FixedWidth and
 * RaggedRight columns take their width. Each field converts to its output column's type; a failure
 * follows the column's dispositions, and redirected rows carry the raw row text.
 * The parser is our own (not csv-parse): per-column delimiters, ragged right and fixed width are
 * SSIS layouts no CSV library models.
 */
import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import iconv from 'iconv-lite';
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentImplementation, Row } from '../component.ts';
import { HRESULT, boolProp, connectionRef, outputsOf, prop } from '../component.ts';
import type { FlatFileFormat } from '../flat-file-format.ts';
import { encodingOf, flatFileFormat } from '../flat-file-format.ts';
import { fileConnection } from '../../connections/files.ts';
import type { PipelineColumn } from '../pipeline.ts';
import type { Cell } from '../types.ts';
import { CellError, cellFromText, cellParser, cellRangeParser } from '../types.ts';
import { checkpoint } from '../runtime.ts';
import { isString } from '../../expressions/types.ts';

/**
 * One parsed row: fields (undefined = the row ended before this column; null = the text between
 * `starts[i]` and `ends[i]` of `text`, not sliced yet: `fieldText` slices it), and where its raw
 * text is. The parser fills and returns the same object for every row (read it before asking for
 * the next).
 */
interface Parsed { fields: (string | null | undefined)[]; starts: Int32Array; ends: Int32Array; text: string; start: number; end: number }

/** The text of field `i` of a parsed row. */
function fieldText(p: Parsed, i: number): string | undefined {
  const f = p.fields[i];
  return f === null ? p.text.slice(p.starts[i], p.ends[i]) : f;
}

export class FlatFileParser {
  private buf = '';
  private pos = 0;
  private first = true;
  private readonly row: Parsed;
  constructor(private f: FlatFileFormat, private readonly where: string) {
    const n = f.columns.length;
    this.row = { fields: new Array<string | null | undefined>(n), starts: new Int32Array(n), ends: new Int32Array(n), text: '', start: 0, end: 0 };
  }

  /** The layout in use (the row delimiter may have been adapted to the file, see `push`). */
  get format(): FlatFileFormat { return this.f; }

  push(text: string): void {
    if (this.first) {
      this.first = false;
      // A CR LF layout on a file with bare LF line ends (checked out of git on Linux): read LF as the row end.
      if (this.f.rowDelimiter === '\r\n' && text.includes('\n') && !text.includes('\r\n')) {
        const lf = (d: string) => (d === '\r\n' ? '\n' : d);
        this.f = { ...this.f, rowDelimiter: '\n', headerRowDelimiter: lf(this.f.headerRowDelimiter), columns: this.f.columns.map((c) => ({ ...c, delimiter: lf(c.delimiter) })) };
      }
    }
    this.buf = this.pos > 0 ? this.buf.slice(this.pos) + text : this.buf + text;
    this.pos = 0;
  }

  /** Skips one row ended by `delimiter` (header rows); false when more text is needed. */
  skipLine(delimiter: string, eof: boolean): boolean | 'end' {
    if (this.pos >= this.buf.length && eof) return 'end';
    const i = this.buf.indexOf(delimiter, this.pos);
    if (i < 0) { if (!eof) return false; this.pos = this.buf.length; return true; }
    this.pos = i + delimiter.length;
    return true;
  }

  /** The next row, `undefined` when more text is needed, `null` at the end of the file. */
  next(eof: boolean, rowNumber: number): Parsed | undefined | null {
    const { buf, f } = this;
    if (this.pos >= buf.length) return eof ? null : undefined;
    const start = this.pos;
    let pos = start;
    const cols = f.columns;
    const n = cols.length;
    const { fields, starts, ends } = this.row;
    this.row.text = buf;
    const rowDelim = f.rowDelimiter;
    let rowEnd = -2;
    const q = f.textQualifier;
    for (let i = 0; i < n; i++) {
      const col = cols[i]!;
      const last = i === n - 1;
      if (f.format !== 'Delimited' && col.columnType === 'FixedWidth') {
        if (pos + col.width > buf.length) {
          if (!eof) return undefined;
          if (pos >= buf.length) { for (let k = i; k < n; k++) fields[k] = undefined; break; }
          fields[i] = buf.slice(pos); pos = buf.length; continue;
        }
        fields[i] = buf.slice(pos, pos + col.width);
        pos += col.width;
        continue;
      }
      const delim = last ? rowDelim : col.delimiter;
      if (q !== '' && col.textQualified && buf.startsWith(q, pos)) {
        let j = pos + q.length;
        let value = '';
        for (;;) {
          const k = buf.indexOf(q, j);
          if (k < 0) {
            if (!eof) return undefined;
            throw new SsoError('SSO_ERR_DATAFLOW_DATA', `${this.where}: data row ${rowNumber}, column "${col.name}": the text qualifier ${q} opened at character ${pos - start + 1} of the row is never closed`);
          }
          if (buf.startsWith(q, k + q.length)) { value += buf.slice(j, k) + q; j = k + 2 * q.length; continue; }
          if (k + q.length >= buf.length && !eof) return undefined;
          value += buf.slice(j, k);
          pos = k + q.length;
          break;
        }
        fields[i] = value;
        // Consume up to and including this column's delimiter (or the row delimiter).
        const d = buf.indexOf(delim, pos);
        const r = last ? d : buf.indexOf(rowDelim, pos);
        if (!last && r >= 0 && (d < 0 || r < d)) { pos = r + rowDelim.length; for (let k = i + 1; k < n; k++) fields[k] = undefined; break; }
        if (d < 0) { if (!eof) return undefined; pos = buf.length; continue; }
        pos = d + delim.length;
        continue;
      }
      const d = delim === '' ? -1 : buf.indexOf(delim, pos);
      if (!last) {
        if (rowEnd < pos && rowEnd !== -1) rowEnd = buf.indexOf(rowDelim, pos);
        if (rowEnd >= 0 && (d < 0 || rowEnd < d)) {
          fields[i] = null; starts[i] = pos; ends[i] = rowEnd;
          pos = rowEnd + rowDelim.length;
          for (let k = i + 1; k < n; k++) fields[k] = undefined;
          break;
        }
      }
      if (d < 0) {
        if (!eof) return undefined;
        fields[i] = null; starts[i] = pos; ends[i] = buf.length; pos = buf.length;
        for (let k = i + 1; k < n; k++) fields[k] = undefined;
        break;
      }
      fields[i] = null; starts[i] = pos; ends[i] = d;
      pos = d + delim.length;
    }
    this.pos = pos;
    this.row.start = start;
    this.row.end = pos;
    return this.row;
  }

  /** The raw text of the row `next` returned last (for the error output; taken only when needed). */
  raw(p: Parsed): string { return this.buf.slice(p.start, p.end); }
}

/** Code pages that write ASCII as ASCII: a chunk of ASCII bytes is the same text in all of them. */
const ASCII_COMPATIBLE = /^(utf8|ascii|latin1|cp125[0-8]|cp437|cp850)$/;

/**
 * Reads a file as decoded text chunks. While every chunk so far is pure ASCII (most data files) in
 * an ASCII-compatible code page, chunks become one-byte strings directly, skipping the decoder,
 * which then holds no partial character; from the first other byte on, the decoder reads the rest.
 */
async function* decodedChunks(path: string, encoding: string): AsyncGenerator<string> {
  if (!iconv.encodingExists(encoding)) throw new SsoError('SSO_ERR_DATAFLOW_DATA', `the code page of '${path}' (${encoding}) is not supported`);
  const decoder = iconv.getDecoder(encoding);
  let ascii = ASCII_COMPATIBLE.test(encoding);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    if (ascii && isAscii(chunk as Buffer)) { yield (chunk as Buffer).toString('latin1'); continue; }
    ascii = false;
    const s = decoder.write(chunk as Buffer);
    if (s) yield s;
  }
  const tail = decoder.end();
  if (tail) yield tail;
}

export const flatFileSource: ComponentImplementation = {
  kind: 'flatFileSource',
  validate(v) {
    const ref = connectionRef(v.component);
    if (!ref) return [{ path: v.component.path, severity: 'error', message: 'the Flat File Source has no connection manager' }];
    if (!v.hasConnection(ref)) return [{ path: v.component.path, severity: 'error', message: `the Flat File Source uses the connection manager '${ref}', which is not defined` }];
    return [];
  },
  create(host) {
    const c = host.component;
    const { normal, error } = outputsOf(c);
    const output = normal[0];
    return {
      async produce() {
        const ref = connectionRef(c);
        const cm = ref ? host.connection(ref) : undefined;
        if (!cm) throw new SsoError('SSO_ERR_CONNECTION', `${c.path}: the connection manager '${ref ?? ''}' is not defined`);
        const f = flatFileFormat(cm);
        const { path } = fileConnection(cm, host.workingDirectory);
        const st = await stat(path).catch(() => undefined);
        if (!st?.isFile()) throw new SsoError('SSO_ERR_CONNECTION', `${c.path}: the file '${path}' of connection manager '${cm.name}' does not exist`);
        const retainNulls = boolProp(c, 'RetainNulls', false);
        // Dates in the file are read in the connection's locale: month first only for en-US (1033).
        const locale = Number(cm.properties.LocaleID ?? 1033);
        const textOptions = { dayFirst: Number.isFinite(locale) && locale !== 1033 && locale !== 0 && locale !== 127 };
        const fileNameColumn = prop(c, 'FileNameColumnName').trim();
        const ext = output ? output.externalColumns : [];
        interface Plan { col: PipelineColumn; index: number; slot: number; text: boolean; parse: (text: string) => Cell; direct: ((buf: string, start: number, end: number) => Cell | undefined) | undefined }
        const plans: Plan[] = [];
        let fileSlot = -1;
        for (const col of output?.columns ?? []) {
          if (fileNameColumn !== '' && col.name === fileNameColumn) { fileSlot = host.slot(col.lineageId); continue; }
          const extName = ext.find((e) => e.id === col.externalMetadataColumnId)?.name ?? col.name;
          const index = f.columns.findIndex((x) => x.name.toLowerCase() === extName.toLowerCase());
          if (index < 0) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: output column '${col.name}' maps to '${extName}', which connection manager '${cm.name}' does not define`);
          const type = col.type;
          plans.push({ col, index, slot: host.slot(col.lineageId), text: type !== undefined && isString(type), parse: type ? cellParser(type, textOptions) : (t) => cellFromText(t, type!, textOptions), direct: type ? cellRangeParser(type) : undefined });
        }
        const errCol = error?.columns.find((x) => x.specialFlags === 0);
        const errSlot = errCol ? host.slot(errCol.lineageId) : -1;
        const parser = new FlatFileParser(f, `${c.path} (file '${path}')`);
        let rows: Row[] = [];
        let rowNumber = 0;
        let skipHeaders = f.headerRowsToSkip;
        let skipNames = f.columnNamesInFirstDataRow ? 1 : 0;
        let skipData = f.dataRowsToSkip;
        const flush = async () => {
          checkpoint(host.signal);
          if (output && rows.length > 0) await host.send(output, rows);
          rows = [];
          await host.flushErrors();
        };
        const drain = async (eof: boolean) => {
          for (;;) {
            if (skipHeaders > 0) {
              const r = parser.skipLine(parser.format.headerRowDelimiter, eof);
              if (r === false || r === 'end') return;
              skipHeaders--; continue;
            }
            const parsed = parser.next(eof, rowNumber + 1);
            if (parsed === undefined || parsed === null) return;
            if (skipNames > 0) { skipNames--; continue; }
            if (skipData > 0) { skipData--; continue; }
            rowNumber++;
            const row = host.newRow();
            let keep = true;
            for (const p of plans) {
              // Plain numbers are read straight from the file's text, without a string per field.
              if (p.direct && parsed.fields[p.index] === null) {
                const s = parsed.starts[p.index]!, e = parsed.ends[p.index]!;
                const v = s < e ? p.direct(parsed.text, s, e) : undefined;
                if (v !== undefined) { row[p.slot] = v; continue; }
              }
              const text = fieldText(parsed, p.index);
              if (text === undefined || (text === '' && (retainNulls || !p.text))) { row[p.slot] = null; continue; }
              try {
                row[p.slot] = p.parse(text);
              } catch (err) {
                if (!(err instanceof CellError)) throw err;
                const trunc = err.problem === 'truncation';
                if (errSlot >= 0) row[errSlot] = parser.raw(parsed);
                const r = host.handle(row, rowNumber, {
                  problem: err.problem, column: p.col, code: trunc ? HRESULT.flatFileSourceTruncated : HRESULT.flatFileSourceCantConvert,
                  message: `Data conversion failed. The data conversion for column "${p.col.name}" failed for the value '${text.length > 50 ? text.slice(0, 47) + '...' : text}': ${err.message}`,
                }, trunc ? p.col.truncationDisposition : p.col.errorDisposition, error);
                if (r === 'redirect') { keep = false; break; }
                row[p.slot] = null;
              }
            }
            if (fileSlot >= 0) row[fileSlot] = path;
            if (keep) rows.push(row);
            if (rows.length >= host.bufferRows) await flush();
          }
        };
        for await (const text of decodedChunks(path, encodingOf(f))) {
          parser.push(text);
          await drain(false);
        }
        await drain(true);
        await flush();
      },
    };
  },
};
