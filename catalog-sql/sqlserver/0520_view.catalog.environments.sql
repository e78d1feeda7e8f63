-- Object:     [catalog].environments (view)
-- Purpose:    Environments (issue 14).
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: environments the caller may READ (internal.caller_holds).
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].environments
AS
SELECT e.environment_id, e.name, e.folder_id, e.description, e.created_by_sid, e.created_by_name, e.created_time
FROM internal.environments AS e
WHERE internal.caller_holds(3, e.environment_id, 1) = 1;
