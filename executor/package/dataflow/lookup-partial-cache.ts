/**
 * The Lookup's partial cache (CacheType 1), bounded as SSIS bounds it: `MaxMemoryUsage64` megabytes
 * (5 by default, as the Lookup editor's "Cache size (64-bit)"), of which `NoMatchCachePercentage`
 * percent hold keys that had no match; with 0 (the default) misses are not cached at all, so a key
 * added to the reference table while the flow runs is found on its next row (the documented reason
 * to leave that option off). When a part is full, the entries used longest ago leave first (SSIS says
 * "least frequently used"; recency is what a Map gives in O(1), and it keeps the hot keys as well).
 *
 * Sizes are estimates of what an entry costs in the JS heap (key text, cells, Map overhead), not
 * exact bytes: the contract is that the cache stays within the same order as the setting, never
 * that it grows with the number of distinct keys.
 */
import type { Cell } from './types.ts';

const ENTRY_OVERHEAD = 80;
const MB = 1024 * 1024;

export interface PartialCacheSettings {
  /** `MaxMemoryUsage64` in megabytes; 0, missing or negative means the default of 5. */
  readonly maxMemoryMb?: number;
  /** `NoMatchCachePercentage`, 0–100: the share of the cache that keeps keys without a match. */
  readonly noMatchPercent?: number;
}

function cellBytes(c: Cell): number {
  if (typeof c === 'string') return 16 + c.length * 2;
  if (c instanceof Uint8Array) return 32 + c.byteLength;
  return 16;
}

function entryBytes(key: string, value: readonly Cell[] | null): number {
  let n = ENTRY_OVERHEAD + key.length * 2;
  if (value !== null) for (const c of value) n += cellBytes(c);
  return n;
}

class BoundedLru {
  readonly #map = new Map<string, { value: Cell[] | null; bytes: number }>();
  #bytes = 0;
  evictions = 0;
  constructor(readonly capacity: number) {}

  get size(): number { return this.#map.size; }
  get bytes(): number { return this.#bytes; }

  /** The entry, moved to the most recently used end; undefined when absent. */
  get(key: string): { value: Cell[] | null } | undefined {
    const e = this.#map.get(key);
    if (e === undefined) return undefined;
    this.#map.delete(key);
    this.#map.set(key, e);
    return e;
  }

  set(key: string, value: Cell[] | null): void {
    if (this.capacity <= 0) return;
    const bytes = entryBytes(key, value);
    if (bytes > this.capacity) return; // one entry larger than the whole part: not kept
    const old = this.#map.get(key);
    if (old !== undefined) { this.#bytes -= old.bytes; this.#map.delete(key); }
    this.#map.set(key, { value, bytes });
    this.#bytes += bytes;
    while (this.#bytes > this.capacity) {
      const oldest = this.#map.keys().next().value as string;
      this.#bytes -= this.#map.get(oldest)!.bytes;
      this.#map.delete(oldest);
      this.evictions++;
    }
  }
}

export class LookupPartialCache {
  readonly #hits: BoundedLru;
  readonly #misses: BoundedLru;

  constructor(settings: PartialCacheSettings = {}) {
    const mb = settings.maxMemoryMb !== undefined && Number.isFinite(settings.maxMemoryMb) && settings.maxMemoryMb > 0 ? settings.maxMemoryMb : 5;
    const pct = Math.min(100, Math.max(0, Math.trunc(settings.noMatchPercent ?? 0)));
    const total = mb * MB;
    this.#misses = new BoundedLru(Math.floor((total * pct) / 100));
    this.#hits = new BoundedLru(total - this.#misses.capacity);
  }

  /** A cached answer: the copied cells, null for a cached miss, undefined when the key must be queried. */
  lookup(key: string): Cell[] | null | undefined {
    const h = this.#hits.get(key);
    if (h !== undefined) return h.value;
    const m = this.#misses.get(key);
    return m === undefined ? undefined : null;
  }

  /** Keeps a query's answer: a match in the match part, a miss only when misses have a share. */
  remember(key: string, answer: Cell[] | null): void {
    if (answer === null) this.#misses.set(key, null);
    else this.#hits.set(key, answer);
  }

  stats(): { matches: number; misses: number; bytes: number; evictions: number; capacity: number } {
    return {
      matches: this.#hits.size, misses: this.#misses.size, bytes: this.#hits.bytes + this.#misses.bytes,
      evictions: this.#hits.evictions + this.#misses.evictions, capacity: this.#hits.capacity + this.#misses.capacity,
    };
  }
}
