/**
 * Test helpers for the expression language: a scope over a plain map of variables with a fixed
 * clock, and `run(text)` which compiles and evaluates in one step.
 */
import { compileExpression, type ExpressionScope, type SsisValue } from '../../executor/package/expressions/index.ts';

/** A fixed "now": 2024-01-15 10:30:45.123 local time. */
export const FIXED_NOW = new Date(2024, 0, 15, 10, 30, 45, 123);

export function mapScope(vars: Record<string, SsisValue> = {}, now: Date = FIXED_NOW): ExpressionScope {
  return { getVariable: (name) => vars[name], now: () => now };
}

export function run(text: string, vars: Record<string, SsisValue> = {}): SsisValue {
  return compileExpression(text).evaluate(mapScope(vars));
}
