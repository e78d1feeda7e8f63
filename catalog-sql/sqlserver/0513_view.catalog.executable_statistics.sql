-- Object:     [catalog].executable_statistics (view)
-- Purpose:    One row per executable run.
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: rows of the caller's own executions (or operations the caller was granted READ on); all rows for ssis_admin, sysadmin, ssis_logreader.
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].executable_statistics
AS
SELECT s.statistics_id, s.execution_id, s.executable_id, s.execution_path, s.start_time, s.end_time, s.execution_duration,
       s.execution_result, s.execution_value
FROM internal.executable_statistics AS s
JOIN internal.operations AS o ON o.operation_id = s.execution_id
WHERE internal.caller_in_roles(N'ssis_admin,sysadmin,ssis_logreader') = 1 OR o.caller_name = internal.caller_name() OR internal.caller_reads_operation(o.operation_id) = 1;
