/**
 * Run-time variables: one scope per running container (its own variables, then its parent's), system
 * variables, and package/project parameters as `$Package::X` / `$Project::X`. Variables with
 * EvaluateAsExpression are evaluated on every read, in the scope that declares them.
 */
import { SsoError } from '../../actors/errors.ts';
import type { CompiledExpression, ExprScope } from './expression-bridge.ts';
import { coerce, compile } from './expression-bridge.ts';
import type { VarValue, VariableDef } from './model.ts';
import { VarType } from './model.ts';

export interface Slot {
  readonly namespace: string;
  readonly name: string;
  readonly dataType: number;
  value: VarValue;
  readonly readOnly: boolean;
  evaluateAsExpression: boolean;
  expression: string;
  compiled?: CompiledExpression;
  readonly raiseChangedEvent: boolean;
  readonly id: string;
  readonly scope: VarScope;
}

/** Strips `@[`, `@`, `]` and spaces from a written reference. */
export function normalizeName(name: string): string {
  let n = name.trim();
  if (n.startsWith('@')) n = n.slice(1);
  if (n.startsWith('[') && n.endsWith(']')) n = n.slice(1, -1);
  return n.trim();
}

export class VarScope {
  private readonly slots = new Map<string, Slot>();
  private depth = 0;

  constructor(readonly parent: VarScope | undefined, readonly ownerPath: string, private readonly onChange?: (slot: Slot) => void) {}

  define(def: Omit<Slot, 'scope' | 'compiled'>): Slot {
    const slot: Slot = { ...def, scope: this };
    this.slots.set(`${def.namespace}::${def.name}`.toLowerCase(), slot);
    return slot;
  }

  defineVariable(v: VariableDef): Slot {
    return this.define({
      namespace: v.namespace, name: v.name, dataType: v.dataType, value: v.value, readOnly: v.readOnly,
      evaluateAsExpression: v.evaluateAsExpression, expression: v.expression, raiseChangedEvent: v.raiseChangedEvent, id: v.id,
    });
  }

  /** Defines or replaces a read-only system variable. */
  system(name: string, value: VarValue, dataType: number = typeOfValue(value), readOnly = true): Slot {
    return this.define({ namespace: 'System', name, dataType, value, readOnly, evaluateAsExpression: false, expression: '', raiseChangedEvent: false, id: '' });
  }

  /** Finds a slot by `Ns::Name` or bare `Name` (User first, then any namespace), nearest scope first. */
  find(written: string): Slot | undefined {
    const n = normalizeName(written);
    const key = n.toLowerCase();
    for (let s: VarScope | undefined = this; s; s = s.parent) {
      if (key.includes('::')) {
        const hit = s.slots.get(key);
        if (hit) return hit;
      } else {
        const user = s.slots.get(`user::${key}`);
        if (user) return user;
        for (const slot of s.slots.values()) if (slot.name.toLowerCase() === key) return slot;
      }
    }
    return undefined;
  }

  /** The slot whose DTSID is `id` (braces and case ignored), nearest scope first. */
  findById(id: string): Slot | undefined {
    const key = id.trim().replace(/^\{|\}$/g, '').toLowerCase();
    if (key === '') return undefined;
    for (let s: VarScope | undefined = this; s; s = s.parent) {
      for (const slot of s.slots.values()) if (slot.id.replace(/^\{|\}$/g, '').toLowerCase() === key) return slot;
    }
    return undefined;
  }

  has(name: string): boolean {
    return this.find(name) !== undefined;
  }

  get(name: string): VarValue {
    const slot = this.find(name);
    if (!slot) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `The variable '${normalizeName(name)}' is not defined in the scope of ${this.ownerPath}`, { where: this.ownerPath });
    if (!slot.evaluateAsExpression || slot.expression.trim() === '') return slot.value;
    if (slot.scope.depth > 32) throw new SsoError('SSO_ERR_EXPRESSION_EVAL', `The expression of variable '${slot.namespace}::${slot.name}' refers to itself`, { where: slot.scope.ownerPath });
    slot.compiled ??= compile(slot.expression);
    slot.scope.depth++;
    try {
      return coerce(slot.compiled.evaluate(slot.scope.exprScope()), slot.dataType);
    } finally {
      slot.scope.depth--;
    }
  }

  typeOf(name: string): number {
    return this.find(name)?.dataType ?? VarType.string;
  }

  /** Assigns a value (converted to the variable's type); read-only and expression variables refuse. */
  set(name: string, value: VarValue): void {
    const slot = this.find(name);
    if (!slot) throw new SsoError('SSO_ERR_PACKAGE_RUN', `The variable '${normalizeName(name)}' is not defined in the scope of ${this.ownerPath}`, { where: this.ownerPath });
    if (slot.readOnly) throw new SsoError('SSO_ERR_PACKAGE_RUN', `The variable '${slot.namespace}::${slot.name}' is read-only`, { where: this.ownerPath });
    if (slot.evaluateAsExpression) throw new SsoError('SSO_ERR_PACKAGE_RUN', `The variable '${slot.namespace}::${slot.name}' is evaluated as an expression and cannot be assigned`, { where: this.ownerPath });
    const next = slot.dataType === VarType.object ? value : coerce(value, slot.dataType);
    const changed = !sameValue(slot.value, next);
    slot.value = next;
    if (changed && slot.raiseChangedEvent) this.onChangeHandler()?.(slot);
  }

  private onChangeHandler(): ((slot: Slot) => void) | undefined {
    for (let s: VarScope | undefined = this; s; s = s.parent) if (s.onChange) return s.onChange;
    return undefined;
  }

  exprScope(): ExprScope {
    return { get: (n) => this.get(n), typeOf: (n) => this.typeOf(n) };
  }

  /** Evaluates an expression here; applies `@[X] = …` assignments and returns the value. */
  evaluate(expression: string | CompiledExpression): VarValue {
    const c = typeof expression === 'string' ? compile(expression) : expression;
    const v = c.evaluate(this.exprScope());
    if (c.assignTo !== undefined) this.set(c.assignTo, v);
    return v;
  }
}

function sameValue(a: VarValue, b: VarValue): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}

export function typeOfValue(v: VarValue): number {
  if (typeof v === 'boolean') return VarType.boolean;
  if (typeof v === 'number') return Number.isInteger(v) ? VarType.int32 : VarType.double;
  if (typeof v === 'bigint') return VarType.int64;
  if (v instanceof Date) return VarType.dateTime;
  if (typeof v === 'string') return VarType.string;
  return VarType.object;
}
