/**
 * SSISDB's code tables (reference §4.4, §4.6, §4.7): operation and task statuses, operation and
 * object types, message types and source types, logging levels. Shared by the catalog adapters, the
 * actors, the package engine and the T-SQL front door, so that a number means one thing everywhere.
 */

/** `catalog.operations.status` / `catalog.executions.status`. */
export const OperationStatus = {
  created: 1,
  running: 2,
  canceled: 3,
  failed: 4,
  pending: 5,
  endedUnexpectedly: 6,
  succeeded: 7,
  stopping: 8,
  completed: 9,
} as const;
export type OperationStatusCode = (typeof OperationStatus)[keyof typeof OperationStatus];
export const FINAL_OPERATION_STATUSES: ReadonlySet<number> = new Set([3, 4, 6, 7, 9]);

/** `internal.tasks.Status`. 3 is "still leased, finishing" (reported by a worker after the run ended, before its result is committed). */
export const TaskStatus = {
  ready: 1,
  running: 2,
  finishing: 3,
  failed: 4,
  succeeded: 5,
  canceled: 6,
} as const;
export type TaskStatusCode = (typeof TaskStatus)[keyof typeof TaskStatus];

export const OperationType = {
  initialization: 1,
  retentionCleanup: 2,
  versionCleanup: 3,
  deployProject: 101,
  execution: 200,
  stopOperation: 202,
  validateProject: 300,
  validatePackage: 301,
  configureCatalog: 1000,
} as const;

export const ObjectType = { folder: 10, project: 20, package: 30, environment: 40, executionInstance: 50 } as const;

/** `message_type` of operation_messages / event_messages. */
export const MessageType = {
  unknown: -1,
  preValidate: 10,
  postValidate: 20,
  preExecute: 30,
  postExecute: 40,
  statusChange: 50,
  progress: 60,
  information: 70,
  variableValueChanged: 80,
  diagnostic: 90,
  queryCancel: 100,
  warning: 110,
  error: 120,
  taskFailed: 130,
  diagnosticEx: 140,
  custom: 200,
  nonDiagnostic: 400,
} as const;
export type MessageTypeCode = (typeof MessageType)[keyof typeof MessageType];

/** `message_source_type`. */
export const MessageSourceType = {
  entryApi: 10,
  externalProcess: 20,
  packageLevel: 30,
  controlFlowTask: 40,
  controlFlowContainer: 50,
  dataFlowTask: 60,
} as const;

/** `LOGGING_LEVEL` system parameter values. */
export const LoggingLevel = { none: 0, basic: 1, performance: 2, verbose: 3, runtimeLineage: 4, customized: 100 } as const;
export const VALID_LOGGING_LEVELS: ReadonlySet<number> = new Set([0, 1, 2, 3, 4, 100]);

/** `executable_statistics.execution_result`. */
export const ExecutionResult = { success: 0, failure: 1, completion: 2, canceled: 3 } as const;

/** The "any worker" sentinel of `internal.job_worker_agents`. */
export const ANY_WORKER_ID = '11111111-1111-1111-1111-111111111111';

/** The catalog roles (database roles of SSISDB, plus the server role sysadmin). */
export const Roles = ['sysadmin', 'ssis_admin', 'ssis_cluster_executor', 'ssis_logreader', 'ssis_cluster_worker'] as const;
export type Role = (typeof Roles)[number];
