/**
 * The control-flow runtime: runs a loaded package's executables with SSIS semantics — precedence
 * constraints (value, expression, AND/OR), MaxConcurrentExecutables, loops, event handlers with
 * System::Propagate, error counting against MaximumErrorCount, FailParent/FailPackageOnFailure,
 * ForceExecutionResult, disabled executables, property expressions — and reports every step.
 */
import { availableParallelism } from 'node:os';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, parse as parsePath } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SsoError } from '../../actors/errors.ts';
import { ExecutionResult, LoggingLevel, MessageSourceType } from '../../actors/catalog-codes.ts';
import type { DataTapSet } from './dataflow/data-taps.ts';
import type {
  ConnectionManagerDef, ContainerDef, EventHandlerDef, ExecutableDef, ForLoopDef, ForeachLoopDef, PackageDef,
  PrecedenceConstraintDef, TaskDef, VarValue,
} from './model.ts';
import { ConstraintValue, EvalOp, VarType, isContainer, isRecordset } from './model.ts';
import { HANDLER_SYSTEM_VARIABLES } from './system-variables.ts';
import { enumeratorProblem } from './task-types.ts';
import type { EventReporter, EventSource } from './events.ts';
import { applyConfigurations } from './configurations.ts';
import { coerce, formatDate } from './expression-bridge.ts';
import { VarScope } from './variables.ts';
import { convertValue, parseBool } from './load-dtsx.ts';
import type { LoadedProject } from './load-project.ts';
import type { TaskContext } from './tasks/registry.ts';
import { taskImplementation } from './tasks/registry.ts';
import { localName } from './xml.ts';
import { hostPath } from './connections/files.ts';

export type RunResult = 'success' | 'failure' | 'canceled';

/** Property overrides keyed by lower-cased object path, then lower-cased property name. */
export type OverrideTable = Map<string, Map<string, string>>;

export interface PackageRunOptions {
  readonly pkg: PackageDef;
  readonly project: LoadedProject;
  readonly reporter: EventReporter;
  readonly signal: AbortSignal;
  /** `$Package::` values (already converted) by name. */
  readonly packageParameters: ReadonlyMap<string, VarValue>;
  /** `$Project::` values by name. */
  readonly projectParameters: ReadonlyMap<string, VarValue>;
  readonly overrides: OverrideTable;
  readonly executionId: number;
  readonly machineName: string;
  readonly userName: string;
  readonly workingDirectory?: string;
  /** Data taps of the execution; they apply to the top package's data flows only. */
  readonly dataTaps?: DataTapSet;
  /** Execution path of the caller (Execute Package Task), empty for the top package. */
  readonly executionPathPrefix?: string;
  readonly depth?: number;
  /** For 2005/2008 parent-package-variable configurations. */
  readonly parentScope?: VarScope;
}

/** Values of handler system variables an event sets (OnVariableValueChanged: VariableName…). */
type HandlerExtras = Readonly<Record<string, VarValue>>;

interface ExecState {
  readonly def: ExecutableDef | ContainerDef;
  readonly parent: ExecState | undefined;
  readonly scope: VarScope;
  readonly executionPath: string;
  errorCount: number;
  failParent: boolean;
  /** Property expression results for this run. */
  readonly exprProps: Map<string, string>;
  /** Event handlers of this event type currently running on this state (no re-entry). */
  readonly activeHandlers: Set<string>;
}

const MAX_PACKAGE_DEPTH = 16;

export class PackageRun {
  readonly errors: string[] = [];
  private packageFailed = false;
  private readonly startTime = new Date();
  private readonly connections: ConnectionManagerDef[];
  private rootScope!: VarScope;

  constructor(private readonly o: PackageRunOptions) {
    this.connections = [...o.pkg.connections, ...o.project.connections];
  }

