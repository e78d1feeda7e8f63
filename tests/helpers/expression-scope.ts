/**
 * Test helpers for the expression language: a scope over a plain map of variables with a fixed
 * clock, `run(text)` which compiles and evaluates in one step, and the assertions the expression
 * suites share (`val`, `typ`, `evalError`).
 */
import * as assert from 'uvu/assert';
import { compileExpression, formatSsisValue, typeToString, type ExpressionScope, type SsisValue } from '../../executor/package/expressions/index.ts';

/** A fixed "now": 2024-01-15 10:30:45.123 local time. */
export const FIXED_NOW = new Date(2024, 0, 15, 10, 30, 45, 123);

export function mapScope(vars: Record<string, SsisValue> = {}, now: Date = FIXED_NOW): ExpressionScope {
  return { getVariable: (name) => vars[name], now: () => now };
}

export function run(text: string, vars: Record<string, SsisValue> = {}): SsisValue {
  return compileExpression(text).evaluate(mapScope(vars));
}

/** The value of an expression as SSIS prints it. */
export const val = (text: string, vars?: Record<string, SsisValue>): string => formatSsisValue(run(text, vars));

/** The type of an expression's result, e.g. `DT_NUMERIC(16,3)`. */
export const typ = (text: string, vars?: Record<string, SsisValue>): string => typeToString(run(text, vars).type);

/** Asserts that evaluating `text` fails with SSO_ERR_EXPRESSION_EVAL, a message matching `pattern` that quotes the expression. */
export function evalError(text: string, pattern: RegExp, vars?: Record<string, SsisValue>): void {
  try {
    run(text, vars);
  } catch (e) {
    const err = e as { code: string; message: string };
    assert.is(err.code, 'SSO_ERR_EXPRESSION_EVAL', `code for ${text}: ${err.message}`);
    assert.match(err.message, pattern);
    assert.ok(err.message.includes(`"${text}"`), `the message quotes the expression: ${err.message}`);
    return;
  }
  assert.unreachable(`expected an evaluation error for ${text}`);
}
