/**
 * Static validation of a loaded package, like `catalog.validate_package`: what cannot run here (Script
 * Tasks and Script Components that do not compile or need Mono, third-party and not-yet-supported tasks,
 * data flows with their components), unresolved
 * variable / parameter / connection / child-package references, and expression syntax errors with
 * their position. Run before anything executes; `errors` make a run fail up front.
 */
import { SsoError } from '../../actors/errors.ts';
import type { ContainerDef, ExecutableDef, PackageDef, TaskDef } from './model.ts';
import { isContainer } from './model.ts';
import { compile, expressionEngine } from './expression-bridge.ts';
import type { LoadedProject } from './load-project.ts';
import { TASK_KIND_NAMES, enumeratorProblem } from './task-types.ts';
import { readPipeline } from './dataflow/pipeline.ts';
import { validatePipeline } from './dataflow/task.ts';
import { COMPONENT_KIND_NAMES } from './dataflow/component-types.ts';
import type { Problem } from './tasks/registry.ts';
import { taskImplementation } from './tasks/registry.ts';
import { readConfig } from './tasks/execute-package.ts';
import { normalizeName } from './variables.ts';
import { EXECUTABLE_SYSTEM_VARIABLES, HANDLER_SYSTEM_VARIABLES, PACKAGE_SYSTEM_VARIABLES } from './system-variables.ts';
import { localName } from './xml.ts';
import type { XmlElement } from './xml.ts';

export type { Problem };

export interface PackageValidation {
  readonly packageName: string;
  readonly problems: readonly Problem[];
  /** No problem of severity `error`. */
  readonly valid: boolean;
  /** Paths of executables that cannot run here (Script, third-party, unsupported tasks, data flows). */
  readonly unsupported: readonly string[];
}

const SYSTEM_VARIABLES = [...PACKAGE_SYSTEM_VARIABLES, ...EXECUTABLE_SYSTEM_VARIABLES].map((v) => v.name);
const HANDLER_VARIABLES = HANDLER_SYSTEM_VARIABLES.map((v) => v.name);

class Names {
  private readonly qualified = new Set<string>();
  private readonly bare = new Set<string>();
  constructor(private readonly parent?: Names) {}
  add(ns: string, name: string): void {
    this.qualified.add(`${ns}::${name}`.toLowerCase());
    this.bare.add(name.toLowerCase());
  }
  has(written: string): boolean {
    const n = normalizeName(written).toLowerCase();
    if (n.includes('::') ? this.qualified.has(n) : this.bare.has(n)) return true;
    return this.parent?.has(written) ?? false;
  }
}

/**
 * Validates one package of a project. Never throws for package content. A child package that an
 * enabled Execute Package Task runs from the project (or from a file connection naming a package of
 * the project) is validated too, and its errors are the parent's: a parent whose child cannot run
 * cannot run either. `seen` stops cycles (a package that runs itself).
 */
