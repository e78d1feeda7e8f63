/**
 * Ports: the typed contracts between the pure core and the adapters that do I/O. No driver, row or
 * socket type crosses a port. `CatalogStore` speaks SSISDB's procedures as domain verbs; every
 * adapter (SQLite embedded, SQL Server) passes the one conformance suite in
 * `tests/conformance/catalog-store.suite.ts`.
 */
import type { Role } from './catalog-codes.ts';

/**
 * An execution whose task is final (4 failed, 5 succeeded, 6 canceled) while its operation is not
 * (pending 5, running 2, stopping 8): its end was never committed (see the master's reconcile).
 */
export interface UnfinishedEndedExecution {
  readonly executionId: number;
  /** The operation's status now: 2, 5 or 8. */
  readonly operationStatus: number;
  readonly taskId: string;
  /** 4, 5 or 6. */
  readonly taskStatus: number;
  readonly workerAgentId: string | null;
  readonly attempt: number;
  readonly isCancelled: boolean;
}

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

/** Injected wall clock. Catalog timestamps come from it; tests use a fixed or simulated one. */
export interface WallClock {
  /** Milliseconds since the epoch. */
  now(): number;
}

// ---------------------------------------------------------------------------------------------
// Principals
// ---------------------------------------------------------------------------------------------

/**
 * Who is calling. Every catalog verb takes one and checks it as SSISDB does (roles, row filters).
 * `SYSTEM_PRINCIPAL` is the master service's own identity (in ssis_admin, as
 * `SSISScaleOutMasterUser140` is in the original).
 */
export interface Principal {
  readonly name: string;
  readonly roles: readonly Role[];
}

export const SYSTEM_PRINCIPAL: Principal = Object.freeze({
  name: 'SSISScaleOutMaster',
  roles: Object.freeze(['sysadmin', 'ssis_admin']) as readonly Role[],
});

// ---------------------------------------------------------------------------------------------
// Projects
// ---------------------------------------------------------------------------------------------

/** SSIS parameter data types as `Project.params` / `.dtsx` name them (catalog `parameter_data_type`). */
export type ParameterDataType =
  | 'Boolean' | 'Byte' | 'DateTime' | 'Decimal' | 'Double' | 'Int16' | 'Int32' | 'Int64'
  | 'SByte' | 'Single' | 'String' | 'UInt32' | 'UInt64';

export type ParameterValue = string | number | boolean | bigint | null;

export interface ParameterDefinition {
  readonly name: string;
  readonly dataType: ParameterDataType;
  readonly required: boolean;
  readonly sensitive: boolean;
  /** Design-time default (NULL when sensitive: encrypted values cannot be read). */
  readonly defaultValue: ParameterValue;
  readonly description?: string;
}

export interface ProjectPackageInfo {
  /** File name with extension, e.g. `Load.dtsx`. */
  readonly name: string;
  readonly entryPoint: boolean;
  readonly packageGuid?: string;
  readonly description?: string;
  readonly formatVersion?: number;
  readonly versionMajor?: number;
  readonly versionMinor?: number;
  readonly versionBuild?: number;
  readonly versionGuid?: string;
  readonly parameters: readonly ParameterDefinition[];
  /**
   * The package (or a project package it runs) holds a Script Task or Script Component: its executions
   * prefer workers that can run scripts (executor/package/script-usage.ts; absent = false).
   */
  readonly requiresScripts?: boolean;
}

/**
 * A project as deployed: its metadata plus the `.ispac` bytes that workers receive. Produced by
 * `readProjectArchive()` (executor/package/project-archive.ts) from `.ispac` bytes or a folder.
 */
export interface ProjectArchive {
  readonly name: string;
  readonly formatVersion: number;
  readonly description?: string;
  readonly parameters: readonly ParameterDefinition[];
  readonly packages: readonly ProjectPackageInfo[];
  /** Project connection managers (`.conmgr` parts) with their design-time connection string when it has one. */
  readonly connectionManagers: readonly { readonly name: string; readonly guid?: string; readonly connectionString?: string }[];
  /** The project as an `.ispac` (zip) stream; stored per version and served to workers. */
  readonly bytes: Uint8Array;
  /** Hex SHA-256 of `bytes`: the cache key on workers. */
  readonly sha256: string;
}

