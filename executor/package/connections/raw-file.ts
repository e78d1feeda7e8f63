/**
 * Raw files for the Raw File Source and Destination. SSIS's own raw file layout is not documented
 * by Microsoft, so this is our own format, documented here, holding exactly the data flow's column
 * types and values (executor/package/expressions/types.ts shapes). Files written by SSIS cannot be
 * read, nor ours by SSIS: raw files are a staging format between packages of the same engine.
 *
 * Layout (all integers little-endian):
 *   header  "SSORAW\r\n" (8 bytes) · u16 format version (1) · u16 column count ·
 *           per column: u16 name byte length · name (UTF-8) · u16 SSIS DataType code (DT_I4 = 3,
 *           DT_WSTR = 130, … as SSIS numbers them) · u32 length · u8 precision · u8 scale · u32 code page
 *   blocks  u32 row count · u32 payload byte length · payload; appending adds blocks at the end.
 *   payload per row: a NULL bitmap (bit i of byte i/8 set = column i is NULL), then each non-NULL value:
 *           DT_BOOL u8 · DT_I1/I2/I4/I8 and DT_UI1…UI8 their width · DT_R4 f32 · DT_R8 f64 ·
 *           DT_CY/DT_NUMERIC/DT_DECIMAL u8 scale, u8 n, n bytes of the unscaled value (two's complement) ·
 *           date and time types i64 ticks, i16 offset minutes · text types and DT_GUID u32 n, n bytes UTF-8 ·
 *           DT_BYTES/DT_IMAGE u32 n, n bytes.
 * A truncated or damaged file is an error naming the file and the byte offset.
 *
 * Write options as the Raw File Destination's WriteOption: 0 create always, 1 create once (fail if
 * the file exists), 2 append (the file must exist with the same columns), 3 truncate and append (keep
 * the columns, drop the rows). A create (and a truncate and append) writes a temporary file renamed into
 * place by `finish`; an append that fails or is aborted cuts the file back to its old length: the file is
 * whole either way.
 */
import { open, rename, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { SsoError } from '../../../actors/errors.ts';
import type { SsisDateTime, SsisDecimal, SsisScalar, SsisType, SsisTypeName } from '../expressions/types.ts';
import { fromDriverValue, typeFacets, ValueConversionError } from './db-types.ts';
import { makeColumn, TypedRowReader } from './data-access.ts';
import type { DbColumn, Row, RowReader } from './provider.ts';

const MAGIC = Buffer.from('SSORAW\r\n', 'latin1');
const VERSION = 1;

/** SSIS's DataType codes (the `dataType` numbers of pipeline XML). */
export const SSIS_TYPE_CODES: Readonly<Record<SsisTypeName, number>> = {
  DT_NULL: 1, DT_I2: 2, DT_I4: 3, DT_R4: 4, DT_R8: 5, DT_CY: 6, DT_DATE: 7, DT_BOOL: 11, DT_DECIMAL: 14,
  DT_I1: 16, DT_UI1: 17, DT_UI2: 18, DT_UI4: 19, DT_I8: 20, DT_UI8: 21, DT_FILETIME: 64, DT_GUID: 72,
  DT_BYTES: 128, DT_STR: 129, DT_WSTR: 130, DT_NUMERIC: 131, DT_DBDATE: 133, DT_DBTIME: 134, DT_DBTIMESTAMP: 135,
  DT_DBTIME2: 145, DT_DBTIMESTAMPOFFSET: 146, DT_IMAGE: 301, DT_TEXT: 302, DT_NTEXT: 303, DT_DBTIMESTAMP2: 304,
};
const NAME_OF_CODE = new Map(Object.entries(SSIS_TYPE_CODES).map(([k, v]) => [v, k as SsisTypeName]));

export interface RawColumn {
  readonly name: string;
  readonly type: SsisType;
}

export type RawWriteOption = 'createAlways' | 'createOnce' | 'append' | 'truncateAppend';

/** The Raw File Destination's `WriteOption` property (0–3, or a name) as a write option. */
export function rawWriteOption(value: string | number | undefined): RawWriteOption {
  const v = String(value ?? '0').trim().toLowerCase().replace(/[\s_]/g, '');
  if (v === '0' || v === 'createalways') return 'createAlways';
  if (v === '1' || v === 'createonce') return 'createOnce';
  if (v === '2' || v === 'append') return 'append';
  if (v === '3' || v === 'truncateandappend' || v === 'truncateappend') return 'truncateAppend';
  throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `WriteOption '${value}' is not one of 0 (Create always), 1 (Create once), 2 (Append), 3 (Truncate and append)`, { where: 'WriteOption' });
}

