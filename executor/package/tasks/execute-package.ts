/**
 * Execute Package Task: runs a project package (project reference) or a package file (file
 * connection manager) in this thread, binding child package parameters to the caller's variables
 * and parameters (`ParameterAssignment`).
 */
import type { Problem, TaskImplementation } from './registry.ts';
import type { XmlElement } from '../xml.ts';
import { localName } from '../xml.ts';
import { parseBool } from '../load-dtsx.ts';
import type { VarValue } from '../model.ts';

export interface EptConfig {
  readonly useProjectReference: boolean;
  readonly packageName: string;
  readonly connection: string;
  readonly assignments: readonly { readonly parameter: string; readonly source: string }[];
}

/** The task's settings from its ObjectData (validation also reads them to validate the child package). */
export function readConfig(od: XmlElement | undefined): EptConfig {
  const text = (name: string) => od?.children.find((c) => localName(c.name) === name)?.text.trim() ?? od?.attrs[name] ?? '';
  const assignments = (od?.children ?? []).filter((c) => localName(c.name) === 'ParameterAssignment').map((a) => ({
    parameter: a.children.find((c) => localName(c.name) === 'ParameterName')?.text.trim() ?? '',
    source: a.children.find((c) => localName(c.name) === 'BindedVariableOrParameterName')?.text.trim() ?? '',
  }));
  return { useProjectReference: parseBool(text('UseProjectReference')), packageName: text('PackageName'), connection: text('Connection'), assignments };
}

export const executePackageTask: TaskImplementation = {
  kind: 'executePackage',
  validate(v) {
    const c = readConfig(v.task.objectData);
    const out: Problem[] = [];
    const path = v.task.path;
    if (c.useProjectReference) {
      if (c.packageName === '') out.push({ path, severity: 'error', message: 'the Execute Package Task names no package' });
      else if (!v.hasProjectPackage(c.packageName)) out.push({ path, severity: 'error', message: `the child package '${c.packageName}' is not in the project` });
    } else if (c.connection === '') out.push({ path, severity: 'error', message: 'the Execute Package Task has no file connection to the child package' });
    else if (!v.hasConnection(c.connection)) out.push({ path, severity: 'error', message: `the connection '${c.connection}' to the child package does not exist` });
    for (const a of c.assignments) {
      if (!v.hasVariable(a.source)) out.push({ path, severity: 'error', message: `parameter '${a.parameter}' is bound to '${a.source}', which does not exist` });
    }
    return out;
  },
  async execute(ctx) {
    const c = readConfig(ctx.task.objectData);
    const packageName = ctx.props.PackageName ?? c.packageName;
    const bindings = new Map<string, VarValue>();
    for (const a of c.assignments) bindings.set(a.parameter, ctx.getVariable(a.source));
    let r: 'success' | 'failure' | 'canceled';
    if (c.useProjectReference) {
      r = await ctx.runChildPackage({ projectPackage: packageName }, bindings);
    } else {
      const cm = ctx.connection(c.connection);
      if (!cm) { ctx.error(`The connection '${c.connection}' to the child package does not exist.`); return 'failure'; }
      r = await ctx.runChildPackage({ file: cm.connectionString }, bindings);
    }
    if (r !== 'success') { ctx.error(`The child package ${packageName || c.connection} ${r === 'canceled' ? 'was canceled' : 'failed'}.`); return 'failure'; }
    return 'success';
  },
};
