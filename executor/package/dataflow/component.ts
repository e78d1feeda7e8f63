/**
 * The contract between the pipeline runtime (`runtime.ts`) and a component kind (one file each in
 * `components/`). A row is an array of cells indexed by the pipeline-wide slot of each lineage id,
 * so synchronous outputs pass the very arrays they received (adding their own columns' slots) and
 * asynchronous outputs build new ones. Sending a buffer awaits every downstream component, which is
 * the back-pressure: a source reads its next buffer only when the previous one has been consumed.
 */
import type { ConnectionManagerDef, VarValue } from '../model.ts';
import type { Problem, VariableInfo } from '../tasks/registry.ts';
import type { ComponentKind } from './component-types.ts';
import type { PipelineColumn, PipelineComponent, PipelineDef, PipelineInput, PipelineOutput } from './pipeline.ts';
import type { Cell } from './types.ts';
import type { SsisType } from '../expressions/types.ts';

export type Row = Cell[];

/** A failure of one row in one column, classified like SSIS's error outputs. */
export interface RowFailure {
  readonly problem: 'error' | 'truncation';
  /** The column (input or output) whose value failed; its lineage id goes into ErrorColumn. */
  readonly column: PipelineColumn | undefined;
  /** ErrorCode as SSIS writes it on a redirected row (an HRESULT as a signed 32-bit number). */
  readonly code: number;
  readonly message: string;
}

export interface ComponentHost {
  readonly component: PipelineComponent;
  readonly pipeline: PipelineDef;
  readonly signal: AbortSignal;
  /** Rows per buffer (DefaultBufferMaxRows, bounded by DefaultBufferSize). */
  readonly bufferRows: number;
  readonly workingDirectory: string | undefined;
  /** Total number of slots in a row. */
  readonly width: number;
  /** The slot of a lineage id; throws naming the component when unknown. */
  slot(lineageId: string): number;
  /** The type of the column that created a lineage. */
  lineageType(lineageId: string): SsisType | undefined;
  newRow(): Row;
  /** Sends rows on an output (no-op when nothing is attached); awaits downstream processing. */
  send(output: PipelineOutput, rows: Row[]): Promise<void>;
  isAttached(output: PipelineOutput): boolean;
  /**
   * Applies the disposition of `failure` for one row: returns 'keep' (ignore: the caller sets the
   * cell NULL and keeps the row), 'redirect' (the row was queued for the error output; drop it from
   * the normal output) or throws a `ComponentFailure` naming the component, column and row.
   */
  handle(row: Row, rowNumber: number, failure: RowFailure, disposition: 'fail' | 'ignore' | 'redirect' | 'notUsed', errorOutput?: PipelineOutput): 'keep' | 'redirect';
  /** Sends the rows queued by `handle` on the error output. */
  flushErrors(): Promise<void>;
  connection(ref: string): ConnectionManagerDef | undefined;
  getVariable(name: string): VarValue;
  setVariable(name: string, value: VarValue): void;
  hasVariable(name: string): boolean;
  variableNameById(id: string): string | undefined;
  information(message: string): void;
  warning(message: string): void;
  /** Raises a package event at the task (Script Components' ComponentMetaData.Fire…). */
  raise(eventName: string, message: string, code?: number): void;
  /** What a variable is in the task's scope (undefined when not defined or not known). */
  variableInfo(name: string): VariableInfo | undefined;
}

export interface ComponentRuntime {
  /** Opens files and connections, builds caches; runs before any row flows (PreExecute). */
  prepare?(): Promise<void>;
  /** Sources: produce every row, checking `host.signal` between buffers (PrimeOutput). */
  produce?(): Promise<void>;
  /** A buffer arrived on an input (ProcessInput). */
  receive?(input: PipelineInput, rows: Row[]): Promise<void>;
  /** Every upstream of this input has finished. */
  inputDone?(input: PipelineInput): Promise<void>;
  /** Every input is done (and produce returned): flush what is held (PostExecute). */
  finish?(): Promise<void>;
  /** Always called last, also after a failure (Cleanup). */
  cleanup?(): Promise<void>;
}

export interface ValidationHost {
  readonly component: PipelineComponent;
  readonly pipeline: PipelineDef;
  hasVariable(name: string): boolean;
  hasConnection(ref: string): boolean;
  /** Whether a lineage id is created by some output column of the pipeline. */
  hasLineage(lineageId: string): boolean;
}

/** What connected validation (external metadata against the database) may use: no rows flow. */
export interface ExternalValidationHost {
  readonly component: PipelineComponent;
  /** A connection manager by id or name, effective values (overrides, expressions). */
  connection(ref: string): ConnectionManagerDef | undefined;
  getVariable(name: string): VarValue;
  hasVariable(name: string): boolean;
}

