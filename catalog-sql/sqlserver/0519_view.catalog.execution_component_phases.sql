-- Object:     [catalog].execution_component_phases (view)
-- Purpose:    The time spent by each data flow component in each execution phase (Performance and Verbose levels).
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order; row filter: rows of the caller's own executions (or operations the caller was granted READ on); all rows for ssis_admin, sysadmin, ssis_logreader.
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].execution_component_phases
AS
SELECT p.phase_stats_id, p.execution_id, p.package_name, p.task_name, p.subcomponent_name, p.phase, p.start_time, p.end_time, p.execution_path
FROM internal.execution_component_phases AS p
JOIN internal.operations AS o ON o.operation_id = p.execution_id
WHERE internal.caller_in_roles(N'ssis_admin,sysadmin,ssis_logreader') = 1 OR o.caller_name = internal.caller_name() OR internal.caller_reads_operation(o.operation_id) = 1;