  /** Runs the package; never throws for a package problem (failures end as 'failure' with OnError events). */
  async run(): Promise<RunResult> {
    const { pkg } = this.o;
    const params = new VarScope(this.o.parentScope, '\\Package', (slot) => this.variableChanged(slot));
    for (const [n, v] of this.o.projectParameters) {
      const def = this.o.project.parameters.find((p) => p.name === n);
      params.define({ namespace: '$Project', name: n, dataType: def?.dataType ?? VarType.string, value: v, readOnly: true, evaluateAsExpression: false, expression: '', raiseChangedEvent: false, id: def?.id ?? '' });
    }
    for (const [n, v] of this.o.packageParameters) {
      const def = pkg.parameters.find((p) => p.name === n);
      params.define({ namespace: '$Package', name: n, dataType: def?.dataType ?? VarType.string, value: v, readOnly: true, evaluateAsExpression: false, expression: '', raiseChangedEvent: false, id: def?.id ?? '' });
    }
    const sys = params;
    sys.system('PackageName', pkg.name, VarType.string);
    sys.system('PackageID', pkg.id, VarType.string);
    sys.system('VersionGUID', pkg.versionGuid, VarType.string);
    sys.system('StartTime', this.startTime, VarType.dateTime);
    sys.system('MachineName', this.o.machineName, VarType.string);
    sys.system('UserName', this.o.userName, VarType.string);
    sys.system('ExecutionInstanceGUID', `{${randomUUID().toUpperCase()}}`, VarType.string);
    sys.system('ServerExecutionID', this.o.executionId, VarType.int64);
    sys.system('ServerName', this.o.machineName, VarType.string);
    sys.system('InteractiveMode', false, VarType.boolean);
    sys.system('OfflineMode', false, VarType.boolean);
    sys.system('CancelEvent', 0, VarType.int32);
    sys.system('LocaleID', 1033, VarType.int32);
    sys.system('CreationDate', this.startTime, VarType.dateTime);
    sys.system('ParentContainerGUID', '', VarType.string);
    // The rest of the documented package variables, from the package's own properties.
    const pp = pkg.properties;
    const int = (x: string | undefined) => (x !== undefined && /^-?\d+$/.test(x.trim()) ? Number(x) : 0);
    sys.system('ContainerStartTime', this.startTime, VarType.dateTime);
    sys.system('CreatorName', pp.CreatorName ?? '', VarType.string);
    sys.system('CreatorComputerName', pp.CreatorComputerName ?? '', VarType.string);
    sys.system('FailedConfigurations', '', VarType.string);
    sys.system('IgnoreConfigurationsOnLoad', false, VarType.boolean);
    sys.system('VersionBuild', int(pp.VersionBuild), VarType.int32);
    sys.system('VersionMajor', int(pp.VersionMajor), VarType.int32);
    sys.system('VersionMinor', int(pp.VersionMinor), VarType.int32);
    sys.system('VersionComments', pp.VersionComments ?? '', VarType.string);
    sys.system('VersionComment', pp.VersionComments ?? '', VarType.string);
    sys.system('PackageDescription', pkg.description, VarType.string);
    this.rootScope = params;
    try {
      return await this.execute(pkg, undefined, params, (this.o.executionPathPrefix ?? '') + '\\Package');
    } catch (err) {
      // A defect or an unexpected error: report it like SSIS reports an internal error, never throw.
      const msg = `The package failed: ${(err as Error).message}`;
      this.errors.push(msg);
      this.o.reporter.message('OnError', this.source(pkg, (this.o.executionPathPrefix ?? '') + '\\Package'), msg);
      return 'failure';
    }
  }

  private source(def: ExecutableDef | ContainerDef, executionPath: string): EventSource {
    const sourceType = def.kind === 'package' ? MessageSourceType.packageLevel
      : isContainer(def) ? MessageSourceType.controlFlowContainer
        : def.kind === 'dataFlow' ? MessageSourceType.dataFlowTask : MessageSourceType.controlFlowTask;
    return { name: def.name, id: def.id, packagePath: def.path, executionPath, sourceType };
  }

  // ---- properties --------------------------------------------------------------------------

  private override(path: string, ...names: string[]): string | undefined {
    const t = this.o.overrides.get(path.toLowerCase());
    if (!t) return undefined;
    for (const n of names) {
      const v = t.get(n.toLowerCase());
      if (v !== undefined) return v;
    }
    return undefined;
  }

  private prop(st: ExecState, ...names: string[]): string | undefined {
    for (const n of names) {
      const v = st.exprProps.get(n.toLowerCase());
      if (v !== undefined) return v;
    }
    return this.override(st.def.path, ...names);
  }

  private boolProp(st: ExecState, dflt: boolean, ...names: string[]): boolean {
    const v = this.prop(st, ...names);
    return v === undefined ? dflt : parseBool(v, dflt);
  }

  private intProp(st: ExecState, dflt: number, ...names: string[]): number {
    const v = this.prop(st, ...names);
    if (v === undefined || v.trim() === '' || !Number.isFinite(Number(v))) return dflt;
    return Math.trunc(Number(v));
  }