// ---------------------------------------------------------------------------------------------
// Executions, jobs and tasks
// ---------------------------------------------------------------------------------------------

export interface CreateExecutionInput {
  readonly folderName: string;
  readonly projectName: string;
  readonly packageName: string;
  readonly referenceId?: number | null;
  readonly use32BitRuntime?: boolean;
  /** NULL/undefined → Scale Out only when IS_SCALEOUT_ENABLED and DEFAULT_EXECUTION_MODE = 1. */
  readonly runInScaleOut?: boolean | null;
  /** Default true: the job gets the "any worker" sentinel. */
  readonly useAnyWorker?: boolean;
}

/** A task as `internal.pull_task` returns it, plus the fields the master needs. */
export interface TaskRecord {
  readonly taskId: string;
  readonly jobId: string;
  readonly taskType: number;
  readonly executionId: number;
  readonly status: number;
  readonly maxExecutedCount: number;
  /** Attempts so far; after a claim it is the attempt number of the claim (the fencing token). */
  readonly executedCount: number;
  readonly isCancelled: boolean;
  readonly workerAgentId: string | null;
  readonly readyForDispatchTime: number | null;
  readonly expiredTime: number | null;
  readonly lastPickupTime: number | null;
  readonly createdTime: number;
  readonly lastUpdatedTime: number;
  readonly priority: number;
  /** `InputData` name/value pairs: execution_id, use32bitruntime, operation_guid, stop_id. */
  readonly inputData: readonly { readonly name: string; readonly value: string }[];
}

/** What a worker needs to run an execution; the project bytes travel separately by hash. */
export interface ExecutionPayload {
  readonly executionId: number;
  readonly operationGuid: string;
  readonly folderName: string;
  readonly projectName: string;
  readonly projectId: number;
  readonly projectVersionLsn: number;
  readonly projectSha256: string;
  readonly packageName: string;
  readonly use32BitRuntime: boolean;
  /** Every execution parameter value (object types 20, 30, 50), sensitive ones decrypted. */
  readonly parameters: readonly {
    readonly objectType: 20 | 30 | 50;
    readonly name: string;
    readonly dataType: string;
    readonly value: ParameterValue;
    readonly sensitive: boolean;
  }[];
  /** `set_execution_property_override_value` entries: package path → value. */
  readonly propertyOverrides: readonly { readonly propertyPath: string; readonly value: string; readonly sensitive: boolean }[];
  /** `add_data_tap` / `add_data_tap_by_guid` entries (absent from older masters: none). */
  readonly dataTaps?: readonly DataTapSpec[];
}

/**
 * One data tap of an execution (`internal.execution_data_taps`): the rows of one data flow path,
 * written by the worker as CSV. The task is named by its package path or by its GUID (one is set).
 */
export interface DataTapSpec {
  readonly dataTapId: number;
  /** `\Package\Data Flow Task` (case-sensitive, as SSIS's PackagePath), or null when by GUID. */
  readonly taskPackagePath: string | null;
  /** The Data Flow Task's DTSID (lower case, no braces), or null when by path. */
  readonly dataflowTaskGuid: string | null;
  /** The path's IdentificationString, e.g. `Paths[OLE DB Source.OLE DB Source Output]`. */
  readonly dataflowPathIdString: string;
  /** A bare file name (no folder); the worker writes it under the task folder's `DataDumps`. */
  readonly dataFilename: string;
  /** Rows to capture; null = all. */
  readonly maxRows: number | null;
}

export interface AddDataTapInput {
  readonly executionId: number;
  /** Exactly one of the two names the Data Flow Task (add_data_tap vs add_data_tap_by_guid). */
  readonly taskPackagePath?: string | null;
  readonly dataflowTaskGuid?: string | null;
  readonly dataflowPathIdString: string;
  readonly dataFilename: string;
  readonly maxRows?: number | null;
}

