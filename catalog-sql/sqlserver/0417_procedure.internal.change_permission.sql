-- Object:     internal.change_permission (procedure)
-- Purpose:    The body of catalog.grant_permission, deny_permission and revoke_permission (reference
--             §4.2; sqlite/permission-procedures.ts): SSISDB answers with return codes, not errors.
--             An object the caller may neither READ nor MANAGE_PERMISSIONS on is "no object" (2).
-- Parameters: @object_type smallint; @object_id bigint; @principal_id int (internal.principals);
--             @permission_type smallint; @action char(1): 'G' grant, 'D' deny, 'R' revoke
-- Results:    none
-- Returns:    0 ok, 1 bad object class, 2 no such object, 3 no such principal, 4 permission not valid
--             for the class, 5 other (the caller lacks MANAGE_PERMISSIONS)
CREATE OR ALTER PROCEDURE internal.change_permission
  @object_type     smallint,
  @object_id       bigint,
  @principal_id    int,
  @permission_type smallint,
  @action          char(1)
AS
BEGIN
  SET NOCOUNT ON;
  DECLARE @name nvarchar(128), @me nvarchar(128) = internal.caller_name();
  IF @object_type IS NULL OR @object_type NOT IN (1, 2, 3, 4) RETURN 1;
  IF @object_id IS NULL
     OR (@object_type = 1 AND NOT EXISTS (SELECT 1 FROM internal.folders WHERE folder_id = @object_id))
     OR (@object_type = 2 AND NOT EXISTS (SELECT 1 FROM internal.projects WHERE project_id = @object_id))
     OR (@object_type = 3 AND NOT EXISTS (SELECT 1 FROM internal.environments WHERE environment_id = @object_id))
     OR (@object_type = 4 AND NOT EXISTS (SELECT 1 FROM internal.operations WHERE operation_id = @object_id))
    RETURN 2;
  IF internal.caller_holds(@object_type, @object_id, 1) = 0 AND internal.caller_holds(@object_type, @object_id, 4) = 0 RETURN 2;
  SELECT @name = name FROM internal.principals WHERE principal_id = @principal_id;
  IF @name IS NULL RETURN 3;
  IF NOT EXISTS (SELECT 1 FROM (VALUES (1, 1), (1, 4), (1, 100), (1, 101), (1, 102), (1, 103), (1, 104),
                                       (2, 1), (2, 2), (2, 3), (2, 4), (3, 1), (3, 2), (3, 4), (4, 1), (4, 2), (4, 4)) AS v (object_type, permission_type)
                 WHERE v.object_type = @object_type AND v.permission_type = @permission_type)
    RETURN 4;
  IF internal.caller_holds(@object_type, @object_id, 4) = 0 RETURN 5;
  IF @action = 'R'
    DELETE FROM internal.object_permissions
    WHERE object_type = @object_type AND object_id = @object_id AND principal_name = @name AND permission_type = @permission_type;
  ELSE
  BEGIN
    UPDATE internal.object_permissions WITH (UPDLOCK, HOLDLOCK)
    SET is_deny = CASE WHEN @action = 'D' THEN 1 ELSE 0 END, grantor_name = @me
    WHERE object_type = @object_type AND object_id = @object_id AND principal_name = @name AND permission_type = @permission_type;
    IF @@ROWCOUNT = 0
      INSERT INTO internal.object_permissions (object_type, object_id, principal_name, permission_type, is_deny, grantor_name)
      VALUES (@object_type, @object_id, @name, @permission_type, CASE WHEN @action = 'D' THEN 1 ELSE 0 END, @me);
  END
  RETURN 0;
END
