-- Object:     [catalog].effective_object_permissions (view)
-- Purpose:    Every permission the caller holds (issue 14): on each folder, project and environment as
--             internal.caller_holds decides, and on operations: all of an operation for ssis_admin /
--             sysadmin; READ and MODIFY of the caller's own operations, MANAGE_PERMISSIONS when held
--             (as the embedded catalog computes it).
-- Parameters: none
-- Results:    object_type, object_id, permission_type; row filter: the caller's own permissions.
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].effective_object_permissions
AS
SELECT c.object_type, c.object_id, v.permission_type
FROM (SELECT CONVERT(smallint, 1) AS object_type, folder_id AS object_id FROM internal.folders
      UNION ALL SELECT CONVERT(smallint, 2), project_id FROM internal.projects
      UNION ALL SELECT CONVERT(smallint, 3), environment_id FROM internal.environments
      UNION ALL SELECT CONVERT(smallint, 4), operation_id FROM internal.operations
                WHERE internal.caller_in_roles(N'ssis_admin,sysadmin') = 1 OR caller_name = internal.caller_name()) AS c
JOIN (VALUES (CONVERT(smallint, 1), CONVERT(smallint, 1)), (1, 4), (1, 100), (1, 101), (1, 102), (1, 103), (1, 104),
             (2, 1), (2, 2), (2, 3), (2, 4), (3, 1), (3, 2), (3, 4), (4, 1), (4, 2), (4, 4)) AS v (object_type, permission_type)
  ON v.object_type = c.object_type
WHERE CASE WHEN c.object_type = 4 AND internal.caller_in_roles(N'ssis_admin,sysadmin') = 0
           THEN CASE WHEN v.permission_type <> 4 THEN 1 ELSE internal.caller_holds(4, c.object_id, 4) END
           ELSE internal.caller_holds(c.object_type, c.object_id, v.permission_type) END = 1;
