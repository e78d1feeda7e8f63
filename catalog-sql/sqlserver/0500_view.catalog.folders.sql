-- Object:     [catalog].folders (view)
-- Purpose:    Catalog folders.
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: none (public).
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].folders
AS
SELECT folder_id, name, description, created_by_sid, created_by_name, created_time
FROM internal.folders;
