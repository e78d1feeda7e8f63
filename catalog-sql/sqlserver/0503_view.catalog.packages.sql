-- Object:     [catalog].packages (view)
-- Purpose:    Packages of the current version of each project.
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: projects the caller may READ (internal.caller_holds; issue 14).
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].packages
AS
SELECT k.package_id, k.name, k.package_guid, k.description, k.package_format_version, k.version_major, k.version_minor,
       k.version_build, k.version_comments, k.version_guid, k.project_id, k.entry_point, k.validation_status, k.last_validation_time
FROM internal.packages AS k
JOIN internal.projects AS p ON p.project_id = k.project_id AND p.object_version_lsn = k.project_version_lsn
WHERE internal.caller_holds(2, k.project_id, 1) = 1;
