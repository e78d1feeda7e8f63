/**
 * The `System::` variables SSIS documents ("System Variables" in the Integration Services docs),
 * in one table for both validation (which names exist where) and the engine (which it defines with
 * which type). Scope as in SSIS: package variables everywhere; container and task variables on
 * every container and task; event-handler variables only inside event handlers (which of them carry
 * a meaningful value depends on the event, as in SSIS, but all of them are defined).
 */
import { VarType } from './model.ts';

export interface SystemVariable {
  readonly name: string;
  readonly dataType: number;
}

const v = (name: string, dataType: number): SystemVariable => ({ name, dataType });

/** Defined on the package (and so visible everywhere in it). */
export const PACKAGE_SYSTEM_VARIABLES: readonly SystemVariable[] = [
  v('CancelEvent', VarType.int32), v('ContainerStartTime', VarType.dateTime), v('CreationDate', VarType.dateTime),
  v('CreatorComputerName', VarType.string), v('CreatorName', VarType.string), v('ExecutionInstanceGUID', VarType.string),
  v('FailedConfigurations', VarType.string), v('IgnoreConfigurationsOnLoad', VarType.boolean), v('InteractiveMode', VarType.boolean),
  v('LocaleID', VarType.int32), v('MachineName', VarType.string), v('OfflineMode', VarType.boolean), v('PackageID', VarType.string),
  v('PackageName', VarType.string), v('StartTime', VarType.dateTime), v('ServerExecutionID', VarType.int64),
  v('ServerName', VarType.string), v('UserName', VarType.string), v('VersionBuild', VarType.int32),
  // The docs say VersionComment; the package property (and what packages write) is VersionComments: both exist.
  v('VersionComment', VarType.string), v('VersionComments', VarType.string), v('VersionGUID', VarType.string),
  v('VersionMajor', VarType.int32), v('VersionMinor', VarType.int32), v('PackageDescription', VarType.string),
  v('ParentContainerGUID', VarType.string),
];

/** Defined on every container and task (LocaleID and ContainerStartTime again, for their own values). */
export const EXECUTABLE_SYSTEM_VARIABLES: readonly SystemVariable[] = [
  v('ContainerStartTime', VarType.dateTime), v('LocaleID', VarType.int32), v('CreationName', VarType.string),
  v('TaskID', VarType.string), v('TaskName', VarType.string), v('TaskTransactionOption', VarType.int32),
  v('ParentContainerGUID', VarType.string),
];

/** Defined inside event handlers. */
export const HANDLER_SYSTEM_VARIABLES: readonly SystemVariable[] = [
  v('Cancel', VarType.boolean), v('ErrorCode', VarType.int32), v('ErrorDescription', VarType.string),
  v('EventHandlerStartTime', VarType.dateTime), v('ExecutionStatus', VarType.boolean), v('ExecutionValue', VarType.string),
  v('LocaleID', VarType.int32), v('PercentComplete', VarType.int32), v('ProgressCountHigh', VarType.int32),
  v('ProgressCountLow', VarType.int32), v('ProgressDescription', VarType.string), v('Propagate', VarType.boolean),
  v('SourceDescription', VarType.string), v('SourceID', VarType.string), v('SourceName', VarType.string),
  v('SourceParentGUID', VarType.string), v('SubComponent', VarType.string), v('VariableDescription', VarType.string),
  v('VariableID', VarType.string), v('VariableName', VarType.string),
];
