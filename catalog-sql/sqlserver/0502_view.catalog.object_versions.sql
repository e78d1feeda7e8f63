-- Object:     [catalog].object_versions (view)
-- Purpose:    Deployed project versions (without the bytes).
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: projects the caller may READ (internal.caller_holds; issue 14).
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].object_versions
AS
SELECT object_version_lsn, object_id, object_type, description, created_by, created_time, restored_by, last_restored_time
FROM internal.object_versions
WHERE object_type = 20 AND internal.caller_holds(2, object_id, 1) = 1;
