-- Object:     [catalog].object_parameters (view)
-- Purpose:    Parameters of the current version of each project; sensitive values hidden.
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: projects the caller may READ (internal.caller_holds; issue 14).
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].object_parameters
AS
SELECT o.parameter_id, o.project_id, o.object_type, o.object_name, o.parameter_name, o.data_type, o.required, o.sensitive,
       o.description, CASE WHEN o.sensitive = 1 THEN NULL ELSE o.design_default_value END AS design_default_value,
       CASE WHEN o.sensitive = 1 THEN NULL ELSE o.default_value END AS default_value, o.value_type, o.value_set,
       o.referenced_variable_name, o.validation_status, o.last_validation_time
FROM internal.object_parameters AS o
JOIN internal.projects AS p ON p.project_id = o.project_id AND p.object_version_lsn = o.project_version_lsn
WHERE internal.caller_holds(2, o.project_id, 1) = 1;
