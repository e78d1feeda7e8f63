/**
 * Compiles a parsed expression into an evaluator over a variable scope. Types are checked as the
 * values flow (variables' types are only known at run time), with SSIS's rules: NULL propagates
 * with the result type, `? :` evaluates the chosen branch and types the result from both.
 */
import type { ExpressionAst } from './ast.ts';
import { castValue } from './convert.ts';
import { EvaluationFailure, ExpressionSyntaxError, evaluationError, fail } from './errors.ts';
import { DATEPART_FUNCTIONS, lookupFunction, type FunctionContext } from './functions.ts';
import { binary, conditionalType, logical, toConditionalType, unary } from './operators.ts';
import { parseExpression } from './parser.ts';
import { T, isString, nullOf, typeToString, type SsisType, type SsisValue } from './types.ts';
import { SsoError } from '../../../actors/errors.ts';

/**
 * What an expression reads from its surroundings.
 *
 * `getVariable` receives a qualified name — `User::X`, `System::StartTime`, `$Package::P`,
 * `$Project::P` — and returns the value, or undefined when there is no such variable (the
 * evaluation then fails naming it). An unqualified `@X` is qualified by `resolveName(X)` when
 * given (the engine knows which namespaces hold an X in scope), else as `User::X`.
 */
export interface ExpressionScope {
  getVariable(name: string): SsisValue | undefined;
  resolveName?(name: string): string | undefined;
  /** The clock for GETDATE()/GETUTCDATE(); the system clock by default. */
  now?(): Date;
  /** Data-flow column values by name (`[Col]`); absent in the control flow. */
  getColumn?(name: string): SsisValue | undefined;
}

export interface CompiledExpression {
  /** The expression text as given. */
  readonly text: string;
  readonly ast: ExpressionAst;
  /**
   * Variables and parameters the expression reads, each once, in order of appearance: qualified
   * names as written (`User::X`, `$Package::P`); an unqualified `@X` is listed as plain `X`.
   */
  readonly references: readonly string[];
  /** Data-flow columns the expression reads (`[Col]`), for validation by a data-flow component. */
  readonly columns: readonly string[];
  /**
   * Evaluates against `scope`. Throws SsoError `SSO_ERR_EXPRESSION_EVAL` naming the expression,
   * the position and the reason (missing variable, type mismatch, overflow, conversion, …).
   */
  evaluate(scope: ExpressionScope): SsisValue;
}

/** Parses and prepares an expression; throws `SSO_ERR_EXPRESSION_SYNTAX` on bad text. */
export function compileExpression(text: string): CompiledExpression {
  const ast = parseExpression(text);
  checkCalls(text, ast);
  const references: string[] = [];
  const columns: string[] = [];
  collect(ast, references, columns);
  return {
    text, ast, references, columns,
    evaluate(scope: ExpressionScope): SsisValue {
      try {
        return evaluateNode(ast, scope, { now: () => scope.now?.() ?? new Date() });
      } catch (e) {
        if (e instanceof EvaluationFailure) throw evaluationError(text, e);
        if (e instanceof RangeError) throw evaluationError(text, new EvaluationFailure(`the expression is too deeply nested or too large (${e.message})`));
        throw e;
      }
    },
  };
}

/**
 * Evaluates and converts the result to `target`, as a property expression or a variable with
 * EvaluateAsExpression does. A DT_WSTR target of length 0 means "any length". A Boolean target
 * needs a Boolean result: SSIS never converts to DT_BOOL implicitly.
 */
export function evaluateAs(compiled: CompiledExpression, scope: ExpressionScope, target: SsisType): SsisValue {
  const v = compiled.evaluate(scope);
  try {
    if (target.name === 'DT_BOOL' && v.type.name !== 'DT_BOOL') {
      fail(`the result has type ${typeToString(v.type)} but DT_BOOL is required; compare or cast explicitly`);
    }
    if (target.name === 'DT_WSTR' && target.length === 0 && isString(v.type)) return { type: T.wstr((v.value as string | null)?.length ?? 0), value: v.value };
    if (target.name === 'DT_WSTR' && target.length === 0) {
      const text = castValue(v, T.wstr(4000));
      return { type: T.wstr((text.value as string | null)?.length ?? 0), value: text.value };
    }
    if (v.value === null) return nullOf(target);
    return castValue(v, target);
  } catch (e) {
    if (e instanceof EvaluationFailure) throw evaluationError(compiled.text, e);
    throw e;
  }
}

/** Unknown functions and wrong argument counts are found before anything runs. */
function checkCalls(text: string, node: ExpressionAst): void {
  switch (node.kind) {
    case 'unary': case 'cast': checkCalls(text, node.operand); return;
    case 'binary': checkCalls(text, node.left); checkCalls(text, node.right); return;
    case 'conditional': checkCalls(text, node.test); checkCalls(text, node.whenTrue); checkCalls(text, node.whenFalse); return;
    case 'call': {
      const spec = lookupFunction(node.name);
      if (!spec) throw new ExpressionSyntaxError(text, node.pos, node.name, `unknown function ${node.name}`);
      if (node.args.length < spec.min || node.args.length > spec.max) {
        const want = spec.min === spec.max ? `${spec.min}` : `${spec.min} to ${spec.max}`;
        throw new ExpressionSyntaxError(text, node.pos, node.name, `${node.name} takes ${want} argument${spec.max === 1 ? '' : 's'}, got ${node.args.length}`);
      }
      node.args.forEach((a) => checkCalls(text, a));
      return;
    }
    default: return;
  }
}

