-- Object:     internal.caller_reads_operation (scalar function)
-- Purpose:    The operation views' row filter beyond roles and ownership (rules/views.ts
--             readableOperation): an explicit, not denied READ grant on the operation.
-- Parameters: @operation_id bigint
-- Results:    bit
-- Returns:    1 when the caller was granted READ on the operation, else 0
CREATE OR ALTER FUNCTION internal.caller_reads_operation(@operation_id bigint)
RETURNS bit
AS
BEGIN
  IF EXISTS (SELECT 1 FROM internal.object_permissions
             WHERE object_type = 4 AND object_id = @operation_id AND principal_name = internal.caller_name() AND permission_type = 1 AND is_deny = 0)
    RETURN 1;
  RETURN 0;
END
