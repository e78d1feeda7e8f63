-- Object:     internal.caller_holds (scalar function)
-- Purpose:    Whether the caller holds a permission on a folder (1), project (2), environment (3) or
--             operation (4): the one rule of runtime/catalog/rules/permissions.ts (`holds`/`can`):
--             ssis_admin / sysadmin hold everything; an explicit DENY on the object, or the matching
--             *_OBJECTS deny on its folder (101 READ, 102 MODIFY, 103 EXECUTE, 104 MANAGE_PERMISSIONS
--             carry to projects and environments), wins; else an explicit GRANT on either; else the
--             implicit grants kept for compatibility: ssis_cluster_executor READ on folders and READ +
--             EXECUTE on projects, ssis_logreader READ on folders and projects.
-- Parameters: @object_type smallint; @object_id bigint; @permission smallint (1 READ, 2 MODIFY,
--             3 EXECUTE, 4 MANAGE_PERMISSIONS, 100 CREATE_OBJECTS, 101…104 *_OBJECTS)
-- Results:    bit
-- Returns:    1 held, 0 not
CREATE OR ALTER FUNCTION internal.caller_holds(@object_type smallint, @object_id bigint, @permission smallint)
RETURNS bit
AS
BEGIN
  IF internal.caller_in_roles(N'ssis_admin,sysadmin') = 1 RETURN 1;
  DECLARE @me nvarchar(128) = internal.caller_name();
  DECLARE @folder bigint = CASE @object_type
    WHEN 2 THEN (SELECT folder_id FROM internal.projects WHERE project_id = @object_id)
    WHEN 3 THEN (SELECT folder_id FROM internal.environments WHERE environment_id = @object_id) END;
  DECLARE @carried smallint = CASE WHEN @object_type IN (2, 3) THEN
    CASE @permission WHEN 1 THEN 101 WHEN 2 THEN 102 WHEN 3 THEN 103 WHEN 4 THEN 104 END END;
  IF EXISTS (SELECT 1 FROM internal.object_permissions AS p
             WHERE p.principal_name = @me AND p.is_deny = 1
               AND ((p.object_type = @object_type AND p.object_id = @object_id AND p.permission_type = @permission)
                    OR (@carried IS NOT NULL AND p.object_type = 1 AND p.object_id = @folder AND p.permission_type = @carried)))
    RETURN 0;
  IF EXISTS (SELECT 1 FROM internal.object_permissions AS p
             WHERE p.principal_name = @me AND p.is_deny = 0
               AND ((p.object_type = @object_type AND p.object_id = @object_id AND p.permission_type = @permission)
                    OR (@carried IS NOT NULL AND p.object_type = 1 AND p.object_id = @folder AND p.permission_type = @carried)))
    RETURN 1;
  IF internal.caller_in_roles(N'ssis_cluster_executor') = 1
     AND ((@object_type = 1 AND @permission = 1) OR (@object_type = 2 AND @permission IN (1, 3)))
    RETURN 1;
  IF internal.caller_in_roles(N'ssis_logreader') = 1 AND @object_type IN (1, 2) AND @permission = 1 RETURN 1;
  RETURN 0;
END
