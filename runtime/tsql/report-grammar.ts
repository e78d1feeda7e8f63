/**
 * The parts of SELECT that reports need beyond one view (what SSMS's Integration Services reports
 * send): inner and left joins between catalog views, GROUP BY and HAVING. Kept apart from parser.ts,
 * which hands over after the first FROM source and after WHERE.
 *
 *   FROM v1 [AS] a  { [INNER] JOIN | LEFT [OUTER] JOIN }  v2 [AS] b ON <condition>  …
 *   [WHERE …] [GROUP BY expr, …] [HAVING <condition>] [ORDER BY …]
 */
import type { Token } from './lexer.ts';
import type { Expr, ObjectName } from './parser.ts';

export interface JoinClause {
  readonly kind: 'inner' | 'left';
  readonly source: ObjectName;
  readonly alias?: string;
  readonly on: Expr;
  readonly line: number;
}

/** What parser.ts lends: its cursor, expressions, object names and aliases. */
export interface ReportCursor {
  peek(offset?: number): Token;
  next(): Token;
  atKeyword(word: string, offset?: number): boolean;
  acceptKeyword(word: string): boolean;
  acceptOp(op: string): boolean;
  fail(t?: Token): never;
  expr(): Expr;
  objectName(): ObjectName;
  /** `[AS] alias` after a source, when there is one. */
  alias(): string | undefined;
}

/** Joins after the first source of a FROM clause (none: an empty list). */
export function parseJoins(c: ReportCursor): JoinClause[] {
  const joins: JoinClause[] = [];
  for (;;) {
    const line = c.peek().line;
    let kind: 'inner' | 'left';
    if (c.acceptKeyword('JOIN')) kind = 'inner';
    else if (c.atKeyword('INNER') && c.atKeyword('JOIN', 1)) { c.next(); c.next(); kind = 'inner'; }
    else if (c.atKeyword('LEFT')) {
      c.next();
      c.acceptKeyword('OUTER');
      if (!c.acceptKeyword('JOIN')) c.fail();
      kind = 'left';
    } else if (c.atKeyword('RIGHT') || c.atKeyword('FULL') || c.atKeyword('CROSS')) {
      return c.fail(); // not needed by the reports; refused rather than half done
    } else return joins;
    const source = c.objectName();
    const alias = c.alias();
    if (!c.acceptKeyword('ON')) c.fail();
    joins.push({ kind, source, ...(alias !== undefined ? { alias } : {}), on: c.expr(), line });
  }
}

/** `GROUP BY e, …` and `HAVING cond` after WHERE (each optional). */
export function parseGrouping(c: ReportCursor): { groupBy?: Expr[]; having?: Expr } {
  const out: { groupBy?: Expr[]; having?: Expr } = {};
  if (c.atKeyword('GROUP')) {
    c.next();
    if (!c.acceptKeyword('BY')) c.fail();
    const list: Expr[] = [];
    do list.push(c.expr()); while (c.acceptOp(','));
    out.groupBy = list;
  }
  if (c.acceptKeyword('HAVING')) out.having = c.expr();
  return out;
}
