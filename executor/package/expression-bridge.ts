/**
 * The engine's one door to the SSIS expression language. It uses `expressions/index.ts` (the full
 * implementation) when that module loads, and otherwise a small built-in evaluator covering the
 * common subset (variables, literals, operators, casts, string/date basics), so the control flow can
 * run before and without it. Values on this side are plain JS (`VarValue`); assignments
 * (`@[User::X] = …`, For Loop and Expression Task) are split off here.
 */
import { SsoError } from '../../actors/errors.ts';
import type { VarValue } from './model.ts';
import { VarType } from './model.ts';

export interface ExprScope {
  /** A variable or parameter by name as written (`User::X`, `X`, `$Package::P`); throws if unknown. */
  get(name: string): VarValue;
  /** Its type code (`VarType`), for typed conversion into the full evaluator. */
  typeOf(name: string): number;
}

export interface CompiledExpression {
  readonly text: string;
  /** Variable/parameter names read (as written, without `@[`/`]`). */
  readonly references: readonly string[];
  /** Set for `@[X] = expr`: the variable assigned. */
  readonly assignTo?: string;
  evaluate(scope: ExprScope): VarValue;
}

interface RealModule {
  compileExpression(text: string): { evaluate(scope: unknown): unknown; references?: readonly string[] };
  /** VARTYPE code → expression type (undefined for Object). */
  typeForVarType(varType: number): unknown;
  jsToSsisValue(js: unknown, type: unknown, what?: string): unknown;
  fromSsisValue(v: unknown): unknown;
}

const real: RealModule | undefined = await (async () => {
  try {
    const spec = './expressions/index.ts';
    const mod = (await import(spec)) as Partial<RealModule>;
    return typeof mod.compileExpression === 'function' && typeof mod.typeForVarType === 'function' && typeof mod.jsToSsisValue === 'function' && typeof mod.fromSsisValue === 'function'
      ? mod as RealModule : undefined;
  } catch {
    return undefined;
  }
})();

/** Which evaluator is in use; validation reports it once. */
export const expressionEngine: 'full' | 'built-in subset' = real ? 'full' : 'built-in subset';

function syntax(text: string, pos: number, message: string): SsoError {
  return new SsoError('SSO_ERR_EXPRESSION_SYNTAX', `${message} at position ${pos + 1} of expression "${text}"`, { where: `position ${pos + 1}` });
}

/** Splits a top-level `@[X] = rest` (not `==`). */
function splitAssignment(text: string): { target: string; rest: string; restOffset: number } | undefined {
  const m = /^\s*@(?:\[([^\]]+)\]|([A-Za-z_][\w]*))\s*=(?!=)/.exec(text);
  if (!m) return undefined;
  return { target: (m[1] ?? m[2])!.trim(), rest: text.slice(m[0].length), restOffset: m[0].length };
}

/** Compiles an expression; `SSO_ERR_EXPRESSION_SYNTAX` names the position. */
export function compile(text: string): CompiledExpression {
  const asg = splitAssignment(text);
  const body = asg ? asg.rest : text;
  if (real) {
    let c: ReturnType<RealModule['compileExpression']>;
    try {
      c = real.compileExpression(body);
    } catch (err) {
      if (SsoError.is(err)) throw err;
      throw syntax(text, 0, (err as Error).message);
    }
    const r = real;
    return {
      text, references: (c.references ?? []).map(String), ...(asg ? { assignTo: asg.target } : {}),
      evaluate(scope) {
        const v = c.evaluate({
          getVariable: (n: string) => {
            const value = scope.get(n);
            const code = scope.typeOf(n);
            const type = r.typeForVarType(code === VarType.object ? typeCodeOfValue(value) : code);
            if (type === undefined) throw new SsoError('SSO_ERR_EXPRESSION_EVAL', `The variable ${n} holds an Object, which expressions cannot read`);
            return r.jsToSsisValue(value, type, `variable ${n}`);
          },
        });
        return fromReal(r.fromSsisValue(v));
      },
    };
  }
  const p = new Parser(body, text, asg?.restOffset ?? 0);
  const node = p.parseAll();
  return { text, references: p.refs, ...(asg ? { assignTo: asg.target } : {}), evaluate: (scope) => node(scope) };
}

