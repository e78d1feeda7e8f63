/**
 * Export Column and Import Column: column values to and from files, one file per row.
 *
 * Export Column: an input column holding a file path names the data column it writes by
 * `FileDataColumnID`; its `AllowAppend`, `ForceTruncate` and `WriteBOM` say how (as SSIS: an
 * existing file without either fails the row, append adds to it, truncate replaces it, both at
 * once is a validation error; a BOM is written for Unicode text only when the file is not
 * appended to). DT_IMAGE/DT_BYTES are written as they are, DT_NTEXT/DT_WSTR as UTF-16LE,
 * DT_TEXT/DT_STR in their code page. A NULL path or NULL data writes nothing.
 *
 * Import Column: an input column holding a file path names the output column it fills by
 * `FileDataColumnID` (`ExpectBOM`: skip a UTF-16 byte-order mark); DT_IMAGE gets the bytes,
 * DT_NTEXT the UTF-16LE text, DT_TEXT the text decoded from its code page. A missing file follows
 * the input column's error disposition. Relative paths are taken from the task's working folder.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import iconv from 'iconv-lite';
import type { ComponentHost, ComponentImplementation, Row } from '../component.ts';
import { HRESULT, outputsOf } from '../component.ts';
import type { PipelineColumn, PipelineInput } from '../pipeline.ts';
import type { SsisType } from '../../expressions/types.ts';
import { T } from '../../expressions/types.ts';
import { encodingOf } from '../flat-file-format.ts';
import { lineageRef } from './data-conversion.ts';

const yes = (v: string | undefined) => ['true', '1', '-1'].includes((v ?? '').trim().toLowerCase());
const pathOf = (host: ComponentHost, p: string) => (isAbsolute(p) || !host.workingDirectory ? p : join(host.workingDirectory, p));
const codePageOf = (t: SsisType) => ('codepage' in t ? Number((t as { codepage: number }).codepage) : 1252);
/** The column's error disposition, else its input's (SSDT writes it on the column), else fail. */
const dispositionOf = (col: PipelineColumn, input: PipelineInput) => (col.errorDisposition !== 'notUsed' ? col.errorDisposition : input.errorDisposition === 'notUsed' ? 'fail' : input.errorDisposition);
const unicode = (t: SsisType) => t.name === 'DT_NTEXT' || t.name === 'DT_WSTR';

function bytesOf(value: unknown, type: SsisType, bom: boolean): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value);
  const text = String(value);
  if (unicode(type)) return Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, 'utf16le')]);
  return iconv.encode(text, encodingOf({ unicode: false, codePage: codePageOf(type) }));
}

