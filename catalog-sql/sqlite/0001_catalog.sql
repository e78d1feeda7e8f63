-- 0001_catalog.sql: the embedded SSISDB catalog for SQLite (append-only; a change is a new migration).
--
-- Tables mirror SSISDB's internal tables (reference §4.10) under unqualified names; the public
-- views carry SSISDB's schema-qualified names literally ("catalog.executions") so that a T-SQL
-- `SELECT … FROM catalog.executions` maps onto them one to one.
--
-- Conventions:
--   * Timestamps are ISO-8601 text with an explicit offset, always written in UTC by the store
--     (`2024-05-01T10:00:00.000+00:00`): `datetimeoffset` semantics, and fixed width so that text
--     order is time order (the FIFO dispatch index relies on it).
--   * GUIDs are lower-case text. bit columns are INTEGER 0/1.
--   * Logs: ONE table set for operation/event messages and their context, with normal ids AND the
--     event_message_guid. The original splits Scale Out rows into *_scaleout tables whose rows show
--     operation_message_id = -1 and event_message_id = NULL; we do not, so joins on ids work for
--     every row and the GUID still makes worker batch appends idempotent.

-- ---- principals ---------------------------------------------------------------------------
CREATE TABLE principals (
  name           TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
  password_hash  TEXT NOT NULL,             -- scrypt, hex
  password_salt  TEXT NOT NULL,             -- random, hex
  created_time   TEXT NOT NULL
);

CREATE TABLE role_members (
  principal_name TEXT NOT NULL REFERENCES principals(name) ON DELETE CASCADE,
  role           TEXT NOT NULL CHECK (role IN ('sysadmin','ssis_admin','ssis_cluster_executor','ssis_logreader','ssis_cluster_worker')),
  PRIMARY KEY (principal_name, role)
);

-- ---- folders, projects, versions, packages, parameters ------------------------------------
CREATE TABLE folders (
  folder_id        INTEGER PRIMARY KEY AUTOINCREMENT,
  name             TEXT NOT NULL UNIQUE COLLATE NOCASE,
  description      TEXT,
  created_by_name  TEXT,
  created_time     TEXT NOT NULL
);

CREATE TABLE projects (
  project_id             INTEGER PRIMARY KEY AUTOINCREMENT,
  folder_id              INTEGER NOT NULL REFERENCES folders(folder_id),
  name                   TEXT NOT NULL COLLATE NOCASE,
  description            TEXT,
  project_format_version INTEGER,
  deployed_by_name       TEXT,
  last_deployed_time     TEXT,
  created_time           TEXT NOT NULL,
  object_version_lsn     INTEGER,
  validation_status      TEXT NOT NULL DEFAULT 'N',
  last_validation_time   TEXT,
  UNIQUE (folder_id, name)
);

-- One row per deployed version, holding the .ispac exactly as deployed and its hash.
CREATE TABLE object_versions (
  object_version_lsn  INTEGER PRIMARY KEY AUTOINCREMENT,
  object_id           INTEGER NOT NULL REFERENCES projects(project_id) ON DELETE CASCADE,
  object_type         INTEGER NOT NULL DEFAULT 20,
  description         TEXT,
  created_by          TEXT,
  created_time        TEXT NOT NULL,
  restored_by         TEXT,
  last_restored_time  TEXT,
  object_data         BLOB NOT NULL,
  sha256              TEXT NOT NULL
);
CREATE INDEX ix_object_versions_object ON object_versions(object_id);

CREATE TABLE packages (
  package_id             INTEGER PRIMARY KEY AUTOINCREMENT,
  project_version_lsn    INTEGER NOT NULL REFERENCES object_versions(object_version_lsn) ON DELETE CASCADE,
  project_id             INTEGER NOT NULL,
  name                   TEXT NOT NULL,
  package_guid           TEXT,
  description            TEXT,
  package_format_version INTEGER,
  version_major          INTEGER,
  version_minor          INTEGER,
  version_build          INTEGER,
  version_comments       TEXT,
  version_guid           TEXT,
  entry_point            INTEGER NOT NULL DEFAULT 1,
  validation_status      TEXT NOT NULL DEFAULT 'N',
  last_validation_time   TEXT,
  UNIQUE (project_version_lsn, name)
);

