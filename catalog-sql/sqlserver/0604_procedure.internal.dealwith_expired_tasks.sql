-- Object:     internal.dealwith_expired_tasks (procedure)
-- Purpose:    The lease sweep (reference §1.5 step 8): every task in 2/3 whose ExpiredTime ≤ now becomes
--             6 when cancelled, 1 (re-queued) while retries are left, else 4; a final task moves its
--             execution (4 → operation 6 ended unexpectedly; 6 → operation 3, stop operation 7). Rows are
--             read WITH (UPDLOCK, READPAST), so two masters sweeping at once never handle one task twice.
-- Parameters: none
-- Results:    one row per task handled: TaskId, execution_id, task_status, operation_status (NULL when the
--             execution did not move), in ExpiredTime order
-- Returns:    0; raises 27140
CREATE OR ALTER PROCEDURE internal.dealwith_expired_tasks
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @now datetimeoffset(7);
  DECLARE @expired TABLE (seq int IDENTITY(1, 1) PRIMARY KEY, TaskId uniqueidentifier NOT NULL, IsCancelled bit NOT NULL,
                          MaxExecutedCount int NOT NULL, ExecutedCount int NOT NULL, InputData nvarchar(max) NULL);
  DECLARE @outcomes TABLE (seq int PRIMARY KEY, TaskId uniqueidentifier NOT NULL, execution_id bigint NULL, task_status int NOT NULL, operation_status int NULL);
  DECLARE @seq int = 0, @task uniqueidentifier, @cancelled bit, @max int, @executed int, @input nvarchar(max), @status int, @op int, @execution bigint;
  BEGIN TRY
    IF internal.caller_in_roles(N'ssis_admin,sysadmin') = 0 EXEC internal.raise_catalog_error 27140, N'ssis_admin, sysadmin';
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    SET @now = internal.now_utc();
    INSERT INTO @expired (TaskId, IsCancelled, MaxExecutedCount, ExecutedCount, InputData)
    SELECT TaskId, IsCancelled, MaxExecutedCount, ExecutedCount, InputData
    FROM internal.tasks WITH (UPDLOCK, READPAST, ROWLOCK)
    WHERE Status IN (2, 3) AND ExpiredTime IS NOT NULL AND ExpiredTime <= @now
    ORDER BY ExpiredTime, SequenceNumber;
    WHILE 1 = 1
    BEGIN
      SELECT TOP (1) @seq = seq, @task = TaskId, @cancelled = IsCancelled, @max = MaxExecutedCount, @executed = ExecutedCount, @input = InputData
      FROM @expired WHERE seq > @seq ORDER BY seq;
      IF @@ROWCOUNT = 0 BREAK;
      SET @execution = NULL;
      IF ISJSON(@input) = 1
        SELECT @execution = TRY_CONVERT(bigint, JSON_VALUE(j.value, N'$.value'))
        FROM OPENJSON(@input) AS j WHERE JSON_VALUE(j.value, N'$.name') = N'execution_id';
      SET @status = CASE WHEN @cancelled = 1 THEN 6 WHEN @max > @executed THEN 1 ELSE 4 END;
      SET @op = NULL;
      IF @status = 1
        UPDATE internal.tasks SET Status = 1, ReadyForDispatchTime = @now, WorkerAgentId = NULL, ExpiredTime = NULL, LastUpdatedTime = @now
        WHERE TaskId = @task;
      ELSE
      BEGIN
        UPDATE internal.tasks SET Status = @status, ExpiredTime = NULL, LastUpdatedTime = @now WHERE TaskId = @task;
        EXEC internal.finish_execution @TaskId = @task, @task_status = @status, @lease_lost = 1, @operation_status = @op OUTPUT;
      END
      INSERT INTO @outcomes (seq, TaskId, execution_id, task_status, operation_status) VALUES (@seq, @task, COALESCE(@execution, -1), @status, @op);
    END
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  SELECT TaskId, execution_id, task_status, operation_status FROM @outcomes ORDER BY seq;
  RETURN 0;
END
