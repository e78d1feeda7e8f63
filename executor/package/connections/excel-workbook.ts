/**
 * Excel workbooks for the Excel Source and Destination, read and written with exceljs (.xlsx/.xlsm).
 * What the ACE OLE DB provider does that packages depend on is reproduced here:
 * - table names: `Sheet1$`, `[Sheet1$]`, `'My Sheet$'`, ranges `Sheet1$A1:C10`, `Sheet1$A:C`,
 *   `Sheet1$B3:D` (open-ended), and workbook defined names (`MyRange`); `SELECT * FROM [Sheet1$]`
 *   and `SELECT a, [b c] FROM [Sheet1$A1:C10]` (no WHERE/ORDER BY: the SQL command access mode is
 *   only used that way in real packages; anything else is a clear error).
 * - `HDR=YES` (the default): the first row of the range names the columns (an empty header cell is
 *   `F<n>`, as ACE names it); `HDR=NO`: every row is data and the columns are `F1`, `F2`…
 * - column types guessed from the first `TypeGuessRows` (8) non-empty data rows, the majority kind
 *   winning: numbers DT_R8, text DT_WSTR(255) (DT_NTEXT when a guessed value is longer), dates
 *   DT_DATE, booleans DT_BOOL, currency-formatted numbers DT_CY. A value of another kind than its
 *   column is NULL, as ACE returns it, except in a text column (converted to text) and with
 *   `IMEX=1` (import mode: a column whose guessed rows mix kinds is text). Text longer than a
 *   guessed DT_WSTR(255) column is cut to 255 characters, as ACE does.
 * - blank rows between data rows are rows of NULLs; trailing blank rows and columns are not read.
 * Dates are wall-clock values (no time zone), read and written through the UTC fields of JS Dates,
 * which is how exceljs maps Excel's serial dates.
 * .xls (Excel 97-2003, BIFF8; also BIFF5) workbooks are read with SheetJS 0.20.3 (the `@e965/xlsx`
 * republication of SheetJS's own 0.20.3 build, pinned: the `xlsx` 0.18.5 on npm has the prototype
 * pollution and ReDoS fixed in 0.20) and copied into an in-memory exceljs workbook, so both formats
 * share the ACE rules below. Only values, number formats (dates are told from their format, as
 * ACE does) and defined names are copied. Writing .xls is refused with a message to use .xlsx.
 */
import ExcelJS from 'exceljs';
import * as SheetJS from '@e965/xlsx';
import { existsSync } from 'node:fs';
import { readFile, rename, unlink } from 'node:fs/promises';
import { SsoError } from '../../../actors/errors.ts';
import type { SsisScalar, SsisType } from '../expressions/types.ts';
import { T } from '../expressions/types.ts';
import { decimalFromNumber, formatDecimal } from '../expressions/decimal.ts';
import { ticksFromUtcDate } from '../expressions/datetime.ts';
import { makeColumn, TypedRowReader } from './data-access.ts';
import type { DbColumn, Row, RowReader, RowSet } from './provider.ts';
import { parseConnectionString } from './connection-string.ts';
import type { ConnectionManagerDef } from '../model.ts';
import { hostPath } from './files.ts';

// ---- connection strings ----------------------------------------------------------------------

export interface ExcelConnection {
  /** The workbook file (`Data Source`, or the `ExcelFilePath` property of the connection manager). */
  readonly file: string;
  /** HDR: the first row holds column names. */
  readonly header: boolean;
  /** IMEX=1: mixed columns are read as text. */
  readonly importMode: boolean;
  /** The `Excel 12.0 XML`-style version tag of Extended Properties, as written ('' when none). */
  readonly version: string;
}

/**
 * Reads an Excel connection string: `Provider=Microsoft.ACE.OLEDB.12.0;Data Source=…;Extended
 * Properties="Excel 12.0 XML;HDR=YES;IMEX=1"` (Jet 4.0 strings too). `what` names the connection.
 */
