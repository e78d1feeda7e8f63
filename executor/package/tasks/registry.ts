/**
 * Task kind → implementation. Adding a task is one file in `tasks/` exporting a `TaskImplementation`
 * and one line in `TASKS` below. Kinds not listed here are reported by validation as "cannot run
 * here" and never start.
 */
import type { ConnectionManagerDef, TaskDef, TaskKind, VarValue } from '../model.ts';
import { executePackageTask } from './execute-package.ts';
import { executeProcessTask } from './execute-process.ts';
import { executeSqlTask } from './execute-sql.ts';
import { expressionTask } from './expression.ts';
import { fileSystemTask } from './file-system.ts';
import { sendMailTask } from './send-mail.ts';
import { dataFlowTask } from '../dataflow/task.ts';
import { scriptTask } from '../../script/script-task.ts';
import type { DataTapSet } from '../dataflow/data-taps.ts';

/** A validation finding (also what `validate.ts` returns). */
export interface Problem {
  readonly path: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/** A connected-validation finding, with SSIS's HRESULT. */
export interface ConnectedProblem extends Problem {
  readonly code: number;
}

/** What a running task may use. Everything is scoped to the task's place in the package. */
export interface TaskContext {
  readonly task: TaskDef;
  /**
   * The task's effective properties: attributes of its ObjectData element (by local name), then
   * property overrides for its path, then its property expressions evaluated just before the run.
   */
  readonly props: Readonly<Record<string, string>>;
  getVariable(name: string): VarValue;
  setVariable(name: string, value: VarValue): void;
  hasVariable(name: string): boolean;
  /** Evaluates an SSIS expression in the task's scope (assignments are applied). */
  evaluate(expression: string): VarValue;
  /** A connection manager by DTSID or name, with its effective connection string. */
  connection(ref: string): ConnectionManagerDef | undefined;
  /** Every connection manager the package sees (package and project), effective values. */
  connections(): ConnectionManagerDef[];
  information(message: string): void;
  warning(message: string): void;
  /** Raises OnError (counted against MaximumErrorCount); the task should then return 'failure'. */
  error(message: string, code?: number): void;
  /** Raises any event (OnProgress, OnCustomEvent, a custom log entry…) at the task, like `information`. */
  raise(eventName: string, message: string, code?: number): void;
  /** What a variable is, as the task's scope sees it (undefined if not defined). */
  variableInfo(name: string): VariableInfo | undefined;
  readonly signal: AbortSignal;
  readonly workingDirectory: string | undefined;
  /** The name (`Namespace::Name`) of the variable with this DTSID in scope (data-flow parameter mappings). */
  variableNameById?(id: string): string | undefined;
  /** Raises a custom event (OnPipelineRowsSent…) logged as SSIS logs it; no event handlers run. */
  custom?(eventName: string, message: string): void;
  /**
   * Present only when the logging level records `catalog.execution_component_phases` (Performance,
   * Verbose): the Data Flow Task reports its components' phase times here once it ends.
   */
  componentPhases?(rows: readonly { component: string; phase: string; start: number; end: number }[]): void;
  /** The execution's data taps (top-level package only); the Data Flow Task opens its own. */
  readonly dataTaps?: DataTapSet;
  /** Runs another package of the project (or a file) in this thread; used by Execute Package Task. */
  runChildPackage(ref: { readonly projectPackage?: string; readonly file?: string }, parameters: ReadonlyMap<string, VarValue>): Promise<'success' | 'failure' | 'canceled'>;
}

export interface VariableInfo {
  readonly namespace: string;
  readonly name: string;
  readonly dataType: number;
  readonly readOnly: boolean;
  /** A sensitive package or project parameter. */
  readonly sensitive: boolean;
}

export interface TaskValidationContext {
  readonly task: TaskDef;
  hasVariable(name: string): boolean;
  hasConnection(ref: string): boolean;
  hasProjectPackage(name: string): boolean;
}

export interface TaskImplementation {
  readonly kind: TaskKind;
  /** Static checks before anything runs; return problems naming the task's path. */
  validate?(v: TaskValidationContext): Problem[];
  /**
   * Connected validation (what SSIS's Validate does against external data: a Data Flow's tables and
   * their columns), run at package start for every task not under DelayValidation = True, and just
   * before the task runs. Errors fail the package (at start) or the task (before it runs).
   */
  validateConnected?(ctx: TaskContext): Promise<ConnectedProblem[]>;
  execute(ctx: TaskContext): Promise<'success' | 'failure'>;
}

const TASKS: readonly TaskImplementation[] = [
  expressionTask,
  executeProcessTask,
  fileSystemTask,
  executePackageTask,
  executeSqlTask,
  sendMailTask,
  dataFlowTask,
  scriptTask,
];

const registry = new Map<TaskKind, TaskImplementation>(TASKS.map((t) => [t.kind, t]));

/**
 * Registers (or replaces) an implementation at run time, e.g. from a later module. Returns a
 * function that restores what was registered before (tests use it to install a recorder task).
 */
export function registerTask(impl: TaskImplementation): () => void {
  const previous = registry.get(impl.kind);
  registry.set(impl.kind, impl);
  return () => { if (previous) registry.set(impl.kind, previous); else registry.delete(impl.kind); };
}

export function taskImplementation(kind: TaskKind): TaskImplementation | undefined {
  return registry.get(kind);
}

export function supportedTaskKinds(): TaskKind[] {
  return [...registry.keys()];
}
