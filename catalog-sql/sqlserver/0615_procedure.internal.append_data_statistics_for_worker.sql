-- Object:     internal.append_data_statistics_for_worker (procedure)
-- Purpose:    Appends one data-flow path statistic (parsed from an OnPipelineRowsSent event by the
--             store), idempotent by @event_message_guid.
-- Parameters: @operation_id bigint; @package_name nvarchar(260); @task_name nvarchar(4000);
--             @dataflow_path_id_string nvarchar(4000); @dataflow_path_name nvarchar(4000);
--             @source_component_name nvarchar(4000); @destination_component_name nvarchar(4000);
--             @rows_sent bigint; @created_time datetimeoffset(7); @execution_path nvarchar(max);
--             @event_message_guid uniqueidentifier
-- Results:    none
-- Returns:    0; raises 27140, 27100 (NULL guid), 27103 (not an execution)
CREATE OR ALTER PROCEDURE internal.append_data_statistics_for_worker
  @operation_id               bigint,
  @package_name               nvarchar(260),
  @task_name                  nvarchar(4000),
  @dataflow_path_id_string    nvarchar(4000),
  @dataflow_path_name         nvarchar(4000),
  @source_component_name      nvarchar(4000),
  @destination_component_name nvarchar(4000),
  @rows_sent                  bigint,
  @created_time               datetimeoffset(7),
  @execution_path             nvarchar(max),
  @event_message_guid         uniqueidentifier
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  IF internal.caller_in_roles(N'ssis_admin,sysadmin,ssis_cluster_worker') = 0
    EXEC internal.raise_catalog_error 27140, N'ssis_admin, sysadmin, ssis_cluster_worker';
  IF @event_message_guid IS NULL EXEC internal.raise_catalog_error 27100, N'event_message_guid';
  IF NOT EXISTS (SELECT 1 FROM internal.operations WHERE operation_id = @operation_id AND operation_type = 200)
    EXEC internal.raise_catalog_error 27103, @operation_id;
  IF NOT EXISTS (SELECT 1 FROM internal.execution_data_statistics WITH (UPDLOCK, HOLDLOCK) WHERE event_message_guid = @event_message_guid)
    INSERT INTO internal.execution_data_statistics (execution_id, package_name, task_name, dataflow_path_id_string, dataflow_path_name,
                                                    source_component_name, destination_component_name, rows_sent, created_time, execution_path, event_message_guid)
    VALUES (@operation_id, @package_name, @task_name, @dataflow_path_id_string, @dataflow_path_name, @source_component_name,
            @destination_component_name, @rows_sent, SWITCHOFFSET(@created_time, N'+00:00'), @execution_path, @event_message_guid);
  RETURN 0;
END
