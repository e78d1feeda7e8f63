/**
 * Flat File Destination: writes its input to the FLATFILE connection's file in the manager's
 * layout: Overwrite (else append), the Header property text and the column-name row (when
 * ColumnNamesInFirstDataRow and the file is new or overwritten), per-column delimiters, the text
 * qualifier around text-qualified columns (embedded qualifiers doubled), fixed-width padding, and the
 * code page through iconv-lite. Writes wait for the stream to drain: a slow disk slows the flow.
 */
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import iconv from 'iconv-lite';
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentImplementation } from '../component.ts';
import { boolProp, connectionRef, prop } from '../component.ts';
import type { FlatFileFormat } from '../flat-file-format.ts';
import { encodingOf, flatFileFormat } from '../flat-file-format.ts';
import { fileConnection } from '../../connections/files.ts';
import type { Cell } from '../types.ts';
import { cellWriter } from '../types.ts';
import { T, isString } from '../../expressions/types.ts';
import type { SsisType } from '../../expressions/types.ts';

export const flatFileDestination: ComponentImplementation = {
  kind: 'flatFileDestination',
  validate(v) {
    const ref = connectionRef(v.component);
    if (!ref) return [{ path: v.component.path, severity: 'error', message: 'the Flat File Destination has no connection manager' }];
    if (!v.hasConnection(ref)) return [{ path: v.component.path, severity: 'error', message: `the Flat File Destination uses the connection manager '${ref}', which is not defined` }];
    return [];
  },
  create(host) {
    const c = host.component;
    const input = c.inputs[0];
    let out: WriteStream | undefined;
    let f: FlatFileFormat;
    let encoding = 'utf8';
    let count = 0;
    /** Per file column: where the value is, how it prints, whether it is qualified, its fixed width (-1: none), what follows it. */
    let plan: { slot: number; type: SsisType; text: (v: Cell) => string; qualify: boolean; width: number; suffix: string }[] = [];
    const write = async (text: string) => {
      const bytes = encoding === 'utf8' ? Buffer.from(text, 'utf8') : iconv.encode(text, encoding, { addBOM: false });
      if (!out!.write(bytes)) {
        await new Promise<void>((resolve, reject) => {
          const done = (err?: Error) => { out!.off('drain', done); out!.off('error', done); if (err) reject(err); else resolve(); };
          out!.on('drain', done);
          out!.on('error', done);
        });
      }
    };
    const field = (text: string, i: number, qualified: boolean): string => {
      const col = f.columns[i]!;
      const q = f.textQualifier;
      let t = text;
      if (q !== '' && col.textQualified && qualified) t = q + t.split(q).join(q + q) + q;
      if (col.columnType === 'FixedWidth' && f.format !== 'Delimited') t = t.length >= col.width ? t.slice(0, col.width) : t + ' '.repeat(col.width - t.length);
      return t + (i === f.columns.length - 1 ? (col.columnType === 'FixedWidth' && f.format !== 'Delimited' ? '' : f.rowDelimiter) : col.columnType === 'FixedWidth' && f.format !== 'Delimited' ? '' : col.delimiter);
    };
    return {
      async prepare() {
        const ref = connectionRef(c);
        const cm = ref ? host.connection(ref) : undefined;
        if (!cm) throw new SsoError('SSO_ERR_CONNECTION', `${c.path}: the connection manager '${ref ?? ''}' is not defined`);
        f = flatFileFormat(cm);
        encoding = encodingOf(f);
        if (!iconv.encodingExists(encoding)) throw new SsoError('SSO_ERR_CONNECTION', `${c.path}: code page ${f.codePage} is not supported`);
        const { path } = fileConnection(cm, host.workingDirectory);
        const overwrite = boolProp(c, 'Overwrite', true);
        await mkdir(dirname(path), { recursive: true });
        const existed = (await stat(path).catch(() => undefined))?.isFile() ?? false;
        out = createWriteStream(path, { flags: overwrite ? 'w' : 'a' });
        await new Promise<void>((resolve, reject) => { out!.once('open', () => resolve()); out!.once('error', reject); });
        // Input columns → file columns by external metadata name (the file's column order rules).
        const ext = input?.externalColumns ?? [];
        const byFileColumn = f.columns.map((fc) => {
          const e = ext.find((x) => x.name.toLowerCase() === fc.name.toLowerCase());
          const col = input?.columns.find((ic) => (e && ic.externalMetadataColumnId === e.id) || (!e && ic.name.toLowerCase() === fc.name.toLowerCase()));
          return col ? { slot: host.slot(col.lineageId), type: col.type ?? host.lineageType(col.lineageId) ?? T.wstr(4000) } : { slot: -1, type: fc.type };
        });
        const fixed = (i: number) => f.columns[i]!.columnType === 'FixedWidth' && f.format !== 'Delimited';
        plan = byFileColumn.map((p, i) => ({
          ...p, text: cellWriter(p.type), qualify: f.textQualifier !== '' && f.columns[i]!.textQualified && isString(p.type),
          width: fixed(i) ? f.columns[i]!.width : -1,
          suffix: fixed(i) ? '' : i === f.columns.length - 1 ? f.rowDelimiter : f.columns[i]!.delimiter,
        }));
        if (f.unicode && (overwrite || !existed)) out.write(Buffer.from([0xff, 0xfe]));
        const header = prop(c, 'Header');
        if (header !== '' && (overwrite || !existed)) await write(header + (header.endsWith('\n') ? '' : f.rowDelimiter));
        if (f.columnNamesInFirstDataRow && (overwrite || !existed)) {
          await write(f.columns.map((col, i) => field(col.name, i, true)).join(''));
        }
      },
      async receive(_input, rows) {
        // One string per buffer, encoded and written once (the layout is settled in `plan`).
        let text = '';
        const q = f.textQualifier;
        for (const row of rows) {
          for (let i = 0; i < plan.length; i++) {
            const p = plan[i]!;
            const v = p.slot < 0 ? null : row[p.slot] ?? null;
            let t = v === null ? '' : p.text(v);
            if (p.qualify && v !== null) t = q + (t.includes(q) ? t.split(q).join(q + q) : t) + q;
            if (p.width >= 0) t = t.length >= p.width ? t.slice(0, p.width) : t + ' '.repeat(p.width - t.length);
            text += t;
            text += p.suffix;
          }
        }
        count += rows.length;
        await write(text);
      },
      async finish() {
        if (out) await new Promise<void>((resolve, reject) => { out!.end(() => resolve()); out!.once('error', reject); });
        out = undefined;
        host.information(`"${c.name}" wrote ${count} rows.`);
      },
      async cleanup() {
        if (out) await new Promise<void>((resolve) => out!.end(() => resolve()));
      },
    };
  },
};
