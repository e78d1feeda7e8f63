/**
 * The T-SQL subset the catalog needs, parsed into an AST: USE, DECLARE, SET, SELECT (expressions, variable
 * assignment, or rows of one catalog view with WHERE / ORDER BY / TOP), EXEC with named, positional and
 * OUTPUT arguments, PRINT, RAISERROR, THROW, BEGIN…END, IF…ELSE, RETURN. A batch that does not parse
 * raises `TsqlSyntaxError` with SQL Server's number and the batch line, so nothing of it runs.
 */
import { tokenize, TsqlSyntaxError } from './lexer.ts';
import type { Token } from './lexer.ts';
import { atSecurityStatement, parseSecurityStatement } from './security-statements.ts';
import type { ParserCursor, SecurityStatement } from './security-statements.ts';
import { parseGrouping, parseJoins } from './report-grammar.ts';
import type { JoinClause, ReportCursor } from './report-grammar.ts';

// ---------------------------------------------------------------------------------------------
// AST
// ---------------------------------------------------------------------------------------------

/** A declared data type: lower-case base name plus its length / precision and scale. */
export interface SqlTypeSpec {
  readonly name: string;
  readonly length?: number | 'max';
  readonly precision?: number;
  readonly scale?: number;
}

export type LiteralType = 'varchar' | 'nvarchar' | 'int' | 'bigint' | 'decimal' | 'float' | 'varbinary' | 'null';

export type Expr =
  | { readonly kind: 'literal'; readonly type: LiteralType; readonly value: string; readonly line: number }
  | { readonly kind: 'variable'; readonly name: string; readonly line: number }
  | { readonly kind: 'sysvar'; readonly name: string; readonly line: number }
  | { readonly kind: 'column'; readonly parts: readonly string[]; readonly line: number }
  | { readonly kind: 'unary'; readonly op: '-' | '+' | 'not'; readonly operand: Expr; readonly line: number }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly line: number }
  | { readonly kind: 'in'; readonly expr: Expr; readonly list: readonly Expr[]; readonly not: boolean; readonly line: number }
  | { readonly kind: 'like'; readonly expr: Expr; readonly pattern: Expr; readonly escape?: Expr; readonly not: boolean; readonly line: number }
  | { readonly kind: 'isnull'; readonly expr: Expr; readonly not: boolean; readonly line: number }
  | { readonly kind: 'between'; readonly expr: Expr; readonly low: Expr; readonly high: Expr; readonly not: boolean; readonly line: number }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[]; readonly star: boolean; readonly line: number }
  | { readonly kind: 'cast'; readonly fn: 'CAST' | 'CONVERT' | 'TRY_CAST' | 'TRY_CONVERT'; readonly expr: Expr; readonly type: SqlTypeSpec; readonly style?: Expr; readonly line: number }
  | { readonly kind: 'case'; readonly operand?: Expr; readonly whens: readonly { readonly when: Expr; readonly then: Expr }[]; readonly else?: Expr; readonly line: number };

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '=' | '<>' | '<' | '>' | '<=' | '>=' | 'and' | 'or';

export type SelectItem =
  | { readonly kind: 'star'; readonly line: number }
  | { readonly kind: 'expr'; readonly expr: Expr; readonly alias?: string; readonly text: string };

/** A schema object name as written: up to three parts (database.schema.object); empty parts allowed (`SSISDB..x`). */
export interface ObjectName {
  readonly parts: readonly string[];
  /** The name as SQL Server echoes it in messages: parts joined by '.', without brackets. */
  readonly text: string;
  readonly line: number;
}

export interface ExecArg {
  readonly name?: string;
  /** `DEFAULT`, or a constant / variable (EXEC arguments are never expressions in T-SQL). */
  readonly value: Expr | { readonly kind: 'default'; readonly line: number };
  readonly output: boolean;
  readonly line: number;
}