/** A connected-validation finding with SSIS's code (Microsoft.SqlServer.Dts.Runtime.HResults). */
export interface ExternalProblem {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly code: number;
}

export interface ComponentImplementation {
  readonly kind: ComponentKind;
  validate?(v: ValidationHost): Problem[];
  /**
   * Connected validation, run when the component's ValidateExternalMetadata is True and its task is
   * validated (at package start, or just before it runs under DelayValidation): checks the external
   * data the component's metadata describes (a table exists and has the external columns).
   */
  validateExternal?(v: ExternalValidationHost): Promise<ExternalProblem[]>;
  create(host: ComponentHost): ComponentRuntime;
}

/** A failure that stops the component (and the data flow), with SSIS's code when known. */
export class ComponentFailure extends Error {
  constructor(message: string, readonly code?: number) { super(message); this.name = 'ComponentFailure'; }
}

/** HRESULTs SSIS writes into ErrorCode / messages (Microsoft.SqlServer.Dts.Runtime.HResults). */
export const HRESULT = {
  flatFileSourceCantConvert: -1071607676,
  flatFileSourceTruncated: -1071607675,
  dataConversionCantConvert: -1071607681,
  dataConversionTruncated: -1071607680,
  oledbSourceCantConvert: -1071607694,
  oledbSourceTruncated: -1071607693,
  oledbDestinationCantConvert: -1071607689,
  oledbDestinationTruncated: -1071607688,
  oledbCommandCantConvert: -1071607703,
  inducedFailureOnError: -1071607767,
  inducedFailureOnTruncation: -1071607766,
  lookupNoMatch: -1071607778,
  processInputFailed: -1073450974,
  primeOutputFailed: -1073450952,
} as const;

/** Helpers components share. */
export function prop(c: PipelineComponent, name: string, dflt = ''): string {
  return c.properties[name] ?? dflt;
}

export function intProp(c: PipelineComponent, name: string, dflt: number): number {
  const v = c.properties[name];
  if (v === undefined || v.trim() === '' || !Number.isFinite(Number(v))) return dflt;
  return Math.trunc(Number(v));
}

export function boolProp(c: PipelineComponent, name: string, dflt: boolean): boolean {
  const v = c.properties[name];
  if (v === undefined) return dflt;
  const t = v.trim().toLowerCase();
  return t === 'true' || t === '1' || t === '-1' ? true : t === 'false' || t === '0' ? false : dflt;
}

/** The normal (non-error) outputs and the error output of a component. */
export function outputsOf(c: PipelineComponent): { normal: PipelineOutput[]; error: PipelineOutput | undefined } {
  return { normal: c.outputs.filter((o) => !o.isErrorOut), error: c.outputs.find((o) => o.isErrorOut) };
}

/** The connection manager a component's connection points at (`connectionManagerID` / RefId). */
export function connectionRef(c: PipelineComponent, name?: string): string | undefined {
  const conn = name === undefined ? c.connections[0] : c.connections.find((x) => x.name.toLowerCase() === name.toLowerCase()) ?? c.connections[0];
  if (!conn || conn.connectionManagerId === '') return undefined;
  // Format 8 writes `Package.ConnectionManagers[Name]` (or `Project.ConnectionManagers[Name]`); older formats the DTSID.
  const m = /ConnectionManagers\[(.*)\]$/.exec(conn.connectionManagerId);
  return m ? m[1] : conn.connectionManagerId.replace(/:external$/i, '');
}

/** A destination's column: where its value sits in the row and the type it is written as. */
export interface DestinationColumn { readonly name: string; readonly slot: number; readonly type: SsisType }

/**
 * The input columns a destination writes, named by the external (target) column each is mapped to and
 * typed by the input column, its lineage, the external column, else `fallback`. An input column mapped to
 * no external column is left out (SSIS ignores it) unless `keepUnmapped`, which writes it under its own name.
 */
export function destinationColumns(host: ComponentHost, input: PipelineInput | undefined, fallback: SsisType, keepUnmapped = false): DestinationColumn[] {
  const out: DestinationColumn[] = [];
  for (const col of input?.columns ?? []) {
    const ext = input!.externalColumns.find((e) => e.id === col.externalMetadataColumnId);
    if (!ext && !keepUnmapped) continue;
    out.push({ name: ext?.name ?? col.name, slot: host.slot(col.lineageId), type: col.type ?? host.lineageType(col.lineageId) ?? ext?.type ?? fallback });
  }
  return out;
}
