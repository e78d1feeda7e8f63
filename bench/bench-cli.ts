/** What every benchmark script shares: integer options from argv and percentiles of sorted samples. */

/** `--name N`: an integer of at least `min` (0 by default), else `fallback`; a bad value exits 2 naming the option. */
export function intArg(name: string, fallback: number, min = 0): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} expects ${min === 0 ? 'a non-negative' : min === 1 ? 'a positive' : `an integer ≥ ${min}, not a`} integer, got '${process.argv[i + 1]}'`);
    process.exit(2);
  }
  return n;
}

/** The p-th percentile (nearest rank) of ascending samples; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
