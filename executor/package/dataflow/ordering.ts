/**
 * Ordering of buffer values as the Sort, Merge and Merge Join transformations compare them, sort
 * keys read from pipeline metadata, and the memory bound of the blocking components (sorted runs
 * spilled to temporary files and merged back).
 *
 * Comparison follows SSIS: NULL sorts before every value; numbers, decimals, dates and bytes by
 * value; strings by a linguistic comparison (Windows' CompareString in SSIS, `Intl.Collator` here)
 * whose comparison flags are SSIS's: 1 ignore case, 2 ignore non-spacing characters (accents),
 * 4 ignore symbols, 8 ignore kana type, 16 ignore character width. Flags 0 are case- and
 * accent-sensitive, as SSIS's default.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, getHeapStatistics, serialize } from 'node:v8';
import type { SsisDateTime, SsisDecimal } from '../expressions/types.ts';
import { compareDecimal } from '../expressions/decimal.ts';
import type { Row } from './component.ts';
import type { PipelineColumn, PipelineComponent, PipelineDef, PipelineInput, PipelineOutput } from './pipeline.ts';
import type { Cell } from './types.ts';

export const COMPARE_IGNORE_CASE = 1;
export const COMPARE_IGNORE_NONSPACE = 2;
export const COMPARE_IGNORE_SYMBOLS = 4;
export const COMPARE_IGNORE_KANA = 8;
export const COMPARE_IGNORE_WIDTH = 16;

const collators = new Map<number, Intl.Collator>();

/** Folds text for the flags the collator cannot express (kana type, width, symbols). */
function fold(s: string, flags: number): string {
  let t = s;
  if (flags & COMPARE_IGNORE_WIDTH) t = t.normalize('NFKC');
  if (flags & COMPARE_IGNORE_KANA) t = t.replace(/[\u30a1-\u30f6]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0x60));
  return t;
}

export function stringComparer(flags: number): (a: string, b: string) => number {
  let c = collators.get(flags);
  if (!c) {
    const ignoreCase = (flags & COMPARE_IGNORE_CASE) !== 0, ignoreAccent = (flags & COMPARE_IGNORE_NONSPACE) !== 0;
    const sensitivity = ignoreCase && ignoreAccent ? 'base' : ignoreCase ? 'accent' : ignoreAccent ? 'case' : 'variant';
    c = new Intl.Collator('en-US', { sensitivity, ignorePunctuation: (flags & COMPARE_IGNORE_SYMBOLS) !== 0, caseFirst: 'lower' });
    collators.set(flags, c);
  }
  const coll = c;
  const folding = (flags & (COMPARE_IGNORE_KANA | COMPARE_IGNORE_WIDTH)) !== 0;
  return folding ? (a, b) => coll.compare(fold(a, flags), fold(b, flags)) : (a, b) => (a === b ? 0 : coll.compare(a, b));
}