export interface UpdateTaskStatusInput {
  readonly workerAgentId: string;
  readonly taskId: string;
  /** The claim's attempt number; a report from an older attempt is refused with 27246. */
  readonly attempt: number;
  /** Reported status (2/3 heartbeat, 4 failed, 5 succeeded, 6 canceled). */
  readonly status: number;
  /** New lease end for 2/3 (ms since epoch). */
  readonly expiredTime: number;
}

export interface UpdateTaskStatusResult {
  /** Effective status: reported, 6 (cancelled: stop the run) or 1 (re-queued for a retry). */
  readonly status: number;
  /** The operation status the execution moved to, when it moved (7, 4, 3, 6…). */
  readonly operationStatus?: number;
}

/** What one expiry sweep did, so the master can tell its actors. */
export interface ExpiredTaskOutcome {
  readonly taskId: string;
  readonly executionId: number;
  /** 1 re-queued, 4 failed (operation → 6), 6 canceled (operation → 3). */
  readonly taskStatus: number;
  readonly operationStatus?: number;
}

// ---------------------------------------------------------------------------------------------
// Workers
// ---------------------------------------------------------------------------------------------

export interface PerfCounterSample {
  readonly name: string;
  readonly value: number;
  readonly timestamp: number;
}

export interface WorkerAgentStatusInput {
  readonly workerAgentId: string;
  readonly perfCounters: readonly PerfCounterSample[];
  readonly machineProperties: Readonly<Record<string, string | null>>;
  /** SHA-1 thumbprint (40 hex) of the client certificate the connection presented; hello only. */
  readonly certificateThumbprint?: string;
}

export interface WorkerAgentRecord {
  readonly workerAgentId: string;
  readonly isEnabled: boolean;
  readonly displayName: string | null;
  readonly description: string | null;
  readonly machineName: string | null;
  readonly tags: string | null;
  readonly userAccount: string | null;
  readonly lastOnlineTime: number;
  /** The client certificate this agent id is bound to (null: registered before binding existed). */
  readonly certificateThumbprint?: string | null;
}

// ---------------------------------------------------------------------------------------------
// Logging
// ---------------------------------------------------------------------------------------------

/** One event of a package run; `eventMessageGuid` makes appends idempotent (replays after reconnects). */
export interface EventMessageInput {
  readonly eventMessageGuid: string;
  readonly operationId: number;
  readonly messageTime: number;
  readonly messageType: number;
  readonly messageSourceType: number;
  readonly message: string;
  readonly extendedInfoId?: number | null;
  readonly packageName: string;
  readonly packageLocationType?: string;
  readonly packagePathFull?: string;
  readonly eventName: string;
  readonly messageSourceName: string;
  readonly messageSourceId: string;
  readonly subcomponentName?: string | null;
  readonly packagePath: string;
  readonly executionPath: string;
  readonly threadId: number;
  readonly messageCode?: number | null;
  readonly context?: readonly MessageContextInput[];
}

export interface MessageContextInput {
  readonly contextDepth: number;
  readonly packagePath: string;
  readonly contextType: number;
  readonly contextSourceName: string;
  readonly contextSourceId: string;
  readonly propertyName: string;
  readonly propertyValue: string | number | boolean | null;
}

export interface ExecutableStatisticInput {
  /** Idempotency key of this statistic (one per executable run, iteration included). */
  readonly statisticGuid: string;
  readonly operationId: number;
  readonly packageName: string;
  readonly executableName: string;
  readonly executableGuid: string;
  readonly packagePath: string;
  readonly executionPath: string;
  readonly startTime: number;
  readonly endTime: number;
  readonly executionDuration: number;
  /** 0 success, 1 failure, 2 completion, 3 canceled. */
  readonly executionResult: number;
  readonly executionValue?: string | number | boolean | null;
}

/**
 * One row of `catalog.execution_component_phases`: the time a data flow component spent in one phase
 * (SSIS's names: Validate, PrepareForExecute, PreExecute, PrimeOutput, ProcessInput, PostExecute,
 * Cleanup). Logged at the Performance and Verbose levels. `phaseGuid` makes appends idempotent.
 */
export interface ComponentPhaseInput {
  readonly phaseGuid: string;
  readonly operationId: number;
  readonly packageName: string;
  /** The Data Flow Task's name. */
  readonly taskName: string;
  /** The component's name. */
  readonly subcomponentName: string;
  readonly phase: string;
  readonly startTime: number;
  readonly endTime: number;
  /** The Data Flow Task's execution path. */
  readonly executionPath: string;
}

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

