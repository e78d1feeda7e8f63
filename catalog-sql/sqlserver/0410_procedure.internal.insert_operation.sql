-- Object:     internal.insert_operation (procedure)
-- Purpose:    Inserts one catalog operation for the current caller at internal.now_utc(); a final
--             status also gets its end_time. Helper: runs inside the caller's transaction.
-- Parameters: @operation_type smallint; @status int; @object_type smallint = NULL; @object_id bigint = NULL;
--             @object_name nvarchar(260) = NULL; @started bit = 0 (sets start_time);
--             @operation_id bigint OUTPUT: the new id
-- Results:    none
-- Returns:    0
CREATE OR ALTER PROCEDURE internal.insert_operation
  @operation_type smallint,
  @status         int,
  @object_type    smallint = NULL,
  @object_id      bigint = NULL,
  @object_name    nvarchar(260) = NULL,
  @started        bit = 0,
  @operation_id   bigint = NULL OUTPUT
AS
BEGIN
  SET NOCOUNT ON;
  DECLARE @now datetimeoffset(7) = internal.now_utc();
  INSERT INTO internal.operations (operation_type, created_time, object_type, object_id, object_name, status, start_time, end_time,
                                   caller_name, server_name, operation_guid)
  VALUES (@operation_type, @now, @object_type, @object_id, @object_name, @status,
          CASE WHEN @started = 1 THEN @now END, CASE WHEN @status IN (3, 4, 6, 7, 9) THEN @now END,
          internal.caller_name(), CONVERT(nvarchar(128), @@SERVERNAME), NEWID());
  SET @operation_id = CONVERT(bigint, SCOPE_IDENTITY());
  RETURN 0;
END
