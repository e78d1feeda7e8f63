/**
 * The package engine's entry contract: what a pool thread (executor/pool) hands the engine and what
 * comes back. It replaces ISServerExec's command line. Plain data only, so a request and its events
 * cross a worker-thread boundary by structured clone.
 */
import type { ComponentPhaseInput, DataTapSpec, EventMessageInput, ExecutableStatisticInput, ParameterValue } from '../../actors/ports.ts';
import type { SerializedError } from '../../actors/errors.ts';

export interface RunPackageRequest {
  readonly executionId: number;
  /** The deployed project as `.ispac` bytes (zip). */
  readonly projectBytes: Uint8Array;
  /** Entry package file name, e.g. `Load.dtsx`. */
  readonly packageName: string;
  /** Execution parameter values: 20 project, 30 package, 50 system (LOGGING_LEVEL, …). */
  readonly parameters: readonly { readonly objectType: 20 | 30 | 50; readonly name: string; readonly value: ParameterValue }[];
  /** Property overrides by package path, e.g. `\Package.Connections[Db].Properties[ConnectionString]`. */
  readonly propertyOverrides: readonly { readonly propertyPath: string; readonly value: string }[];
  /** `catalog.add_data_tap` entries: CSV files written under `<workingDirectory>/DataDumps/`. */
  readonly dataTaps?: readonly DataTapSpec[];
  /** A folder the run may use for scratch files (the task folder on the worker). */
  readonly workingDirectory?: string;
  /** Extra information for system variables (`System::MachineName`, `System::UserName`, …). */
  readonly machineName?: string;
  readonly userName?: string;
}

/**
 * One thing the engine reports while it runs. `message` events become catalog
 * event_messages/operation_messages; `statistic` events become executable_statistics. The
 * engine has already applied the LOGGING_LEVEL filter; `operationId` is the execution id.
 */
export type PackageEvent =
  | { readonly kind: 'message'; readonly message: EventMessageInput }
  | { readonly kind: 'statistic'; readonly statistic: ExecutableStatisticInput }
  /** Data flow component phase times, at the Performance and Verbose levels only. */
  | { readonly kind: 'phase'; readonly phase: ComponentPhaseInput };

export type PackageOutcome = 'succeeded' | 'failed' | 'canceled';

export interface RunPackageResult {
  readonly outcome: PackageOutcome;
  /** Error texts in order (OnError messages), empty on success. */
  readonly errors: readonly string[];
  /** Set when the engine itself failed before or outside the control flow (bad project, …). */
  readonly failure?: SerializedError;
}

/** Where the engine sends events; the pool thread forwards them over its MessagePort. */
export interface PackageEventSink {
  emit(event: PackageEvent): void;
}

/**
 * The engine's entry point (implemented in `executor/package/run-package.ts`):
 * `runPackage(request, sink, signal)`. It never throws for a package problem: every failure ends
 * as `{ outcome: 'failed' }` with its messages already emitted. `signal` is checked between steps
 * (cooperative cancellation) and ends the run as `canceled`.
 */
export type RunPackage = (request: RunPackageRequest, sink: PackageEventSink, signal: AbortSignal) => Promise<RunPackageResult>;
