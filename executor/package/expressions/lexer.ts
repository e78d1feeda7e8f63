/**
 * Splits SSIS expression text into tokens and turns literals into typed values, following the
 * documented literal grammar (integer suffixes U/L/UL, real suffixes F/L, exponents, hex,
 * lineage ids, string escapes \a \b \f \n \r \t \v \" \\ \xhhhh).
 */
import { ExpressionSyntaxError } from './errors.ts';
import { T, type SsisValue } from './types.ts';

export type TokenKind =
  | 'number' | 'string' | 'ident' | 'variable' | 'column' | 'lineage' | 'op' | '(' | ')' | ',' | '.' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token. */
  readonly text: string;
  /** 1-based position of the first character. */
  readonly pos: number;
  /** Literal value for `number` and `string` tokens. */
  readonly value?: SsisValue;
  /** Identifier inside a `variable` (`User::X`) or `column` (`Col`) token; lineage id digits. */
  readonly name?: string;
}

const OPERATORS = ['&&', '||', '==', '!=', '<=', '>=', '*', '/', '%', '+', '-', '<', '>', '&', '^', '|', '!', '~', '?', ':'];

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isIdentStart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z_\u00C0-\uFFFF]/.test(c);
const isIdentPart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_\u00C0-\uFFFF]/.test(c);

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  function err(at: number, token: string, problem: string): never {
    throw new ExpressionSyntaxError(text, at + 1, token, problem);
  }

  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') { i++; continue; }
    const start = i;

    if (c === '"') {
      let out = '';
      i++;
      for (;;) {
        if (i >= text.length) err(start, text.slice(start, start + 20), 'unterminated string literal (missing closing ")');
        const ch = text[i] as string;
        if (ch === '"') { i++; break; }
        if (ch !== '\\') { out += ch; i++; continue; }
        const esc = text[i + 1];
        const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '"': '"', '\\': '\\' };
        if (esc !== undefined && esc in simple) { out += simple[esc]; i += 2; continue; }
        if (esc === 'x' || esc === 'X') {
          const hex = /^[0-9A-Fa-f]{1,4}/.exec(text.slice(i + 2, i + 6))?.[0];
          if (!hex) err(i, text.slice(i, i + 6), 'expected 1 to 4 hexadecimal digits after \\x');
          const code = parseInt(hex, 16);
          if (code === 0) err(i, text.slice(i, i + 2 + hex.length), 'the character \\x0000 is not allowed in a string');
          out += String.fromCharCode(code);
          i += 2 + hex.length;
          continue;
        }
        err(i, text.slice(i, i + 2), 'unknown escape sequence (expected \\a \\b \\f \\n \\r \\t \\v \\" \\\\ or \\xhhhh)');
      }
      tokens.push({ kind: 'string', text: text.slice(start, i), pos: start + 1, value: { type: T.wstr(out.length), value: out } });
      continue;
    }

    if (isDigit(c) || (c === '.' && isDigit(text[i + 1]))) {
      const m = /^(?:0[xX]([0-9A-Fa-f]+)([uU]?)|(\d*)(?:(\.)(\d*))?(?:[eE]([+-]?\d+))?([uUlLfF]{0,2}))/.exec(text.slice(i));
      const lit = m?.[0] ?? '';
      if (isIdentPart(text[i + lit.length])) err(start, text.slice(start, i + lit.length + 1), 'malformed numeric literal');
      tokens.push({ kind: 'number', text: lit, pos: start + 1, value: numericLiteral(lit, m as RegExpExecArray, () => err(start, lit, 'numeric literal out of range for its type; use a suffix (L, U, UL) or a cast')) });
      i += lit.length;
      continue;
    }

    if (c === '#') {
      const m = /^#(\d+)/.exec(text.slice(i));
      if (!m) err(start, '#', 'expected digits after # (lineage identifier)');
      tokens.push({ kind: 'lineage', text: m[0], pos: start + 1, name: m[1] as string });
      i += m[0].length;
      continue;
    }

    if (c === '@') {
      if (text[i + 1] === '[') {
        const close = text.indexOf(']', i + 2);
        if (close < 0) err(start, text.slice(start, start + 20), 'unterminated variable reference (missing ])');
        const name = text.slice(i + 2, close).trim();
        if (name === '') err(start, '@[]', 'empty variable name');
        tokens.push({ kind: 'variable', text: text.slice(start, close + 1), pos: start + 1, name });
        i = close + 1;
        continue;
      }
      const m = /^@((?:\$?[A-Za-z_][A-Za-z0-9_]*::)?[A-Za-z_\u00C0-\uFFFF][A-Za-z0-9_\u00C0-\uFFFF]*)/.exec(text.slice(i));
      if (!m) err(start, text.slice(start, start + 2), 'expected a variable name after @');
      tokens.push({ kind: 'variable', text: m[0], pos: start + 1, name: m[1] as string });
      i += m[0].length;
      continue;
    }

    if (c === '[') {
      const close = text.indexOf(']', i + 1);
      if (close < 0) err(start, text.slice(start, start + 20), 'unterminated column reference (missing ])');
      tokens.push({ kind: 'column', text: text.slice(start, close + 1), pos: start + 1, name: text.slice(i + 1, close) });
      i = close + 1;
      continue;
    }

    if (isIdentStart(c)) {
      let j = i + 1;
      while (isIdentPart(text[j])) j++;
      tokens.push({ kind: 'ident', text: text.slice(i, j), pos: start + 1 });
      i = j;
      continue;
    }

    if (c === '(' || c === ')' || c === ',' || c === '.') {
      tokens.push({ kind: c, text: c, pos: start + 1 });
      i++;
      continue;
    }

    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'op', text: op, pos: start + 1 });
      i += op.length;
      continue;
    }
    if (c === '=') err(start, '=', "assignment is not an operator; use '==' to compare");
    err(start, c, 'unexpected character');
  }
  tokens.push({ kind: 'eof', text: '', pos: text.length + 1 });
  return tokens;
}

