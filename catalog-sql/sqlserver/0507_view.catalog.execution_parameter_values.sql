-- Object:     [catalog].execution_parameter_values (view)
-- Purpose:    Parameter values of each execution; sensitive values hidden.
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: rows of the caller's own executions; all rows for ssis_admin, sysadmin, ssis_logreader.
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].execution_parameter_values
AS
SELECT v.execution_parameter_id, v.execution_id, v.object_type, v.parameter_data_type, v.parameter_name,
       CASE WHEN v.sensitive = 1 THEN NULL ELSE v.parameter_value END AS parameter_value, v.sensitive, v.required, v.value_set,
       v.runtime_override
FROM internal.execution_parameter_values AS v
JOIN internal.operations AS o ON o.operation_id = v.execution_id
WHERE internal.caller_in_roles(N'ssis_admin,sysadmin,ssis_logreader') = 1 OR o.caller_name = internal.caller_name();
