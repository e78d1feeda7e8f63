-- Object:     [catalog].folders (view)
-- Purpose:    Catalog folders.
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: folders the caller may READ (internal.caller_holds; issue 14).
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].folders
AS
SELECT folder_id, name, description, created_by_sid, created_by_name, created_time
FROM internal.folders
WHERE internal.caller_holds(1, folder_id, 1) = 1;
