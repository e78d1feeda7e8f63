-- Object:     [catalog].operations (view)
-- Purpose:    Every operation.
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: the caller's own operations (or operations the caller was granted READ on); all rows for ssis_admin, sysadmin, ssis_logreader.
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].operations
AS
SELECT operation_id, operation_type, created_time, object_type, object_id, object_name, status, start_time, end_time,
       caller_sid, caller_name, process_id, stopped_by_sid, stopped_by_name, server_name, machine_name, operation_guid
FROM internal.operations
WHERE internal.caller_in_roles(N'ssis_admin,sysadmin,ssis_logreader') = 1 OR caller_name = internal.caller_name() OR internal.caller_reads_operation(operation_id) = 1;
