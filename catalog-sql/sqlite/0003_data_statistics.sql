-- catalog.execution_data_statistics: one row per buffer a data flow path carried (SSISDB logs these at
-- the Verbose level). The worker reports them as OnPipelineRowsSent custom events; the store parses
-- the event text (SSIS's own format) into these rows when it appends the event.
CREATE TABLE execution_data_statistics (
  data_stats_id              INTEGER PRIMARY KEY AUTOINCREMENT,
  execution_id               INTEGER NOT NULL REFERENCES operations(operation_id) ON DELETE CASCADE,
  package_name               TEXT,
  task_name                  TEXT,
  dataflow_path_id_string    TEXT,
  dataflow_path_name         TEXT,
  source_component_name      TEXT,
  destination_component_name TEXT,
  rows_sent                  INTEGER,
  created_time               TEXT,
  execution_path             TEXT,
  event_message_guid         TEXT
);
CREATE INDEX ix_execution_data_statistics_execution ON execution_data_statistics(execution_id);

CREATE VIEW "catalog.execution_data_statistics" AS
  SELECT data_stats_id, execution_id, package_name, task_name, dataflow_path_id_string, dataflow_path_name,
         source_component_name, destination_component_name, rows_sent, created_time, execution_path
  FROM execution_data_statistics;
