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
