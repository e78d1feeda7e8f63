-- Object:     [catalog].execution_data_statistics (view)
-- Purpose:    One row per buffer sent along a data flow path (Verbose logging level).
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order; row filter: rows of the caller's own executions (or operations the caller was granted READ on); all rows for ssis_admin, sysadmin, ssis_logreader.
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].execution_data_statistics
AS
SELECT s.data_stats_id, s.execution_id, s.package_name, s.task_name, s.dataflow_path_id_string, s.dataflow_path_name,
       s.source_component_name, s.destination_component_name, s.rows_sent, s.created_time, s.execution_path
FROM internal.execution_data_statistics AS s
JOIN internal.operations AS o ON o.operation_id = s.execution_id
WHERE internal.caller_in_roles(N'ssis_admin,sysadmin,ssis_logreader') = 1 OR o.caller_name = internal.caller_name() OR internal.caller_reads_operation(o.operation_id) = 1;