function collect(node: ExpressionAst, refs: string[], columns: string[]): void {
  switch (node.kind) {
    case 'variable': {
      const name = node.namespace === undefined ? node.name : `${node.namespace}::${node.name}`;
      if (!refs.includes(name)) refs.push(name);
      return;
    }
    case 'column': if (!columns.includes(node.name)) columns.push(node.name); return;
    case 'unary': case 'cast': collect(node.operand, refs, columns); return;
    case 'binary': collect(node.left, refs, columns); collect(node.right, refs, columns); return;
    case 'conditional':
      collect(node.test, refs, columns); collect(node.whenTrue, refs, columns); collect(node.whenFalse, refs, columns);
      return;
    case 'call':
      node.args.forEach((a, i) => {
        // A bare datepart name (DATEPART(dd, …)) is not a column.
        if (!(i === 0 && DATEPART_FUNCTIONS.has(node.name) && a.kind === 'column')) collect(a, refs, columns);
      });
      return;
    default: return;
  }
}

/** Gives a failure without a position the position of `node` (inline form of `at`, no closure per node: hot in data flows). */
function positioned(node: ExpressionAst, e: unknown): never {
  if (e instanceof EvaluationFailure && e.position === undefined) throw new EvaluationFailure(e.message, node.pos);
  throw e;
}

/** Runs `f`, giving any failure without a position the position of `node`. */
function at<R>(node: ExpressionAst, f: () => R): R {
  try {
    return f();
  } catch (e) {
    if (e instanceof EvaluationFailure && e.position === undefined) throw new EvaluationFailure(e.message, node.pos);
    throw e;
  }
}

function readVariable(node: Extract<ExpressionAst, { kind: 'variable' }>, scope: ExpressionScope): SsisValue {
  const qualified = node.namespace !== undefined
    ? `${node.namespace}::${node.name}`
    : (scope.resolveName?.(node.name) ?? `User::${node.name}`);
  let v: SsisValue | undefined;
  try {
    v = scope.getVariable(qualified);
  } catch (e) {
    const why = SsoError.is(e) || e instanceof Error ? e.message : String(e);
    return fail(`reading the variable "${qualified}" failed: ${why}`, node.pos);
  }
  if (v === undefined) return fail(`the variable "${qualified}" was not found`, node.pos);
  return v;
}

function evaluateNode(node: ExpressionAst, scope: ExpressionScope, ctx: FunctionContext): SsisValue {
  switch (node.kind) {
    case 'literal': return node.value;
    case 'null': return nullOf(node.type);
    case 'variable': return readVariable(node, scope);
    case 'column': {
      const v = scope.getColumn?.(node.name);
      if (!scope.getColumn) return fail(`the column reference [${node.name}] can only be evaluated inside a data flow`, node.pos);
      if (v === undefined) return fail(`the column [${node.name}] was not found`, node.pos);
      return v;
    }
    case 'lineage': return fail(`the lineage identifier #${node.id} can only be evaluated inside a data flow`, node.pos);
    case 'unary': {
      const v = evaluateNode(node.operand, scope, ctx);
      try { return unary(node.op, v); } catch (e) { return positioned(node, e); }
    }
    case 'cast': {
      const v = evaluateNode(node.operand, scope, ctx);
      try { return castValue(v, node.target); } catch (e) { return positioned(node, e); }
    }
    case 'binary': {
      const left = evaluateNode(node.left, scope, ctx);
      if (node.op === '&&' || node.op === '||') {
        const op = node.op;
        return at(node, () => logical(op, left, () => evaluateNode(node.right, scope, ctx)));
      }
      const right = evaluateNode(node.right, scope, ctx);
      try { return binary(node.op, left, right); } catch (e) { return positioned(node, e); }
    }
    case 'conditional': {
      const test = evaluateNode(node.test, scope, ctx);
      if (test.type.name !== 'DT_BOOL') {
        return fail(`the condition of "? :" must be DT_BOOL, got ${typeToString(test.type)}`, node.test.pos);
      }
      // Only the chosen branch must succeed; the other contributes its type when it can be computed.
      const other = (n: ExpressionAst): SsisValue | undefined => {
        try { return evaluateNode(n, scope, ctx); } catch (e) { if (e instanceof EvaluationFailure) return undefined; throw e; }
      };
      if (test.value === null) {
        const a = other(node.whenTrue);
        const b = other(node.whenFalse);
        const type = at(node, () => conditionalType(a?.type ?? b?.type ?? T.NULL, b?.type ?? a?.type ?? T.NULL));
        return nullOf(type);
      }
      const chosen = evaluateNode(test.value ? node.whenTrue : node.whenFalse, scope, ctx);
      const rest = other(test.value ? node.whenFalse : node.whenTrue);
      return at(node, () => {
        const type = rest === undefined ? chosen.type : conditionalType(chosen.type, rest.type);
        return toConditionalType(chosen, type);
      });
    }
    case 'call': {
      const spec = lookupFunction(node.name);
      if (!spec) return fail(`unknown function ${node.name}`, node.pos);
      if (node.args.length < spec.min || node.args.length > spec.max) {
        const want = spec.min === spec.max ? `${spec.min}` : `${spec.min} to ${spec.max}`;
        return fail(`${node.name} takes ${want} argument${spec.max === 1 ? '' : 's'}, got ${node.args.length}`, node.pos);
      }
      const args: SsisValue[] = new Array(node.args.length);
      for (let i = 0; i < node.args.length; i++) {
        const a = node.args[i]!;
        args[i] = i === 0 && DATEPART_FUNCTIONS.has(node.name) && a.kind === 'column' ? { type: T.wstr(a.name.length), value: a.name } : evaluateNode(a, scope, ctx);
      }
      try { return spec.fn(args, ctx); } catch (e) { return positioned(node, e); }
    }
  }
}
