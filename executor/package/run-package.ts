/**
 * `runPackage`: the engine's entry point (see `api.ts`). Unzips and loads the project, binds
 * parameters (project 20, package 30, system 50), applies 2005/2008 configurations and property
 * overrides, validates (anything that cannot run fails the execution before it starts), runs the
 * control flow and returns the outcome. It never throws for a package problem.
 */
import { hostname, userInfo } from 'node:os';
import { SsoError, serializeError } from '../../actors/errors.ts';
import { LoggingLevel, MessageSourceType } from '../../actors/catalog-codes.ts';
import type { PackageEventSink, RunPackage, RunPackageRequest, RunPackageResult } from './api.ts';
import type { OverrideTable } from './engine.ts';
import { PackageRun } from './engine.ts';
import { EventReporter } from './events.ts';
import type { EventSource } from './events.ts';
import { coerce } from './expression-bridge.ts';
import { loadProjectFromIspac } from './load-project.ts';
import type { LoadedProject } from './load-project.ts';
import type { PackageDef, VarValue } from './model.ts';
import { validatePackage } from './validate.ts';
import { addOverride, applyConfigurations } from './configurations.ts';
import { DataTapSet } from './dataflow/data-taps.ts';
import { buildGraph } from './dataflow/runtime.ts';

function bindParameters(defs: readonly { name: string; dataType: number; value: VarValue; required: boolean }[], given: ReadonlyMap<string, unknown>, kind: string): Map<string, VarValue> {
  const out = new Map<string, VarValue>();
  for (const d of defs) out.set(d.name, d.value);
  for (const [name, value] of given) {
    const d = defs.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!d) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `The ${kind} parameter '${name}' does not exist`, { where: name });
    try {
      out.set(d.name, value === null ? null : coerce(typeof value === 'bigint' ? Number(value) : value as VarValue, d.dataType));
    } catch (err) {
      throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `The ${kind} parameter '${name}': ${(err as Error).message}`, { where: name, cause: err });
    }
  }
  for (const d of defs) {
    if (d.required && (out.get(d.name) === null || out.get(d.name) === undefined)) {
      throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `The required ${kind} parameter '${d.name}' has no value`, { where: d.name });
    }
  }
  return out;
}

/** Options for runs outside a worker (tests, `scaleout validate`). */
export interface RunPackageOptions {
  /** A project already loaded (skips unzipping `projectBytes`). */
  readonly project?: LoadedProject;
  readonly env?: NodeJS.ProcessEnv;
}

/** `CM.<connection manager>.<property>`: a connection manager parameter (names may hold dots). */
const CM_PARAMETER_RE = /^CM\.(.+)\.([A-Za-z]+)$/;

export const runPackage: RunPackage = (request, sink, signal) => runPackageWith(request, sink, signal, {});