export function excelConnection(connectionString: string, what: string): ExcelConnection {
  const keys = parseConnectionString(connectionString, what);
  const file = (keys.get('Data Source', 'DataSource', 'DBQ') ?? '').trim();
  if (file === '') throw new SsoError('SSO_ERR_CONNECTION', `${what}: the Excel connection string names no workbook (Data Source)`, { where: what });
  let header = true, importMode = false, version = '';
  for (const part of (keys.get('Extended Properties') ?? '').split(';')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq < 0) { version = p; continue; }
    const k = p.slice(0, eq).trim().toUpperCase();
    const v = p.slice(eq + 1).trim().toUpperCase();
    if (k === 'HDR') header = v !== 'NO';
    else if (k === 'IMEX') importMode = v === '1';
  }
  return { file, header, importMode, version };
}

/** Whether a connection manager is an Excel workbook: `EXCEL`, or OLE DB through ACE/Jet with Excel properties. */
export function isExcelConnection(cm: ConnectionManagerDef): boolean {
  if (cm.creationName.toUpperCase() === 'EXCEL') return true;
  return /provider\s*=\s*"?microsoft\.(ace|jet)\.oledb/i.test(cm.connectionString) && /extended\s*properties\s*=[^;]*excel/i.test(cm.connectionString);
}

/**
 * The workbook of an Excel connection manager as the run sees it (`cm` from the run's `connection()`,
 * overrides and property expressions applied): the `ExcelFilePath` property, which packages often set
 * by expression, wins over the connection string's Data Source.
 */
export function excelConnectionOf(cm: ConnectionManagerDef): ExcelConnection {
  const what = `connection manager '${cm.name}'`;
  const pathKey = Object.keys(cm.properties).find((k) => k.toLowerCase() === 'excelfilepath');
  const path = pathKey ? cm.properties[pathKey]!.trim() : '';
  if (cm.connectionString.trim() === '') {
    if (path === '') throw new SsoError('SSO_ERR_CONNECTION', `${what} names no workbook (empty connection string and ExcelFilePath)`, { where: cm.name });
    return { file: hostPath(path), header: true, importMode: false, version: '' };
  }
  const c = excelConnection(cm.connectionString, what);
  return { ...c, file: hostPath(path === '' ? c.file : path) };
}

// ---- table names and SELECT ------------------------------------------------------------------

/** A sheet (or a defined name) and an optional range; rows and columns are 1-based. */
export interface ExcelTableRef {
  readonly sheet?: string;
  /** A workbook defined name (a named range) instead of a sheet. */
  readonly definedName?: string;
  readonly firstRow?: number;
  readonly lastRow?: number;
  readonly firstCol?: number;
  readonly lastCol?: number;
}