CREATE TABLE object_parameters (
  parameter_id             INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id               INTEGER NOT NULL,
  project_version_lsn      INTEGER NOT NULL REFERENCES object_versions(object_version_lsn) ON DELETE CASCADE,
  object_type              INTEGER NOT NULL CHECK (object_type IN (20, 30)),
  object_name              TEXT NOT NULL,
  parameter_name           TEXT NOT NULL,
  data_type                TEXT NOT NULL,
  required                 INTEGER NOT NULL,
  sensitive                INTEGER NOT NULL,
  description              TEXT,
  design_default_value,
  default_value,
  value_type               TEXT NOT NULL DEFAULT 'V',
  value_set                INTEGER NOT NULL DEFAULT 0,
  referenced_variable_name TEXT,
  validation_status        TEXT NOT NULL DEFAULT 'N',
  last_validation_time     TEXT,
  UNIQUE (project_version_lsn, object_type, object_name, parameter_name)
);

CREATE TABLE project_connection_managers (
  project_version_lsn INTEGER NOT NULL REFERENCES object_versions(object_version_lsn) ON DELETE CASCADE,
  name                TEXT NOT NULL,
  guid                TEXT,
  PRIMARY KEY (project_version_lsn, name)
);

-- ---- operations and executions ------------------------------------------------------------
CREATE TABLE operations (
  operation_id     INTEGER PRIMARY KEY AUTOINCREMENT,
  operation_type   INTEGER NOT NULL,
  created_time     TEXT NOT NULL,
  object_type      INTEGER,
  object_id        INTEGER,
  object_name      TEXT,
  status           INTEGER NOT NULL,
  start_time       TEXT,
  end_time         TEXT,
  caller_name      TEXT NOT NULL,
  process_id       INTEGER,
  stopped_by_name  TEXT,
  server_name      TEXT,
  machine_name     TEXT,
  operation_guid   TEXT NOT NULL UNIQUE,
  worker_agent_id  TEXT,
  executed_count   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_operations_status ON operations(status);
CREATE INDEX ix_operations_caller ON operations(caller_name);

CREATE TABLE executions (
  execution_id             INTEGER PRIMARY KEY REFERENCES operations(operation_id) ON DELETE CASCADE,
  folder_name              TEXT NOT NULL,
  project_name             TEXT NOT NULL,
  package_name             TEXT NOT NULL,
  reference_id             INTEGER,
  reference_type           TEXT,
  environment_folder_name  TEXT,
  environment_name         TEXT,
  project_lsn              INTEGER NOT NULL,
  executed_as_name         TEXT,
  use32bitruntime          INTEGER NOT NULL DEFAULT 0,
  job_id                   TEXT
);
CREATE INDEX ix_executions_job ON executions(job_id);

CREATE TABLE execution_parameter_values (
  execution_parameter_id     INTEGER PRIMARY KEY AUTOINCREMENT,
  execution_id               INTEGER NOT NULL REFERENCES executions(execution_id) ON DELETE CASCADE,
  object_type                INTEGER NOT NULL CHECK (object_type IN (20, 30, 50)),
  parameter_data_type        TEXT NOT NULL,
  parameter_name             TEXT NOT NULL,
  parameter_value,
  sensitive_parameter_value,
  base_data_type             TEXT,
  sensitive                  INTEGER NOT NULL DEFAULT 0,
  required                   INTEGER NOT NULL DEFAULT 0,
  value_set                  INTEGER NOT NULL DEFAULT 0,
  runtime_override           INTEGER NOT NULL DEFAULT 0,
  UNIQUE (execution_id, object_type, parameter_name)
);

CREATE TABLE execution_property_override_values (
  property_id               INTEGER PRIMARY KEY AUTOINCREMENT,
  execution_id              INTEGER NOT NULL REFERENCES executions(execution_id) ON DELETE CASCADE,
  property_path             TEXT NOT NULL,
  property_value            TEXT,
  sensitive_property_value  TEXT,
  sensitive                 INTEGER NOT NULL DEFAULT 0,
  UNIQUE (execution_id, property_path)
);

-- ---- Scale Out: jobs, tasks, workers ------------------------------------------------------
CREATE TABLE jobs (
  JobId            TEXT PRIMARY KEY,
  IsCancelled      INTEGER NOT NULL DEFAULT 0,
  CreatedTime      TEXT NOT NULL,
  JobType          INTEGER NOT NULL,
  InputData        TEXT,
  Creator          TEXT NOT NULL,
  Priority         INTEGER NOT NULL DEFAULT 0,
  LastUpdatedTime  TEXT NOT NULL
);
CREATE INDEX ix_jobs_cancelled ON jobs(IsCancelled);

CREATE TABLE job_worker_agents (
  JobId          TEXT NOT NULL REFERENCES jobs(JobId) ON DELETE CASCADE,
  WorkerAgentId  TEXT NOT NULL,
  PRIMARY KEY (JobId, WorkerAgentId)
);
CREATE INDEX ix_job_worker_agents_worker ON job_worker_agents(WorkerAgentId, JobId);

CREATE TABLE tasks (
  TaskId                  TEXT PRIMARY KEY,
  JobId                   TEXT REFERENCES jobs(JobId) ON DELETE CASCADE,
  TaskType                INTEGER NOT NULL,
  InputData               TEXT,
  MaxExecutedCount        INTEGER NOT NULL DEFAULT 1 CHECK (MaxExecutedCount > 0),
  ExecutedCount           INTEGER NOT NULL DEFAULT 0,
  Status                  INTEGER NOT NULL,
  IsCritical              INTEGER NOT NULL DEFAULT 0,
  Priority                INTEGER NOT NULL DEFAULT 0,
  ReadyForDispatchTime    TEXT,
  LastUpdatedTime         TEXT NOT NULL,
  CreatedTime             TEXT NOT NULL,
  WorkerAgentId           TEXT,
  ExpiredTime             TEXT,
  CreateWorkerAgentId     TEXT,
  IsCancelled             INTEGER NOT NULL DEFAULT 0,
  LastPickupTime          TEXT,
  CandidateWorkerAgentId  TEXT
);
CREATE INDEX ix_tasks_ready ON tasks(ReadyForDispatchTime) WHERE ReadyForDispatchTime IS NOT NULL;
CREATE INDEX ix_tasks_status ON tasks(Status);
CREATE INDEX ix_tasks_job ON tasks(JobId);

-- History copies written by cleanup_completed_jobs (no foreign keys: unlike the original, whose
-- history FK cascades from internal.jobs and so deletes the copies it just made).
CREATE TABLE jobs_history (
  JobId TEXT PRIMARY KEY, IsCancelled INTEGER NOT NULL, CreatedTime TEXT NOT NULL, JobType INTEGER NOT NULL,
  InputData TEXT, Creator TEXT NOT NULL, Priority INTEGER NOT NULL, LastUpdatedTime TEXT NOT NULL
);
CREATE TABLE job_worker_agents_history (
  JobId TEXT NOT NULL, WorkerAgentId TEXT NOT NULL, PRIMARY KEY (JobId, WorkerAgentId)
);
CREATE TABLE tasks_history (
  TaskId TEXT PRIMARY KEY, JobId TEXT, TaskType INTEGER NOT NULL, InputData TEXT, MaxExecutedCount INTEGER NOT NULL,
  ExecutedCount INTEGER NOT NULL, Status INTEGER NOT NULL, IsCritical INTEGER NOT NULL, Priority INTEGER NOT NULL,
  ReadyForDispatchTime TEXT, LastUpdatedTime TEXT NOT NULL, CreatedTime TEXT NOT NULL, WorkerAgentId TEXT,
  ExpiredTime TEXT, CreateWorkerAgentId TEXT, IsCancelled INTEGER NOT NULL, LastPickupTime TEXT, CandidateWorkerAgentId TEXT
);
CREATE INDEX ix_jobs_history_updated ON jobs_history(LastUpdatedTime);

CREATE TABLE worker_agents (
  WorkerAgentId   TEXT PRIMARY KEY,
  DisplayName     TEXT,
  Description     TEXT,
  MachineName     TEXT,
  Tags            TEXT,
  UserAccount     TEXT,
  IsEnabled       INTEGER NOT NULL DEFAULT 0,
  LastOnlineTime  TEXT NOT NULL
);

CREATE TABLE machine_properties (
  WorkerAgentId  TEXT NOT NULL REFERENCES worker_agents(WorkerAgentId) ON DELETE CASCADE,
  PropertyName   TEXT NOT NULL,
  PropertyValue  TEXT,
  PRIMARY KEY (WorkerAgentId, PropertyName)
);

CREATE TABLE worker_agent_perfcounter (
  WorkerAgentId     TEXT NOT NULL REFERENCES worker_agents(WorkerAgentId) ON DELETE CASCADE,
  PerfCounterName   TEXT NOT NULL,
  PerfCounterValue  REAL NOT NULL,
  TimeStamp         TEXT NOT NULL
);
CREATE INDEX ix_perfcounter_worker_time ON worker_agent_perfcounter(WorkerAgentId, TimeStamp);
CREATE INDEX ix_perfcounter_time ON worker_agent_perfcounter(TimeStamp);

-- ---- properties ---------------------------------------------------------------------------
CREATE TABLE master_properties (
  property_name   TEXT PRIMARY KEY,
  property_value  TEXT NOT NULL
);

CREATE TABLE catalog_properties (
  property_name   TEXT PRIMARY KEY,
  property_value  TEXT NOT NULL
);

INSERT INTO catalog_properties (property_name, property_value) VALUES
  ('DEFAULT_EXECUTION_MODE', '1'),  -- every execution here runs in Scale Out (no local ISServerExec)
  ('SERVER_LOGGING_LEVEL', '1'),
  ('SERVER_CUSTOMIZED_LOGGING_LEVEL', ''),
  ('RETENTION_WINDOW', '365'),
  ('MAX_PROJECT_VERSIONS', '10'),
  ('OPERATION_CLEANUP_ENABLED', 'TRUE'),
  ('VERSION_CLEANUP_ENABLED', 'TRUE'),
  ('SCHEMA_VERSION', '7'),
  ('SCHEMA_BUILD', '1.0.0'),
  ('SERVER_OPERATION_ENCRYPTION_LEVEL', '2'),
  ('ENCRYPTION_ALGORITHM', 'AES_256'),
  ('VALIDATION_TIMEOUT', '300'),
  ('IS_SCALEOUT_ENABLED', 'TRUE');

-- The rows internal.update_master_settings updates (it only UPDATEs, so they exist from the start).
INSERT INTO master_properties (property_name, property_value) VALUES
  ('CLUSTER_LOGDB_SERVER', ''),
  ('CLUSTER_LOGDB_CONNECTIONSTRING', ''),
  ('IS_SCALEOUT_ENABLED', 'TRUE'),
  ('LAST_ONLINE_TIME', ''),
  ('MACHINE_IP', ''),
  ('MACHINE_NAME', ''),
  ('MASTER_ADDRESS', ''),
  ('MASTER_SERVICE_PORT', ''),
  ('SSLCERT_THUMBPRINT', ''),
  ('MASTER_HEARTBEAT_INTERVALINMS', '');

-- ---- logs ---------------------------------------------------------------------------------
CREATE TABLE operation_messages (
  operation_message_id  INTEGER PRIMARY KEY AUTOINCREMENT,
  operation_id          INTEGER NOT NULL REFERENCES operations(operation_id) ON DELETE CASCADE,
  message_time          TEXT NOT NULL,
  message_type          INTEGER NOT NULL,
  message_source_type   INTEGER,
  message               TEXT,
  extended_info_id      INTEGER,
  event_message_guid    TEXT UNIQUE
);
CREATE INDEX ix_operation_messages_operation ON operation_messages(operation_id);

-- event_message_id = operation_message_id of the same message, as in SSISDB.
CREATE TABLE event_messages (
  event_message_id       INTEGER PRIMARY KEY REFERENCES operation_messages(operation_message_id) ON DELETE CASCADE,
  operation_id           INTEGER NOT NULL,
  package_name           TEXT,
  package_location_type  TEXT,
  package_path_full      TEXT,
  event_name             TEXT,
  message_source_name    TEXT,
  message_source_id      TEXT,
  subcomponent_name      TEXT,
  package_path           TEXT,
  execution_path         TEXT,
  threadID               INTEGER,
  message_code           INTEGER,
  event_message_guid     TEXT UNIQUE
);
CREATE INDEX ix_event_messages_operation ON event_messages(operation_id);

CREATE TABLE event_message_context (
  context_id           INTEGER PRIMARY KEY AUTOINCREMENT,
  operation_id         INTEGER NOT NULL,
  event_message_id     INTEGER NOT NULL REFERENCES event_messages(event_message_id) ON DELETE CASCADE,
  context_depth        INTEGER,
  package_path         TEXT,
  context_type         INTEGER,
  context_source_name  TEXT,
  context_source_id    TEXT,
  property_name        TEXT,
  property_value,
  event_message_guid   TEXT NOT NULL
);
CREATE INDEX ix_event_message_context_message ON event_message_context(event_message_id);

CREATE TABLE executables (
  executable_id    INTEGER PRIMARY KEY AUTOINCREMENT,
  execution_id     INTEGER NOT NULL REFERENCES operations(operation_id) ON DELETE CASCADE,
  executable_name  TEXT,
  executable_guid  TEXT NOT NULL,
  package_name     TEXT NOT NULL,
  package_path     TEXT NOT NULL,
  UNIQUE (execution_id, package_name, package_path, executable_guid)
);

CREATE TABLE executable_statistics (
  statistics_id       INTEGER PRIMARY KEY AUTOINCREMENT,
  execution_id        INTEGER NOT NULL REFERENCES operations(operation_id) ON DELETE CASCADE,
  executable_id       INTEGER NOT NULL REFERENCES executables(executable_id) ON DELETE CASCADE,
  execution_path      TEXT,
  start_time          TEXT,
  end_time            TEXT,
  execution_duration  INTEGER,
  execution_result    INTEGER,
  execution_value,
  statistic_guid      TEXT NOT NULL UNIQUE
);
CREATE INDEX ix_executable_statistics_execution ON executable_statistics(execution_id);

-- ---- public views (SSISDB names and column order, reference §4.5) -------------------------
CREATE VIEW "catalog.folders" AS
  SELECT folder_id, name, description, NULL AS created_by_sid, created_by_name, created_time FROM folders;

CREATE VIEW "catalog.projects" AS
  SELECT project_id, folder_id, name, description, project_format_version, NULL AS deployed_by_sid, deployed_by_name,
         last_deployed_time, created_time, object_version_lsn, validation_status, last_validation_time
  FROM projects;

CREATE VIEW "catalog.object_versions" AS
  SELECT object_version_lsn, object_id, object_type, description, created_by, created_time, restored_by, last_restored_time
  FROM object_versions;

CREATE VIEW "catalog.packages" AS
  SELECT k.package_id, k.name, k.package_guid, k.description, k.package_format_version, k.version_major, k.version_minor,
         k.version_build, k.version_comments, k.version_guid, k.project_id, k.entry_point, k.validation_status, k.last_validation_time
  FROM packages k JOIN projects p ON p.project_id = k.project_id AND p.object_version_lsn = k.project_version_lsn;

CREATE VIEW "catalog.object_parameters" AS
  SELECT o.parameter_id, o.project_id, o.object_type, o.object_name, o.parameter_name, o.data_type, o.required, o.sensitive,
         o.description, CASE WHEN o.sensitive = 1 THEN NULL ELSE o.design_default_value END AS design_default_value,
         CASE WHEN o.sensitive = 1 THEN NULL ELSE o.default_value END AS default_value, o.value_type, o.value_set,
         o.referenced_variable_name, o.validation_status, o.last_validation_time
  FROM object_parameters o JOIN projects p ON p.project_id = o.project_id AND p.object_version_lsn = o.project_version_lsn;

CREATE VIEW "catalog.operations" AS
  SELECT operation_id, operation_type, created_time, object_type, object_id, object_name, status, start_time, end_time,
         NULL AS caller_sid, caller_name, process_id, NULL AS stopped_by_sid, stopped_by_name, server_name, machine_name,
         operation_guid
  FROM operations;

CREATE VIEW "catalog.executions" AS
  SELECT e.execution_id, e.folder_name, e.project_name, e.package_name, e.reference_id, e.reference_type,
         e.environment_folder_name, e.environment_name, e.project_lsn, NULL AS executed_as_sid, e.executed_as_name,
         e.use32bitruntime, o.operation_type, o.created_time, o.object_type, o.object_id, o.status, o.start_time, o.end_time,
         NULL AS caller_sid, o.caller_name, o.process_id, NULL AS stopped_by_sid, o.stopped_by_name,
         o.operation_guid AS dump_id, o.server_name, o.machine_name, o.worker_agent_id,
         NULL AS total_physical_memory_kb, NULL AS available_physical_memory_kb, NULL AS total_page_file_kb,
         NULL AS available_page_file_kb, NULL AS cpu_count, o.executed_count
  FROM executions e JOIN operations o ON o.operation_id = e.execution_id;

CREATE VIEW "catalog.execution_parameter_values" AS
  SELECT execution_parameter_id, execution_id, object_type, parameter_data_type, parameter_name,
         CASE WHEN sensitive = 1 THEN NULL ELSE parameter_value END AS parameter_value, sensitive, required, value_set,
         runtime_override
  FROM execution_parameter_values;

CREATE VIEW "catalog.execution_property_override_values" AS
  SELECT property_id, execution_id, property_path, CASE WHEN sensitive = 1 THEN NULL ELSE property_value END AS property_value,
         sensitive
  FROM execution_property_override_values;

CREATE VIEW "catalog.operation_messages" AS
  SELECT operation_message_id, operation_id, message_time, message_type, message_source_type, message, extended_info_id
  FROM operation_messages;

CREATE VIEW "catalog.event_messages" AS
  SELECT e.event_message_id, e.operation_id, m.message_time, m.message_type, m.message_source_type, m.message,
         m.extended_info_id, e.package_name, e.event_name, e.message_source_name, e.message_source_id, e.subcomponent_name,
         e.package_path, e.execution_path, e.threadID, e.message_code, e.event_message_guid
  FROM event_messages e JOIN operation_messages m ON m.operation_message_id = e.event_message_id;

CREATE VIEW "catalog.event_message_context" AS
  SELECT context_id, event_message_id, context_depth, package_path, context_type, context_source_name, context_source_id,
         property_name, property_value, event_message_guid
  FROM event_message_context;

CREATE VIEW "catalog.executables" AS
  SELECT executable_id, execution_id, executable_name, executable_guid, package_name, package_path FROM executables;

CREATE VIEW "catalog.executable_statistics" AS
  SELECT statistics_id, execution_id, executable_id, execution_path, start_time, end_time, execution_duration,
         execution_result, execution_value
  FROM executable_statistics;

CREATE VIEW "catalog.worker_agents" AS
  SELECT WorkerAgentId, IsEnabled, DisplayName, Description, MachineName, Tags, UserAccount, LastOnlineTime FROM worker_agents;

CREATE VIEW "catalog.worker_agent_perfcounter" AS
  SELECT WorkerAgentId, PerfCounterName, PerfCounterValue, TimeStamp FROM worker_agent_perfcounter;

CREATE VIEW "catalog.master_properties" AS
  SELECT property_name, property_value FROM master_properties
  WHERE property_name NOT IN ('CLUSTER_LOGDB_CONNECTIONSTRING', 'EXECUTION_PASSWORD');

CREATE VIEW "catalog.catalog_properties" AS
  SELECT property_name, property_value FROM catalog_properties;