function typeFromFacets(name: SsisTypeName, length: number, precision: number, scale: number, codePage: number): SsisType {
  switch (name) {
    case 'DT_STR': return { name, length, codepage: codePage };
    case 'DT_WSTR': case 'DT_BYTES': return { name, length };
    case 'DT_TEXT': return { name, codepage: codePage };
    case 'DT_NUMERIC': return { name, precision, scale };
    case 'DT_DECIMAL': case 'DT_DBTIME2': case 'DT_DBTIMESTAMP2': case 'DT_DBTIMESTAMPOFFSET': return { name, scale };
    default: return { name };
  }
}

const typeText = (t: SsisType) => {
  const f = typeFacets(t);
  return `${t.name}${f.length ? `(${f.length})` : ''}${f.precision || f.scale ? `(${f.precision},${f.scale})` : ''}${f.codePage ? ` cp${f.codePage}` : ''}`;
};

function encodeHeader(columns: readonly RawColumn[]): Buffer {
  if (columns.length === 0 || columns.length > 65535) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `A raw file needs 1 to 65535 columns, not ${columns.length}`);
  const parts: Buffer[] = [MAGIC];
  const head = Buffer.alloc(4);
  head.writeUInt16LE(VERSION, 0);
  head.writeUInt16LE(columns.length, 2);
  parts.push(head);
  for (const c of columns) {
    const name = Buffer.from(c.name, 'utf8');
    const f = typeFacets(c.type);
    const b = Buffer.alloc(2 + name.length + 2 + 4 + 1 + 1 + 4);
    let o = b.writeUInt16LE(name.length, 0);
    name.copy(b, o); o += name.length;
    o = b.writeUInt16LE(SSIS_TYPE_CODES[c.type.name], o);
    o = b.writeUInt32LE(Math.max(0, f.length), o);
    o = b.writeUInt8(f.precision, o);
    o = b.writeUInt8(f.scale, o);
    b.writeUInt32LE(f.codePage, o);
    parts.push(b);
  }
  return Buffer.concat(parts);
}

/** Reads the header; returns the columns and the offset of the first block. */
async function readHeader(fh: FileHandle, file: string): Promise<{ columns: RawColumn[]; dataStart: number }> {
  const bad = (offset: number, msg: string) => new SsoError('SSO_ERR_PACKAGE_RUN', `Raw file '${file}' is not a valid raw file at byte ${offset}: ${msg}`, { where: file });
  const first = Buffer.alloc(12);
  const { bytesRead } = await fh.read(first, 0, 12, 0);
  if (bytesRead < 12 || !first.subarray(0, 8).equals(MAGIC)) throw bad(0, 'it does not start with the raw file signature (a file written by SSIS itself cannot be read here)');
  const version = first.readUInt16LE(8);
  if (version !== VERSION) throw bad(8, `format version ${version} is not supported (this engine writes version ${VERSION})`);
  const count = first.readUInt16LE(10);
  let pos = 12;
  const columns: RawColumn[] = [];
  const need = async (n: number): Promise<Buffer> => {
    const b = Buffer.alloc(n);
    const r = await fh.read(b, 0, n, pos);
    if (r.bytesRead < n) throw bad(pos, 'the column list is cut short');
    pos += n;
    return b;
  };
  for (let i = 0; i < count; i++) {
    const nameLen = (await need(2)).readUInt16LE(0);
    const name = (await need(nameLen)).toString('utf8');
    const at = pos;
    const m = await need(12);
    const code = m.readUInt16LE(0);
    const typeName = NAME_OF_CODE.get(code);
    if (!typeName) throw bad(at, `column '${name}' has an unknown data type code ${code}`);
    columns.push({ name, type: typeFromFacets(typeName, m.readUInt32LE(2), m.readUInt8(6), m.readUInt8(7), m.readUInt32LE(8)) });
  }
  return { columns, dataStart: pos };
}

/** The columns of a raw file (the Raw File Source's metadata). */
export async function readRawFileColumns(file: string): Promise<RawColumn[]> {
  const fh = await openFile(file, 'r');
  try { return (await readHeader(fh, file)).columns; } finally { await fh.close(); }
}

