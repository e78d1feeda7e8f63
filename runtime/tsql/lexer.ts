/**
 * The T-SQL lexer of the catalog's front door: turns one batch into tokens with their line and column,
 * skipping `--` and nested `/* … *\/` comments. It knows nothing of statements; unterminated strings,
 * identifiers and comments become `TsqlSyntaxError`s carrying SQL Server's message number.
 */

export type TokenKind =
  | 'ident'      // plain, [bracketed] or "quoted" identifier (quoted → `quoted: true`, never a keyword)
  | 'variable'   // @name
  | 'sysvar'     // @@name
  | 'string'     // 'text' or N'text' (value unescaped)
  | 'number'     // 12, 1.5, 2e3, .5
  | 'binary'     // 0x0A1B
  | 'op'         // ( ) , ; . = <> != < > <= >= + - * / %
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Source text of the token (for `Incorrect syntax near '<text>'`). */
  readonly text: string;
  /** Identifier name (unbracketed), variable name with its @, string contents, or the operator. */
  readonly value: string;
  /** 1-based line within the batch, 1-based column. */
  readonly line: number;
  readonly column: number;
  /** `N'…'` strings. */
  readonly unicode?: boolean;
  /** `[x]` or `"x"`: an identifier that is never a keyword. */
  readonly quoted?: boolean;
}

/** A batch that cannot be compiled: SQL Server's Msg 102/105/… with the 1-based line in the batch. */
export class TsqlSyntaxError extends Error {
  override name = 'TsqlSyntaxError';
  constructor(readonly number: number, message: string, readonly line: number, readonly level = 15, readonly state = 1) {
    super(message);
  }
}

const OPERATORS = ['<>', '!=', '<=', '>=', '!<', '!>', '(', ')', ',', ';', '.', '=', '<', '>', '+', '-', '*', '/', '%'];

function isIdentStart(c: string): boolean {
  return /[A-Za-z_#\u0080-\uffff]/.test(c);
}
function isIdentPart(c: string): boolean {
  return /[A-Za-z0-9_@#$\u0080-\uffff]/.test(c);
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = text.length;
  /** Reads up to the closing `close` (i is just past the opening delimiter); `shownFrom` is where the 105 message's text starts. */
  const delimited = (close: string, shownFrom: number): string => {
    let value = '';
    for (;;) {
      if (i >= n) throw new TsqlSyntaxError(105, `Unclosed quotation mark after the character string '${text.slice(shownFrom)}'.`, line);
      const d = text[i]!;
      if (d === close) {
        if (text[i + 1] === close) { value += close; i += 2; continue; }
        i++;
        return value;
      }
      if (d === '\n') { line++; lineStart = i + 1; }
      value += d;
      i++;
    }
  };
  const push = (kind: TokenKind, start: number, startLine: number, startCol: number, value: string, extra: Partial<Token> = {}) => {
    tokens.push({ kind, text: text.slice(start, i), value, line: startLine, column: startCol, ...extra });
  };

  while (i < n) {
    const c = text[i]!;
    if (c === '\n') { line++; i++; lineStart = i; continue; }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0' || c === '\ufeff') { i++; continue; }
    const startLine = line;
    const col = i - lineStart + 1;
    const start = i;

    if (c === '-' && text[i + 1] === '-') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      let depth = 0;
      while (i < n) {
        if (text[i] === '/' && text[i + 1] === '*') { depth++; i += 2; continue; }
        if (text[i] === '*' && text[i + 1] === '/') { depth--; i += 2; if (depth === 0) break; continue; }
        if (text[i] === '\n') { line++; lineStart = i + 1; }
        i++;
      }
      if (depth > 0) throw new TsqlSyntaxError(113, 'Missing end comment mark \'*/\'.', startLine);
      continue;
    }
    // N'…' and '…' strings, [identifiers] and "identifiers": a doubled closing delimiter stands for itself.
    if ((c === 'N' || c === 'n') && text[i + 1] === '\'' || c === '\'') {
      const unicode = c !== '\'';
      i += unicode ? 2 : 1;
      push('string', start, startLine, col, delimited('\'', start + (unicode ? 2 : 1)), { unicode });
      continue;
    }
    if (c === '[' || c === '"') {
      i++;
      push('ident', start, startLine, col, delimited(c === '[' ? ']' : '"', start + 1), { quoted: true });
      continue;
    }
    if (c === '@') {
      const sys = text[i + 1] === '@';
      i += sys ? 2 : 1;
      while (i < n && isIdentPart(text[i]!)) i++;
      const name = text.slice(start, i);
      if (name === '@' || name === '@@') throw new TsqlSyntaxError(102, `Incorrect syntax near '${name}'.`, startLine);
      push(sys ? 'sysvar' : 'variable', start, startLine, col, name);
      continue;
    }
    if (c === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
      i += 2;
      while (i < n && /[0-9A-Fa-f]/.test(text[i]!)) i++;
      push('binary', start, startLine, col, text.slice(start + 2, i));
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      while (i < n && /[0-9]/.test(text[i]!)) i++;
      if (text[i] === '.') { i++; while (i < n && /[0-9]/.test(text[i]!)) i++; }
      if ((text[i] === 'e' || text[i] === 'E') && /[-+0-9]/.test(text[i + 1] ?? '')) {
        i++;
        if (text[i] === '+' || text[i] === '-') i++;
        while (i < n && /[0-9]/.test(text[i]!)) i++;
      }
      push('number', start, startLine, col, text.slice(start, i));
      continue;
    }
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(text[i]!)) i++;
      push('ident', start, startLine, col, text.slice(start, i));
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op !== undefined) {
      i += op.length;
      push('op', start, startLine, col, op);
      continue;
    }
    throw new TsqlSyntaxError(102, `Incorrect syntax near '${c}'.`, startLine);
  }
  tokens.push({ kind: 'eof', text: '', value: '', line, column: i - lineStart + 1 });
  return tokens;
}
