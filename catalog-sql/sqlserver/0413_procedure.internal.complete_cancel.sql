-- Object:     internal.complete_cancel (procedure)
-- Purpose:    Lands a cancel: the execution becomes 3 (canceled) with stopped_by_name copied from the
--             stop operation's caller, and the stop operation (type 202) becomes 7 unless already
--             final. Helper: runs inside the caller's transaction.
-- Parameters: @operation_id bigint: the execution; @stop_id bigint = NULL: the stop operation
-- Results:    none
-- Returns:    0
CREATE OR ALTER PROCEDURE internal.complete_cancel
  @operation_id bigint,
  @stop_id      bigint = NULL
AS
BEGIN
  SET NOCOUNT ON;
  DECLARE @now datetimeoffset(7) = internal.now_utc();
  DECLARE @stopped_by nvarchar(128) = NULL, @stop_exists bit = 0;
  IF @stop_id IS NOT NULL
    SELECT @stopped_by = caller_name, @stop_exists = 1 FROM internal.operations WHERE operation_id = @stop_id AND operation_type = 202;
  UPDATE internal.operations
  SET status = 3, end_time = @now, stopped_by_name = COALESCE(@stopped_by, stopped_by_name)
  WHERE operation_id = @operation_id;
  IF @stop_exists = 1
    UPDATE internal.operations SET status = 7, end_time = @now WHERE operation_id = @stop_id AND status NOT IN (3, 4, 6, 7, 9);
  RETURN 0;
END
