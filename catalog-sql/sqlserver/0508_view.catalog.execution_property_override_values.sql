-- Object:     [catalog].execution_property_override_values (view)
-- Purpose:    Property overrides of each execution; sensitive values hidden.
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: rows of the caller's own executions (or operations the caller was granted READ on); all rows for ssis_admin, sysadmin, ssis_logreader.
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].execution_property_override_values
AS
SELECT v.property_id, v.execution_id, v.property_path, CASE WHEN v.sensitive = 1 THEN NULL ELSE v.property_value END AS property_value,
       v.sensitive
FROM internal.execution_property_override_values AS v
JOIN internal.operations AS o ON o.operation_id = v.execution_id
WHERE internal.caller_in_roles(N'ssis_admin,sysadmin,ssis_logreader') = 1 OR o.caller_name = internal.caller_name() OR internal.caller_reads_operation(o.operation_id) = 1;