export type Statement =
  | { readonly kind: 'use'; readonly database: string; readonly line: number }
  | { readonly kind: 'declare'; readonly decls: readonly { readonly name: string; readonly type: SqlTypeSpec; readonly init?: Expr; readonly line: number }[]; readonly line: number }
  | { readonly kind: 'set'; readonly variable: string; readonly op: '=' | '+=' | '-='; readonly expr: Expr; readonly line: number }
  | { readonly kind: 'setoption'; readonly option: string; readonly value: string; readonly line: number }
  | ({ readonly kind: 'select'; readonly top?: Expr; readonly items: readonly SelectItem[]; readonly line: number } & SelectTail)
  | ({ readonly kind: 'selectassign'; readonly assignments: readonly { readonly variable: string; readonly expr: Expr }[]; readonly line: number } & SelectTail)
  | { readonly kind: 'exec'; readonly returnVar?: string; readonly proc: ObjectName; readonly args: readonly ExecArg[]; readonly line: number }
  | { readonly kind: 'print'; readonly expr: Expr; readonly line: number }
  | { readonly kind: 'raiserror'; readonly message: Expr; readonly severity: Expr; readonly state: Expr; readonly args: readonly Expr[]; readonly line: number }
  | { readonly kind: 'throw'; readonly number: Expr; readonly message: Expr; readonly state: Expr; readonly line: number }
  | { readonly kind: 'block'; readonly statements: readonly Statement[]; readonly line: number }
  | { readonly kind: 'if'; readonly condition: Expr; readonly then: Statement; readonly else?: Statement; readonly line: number }
  | { readonly kind: 'return'; readonly expr?: Expr; readonly line: number }
  /** CREATE/ALTER/DROP LOGIN, ALTER [SERVER] ROLE … ADD/DROP MEMBER (security-statements.ts). */
  | { readonly kind: 'security'; readonly statement: SecurityStatement; readonly line: number };

/** FROM … WHERE … GROUP BY … HAVING … ORDER BY of a SELECT (joins and grouping: report-grammar.ts). */
export interface SelectTail {
  readonly from?: ObjectName;
  /** The first source's alias (`FROM catalog.executions e`). */
  readonly fromAlias?: string;
  readonly joins?: readonly JoinClause[];
  readonly where?: Expr;
  readonly groupBy?: readonly Expr[];
  readonly having?: Expr;
  readonly orderBy?: readonly { readonly expr: Expr; readonly desc: boolean }[];
}

// ---------------------------------------------------------------------------------------------
// Keywords and types
// ---------------------------------------------------------------------------------------------

/** Reserved words: an unexpected one is reported as Msg 156 "near the keyword", as SQL Server does. */
const RESERVED = new Set([
  'ADD', 'ALL', 'ALTER', 'AND', 'ANY', 'AS', 'ASC', 'BEGIN', 'BETWEEN', 'BY', 'CASE', 'CAST', 'CONVERT', 'CREATE', 'CROSS',
  'CURRENT_TIMESTAMP', 'CURRENT_USER', 'DECLARE', 'DEFAULT', 'DELETE', 'DESC', 'DISTINCT', 'DROP', 'ELSE', 'END', 'ESCAPE',
  'EXEC', 'EXECUTE', 'EXISTS', 'FROM', 'FULL', 'GRANT', 'GROUP', 'HAVING', 'IF', 'IN', 'INNER', 'INSERT', 'INTO', 'IS',
  'JOIN', 'LEFT', 'LIKE', 'NOT', 'NULL', 'OF', 'OFF', 'ON', 'OR', 'ORDER', 'OUTER', 'PERCENT', 'PRINT', 'PROC', 'PROCEDURE',
  'RAISERROR', 'RETURN', 'RIGHT', 'SELECT', 'SET', 'SYSTEM_USER', 'TABLE', 'THEN', 'TOP', 'TRAN', 'TRANSACTION', 'UNION',
  'UPDATE', 'USE', 'VALUES', 'WHEN', 'WHERE', 'WHILE', 'WITH',
]);

/** Data types a DECLARE / CAST may name (SQL Server's built-in scalar types). */
export const KNOWN_TYPES = new Set([
  'bigint', 'int', 'smallint', 'tinyint', 'bit', 'decimal', 'numeric', 'money', 'smallmoney', 'float', 'real',
  'nvarchar', 'varchar', 'nchar', 'char', 'ntext', 'text', 'sysname', 'uniqueidentifier', 'datetimeoffset', 'datetime2',
  'datetime', 'smalldatetime', 'date', 'time', 'sql_variant', 'varbinary', 'binary', 'xml',
]);

