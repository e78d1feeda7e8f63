-- Object:     [catalog].executions (view)
-- Purpose:    Executions with their operation columns and the Scale Out columns (worker_agent_id, executed_count).
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: the caller's own executions (or operations the caller was granted READ on); all rows for ssis_admin, sysadmin, ssis_logreader.
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].executions
AS
SELECT e.execution_id, e.folder_name, e.project_name, e.package_name, e.reference_id, e.reference_type,
       e.environment_folder_name, e.environment_name, e.project_lsn, e.executed_as_sid, e.executed_as_name,
       e.use32bitruntime, o.operation_type, o.created_time, o.object_type, o.object_id, o.status, o.start_time, o.end_time,
       o.caller_sid, o.caller_name, o.process_id, o.stopped_by_sid, o.stopped_by_name,
       o.operation_guid AS dump_id, o.server_name, o.machine_name, o.worker_agent_id,
       CONVERT(bigint, NULL) AS total_physical_memory_kb, CONVERT(bigint, NULL) AS available_physical_memory_kb,
       CONVERT(bigint, NULL) AS total_page_file_kb, CONVERT(bigint, NULL) AS available_page_file_kb,
       CONVERT(int, NULL) AS cpu_count, o.executed_count
FROM internal.executions AS e
JOIN internal.operations AS o ON o.operation_id = e.execution_id
WHERE internal.caller_in_roles(N'ssis_admin,sysadmin,ssis_logreader') = 1 OR o.caller_name = internal.caller_name() OR internal.caller_reads_operation(o.operation_id) = 1;
