/**
 * Column expressions compiled to closures over row slots: the hot path of Derived Column and
 * Conditional Split. The general evaluator (`expressions/evaluate.ts`) builds a typed value object
 * for every node of every row; here the types are settled once, before rows flow, from the input
 * columns' types, and each node becomes a closure returning the bare cell.
 *
 * Covered: columns and literals of the string (DT_WSTR, DT_STR), Boolean and 32-bit-or-smaller
 * numeric types (DT_I1…DT_UI4, DT_R4, DT_R8); string concatenation; UPPER, LOWER, TRIM, LTRIM,
 * RTRIM, LEN, LEFT, RIGHT, SUBSTRING, REPLACE, ISNULL; comparisons; + - * / % whose result is one of
 * those numeric types; && || ! and unary minus; `? :` over branches of one type; casts between
 * those types. Anything else (variables, 64-bit integers, decimals, dates, other functions) is not
 * compiled and the component keeps the general evaluator for that expression.
 *
 * The contract that keeps results identical: a compiled closure computes exactly what the general
 * evaluator would, with the same NULL propagation, or returns `FALLBACK` for a row whose evaluation
 * would fail or that it does not handle (overflow, divide by zero, truncation, a bad SUBSTRING
 * argument, a cell that is not set). The caller then evaluates that row with the general evaluator,
 * which produces the value or the error with its own message and position.
 */
import { castValue, numberOf } from '../expressions/convert.ts';
import type { ExpressionAst } from '../expressions/ast.ts';
import { numericResultType } from '../expressions/operators.ts';
import type { SsisType } from '../expressions/types.ts';
import { INTEGER_TYPES, T, isDecimalFamily, isReal, typeToString } from '../expressions/types.ts';
import type { Row } from './component.ts';
import type { Cell } from './types.ts';
import { byteLength } from './types.ts';

export const FALLBACK: unique symbol = Symbol('evaluate this row with the general evaluator');
export type Fallback = typeof FALLBACK;
export type CompiledCell = (row: Row) => Cell | Fallback;

type Kind = 'str' | 'bool' | 'num';
/**
 * A compiled node: its kind, its type (exact for numbers and Booleans; for strings the declared
 * type, whose length the general evaluator would replace by the value's) and its closure.
 */
interface Node { readonly kind: Kind; readonly type: SsisType; readonly fn: CompiledCell; readonly constant?: Cell }

/** Numeric types whose values are JS numbers (64-bit integers are bigint, decimals objects). */
function isNumberType(t: SsisType): boolean {
  const info = INTEGER_TYPES[t.name];
  return info ? info.bytes <= 4 : isReal(t);
}

function kindOf(t: SsisType): Kind | undefined {
  if (t.name === 'DT_WSTR' || t.name === 'DT_STR') return 'str';
  if (t.name === 'DT_BOOL') return 'bool';
  if (isNumberType(t)) return 'num';
  return undefined;
}

const SPACE_RUN_LEFT = /^ +/;
const SPACE_RUN_RIGHT = / +$/;
const noNegZero = (n: number): number => (n === 0 ? 0 : n);

export interface ColumnSlot { readonly slot: number; readonly type: SsisType }

/**
 * Compiles `ast` against the component's columns; undefined when some part is outside the covered
 * forms (the caller then uses the general evaluator).
 */
export function compileColumnExpression(ast: ExpressionAst, column: (name: string) => ColumnSlot | undefined): { kind: Kind; type: SsisType; fn: CompiledCell } | undefined {
  try {
    return compile(ast, column);
  } catch {
    return undefined;
  }
}

function constant(kind: Kind, type: SsisType, value: Cell): Node {
  return { kind, type, fn: () => value, constant: value };
}