export async function runPackageWith(request: RunPackageRequest, sink: PackageEventSink, signal: AbortSignal, options: RunPackageOptions): Promise<RunPackageResult> {
  const system = new Map(request.parameters.filter((p) => p.objectType === 50).map((p) => [p.name.toUpperCase(), p.value]));
  const levelRaw = Number(system.get('LOGGING_LEVEL') ?? LoggingLevel.basic);
  const level = Number.isInteger(levelRaw) ? levelRaw : LoggingLevel.basic;
  const reporter = new EventReporter(sink, request.executionId, request.packageName, level);
  const pkgSource: EventSource = { name: request.packageName.replace(/\.dtsx$/i, ''), id: '', packagePath: '\\Package', executionPath: '\\Package', sourceType: MessageSourceType.packageLevel };
  const fail = (err: unknown): RunPackageResult => {
    const message = (err as Error).message ?? String(err);
    reporter.message('OnError', pkgSource, message);
    return { outcome: 'failed', errors: [message], failure: serializeError(err) };
  };

  let project: LoadedProject;
  let pkg: PackageDef;
  try {
    project = options.project ?? loadProjectFromIspac(request.projectBytes, request.packageName);
    pkg = project.getPackage(request.packageName);
  } catch (err) {
    return fail(err);
  }
  const source: EventSource = { ...pkgSource, name: pkg.name, id: pkg.id };

  const overrides: OverrideTable = new Map();
  let projectParameters: Map<string, VarValue>;
  let packageParameters: Map<string, VarValue>;
  try {
    await applyConfigurations(pkg, overrides, (m) => reporter.message('OnWarning', source, m), options.env ?? process.env);
    // CM.<connection manager>.<property> parameters (the catalog makes them at deploy): a value that is
    // set becomes that property of the connection manager, as SSIS applies them. Property overrides
    // given for the execution come after, so they win.
    const isCm = (p: RunPackageRequest['parameters'][number]) => (p.objectType === 20 || p.objectType === 30) && CM_PARAMETER_RE.test(p.name);
    for (const p of request.parameters) {
      if (!isCm(p) || p.value === null || p.value === undefined) continue;
      const m = CM_PARAMETER_RE.exec(p.name)!;
      addOverride(overrides, `\\Package.Connections[${m[1]}].Properties[${m[2]}]`, String(p.value));
    }
    for (const o of request.propertyOverrides) addOverride(overrides, o.propertyPath, o.value);
    projectParameters = bindParameters(project.parameters, new Map(request.parameters.filter((p) => p.objectType === 20 && !isCm(p)).map((p) => [p.name, p.value])), 'project');
    packageParameters = bindParameters(pkg.parameters, new Map(request.parameters.filter((p) => p.objectType === 30 && !isCm(p)).map((p) => [p.name, p.value])), 'package');
  } catch (err) {
    return fail(err);
  }

  let validation = validatePackage(pkg, project);
  // A data tap on a task or path the package does not have fails the run up front, naming the tap.
  let dataTaps: DataTapSet | undefined;
  if (request.dataTaps && request.dataTaps.length > 0) {
    dataTaps = new DataTapSet(request.dataTaps, DataTapSet.folderOf(request.workingDirectory));
    const tapProblems = dataTaps.check(pkg, (p) => buildGraph(p).graph);
    if (tapProblems.length > 0) validation = { ...validation, problems: [...validation.problems, ...tapProblems], valid: false };
    try { dataTaps.reset(); } catch (err) { return fail(err); }
  }
  for (const p of validation.problems) {
    reporter.message(p.severity === 'error' ? 'OnError' : 'OnWarning', { ...source, packagePath: p.path, executionPath: p.path }, `${p.path}: ${p.message}`);
  }
  if (!validation.valid) {
    const errors = validation.problems.filter((p) => p.severity === 'error').map((p) => `${p.path}: ${p.message}`);
    return {
      outcome: 'failed', errors,
      failure: serializeError(new SsoError(validation.unsupported.length > 0 ? 'SSO_ERR_PACKAGE_UNSUPPORTED' : 'SSO_ERR_PACKAGE_VALIDATION', `Package '${pkg.fileName}' failed validation: ${errors.join('; ')}`, { where: validation.unsupported[0] ?? errors[0] })),
    };
  }
  if (signal.aborted) return { outcome: 'canceled', errors: [] };

  const run = new PackageRun({
    pkg, project, reporter, signal, packageParameters, projectParameters, overrides,
    executionId: request.executionId,
    machineName: request.machineName ?? hostname(),
    userName: request.userName ?? safeUserName(),
    ...(request.workingDirectory === undefined ? {} : { workingDirectory: request.workingDirectory }),
    ...(dataTaps ? { dataTaps } : {}),
  });
  const result = await run.run();
  if (result === 'canceled') return { outcome: 'canceled', errors: run.errors };
  return { outcome: result === 'success' ? 'succeeded' : 'failed', errors: result === 'success' ? [] : run.errors };
}

function safeUserName(): string {
  try { return userInfo().username; } catch { return 'unknown'; }
}
