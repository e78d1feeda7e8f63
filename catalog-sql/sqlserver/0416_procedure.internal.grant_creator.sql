-- Object:     internal.grant_creator (procedure)
-- Purpose:    SSISDB's init_object_permissions: the creator of a folder, project, environment or
--             operation is granted READ, MODIFY (EXECUTE on a project) and MANAGE_PERMISSIONS on it
--             (a folder: also CREATE_OBJECTS and the *_OBJECTS permissions), as rules/permissions.ts
--             CREATOR_GRANTS lists. Callers without a catalog login row (SYSTEM, SQL logins acting as
--             themselves) get nothing: object_permissions names catalog principals only.
-- Parameters: @object_type smallint; @object_id bigint
-- Results:    none
-- Returns:    0
CREATE OR ALTER PROCEDURE internal.grant_creator
  @object_type smallint,
  @object_id   bigint
AS
BEGIN
  SET NOCOUNT ON;
  DECLARE @me nvarchar(128) = internal.caller_name();
  IF NOT EXISTS (SELECT 1 FROM internal.principals WHERE name = @me) RETURN 0;
  INSERT INTO internal.object_permissions (object_type, object_id, principal_name, permission_type, is_deny, grantor_name)
  SELECT @object_type, @object_id, @me, g.permission_type, 0, @me
  FROM (VALUES (1, 1), (1, 4), (1, 100), (1, 101), (1, 102), (1, 103), (1, 104),
               (2, 1), (2, 2), (2, 3), (2, 4), (3, 1), (3, 2), (3, 4), (4, 1), (4, 2), (4, 4)) AS g (object_type, permission_type)
  WHERE g.object_type = @object_type
    AND NOT EXISTS (SELECT 1 FROM internal.object_permissions AS p
                    WHERE p.object_type = @object_type AND p.object_id = @object_id AND p.principal_name = @me AND p.permission_type = g.permission_type);
  RETURN 0;
END
