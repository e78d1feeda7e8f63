-- Object:     internal.caller_may_modify_operation (scalar function)
-- Purpose:    READ + MODIFY on an operation, what set_execution_parameter_value, add_execution_worker,
--             start_execution, stop_operation and the data tap procedures need (rules/permissions.ts,
--             sqlite/object-permissions.ts mayModifyOperation): ssis_admin / sysadmin; else not when
--             READ or MODIFY is denied; else its creator, or a principal granted both.
-- Parameters: @operation_id bigint; @creator nvarchar(128): the operation's caller_name
-- Results:    bit
-- Returns:    1 may, 0 may not
CREATE OR ALTER FUNCTION internal.caller_may_modify_operation(@operation_id bigint, @creator nvarchar(128))
RETURNS bit
AS
BEGIN
  IF internal.caller_in_roles(N'ssis_admin,sysadmin') = 1 RETURN 1;
  DECLARE @me nvarchar(128) = internal.caller_name();
  IF EXISTS (SELECT 1 FROM internal.object_permissions
             WHERE object_type = 4 AND object_id = @operation_id AND principal_name = @me AND is_deny = 1 AND permission_type IN (1, 2))
    RETURN 0;
  IF @creator = @me RETURN 1;
  IF EXISTS (SELECT 1 FROM internal.object_permissions WHERE object_type = 4 AND object_id = @operation_id AND principal_name = @me AND is_deny = 0 AND permission_type = 1)
     AND EXISTS (SELECT 1 FROM internal.object_permissions WHERE object_type = 4 AND object_id = @operation_id AND principal_name = @me AND is_deny = 0 AND permission_type = 2)
    RETURN 1;
  RETURN 0;
END
