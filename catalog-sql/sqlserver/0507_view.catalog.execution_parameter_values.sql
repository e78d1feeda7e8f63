-- Object:     [catalog].execution_parameter_values (view)
-- Purpose:    Parameter values of each execution; sensitive values hidden; value_source says where each came from.
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: rows of the caller's own executions (or operations the caller was granted READ on); all rows for ssis_admin, sysadmin, ssis_logreader.
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].execution_parameter_values
AS
SELECT v.execution_parameter_id, v.execution_id, v.object_type, v.parameter_data_type, v.parameter_name,
       CASE WHEN v.sensitive = 1 THEN NULL ELSE v.parameter_value END AS parameter_value, v.sensitive, v.required, v.value_set,
       v.runtime_override, v.value_source, v.referenced_variable_name,
       CASE WHEN v.value_source = 'E' THEN e.environment_folder_name END AS environment_folder_name,
       CASE WHEN v.value_source = 'E' THEN e.environment_name END AS environment_name
FROM internal.execution_parameter_values AS v
JOIN internal.operations AS o ON o.operation_id = v.execution_id
JOIN internal.executions AS e ON e.execution_id = v.execution_id
WHERE internal.caller_in_roles(N'ssis_admin,sysadmin,ssis_logreader') = 1 OR o.caller_name = internal.caller_name() OR internal.caller_reads_operation(o.operation_id) = 1;