function compile(node: ExpressionAst, column: (name: string) => ColumnSlot | undefined): Node | undefined {
  switch (node.kind) {
    case 'literal': {
      const kind = kindOf(node.value.type);
      if (!kind || node.value.value === null) return undefined;
      return constant(kind, node.value.type, node.value.value);
    }
    case 'column': {
      const ref = column(node.name);
      if (!ref) return undefined;
      const kind = kindOf(ref.type);
      if (!kind) return undefined;
      const slot = ref.slot;
      return { kind, type: ref.type, fn: (row) => { const v = row[slot]; return v === undefined ? FALLBACK : v; } };
    }
    case 'unary': return unary(node.op, compile(node.operand, column));
    case 'binary': {
      const left = compile(node.left, column);
      // `Amount >= 500.5`: a decimal literal beside a real compares as the real it converts to.
      if (left && (node.op === '<' || node.op === '>' || node.op === '<=' || node.op === '>=' || node.op === '==' || node.op === '!=')) {
        if (left.kind === 'num' && isReal(left.type) && node.right.kind === 'literal' && isDecimalFamily(node.right.value.type) && node.right.value.value !== null) {
          return comparison(node.op, left, constant('num', T.R8, numberOf(node.right.value)));
        }
      }
      const right = compile(node.right, column);
      if (!left || !right) return undefined;
      return binary(node.op, left, right);
    }
    case 'conditional': {
      const test = compile(node.test, column);
      const a = compile(node.whenTrue, column);
      const b = compile(node.whenFalse, column);
      if (!test || !a || !b || test.kind !== 'bool' || a.kind !== b.kind) return undefined;
      let type: SsisType;
      if (a.kind === 'str') {
        type = a.type.name === 'DT_STR' && b.type.name === 'DT_STR' && a.type.codepage === b.type.codepage
          ? T.str(Math.max(a.type.length, b.type.length), a.type.codepage)
          : T.wstr(Math.max(strLength(a.type), strLength(b.type)));
      } else {
        if (typeToString(a.type) !== typeToString(b.type)) return undefined;
        type = a.type;
      }
      const [t, x, y] = [test.fn, a.fn, b.fn];
      return { kind: a.kind, type, fn: (row) => {
        const c = t(row);
        if (c === FALLBACK) return c;
        if (c === null) {
          // The general evaluator still evaluates both branches for their types: let it decide.
          return FALLBACK;
        }
        return c ? x(row) : y(row);
      } };
    }
    case 'cast': {
      const operand = compile(node.operand, column);
      if (!operand) return undefined;
      const target = node.target;
      const kind = kindOf(target);
      if (!kind) return undefined;
      if (operand.kind === 'bool' && kind === 'bool') return operand;
      const from = operand.type;
      const f = operand.fn;
      if (operand.kind === 'str' && kind === 'str') return { kind, type: target, fn: (row) => { const v = f(row); return v === null || v === FALLBACK ? v : fitsText(v as string, target) ? v : FALLBACK; } };
      if (operand.kind === 'num' && kind === 'num' && from.name === target.name) return operand;
      return { kind, type: target, fn: (row) => {
        const v = f(row);
        if (v === null || v === FALLBACK) return v;
        try { return castValue({ type: from, value: v }, target).value; } catch { return FALLBACK; }
      } };
    }
    case 'call': return call(node.name, node.args, column);
    default: return undefined;
  }
}

function strLength(t: SsisType): number {
  return t.name === 'DT_WSTR' || t.name === 'DT_STR' ? t.length : 0;
}

/** Whether `text` fits a DT_WSTR/DT_STR target as the cast checks it (characters, or bytes in the code page). */
function fitsText(text: string, target: SsisType): boolean {
  if (target.name === 'DT_WSTR') return text.length <= target.length;
  if (target.name === 'DT_STR') return text.length <= target.length / 4 || byteLength(text, target.codepage) <= target.length;
  return false;
}

function unary(op: string, a: Node | undefined): Node | undefined {
  if (!a) return undefined;
  const f = a.fn;
  if (op === '!') {
    if (a.kind !== 'bool') return undefined;
    return { kind: 'bool', type: T.BOOL, fn: (row) => { const v = f(row); return v === null || v === FALLBACK ? v : !v; } };
  }
  if (op === '-' && a.kind === 'num') {
    if (isReal(a.type)) return { kind: 'num', type: a.type, fn: (row) => { const v = f(row); return v === null || v === FALLBACK ? v : -(v as number); } };
    const info = INTEGER_TYPES[a.type.name]!;
    if (!info.signed) return undefined; // negating an unsigned value widens (to DT_I8 for DT_UI4)
    const min = Number(info.min), max = Number(info.max);
    return { kind: 'num', type: a.type, fn: (row) => {
      const v = f(row);
      if (v === null || v === FALLBACK) return v;
      const r = -(v as number);
      return r < min || r > max ? FALLBACK : noNegZero(r);
    } };
  }
  return undefined;
}

