-- Object:     internal.execution_data_statistics (table)
-- Purpose:    One row per buffer a data flow path carried (SSISDB logs these at the Verbose level),
--             idempotent by the OnPipelineRowsSent event's GUID.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.execution_data_statistics', N'U') IS NULL
BEGIN
  CREATE TABLE internal.execution_data_statistics (
    data_stats_id              bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_execution_data_statistics PRIMARY KEY,
    execution_id               bigint NOT NULL,
    package_name               nvarchar(260)     NULL,
    task_name                  nvarchar(4000)    NULL,
    dataflow_path_id_string    nvarchar(4000)    NULL,
    dataflow_path_name         nvarchar(4000)    NULL,
    source_component_name      nvarchar(4000)    NULL,
    destination_component_name nvarchar(4000)    NULL,
    rows_sent                  bigint            NULL,
    created_time               datetimeoffset(7) NULL,
    execution_path             nvarchar(max)     NULL,
    event_message_guid         uniqueidentifier  NOT NULL CONSTRAINT UQ_execution_data_statistics_guid UNIQUE
  );
  CREATE INDEX IX_execution_data_statistics_execution ON internal.execution_data_statistics (execution_id);
END