/** Compares two non-NULL cells of the same column type. */
export function compareValues(a: Exclude<Cell, null>, b: Exclude<Cell, null>, strings: (a: string, b: string) => number): number {
  if (typeof a === 'string' && typeof b === 'string') return strings(a, b);
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? -1 : 1; // TRUE is -1 in SSIS
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  if (typeof a === 'object' && typeof b === 'object') {
    if ('unscaled' in a && 'unscaled' in b) return compareDecimal(a as SsisDecimal, b as SsisDecimal);
    if ('ticks' in a && 'ticks' in b) {
      const x = (a as SsisDateTime).ticks - BigInt((a as SsisDateTime).offsetMinutes) * 600_000_000n;
      const y = (b as SsisDateTime).ticks - BigInt((b as SsisDateTime).offsetMinutes) * 600_000_000n;
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
  const x = String(a), y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export interface SortKey {
  /** Index of the value in the rows being compared. */
  readonly index: number;
  readonly descending: boolean;
  readonly flags: number;
}

/** A row comparator over `keys` (NULL first ascending, last descending). */
export function rowComparer(keys: readonly SortKey[]): (a: readonly Cell[], b: readonly Cell[]) => number {
  const parts = keys.map((k) => ({ index: k.index, sign: k.descending ? -1 : 1, strings: stringComparer(k.flags) }));
  return (a, b) => {
    for (const p of parts) {
      const x = a[p.index] ?? null, y = b[p.index] ?? null;
      let r: number;
      if (x === null || y === null) r = x === null ? (y === null ? 0 : -1) : 1;
      else r = compareValues(x, y, p.strings);
      if (r !== 0) return r * p.sign;
    }
    return 0;
  };
}

/**
 * Sorts `rows` by `keys` exactly as a stable `rows.sort(rowComparer(keys))` orders them, without a
 * comparator call per pair (Intl.Collator's compare is the Sort's main cost): each key column's
 * distinct values are ranked once with the key's own comparison (equal-comparing values share a
 * rank, NULL ranks first), the ranks are combined into one integer per row with the row's position
 * as the last digit (stability), and a Float64Array sorts those natively. When the combined number
 * would not be exact in a double, the ranks are compared per pair instead; when a key column holds
 * other values than strings, numbers, bigints and Booleans (or mixes them, or holds NaN) the
 * comparator sorts the rows. Returns the sorted array (`rows` itself when it falls back).
 */
export function sortRows(rows: Row[], keys: readonly SortKey[]): Row[] {
  const n = rows.length;
  const compare = rowComparer(keys);
  if (n < 2 || keys.length === 0) return rows.sort(compare);
  const ranks: Int32Array[] = [];
  const sizes: number[] = [];
  for (const k of keys) {
    const distinct = new Map<Exclude<Cell, null>, number>();
    let kind: string | undefined;
    let hasNull = false;
    for (let i = 0; i < n; i++) {
      const v = rows[i]![k.index] ?? null;
      if (v === null) { hasNull = true; continue; }
      const t = typeof v;
      if (kind === undefined) {
        if (t !== 'string' && t !== 'number' && t !== 'boolean' && t !== 'bigint') return rows.sort(compare);
        kind = t;
      } else if (t !== kind) return rows.sort(compare);
      if (t === 'number' && Number.isNaN(v)) return rows.sort(compare);
      distinct.set(v, 0);
    }
    const strings = stringComparer(k.flags);
    const values = [...distinct.keys()].sort((a, b) => compareValues(a, b, strings));
    let rank = hasNull ? 1 : 0;
    for (let j = 0; j < values.length; j++) {
      if (j > 0 && compareValues(values[j - 1]!, values[j]!, strings) !== 0) rank++;
      distinct.set(values[j]!, rank);
    }
    const size = values.length === 0 ? 1 : rank + 1;
    const r = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = rows[i]![k.index] ?? null;
      const x = v === null ? 0 : distinct.get(v)!;
      r[i] = k.descending ? size - 1 - x : x;
    }
    ranks.push(r);
    sizes.push(size);
  }
  const span = sizes.reduce((a, b) => a * b, 1) * n;
  if (span <= Number.MAX_SAFE_INTEGER) {
    const order = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let c = 0;
      for (let k = 0; k < ranks.length; k++) c = c * sizes[k]! + ranks[k]![i]!;
      order[i] = c * n + i;
    }
    order.sort();
    const out: Row[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = rows[order[i]! % n]!;
    return out;
  }
  const index = Array.from({ length: n }, (_, i) => i);
  index.sort((a, b) => {
    for (let k = 0; k < ranks.length; k++) { const d = ranks[k]![a]! - ranks[k]![b]!; if (d !== 0) return d; }
    return a - b;
  });
  return index.map((i) => rows[i]!);
}

/** The output an input reads from (through its path), or undefined when nothing is attached. */
export function upstreamOutput(p: PipelineDef, input: PipelineInput): { component: PipelineComponent; output: PipelineOutput } | undefined {
  const path = p.paths.find((x) => x.endId.toLowerCase() === input.id.toLowerCase());
  if (!path) return undefined;
  for (const c of p.components) {
    const o = c.outputs.find((x) => x.id.toLowerCase() === path.startId.toLowerCase());
    if (o) return { component: c, output: o };
  }
  return undefined;
}

/**
 * The output whose sort order an input sees: the attached output, or, through synchronous outputs
 * that are not marked sorted themselves (Derived Column, Conditional Split…), the first one up
 * the chain, since a synchronous output keeps the order of its input, as SSIS propagates IsSorted.
 */
export function sortedSource(p: PipelineDef, input: PipelineInput): { component: PipelineComponent; output: PipelineOutput } | undefined {
  let up = upstreamOutput(p, input);
  for (let hops = 0; up && !up.output.isSorted && up.output.synchronousInputId !== '' && hops < p.components.length; hops++) {
    const syncInput = up.component.inputs.find((i) => i.id.toLowerCase() === up!.output.synchronousInputId.toLowerCase());
    if (!syncInput) break;
    up = upstreamOutput(p, syncInput) ?? up;
    if (up.output.synchronousInputId === '' || up.output.isSorted) break;
  }
  return up;
}

/** Sort key position of an input column: its own (cachedSortKeyPosition) or that of the output column creating its lineage. */
export function inputSortPosition(p: PipelineDef, _input: PipelineInput, col: PipelineColumn): number {
  if (col.sortKeyPosition !== 0) return col.sortKeyPosition;
  const id = col.lineageId.toLowerCase();
  for (const c of p.components) for (const o of c.outputs) {
    const src = o.columns.find((x) => x.lineageId.toLowerCase() === id);
    if (src) return src.sortKeyPosition;
  }
  return 0;
}

/** Comparison flags SSIS records on a sorted column (`cachedComparisonFlags` / `comparisonFlags`). */
export function comparisonFlagsOf(col: PipelineColumn): number {
  const a = col.xml.attrs;
  const v = Number(a.comparisonFlags ?? a.cachedComparisonFlags ?? col.properties.NewComparisonFlags ?? 0);
  return Number.isFinite(v) ? v : 0;
}

/**
 * The sorted-input check of Merge and Merge Join: the upstream output must be IsSorted with at
 * least `keys` sort key columns. Returns SSIS's message when it is not.
 */
export function sortedInputProblem(p: PipelineDef, c: PipelineComponent, input: PipelineInput, keys: number): string | undefined {
  const up = sortedSource(p, input);
  if (!up) return undefined;
  const positions = input.columns.map((col) => Math.abs(inputSortPosition(p, input, col))).filter((n) => n > 0);
  if (!up.output.isSorted) return `the input '${input.name}' of '${c.name}' is not sorted: the output '${up.output.name}' of '${up.component.name}' must have IsSorted set to true (add a Sort, or sort at the source and set IsSorted and SortKeyPosition)`;
  if (keys > 0 && positions.length < keys) return `the input '${input.name}' of '${c.name}' has ${positions.length} sort key columns, but ${keys} are needed (NumKeyColumns)`;
  return undefined;
}

// ---- memory bound and spilling ---------------------------------------------------------------

/**
 * Rows a blocking component keeps in memory before it spills a sorted run (Sort) or stops
 * (Aggregate). `MaxRowsInMemory` on the component (our extension property; SSIS has no such
 * setting) overrides it; independently, a heap above `HEAP_FRACTION` of the isolate's limit counts
 * as full, so a worker thread with a small `resourceLimits` heap spills early instead of crashing.
 */
export const DEFAULT_MAX_ROWS_IN_MEMORY = 1_000_000;
export const HEAP_FRACTION = 0.5;

export function maxRowsInMemory(c: PipelineComponent): number {
  const v = Number(c.properties.MaxRowsInMemory ?? '');
  return Number.isFinite(v) && v > 0 ? Math.trunc(v) : DEFAULT_MAX_ROWS_IN_MEMORY;
}

export function heapIsFull(): boolean {
  const s = getHeapStatistics();
  return s.used_heap_size > s.heap_size_limit * HEAP_FRACTION;
}

const CHUNK_ROWS = 2_000;
const CHUNK_V8 = 0;
const CHUNK_JSON = 1;

/**
 * Whether a chunk of rows survives JSON unchanged: only text, Booleans, NULL and finite numbers
 * other than -0 (JSON text is several times faster to write and read than V8 serialization; other
 * chunks — bigint, decimals, dates, bytes — keep V8's).
 */
function jsonSafe(rows: readonly Row[]): boolean {
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
      if (typeof v === 'number' && (v !== 0 ? v - v === 0 : 1 / v > 0)) continue; // finite, and not -0
      return false;
    }
  }
  return true;
}

