/**
 * Recursive-descent parser for the SSIS expression language, with the documented precedence
 * (high to low): unary - ! ~ and casts, * / %, + -, < > <= >=, == !=, &, ^, |, &&, ||, ?: .
 * Every failure is an `ExpressionSyntaxError` naming the 1-based position and the token there.
 */
import type { BinaryOperator, ExpressionAst } from './ast.ts';
import { ExpressionSyntaxError } from './errors.ts';
import { tokenize, type Token } from './lexer.ts';
import { T, TYPE_NAMES, simpleType, type SimpleTypeName, type SsisType, type SsisTypeName } from './types.ts';

const BINARY_LEVELS: readonly (readonly BinaryOperator[])[] = [
  ['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['+', '-'], ['*', '/', '%'],
];

export function parseExpression(text: string): ExpressionAst {
  if (typeof text !== 'string') throw new ExpressionSyntaxError(String(text), 1, '', 'the expression must be a string');
  const p = new Parser(text, tokenize(text));
  if (p.peek().kind === 'eof') p.fail(p.peek(), 'the expression is empty');
  const ast = p.conditional();
  const rest = p.peek();
  if (rest.kind !== 'eof') p.fail(rest, 'expected an operator or the end of the expression');
  return ast;
}

class Parser {
  #i = 0;
  constructor(readonly text: string, readonly tokens: readonly Token[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.#i + offset, this.tokens.length - 1)] as Token;
  }
  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.#i++;
    return t;
  }
  fail(token: Token, problem: string): never {
    throw new ExpressionSyntaxError(this.text, token.pos, token.text, problem);
  }
  expect(kind: Token['kind'], what: string): Token {
    const t = this.peek();
    if (t.kind !== kind) this.fail(t, `expected ${what}`);
    return this.next();
  }
  isOp(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'op' && t.text === text;
  }

  conditional(): ExpressionAst {
    const test = this.binary(0);
    if (!this.isOp('?')) return test;
    this.next();
    const whenTrue = this.conditional();
    if (!this.isOp(':')) this.fail(this.peek(), "expected ':' of the conditional operator");
    this.next();
    const whenFalse = this.conditional();
    return { kind: 'conditional', pos: test.pos, test, whenTrue, whenFalse };
  }

  binary(level: number): ExpressionAst {
    const ops = BINARY_LEVELS[level];
    if (!ops) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || !(ops as readonly string[]).includes(t.text)) return left;
      this.next();
      const right = this.binary(level + 1);
      left = { kind: 'binary', pos: t.pos, op: t.text as BinaryOperator, left, right };
    }
  }

  unary(): ExpressionAst {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '!' || t.text === '~')) {
      this.next();
      return { kind: 'unary', pos: t.pos, op: t.text, operand: this.unary() };
    }
    if (t.kind === '(' && this.isCastAhead()) {
      this.next();
      const target = this.typeSpec();
      this.expect(')', "')' closing the cast");
      return { kind: 'cast', pos: t.pos, target, operand: this.unary() };
    }
    return this.primary();
  }

  /** `(` DT_name followed by `,` or `)` starts a cast rather than a parenthesised expression. */
  isCastAhead(): boolean {
    const name = this.peek(1);
    const after = this.peek(2);
    return name.kind === 'ident' && TYPE_NAMES.includes(name.text.toUpperCase() as SsisTypeName)
      && (after.kind === ',' || after.kind === ')');
  }

  /** Parses `DT_NAME[, param…]` (without the surrounding parentheses). */
  typeSpec(): SsisType {
    const nameTok = this.expect('ident', 'a data type name (DT_…)');
    const name = nameTok.text.toUpperCase() as SsisTypeName;
    if (!TYPE_NAMES.includes(name)) this.fail(nameTok, 'unknown data type');
    const params: number[] = [];
    const paramToks: Token[] = [];
    while (this.peek().kind === ',') {
      this.next();
      const t = this.peek();
      if (t.kind !== 'number' || !/^\d+$/.test(t.text)) this.fail(t, `expected an integer parameter for ${name}`);
      this.next();
      params.push(Number(t.text));
      paramToks.push(t);
    }
    const need = (count: number, optional = false): void => {
      if (params.length > count || (!optional && params.length < count)) {
        this.fail(paramToks[count] ?? this.peek(), `${name} takes ${count} parameter${count === 1 ? '' : 's'}, got ${params.length}`);
      }
    };
    const range = (index: number, lo: number, hi: number, what: string): number => {
      const v = params[index] as number;
      if (v < lo || v > hi) this.fail(paramToks[index] as Token, `${what} of ${name} must be between ${lo} and ${hi}`);
      return v;
    };
    switch (name) {
      case 'DT_WSTR': need(1); return T.wstr(range(0, 1, 4000, 'the length'));
      case 'DT_STR': need(2); return T.str(range(0, 1, 8000, 'the length'), range(1, 1, 65535, 'the code page'));
      case 'DT_TEXT': need(1); return T.text(range(0, 1, 65535, 'the code page'));
      case 'DT_BYTES': need(1); return T.bytes(range(0, 1, 8000, 'the length'));
      case 'DT_NUMERIC': {
        need(2);
        const precision = range(0, 1, 38, 'the precision');
        return T.numeric(precision, range(1, 0, precision, 'the scale'));
      }
      case 'DT_DECIMAL': need(1); return T.decimal(range(0, 0, 28, 'the scale'));
      case 'DT_DBTIME2': need(1, true); return T.dbtime2(params.length ? range(0, 0, 7, 'the scale') : 7);
      case 'DT_DBTIMESTAMP2': need(1, true); return T.dbtimestamp2(params.length ? range(0, 0, 7, 'the scale') : 7);
      case 'DT_DBTIMESTAMPOFFSET': need(1, true); return T.dbtimestampoffset(params.length ? range(0, 0, 7, 'the scale') : 7);
      default: need(0); return simpleType(name as SimpleTypeName);
    }
  }

  primary(): ExpressionAst {
    const t = this.peek();
    switch (t.kind) {
      case 'number': case 'string':
        this.next();
        return { kind: 'literal', pos: t.pos, value: t.value!, text: t.text };
      case 'variable': {
        this.next();
        const full = t.name as string;
        const sep = full.lastIndexOf('::');
        const namespace = sep < 0 ? undefined : full.slice(0, sep).trim();
        const name = sep < 0 ? full : full.slice(sep + 2).trim();
        if (name === '' || namespace === '') this.fail(t, 'malformed variable name (expected Namespace::Name)');
        return { kind: 'variable', pos: t.pos, namespace, name };
      }
      case 'lineage':
        this.next();
        return { kind: 'lineage', pos: t.pos, id: Number(t.name) };
      case 'column':
        return this.column();
      case '(': {
        this.next();
        if (this.peek().kind === ')') this.fail(this.peek(), 'expected an expression inside the parentheses');
        const inner = this.conditional();
        this.expect(')', "')'");
        return inner;
      }
      case 'ident': {
        const upper = t.text.toUpperCase();
        if (this.peek(1).kind === '(') return this.call();
        if (upper === 'TRUE' || upper === 'FALSE') {
          this.next();
          return { kind: 'literal', pos: t.pos, value: { type: T.BOOL, value: upper === 'TRUE' }, text: t.text };
        }
        if (upper === 'NULL') this.fail(t, 'NULL needs a data type, as in NULL(DT_WSTR, 10)');
        return this.column();
      }
      case 'eof':
        return this.fail(t, 'unexpected end of expression; expected an operand');
      default:
        return this.fail(t, 'expected an operand (literal, variable, function call or parenthesised expression)');
    }
  }

  /** `[A]`, `A`, `[Source].[A]`: data-flow column references. */
  column(): ExpressionAst {
    const first = this.next();
    let name = first.kind === 'column' ? (first.name as string) : first.text;
    while (this.peek().kind === '.') {
      this.next();
      const part = this.peek();
      if (part.kind !== 'column' && part.kind !== 'ident') this.fail(part, 'expected a column name after .');
      this.next();
      name += `.${part.kind === 'column' ? (part.name as string) : part.text}`;
    }
    return { kind: 'column', pos: first.pos, name };
  }

  call(): ExpressionAst {
    const nameTok = this.next();
    const name = nameTok.text.toUpperCase();
    this.next(); // '('
    if (name === 'NULL') {
      const type = this.typeSpec();
      this.expect(')', "')' closing NULL(")
      return { kind: 'null', pos: nameTok.pos, type };
    }
    const args: ExpressionAst[] = [];
    if (this.peek().kind !== ')') {
      for (;;) {
        args.push(this.conditional());
        if (this.peek().kind === ',') { this.next(); continue; }
        break;
      }
    }
    this.expect(')', `',' or ')' in the arguments of ${name}`);
    return { kind: 'call', pos: nameTok.pos, name, args };
  }
}