export function validatePackage(pkg: PackageDef, project: LoadedProject, seen: ReadonlySet<string> = new Set()): PackageValidation {
  const problems: Problem[] = [];
  const unsupported: string[] = [];
  for (const n of pkg.notes) problems.push({ path: n.path, severity: 'warning', message: n.message });
  for (const c of pkg.configurations) {
    if (![0, 1, 2, 5, 6].includes(c.type)) problems.push({ path: '\\Package', severity: 'warning', message: `configuration '${c.name}' (type ${c.type}: registry or SQL Server) is not applied` });
  }
  const root = new Names();
  for (const p of project.parameters) root.add('$Project', p.name);
  for (const p of pkg.parameters) root.add('$Package', p.name);
  for (const s of SYSTEM_VARIABLES) root.add('System', s);
  const connections = [...pkg.connections, ...project.connections];
  const hasConnection = (ref: string) => {
    const r = ref.trim().toLowerCase();
    return connections.some((c) => c.id.toLowerCase() === r || c.name.toLowerCase() === r);
  };

  const checkExpr = (path: string, what: string, text: string, names: Names) => {
    if (text.trim() === '') return;
    try {
      const c = compile(text);
      for (const r of c.references) if (!names.has(r)) problems.push({ path, severity: 'error', message: `${what} refers to '${r}', which is not defined: "${text}"` });
      if (c.assignTo !== undefined && !names.has(c.assignTo)) problems.push({ path, severity: 'error', message: `${what} assigns '${c.assignTo}', which is not defined` });
    } catch (err) {
      if (SsoError.is(err)) problems.push({ path, severity: 'error', message: `${what} has a syntax error: ${err.message}` });
      else throw err;
    }
  };

  // Package connection expressions run in package scope: they may read the package's own variables.
  const packageNames = new Names(root);
  for (const v of pkg.variables) packageNames.add(v.namespace, v.name);
  for (const cm of pkg.connections) {
    for (const pe of cm.propertyExpressions) checkExpr(`\\Package.Connections[${cm.name}]`, `the property expression for ${pe.name}`, pe.expression, packageNames);
  }
  for (const cm of project.connections) {
    for (const pe of cm.propertyExpressions) checkExpr(`\\Package.Connections[${cm.name}]`, `the property expression for ${pe.name}`, pe.expression, root);
  }

  const visit = (def: ExecutableDef | ContainerDef, parentNames: Names, disabledAbove: boolean): void => {
    const names = new Names(parentNames);
    for (const v of def.variables) names.add(v.namespace, v.name);
    if (def.kind === 'eventHandler') for (const s of HANDLER_VARIABLES) names.add('System', s);
    const disabled = disabledAbove || def.disabled;
    const severity = disabled ? 'warning' : 'error';
    for (const v of def.variables) if (v.evaluateAsExpression) checkExpr(`${def.path}.Variables[${v.qualifiedName}]`, 'the variable expression', v.expression, names);
    for (const pe of def.propertyExpressions) checkExpr(def.path, `the property expression for ${pe.name}`, pe.expression, names);
    if (def.kind === 'forLoop') {
      checkExpr(def.path, 'InitExpression', def.initExpression, names);
      checkExpr(def.path, 'EvalExpression', def.evalExpression, names);
      checkExpr(def.path, 'AssignExpression', def.assignExpression, names);
    }
    if (def.kind === 'foreachLoop') {
      const e = def.enumerator;
      const enumProblem = enumeratorProblem(e.kind, e.creationName);
      if (enumProblem !== undefined) {
        problems.push({ path: def.path, severity, message: enumProblem });
        unsupported.push(def.path);
      }
      for (const pe of e.propertyExpressions) checkExpr(`${def.path}.ForEachEnumerator`, `the property expression for ${pe.name}`, pe.expression, names);
      const varRef = e.kind === 'ado' ? e.properties.VarName : e.kind === 'fromVariable' ? (e.properties.VariableName ?? e.properties.VarName) : undefined;
      if (varRef !== undefined && !names.has(varRef)) problems.push({ path: def.path, severity, message: `the enumerator reads the variable '${varRef}', which is not defined` });
      for (const m of def.mappings) if (!names.has(m.variableName)) problems.push({ path: def.path, severity, message: `a variable mapping targets '${m.variableName}', which is not defined` });
    }
    if (isContainer(def)) {
      for (const c of def.constraints) {
        if (c.evalOp !== 2) checkExpr(`${def.path}.PrecedenceConstraints[${c.name}]`, 'the constraint expression', c.expression, names);
      }
      for (const child of def.executables) visit(child, names, disabled);
    } else {
      visitTask(def, names, severity, disabled);
    }
    for (const h of def.eventHandlers) visit(h, names, disabled);
  };

  const visitTask = (task: TaskDef, names: Names, severity: 'error' | 'warning', disabled: boolean) => {
    const impl = taskImplementation(task.kind);
    if (!impl) {
      unsupported.push(task.path);
      problems.push({ path: task.path, severity, message: unsupportedMessage(task) });
      return;
    }
    if (disabled) return;
    if (task.kind === 'expression') checkExpr(task.path, 'the expression', task.objectData?.attrs.Expression ?? '', names);
    if (task.kind === 'executePackage') validateChild(task);
    if (task.kind === 'dataFlow') {
      const r = validateDataFlow(task, (n) => names.has(n), hasConnection);
      problems.push(...r.problems);
      if (r.refused.length > 0) {
        unsupported.push(task.path);
        problems.push({ path: task.path, severity, message: `Data Flow Task '${task.name}' cannot run here: ${r.refused.length === 1 ? 'its component' : `${r.refused.length} of its components`} ${r.refused.map((x) => `'${x.name}' (${x.kindName})`).join(', ')} cannot run (see the messages for each component)` });
      }
      return;
    }
    problems.push(...(impl.validate?.({
      task,
      hasVariable: (n) => names.has(n),
      hasConnection,
      hasProjectPackage: (n) => project.packageNames.some((p) => p.toLowerCase() === n.toLowerCase()),
    }) ?? []));
  };

  const validateChild = (task: TaskDef) => {
    const c = readConfig(task.objectData);
    let childName: string | undefined;
    if (c.useProjectReference) childName = c.packageName;
    else if (c.connection !== '') {
      // A file connection whose file is a package of this project (SSDT projects often run siblings by file).
      const cm = connections.find((x) => x.id.toLowerCase() === c.connection.toLowerCase() || x.name.toLowerCase() === c.connection.toLowerCase());
      const file = cm?.connectionString.split(/[\\/]/).pop() ?? '';
      if (file !== '' && project.packageNames.some((n) => n.toLowerCase() === file.toLowerCase())) childName = file;
    }
    if (!childName || !project.packageNames.some((n) => n.toLowerCase() === childName!.toLowerCase())) return;
    const key = childName.toLowerCase();
    if (seen.has(key) || key === pkg.fileName.toLowerCase()) return;
    let child: PackageValidation;
    try {
      child = validatePackage(project.getPackage(childName), project, new Set([...seen, pkg.fileName.toLowerCase()]));
    } catch (err) {
      if (!SsoError.is(err)) throw err;
      problems.push({ path: task.path, severity: 'error', message: `the child package '${childName}' cannot be loaded: ${err.message}` });
      return;
    }
    const errors = child.problems.filter((p) => p.severity === 'error');
    for (const p of errors) problems.push({ path: task.path, severity: 'error', message: `the child package '${childName}' cannot run: ${p.path}: ${p.message}` });
    if (child.unsupported.length > 0) unsupported.push(task.path);
  };

  visit(pkg, root, false);
  return { packageName: pkg.fileName, problems, valid: !problems.some((p) => p.severity === 'error'), unsupported };
}

