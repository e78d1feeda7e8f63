/**
 * The SSIS expression language: the one entry point the package engine uses for property
 * expressions, variables evaluated as expressions, precedence constraints, For Loops and the
 * Expression Task. Pure TypeScript, no I/O; the clock and the variables come from the scope.
 */
export { parseExpression } from './parser.ts';
export { compileExpression, evaluateAs, type CompiledExpression, type ExpressionScope } from './evaluate.ts';
export type { ExpressionAst, BinaryOperator, UnaryOperator } from './ast.ts';
export { ExpressionSyntaxError } from './errors.ts';
export {
  T, TYPE_NAMES, nullOf, isNull, typeToString, sameType,
  type SsisType, type SsisTypeName, type SimpleTypeName, type SsisValue, type SsisScalar, type SsisDecimal, type SsisDateTime,
} from './types.ts';
export {
  TypeCode, toSsisValue, jsToSsisValue, fromSsisValue, formatSsisValue, typeForTypeCode, typeForVarType, type JsValue,
} from './values.ts';
export { FUNCTION_NAMES } from './functions.ts';
