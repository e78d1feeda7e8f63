/**
 * Turns what happens in a run into `PackageEvent`s with SSISDB's message types and source types, and
 * applies the LOGGING_LEVEL filter once, here. Every message carries the package path, the execution
 * path (loop iterations included), the source name and DTSID, and a fresh GUID for idempotent appends.
 */
import { randomUUID } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import { LoggingLevel, MessageSourceType, MessageType } from '../../actors/catalog-codes.ts';
import type { PackageEventSink } from './api.ts';

/** Who raised an event. */
export interface EventSource {
  readonly name: string;
  readonly id: string;
  readonly packagePath: string;
  readonly executionPath: string;
  /** `MessageSourceType`: 30 package, 40 task, 50 container, 60 data flow. */
  readonly sourceType: number;
}

/** Event name → message type for `message()`. */
export const EVENT_MESSAGE_TYPE: Readonly<Record<string, number>> = {
  OnPreValidate: MessageType.preValidate,
  OnPostValidate: MessageType.postValidate,
  OnPreExecute: MessageType.preExecute,
  OnPostExecute: MessageType.postExecute,
  OnExecutionStatusChanged: MessageType.statusChange,
  OnProgress: MessageType.progress,
  OnInformation: MessageType.information,
  OnVariableValueChanged: MessageType.variableValueChanged,
  Diagnostic: MessageType.diagnostic,
  OnQueryCancel: MessageType.queryCancel,
  OnWarning: MessageType.warning,
  OnError: MessageType.error,
  OnTaskFailed: MessageType.taskFailed,
  DiagnosticEx: MessageType.diagnosticEx,
  OnCustomEvent: MessageType.custom,
  OnPipelineRowsSent: MessageType.custom,
  /** `Dts.Log` in a Script Task: a custom log entry. */
  ScriptTaskLogEntry: MessageType.custom,
};

/**
 * Whether a message type is logged at a level (reference §4.7). None: status changes only. Basic:
 * everything but custom and diagnostic. Performance: OnError/OnWarning (+ statistics). Verbose:
 * everything. RuntimeLineage (4) and Customized (100) are treated as Basic: named customized levels
 * are not resolved by the engine.
 */
export function isLogged(level: number, messageType: number): boolean {
  if (messageType === MessageType.statusChange) return true;
  switch (level) {
    case LoggingLevel.none: return false;
    case LoggingLevel.performance: return messageType === MessageType.error || messageType === MessageType.warning;
    case LoggingLevel.verbose: return true;
    default: return messageType !== MessageType.custom && messageType !== MessageType.diagnostic && messageType !== MessageType.diagnosticEx;
  }
}

/** Executable statistics are kept at every level except None. */
export function statisticsLogged(level: number): boolean {
  return level !== LoggingLevel.none;
}

export class EventReporter {
  constructor(
    private readonly sink: PackageEventSink,
    readonly executionId: number,
    readonly packageName: string,
    readonly loggingLevel: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Emits one message if the level logs it. */
  message(eventName: string, source: EventSource, text: string, code?: number | null): void {
    const messageType = EVENT_MESSAGE_TYPE[eventName] ?? MessageType.unknown;
    if (!isLogged(this.loggingLevel, messageType)) return;
    this.sink.emit({
      kind: 'message',
      message: {
        eventMessageGuid: randomUUID(),
        operationId: this.executionId,
        messageTime: this.now(),
        messageType,
        messageSourceType: source.sourceType,
        message: text,
        packageName: this.packageName,
        eventName,
        messageSourceName: source.name,
        messageSourceId: source.id,
        subcomponentName: null,
        packagePath: source.packagePath,
        executionPath: source.executionPath,
        threadId,
        messageCode: code ?? null,
      },
    });
  }

  statistic(source: EventSource, startTime: number, endTime: number, executionResult: number, executionValue?: string | number | boolean | null): void {
    if (!statisticsLogged(this.loggingLevel)) return;
    this.sink.emit({
      kind: 'statistic',
      statistic: {
        statisticGuid: randomUUID(),
        operationId: this.executionId,
        packageName: this.packageName,
        executableName: source.name,
        executableGuid: source.id,
        packagePath: source.packagePath,
        executionPath: source.executionPath,
        startTime, endTime,
        executionDuration: Math.max(0, endTime - startTime),
        executionResult,
        ...(executionValue === undefined ? {} : { executionValue }),
      },
    });
  }

  /** Component phase times (catalog.execution_component_phases): SSIS logs them at Performance and Verbose. */
  componentPhases(task: EventSource, phases: readonly { component: string; phase: string; start: number; end: number }[]): void {
    if (this.loggingLevel !== LoggingLevel.performance && this.loggingLevel !== LoggingLevel.verbose) return;
    for (const p of phases) {
      this.sink.emit({
        kind: 'phase',
        phase: {
          phaseGuid: randomUUID(), operationId: this.executionId, packageName: this.packageName, taskName: task.name,
          subcomponentName: p.component, phase: p.phase, startTime: p.start, endTime: p.end, executionPath: task.executionPath,
        },
      });
    }
  }

  /** A child reporter for a package run by Execute Package Task: same sink and level, the child's name. */
  forPackage(packageName: string): EventReporter {
    return new EventReporter(this.sink, this.executionId, packageName, this.loggingLevel, this.now);
  }
}

export { MessageSourceType };