export const exportColumn: ComponentImplementation = {
  kind: 'exportColumn',
  validate(v) {
    const c = v.component;
    const cols = c.inputs[0]?.columns ?? [];
    const problems = [];
    const pairs = cols.filter((x) => cols.some((d) => d !== x && (d.id === lineageRef(x.properties.FileDataColumnID) || d.lineageId === lineageRef(x.properties.FileDataColumnID))));
    if (pairs.length === 0) problems.push({ path: c.path, severity: 'error' as const, message: `the Export Column '${c.name}' has no file path column naming a data column (FileDataColumnID)` });
    for (const p of pairs) if (yes(p.properties.AllowAppend) && yes(p.properties.ForceTruncate)) problems.push({ path: c.path, severity: 'error' as const, message: `column '${p.name}': AllowAppend and ForceTruncate cannot both be set` });
    return problems;
  },
  create(host) {
    const c = host.component;
    const input = c.inputs[0]!;
    const { normal, error } = outputsOf(c);
    const typeOf = (col: PipelineColumn) => col.type ?? host.lineageType(col.lineageId) ?? T.IMAGE;
    const pairs = input.columns.flatMap((pathCol) => {
      const ref = lineageRef(pathCol.properties.FileDataColumnID);
      const data = input.columns.find((d) => d !== pathCol && (d.id === ref || d.lineageId === ref));
      return data ? [{ pathCol, data, pathSlot: host.slot(pathCol.lineageId), dataSlot: host.slot(data.lineageId), type: typeOf(data), append: yes(pathCol.properties.AllowAppend), truncate: yes(pathCol.properties.ForceTruncate), bom: yes(pathCol.properties.WriteBOM) }] : [];
    });
    let rowNumber = 0, files = 0;
    return {
      async receive(_input, rows) {
        const out: Row[] = [];
        for (const row of rows) {
          rowNumber++;
          let keep = true;
          for (const p of pairs) {
            const path = row[p.pathSlot] ?? null, value = row[p.dataSlot] ?? null;
            if (path === null || value === null) continue;
            const file = pathOf(host, String(path));
            try {
              const exists = existsSync(file);
              if (exists && !p.append && !p.truncate) throw new Error(`the file '${file}' exists and neither AllowAppend nor ForceTruncate is set`);
              if (exists && p.append) appendFileSync(file, bytesOf(value, p.type, false));
              else writeFileSync(file, bytesOf(value, p.type, p.bom && unicode(p.type)));
              files++;
            } catch (err) {
              const r = host.handle(row, rowNumber, { problem: 'error', column: p.pathCol, code: HRESULT.processInputFailed, message: (err as Error).message }, dispositionOf(p.pathCol, input), error);
              if (r === 'redirect') { keep = false; break; }
            }
          }
          if (keep) out.push(row);
        }
        if (normal[0]) await host.send(normal[0], out);
        await host.flushErrors();
      },
      async finish() { host.information(`"${c.name}" wrote ${files} files.`); },
    };
  },
};

export const importColumn: ComponentImplementation = {
  kind: 'importColumn',
  validate(v) {
    const c = v.component;
    const outs = outputsOf(c).normal.flatMap((o) => o.columns);
    const ok = (c.inputs[0]?.columns ?? []).some((x) => { const r = lineageRef(x.properties.FileDataColumnID); return outs.some((o) => o.id === r || o.lineageId === r); });
    return ok ? [] : [{ path: c.path, severity: 'error', message: `the Import Column '${c.name}' has no file path column naming an output column (FileDataColumnID)` }];
  },
  create(host) {
    const c = host.component;
    const input = c.inputs[0]!;
    const { normal, error } = outputsOf(c);
    const outs = normal.flatMap((o) => o.columns);
    const pairs = input.columns.flatMap((pathCol) => {
      const r = lineageRef(pathCol.properties.FileDataColumnID);
      const o = outs.find((x) => x.id === r || x.lineageId === r);
      return o ? [{ pathCol, pathSlot: host.slot(pathCol.lineageId), outSlot: host.slot(o.lineageId), type: o.type ?? T.IMAGE, bom: yes(pathCol.properties.ExpectBOM) }] : [];
    });
    let rowNumber = 0;
    return {
      async receive(_input, rows) {
        const out: Row[] = [];
        for (const row of rows) {
          rowNumber++;
          let keep = true;
          for (const p of pairs) {
            const path = row[p.pathSlot] ?? null;
            if (path === null) { row[p.outSlot] = null; continue; }
            try {
              let bytes = readFileSync(pathOf(host, String(path)));
              if (unicode(p.type)) {
                if (p.bom && bytes[0] === 0xff && bytes[1] === 0xfe) bytes = bytes.subarray(2);
                row[p.outSlot] = bytes.toString('utf16le');
              } else if (p.type.name === 'DT_TEXT' || p.type.name === 'DT_STR') row[p.outSlot] = iconv.decode(bytes, encodingOf({ unicode: false, codePage: codePageOf(p.type) }));
              else row[p.outSlot] = new Uint8Array(bytes);
            } catch (err) {
              const r = host.handle(row, rowNumber, { problem: 'error', column: p.pathCol, code: HRESULT.processInputFailed, message: `cannot read the file '${String(path)}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }, dispositionOf(p.pathCol, input), error);
              if (r === 'redirect') { keep = false; break; }
              row[p.outSlot] = null;
            }
          }
          if (keep) out.push(row);
        }
        if (normal[0]) await host.send(normal[0], out);
        await host.flushErrors();
      },
    };
  },
};