async function openFile(file: string, flags: string): Promise<FileHandle> {
  try {
    return await open(file, flags);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SsoError('SSO_ERR_PACKAGE_RUN', code === 'ENOENT' ? `Raw file '${file}' does not exist` : `Raw file '${file}' cannot be opened: ${(err as Error).message}`, { where: file, cause: err });
  }
}

// ---- values --------------------------------------------------------------------------------------

class BlockWriter {
  private buf = Buffer.alloc(64 * 1024);
  length = 0;
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  u8(v: number): void { this.ensure(1); this.buf.writeUInt8(v, this.length); this.length += 1; }
  bytes(b: Uint8Array): void { this.ensure(b.length); this.buf.set(b, this.length); this.length += b.length; }
  lenBytes(b: Uint8Array): void { this.ensure(4); this.buf.writeUInt32LE(b.length, this.length); this.length += 4; this.bytes(b); }
  num(kind: 'i8' | 'i16' | 'i32' | 'u8' | 'u16' | 'u32' | 'f32' | 'f64', v: number): void {
    const w = { i8: 1, u8: 1, i16: 2, u16: 2, i32: 4, u32: 4, f32: 4, f64: 8 }[kind];
    this.ensure(w);
    const o = this.length;
    switch (kind) {
      case 'i8': this.buf.writeInt8(v, o); break;
      case 'u8': this.buf.writeUInt8(v, o); break;
      case 'i16': this.buf.writeInt16LE(v, o); break;
      case 'u16': this.buf.writeUInt16LE(v, o); break;
      case 'i32': this.buf.writeInt32LE(v, o); break;
      case 'u32': this.buf.writeUInt32LE(v, o); break;
      case 'f32': this.buf.writeFloatLE(v, o); break;
      case 'f64': this.buf.writeDoubleLE(v, o); break;
    }
    this.length += w;
  }
  big(signed: boolean, v: bigint): void {
    this.ensure(8);
    if (signed) this.buf.writeBigInt64LE(v, this.length); else this.buf.writeBigUInt64LE(v, this.length);
    this.length += 8;
  }
  take(): Buffer { const out = Buffer.from(this.buf.subarray(0, this.length)); this.length = 0; return out; }
}

function bigintBytes(v: bigint): Buffer {
  // Minimal two's complement, little-endian.
  const out: number[] = [];
  let x = v;
  for (;;) {
    const byte = Number(x & 0xffn);
    out.push(byte);
    x >>= 8n;
    if ((x === 0n && (byte & 0x80) === 0) || (x === -1n && (byte & 0x80) !== 0)) break;
  }
  return Buffer.from(out);
}

function bigintFrom(b: Buffer): bigint {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]!);
  if (b.length > 0 && (b[b.length - 1]! & 0x80) !== 0) x -= 1n << BigInt(8 * b.length);
  return x;
}

function writeValue(w: BlockWriter, t: SsisType, v: SsisScalar): void {
  switch (t.name) {
    case 'DT_BOOL': w.u8(v ? 1 : 0); return;
    case 'DT_I1': w.num('i8', v as number); return;
    case 'DT_I2': w.num('i16', v as number); return;
    case 'DT_I4': w.num('i32', v as number); return;
    case 'DT_UI1': w.num('u8', v as number); return;
    case 'DT_UI2': w.num('u16', v as number); return;
    case 'DT_UI4': w.num('u32', v as number); return;
    case 'DT_I8': w.big(true, v as bigint); return;
    case 'DT_UI8': w.big(false, v as bigint); return;
    case 'DT_R4': w.num('f32', v as number); return;
    case 'DT_R8': w.num('f64', v as number); return;
    case 'DT_CY': case 'DT_NUMERIC': case 'DT_DECIMAL': {
      const d = v as SsisDecimal;
      const b = bigintBytes(d.unscaled);
      if (b.length > 255 || d.scale > 255 || d.scale < 0) throw new ValueConversionError('the exact number is too large');
      w.u8(d.scale); w.u8(b.length); w.bytes(b); return;
    }
    case 'DT_DATE': case 'DT_DBDATE': case 'DT_DBTIME': case 'DT_DBTIME2': case 'DT_DBTIMESTAMP': case 'DT_DBTIMESTAMP2':
    case 'DT_DBTIMESTAMPOFFSET': case 'DT_FILETIME': {
      const d = v as SsisDateTime;
      w.big(true, d.ticks); w.num('i16', d.offsetMinutes); return;
    }
    case 'DT_BYTES': case 'DT_IMAGE': w.lenBytes(v as Uint8Array); return;
    default: w.lenBytes(Buffer.from(String(v), 'utf8'));
  }
}

