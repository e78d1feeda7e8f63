/**
 * The two ways an expression fails: a syntax error found while parsing (with the 1-based position
 * and the offending token) and an evaluation error (type, overflow, conversion, missing variable).
 * Both are `SsoError`s from the one registry; these helpers keep their messages uniform.
 */
import { SsoError } from '../../../actors/errors.ts';

/** A parse failure; `position` is 1-based in the expression text, `token` the text found there. */
export class ExpressionSyntaxError extends SsoError {
  readonly position: number;
  readonly token: string;
  constructor(expression: string, position: number, token: string, problem: string) {
    const shown = token === '' ? 'end of expression' : `'${token}'`;
    super('SSO_ERR_EXPRESSION_SYNTAX',
      `Syntax error in expression "${expression}" at position ${position} near ${shown}: ${problem}`,
      { where: `position ${position}, token ${shown}` });
    this.position = position;
    this.token = token;
  }
}

/**
 * Raised inside the evaluator without the expression text; `compileExpression` rewraps it with
 * the text and the position of the failing node, so callers always see the whole context.
 */
export class EvaluationFailure extends Error {
  readonly position: number | undefined;
  constructor(message: string, position?: number) {
    super(message);
    this.name = 'EvaluationFailure';
    this.position = position;
  }
}

export function fail(message: string, position?: number): never {
  throw new EvaluationFailure(message, position);
}

/** The public evaluation error: names the expression, the reason and where in the text. */
export function evaluationError(expression: string, failure: EvaluationFailure): SsoError {
  const at = failure.position === undefined ? '' : ` (at position ${failure.position})`;
  return new SsoError('SSO_ERR_EXPRESSION_EVAL',
    `The expression "${expression}" failed${at}: ${failure.message}`,
    { where: failure.position === undefined ? `expression "${expression}"` : `expression "${expression}", position ${failure.position}`, cause: failure });
}