  /** Evaluates the executable's property expressions into `st.exprProps` (errors are OnError). */
  private applyPropertyExpressions(st: ExecState): boolean {
    for (const pe of st.def.propertyExpressions) {
      try {
        const v = st.scope.evaluate(pe.expression);
        st.exprProps.set(pe.name.toLowerCase(), v instanceof Date ? formatDate(v) : v === null ? '' : typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v));
      } catch (err) {
        this.raise(st, 'OnError', `The expression for property '${pe.name}' of ${st.def.path} failed: ${(err as Error).message}`);
        return false;
      }
    }
    return true;
  }

  /** Connection by DTSID or name, with overrides and property expressions applied (in package scope). */
  connection(ref: string, scope: VarScope = this.rootScope): ConnectionManagerDef | undefined {
    const r = ref.trim().toLowerCase();
    const cm = this.connections.find((c) => c.id.toLowerCase() === r || c.name.toLowerCase() === r);
    if (!cm) return undefined;
    const path = `\\Package.Connections[${cm.name}]`;
    let connectionString = this.override(path, 'ConnectionString') ?? cm.connectionString;
    const properties: Record<string, string> = { ...cm.properties };
    const t = this.o.overrides.get(path.toLowerCase());
    if (t) for (const [k, v] of t) properties[k] = v;
    for (const pe of cm.propertyExpressions) {
      const v = scope.evaluate(pe.expression);
      const text = v === null ? '' : String(v);
      if (pe.name.toLowerCase() === 'connectionstring') connectionString = text;
      else properties[pe.name] = text;
    }
    return { ...cm, connectionString, properties };
  }

  // ---- events ------------------------------------------------------------------------------

  /**
   * Raises an event at `st`: logs it, counts errors up the chain, then runs the nearest handlers for
   * it, walking up the parents until one sets System::Propagate to false.
   */
  private raise(st: ExecState, eventName: string, text: string, code?: number, extra?: HandlerExtras): void {
    this.o.reporter.message(eventName, this.source(st.def, st.executionPath), text, code);
    if (eventName === 'OnError') {
      this.errors.push(text);
      for (let s: ExecState | undefined = st; s; s = s.parent) s.errorCount++;
    }
    this.pendingHandlers.push({ st, eventName, text, code: code ?? 0, ...(extra ? { extra } : {}) });
  }

  private pendingHandlers: { st: ExecState; eventName: string; text: string; code: number; extra?: HandlerExtras }[] = [];

  /** Runs the handlers queued by `raise` (handlers are async; events are raised from sync code). */
  private async flushHandlers(): Promise<void> {
    while (this.pendingHandlers.length > 0) {
      const ev = this.pendingHandlers.shift()!;
      await this.fireHandlers(ev.st, ev.eventName, ev.text, ev.code, ev.extra);
    }
  }

  private async fireHandlers(origin: ExecState, eventName: string, text: string, code: number, extra?: HandlerExtras): Promise<void> {
    for (let s: ExecState | undefined = origin; s; s = s.parent) {
      if (s.def.kind === 'eventHandler') continue;
      if (this.boolProp(s, s.def.disableEventHandlers, 'DisableEventHandlers')) continue;
      const handler = s.def.eventHandlers.find((h) => h.eventName.toLowerCase() === eventName.toLowerCase());
      if (!handler || s.activeHandlers.has(handler.eventName)) continue;
      s.activeHandlers.add(handler.eventName);
      try {
        const propagate = await this.runHandler(handler, s, origin, text, code, extra);
        if (!propagate) return;
      } finally {
        s.activeHandlers.delete(handler.eventName);
      }
    }
  }

  private async runHandler(h: EventHandlerDef, owner: ExecState, origin: ExecState, text: string, code: number, extra?: HandlerExtras): Promise<boolean> {
    const scope = new VarScope(owner.scope, h.path);
    for (const v of h.variables) scope.defineVariable(v);
    // Every documented handler variable exists (packages read them in any handler); the event fills its own.
    for (const sv of HANDLER_SYSTEM_VARIABLES) {
      const dflt = sv.dataType === VarType.boolean ? false : sv.dataType === VarType.string ? '' : sv.dataType === VarType.dateTime ? new Date() : 0;
      scope.system(sv.name, extra?.[sv.name] ?? dflt, sv.dataType, sv.name !== 'Cancel');
    }
    scope.system('SourceParentGUID', origin.parent?.def.id ?? '', VarType.string);
    scope.system('LocaleID', 1033, VarType.int32);
    const propagate = scope.system('Propagate', true, VarType.boolean, false);
    scope.system('SourceName', origin.def.name, VarType.string);
    scope.system('SourceID', origin.def.id, VarType.string);
    scope.system('SourceDescription', origin.def.description, VarType.string);
    scope.system('ErrorCode', code, VarType.int32);
    scope.system('ErrorDescription', text, VarType.string);
    scope.system('EventHandlerStartTime', new Date(), VarType.dateTime);
    const st = this.state(h, owner, scope, `${owner.executionPath}.EventHandlers[${h.eventName}]`);
    await this.runContainerBody(h, st, st.executionPath);
    return propagate.value !== false;
  }

  private variableChanged(slot: { namespace: string; name: string; value: VarValue }): void {
    const st = this.currentState;
    if (!st) return;
    const full = slot as { namespace: string; name: string; value: VarValue; id?: string };
    this.raise(st, 'OnVariableValueChanged', `The value of variable ${slot.namespace}::${slot.name} changed to ${String(slot.value)}`, undefined, {
      VariableName: slot.name, VariableID: full.id ?? '', VariableDescription: '',
    });
  }

  private currentState: ExecState | undefined;

  private state(def: ExecutableDef | ContainerDef, parent: ExecState | undefined, scope: VarScope, executionPath: string): ExecState {
    return { def, parent, scope, executionPath, errorCount: 0, failParent: false, exprProps: new Map(), activeHandlers: new Set() };
  }

  // ---- executables -------------------------------------------------------------------------

  private async execute(def: ExecutableDef | ContainerDef, parent: ExecState | undefined, parentScope: VarScope, executionPath: string): Promise<RunResult> {
    if (this.o.signal.aborted) return 'canceled';
    const scope = def.kind === 'package' ? new VarScope(parentScope, def.path, (slot) => this.variableChanged(slot)) : new VarScope(parentScope, def.path);
    for (const v of def.variables) scope.defineVariable(v);
    this.applyVariableOverrides(def.path, scope);
    const start = new Date();
    scope.system('ContainerStartTime', start, VarType.dateTime);
    if (def.kind !== 'package') {
      scope.system('TaskName', def.name, VarType.string);
      scope.system('TaskID', def.id, VarType.string);
      scope.system('CreationName', def.creationName, VarType.string);
      scope.system('LocaleID', 1033, VarType.int32);
      scope.system('TaskTransactionOption', Number(def.properties.TransactionOption ?? 1) || 1, VarType.int32);
      scope.system('ParentContainerGUID', parent?.def.id ?? '', VarType.string);
    }
    const st = this.state(def, parent, scope, executionPath);
    this.currentState = st;
    const src = this.source(def, executionPath);

    if (!this.applyPropertyExpressions(st)) {
      await this.flushHandlers();
      return 'failure';
    }
    if (def.kind !== 'package' && this.boolProp(st, def.disabled, 'Disable', 'Disabled')) return 'success';

    const rep = this.o.reporter;
    rep.message('OnPreValidate', src, `${def.name}: validation has started.`);
    // Package validation: every task not under DelayValidation is validated against its external data
    // before anything runs; an error fails the package without running any task, as SSIS does.
    const valid = def.kind === 'package' ? await this.validateAtStart(def, st) : true;
    this.currentState = st;
    rep.message('OnPostValidate', src, `${def.name}: validation is complete.`);
    if (def.kind === 'package') rep.message('OnExecutionStatusChanged', src, `${def.name}: the package is running.`);
    this.raise(st, 'OnPreExecute', `${def.name}: execution has started.`);
    await this.flushHandlers();

    let result: RunResult;
    try {
      result = valid ? await this.runBody(def, st) : 'failure';
    } catch (err) {
      if (this.o.signal.aborted) result = 'canceled';
      else {
        this.currentState = st;
        this.raise(st, 'OnError', `${def.name}: ${(err as Error).message}`, codeOf(err));
        result = 'failure';
      }
    }
    this.currentState = st;
    if (result === 'canceled' || this.o.signal.aborted) {
      result = 'canceled';
    } else {
      const maxErrors = this.intProp(st, def.maximumErrorCount, 'MaximumErrorCount', 'MaxErrorCount');
      if (result === 'success' && ((maxErrors > 0 && st.errorCount >= maxErrors) || st.failParent)) result = 'failure';
    }
    let statResult: number = result === 'success' ? ExecutionResult.success : result === 'failure' ? ExecutionResult.failure : ExecutionResult.canceled;
    const forced = this.intProp(st, def.forceExecutionResult, 'ForceExecutionResult');
    if (result !== 'canceled' && forced >= 0 && forced <= 2) {
      statResult = forced;
      result = forced === ExecutionResult.failure ? 'failure' : 'success';
    }
    if (result === 'failure' && def.kind !== 'package') {
      this.raise(st, 'OnTaskFailed', `${def.name}: the task failed.`);
      if (parent && this.boolProp(st, def.failParentOnFailure, 'FailParentOnFailure')) parent.failParent = true;
      if (this.boolProp(st, def.failPackageOnFailure, 'FailPackageOnFailure')) this.packageFailed = true;
    }
    this.raise(st, 'OnPostExecute', `${def.name}: execution has finished.`);
    await this.flushHandlers();
    if (def.kind === 'package') {
      if (this.packageFailed && result === 'success') result = 'failure';
      rep.message('OnExecutionStatusChanged', src, `${def.name}: the package ${result === 'success' ? 'succeeded' : result === 'failure' ? 'failed' : 'was canceled'}.`);
    }
    rep.statistic(src, start.getTime(), Date.now(), statResult);
    (st as { completion?: number }).completion = statResult;
    this.lastStatResult.set(st.executionPath, statResult);
    return result;
  }

  /**
   * Validates the package's tasks at its start (SSIS's package validation): a task is skipped when it
   * or a container around it (the package included) has DelayValidation = True — it is validated just
   * before it runs instead — and when it is disabled. Containers are walked with their own variable
   * scopes and property expressions (evaluated with the variables' values at package start; an
   * expression that cannot be evaluated yet leaves the property as written). False on an error.
   */
  private async validateAtStart(pkg: PackageDef, st: ExecState): Promise<boolean> {
    if (this.boolProp(st, pkg.delayValidation, 'DelayValidation')) return true;
    let ok = true;
    const walk = async (container: ContainerDef | ExecutableDef, parent: ExecState): Promise<void> => {
      if (!isContainer(container)) return;
      for (const child of container.executables) {
        if (this.o.signal.aborted) return;
        const scope = new VarScope(parent.scope, child.path);
        try {
          for (const v of child.variables) scope.defineVariable(v);
          this.applyVariableOverrides(child.path, scope);
        } catch {
          continue; // a variable that cannot be defined yet: reported when the executable runs, validated then
        }
        const cst = this.state(child, parent, scope, `${parent.executionPath}\\${child.name}`);
        for (const pe of child.propertyExpressions) {
          try {
            const v = scope.evaluate(pe.expression);
            cst.exprProps.set(pe.name.toLowerCase(), v instanceof Date ? formatDate(v) : v === null ? '' : typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v));
          } catch { /* evaluated again (and reported) when the executable runs */ }
        }
        if (this.boolProp(cst, child.disabled, 'Disable', 'Disabled')) continue;
        if (this.boolProp(cst, child.delayValidation, 'DelayValidation')) continue;
        if (isContainer(child)) await walk(child, cst);
        else {
          try {
            if (!(await this.validateTaskConnected(child as TaskDef, cst))) ok = false;
          } catch {
            // Something the check needs cannot be evaluated yet (a connection's expression over a variable a
            // loop sets): the task is validated again just before it runs, where the failure is reported.
          }
        }
      }
    };
    await walk(pkg, st);
    return ok;
  }

  /** Final `execution_result` per execution path (lets constraints see a forced Completion). */
  private readonly lastStatResult = new Map<string, number>();

  private applyVariableOverrides(ownerPath: string, scope: VarScope): void {
    const prefix = `${ownerPath.toLowerCase()}.variables[`;
    for (const [key, props] of this.o.overrides) {
      if (!key.startsWith(prefix) || !key.endsWith(']')) continue;
      const name = key.slice(prefix.length, -1);
      const slot = scope.find(name);
      if (!slot || slot.scope !== scope) continue;
      const v = props.get('value');
      if (v !== undefined) {
        try {
          slot.value = slot.dataType === VarType.object ? v : convertValue(v, slot.dataType);
        } catch (err) {
          throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `The override of ${ownerPath}.Variables[${slot.namespace}::${slot.name}].Properties[Value]: ${(err as Error).message}`, { where: ownerPath, cause: err });
        }
      }
      const e = props.get('expression');
      if (e !== undefined) { slot.expression = e; slot.compiled = undefined as never; }
      const ev = props.get('evaluateasexpression');
      if (ev !== undefined) slot.evaluateAsExpression = parseBool(ev);
    }
  }

  private async runBody(def: ExecutableDef | ContainerDef, st: ExecState): Promise<RunResult> {
    switch (def.kind) {
      case 'package': case 'sequence': case 'eventHandler':
        return this.runContainerBody(def, st, st.executionPath);
      case 'forLoop': return this.runForLoop(def, st);
      case 'foreachLoop': return this.runForeach(def, st);
      default: return this.runTask(def, st);
    }
  }

  /** Runs the executables of a container in precedence order, at most MaxConcurrent at a time. */
  private async runContainerBody(def: ContainerDef | ExecutableDef, st: ExecState, pathPrefix: string): Promise<RunResult> {
    if (!isContainer(def)) return 'success';
    const children = def.executables;
    if (children.length === 0) return 'success';
    const incoming = new Map<string, PrecedenceConstraintDef[]>();
    for (const c of def.constraints) {
      const list = incoming.get(c.to.toLowerCase()) ?? [];
      list.push(c);
      incoming.set(c.to.toLowerCase(), list);
    }
    type Status = 'pending' | 'running' | 'done' | 'skipped';
    const status = new Map<string, Status>(children.map((c) => [c.path.toLowerCase(), 'pending']));
    const outcome = new Map<string, number>();
    let maxConcurrent = this.intProp(st, def.maxConcurrent, 'MaxConcurrentExecutables', 'MaxConcurrent');
    if (maxConcurrent <= 0) maxConcurrent = availableParallelism() + 2;
    const running = new Map<string, Promise<void>>();
    let canceled = false;

    /** 'run' | 'wait' | 'never' for a pending child. */
    const readiness = (child: ExecutableDef): 'run' | 'wait' | 'never' => {
      const cons = incoming.get(child.path.toLowerCase()) ?? [];
      if (cons.length === 0) return 'run';
      const and = cons.every((c) => c.logicalAnd);
      let anyTrue = false, anyWait = false, anyFalse = false;
      for (const c of cons) {
        const fromStatus = status.get(c.from.toLowerCase());
        if (fromStatus === undefined || fromStatus === 'skipped') { anyFalse = true; continue; }
        if (fromStatus !== 'done') { anyWait = true; continue; }
        if (this.constraintHolds(c, outcome.get(c.from.toLowerCase())!, st)) anyTrue = true; else anyFalse = true;
      }
      if (and) return anyFalse ? 'never' : anyWait ? 'wait' : 'run';
      return anyTrue ? 'run' : anyWait ? 'wait' : 'never';
    };

    for (;;) {
      if (this.o.signal.aborted) canceled = true;
      const stop = canceled || this.packageFailed || st.failParent;
      let progressed = false;
      if (!stop) {
        for (const child of children) {
          const key = child.path.toLowerCase();
          if (status.get(key) !== 'pending') continue;
          if (running.size >= maxConcurrent) break;
          const r = readiness(child);
          if (r === 'wait') continue;
          progressed = true;
          if (r === 'never') { status.set(key, 'skipped'); continue; }
          status.set(key, 'running');
          const execPath = `${pathPrefix}\\${child.name}`;
          const p = this.execute(child, st, st.scope, execPath).then((res) => {
            status.set(key, 'done');
            const stat = this.lastStatResult.get(execPath);
            outcome.set(key, res === 'canceled' ? ExecutionResult.canceled : stat ?? (res === 'success' ? ExecutionResult.success : ExecutionResult.failure));
            if (res === 'canceled') canceled = true;
            running.delete(key);
          });
          running.set(key, p);
        }
      }
      if (progressed) continue;
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
    if (canceled || this.o.signal.aborted) return 'canceled';
    return 'success';
  }

  private constraintHolds(c: PrecedenceConstraintDef, result: number, st: ExecState): boolean {
    const constraintOk = result === ExecutionResult.canceled ? false
      : c.value === ConstraintValue.completion ? true
        : c.value === ConstraintValue.success ? result === ExecutionResult.success
          : result === ExecutionResult.failure;
    if (c.evalOp === EvalOp.constraint) return constraintOk;
    const exprOk = (): boolean => {
      try {
        const v = st.scope.evaluate(c.expression);
        if (typeof v !== 'boolean') throw new Error(`the expression "${c.expression}" does not evaluate to a Boolean`);
        return v;
      } catch (err) {
        this.raise(st, 'OnError', `Precedence constraint '${c.name}' in ${st.def.path}: ${(err as Error).message}`);
        return false;
      }
    };
    if (c.evalOp === EvalOp.expression) return result !== ExecutionResult.canceled && exprOk();
    if (c.evalOp === EvalOp.expressionAndConstraint) return constraintOk && exprOk();
    return constraintOk || (result !== ExecutionResult.canceled && exprOk());
  }

  private async runForLoop(def: ForLoopDef, st: ExecState): Promise<RunResult> {
    const init = this.prop(st, 'InitExpression') ?? def.initExpression;
    const evalE = this.prop(st, 'EvalExpression') ?? def.evalExpression;
    const assign = this.prop(st, 'AssignExpression') ?? def.assignExpression;
    if (init.trim() !== '') st.scope.evaluate(init);
    const maxErrors = this.intProp(st, def.maximumErrorCount, 'MaximumErrorCount', 'MaxErrorCount');
    for (let i = 1; ; i++) {
      if (this.o.signal.aborted) return 'canceled';
      if (evalE.trim() !== '') {
        const v = st.scope.evaluate(evalE);
        if (typeof v !== 'boolean') throw new Error(`the EvalExpression "${evalE}" does not evaluate to a Boolean`);
        if (!v) break;
      }
      const r = await this.runContainerBody(def, st, `${st.executionPath}[${i}]`);
      if (r === 'canceled') return r;
      if ((maxErrors > 0 && st.errorCount >= maxErrors) || st.failParent || this.packageFailed) return 'failure';
      if (assign.trim() !== '') st.scope.evaluate(assign);
    }
    return 'success';
  }

  private async runForeach(def: ForeachLoopDef, st: ExecState): Promise<RunResult> {
    const rows = await this.enumerate(def, st);
    const maxErrors = this.intProp(st, def.maximumErrorCount, 'MaximumErrorCount', 'MaxErrorCount');
    if (rows.length === 0) this.raise(st, 'OnWarning', `The For Each ${def.enumerator.kind} enumerator of ${def.path} is empty.`);
    let i = 0;
    for (const row of rows) {
      i++;
      if (this.o.signal.aborted) return 'canceled';
      for (const m of def.mappings) {
        if (m.valueIndex >= row.length) throw new Error(`the variable mapping to ${m.variableName} uses index ${m.valueIndex}, but the enumerator gives ${row.length} value(s)`);
        st.scope.set(m.variableName, (row[m.valueIndex] ?? null) as VarValue);
      }
      const r = await this.runContainerBody(def, st, `${st.executionPath}[${i}]`);
      if (r === 'canceled') return r;
      if ((maxErrors > 0 && st.errorCount >= maxErrors) || st.failParent || this.packageFailed) return 'failure';
    }
    return 'success';
  }

  private async enumerate(def: ForeachLoopDef, st: ExecState): Promise<unknown[][]> {
    const e = def.enumerator;
    const props: Record<string, string> = {};
    for (const [k, v] of Object.entries(e.properties)) props[k.toLowerCase()] = v;
    const ov = this.o.overrides.get(`${def.path.toLowerCase()}.foreachenumerator`);
    if (ov) for (const [k, v] of ov) props[k] = v;
    for (const pe of e.propertyExpressions) {
      const v = st.scope.evaluate(pe.expression);
      props[pe.name.toLowerCase()] = v === null ? '' : String(v);
    }
    switch (e.kind) {
      case 'file': {
        const folder = props.directory ?? props.folder ?? '';
        const spec = props.filespec ?? '*.*';
        const recurse = parseBool(props.recurse);
        const retrieval = Number(props.filenameretrievaltype ?? props.filenameretrieval ?? 0);
        const files = await listFiles(hostPath(folder), spec, recurse);
        return files.map((f) => {
          const p = parsePath(f);
          return [retrieval === 1 ? p.base : retrieval === 2 ? p.name : f];
        });
      }
      case 'item':
        return e.items.map((row) => row.map((v) => convertValue(v.value, v.dataType)));
      case 'ado': {
        const name = props.varname ?? '';
        const v = st.scope.get(name);
        return rowsOf(v, name);
      }
      case 'fromVariable': {
        const name = props.variablename ?? props.varname ?? '';
        const v = st.scope.get(name);
        if (Array.isArray(v)) return v.map((x) => (Array.isArray(x) ? x : [x]));
        return rowsOf(v, name);
      }
      default:
        throw new SsoError('SSO_ERR_PACKAGE_UNSUPPORTED', `${def.path}: ${enumeratorProblem(e.kind, e.creationName) ?? `the enumerator '${e.creationName}' is not supported`}`, { where: def.path });
    }
  }

  // ---- tasks -------------------------------------------------------------------------------

  /** The task's effective properties: ObjectData attributes, overrides, then its evaluated property expressions. */
  private taskProps(def: TaskDef, st: ExecState): Record<string, string> {
    const props: Record<string, string> = {};
    if (def.objectData) for (const [k, v] of Object.entries(def.objectData.attrs)) if (!k.startsWith('xmlns')) props[localName(k)] = v;
    const ov = this.o.overrides.get(def.path.toLowerCase());
    const lowerToKey = new Map(Object.keys(props).map((k) => [k.toLowerCase(), k]));
    const put = (k: string, v: string) => { props[lowerToKey.get(k.toLowerCase()) ?? k] = v; };
    if (ov) for (const [k, v] of ov) put(k, v);
    for (const [k, v] of st.exprProps) put(k, v);
    return props;
  }

  private taskContext(def: TaskDef, st: ExecState, props: Record<string, string>): TaskContext {
    return {
      task: def, props,
      getVariable: (n) => st.scope.get(n),
      setVariable: (n, v) => { this.currentState = st; st.scope.set(n, v); },
      hasVariable: (n) => st.scope.has(n),
      evaluate: (x) => st.scope.evaluate(x),
      connection: (ref) => this.connection(ref, st.scope),
      connections: () => this.connections.map((c) => this.connection(c.id, st.scope) ?? c),
      information: (m) => this.raise(st, 'OnInformation', m),
      warning: (m) => this.raise(st, 'OnWarning', m),
      error: (m, code) => this.raise(st, 'OnError', m, code),
      raise: (eventName, m, code) => this.raise(st, eventName, m, code),
      variableInfo: (n) => {
        const slot = st.scope.find(n);
        if (!slot) return undefined;
        const params = slot.namespace === '$Project' ? this.o.project.parameters : slot.namespace === '$Package' ? this.o.pkg.parameters : [];
        const sensitive = params.some((p) => p.name === slot.name && p.sensitive);
        return { namespace: slot.namespace, name: slot.name, dataType: slot.dataType, readOnly: slot.readOnly || slot.evaluateAsExpression, sensitive };
      },
      signal: this.o.signal,
      workingDirectory: this.o.workingDirectory,
      variableNameById: (id) => { const slot = st.scope.findById(id); return slot ? `${slot.namespace}::${slot.name}` : undefined; },
      custom: (eventName, message) => this.o.reporter.message(eventName, this.source(st.def, st.executionPath), message),
      runChildPackage: (ref, parameters) => this.runChild(ref, parameters, st),
      ...(this.o.dataTaps && !this.o.depth ? { dataTaps: this.o.dataTaps } : {}),
      ...(this.o.reporter.loggingLevel === LoggingLevel.performance || this.o.reporter.loggingLevel === LoggingLevel.verbose
        ? { componentPhases: (rows: readonly { component: string; phase: string; start: number; end: number }[]) => this.o.reporter.componentPhases(this.source(st.def, st.executionPath), rows) } : {}),
    };
  }

  /**
   * Connected validation of one task (see TaskImplementation.validateConnected): warnings and errors
   * are raised at the task with SSIS's codes; false when there was an error.
   */
  private async validateTaskConnected(def: TaskDef, st: ExecState): Promise<boolean> {
    const impl = taskImplementation(def.kind);
    if (!impl?.validateConnected) return true;
    const problems = await impl.validateConnected(this.taskContext(def, st, this.taskProps(def, st)));
    for (const p of problems) this.raise(st, p.severity === 'error' ? 'OnError' : 'OnWarning', `${p.path}: ${p.message}`, p.code);
    await this.flushHandlers();
    return !problems.some((p) => p.severity === 'error');
  }

  private async runTask(def: TaskDef, st: ExecState): Promise<RunResult> {
    const impl = taskImplementation(def.kind);
    if (!impl) throw new SsoError('SSO_ERR_PACKAGE_UNSUPPORTED', `${def.path} (${def.creationName}) cannot run here`, { where: def.path });
    // SSIS validates every task just before it runs (a task under DelayValidation is validated only then).
    if (!(await this.validateTaskConnected(def, st))) return this.o.signal.aborted ? 'canceled' : 'failure';
    const ctx = this.taskContext(def, st, this.taskProps(def, st));
    const r = await impl.execute(ctx);
    await this.flushHandlers();
    return this.o.signal.aborted ? 'canceled' : r;
  }

  private async runChild(ref: { projectPackage?: string; file?: string }, parameters: ReadonlyMap<string, VarValue>, st: ExecState): Promise<RunResult> {
    const depth = (this.o.depth ?? 0) + 1;
    if (depth > MAX_PACKAGE_DEPTH) throw new Error(`packages call each other more than ${MAX_PACKAGE_DEPTH} levels deep`);
    let child: PackageDef;
    if (ref.projectPackage !== undefined) child = this.o.project.getPackage(ref.projectPackage);
    else {
      const { readFile } = await import('node:fs/promises');
      const { loadDtsx } = await import('./load-dtsx.ts');
      child = loadDtsx(await readFile(ref.file!, 'utf8'), ref.file!);
    }
    const packageParameters = new Map<string, VarValue>();
    for (const p of child.parameters) packageParameters.set(p.name, p.value);
    for (const [n, v] of parameters) {
      const def = child.parameters.find((p) => p.name.toLowerCase() === n.toLowerCase());
      if (!def) throw new Error(`the child package ${child.fileName} has no parameter '${n}'`);
      packageParameters.set(def.name, v === null ? null : coerce(v, def.dataType));
    }
    const reporter = this.o.reporter.forPackage(basename(child.fileName));
    // The child's own 2005/2008 configurations, parent package variables (type 0/4) read from the caller's scope.
    const overrides: OverrideTable = new Map();
    await applyConfigurations(child, overrides, (m) => reporter.message('OnWarning', this.source(child, st.executionPath), m), process.env, st.scope);
    const run = new PackageRun({
      ...this.o, pkg: child, reporter, packageParameters,
      overrides, executionPathPrefix: st.executionPath, depth, parentScope: st.scope,
    });
    const r = await run.run();
    this.currentState = st;
    return r;
  }
}