function checkRange(t: SsisType, v: SsisScalar): void {
  const ranges: Partial<Record<SsisTypeName, [number, number]>> = {
    DT_I1: [-128, 127], DT_I2: [-32768, 32767], DT_I4: [-2147483648, 2147483647], DT_UI1: [0, 255], DT_UI2: [0, 65535], DT_UI4: [0, 4294967295],
  };
  const r = ranges[t.name];
  if (r && ((v as number) < r[0] || (v as number) > r[1] || !Number.isInteger(v))) throw new ValueConversionError(`${String(v)} does not fit ${t.name}`);
  if (t.name === 'DT_I8' && ((v as bigint) < -(2n ** 63n) || (v as bigint) >= 2n ** 63n)) throw new ValueConversionError(`${String(v)} does not fit DT_I8`);
  if (t.name === 'DT_UI8' && ((v as bigint) < 0n || (v as bigint) >= 2n ** 64n)) throw new ValueConversionError(`${String(v)} does not fit DT_UI8`);
}

// ---- writer --------------------------------------------------------------------------------------

export interface RawWriteOptions {
  /** Default 'createAlways'. */
  readonly writeOption?: RawWriteOption;
  /** Rows per block (default 10,000): a block is written when full. */
  readonly rowsPerBlock?: number;
}

export interface RawFileWriter {
  readonly columns: readonly RawColumn[];
  /** Adds rows: values in column order, engine values or plain JS values of the column's type. */
  write(rows: readonly (readonly unknown[])[]): Promise<void>;
  /** Writes what is buffered and makes the file final; returns the rows written by this writer. */
  finish(): Promise<number>;
  /** Leaves the file as it was before (a create leaves no file; an append cuts back). */
  abort(): Promise<void>;
}

export async function openRawFileWriter(file: string, columns: readonly RawColumn[], options: RawWriteOptions = {}): Promise<RawFileWriter> {
  const mode = options.writeOption ?? 'createAlways';
  const exists = await stat(file).then(() => true, () => false);
  const fail = (msg: string) => new SsoError('SSO_ERR_PACKAGE_RUN', `Raw file '${file}': ${msg}`, { where: file });
  if (mode === 'createOnce' && exists) throw fail('the file already exists and the write option is Create once');
  if ((mode === 'append' || mode === 'truncateAppend') && !exists) throw fail(`the file does not exist, so it cannot be appended to (write option ${mode === 'append' ? 'Append' : 'Truncate and append'})`);
  let fh: FileHandle;
  let target = file;
  let originalLength = 0;
  const header = encodeHeader(columns);
  if (mode === 'append' || mode === 'truncateAppend') {
    // Both check the file's columns; truncate and append then writes a new file like a create, so a
    // failure keeps the old rows.
    fh = await openFile(file, mode === 'append' ? 'r+' : 'r');
    try {
      const { columns: have } = await readHeader(fh, file);
      const mismatch = compareColumns(have, columns);
      if (mismatch) throw fail(`the columns do not match the file's: ${mismatch}`);
      originalLength = (await fh.stat()).size;
    } catch (err) { await fh.close(); throw err; }
    if (mode === 'truncateAppend') await fh.close();
  }
  if (mode !== 'append') {
    target = `${file}.${process.pid}.${Date.now()}.tmp`;
    fh = await openFile(target, 'w');
    await fh.write(header, 0, header.length, 0);
    originalLength = header.length;
  }
  let position = mode === 'append' ? originalLength : header.length;
  const perBlock = Math.max(1, options.rowsPerBlock ?? 10_000);
  const block = new BlockWriter();
  let blockRows = 0, written = 0, closed = false;
  const nullBytes = Math.ceil(columns.length / 8);

  const flush = async () => {
    if (blockRows === 0) return;
    const payload = block.take();
    const head = Buffer.alloc(8);
    head.writeUInt32LE(blockRows, 0);
    head.writeUInt32LE(payload.length, 4);
    await fh.write(head, 0, 8, position);
    await fh.write(payload, 0, payload.length, position + 8);
    position += 8 + payload.length;
    blockRows = 0;
  };
  const undo = async () => {
    if (closed) return;
    closed = true;
    if (target !== file) { await fh.close().catch(() => undefined); await unlink(target).catch(() => undefined); }
    else { await fh.truncate(originalLength).catch(() => undefined); await fh.close().catch(() => undefined); }
  };

  return {
    columns,
    async write(rows) {
      if (closed) throw new SsoError('SSO_ERR_ILLEGAL_STATE', `The raw file writer for '${file}' is closed`);
      for (const row of rows) {
        const n = written + 1;
        if (row.length !== columns.length) { await undo(); throw fail(`row ${n} has ${row.length} values but the file has ${columns.length} columns`); }
        const flags = new Uint8Array(nullBytes);
        const values: (SsisScalar | null)[] = new Array(columns.length);
        for (let i = 0; i < columns.length; i++) {
          try {
            const v = fromDriverValue(row[i], columns[i]!.type, true);
            if (v !== null) checkRange(columns[i]!.type, v);
            values[i] = v;
          } catch (err) {
            if (!(err instanceof ValueConversionError)) throw err;
            await undo();
            throw fail(`row ${n}, column '${columns[i]!.name}' (${typeText(columns[i]!.type)}): ${err.message}`);
          }
          if (values[i] === null) flags[i >> 3]! |= 1 << (i & 7);
        }
        block.bytes(flags);
        for (let i = 0; i < columns.length; i++) if (values[i] !== null) writeValue(block, columns[i]!.type, values[i]!);
        blockRows++;
        written++;
        if (blockRows >= perBlock) {
          try { await flush(); } catch (err) { await undo(); throw fail(`cannot be written: ${(err as Error).message}`); }
        }
      }
    },
    async finish() {
      if (closed) return written;
      try {
        await flush();
        await fh.sync();
        await fh.close();
        closed = true;
        if (target !== file) await rename(target, file);
      } catch (err) {
        await undo();
        if (target !== file) await unlink(target).catch(() => undefined);
        throw fail(`cannot be written: ${(err as Error).message}`);
      }
      return written;
    },
    abort: undo,
  };
}