/** For Object variables holding a scalar: the type code of what they hold. */
function typeCodeOfValue(v: VarValue): number {
  if (typeof v === 'string') return VarType.string;
  if (typeof v === 'boolean') return VarType.boolean;
  if (typeof v === 'number') return Number.isInteger(v) ? VarType.int32 : VarType.double;
  if (typeof v === 'bigint') return VarType.int64;
  if (v instanceof Date) return VarType.dateTime;
  return VarType.object;
}

/**
 * The full evaluator's JS form (`fromSsisValue`) as a `VarValue`: numbers, bigint for 8-byte
 * integers, exact decimal text for DT_CY/DT_DECIMAL/DT_NUMERIC (kept as text so no digit is lost;
 * `coerce` turns it into a number when it lands in a numeric variable), local `Date`s, strings,
 * booleans, `Uint8Array` for binary, null.
 */
function fromReal(v: unknown): VarValue {
  return v as VarValue;
}

/** Converts a JS value to a variable's type code (assignment, mappings). */
export function coerce(v: VarValue, dataType: number): VarValue {
  if (v === null || v === undefined) return null;
  switch (dataType) {
    case VarType.string: case VarType.guid: return v instanceof Date ? formatDate(v) : typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);
    case VarType.boolean: return typeof v === 'string' ? /^(true|-1|1)$/i.test(v.trim()) : Boolean(v);
    case VarType.int16: case VarType.int32: case VarType.sbyte: case VarType.byte: case VarType.uint16: case VarType.uint32: case VarType.int: case VarType.uint: {
      const n = typeof v === 'boolean' ? (v ? -1 : 0) : Number(v);
      if (!Number.isFinite(n)) throw new SsoError('SSO_ERR_EXPRESSION_EVAL', `cannot convert '${String(v)}' to an integer`);
      return Math.trunc(n);
    }
    case VarType.int64: case VarType.uint64: {
      if (typeof v === 'bigint') return v;
      const n = Number(v);
      if (!Number.isFinite(n)) throw new SsoError('SSO_ERR_EXPRESSION_EVAL', `cannot convert '${String(v)}' to an integer`);
      return Math.trunc(n);
    }
    case VarType.single: case VarType.double: case VarType.decimal: case VarType.currency: {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new SsoError('SSO_ERR_EXPRESSION_EVAL', `cannot convert '${String(v)}' to a number`);
      return n;
    }
    case VarType.dateTime: {
      const d = v instanceof Date ? v : new Date(String(v));
      if (Number.isNaN(d.getTime())) throw new SsoError('SSO_ERR_EXPRESSION_EVAL', `cannot convert '${String(v)}' to a DateTime`);
      return d;
    }
    default: return v;
  }
}