function codeOf(err: unknown): number | undefined {
  const n = (err as { number?: unknown }).number;
  return typeof n === 'number' ? n : undefined;
}

function rowsOf(v: VarValue, name: string): unknown[][] {
  if (isRecordset(v)) return v.rows.map((r) => [...r]);
  if (Array.isArray(v)) return v.map((r) => (Array.isArray(r) ? r : typeof r === 'object' && r !== null ? Object.values(r) : [r]));
  if (v === null) return [];
  throw new Error(`the variable ${name} does not hold a recordset (it holds ${typeof v})`);
}

/** `*`/`?` file mask → RegExp (case-insensitive, as on Windows). */
function maskToRegExp(mask: string): RegExp {
  const m = mask === '*.*' ? '*' : mask;
  return new RegExp('^' + m.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
}

async function listFiles(folder: string, spec: string, recurse: boolean): Promise<string[]> {
  const re = maskToRegExp(spec);
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: string[];
    try { entries = (await readdir(dir)).sort(); } catch { return; }
    for (const e of entries) {
      const full = join(dir, e);
      const s = await stat(full).catch(() => undefined);
      if (!s) continue;
      if (s.isDirectory()) { if (recurse) await walk(full); } else if (re.test(e)) out.push(full);
    }
  };
  await walk(folder);
  return out;
}

export { coerce };