function isKeyword(t: Token, word: string): boolean {
  return t.kind === 'ident' && !t.quoted && t.value.toUpperCase() === word;
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

/**
 * How deeply constructs may nest (parentheses, IF/ELSE, BEGIN…END, CASE, NOT, signs): past it the
 * batch is refused with SQL Server's Msg 191 at the line where it happened, instead of the parser
 * (a recursive descent) running out of stack. SQL Server's own limits are of the same order.
 */
export const MAX_NESTING = 128;
/**
 * How deep the tree of one statement may be, counting left-deep operator chains (`1+1+…+1`), which
 * the parser builds in a loop: every walker of the tree (the variable check, the interpreter) is
 * recursive, so the bound is checked here once, without recursion.
 */
export const MAX_TREE_DEPTH = 1000;

const NESTED_TOO_DEEPLY = 'Some part of your SQL statement is nested too deeply. Rewrite the query or break it up into smaller queries.';

/** Parses one batch (text between GO lines). Lines in the AST are 1-based within the batch. */
export function parseBatch(text: string): Statement[] {
  const statements = new Parser(tokenize(text)).batch();
  for (const s of statements) checkTreeDepth(s);
  return statements;
}

/** Parses a single expression (tests and `-v` style substitutions). */
export function parseExpression(text: string): Expr {
  const p = new Parser(tokenize(text));
  const e = p.expr();
  p.expectEof();
  checkTreeDepth(e);
  return e;
}

/** Msg 191 when a tree is deeper than MAX_TREE_DEPTH; an explicit stack, never recursion. */
function checkTreeDepth(root: object): void {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) { for (const n of node) stack.push([n, depth]); continue; }
    if (depth > MAX_TREE_DEPTH) throw new TsqlSyntaxError(191, NESTED_TOO_DEEPLY, (node as { line?: number }).line ?? 1);
    for (const v of Object.values(node)) if (typeof v === 'object' && v !== null) stack.push([v, depth + 1]);
  }
}

