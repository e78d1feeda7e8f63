/**
 * The syntax tree `parseExpression` returns. Every node carries `pos`, the 1-based character
 * position of its first token, so evaluation errors can point back into the text.
 */
import type { SsisType, SsisValue } from './types.ts';

export type BinaryOperator =
  | '*' | '/' | '%' | '+' | '-' | '<' | '>' | '<=' | '>=' | '==' | '!='
  | '&' | '^' | '|' | '&&' | '||';
export type UnaryOperator = '-' | '!' | '~';

export type ExpressionAst =
  | { readonly kind: 'literal'; readonly pos: number; readonly value: SsisValue; readonly text: string }
  /** `@X`, `@[User::X]`, `@[$Package::P]`: `namespace` is undefined when the text gives none. */
  | { readonly kind: 'variable'; readonly pos: number; readonly namespace: string | undefined; readonly name: string }
  /** A data-flow column (`[Col]`, `Col`, `[Source].[Col]`); not evaluable in the control flow. */
  | { readonly kind: 'column'; readonly pos: number; readonly name: string }
  /** A lineage identifier `#123`. */
  | { readonly kind: 'lineage'; readonly pos: number; readonly id: number }
  | { readonly kind: 'unary'; readonly pos: number; readonly op: UnaryOperator; readonly operand: ExpressionAst }
  | { readonly kind: 'cast'; readonly pos: number; readonly target: SsisType; readonly operand: ExpressionAst }
  | { readonly kind: 'binary'; readonly pos: number; readonly op: BinaryOperator; readonly left: ExpressionAst; readonly right: ExpressionAst }
  | { readonly kind: 'conditional'; readonly pos: number; readonly test: ExpressionAst; readonly whenTrue: ExpressionAst; readonly whenFalse: ExpressionAst }
  /** A function call; `name` is upper case. */
  | { readonly kind: 'call'; readonly pos: number; readonly name: string; readonly args: readonly ExpressionAst[] }
  /** `NULL(DT_…)`: a typed NULL. */
  | { readonly kind: 'null'; readonly pos: number; readonly type: SsisType };