/**
 * Sorted runs on disk: each run is a file of length-prefixed chunks of rows, each chunk JSON when
 * that keeps its values exactly, else V8 serialization (bigint, decimals, dates, bytes). `merge` yields the rows of all runs in order.
 */
export class SpillStore {
  private dir: string | undefined;
  private readonly runs: string[] = [];
  constructor(private readonly base: string | undefined) {}

  get runCount(): number { return this.runs.length; }

  writeRun(rows: readonly Row[]): void {
    this.dir ??= mkdtempSync(join(this.base && this.base !== '' ? this.base : tmpdir(), 'scaleout-sort-'));
    const file = join(this.dir, `run-${this.runs.length}.bin`);
    const fd = openSync(file, 'w');
    try {
      for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
        const chunk = rows.slice(i, i + CHUNK_ROWS);
        const json = jsonSafe(chunk);
        const body = json ? Buffer.from(JSON.stringify(chunk), 'utf8') : serialize(chunk);
        const head = Buffer.alloc(5);
        head.writeUInt32LE(body.length, 0);
        head[4] = json ? CHUNK_JSON : CHUNK_V8;
        writeSync(fd, head);
        writeSync(fd, body);
      }
    } finally { closeSync(fd); }
    this.runs.push(file);
  }

  /** K-way merge of the runs (and `memory`, already sorted) in `compare` order. */
  *merge(memory: readonly Row[], compare: (a: Row, b: Row) => number): Generator<Row> {
    const sources: { rows: readonly Row[]; at: number; next: () => readonly Row[] | undefined }[] = [];
    const fds: number[] = [];
    try {
      for (const file of this.runs) {
        const fd = openSync(file, 'r');
        fds.push(fd);
        let pos = 0;
        const next = (): readonly Row[] | undefined => {
          const head = Buffer.alloc(5);
          if (readSync(fd, head, 0, 5, pos) < 5) return undefined;
          const body = Buffer.allocUnsafe(head.readUInt32LE(0));
          readSync(fd, body, 0, body.length, pos + 5);
          pos += 5 + body.length;
          return head[4] === CHUNK_JSON ? JSON.parse(body.toString('utf8')) as Row[] : deserialize(body) as Row[];
        };
        sources.push({ rows: next() ?? [], at: 0, next });
      }
      if (memory.length > 0) sources.push({ rows: memory, at: 0, next: () => undefined });
      // A binary heap of source indexes ordered by their current row; ties keep run order (stable).
      const heap: number[] = [];
      const less = (i: number, j: number) => {
        const r = compare(sources[i]!.rows[sources[i]!.at]!, sources[j]!.rows[sources[j]!.at]!);
        return r < 0 || (r === 0 && i < j);
      };
      const up = (k: number) => { while (k > 0) { const p = (k - 1) >> 1; if (!less(heap[k]!, heap[p]!)) break; [heap[k], heap[p]] = [heap[p]!, heap[k]!]; k = p; } };
      const down = (k: number) => {
        for (;;) {
          const l = 2 * k + 1, r = l + 1;
          let m = k;
          if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
          if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
          if (m === k) return;
          [heap[k], heap[m]] = [heap[m]!, heap[k]!];
          k = m;
        }
      };
      sources.forEach((s, i) => { if (s.rows.length > 0) { heap.push(i); up(heap.length - 1); } });
      while (heap.length > 0) {
        const i = heap[0]!;
        const s = sources[i]!;
        yield s.rows[s.at]!;
        s.at++;
        if (s.at >= s.rows.length) { s.rows = s.next() ?? []; s.at = 0; }
        if (s.rows.length === 0) { heap[0] = heap[heap.length - 1]!; heap.pop(); }
        if (heap.length > 0) down(0);
      }
    } finally {
      for (const fd of fds) closeSync(fd);
    }
  }

  remove(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    this.runs.length = 0;
  }
}