/** Integer constants: int when they fit, else bigint, else decimal. */
function integerConstantType(big: bigint): LiteralType {
  return big >= -2147483648n && big <= 2147483647n ? 'int' : big >= -9223372036854775808n && big <= 9223372036854775807n ? 'bigint' : 'decimal';
}

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  /** Runs one level of nesting; Msg 191 past MAX_NESTING. */
  private nested<T>(fn: () => T): T {
    if (this.depth >= MAX_NESTING) throw new TsqlSyntaxError(191, NESTED_TOO_DEEPLY, this.peek().line);
    this.depth++;
    try { return fn(); } finally { this.depth--; }
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }
  private atKeyword(word: string, offset = 0): boolean {
    return isKeyword(this.peek(offset), word);
  }
  private acceptKeyword(word: string): boolean {
    if (this.atKeyword(word)) { this.pos++; return true; }
    return false;
  }
  private atOp(op: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'op' && t.value === op;
  }
  private acceptOp(op: string): boolean {
    if (this.atOp(op)) { this.pos++; return true; }
    return false;
  }

  /** SQL Server's complaint about the token at hand (at the end: the last token of the batch). */
  fail(t: Token = this.peek()): never {
    let at = t;
    if (at.kind === 'eof') {
      const last = this.tokens[this.tokens.length - 2];
      if (last === undefined) throw new TsqlSyntaxError(102, "Incorrect syntax near ''.", 1);
      at = last;
    }
    if (at.kind === 'ident' && !at.quoted && RESERVED.has(at.value.toUpperCase())) {
      throw new TsqlSyntaxError(156, `Incorrect syntax near the keyword '${at.text}'.`, at.line);
    }
    throw new TsqlSyntaxError(102, `Incorrect syntax near '${at.kind === 'string' ? at.value : at.text}'.`, at.line);
  }
  private expectKeyword(word: string): Token {
    if (!this.atKeyword(word)) this.fail();
    return this.next();
  }
  private expectOp(op: string): Token {
    if (!this.atOp(op)) this.fail();
    return this.next();
  }
  expectEof(): void {
    if (this.peek().kind !== 'eof') this.fail();
  }
  /** An identifier usable as a name (quoted, or unquoted and not reserved). */
  private name(): Token {
    const t = this.peek();
    if (t.kind !== 'ident' || (!t.quoted && RESERVED.has(t.value.toUpperCase()))) this.fail();
    return this.next();
  }

  batch(): Statement[] {
    const out: Statement[] = [];
    while (this.peek().kind !== 'eof') {
      if (this.acceptOp(';')) continue;
      // A procedure name alone as the first statement of a batch is an EXEC (sp_who style).
      const first = out.length === 0 && this.peek().kind === 'ident' && !this.statementKeyword();
      out.push(first ? this.execBody(this.peek().line, undefined) : this.statement());
    }
    return out;
  }

  private statementKeyword(): boolean {
    const t = this.peek();
    if (t.kind !== 'ident' || t.quoted) return false;
    return ['SELECT', 'EXEC', 'EXECUTE', 'DECLARE', 'SET', 'USE', 'PRINT', 'RAISERROR', 'THROW', 'BEGIN', 'IF', 'RETURN', 'WITH'].includes(t.value.toUpperCase()) || RESERVED.has(t.value.toUpperCase());
  }

  /** This parser's cursor, lent to grammars kept in their own modules. */
  private cursor(): ParserCursor {
    return {
      peek: (o) => this.peek(o), next: () => this.next(), atKeyword: (w, o) => this.atKeyword(w, o),
      acceptKeyword: (w) => this.acceptKeyword(w), acceptOp: (op) => this.acceptOp(op), expectOp: (op) => this.expectOp(op),
      fail: (t) => this.fail(t),
    };
  }

  private statement(): Statement {
    return this.nested(() => this.statementAt());
  }

  private statementAt(): Statement {
    const t = this.peek();
    if (t.kind !== 'ident' || t.quoted) this.fail();
    if (atSecurityStatement(this.cursor())) return { kind: 'security', statement: parseSecurityStatement(this.cursor()), line: t.line };
    switch (t.value.toUpperCase()) {
      case 'USE': {
        this.next();
        const db = this.name();
        return { kind: 'use', database: db.value, line: t.line };
      }
      case 'DECLARE': return this.declare();
      case 'SET': return this.set();
      case 'SELECT': return this.select();
      case 'EXEC':
      case 'EXECUTE': return this.exec();
      case 'PRINT': {
        this.next();
        return { kind: 'print', expr: this.expr(), line: t.line };
      }
      case 'RAISERROR': return this.raiserror();
      case 'THROW': {
        this.next();
        if (this.atOp(';') || this.peek().kind === 'eof') {
          // Re-throw needs a CATCH block, which this subset does not have.
          throw new TsqlSyntaxError(10704, 'To rethrow an error, a THROW statement must be used inside a CATCH block. Insert the THROW statement inside a CATCH block, or add error parameters to the THROW statement.', t.line, 15, 1);
        }
        const number = this.expr();
        this.expectOp(',');
        const message = this.expr();
        this.expectOp(',');
        const state = this.expr();
        return { kind: 'throw', number, message, state, line: t.line };
      }
      case 'BEGIN': {
        this.next();
        if (this.atKeyword('TRAN') || this.atKeyword('TRANSACTION')) this.fail();
        const statements: Statement[] = [];
        for (;;) {
          if (this.acceptOp(';')) continue;
          if (this.atKeyword('END')) { this.next(); break; }
          if (this.peek().kind === 'eof') this.fail();
          statements.push(this.statement());
        }
        if (statements.length === 0) this.fail(this.tokens[this.pos - 1]);
        return { kind: 'block', statements, line: t.line };
      }
      case 'IF': {
        this.next();
        const condition = this.expr();
        const then = this.statement();
        while (this.atOp(';')) this.next();
        let otherwise: Statement | undefined;
        if (this.acceptKeyword('ELSE')) otherwise = this.statement();
        return { kind: 'if', condition, then, ...(otherwise ? { else: otherwise } : {}), line: t.line };
      }
      case 'RETURN': {
        this.next();
        const bare = this.argsEnd();
        return bare ? { kind: 'return', line: t.line } : { kind: 'return', expr: this.expr(), line: t.line };
      }
      default: return this.fail();
    }
  }

  private type(): SqlTypeSpec {
    const t = this.peek();
    if (t.kind !== 'ident') this.fail();
    this.next();
    const name = t.value.toLowerCase();
    if (!KNOWN_TYPES.has(name)) throw new TsqlSyntaxError(2715, `Column, parameter, or variable #1: Cannot find data type ${t.value}.`, t.line, 16, 6);
    if (!this.acceptOp('(')) return { name };
    if (this.atKeyword('MAX') || (this.peek().kind === 'ident' && this.peek().value.toUpperCase() === 'MAX')) {
      this.next();
      this.expectOp(')');
      if (!['nvarchar', 'varchar', 'varbinary'].includes(name)) this.fail(t);
      return { name, length: 'max' };
    }
    const a = this.next();
    if (a.kind !== 'number' || !/^\d+$/.test(a.value)) this.fail(a);
    if (this.acceptOp(',')) {
      const b = this.next();
      if (b.kind !== 'number' || !/^\d+$/.test(b.value)) this.fail(b);
      this.expectOp(')');
      return { name, precision: Number(a.value), scale: Number(b.value) };
    }
    this.expectOp(')');
    return name === 'decimal' || name === 'numeric' ? { name, precision: Number(a.value), scale: 0 } : { name, length: Number(a.value) };
  }

  private declare(): Statement {
    const start = this.next();
    const decls: { name: string; type: SqlTypeSpec; init?: Expr; line: number }[] = [];
    do {
      const v = this.next();
      if (v.kind !== 'variable') this.fail(v);
      this.acceptKeyword('AS');
      if (this.atKeyword('TABLE')) this.fail();
      const type = this.type();
      const init = this.acceptOp('=') ? this.expr() : undefined;
      decls.push({ name: v.value, type, ...(init ? { init } : {}), line: v.line });
    } while (this.acceptOp(','));
    return { kind: 'declare', decls, line: start.line };
  }

  private set(): Statement {
    const start = this.next();
    const v = this.peek();
    if (v.kind === 'variable') {
      this.next();
      let op: '=' | '+=' | '-=' = '=';
      if ((this.atOp('+') || this.atOp('-')) && this.atOp('=', 1)) { op = this.next().value === '+' ? '+=' : '-='; }
      this.expectOp('=');
      return { kind: 'set', variable: v.value, op, expr: this.expr(), line: start.line };
    }
    // SET NOCOUNT ON and similar session options: accepted, mostly without effect here.
    const option = this.name();
    const value = this.next();
    if (value.kind !== 'ident' && value.kind !== 'number') this.fail(value);
    return { kind: 'setoption', option: option.value.toUpperCase(), value: value.value.toUpperCase(), line: start.line };
  }

  private objectName(): ObjectName {
    const first = this.peek();
    const parts: string[] = [];
    // Leading empty parts (`..x`) are not T-SQL; inner empty parts (`SSISDB..x`) are.
    parts.push(this.name().value);
    while (this.atOp('.')) {
      this.next();
      if (this.atOp('.')) { parts.push(''); continue; }
      parts.push(this.name().value);
    }
    if (parts.length > 4) this.fail(first);
    return { parts, text: parts.join('.'), line: first.line };
  }

  private select(): Statement {
    const start = this.next();
    if (this.atKeyword('DISTINCT') || this.atKeyword('ALL')) this.fail();
    let top: Expr | undefined;
    if (this.acceptKeyword('TOP')) {
      if (this.acceptOp('(')) { top = this.expr(); this.expectOp(')'); } else {
        const n = this.next();
        if (n.kind !== 'number' && n.kind !== 'variable') this.fail(n);
        top = n.kind === 'number' ? { kind: 'literal', type: 'int', value: n.value, line: n.line } : { kind: 'variable', name: n.value, line: n.line };
      }
      if (this.atKeyword('PERCENT')) this.fail();
    }
    // Variable assignment form: SELECT @a = expr, @b = expr
    if (this.peek().kind === 'variable' && this.atOp('=', 1)) {
      const assignments: { variable: string; expr: Expr }[] = [];
      do {
        const v = this.next();
        if (v.kind !== 'variable' || !this.atOp('=')) {
          throw new TsqlSyntaxError(141, 'A SELECT statement that assigns a value to a variable must not be combined with data-retrieval operations.', v.line);
        }
        this.next();
        assignments.push({ variable: v.value, expr: this.expr() });
      } while (this.acceptOp(','));
      const rest = this.selectTail();
      if (top) this.fail();
      return { kind: 'selectassign', assignments, ...rest, line: start.line };
    }
    const items: SelectItem[] = [];
    do {
      if (this.atOp('*')) { items.push({ kind: 'star', line: this.next().line }); continue; }
      if (this.peek().kind === 'variable' && this.atOp('=', 1)) {
        throw new TsqlSyntaxError(141, 'A SELECT statement that assigns a value to a variable must not be combined with data-retrieval operations.', this.peek().line);
      }
      // `name = expr` is an alias in a select list.
      const t = this.peek();
      if (t.kind === 'ident' && (t.quoted || !RESERVED.has(t.value.toUpperCase())) && this.atOp('=', 1)) {
        this.next(); this.next();
        const expr = this.expr();
        items.push({ kind: 'expr', expr, alias: t.value, text: t.value });
        continue;
      }
      if (t.kind === 'string' && this.atOp('=', 1)) {
        this.next(); this.next();
        items.push({ kind: 'expr', expr: this.expr(), alias: t.value, text: t.value });
        continue;
      }
      const from = this.pos;
      const expr = this.expr();
      const text = this.tokens.slice(from, this.pos).map((x) => x.text).join('');
      let alias: string | undefined;
      if (this.acceptKeyword('AS')) {
        const a = this.next();
        if (a.kind !== 'ident' && a.kind !== 'string') this.fail(a);
        alias = a.value;
      } else if ((this.peek().kind === 'ident' && (this.peek().quoted || !RESERVED.has(this.peek().value.toUpperCase()))) || this.peek().kind === 'string') {
        alias = this.next().value;
      }
      items.push({ kind: 'expr', expr, ...(alias !== undefined ? { alias } : {}), text });
    } while (this.acceptOp(','));
    const rest = this.selectTail();
    return { kind: 'select', ...(top ? { top } : {}), items, ...rest, line: start.line };
  }

  /** `[AS] alias` and table hints after a FROM/JOIN source. */
  private sourceAlias(): string | undefined {
    let alias: string | undefined;
    if (this.acceptKeyword('AS')) alias = this.name().value;
    else if (this.peek().kind === 'ident' && (this.peek().quoted || !RESERVED.has(this.peek().value.toUpperCase()))) alias = this.next().value;
    if (this.atKeyword('WITH')) {
      // Table hints such as WITH (NOLOCK): accepted and ignored (reads here are always consistent).
      this.next();
      this.expectOp('(');
      do this.name(); while (this.acceptOp(','));
      this.expectOp(')');
    }
    return alias;
  }

  private reportCursor(): ReportCursor {
    return {
      ...this.cursor(), expr: () => this.expr(), objectName: () => this.objectName(), alias: () => this.sourceAlias(),
    };
  }

  private selectTail(): { -readonly [K in keyof SelectTail]: SelectTail[K] } {
    const out: { -readonly [K in keyof SelectTail]: SelectTail[K] } = {};
    if (this.acceptKeyword('FROM')) {
      out.from = this.objectName();
      const alias = this.sourceAlias();
      if (alias !== undefined) out.fromAlias = alias;
      const joins = parseJoins(this.reportCursor());
      if (joins.length > 0) out.joins = joins;
    }
    if (this.acceptKeyword('WHERE')) out.where = this.expr();
    Object.assign(out, parseGrouping(this.reportCursor()));
    if (this.atKeyword('ORDER')) {
      this.next();
      this.expectKeyword('BY');
      const list: { expr: Expr; desc: boolean }[] = [];
      do {
        const expr = this.expr();
        let desc = false;
        if (this.acceptKeyword('DESC')) desc = true;
        else this.acceptKeyword('ASC');
        list.push({ expr, desc });
      } while (this.acceptOp(','));
      out.orderBy = list;
    }
    return out;
  }

  private exec(): Statement {
    const start = this.next();
    let returnVar: string | undefined;
    if (this.peek().kind === 'variable' && this.atOp('=', 1)) {
      returnVar = this.next().value;
      this.next();
    }
    if (this.atOp('(')) this.fail(); // EXEC('dynamic sql') is not supported by the catalog front door.
    return this.execBody(start.line, returnVar);
  }

  private execBody(line: number, returnVar: string | undefined): Statement {
    const proc = this.objectName();
    const args: ExecArg[] = [];
    // Arguments run to the end of the statement: `;`, end of batch, or the next statement keyword.
    if (!this.argsEnd()) {
      do {
        const t = this.peek();
        let name: string | undefined;
        if (t.kind === 'variable' && this.atOp('=', 1)) { name = t.value; this.next(); this.next(); }
        const value = this.execValue();
        let output = false;
        if (this.atKeyword('OUTPUT') || this.atKeyword('OUT')) { this.next(); output = true; }
        args.push({ ...(name !== undefined ? { name } : {}), value, output, line: t.line });
      } while (this.acceptOp(','));
    }
    if (!this.argsEnd()) this.fail();
    return { kind: 'exec', ...(returnVar !== undefined ? { returnVar } : {}), proc, args, line };
  }

  private argsEnd(): boolean {
    const t = this.peek();
    if (t.kind === 'eof' || this.atOp(';')) return true;
    if (t.kind !== 'ident' || t.quoted) return false;
    const u = t.value.toUpperCase();
    return ['SELECT', 'EXEC', 'EXECUTE', 'DECLARE', 'SET', 'USE', 'PRINT', 'RAISERROR', 'THROW', 'BEGIN', 'IF', 'RETURN', 'END', 'ELSE'].includes(u);
  }

  /** A constant, a variable, DEFAULT, or a bare word (SQL Server takes it as a character string). */
  private execValue(): ExecArg['value'] {
    const t = this.peek();
    if (this.atKeyword('DEFAULT')) { this.next(); return { kind: 'default', line: t.line }; }
    if (this.atKeyword('NULL')) { this.next(); return { kind: 'literal', type: 'null', value: 'NULL', line: t.line }; }
    if (t.kind === 'variable') { this.next(); return { kind: 'variable', name: t.value, line: t.line }; }
    if (t.kind === 'string' || t.kind === 'number' || t.kind === 'binary') return this.primary();
    if (t.kind === 'op' && (t.value === '-' || t.value === '+') && this.peek(1).kind === 'number') {
      this.next();
      const n = this.next();
      const lit = this.numberLiteral(n);
      return t.value === '-' ? { ...lit, value: '-' + lit.value } : lit;
    }
    if (t.kind === 'ident' && !t.quoted && !RESERVED.has(t.value.toUpperCase())) {
      this.next();
      return { kind: 'literal', type: 'nvarchar', value: t.value, line: t.line };
    }
    return this.fail();
  }

  private raiserror(): Statement {
    const start = this.next();
    this.expectOp('(');
    const message = this.expr();
    this.expectOp(',');
    const severity = this.expr();
    this.expectOp(',');
    const state = this.expr();
    const args: Expr[] = [];
    while (this.acceptOp(',')) args.push(this.expr());
    this.expectOp(')');
    if (this.acceptKeyword('WITH')) {
      do {
        const o = this.name().value.toUpperCase();
        if (!['NOWAIT', 'LOG', 'SETERROR'].includes(o)) this.fail(this.tokens[this.pos - 1]);
      } while (this.acceptOp(','));
    }
    return { kind: 'raiserror', message, severity, state, args, line: start.line };
  }

  // ---- expressions: OR < AND < NOT < predicates < additive < multiplicative < unary ----

  expr(): Expr {
    return this.nested(() => this.orExpr());
  }

  private orExpr(): Expr {
    let left = this.andExpr();
    while (this.atKeyword('OR')) {
      const line = this.next().line;
      left = { kind: 'binary', op: 'or', left, right: this.andExpr(), line };
    }
    return left;
  }

  private andExpr(): Expr {
    let left = this.notExpr();
    while (this.atKeyword('AND')) {
      const line = this.next().line;
      left = { kind: 'binary', op: 'and', left, right: this.notExpr(), line };
    }
    return left;
  }

  private notExpr(): Expr {
    if (this.atKeyword('NOT')) {
      const line = this.next().line;
      return { kind: 'unary', op: 'not', operand: this.nested(() => this.notExpr()), line };
    }
    return this.predicate();
  }

  private predicate(): Expr {
    const left = this.additive();
    const line = this.peek().line;
    const t = this.peek();
    if (t.kind === 'op' && ['=', '<>', '!=', '<', '>', '<=', '>=', '!<', '!>'].includes(t.value)) {
      this.next();
      const map: Record<string, BinaryOp> = { '!=': '<>', '!<': '>=', '!>': '<=' };
      return { kind: 'binary', op: map[t.value] ?? (t.value as BinaryOp), left, right: this.additive(), line };
    }
    if (this.atKeyword('IS')) {
      this.next();
      const not = this.acceptKeyword('NOT');
      this.expectKeyword('NULL');
      return { kind: 'isnull', expr: left, not, line };
    }
    let not = false;
    if (this.atKeyword('NOT') && (this.atKeyword('IN', 1) || this.atKeyword('LIKE', 1) || this.atKeyword('BETWEEN', 1))) {
      this.next();
      not = true;
    }
    if (this.acceptKeyword('IN')) {
      this.expectOp('(');
      if (this.atKeyword('SELECT')) this.fail();
      const list: Expr[] = [];
      do list.push(this.expr()); while (this.acceptOp(','));
      this.expectOp(')');
      return { kind: 'in', expr: left, list, not, line };
    }
    if (this.acceptKeyword('LIKE')) {
      const pattern = this.additive();
      const escape = this.acceptKeyword('ESCAPE') ? this.additive() : undefined;
      return { kind: 'like', expr: left, pattern, ...(escape ? { escape } : {}), not, line };
    }
    if (this.acceptKeyword('BETWEEN')) {
      const low = this.additive();
      this.expectKeyword('AND');
      const high = this.additive();
      return { kind: 'between', expr: left, low, high, not, line };
    }
    if (not) this.fail();
    return left;
  }

  private additive(): Expr {
    let left = this.multiplicative();
    while (this.atOp('+') || this.atOp('-')) {
      const t = this.next();
      left = { kind: 'binary', op: t.value as BinaryOp, left, right: this.multiplicative(), line: t.line };
    }
    return left;
  }

  private multiplicative(): Expr {
    let left = this.unary();
    while (this.atOp('*') || this.atOp('/') || this.atOp('%')) {
      const t = this.next();
      left = { kind: 'binary', op: t.value as BinaryOp, left, right: this.unary(), line: t.line };
    }
    return left;
  }

  private unary(): Expr {
    if (this.atOp('-') || this.atOp('+')) {
      const t = this.next();
      const operand = this.nested(() => this.unary());
      if (operand.kind === 'literal' && operand.type !== 'varchar' && operand.type !== 'nvarchar' && operand.type !== 'null' && operand.type !== 'varbinary') {
        if (t.value === '+') return operand;
        const value = operand.value.startsWith('-') ? operand.value.slice(1) : '-' + operand.value;
        // An integer constant is typed by its signed value: -2147483648 is an int and
        // -9223372036854775808 a bigint (so `-9223372036854775808 - 1` overflows, 8115), as
        // typing the digits before the sign would make them one size larger.
        if (operand.type === 'int' || operand.type === 'bigint' || (operand.type === 'decimal' && /^-?\d+$/.test(operand.value))) {
          return { ...operand, value, type: integerConstantType(BigInt(value)) };
        }
        return { ...operand, value };
      }
      return { kind: 'unary', op: t.value as '-' | '+', operand, line: t.line };
    }
    return this.primary();
  }

  private numberLiteral(t: Token): Expr & { kind: 'literal' } {
    const v = t.value;
    if (/[eE]/.test(v)) return { kind: 'literal', type: 'float', value: v, line: t.line };
    if (v.includes('.')) return { kind: 'literal', type: 'decimal', value: v, line: t.line };
    return { kind: 'literal', type: integerConstantType(BigInt(v)), value: v, line: t.line };
  }

  private primary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'string':
        this.next();
        return { kind: 'literal', type: t.unicode ? 'nvarchar' : 'varchar', value: t.value, line: t.line };
      case 'number':
        this.next();
        return this.numberLiteral(t);
      case 'binary':
        this.next();
        return { kind: 'literal', type: 'varbinary', value: t.value, line: t.line };
      case 'variable':
        this.next();
        return { kind: 'variable', name: t.value, line: t.line };
      case 'sysvar':
        this.next();
        return { kind: 'sysvar', name: t.value.toUpperCase(), line: t.line };
      case 'op':
        if (t.value === '(') {
          this.next();
          if (this.atKeyword('SELECT')) this.fail();
          const e = this.expr();
          this.expectOp(')');
          return e;
        }
        return this.fail();
      case 'ident':
        return this.identExpr();
      default:
        return this.fail();
    }
  }

  private identExpr(): Expr {
    const t = this.peek();
    const upper = t.quoted ? '' : t.value.toUpperCase();
    if (upper === 'NULL') { this.next(); return { kind: 'literal', type: 'null', value: 'NULL', line: t.line }; }
    if (upper === 'CASE') return this.caseExpr();
    if ((upper === 'CAST' || upper === 'TRY_CAST') && this.atOp('(', 1)) {
      this.next(); this.next();
      const expr = this.expr();
      this.expectKeyword('AS');
      const type = this.type();
      this.expectOp(')');
      return { kind: 'cast', fn: upper, expr, type, line: t.line };
    }
    if ((upper === 'CONVERT' || upper === 'TRY_CONVERT') && this.atOp('(', 1)) {
      this.next(); this.next();
      const type = this.type();
      this.expectOp(',');
      const expr = this.expr();
      const style = this.acceptOp(',') ? this.expr() : undefined;
      this.expectOp(')');
      return { kind: 'cast', fn: upper, expr, type, ...(style ? { style } : {}), line: t.line };
    }
    if (['CURRENT_TIMESTAMP', 'CURRENT_USER', 'SYSTEM_USER', 'SESSION_USER'].includes(upper)) {
      this.next();
      return { kind: 'call', name: upper, args: [], star: false, line: t.line };
    }
    if (!t.quoted && RESERVED.has(upper)) this.fail();
    if (this.atOp('(', 1)) {
      this.next(); this.next();
      const args: Expr[] = [];
      let star = false;
      if (this.atOp('*')) { this.next(); star = true; } else if (!this.atOp(')')) {
        do args.push(this.expr()); while (this.acceptOp(','));
      }
      this.expectOp(')');
      return { kind: 'call', name: t.value.toUpperCase(), args, star, line: t.line };
    }
    const parts: string[] = [this.next().value];
    while (this.atOp('.') && this.peek(1).kind === 'ident') {
      this.next();
      parts.push(this.next().value);
    }
    return { kind: 'column', parts, line: t.line };
  }

  private caseExpr(): Expr {
    const start = this.next();
    const operand = this.atKeyword('WHEN') ? undefined : this.expr();
    const whens: { when: Expr; then: Expr }[] = [];
    while (this.acceptKeyword('WHEN')) {
      const when = this.expr();
      this.expectKeyword('THEN');
      whens.push({ when, then: this.expr() });
    }
    if (whens.length === 0) this.fail();
    const otherwise = this.acceptKeyword('ELSE') ? this.expr() : undefined;
    this.expectKeyword('END');
    return { kind: 'case', ...(operand ? { operand } : {}), whens, ...(otherwise ? { else: otherwise } : {}), line: start.line };
  }
}