/** Maps a numeric literal to its documented type (Literals (SSIS)). */
function numericLiteral(lit: string, m: RegExpExecArray, outOfRange: () => never): SsisValue {
  const [, hex, hexU, intPart = '', dot, frac, exp, rawSuffix = ''] = m;
  if (hex !== undefined) {
    const v = BigInt(`0x${hex}`);
    if (hexU) {
      if (v <= 0xFFFFFFFFn) return { type: T.UI4, value: Number(v) };
      if (v <= 0xFFFFFFFFFFFFFFFFn) return { type: T.UI8, value: v };
      return outOfRange();
    }
    if (v <= 0x7FFFFFFFn) return { type: T.I4, value: Number(v) };
    if (v <= 0x7FFFFFFFFFFFFFFFn) return { type: T.I8, value: v };
    return outOfRange();
  }
  const suffix = rawSuffix.toUpperCase();
  const unsigned = suffix.includes('U');
  const long = suffix.includes('L');
  const float = suffix.includes('F');
  if (dot === undefined && exp === undefined) {
    if (float) return { type: T.R4, value: Math.fround(Number(intPart)) };
    const v = BigInt(intPart);
    if (unsigned && long) { if (v > 0xFFFFFFFFFFFFFFFFn) outOfRange(); return { type: T.UI8, value: v }; }
    if (unsigned) { if (v > 0xFFFFFFFFn) outOfRange(); return { type: T.UI4, value: Number(v) }; }
    if (long) { if (v > 0x7FFFFFFFFFFFFFFFn) outOfRange(); return { type: T.I8, value: v }; }
    // Unary minus is an operator, so 2147483648 never fits even as -2147483648; SSIS behaves alike.
    if (v > 0x7FFFFFFFn) outOfRange();
    return { type: T.I4, value: Number(v) };
  }
  if (unsigned) outOfRange();
  const n = Number(lit.replace(/[uUlLfF]+$/, ''));
  if (float) return { type: T.R4, value: Math.fround(n) };
  if (exp !== undefined || long) return { type: T.R8, value: n };
  // A plain decimal literal is exact: DT_NUMERIC with precision/scale taken from its digits.
  const fraction = frac ?? '';
  const digits = (intPart + fraction).replace(/^0+/, '');
  const scale = fraction.length;
  const precision = Math.max(digits.length, scale, 1);
  if (precision > 38) outOfRange();
  return { type: T.numeric(precision, scale), value: { unscaled: BigInt(digits === '' ? '0' : digits), scale } };
}
