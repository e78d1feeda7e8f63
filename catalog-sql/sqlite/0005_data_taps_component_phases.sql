-- Migration 5: data taps and component phase times (issue 12).
--
-- internal.execution_data_taps: the data taps of an execution (catalog.add_data_tap,
-- add_data_tap_by_guid, remove_data_tap). Added only while the execution is created; the master hands
-- them to the worker with the task, and the worker writes each tapped path's rows as CSV.
-- SSISDB has no public view over this table; neither do we.
CREATE TABLE execution_data_taps (
  data_tap_id             INTEGER PRIMARY KEY AUTOINCREMENT,
  execution_id            INTEGER NOT NULL REFERENCES operations(operation_id) ON DELETE CASCADE,
  package_path            TEXT,
  dataflow_task_guid      TEXT,
  dataflow_path_id_string TEXT NOT NULL,
  max_rows                INTEGER,
  filename                TEXT NOT NULL,
  CHECK ((package_path IS NULL) <> (dataflow_task_guid IS NULL))
);
CREATE INDEX ix_execution_data_taps_execution ON execution_data_taps(execution_id);

-- catalog.execution_component_phases: the time each data flow component spent in each phase (Validate,
-- PrepareForExecute, PreExecute, PrimeOutput, ProcessInput, PostExecute, Cleanup), logged at the
-- Performance and Verbose levels. phase_guid makes the worker's appends idempotent.
CREATE TABLE execution_component_phases (
  phase_stats_id    INTEGER PRIMARY KEY AUTOINCREMENT,
  execution_id      INTEGER NOT NULL REFERENCES operations(operation_id) ON DELETE CASCADE,
  package_name      TEXT,
  task_name         TEXT,
  subcomponent_name TEXT,
  phase             TEXT,
  start_time        TEXT,
  end_time          TEXT,
  execution_path    TEXT,
  phase_guid        TEXT NOT NULL UNIQUE
);
CREATE INDEX ix_execution_component_phases_execution ON execution_component_phases(execution_id);

CREATE VIEW "catalog.execution_component_phases" AS
  SELECT phase_stats_id, execution_id, package_name, task_name, subcomponent_name, phase, start_time, end_time, execution_path
  FROM execution_component_phases;
