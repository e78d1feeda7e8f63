-- Object:     [catalog].executables (view)
-- Purpose:    Executables seen in each execution.
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: rows of the caller's own executions (or operations the caller was granted READ on); all rows for ssis_admin, sysadmin, ssis_logreader.
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].executables
AS
SELECT x.executable_id, x.execution_id, x.executable_name, x.executable_guid, x.package_name, x.package_path
FROM internal.executables AS x
JOIN internal.operations AS o ON o.operation_id = x.execution_id
WHERE internal.caller_in_roles(N'ssis_admin,sysadmin,ssis_logreader') = 1 OR o.caller_name = internal.caller_name() OR internal.caller_reads_operation(o.operation_id) = 1;
