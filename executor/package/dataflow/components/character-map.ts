/**
 * Character Map: applies LCMapString-style mappings to text columns, in place (an input column
 * with `MapFlags`, usage read/write) or into a new output column (`MapFlags` and
 * `InputColumnLineageID`). Flags as SSIS stores them: 0x100 lowercase, 0x200 uppercase,
 * 0x1000000 linguistic casing (with either), 0x800 byte reversal (of each UTF-16 code unit),
 * 0x100000 hiragana, 0x200000 katakana, 0x400000 half width, 0x800000 full width. Simplified /
 * traditional Chinese (0x2000000 / 0x4000000) need Windows' tables and are refused by validation.
 * Casing is Unicode's (en-US); a result longer than the output column follows its truncation
 * disposition.
 */
import type { ComponentImplementation, Row } from '../component.ts';
import { outputsOf } from '../component.ts';
import type { PipelineColumn } from '../pipeline.ts';
import { T, isString } from '../../expressions/types.ts';
import { lineageRef } from './data-conversion.ts';

const LOWER = 0x100, UPPER = 0x200, BYTEREV = 0x800, HIRAGANA = 0x100000, KATAKANA = 0x200000, HALF = 0x400000, FULL = 0x800000, LINGUISTIC = 0x1000000;
const CHINESE = 0x2000000 | 0x4000000;
const KNOWN = LOWER | UPPER | BYTEREV | HIRAGANA | KATAKANA | HALF | FULL | LINGUISTIC;

/** Full-width katakana (and the combining sound marks) → half-width forms, from NFKC of U+FF61-FF9F. */
const TO_HALF_KANA = (() => {
  const m = new Map<string, string>([['\u3099', '\uff9e'], ['\u309a', '\uff9f']]);
  for (let cp = 0xff61; cp <= 0xff9f; cp++) { const h = String.fromCharCode(cp); m.set(h.normalize('NFKC'), h); }
  return m;
})();

export function mapText(text: string, flags: number): string {
  let t = text;
  if (flags & LOWER) t = t.toLocaleLowerCase('en-US');
  if (flags & UPPER) t = t.toLocaleUpperCase('en-US');
  if (flags & HIRAGANA) t = t.replace(/[\u30a1-\u30f6]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0x60));
  if (flags & KATAKANA) t = t.replace(/[\u3041-\u3096]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0x60));
  if (flags & FULL) {
    t = t.replace(/[\u0021-\u007e]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).replace(/ /g, '\u3000')
      .replace(/[\uff61-\uff9f]+/g, (run) => run.normalize('NFKC'));
  }
  if (flags & HALF) {
    t = t.replace(/[\uff01-\uff5e]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ')
      .replace(/[\u30a1-\u30fc\u3001\u3002\u300c\u300d\u30fb]/g, (ch) => [...ch.normalize('NFD')].map((x) => TO_HALF_KANA.get(x) ?? x).join(''));
  }
  if (flags & BYTEREV) {
    let r = '';
    for (let i = 0; i < t.length; i++) { const u = t.charCodeAt(i); r += String.fromCharCode(((u & 0xff) << 8) | (u >> 8)); }
    t = r;
  }
  return t;
}

const flagsOf = (col: PipelineColumn) => Number(col.properties.MapFlags ?? 0) >>> 0;

export const characterMap: ComponentImplementation = {
  kind: 'characterMap',
  validate(v) {
    const c = v.component;
    const cols = [...(c.inputs[0]?.columns.filter((x) => x.properties.MapFlags !== undefined) ?? []), ...outputsOf(c).normal.flatMap((o) => o.columns)];
    const problems = [];
    for (const col of cols) {
      const f = flagsOf(col);
      if (f & CHINESE) problems.push({ path: c.path, severity: 'error' as const, message: `column '${col.name}' maps to simplified or traditional Chinese (MapFlags 0x${f.toString(16)}), which needs Windows' conversion tables and is not supported` });
      else if ((f & ~KNOWN) !== 0) problems.push({ path: c.path, severity: 'error' as const, message: `column '${col.name}' has unknown MapFlags 0x${f.toString(16)}` });
      if ((f & LOWER) && (f & UPPER)) problems.push({ path: c.path, severity: 'error' as const, message: `column '${col.name}' maps to both lowercase and uppercase` });
    }
    return problems;
  },
  create(host) {
    const c = host.component;
    const input = c.inputs[0]!;
    const { normal, error } = outputsOf(c);
    const output = normal[0];
    const maps: { from: number; to: number; flags: number; col: PipelineColumn; max: number }[] = [];
    const maxOf = (col: PipelineColumn) => { const t = col.type ?? host.lineageType(col.lineageId) ?? T.NTEXT; return isString(t) && 'length' in t && (t as { length: number }).length > 0 ? (t as { length: number }).length : Infinity; };
    for (const col of input.columns) if (col.properties.MapFlags !== undefined && col.usageType.toLowerCase() === 'readwrite') maps.push({ from: host.slot(col.lineageId), to: host.slot(col.lineageId), flags: flagsOf(col), col, max: maxOf(col) });
    for (const col of output?.columns ?? []) maps.push({ from: host.slot(lineageRef(col.properties.InputColumnLineageID)), to: host.slot(col.lineageId), flags: flagsOf(col), col, max: maxOf(col) });
    let rowNumber = 0;
    return {
      async receive(_input, rows) {
        const out: Row[] = [];
        for (const row of rows) {
          rowNumber++;
          let keep = true;
          for (const m of maps) {
            const v = row[m.from] ?? null;
            if (typeof v !== 'string') { row[m.to] = v; continue; }
            const mapped = mapText(v, m.flags);
            if (mapped.length > m.max) {
              const r = host.handle(row, rowNumber, { problem: 'truncation', column: m.col, code: -1071607675, message: `the mapped text has ${mapped.length} characters, more than the column's ${m.max}` }, m.col.truncationDisposition, error);
              if (r === 'redirect') { keep = false; break; }
              row[m.to] = mapped.slice(0, m.max);
              continue;
            }
            row[m.to] = mapped;
          }
          if (keep) out.push(row);
        }
        if (output) await host.send(output, out);
        await host.flushErrors();
      },
    };
  },
};