export interface ViewResult {
  readonly columns: readonly string[];
  readonly rows: readonly Record<string, unknown>[];
}

// ---------------------------------------------------------------------------------------------
// The catalog
// ---------------------------------------------------------------------------------------------

/**
 * The catalog (our SSISDB) in domain verbs. Semantics, status codes and error numbers follow
 * SSISDB (reference §1.4–1.7, §4). Errors are `SsoError`s built by `catalogError(number, …)`.
 *
 * Contract for every mutating verb: the change is wholly applied or not at all, and the returned
 * promise resolves only after the change is durably committed. Adapters may group concurrent
 * changes into one transaction (group commit) but never acknowledge before the commit.
 * Timestamps are milliseconds since the epoch from the adapter's injected `WallClock`.
 */
/** One catalog login as `listLogins` returns it (never its password hash). */
export interface LoginRecord {
  readonly name: string;
  readonly roles: readonly Role[];
  /** ISO 8601. */
  readonly createdTime: string;
}

/** One catalog.grant_permission / deny_permission / revoke_permission call (reference §4.2). */
export interface ObjectPermissionInput {
  /** 1 folder, 2 project, 3 environment, 4 operation. */
  readonly objectType: number;
  readonly objectId: number;
  /** The principal's id as `catalog.explicit_object_permissions` shows it. */
  readonly principalId: number;
  /** 1 READ, 2 MODIFY, 3 EXECUTE, 4 MANAGE_PERMISSIONS, 100–104 the folder *_OBJECTS permissions. */
  readonly permissionType: number;
}

/**
 * Environments, environment references, server parameter values and object permissions (issue 14),
 * with SSISDB's procedure names, rules and error numbers. Lookups that need a permission the caller
 * lacks answer as if the object did not exist (SSISDB's "does not exist or no permission" messages).
 */
export interface EnvironmentApi {
  createEnvironment(caller: Principal, input: { folderName: string; environmentName: string; environmentDescription?: string | null }): Promise<{ environmentId: number }>;
  renameEnvironment(caller: Principal, input: { folderName: string; environmentName: string; newEnvironmentName: string }): Promise<void>;
  moveEnvironment(caller: Principal, input: { sourceFolderName: string; environmentName: string; destinationFolderName: string }): Promise<void>;
  deleteEnvironment(caller: Principal, input: { folderName: string; environmentName: string }): Promise<void>;
  createEnvironmentVariable(caller: Principal, input: { folderName: string; environmentName: string; variableName: string; dataType: string; sensitive: boolean; value: ParameterValue; description?: string | null }): Promise<{ variableId: number }>;
  setEnvironmentVariableValue(caller: Principal, input: { folderName: string; environmentName: string; variableName: string; value: ParameterValue }): Promise<void>;
  setEnvironmentVariableProperty(caller: Principal, input: { folderName: string; environmentName: string; variableName: string; propertyName: string; propertyValue: string | null }): Promise<void>;
  setEnvironmentVariableProtection(caller: Principal, input: { folderName: string; environmentName: string; variableName: string; sensitive: boolean }): Promise<void>;
  deleteEnvironmentVariable(caller: Principal, input: { folderName: string; environmentName: string; variableName: string }): Promise<void>;
  /** 'R' relative (environment in the project's folder) or 'A' absolute (in environmentFolderName). */
  createEnvironmentReference(caller: Principal, input: { folderName: string; projectName: string; environmentName: string; referenceType: string; environmentFolderName?: string | null }): Promise<{ referenceId: number }>;
  deleteEnvironmentReference(caller: Principal, input: { referenceId: number }): Promise<void>;
  /** valueType 'V' (a value) or 'R' (parameterValue names an environment variable). */
  setObjectParameterValue(caller: Principal, input: { objectType: number; folderName: string; projectName: string; parameterName: string; parameterValue: ParameterValue; objectName?: string | null; valueType?: string | null }): Promise<void>;
  clearObjectParameterValue(caller: Principal, input: { folderName: string; projectName: string; objectType: number; objectName?: string | null; parameterName: string }): Promise<void>;
  /** Return codes, not errors: 0 ok, 1 bad object class, 2 no object, 3 no principal, 4 bad permission, 5 other. */
  grantPermission(caller: Principal, input: ObjectPermissionInput): Promise<{ returnCode: number }>;
  denyPermission(caller: Principal, input: ObjectPermissionInput): Promise<{ returnCode: number }>;
  revokePermission(caller: Principal, input: ObjectPermissionInput): Promise<{ returnCode: number }>;
}

