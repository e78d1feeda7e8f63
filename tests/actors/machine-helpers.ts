/**
 * Small helpers for the actor machine tests: action-type lists from pure transitions, and a
 * recorder that provides every named effect of a machine as a spy.
 */
import type { SimulatedClock } from 'xstate';

/** The types of the actions a pure `transition()` / `initialTransition()` requested, minus XState's own. */
export function effectTypes(actions: readonly { type: string }[]): string[] {
  return actions.map((a) => a.type).filter((t) => !t.startsWith('xstate.'));
}

/** Params of the requested actions of one type. */
export function paramsOf<T = Record<string, unknown>>(actions: readonly { type: string; params?: unknown }[], type: string): T[] {
  return actions.filter((a) => a.type === type).map((a) => a.params as T);
}

export interface Call { readonly type: string; readonly params: Record<string, unknown> }

/** A spy per effect name; `calls` in order, `of(type)` filters. */
export function recorder<const N extends string>(names: readonly N[]) {
  const calls: Call[] = [];
  const actions = Object.fromEntries(
    names.map((n) => [n, (_: unknown, params: unknown) => { calls.push({ type: n, params: params as Record<string, unknown> }); }]),
  ) as Record<N, (args: unknown, params: unknown) => void>;
  return {
    calls,
    actions,
    of: (type: N) => calls.filter((c) => c.type === type).map((c) => c.params),
    clear: () => { calls.length = 0; },
  };
}

/** Advances a SimulatedClock in steps, so that periodic timers fire once per period. */
export function advance(clock: SimulatedClock, ms: number, step = 100): void {
  let left = ms;
  while (left > 0) {
    const d = Math.min(step, left);
    clock.increment(d);
    left -= d;
  }
}

/** Lets promise-based children settle (a macrotask). */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
