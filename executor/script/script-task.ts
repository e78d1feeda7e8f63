/**
 * The Script Task: extracts the script project, compiles it with mcs against our object model (cached),
 * and runs it in a separate mono process. Variables listed in ReadOnlyVariables/ReadWriteVariables (and
 * those the script names in VariableDispenser.LockFor… calls) go in with their values; writes come back
 * at the end and are applied only when the script succeeded (TaskResult = Success and no FireError).
 * Events are raised at the task as the script fires them. Validation compiles the script, so a script that
 * cannot compile, VB.NET, or a worker without Mono is reported before anything runs, naming the task.
 */
import { SsoError } from '../../actors/errors.ts';
import type { TaskContext, TaskImplementation, Problem } from '../package/tasks/registry.ts';
import type { TaskDef, VarValue } from '../package/model.ts';
import { compileProject } from './compile.ts';
import type { ScriptProject } from './extract.ts';
import { ScriptExtractionError, extractTaskProject } from './extract.ts';
import { fromWire, toWire } from './protocol.ts';
import type { HostMessage, WireConnection, WireVariable } from './protocol.ts';
import { runScript } from './run-script.ts';
import { scriptSettings } from './settings.ts';

/** Variable names a script locks itself through the dispenser (string literals only). */
export function dispenserVariables(project: ScriptProject): string[] {
  const out = new Set<string>();
  for (const s of project.sources) {
    for (const m of s.text.matchAll(/Lock(?:One)?For(?:Read|Write)\s*\(\s*@?"([^"]+)"/g)) out.add(m[1]!);
  }
  return [...out];
}

function sameName(a: string, b: string): boolean {
  const n = (x: string) => x.trim().replace(/^@\[|\]$/g, '');
  return n(a) === n(b) || n(a).split('::').pop() === n(b).split('::').pop() && (!n(a).includes('::') || !n(b).includes('::'));
}

/** Static checks: the variable lists, then the compiler (through the cache). */
export function validateScriptProject(path: string, name: string, project: ScriptProject, hasVariable: (n: string) => boolean, kind: 'Script Task' | 'Script Component'): Problem[] {
  const problems: Problem[] = [];
  for (const [list, names] of [['ReadOnlyVariables', project.readOnlyVariables], ['ReadWriteVariables', project.readWriteVariables]] as const) {
    for (const n of names) if (!hasVariable(n)) problems.push({ path, severity: 'error', message: `${list} names the variable '${n}', which is not defined in the scope of the ${kind.toLowerCase()}` });
  }
  for (const n of project.readWriteVariables) {
    if (project.readOnlyVariables.some((r) => sameName(r, n))) problems.push({ path, severity: 'error', message: `The variable "${n}" is already on the read list. A variable may only be added once to either the read lock list or the write lock list.` });
  }
  let settings;
  try {
    settings = scriptSettings();
  } catch (err) {
    if (!SsoError.is(err)) throw err;
    problems.push({ path, severity: 'error', message: `${kind} '${name}' cannot run here: ${err.message}` });
    return problems;
  }
  const compiled = compileProject(project, settings);
  if (!compiled.ok) problems.push({ path, severity: 'error', message: `${kind} '${name}' cannot run here: ${compiled.reason}` });
  return problems;
}

function extract(task: TaskDef): ScriptProject {
  try {
    return extractTaskProject(task);
  } catch (err) {
    if (err instanceof ScriptExtractionError) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', err.message, { where: task.path });
    throw err;
  }
}

function wireConnections(ctx: TaskContext): WireConnection[] {
  return ctx.connections().map((c) => ({ name: c.name, id: c.id, creationName: c.creationName, connectionString: c.connectionString, properties: c.properties }));
}

/** What binding a script's variables needs of its task: the variables in scope, and the task's path for messages. */
export type VariableScope = Pick<TaskContext, 'variableInfo' | 'getVariable'> & { readonly path: string };

/** The script's locked variables with their values (ReadWrite first, then ReadOnly, then dispenser-only). */
export function wireVariables(ctx: VariableScope, project: ScriptProject): WireVariable[] {
  const out: WireVariable[] = [];
  const seen = new Set<string>();
  const add = (n: string, writable: boolean, required: boolean, dispenserOnly = false) => {
    const info = ctx.variableInfo(n);
    if (!info) {
      if (required) throw new SsoError('SSO_ERR_PACKAGE_RUN', `Failed to lock variable "${n}" for ${writable ? 'read/write' : 'read'} access: the variable cannot be found in the scope of ${ctx.path}.`, { where: ctx.path });
      return;
    }
    const key = `${info.namespace}::${info.name}`;
    if (seen.has(key)) return;
    seen.add(key);
    const w = toWire(info.dataType, ctx.getVariable(key));
    out.push({ namespace: info.namespace, name: info.name, type: w.type, value: w.value, writable: writable && !info.readOnly, sensitive: info.sensitive, ...(dispenserOnly ? { dispenserOnly } : {}) });
  };
  for (const n of project.readWriteVariables) add(n, true, true);
  for (const n of project.readOnlyVariables) add(n, false, true);
  // Dispenser locks: writable unless the variable is read-only; the object model enforces the lock kind asked for.
  for (const n of dispenserVariables(project)) add(n, true, false, true);
  return out;
}

/** Raises a host event at the task (OnError counted: a script that fired one fails, as in SSIS). */
export function applyMessage(ctx: Pick<TaskContext, 'raise'>, m: HostMessage, state: { errors: number }): void {
  switch (m.t) {
    case 'event':
      if (m.e === 'OnError') state.errors++;
      ctx.raise(m.e, m.text, m.code);
      return;
    case 'custom':
      ctx.raise('OnCustomEvent', m.name ? `${m.name}: ${m.text}` : m.text);
      return;
    case 'log':
      ctx.raise('ScriptTaskLogEntry', m.text, m.code);
      return;
    default:
  }
}

export const scriptTask: TaskImplementation = {
  kind: 'script',
  validate(v) {
    let project: ScriptProject;
    try {
      project = extractTaskProject(v.task);
    } catch (err) {
      if (err instanceof ScriptExtractionError) return [{ path: v.task.path, severity: 'error', message: err.message }];
      throw err;
    }
    return validateScriptProject(v.task.path, v.task.name, project, v.hasVariable, 'Script Task');
  },
  async execute(ctx) {
    const settings = scriptSettings();
    const project = extract(ctx.task);
    const compiled = compileProject(project, settings);
    if (!compiled.ok) { ctx.error(`Script Task '${ctx.task.name}' cannot run here: ${compiled.reason}`); return 'failure'; }

    const state = { errors: 0 };
    const outcome = await runScript({
      mono: settings.mono,
      hostPath: compiled.hostPath,
      request: {
        assembly: compiled.assemblyPath,
        entryPoint: project.entryPoint || 'Main',
        messageBox: settings.messageBox,
        variables: wireVariables({ variableInfo: (n) => ctx.variableInfo(n), getVariable: (n) => ctx.getVariable(n), path: ctx.task.path }, project),
        connections: wireConnections(ctx),
        ...(ctx.workingDirectory ? { cwd: ctx.workingDirectory } : {}),
      },
      prestart: settings.prestart,
      signal: ctx.signal,
      timeoutMs: settings.timeoutSeconds * 1000,
      outputLimitBytes: settings.outputLimitBytes,
      onMessage: (m) => applyMessage(ctx, m, state),
    });

    switch (outcome.kind) {
      case 'stopped':
        if (outcome.why === 'canceled') return 'failure';
        ctx.error(outcome.why === 'timeout'
          ? `The script of '${ctx.task.name}' ran longer than ${settings.timeoutSeconds} seconds (SCALEOUT_SCRIPT_TimeoutSeconds) and was stopped.`
          : `The script of '${ctx.task.name}' wrote more than ${settings.outputLimitBytes} bytes to its standard output and error (SCALEOUT_SCRIPT_OutputLimitBytes) and was stopped.`);
        return 'failure';
      case 'exited':
        ctx.error(`The script of '${ctx.task.name}' ended its process before returning from ${project.entryPoint || 'Main'} (exit code ${outcome.code ?? 'none'}${outcome.signal ? `, signal ${outcome.signal}` : ''}), for example by calling Environment.Exit${outcome.detail ? `: ${outcome.detail}` : ''}.`);
        return 'failure';
      case 'exception': {
        const m = outcome.message;
        ctx.error(`System.Reflection.TargetInvocationException: Exception has been thrown by the target of an invocation. ---> ${m.full}\n   --- End of inner exception stack trace ---`, 1);
        return 'failure';
      }
      case 'end': {
        const end = outcome.message;
        if (end.result !== 0) return 'failure';
        if (state.errors > 0) return 'failure';
        for (const w of end.writes) {
          try {
            ctx.setVariable(w.name, fromWire(w) as VarValue);
          } catch (err) {
            ctx.error(`The script's value for ${w.name} could not be assigned: ${(err as Error).message}`);
            return 'failure';
          }
        }
        // ExecValueVariable is a property of the task host (DTS:ExecValueVariable), or an override of it.
        const ev = ctx.props.ExecValueVariable ?? ctx.task.properties.ExecValueVariable;
        if (end.executionValue && ev && ev.trim() !== '') ctx.setVariable(ev, fromWire(end.executionValue) as VarValue);
        return 'success';
      }
    }
  },
};
