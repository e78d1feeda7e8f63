-- Object:     [catalog].environment_references (view)
-- Purpose:    Projects' references to environments (issue 14), by name as SSISDB keeps them.
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: references of projects the caller may READ.
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].environment_references
AS
SELECT r.reference_id, r.project_id, r.reference_type, r.environment_folder_name, r.environment_name, r.validation_status,
       r.last_validation_time
FROM internal.environment_references AS r
WHERE internal.caller_holds(2, r.project_id, 1) = 1;
