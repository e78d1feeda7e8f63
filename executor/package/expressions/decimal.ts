/**
 * Exact decimal arithmetic for DT_NUMERIC, DT_DECIMAL and DT_CY: a bigint scaled by 10^scale, so
 * currency and numeric values never pass through a binary float. Rounding is half away from zero.
 */
import type { SsisDecimal } from './types.ts';

const TEN = 10n;
export function pow10(n: number): bigint { return TEN ** BigInt(n); }

/** Parses `[+-]digits[.digits][e[+-]digits]`; undefined when the text is not a number. */
export function parseDecimal(text: string): SsisDecimal | undefined {
  const m = /^\s*([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  if (!m) return undefined;
  const [, sign, int = '', frac = '', exp] = m;
  if (int === '' && frac === '') return undefined;
  let unscaled = BigInt((int + frac) || '0');
  let scale = frac.length;
  const e = exp === undefined ? 0 : Number(exp);
  if (Math.abs(e) > 400) return undefined;
  scale -= e;
  if (scale < 0) { unscaled *= pow10(-scale); scale = 0; }
  if (sign === '-') unscaled = -unscaled;
  return { unscaled, scale };
}

/** Changes the scale, rounding half away from zero (or truncating toward zero). */
export function rescale(d: SsisDecimal, scale: number, mode: 'round' | 'truncate' = 'round'): SsisDecimal {
  if (scale === d.scale) return d;
  if (scale > d.scale) return { unscaled: d.unscaled * pow10(scale - d.scale), scale };
  return { unscaled: divRound(d.unscaled, pow10(d.scale - scale), mode), scale };
}

/** Integer division of bigints with half-away-from-zero rounding or truncation. */
export function divRound(n: bigint, d: bigint, mode: 'round' | 'truncate' = 'round'): bigint {
  const q = n / d;
  if (mode === 'truncate') return q;
  const r = n % d;
  const abs = (x: bigint): bigint => (x < 0n ? -x : x);
  if (abs(r) * 2n >= abs(d)) return q + ((n < 0n) !== (d < 0n) ? -1n : 1n);
  return q;
}

/** Number of decimal digits in |unscaled| (0 has one digit). */
export function digitCount(unscaled: bigint): number {
  return (unscaled < 0n ? -unscaled : unscaled).toString().length;
}

/** The integer part, truncated toward zero. */
export function integerPart(d: SsisDecimal): bigint { return d.unscaled / pow10(d.scale); }

export function compareDecimal(a: SsisDecimal, b: SsisDecimal): number {
  const s = Math.max(a.scale, b.scale);
  const x = rescale(a, s).unscaled;
  const y = rescale(b, s).unscaled;
  return x < y ? -1 : x > y ? 1 : 0;
}

export function decimalFromBigInt(v: bigint): SsisDecimal { return { unscaled: v, scale: 0 }; }

/** A binary float as an exact decimal of its shortest round-trip text. */
export function decimalFromNumber(n: number): SsisDecimal | undefined {
  if (!Number.isFinite(n)) return undefined;
  return parseDecimal(String(n));
}

export function decimalToNumber(d: SsisDecimal): number { return Number(formatDecimal(d)); }

/** Plain text without exponent; `trimZeros` drops trailing fractional zeros (as DT_CY/DT_DECIMAL print). */
export function formatDecimal(d: SsisDecimal, trimZeros = false): string {
  const neg = d.unscaled < 0n;
  let digits = (neg ? -d.unscaled : d.unscaled).toString();
  if (d.scale > 0) {
    digits = digits.padStart(d.scale + 1, '0');
    let int = digits.slice(0, digits.length - d.scale);
    let frac = digits.slice(digits.length - d.scale);
    if (trimZeros) frac = frac.replace(/0+$/, '');
    if (int === '') int = '0';
    digits = frac === '' ? int : `${int}.${frac}`;
  }
  return neg && /[1-9]/.test(digits) ? `-${digits}` : digits;
}