function binary(op: string, a: Node, b: Node): Node | undefined {
  switch (op) {
    case '+':
      if (a.kind === 'str' || b.kind === 'str') {
        if (a.kind !== 'str' || b.kind !== 'str') return undefined;
        const [f, g] = [a.fn, b.fn];
        return { kind: 'str', type: T.wstr(strLength(a.type) + strLength(b.type)), fn: (row) => {
          const x = f(row);
          if (x === FALLBACK) return x;
          const y = g(row);
          if (y === FALLBACK) return y;
          return x === null || y === null ? null : (x as string) + (y as string);
        } };
      }
      return arithmetic(op, a, b);
    case '-': case '*': case '/': case '%': return arithmetic(op, a, b);
    case '==': case '!=': case '<': case '>': case '<=': case '>=': return comparison(op, a, b);
    case '&&': case '||': return logical(op, a, b);
    default: return undefined;
  }
}

function arithmetic(op: string, a: Node, b: Node): Node | undefined {
  if (a.kind !== 'num' || b.kind !== 'num') return undefined;
  const type = numericResultType(a.type, b.type, op);
  if (!isNumberType(type)) return undefined;
  const [f, g] = [a.fn, b.fn];
  const info = INTEGER_TYPES[type.name];
  const r4 = type.name === 'DT_R4';
  const min = info ? Number(info.min) : 0, max = info ? Number(info.max) : 0;
  // Integer results: exact in doubles for 32-bit operands (a product beyond 2^53 is far out of range anyway).
  const compute = (x: number, y: number): number | Fallback => {
    let r: number;
    switch (op) {
      case '+': r = x + y; break;
      case '-': r = x - y; break;
      case '*': r = x * y; break;
      case '/': if (y === 0) return FALLBACK; r = info ? Math.trunc(x / y) : x / y; break;
      default: if (y === 0) return FALLBACK; r = x % y; break;
    }
    if (info) return r < min || r > max ? FALLBACK : noNegZero(r);
    if (r4) r = Math.fround(r);
    return Number.isFinite(r) ? r : FALLBACK;
  };
  return { kind: 'num', type, fn: (row) => {
    const x = f(row);
    if (x === FALLBACK) return x;
    const y = g(row);
    if (y === FALLBACK) return y;
    if (x === null || y === null) return null;
    return compute(x as number, y as number);
  } };
}

function comparison(op: string, a: Node, b: Node): Node | undefined {
  if (a.kind !== b.kind) return undefined;
  if (a.kind === 'bool' && op !== '==' && op !== '!=') return undefined;
  const [f, g] = [a.fn, b.fn];
  const test = (o: number): boolean => (op === '==' ? o === 0 : op === '!=' ? o !== 0 : op === '<' ? o < 0 : op === '>' ? o > 0 : op === '<=' ? o <= 0 : o >= 0);
  const bool = a.kind === 'bool';
  return { kind: 'bool', type: T.BOOL, fn: (row) => {
    let x = f(row);
    if (x === FALLBACK) return x;
    let y = g(row);
    if (y === FALLBACK) return y;
    if (x === null || y === null) return null;
    if (bool) { x = Number(x); y = Number(y); }
    return test(x < y ? -1 : x > y ? 1 : 0);
  } };
}

/** Kleene logic, as `operators.logical`: FALSE && NULL is FALSE, TRUE || NULL is TRUE, otherwise NULL wins. */
function logical(op: string, a: Node, b: Node): Node | undefined {
  if (a.kind !== 'bool' || b.kind !== 'bool') return undefined;
  const decisive = op === '||';
  const [f, g] = [a.fn, b.fn];
  return { kind: 'bool', type: T.BOOL, fn: (row) => {
    const x = f(row);
    if (x === FALLBACK || x === decisive) return x;
    const y = g(row);
    if (y === FALLBACK || y === decisive) return y;
    return x === null || y === null ? null : !decisive;
  } };
}

