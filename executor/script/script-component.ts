/**
 * Script Components (the data flow's script host): validation compiles each one's project against the
 * object model (`object-model/Pipeline.cs`: UserComponent's base, ScriptBuffer/PipelineBuffer, variables,
 * connections), so `scaleout validate` names a component that cannot compile before anything runs.
 * Running them belongs to the data flow engine, which hands rows to the same host in batches.
 */
import type { Problem } from '../package/tasks/registry.ts';
import type { TaskDef } from '../package/model.ts';
import { ScriptExtractionError, extractComponentProject, scriptComponentsOf } from './extract.ts';
import { validateScriptProject } from './script-task.ts';

/** Problems of every Script Component of a data flow task, each with the component's package path. */
export function validateScriptComponents(task: Pick<TaskDef, 'path' | 'objectData'>, hasVariable: (n: string) => boolean): Problem[] {
  const out: Problem[] = [];
  for (const c of scriptComponentsOf(task)) {
    try {
      const project = extractComponentProject(c.element, c.path);
      out.push(...validateScriptProject(c.path, c.name, project, hasVariable, 'Script Component'));
    } catch (err) {
      if (!(err instanceof ScriptExtractionError)) throw err;
      out.push({ path: c.path, severity: 'error', message: err.message });
    }
  }
  return out;
}