export interface CatalogStore extends EnvironmentApi {
  // ---- principals ----
  /** Creates a login with a password (scrypt-hashed) and roles. sysadmin only. */
  createLogin(caller: Principal, input: { name: string; password: string; roles: readonly Role[] }): Promise<void>;
  /** Checks a password; resolves the principal or rejects with 27407. */
  authenticate(name: string, password: string): Promise<Principal>;
  /** Adds a role to a login. sysadmin only. */
  addRoleMember(caller: Principal, input: { name: string; role: Role }): Promise<void>;
  /** Removes a role from a login (no-op when it is not a member). sysadmin only; 27407 for an unknown login. */
  dropRoleMember(caller: Principal, input: { name: string; role: Role }): Promise<void>;
  /** Sets a login's password. sysadmin only (a login changing its own password is checked by the caller first). 27407 unknown. */
  alterLoginPassword(caller: Principal, input: { name: string; password: string }): Promise<void>;
  /** Drops a login and its role memberships. sysadmin only; 27407 for an unknown login. */
  dropLogin(caller: Principal, input: { name: string }): Promise<void>;
  /** Logins with their roles, by name: every login for sysadmin, only the caller's own otherwise. */
  listLogins(caller: Principal): Promise<readonly LoginRecord[]>;

  // ---- folders and projects ----
  /** `catalog.create_folder`. ssis_admin or sysadmin. */
  createFolder(caller: Principal, input: { folderName: string; description?: string }): Promise<{ folderId: number }>;
  /** `catalog.deploy_project` (operation type 101). Keeps up to MAX_PROJECT_VERSIONS versions. */
  deployProject(caller: Principal, input: { folderName: string; projectName: string; project: ProjectArchive }): Promise<{ operationId: number; projectId: number; versionLsn: number }>;
  /** The stored `.ispac` of a project version, by its hash (what `GET /agent/v1/projects/<version>/<hash>` serves). */
  getProjectBytes(versionLsn: number, sha256: string): Promise<Uint8Array | null>;

  // ---- executions ----
  /** `catalog.create_execution`; returns the new execution (= operation) id. */
  createExecution(caller: Principal, input: CreateExecutionInput): Promise<{ executionId: number }>;
  /** `catalog.set_execution_parameter_value` (object types 20, 30, 50; names case-sensitive). */
  setExecutionParameterValue(caller: Principal, input: { executionId: number; objectType: number; parameterName: string; parameterValue: ParameterValue }): Promise<void>;
  /** `catalog.set_execution_property_override_value`. */
  setExecutionPropertyOverrideValue(caller: Principal, input: { executionId: number; propertyPath: string; propertyValue: string; sensitive: boolean }): Promise<void>;
  /** `catalog.add_execution_worker`. */
  addExecutionWorker(caller: Principal, input: { executionId: number; workerAgentId: string }): Promise<void>;
  /**
   * `catalog.add_data_tap` / `catalog.add_data_tap_by_guid`: only while the execution is created (27212);
   * returns `@data_tap_id`. The path is checked when the package runs (the catalog does not read packages).
   */
  addDataTap(caller: Principal, input: AddDataTapInput): Promise<{ dataTapId: number }>;
  /** `catalog.remove_data_tap`: only while the tap's execution is created (27212). */
  removeDataTap(caller: Principal, input: { dataTapId: number }): Promise<void>;
  /** `catalog.start_execution`; Scale Out executions become pending (5) with one ready task. */
  startExecution(caller: Principal, input: { executionId: number; retryCount?: number }): Promise<void>;
  /**
   * `catalog.stop_operation`. Running (2) → stopping (8) and the job is cancelled. Unlike the
   * original, a pending (5) Scale Out execution is stopped too: it goes straight to canceled (3).
   */
  stopOperation(caller: Principal, input: { operationId: number }): Promise<{ stopOperationId: number }>;