function call(name: string, argAsts: readonly ExpressionAst[], column: (name: string) => ColumnSlot | undefined): Node | undefined {
  const args: Node[] = [];
  for (const a of argAsts) {
    const n = compile(a, column);
    if (!n) return undefined;
    args.push(n);
  }
  const str1 = (map: (s: string) => string): Node | undefined => {
    if (args.length !== 1 || args[0]!.kind !== 'str') return undefined;
    const f = args[0]!.fn;
    return { kind: 'str', type: args[0]!.type, fn: (row) => { const v = f(row); return v === null || v === FALLBACK ? v : map(v as string); } };
  };
  const isInt = (n: Node | undefined) => n !== undefined && n.kind === 'num' && INTEGER_TYPES[n.type.name] !== undefined;
  switch (name) {
    case 'UPPER': return str1((s) => s.toUpperCase());
    case 'LOWER': return str1((s) => s.toLowerCase());
    case 'LTRIM': return str1((s) => s.replace(SPACE_RUN_LEFT, ''));
    case 'RTRIM': return str1((s) => s.replace(SPACE_RUN_RIGHT, ''));
    case 'TRIM': return str1((s) => s.replace(SPACE_RUN_LEFT, '').replace(SPACE_RUN_RIGHT, ''));
    case 'LEN': {
      if (args.length !== 1 || args[0]!.kind !== 'str') return undefined;
      const f = args[0]!.fn;
      return { kind: 'num', type: T.I4, fn: (row) => { const v = f(row); return v === null || v === FALLBACK ? v : (v as string).length; } };
    }
    case 'ISNULL': {
      if (args.length !== 1) return undefined;
      const f = args[0]!.fn;
      return { kind: 'bool', type: T.BOOL, fn: (row) => { const v = f(row); return v === FALLBACK ? v : v === null; } };
    }
    case 'LEFT': case 'RIGHT': {
      if (args.length !== 2 || args[0]!.kind !== 'str' || !isInt(args[1])) return undefined;
      const [f, g] = [args[0]!.fn, args[1]!.fn];
      const left = name === 'LEFT';
      return { kind: 'str', type: T.wstr(strLength(args[0]!.type)), fn: (row) => {
        const s = f(row);
        if (s === FALLBACK) return s;
        const n = g(row);
        if (n === FALLBACK) return n;
        if (s === null || n === null) return null;
        const k = n as number, t = s as string;
        if (k < 0) return FALLBACK;
        return left ? t.slice(0, k) : k === 0 ? '' : t.slice(Math.max(0, t.length - k));
      } };
    }
    case 'SUBSTRING': {
      if (args.length !== 3 || args[0]!.kind !== 'str' || !isInt(args[1]) || !isInt(args[2])) return undefined;
      const [f, g, h] = [args[0]!.fn, args[1]!.fn, args[2]!.fn];
      return { kind: 'str', type: T.wstr(strLength(args[0]!.type)), fn: (row) => {
        const s = f(row);
        if (s === FALLBACK) return s;
        const start = g(row);
        if (start === FALLBACK) return start;
        const len = h(row);
        if (len === FALLBACK) return len;
        if (s === null || start === null || len === null) return null;
        if ((start as number) <= 0 || (len as number) < 0) return FALLBACK;
        return (s as string).substr((start as number) - 1, len as number);
      } };
    }
    case 'REPLACE': {
      if (args.length !== 3 || args.some((a) => a.kind !== 'str')) return undefined;
      const [f, g, h] = [args[0]!.fn, args[1]!.fn, args[2]!.fn];
      return { kind: 'str', type: T.wstr(4000), fn: (row) => {
        const s = f(row);
        if (s === FALLBACK) return s;
        const search = g(row);
        if (search === FALLBACK) return search;
        const by = h(row);
        if (by === FALLBACK) return by;
        if (s === null || search === null || by === null) return null;
        if (search === '') return FALLBACK;
        return (s as string).split(search as string).join(by as string);
      } };
    }
    default: return undefined;
  }
}

/**
 * The final conversion Derived Column applies (`evaluateAs` to the column's type), compiled;
 * undefined when it is not one of the direct cases.
 */
export function compileConversion(node: { kind: Kind; type: SsisType; fn: CompiledCell }, target: SsisType): CompiledCell | undefined {
  const f = node.fn;
  if (target.name === 'DT_BOOL') return node.kind === 'bool' ? f : undefined;
  if (node.kind === 'str' && target.name === 'DT_WSTR' && target.length === 0) return f;
  if (node.kind === 'str' && (target.name === 'DT_WSTR' || target.name === 'DT_STR')) {
    return (row) => { const v = f(row); return v === null || v === FALLBACK ? v : fitsText(v as string, target) ? v : FALLBACK; };
  }
  if (node.kind === 'num' && target.name === node.type.name) return f;
  if (node.kind === 'num' && kindOf(target) === 'num') {
    const from = node.type;
    return (row) => {
      const v = f(row);
      if (v === null || v === FALLBACK) return v;
      try { return castValue({ type: from, value: v }, target).value; } catch { return FALLBACK; }
    };
  }
  return undefined;
}