function colNumber(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

/** `A1`, `A`, `1`-less column letters → {col, row?}; undefined when not a cell reference. */
function cellRef(text: string): { col: number; row?: number } | undefined {
  const m = /^\$?([A-Za-z]{1,3})\$?(\d*)$/.exec(text.trim());
  if (!m) return undefined;
  const col = colNumber(m[1]!);
  if (col > 16384) return undefined;
  return m[2] ? { col, row: Number(m[2]) } : { col };
}

/**
 * Parses an Excel Source/Destination table name (OpenRowset): `Sheet1$`, `[Sheet1$]`, `'My Sheet$'`,
 * `Sheet1$A1:C10`, `Sheet1$A:C`, or a defined name. Throws naming the text.
 */
export function parseExcelTableName(text: string): ExcelTableRef {
  let t = text.trim();
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1).replace(/]]/g, ']');
  else if (t.startsWith('`') && t.endsWith('`')) t = t.slice(1, -1);
  if (t.startsWith("'")) {
    const close = t.lastIndexOf("'");
    if (close > 0) t = t.slice(1, close).replace(/''/g, "'") + t.slice(close + 1);
  }
  const bad = (why: string) => new SsoError('SSO_ERR_PACKAGE_VALIDATION', `The Excel table name '${text}' is not valid: ${why}`, { where: text });
  const dollar = t.lastIndexOf('$');
  if (dollar < 0) {
    if (t === '') throw bad('it is empty');
    return { definedName: t };
  }
  const sheet = t.slice(0, dollar).replace(/''/g, "'");
  if (sheet === '') throw bad('no sheet name before $');
  const range = t.slice(dollar + 1).trim();
  if (range === '') return { sheet };
  const [a, b, ...rest] = range.split(':');
  if (rest.length > 0 || a === undefined) throw bad(`the range '${range}' has more than one ':'`);
  const from = cellRef(a);
  const to = b === undefined ? from : cellRef(b);
  if (!from || !to) throw bad(`the range '${range}' is not a cell range like A1:C10 or A:C`);
  const firstRow = from.row ?? 1;
  const lastRow = to.row;
  if (lastRow !== undefined && lastRow < firstRow) throw bad(`the range '${range}' ends above its start`);
  if (to.col < from.col) throw bad(`the range '${range}' ends left of its start`);
  return { sheet, firstRow, ...(lastRow === undefined ? {} : { lastRow }), firstCol: from.col, lastCol: to.col };
}

/**
 * The table and column list of an Excel Source SQL command: `SELECT * FROM [Sheet1$]`,
 * `SELECT [a], b FROM [Sheet1$A1:C10]`. Anything beyond SELECT … FROM … is refused by name.
 */