  // ---- workers ----
  enableWorkerAgent(caller: Principal, input: { workerAgentId: string }): Promise<void>;
  disableWorkerAgent(caller: Principal, input: { workerAgentId: string }): Promise<void>;
  deleteWorkerAgent(caller: Principal, input: { workerAgentId: string }): Promise<void>;
  /** PropertyName ∈ DisplayName | Description | Tags (else 27101). */
  setWorkerAgentProperty(caller: Principal, input: { workerAgentId: string; propertyName: string; propertyValue: string | null }): Promise<void>;

  // ---- catalog properties ----
  /** `catalog.configure_catalog`. */
  configureCatalog(caller: Principal, input: { propertyName: string; propertyValue: string }): Promise<void>;
  /** `catalog.update_master_address`. */
  updateMasterAddress(caller: Principal, input: { masterAddress: string }): Promise<void>;

  // ---- views ----
  /**
   * Every row of a public view (`catalog.executions`, `catalog.worker_agents`, …) visible to the
   * caller, with SSISDB's column names and order. Row filters apply as in SSISDB (for example,
   * `worker_agents` is empty for callers without a Scale Out role). Unknown view → rejects.
   */
  queryView(caller: Principal, viewName: string): Promise<ViewResult>;
  /** Names of the public views this catalog has (schema-qualified, e.g. `catalog.executions`). */
  listViews(): readonly string[];

