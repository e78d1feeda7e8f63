/**
 * Expression Task: evaluates one SSIS expression, usually an assignment (`@[User::X] = …`).
 */
import type { TaskImplementation } from './registry.ts';
import { compile } from '../expression-bridge.ts';

export const expressionTask: TaskImplementation = {
  kind: 'expression',
  validate(v) {
    const expr = v.task.objectData?.attrs.Expression ?? '';
    if (expr.trim() === '') return [{ path: v.task.path, severity: 'error', message: 'the Expression Task has no expression' }];
    return [];
  },
  async execute(ctx) {
    const expr = ctx.props.Expression ?? '';
    const c = compile(expr);
    const v = ctx.evaluate(expr);
    ctx.information(`The expression "${expr}" evaluated to ${String(v)}${c.assignTo ? ` and was assigned to ${c.assignTo}` : ''}.`);
    return 'success';
  },
};
