-- Object:     internal.finish_execution (procedure)
-- Purpose:    Moves the execution of a task that just reached a final state, in the same transaction
--             (reference §4.4): succeeded (5) → 7; failed (4) → 4, or 6 when the lease was lost;
--             canceled (6) → 3 with the stop operation → 7. Records the attempts in executed_count.
--             Nothing happens for a non-execution task or an execution already final.
--             Helper: runs inside the caller's transaction.
-- Parameters: @TaskId uniqueidentifier; @task_status int (4, 5 or 6); @lease_lost bit;
--             @operation_status int OUTPUT: the status the execution moved to, NULL when it did not move
-- Results:    none
-- Returns:    0
CREATE OR ALTER PROCEDURE internal.finish_execution
  @TaskId           uniqueidentifier,
  @task_status      int,
  @lease_lost       bit,
  @operation_status int = NULL OUTPUT
AS
BEGIN
  SET NOCOUNT ON;
  DECLARE @now datetimeoffset(7) = internal.now_utc();
  DECLARE @task_type int, @executed int, @input nvarchar(max), @execution_id bigint, @stop_id bigint, @current int;
  SET @operation_status = NULL;
  SELECT @task_type = TaskType, @executed = ExecutedCount, @input = InputData FROM internal.tasks WHERE TaskId = @TaskId;
  IF @task_type IS NULL OR @task_type <> 0 OR ISJSON(@input) <> 1 RETURN 0;
  SELECT @execution_id = TRY_CONVERT(bigint, JSON_VALUE(j.value, N'$.value'))
  FROM OPENJSON(@input) AS j WHERE JSON_VALUE(j.value, N'$.name') = N'execution_id';
  SELECT @stop_id = TRY_CONVERT(bigint, JSON_VALUE(j.value, N'$.value'))
  FROM OPENJSON(@input) AS j WHERE JSON_VALUE(j.value, N'$.name') = N'stop_id';
  IF @execution_id IS NULL RETURN 0;
  SELECT @current = status FROM internal.operations WHERE operation_id = @execution_id;
  IF @current IS NULL OR @current IN (3, 4, 6, 7, 9) RETURN 0;
  UPDATE internal.operations SET executed_count = @executed WHERE operation_id = @execution_id;
  IF @task_status = 6
  BEGIN
    EXEC internal.complete_cancel @operation_id = @execution_id, @stop_id = @stop_id;
    SET @operation_status = 3;
    RETURN 0;
  END
  SET @operation_status = CASE WHEN @task_status = 5 THEN 7 WHEN @lease_lost = 1 THEN 6 ELSE 4 END;
  UPDATE internal.operations SET status = @operation_status, end_time = @now WHERE operation_id = @execution_id;
  IF @stop_id IS NOT NULL
    UPDATE internal.operations SET status = 7, end_time = @now WHERE operation_id = @stop_id AND status NOT IN (3, 4, 6, 7, 9);
  RETURN 0;
END