  // ---- internal verbs the master calls (SYSTEM_PRINCIPAL or ssis_admin) ----
  /**
   * `internal.pull_task`: atomically claims the oldest ready task this worker may run (FIFO by
   * ready time; allowed-workers set or the any-worker sentinel). Unknown worker 27243, disabled
   * 27252. The claim sets status 2, ExecutedCount+1 (the attempt), a lease of `leaseMs`. A task that
   * needs scripts is skipped by a worker that cannot run them while another can (runtime/catalog/
   * script-routing.ts); `onlineWindowMs`: how recently that other worker must have been seen (default 300000).
   */
  pullTask(caller: Principal, input: { workerAgentId: string; leaseMs: number; onlineWindowMs?: number }): Promise<TaskRecord | null>;
  /**
   * Beyond the original (issue 15): claims up to `limit` ready tasks for this worker in one
   * statement, FIFO as `pullTask`, and in the same transaction moves each claimed task's execution
   * from pending to running (`update_operation_status_for_task` with status 2). Same refusals as
   * `pullTask`. Optional: without it the master claims one `pullTask` at a time and commits running
   * separately (the SQL Server catalog does that today).
   */
  claimTasks?(caller: Principal, input: { workerAgentId: string; leaseMs: number; limit: number; onlineWindowMs?: number }): Promise<readonly TaskRecord[]>;
  /**
   * Beyond the original (issue 15): whether any task waits for dispatch (ready, whoever may claim
   * it), from committed state. Optional: a master with it asks no worker's actor to claim while
   * nothing is ready, and stops a pass over every worker once nothing is left.
   */
  hasReadyTasks?(): Promise<boolean>;
  /** `internal.update_task_status` with the rules table of reference §4.4, fenced by attempt. */
  updateTaskStatus(caller: Principal, input: UpdateTaskStatusInput): Promise<UpdateTaskStatusResult>;
  /** `internal.update_operation_status_for_task`. */
  updateOperationStatusForTask(caller: Principal, input: { status: number; operationId: number; workerAgentId?: string | null }): Promise<void>;
  /** `internal.update_cancelled_operation_status`. */
  updateCancelledOperationStatus(caller: Principal, input: { operationId: number; stopId: number }): Promise<void>;
  /** `internal.dealwith_expired_tasks`. */
  dealWithExpiredTasks(caller: Principal): Promise<readonly ExpiredTaskOutcome[]>;
  /**
   * Beyond the original, after a master (re)start: every held task (status 2/3) whose lease ends
   * before `expiredTime` is given `expiredTime`, so that the workers still running them have time to
   * reconnect before the expiry rules run. Resolves with how many leases were extended. Optional:
   * a catalog without it keeps the original behaviour (leases as they were).
   */
  extendHeldLeases?(caller: Principal, input: { expiredTime: number }): Promise<number>;
  /**
   * Beyond the original: the worker that held `attempt` when its lease was lost is heard again
   * (a report of that attempt) before any re-run was claimed. Re-queued (status 1, ExecutedCount
   * still `attempt`, not cancelled): the lease is given back (status `status` 2/3, that worker,
   * `expiredTime`) and `'readopted'` is returned; the report is then applied as usual. Ended by the
   * lease loss with no retry left (task 4, operation 6) and `status` 5: the success wins (task 5,
   * operation 7) and `'succeeded'` is returned. Anything else changes nothing: `'refused'`.
   */
  readoptLostTask?(caller: Principal, input: { taskId: string; workerAgentId: string; attempt: number; status: number; expiredTime: number }): Promise<'readopted' | 'succeeded' | 'refused'>;
  /** `internal.cleanup_completed_jobs` plus our retention of perf counters and messages. */
  cleanupCompletedJobs(caller: Principal, input?: { minutesToKeep?: number }): Promise<{ jobsRemoved: number }>;
  /**
   * `internal.update_worker_agent_status`: first contact registers the worker disabled. With
   * `certificateThumbprint` (the master's hello) it also enforces the certificate binding: a new
   * agent id is registered bound to that thumbprint, an existing one must be bound to it (an unbound
   * one is bound now), and a thumbprint bound to another agent id registers nothing. A refusal is
   * `SSO_ERR_TLS` and changes nothing.
   */
  updateWorkerAgentStatus(caller: Principal, input: WorkerAgentStatusInput): Promise<{ isEnabled: boolean; registered: boolean }>;
  /** `internal.master_heartbeat`. */
  masterHeartbeat(caller: Principal): Promise<void>;
  /** `internal.update_master_settings`. */
  updateMasterSettings(caller: Principal, input: { machineName: string; machineIp: string; masterServicePort: string; sslCertThumbprint: string; masterHeartbeatIntervalInMs: string }): Promise<void>;
  /** `internal.append_event_message_for_worker` (+ context), idempotent by event GUID. */
  appendEventMessages(caller: Principal, messages: readonly EventMessageInput[]): Promise<void>;
  /** `internal.append_executable_statistics_for_worker`, idempotent by statistic GUID. */
  appendExecutableStatistics(caller: Principal, statistics: readonly ExecutableStatisticInput[]): Promise<void>;
  /** `internal.append_execution_component_phases_for_worker`, idempotent by phase GUID. */
  appendComponentPhases(caller: Principal, phases: readonly ComponentPhaseInput[]): Promise<void>;

  // ---- reads the master needs ----
  getTask(taskId: string): Promise<TaskRecord | null>;
  /** Tasks in status 1, 2 or 3: what the master rehydrates into actors when it starts. */
  listLiveTasks(): Promise<readonly TaskRecord[]>;
  /**
   * Beyond the original: executions whose task is final but whose operation is not (2, 5 or 8), in
   * execution id order; what the master's reconcile ends (runtime/master/README.md). Optional: a
   * catalog without it is not reconciled (the master logs that it skips it).
   */
  listUnfinishedEndedExecutions?(): Promise<readonly UnfinishedEndedExecution[]>;
  getWorkerAgent(workerAgentId: string): Promise<WorkerAgentRecord | null>;
  listWorkerAgents(): Promise<readonly WorkerAgentRecord[]>;
  getExecutionPayload(executionId: number): Promise<ExecutionPayload>;
  /** Status of an operation, or null when it does not exist. */
  getOperationStatus(operationId: number): Promise<number | null>;
  /**
   * A number that changes whenever another connection (another process, or a T-SQL client)
   * committed a change to the catalog; the master polls it to notice outside changes cheaply.
   */
  externalChangeToken(): Promise<string>;

  /** Flushes pending group commits and closes. Idempotent. */
  close(): Promise<void>;
}
