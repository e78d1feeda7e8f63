-- Object:     internal.execution_data_taps (table)
-- Purpose:    Data taps of an execution (catalog.add_data_tap, add_data_tap_by_guid, remove_data_tap):
--             the rows of one data flow path, written as CSV by the worker that runs the package.
--             The task is named by its package path or by its GUID (exactly one).
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.execution_data_taps', N'U') IS NULL
BEGIN
  CREATE TABLE internal.execution_data_taps (
    data_tap_id             bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_execution_data_taps PRIMARY KEY,
    execution_id            bigint NOT NULL CONSTRAINT FK_edt_executions REFERENCES internal.executions (execution_id) ON DELETE CASCADE,
    package_path            nvarchar(max)    NULL,
    dataflow_task_guid      uniqueidentifier NULL,
    dataflow_path_id_string nvarchar(4000)   NOT NULL,
    max_rows                int              NULL,
    filename                nvarchar(4000)   NOT NULL,
    CONSTRAINT CK_edt_task CHECK ((package_path IS NULL AND dataflow_task_guid IS NOT NULL) OR (package_path IS NOT NULL AND dataflow_task_guid IS NULL))
  );
  CREATE INDEX IX_edt_execution ON internal.execution_data_taps (execution_id);
END