export function formatDate(d: Date): string {
  const h = d.getHours() % 12 === 0 ? 12 : d.getHours() % 12;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getMonth() + 1}/${d.getDate()}/${d.getFullYear()} ${h}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${d.getHours() < 12 ? 'AM' : 'PM'}`;
}

// ---- built-in subset ---------------------------------------------------------------------------

type Node = (s: ExprScope) => VarValue;

const BINARY: ReadonlyArray<readonly string[]> = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<=', '>=', '<', '>'], ['+', '-'], ['*', '/', '%']];

const isNull = (v: unknown) => v === null || v === undefined;

class Parser {
  readonly refs: string[] = [];
  private i = 0;
  constructor(private readonly src: string, private readonly full: string, private readonly offset: number) {}

  parseAll(): Node {
    const n = this.ternary();
    this.ws();
    if (this.i < this.src.length) throw this.err(`unexpected '${this.src[this.i]}'`);
    return n;
  }

  private err(m: string): SsoError { return syntax(this.full, this.offset + this.i, m); }
  private ws(): void { while (this.i < this.src.length && /\s/.test(this.src[this.i]!)) this.i++; }
  private eat(tok: string): boolean {
    this.ws();
    if (this.src.startsWith(tok, this.i)) { this.i += tok.length; return true; }
    return false;
  }

  private ternary(): Node {
    const c = this.binary(0);
    if (!this.eat('?')) return c;
    const a = this.ternary();
    if (!this.eat(':')) throw this.err("expected ':'");
    const b = this.ternary();
    return (s) => { const v = c(s); return isNull(v) ? null : v ? a(s) : b(s); };
  }

  private binary(level: number): Node {
    if (level >= BINARY.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      this.ws();
      const op = BINARY[level]!.find((o) => this.src.startsWith(o, this.i) && !(o === '&' && this.src[this.i + 1] === '&') && !(o === '|' && this.src[this.i + 1] === '|') && !((o === '<' || o === '>') && this.src[this.i + 1] === '='));
      if (op === undefined) return left;
      this.i += op.length;
      const l = left, r = this.binary(level + 1);
      left = (s) => applyBinary(op, l(s), r(s));
    }
  }

  private unary(): Node {
    if (this.eat('!')) { const n = this.unary(); return (s) => { const v = n(s); return isNull(v) ? null : !v; }; }
    if (this.eat('-')) { const n = this.unary(); return (s) => { const v = n(s); return isNull(v) ? null : -Number(v); }; }
    return this.primary();
  }

  private primary(): Node {
    this.ws();
    const rest = this.src.slice(this.i);
    let m: RegExpExecArray | null;
    if (rest.startsWith('(')) {
      const cast = /^\(\s*(DT_[A-Z0-9_]+)\s*(?:,\s*[^)]*)?\)/i.exec(rest);
      if (cast) {
        this.i += cast[0].length;
        const t = cast[1]!.toUpperCase();
        const n = this.unary();
        return (s) => castTo(t, n(s));
      }
      this.i++;
      const n = this.ternary();
      if (!this.eat(')')) throw this.err("expected ')'");
      return n;
    }
    if ((m = /^@\[([^\]]+)\]|^@([A-Za-z_$][\w]*(?:::[A-Za-z_][\w]*)?)/.exec(rest))) {
      this.i += m[0].length;
      const name = (m[1] ?? m[2])!.trim();
      this.refs.push(name);
      return (s) => s.get(name);
    }
    if ((m = /^"((?:[^"\\]|\\.)*)"/.exec(rest))) {
      this.i += m[0].length;
      const v = m[1]!.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' } as Record<string, string>)[c] ?? c);
      return () => v;
    }
    if ((m = /^\d+(\.\d+)?([eE][+-]?\d+)?[LlUu]*/.exec(rest))) {
      this.i += m[0].length;
      const v = Number(m[0].replace(/[LlUu]+$/, ''));
      return () => v;
    }
    if ((m = /^(TRUE|FALSE)\b/i.exec(rest))) {
      this.i += m[0].length;
      const v = m[1]!.toUpperCase() === 'TRUE';
      return () => v;
    }
    if ((m = /^([A-Za-z_]+)\s*\(/.exec(rest))) {
      const fn = m[1]!.toUpperCase();
      const at = this.i;
      this.i += m[0].length;
      if (fn === 'NULL') { const c = /^\s*DT_[^)]*\)/i.exec(this.src.slice(this.i)); if (!c) throw this.err('expected a type in NULL()'); this.i += c[0].length; return () => null; }
      const args: Node[] = [];
      if (!this.eat(')')) {
        do { args.push(this.ternary()); } while (this.eat(','));
        if (!this.eat(')')) throw this.err("expected ')'");
      }
      const f = FUNCTIONS[fn];
      if (!f) { this.i = at; throw this.err(`unknown function ${fn}`); }
      return (s) => f(args.map((a) => a(s)));
    }
    if (this.i >= this.src.length) throw this.err('unexpected end of expression');
    throw this.err(`unexpected '${this.src[this.i]}'`);
  }
}

function applyBinary(op: string, a: VarValue, b: VarValue): VarValue {
  if (op === '&&') return a === false || b === false ? false : isNull(a) || isNull(b) ? null : Boolean(a) && Boolean(b);
  if (op === '||') return a === true || b === true ? true : isNull(a) || isNull(b) ? null : Boolean(a) || Boolean(b);
  if (isNull(a) || isNull(b)) return null;
  const num = (x: VarValue) => (x instanceof Date ? x.getTime() : typeof x === 'bigint' ? Number(x) : typeof x === 'boolean' ? (x ? 1 : 0) : Number(x));
  const cmp = () => (typeof a === 'string' && typeof b === 'string' ? (a < b ? -1 : a > b ? 1 : 0) : num(a) - num(b));
  switch (op) {
    case '==': return cmp() === 0;
    case '!=': return cmp() !== 0;
    case '<': return cmp() < 0;
    case '>': return cmp() > 0;
    case '<=': return cmp() <= 0;
    case '>=': return cmp() >= 0;
    case '+': return typeof a === 'string' || typeof b === 'string' ? String(a) + String(b) : num(a) + num(b);
    case '-': return num(a) - num(b);
    case '*': return num(a) * num(b);
    case '/': {
      if (num(b) === 0) throw new SsoError('SSO_ERR_EXPRESSION_EVAL', 'division by zero');
      const q = num(a) / num(b);
      return Number.isInteger(num(a)) && Number.isInteger(num(b)) ? Math.trunc(q) : q;
    }
    case '%': return num(a) % num(b);
    case '&': return num(a) & num(b);
    case '|': return num(a) | num(b);
    case '^': return num(a) ^ num(b);
    default: throw new SsoError('SSO_ERR_EXPRESSION_EVAL', `operator ${op}`);
  }
}

function castTo(t: string, v: VarValue): VarValue {
  if (isNull(v)) return null;
  if (/^DT_(W?STR|TEXT|NTEXT)$/.test(t)) return v instanceof Date ? formatDate(v) : typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);
  if (/^DT_(U?I[1248]|UI[1248])$/.test(t)) { const n = Number(typeof v === 'boolean' ? (v ? -1 : 0) : v); if (!Number.isFinite(n)) throw new SsoError('SSO_ERR_EXPRESSION_EVAL', `cannot cast '${String(v)}' to ${t}`); return Math.trunc(n); }
  if (/^DT_(R4|R8|NUMERIC|DECIMAL|CY)$/.test(t)) { const n = Number(v); if (!Number.isFinite(n)) throw new SsoError('SSO_ERR_EXPRESSION_EVAL', `cannot cast '${String(v)}' to ${t}`); return n; }
  if (t === 'DT_BOOL') return typeof v === 'string' ? /^(true|-1|1)$/i.test(v.trim()) : Boolean(v);
  if (/^DT_(DATE|DBDATE|DBTIMESTAMP2?|FILETIME)$/.test(t)) return coerce(v, VarType.dateTime);
  return v;
}

const str = (v: VarValue) => (isNull(v) ? null : String(v));
const FUNCTIONS: Readonly<Record<string, (a: VarValue[]) => VarValue>> = {
  LEN: ([s]) => (isNull(s) ? null : String(s).length),
  UPPER: ([s]) => str(s ?? null)?.toUpperCase() ?? null,
  LOWER: ([s]) => str(s ?? null)?.toLowerCase() ?? null,
  TRIM: ([s]) => str(s ?? null)?.trim() ?? null,
  LTRIM: ([s]) => str(s ?? null)?.trimStart() ?? null,
  RTRIM: ([s]) => str(s ?? null)?.trimEnd() ?? null,
  SUBSTRING: ([s, a, n]) => (isNull(s) ? null : String(s).substr(Number(a) - 1, Number(n))),
  LEFT: ([s, n]) => (isNull(s) ? null : String(s).slice(0, Number(n))),
  RIGHT: ([s, n]) => (isNull(s) ? null : Number(n) <= 0 ? '' : String(s).slice(-Number(n))),
  REPLACE: ([s, a, b]) => (isNull(s) ? null : String(s).split(String(a)).join(String(b))),
  FINDSTRING: ([s, a, n]) => { if (isNull(s)) return null; let idx = -1; for (let k = 0; k < Number(n); k++) { idx = String(s).indexOf(String(a), idx + 1); if (idx < 0) return 0; } return idx + 1; },
  ISNULL: ([v]) => isNull(v),
  REPLACENULL: ([v, d]) => (isNull(v) ? d ?? null : v ?? null),
  GETDATE: () => new Date(),
  YEAR: ([d]) => (isNull(d) ? null : (coerce(d!, VarType.dateTime) as Date).getFullYear()),
  MONTH: ([d]) => (isNull(d) ? null : (coerce(d!, VarType.dateTime) as Date).getMonth() + 1),
  DAY: ([d]) => (isNull(d) ? null : (coerce(d!, VarType.dateTime) as Date).getDate()),
  ABS: ([n]) => (isNull(n) ? null : Math.abs(Number(n))),
};
