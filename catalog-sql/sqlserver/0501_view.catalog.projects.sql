-- Object:     [catalog].projects (view)
-- Purpose:    Projects with their current version.
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: projects the caller may READ (internal.caller_holds; issue 14).
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].projects
AS
SELECT project_id, folder_id, name, description, project_format_version, deployed_by_sid, deployed_by_name,
       last_deployed_time, created_time, object_version_lsn, validation_status, last_validation_time
FROM internal.projects
WHERE internal.caller_holds(2, project_id, 1) = 1;