export function parseExcelSelect(sql: string): { table: ExcelTableRef; columns: '*' | string[] } {
  const m = /^\s*SELECT\s+([\s\S]+?)\s+FROM\s+(\[[^\]]*(?:]][^\]]*)*\]|`[^`]*`|'[^']*'\S*|[^\s;]+)\s*;?\s*$/i.exec(sql);
  if (!m) {
    throw new SsoError('SSO_ERR_PACKAGE_VALIDATION',
      `The Excel SQL command is not supported: only 'SELECT * FROM [Sheet$]' or 'SELECT columns FROM [Sheet$range]' can be read here, got: ${sql}`, { where: 'SqlCommand' });
  }
  const list = m[1]!.trim();
  const columns = list === '*' ? '*' as const : list.split(',').map((c) => {
    const x = c.trim();
    return x.startsWith('[') && x.endsWith(']') ? x.slice(1, -1) : x.startsWith('`') && x.endsWith('`') ? x.slice(1, -1) : x;
  });
  return { table: parseExcelTableName(m[2]!), columns };
}

// ---- reading -----------------------------------------------------------------------------------

export interface ExcelReadOptions {
  /** HDR (default true). */
  readonly header?: boolean;
  /** IMEX=1 (default false). */
  readonly importMode?: boolean;
  /** Rows sampled for column types (ACE's TypeGuessRows; default 8). */
  readonly typeGuessRows?: number;
  /** Only these columns, in this order (SELECT list), matched case-insensitively. */
  readonly columns?: readonly string[];
}

type Kind = 'number' | 'text' | 'date' | 'bool' | 'currency';

function fail(file: string, msg: string, cause?: unknown): SsoError {
  return new SsoError('SSO_ERR_PACKAGE_RUN', `Excel workbook '${file}': ${msg}`, { where: file, ...(cause ? { cause } : {}) });
}

async function loadWorkbook(file: string): Promise<ExcelJS.Workbook> {
  if (/\.xlsb$/i.test(file)) throw fail(file, 'the binary workbook format (.xlsb) cannot be read here; save the workbook as .xlsx');
  if (!existsSync(file)) throw fail(file, 'the file does not exist');
  if (/\.xls$/i.test(file)) return loadLegacyWorkbook(file);
  return loadXlsxWorkbook(file);
}

async function loadXlsxWorkbook(file: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.readFile(file);
  } catch (err) {
    throw fail(file, `it is not a readable .xlsx workbook (${(err as Error).message})`, err);
  }
  return wb;
}

/** Excel's serial day 25569 is 1970-01-01 (1900 date system; the 1904 system starts 1462 days later). */
function serialToUtcDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial + (date1904 ? 1462 : 0) - 25569) * 86_400_000));
}

/**
 * An Excel 97-2003 workbook (.xls) read by SheetJS and copied cell by cell into an exceljs workbook:
 * numbers whose format is a date format become dates, booleans stay booleans, error cells are empty
 * (ACE reads them as NULL), text stays text; workbook-scoped defined names are kept.
 */
async function loadLegacyWorkbook(file: string): Promise<ExcelJS.Workbook> {
  let src: SheetJS.WorkBook;
  const bytes = await readFile(file);
  // SheetJS would read any text as CSV: ACE opens only OLE2 compound files (BIFF5/8) and raw BIFF2-4
  // streams (a BOF record first) as Excel 8.0 / 5.0 workbooks; an .xlsx saved under .xls goes to exceljs.
  const ole2 = bytes.length >= 8 && bytes.readUInt32BE(0) === 0xd0cf11e0 && bytes.readUInt32BE(4) === 0xa1b11ae1;
  const biff = bytes.length >= 4 && bytes[0] === 0x09 && [0x00, 0x02, 0x04, 0x08].includes(bytes[1]!);
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x504b0304) return loadXlsxWorkbook(file);
  if (!ole2 && !biff) throw fail(file, 'it is not an Excel 97-2003 (.xls) workbook: it has neither the OLE2 compound-file signature nor a BIFF BOF record');
  try {
    src = SheetJS.read(bytes, { type: 'buffer', cellNF: true, cellDates: false, cellFormula: false, cellHTML: false, cellStyles: false });
  } catch (err) {
    throw fail(file, `it is not a readable Excel 97-2003 (.xls) workbook (${(err as Error).message})`, err);
  }
  const date1904 = Boolean(src.Workbook?.WBProps?.date1904);
  const wb = new ExcelJS.Workbook();
  for (const name of src.SheetNames) {
    const sheet = src.Sheets[name]!;
    const ws = wb.addWorksheet(name);
    if (!sheet['!ref']) continue;
    const range = SheetJS.utils.decode_range(sheet['!ref']);
    for (let r = range.s.r; r <= range.e.r; r++) {
      for (let c = range.s.c; c <= range.e.c; c++) {
        const cell = sheet[SheetJS.utils.encode_cell({ r, c })] as SheetJS.CellObject | undefined;
        if (!cell || cell.v === undefined || cell.t === 'z' || cell.t === 'e') continue;
        const target = ws.getCell(r + 1, c + 1);
        const fmt = typeof cell.z === 'string' ? cell.z : undefined;
        if (cell.t === 'n' && typeof cell.v === 'number' && fmt !== undefined && SheetJS.SSF.is_date(fmt)) target.value = serialToUtcDate(cell.v, date1904);
        else if (cell.t === 'd' && cell.v instanceof Date) target.value = cell.v;
        else if (cell.t === 'b') target.value = Boolean(cell.v);
        else if (cell.t === 'n') target.value = Number(cell.v);
        else target.value = String(cell.v);
        if (fmt !== undefined && fmt !== 'General') target.numFmt = fmt;
      }
    }
  }
  for (const n of src.Workbook?.Names ?? []) {
    if (n.Sheet !== undefined || !n.Name || !n.Ref || /^_xlnm\./i.test(n.Name)) continue;
    try { wb.definedNames.add(n.Ref.replace(/\$/g, ''), n.Name); } catch { /* a name that is not a plain range (a formula) cannot be a table */ }
  }
  return wb;
}

/** The sheet names of a workbook, as Excel Source lists them (`Sheet1$`). */
export async function listExcelSheets(file: string): Promise<string[]> {
  const wb = await loadWorkbook(file);
  return wb.worksheets.map((w) => `${w.name}$`);
}

/** A cell's value as a plain JS value: formulas give their result, rich text its text, errors null. */
function plain(v: ExcelJS.CellValue): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || v instanceof Date) return v;
  if ('richText' in v) return v.richText.map((r) => r.text).join('');
  if ('hyperlink' in v) return typeof v.text === 'string' ? v.text : plain(v.text as ExcelJS.CellValue);
  if ('result' in v) return plain(v.result as ExcelJS.CellValue);
  if ('formula' in v || 'sharedFormula' in v) return null;
  if ('error' in v) return null;
  return String(v);
}

function kindOf(v: unknown, numFmt: string | undefined): Kind | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  if (v instanceof Date) return 'date';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return numFmt && /[$€£¥]|\[\$/.test(numFmt) ? 'currency' : 'number';
  return 'text';
}

function typeOfKind(k: Kind, longText: boolean): SsisType {
  switch (k) {
    case 'number': return T.R8;
    case 'date': return T.DATE;
    case 'bool': return T.BOOL;
    case 'currency': return T.CY;
    default: return longText ? T.NTEXT : T.wstr(255);
  }
}

function excelText(v: unknown): string {
  if (v instanceof Date) return v.toISOString().replace('T', ' ').replace(/\.000Z$|Z$/, '');
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return String(v);
}

/** A cell value as the column's engine value, or null when ACE would give NULL (another kind). */
function convert(v: unknown, kind: Kind, t: SsisType): SsisScalar | null {
  if (v === null || v === undefined || v === '') return null;
  switch (kind) {
    // ACE cuts text in a 255-character column to 255, silently (the column type was guessed).
    case 'text': { const x = excelText(v); return t.name === 'DT_WSTR' && x.length > t.length ? x.slice(0, t.length) : x; }
    case 'number': return typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? -1 : 0) : null;
    case 'currency': return typeof v === 'number' ? (decimalFromNumber(Math.round(v * 10000) / 10000) ?? null) : null;
    case 'bool': return typeof v === 'boolean' ? v : null;
    case 'date':
      if (v instanceof Date) return { ticks: ticksFromUtcDate(v), offsetMinutes: 0 };
      if (typeof v === 'number' && t.name === 'DT_DATE') return { ticks: ticksFromUtcDate(new Date(Math.round((v - 25569) * 86400000))), offsetMinutes: 0 };
      return null;
  }
}

/** Resolves the range to read: the sheet and 1-based bounds clipped to the used area. */
function resolveRange(wb: ExcelJS.Workbook, file: string, ref: ExcelTableRef): { ws: ExcelJS.Worksheet; r1: number; r2: number; c1: number; c2: number } {
  let r = ref;
  if (ref.definedName !== undefined) {
    const ranges = wb.definedNames.getRanges(ref.definedName).ranges;
    if (!ranges || ranges.length === 0) throw fail(file, `there is no sheet or named range '${ref.definedName}' (sheets: ${wb.worksheets.map((w) => `${w.name}$`).join(', ')}; a sheet name ends with $)`);
    const m = /^'?(.*?)'?!(.+)$/.exec(ranges[0]!);
    if (!m) throw fail(file, `the named range '${ref.definedName}' refers to '${ranges[0]}', which is not a range`);
    r = parseExcelTableName(`${m[1]!.replace(/''/g, "'")}$${m[2]!.replace(/\$/g, '')}`);
  }
  const ws = wb.worksheets.find((w) => w.name === r.sheet) ?? wb.worksheets.find((w) => w.name.toLowerCase() === r.sheet!.toLowerCase());
  if (!ws) throw fail(file, `there is no sheet '${r.sheet}' (sheets: ${wb.worksheets.map((w) => `${w.name}$`).join(', ') || 'none'})`);
  // The used area: last row and column holding a value.
  let lastRow = 0, lastCol = 0;
  ws.eachRow({ includeEmpty: false }, (row, n) => {
    row.eachCell({ includeEmpty: false }, (cell, c) => {
      if (plain(cell.value) !== null && plain(cell.value) !== '') { if (n > lastRow) lastRow = n; if (c > lastCol) lastCol = c; }
    });
  });
  const r1 = r.firstRow ?? 1, c1 = r.firstCol ?? 1;
  // Rows past the last used one are blank (and would only be dropped): never walk them.
  const r2 = Math.min(r.lastRow ?? lastRow, lastRow);
  const c2 = r.lastCol ?? lastCol;
  return { ws, r1, r2, c1, c2 };
}

/**
 * Reads a sheet, range or named range with ACE's rules (see the top of this file). `table` is a
 * table name as a package writes it, or a parsed reference.
 */
export async function readExcelTable(file: string, table: string | ExcelTableRef, options: ExcelReadOptions = {}): Promise<RowSet> {
  const wb = await loadWorkbook(file);
  const ref = typeof table === 'string' ? parseExcelTableName(table) : table;
  const { ws, r1, r2, c1, c2 } = resolveRange(wb, file, ref);
  const header = options.header ?? true;
  const width = Math.max(0, c2 - c1 + 1);
  const cellsOf = (rowNo: number): { values: unknown[]; fmts: (string | undefined)[] } => {
    const row = ws.getRow(rowNo);
    const values: unknown[] = [], fmts: (string | undefined)[] = [];
    for (let c = c1; c <= c2; c++) { const cell = row.getCell(c); values.push(plain(cell.value)); fmts.push(cell.numFmt); }
    return { values, fmts };
  };
  let names: string[] = Array.from({ length: width }, (_v, i) => `F${i + 1}`);
  let dataStart = r1;
  if (header && r2 >= r1) {
    const h = cellsOf(r1).values;
    const seen = new Map<string, number>();
    names = h.map((v, i) => {
      const base = v === null || v === '' ? `F${i + 1}` : excelText(v).trim() || `F${i + 1}`;
      const n = (seen.get(base.toLowerCase()) ?? 0) + 1;
      seen.set(base.toLowerCase(), n);
      return n === 1 ? base : `${base}${n - 1}`;
    });
    dataStart = r1 + 1;
  }
  const raw: { values: unknown[]; fmts: (string | undefined)[] }[] = [];
  for (let r = dataStart; r <= r2; r++) raw.push(cellsOf(r));
  // Trailing blank rows inside an explicit range are not data.
  while (raw.length > 0 && raw[raw.length - 1]!.values.every((v) => v === null || v === '')) raw.pop();

  const guess = options.typeGuessRows && options.typeGuessRows > 0 ? options.typeGuessRows : 8;
  const kinds: Kind[] = [];
  const types: SsisType[] = [];
  for (let c = 0; c < width; c++) {
    const counts = new Map<Kind, number>();
    let longText = false, sampled = 0;
    for (const row of raw) {
      const k = kindOf(row.values[c], row.fmts[c]);
      if (!k) continue;
      counts.set(k, (counts.get(k) ?? 0) + 1);
      if (k === 'text' && String(row.values[c]).length > 255) longText = true;
      if (++sampled >= guess) break;
    }
    let best: Kind = 'text', bestN = 0;
    for (const [k, n] of counts) if (n > bestN || (n === bestN && k === 'text')) { best = k; bestN = n; }
    if (options.importMode && counts.size > 1) best = 'text';
    kinds.push(best);
    types.push(typeOfKind(best, longText));
  }
  let columns: DbColumn[] = names.map((n, i) => makeColumn(n, types[i]!, kinds[i]!));
  let pick = columns.map((_c, i) => i);
  if (options.columns) {
    pick = options.columns.map((want) => {
      const i = names.findIndex((n) => n === want);
      const j = i >= 0 ? i : names.findIndex((n) => n.toLowerCase() === want.toLowerCase());
      if (j < 0) throw fail(file, `the sheet range has no column '${want}' (it has ${names.join(', ')})`);
      return j;
    });
    columns = pick.map((i) => columns[i]!);
  }
  const rows: Row[] = raw.map((row) => pick.map((i) => convert(row.values[i], kinds[i]!, types[i]!)));
  return { columns, rows };
}

/** `readExcelTable` as a batch reader, so an Excel Source can share the database sources' loop. */
export async function openExcelReader(file: string, table: string | ExcelTableRef, options: ExcelReadOptions & { batchRows?: number } = {}): Promise<RowReader> {
  const set = await readExcelTable(file, table, options);
  let next = 0;
  const pull = async (max: number) => {
    if (next >= set.rows.length) return null;
    const out = set.rows.slice(next, next + max) as unknown[][];
    next += out.length;
    return out;
  };
  return new TypedRowReader(set.columns, pull, async () => { next = set.rows.length; }, Math.max(1, options.batchRows ?? 10_000), true, undefined, true);
}

// ---- writing -----------------------------------------------------------------------------------

export interface ExcelWriteColumn {
  readonly name: string;
  /** The column's type (decides the cell format: dates get a date format). Optional. */
  readonly type?: SsisType;
}

export interface ExcelWriteOptions {
  /**
   * `append` (the Excel Destination): rows go below the last used row of the sheet; a new sheet (or
   * workbook) starts with a header row. `create`: the sheet is replaced by a header row and the rows.
   */
  readonly mode?: 'append' | 'create';
  /** Write a header row on a new sheet (HDR=YES; default true). */
  readonly header?: boolean;
}

/**
 * Writes a sheet. With `append` into an existing sheet whose first row is a header, values go under
 * the header cell of the same name (case-insensitive); a column the header lacks is an error naming
 * it. The workbook is written to a temporary file and renamed over the original, so a failure
 * leaves the old file whole. Returns the rows written.
 */
export async function writeExcelSheet(file: string, sheet: string, columns: readonly ExcelWriteColumn[], rows: readonly (readonly unknown[])[], options: ExcelWriteOptions = {}): Promise<number> {
  const w = await openExcelWriter(file, sheet, columns, options);
  await w.write(rows);
  return w.finish();
}

export interface ExcelSheetWriter {
  /** Adds rows (values in `columns` order: engine values or plain JS values). */
  write(rows: readonly (readonly unknown[])[]): Promise<void>;
  /** Saves the workbook; returns the rows written. */
  finish(): Promise<number>;
  /** Drops the rows: the file is not touched. */
  abort(): Promise<void>;
}

export async function openExcelWriter(file: string, sheet: string, columns: readonly ExcelWriteColumn[], options: ExcelWriteOptions = {}): Promise<ExcelSheetWriter> {
  if (/\.xls$/i.test(file)) throw fail(file, 'the Excel 97-2003 format (.xls) can be read but not written here; point the destination at an .xlsx workbook');
  if (/\.xlsx?b?$/i.test(file) && !/\.xlsx$/i.test(file) && !/\.xlsm$/i.test(file)) throw fail(file, 'only .xlsx workbooks can be written here');
  const ref = parseExcelTableName(sheet.includes('$') || sheet.startsWith('[') ? sheet : `${sheet}$`);
  if (ref.sheet === undefined || ref.firstCol !== undefined) throw fail(file, `'${sheet}' is not a sheet name (a destination writes a whole sheet, like Sheet1$)`);
  const sheetName = ref.sheet;
  if (/[\\/?*[\]:]/.test(sheetName) || sheetName.length > 31) throw fail(file, `'${sheetName}' cannot be a sheet name (at most 31 characters, none of \\ / ? * [ ] :)`);
  const wb = existsSync(file) ? await loadWorkbook(file) : new ExcelJS.Workbook();
  let ws = wb.worksheets.find((x) => x.name.toLowerCase() === sheetName.toLowerCase());
  const mode = options.mode ?? 'append';
  if (ws && mode === 'create') { wb.removeWorksheet(ws.id); ws = undefined; }
  let targetCols: number[];
  let nextRow: number;
  if (!ws) {
    ws = wb.addWorksheet(sheetName);
    targetCols = columns.map((_c, i) => i + 1);
    nextRow = 1;
    if (options.header ?? true) { ws.getRow(1).values = columns.map((c) => c.name); ws.getRow(1).commit(); nextRow = 2; }
  } else {
    const headerCells: string[] = [];
    ws.getRow(1).eachCell({ includeEmpty: false }, (cell, c) => { headerCells[c] = excelText(plain(cell.value)).trim(); });
    const hasHeader = (options.header ?? true) && headerCells.some((h) => h !== undefined && h !== '');
    targetCols = columns.map((col, i) => {
      if (!hasHeader) return i + 1;
      const at = headerCells.findIndex((h) => h !== undefined && h.toLowerCase() === col.name.toLowerCase());
      if (at < 0) throw fail(file, `the sheet '${sheetName}' has no column '${col.name}' in its header row (it has ${headerCells.filter((h) => h).join(', ')})`);
      return at;
    });
    let last = 0;
    ws.eachRow({ includeEmpty: false }, (_r, n) => { if (n > last) last = n; });
    nextRow = last + 1;
  }
  const target = ws;
  let written = 0;
  let done = false;
  return {
    async write(rows) {
      if (done) throw new SsoError('SSO_ERR_ILLEGAL_STATE', `The Excel writer for '${file}' is finished`);
      for (const row of rows) {
        if (row.length !== columns.length) throw fail(file, `row ${written + 1} has ${row.length} values but ${columns.length} columns are mapped`);
        const r = target.getRow(nextRow++);
        for (let i = 0; i < columns.length; i++) {
          const cell = r.getCell(targetCols[i]!);
          try {
            cell.value = cellValue(row[i]);
          } catch (err) {
            throw fail(file, `row ${written + 1}, column '${columns[i]!.name}': ${(err as Error).message}`);
          }
          if (cell.value instanceof Date) cell.numFmt = isDateOnly(columns[i]!.type) ? 'yyyy-mm-dd' : 'yyyy-mm-dd hh:mm:ss';
        }
        r.commit();
        written++;
      }
    },
    async finish() {
      if (done) return written;
      done = true;
      const tmp = `${file}.${process.pid}.tmp.xlsx`;
      try {
        await wb.xlsx.writeFile(tmp);
        await rename(tmp, file);
      } catch (err) {
        await unlink(tmp).catch(() => undefined);
        throw fail(file, `cannot be written: ${(err as Error).message}`, err);
      }
      return written;
    },
    async abort() { done = true; },
  };
}

function isDateOnly(t: SsisType | undefined): boolean {
  return t?.name === 'DT_DBDATE';
}

/** An engine or JS value as a cell value (dates as UTC-field Dates, exact numbers as numbers). */
function cellValue(v: unknown): ExcelJS.CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) return String(v);
    return Number(v);
  }
  if (typeof v === 'object' && typeof (v as { unscaled?: unknown }).unscaled === 'bigint') return Number(formatDecimal(v as { unscaled: bigint; scale: number }));
  if (typeof v === 'object' && typeof (v as { ticks?: unknown }).ticks === 'bigint') {
    const ticks = (v as { ticks: bigint }).ticks;
    return new Date(Number((ticks - 621355968000000000n) / 10000n));
  }
  if (v instanceof Uint8Array) throw new Error('binary data (DT_BYTES/DT_IMAGE) cannot be written to an Excel cell');
  throw new Error(`a value of type ${typeof v} cannot be written to an Excel cell`);
}