/** Why two column lists differ (name, type, order), or undefined when they match. */
function compareColumns(have: readonly RawColumn[], want: readonly RawColumn[]): string | undefined {
  if (have.length !== want.length) return `the file has ${have.length} columns (${have.map((c) => c.name).join(', ')}), the writer ${want.length} (${want.map((c) => c.name).join(', ')})`;
  for (let i = 0; i < have.length; i++) {
    if (have[i]!.name !== want[i]!.name) return `column ${i + 1} is '${have[i]!.name}' in the file but '${want[i]!.name}' in the writer`;
    if (typeText(have[i]!.type) !== typeText(want[i]!.type)) return `column '${have[i]!.name}' is ${typeText(have[i]!.type)} in the file but ${typeText(want[i]!.type)} in the writer`;
  }
  return undefined;
}

// ---- reader --------------------------------------------------------------------------------------

export interface RawReadOptions {
  /** Rows per batch from `next()` (default 10,000). */
  readonly batchRows?: number;
  /** Only these columns, in this order (matched by exact name, then case-insensitively). */
  readonly columns?: readonly string[];
}

/** Reads a raw file block by block (memory bounded by the block size and `batchRows`). */
export async function openRawFileReader(file: string, options: RawReadOptions = {}): Promise<RowReader> {
  const fh = await openFile(file, 'r');
  let header: { columns: RawColumn[]; dataStart: number };
  try { header = await readHeader(fh, file); } catch (err) { await fh.close(); throw err; }
  const all = header.columns;
  const pick = options.columns
    ? options.columns.map((want) => {
      const i = all.findIndex((c) => c.name === want);
      const j = i >= 0 ? i : all.findIndex((c) => c.name.toLowerCase() === want.toLowerCase());
      if (j < 0) { void fh.close(); throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `Raw file '${file}' has no column '${want}' (it has ${all.map((c) => c.name).join(', ')})`, { where: file }); }
      return j;
    })
    : all.map((_c, i) => i);
  const columns: DbColumn[] = pick.map((i) => makeColumn(all[i]!.name, all[i]!.type, 'raw'));
  const size = (await fh.stat()).size;
  let pos = header.dataStart;
  let pending: Row[] = [];
  let open_ = true;
  const bad = (offset: number, msg: string) => new SsoError('SSO_ERR_PACKAGE_RUN', `Raw file '${file}' is damaged at byte ${offset}: ${msg}`, { where: file });

  const readBlock = async (): Promise<Row[] | null> => {
    if (pos >= size) return null;
    const head = Buffer.alloc(8);
    if ((await fh.read(head, 0, 8, pos)).bytesRead < 8) throw bad(pos, 'a block header is cut short');
    const rows = head.readUInt32LE(0), len = head.readUInt32LE(4);
    const payload = Buffer.alloc(len);
    if ((await fh.read(payload, 0, len, pos + 8)).bytesRead < len) throw bad(pos, `the block of ${rows} rows is cut short (the file ends before its ${len} bytes)`);
    const blockStart = pos + 8;
    pos += 8 + len;
    let o = 0;
    const need = (n: number) => { if (o + n > len) throw bad(blockStart + o, 'a value runs past the end of its block'); };
    const nullBytes = Math.ceil(all.length / 8);
    const out: Row[] = new Array(rows);
    for (let r = 0; r < rows; r++) {
      need(nullBytes);
      const flags = payload.subarray(o, o + nullBytes);
      o += nullBytes;
      const full: (SsisScalar | null)[] = new Array(all.length);
      for (let i = 0; i < all.length; i++) {
        if ((flags[i >> 3]! & (1 << (i & 7))) !== 0) { full[i] = null; continue; }
        const t = all[i]!.type;
        switch (t.name) {
          case 'DT_BOOL': need(1); full[i] = payload.readUInt8(o) !== 0; o += 1; break;
          case 'DT_I1': need(1); full[i] = payload.readInt8(o); o += 1; break;
          case 'DT_UI1': need(1); full[i] = payload.readUInt8(o); o += 1; break;
          case 'DT_I2': need(2); full[i] = payload.readInt16LE(o); o += 2; break;
          case 'DT_UI2': need(2); full[i] = payload.readUInt16LE(o); o += 2; break;
          case 'DT_I4': need(4); full[i] = payload.readInt32LE(o); o += 4; break;
          case 'DT_UI4': need(4); full[i] = payload.readUInt32LE(o); o += 4; break;
          case 'DT_I8': need(8); full[i] = payload.readBigInt64LE(o); o += 8; break;
          case 'DT_UI8': need(8); full[i] = payload.readBigUInt64LE(o); o += 8; break;
          case 'DT_R4': need(4); full[i] = payload.readFloatLE(o); o += 4; break;
          case 'DT_R8': need(8); full[i] = payload.readDoubleLE(o); o += 8; break;
          case 'DT_CY': case 'DT_NUMERIC': case 'DT_DECIMAL': {
            need(2);
            const scale = payload.readUInt8(o), n = payload.readUInt8(o + 1);
            o += 2; need(n);
            full[i] = { unscaled: bigintFrom(payload.subarray(o, o + n)), scale };
            o += n;
            break;
          }
          case 'DT_DATE': case 'DT_DBDATE': case 'DT_DBTIME': case 'DT_DBTIME2': case 'DT_DBTIMESTAMP': case 'DT_DBTIMESTAMP2':
          case 'DT_DBTIMESTAMPOFFSET': case 'DT_FILETIME':
            need(10); full[i] = { ticks: payload.readBigInt64LE(o), offsetMinutes: payload.readInt16LE(o + 8) }; o += 10; break;
          case 'DT_BYTES': case 'DT_IMAGE': {
            need(4); const n = payload.readUInt32LE(o); o += 4; need(n);
            full[i] = new Uint8Array(payload.subarray(o, o + n)); o += n; break;
          }
          default: {
            need(4); const n = payload.readUInt32LE(o); o += 4; need(n);
            full[i] = payload.toString('utf8', o, o + n); o += n;
          }
        }
      }
      out[r] = pick.map((i) => full[i]!);
    }
    if (o !== len) throw bad(blockStart + o, `${len - o} bytes are left over after the block's ${rows} rows`);
    return out;
  };

  const pull = async (max: number): Promise<unknown[][] | null> => {
    while (pending.length < max) {
      const b = await readBlock();
      if (b === null) break;
      pending = pending.length === 0 ? b : pending.concat(b);
    }
    if (pending.length === 0) return null;
    const outRows = pending.slice(0, max);
    pending = pending.slice(max);
    return outRows as unknown[][];
  };
  const release = async () => { if (open_) { open_ = false; pending = []; await fh.close(); } };
  return new TypedRowReader(columns, pull, release, Math.max(1, options.batchRows ?? 10_000), true, undefined, true);
}