/** A Data Flow Task's problems and how many of its components cannot run here. */
export function validateDataFlow(task: TaskDef, hasVariable: (n: string) => boolean, hasConnection: (r: string) => boolean): { problems: Problem[]; refused: { name: string; path: string; kind: string; kindName: string }[] } {
  try {
    const p = readPipeline(task.objectData, task.path, task.properties);
    const r = validatePipeline(p, { hasVariable, hasConnection });
    return { problems: r.problems, refused: r.refused.map((x) => ({ name: x.component.name, path: x.component.path, kind: x.kind, kindName: COMPONENT_KIND_NAMES[x.kind] })) };
  } catch (err) {
    if (!SsoError.is(err)) throw err;
    return { problems: [{ path: task.path, severity: 'error', message: err.message }], refused: [] };
  }
}

function unsupportedMessage(task: TaskDef): string {
  switch (task.kind) {
    case 'script':
      return `Script Task '${task.name}' cannot run here: it holds C#/VB.NET code for the .NET runtime`;
    case 'thirdParty':
      return `third-party task '${task.name}' (${task.creationName}) cannot run here`;
    case 'unknown':
      return `task '${task.name}' has an unknown type '${task.creationName}' and cannot run here`;
    case 'dataFlow': {
      const comps = dataFlowComponents(task.objectData);
      const list = comps.length === 0 ? 'no components' : comps.map((c) => `'${c.name}' (${c.type})`).join(', ');
      return `Data Flow Task '${task.name}' cannot run yet: the engine supports none of its components: ${list}`;
    }
    default:
      return `${TASK_KIND_NAMES[task.kind]} '${task.name}' (${task.creationName}) is not supported by this engine yet`;
  }
}

/** The components of a data flow: name and type (`UserComponentTypeName` for managed components). */
export function dataFlowComponents(objectData: XmlElement | undefined): { name: string; type: string }[] {
  if (!objectData) return [];
  const out: { name: string; type: string }[] = [];
  const walk = (el: XmlElement) => {
    if (localName(el.name) === 'component') {
      let type = el.attrs.componentClassID ?? '';
      const ut = findProperty(el, 'UserComponentTypeName');
      if (ut) type = ut.split(',')[0]!.trim();
      out.push({ name: el.attrs.name ?? '', type });
      return;
    }
    for (const c of el.children) walk(c);
  };
  walk(objectData);
  return out;
}

function findProperty(component: XmlElement, name: string): string | undefined {
  const props = component.children.find((c) => localName(c.name) === 'properties');
  return props?.children.find((p) => p.attrs.name === name)?.text;
}

/** Validates every package of a project. */
export function validateProject(project: LoadedProject): PackageValidation[] {
  return project.packageNames.map((name) => {
    try {
      return validatePackage(project.getPackage(name), project);
    } catch (err) {
      if (!SsoError.is(err)) throw err;
      return { packageName: name, problems: [{ path: err.where ?? name, severity: 'error' as const, message: err.message }], valid: false, unsupported: [] };
    }
  });
}

export { expressionEngine };
