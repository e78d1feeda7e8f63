-- Object:     internal.update_task_status (procedure)
-- Purpose:    A worker's report on a task it holds, with the rules of reference §4.4 and attempt
--             fencing: only the owner's current attempt, on a task still leased (2/3), with a status
--             that does not go back. 2/3 renew the lease (answer 6 when the task was cancelled: stop
--             the run); 5 succeeds; 4/6 re-queue while retries are left and the task is not cancelled,
--             else become final (6 when cancelled). A final task moves its execution in the same
--             transaction (internal.finish_execution). A disabled worker is NOT refused: it drains.
-- Parameters: @WorkerAgentId uniqueidentifier; @TaskId uniqueidentifier; @ExpiredTime datetimeoffset(7)
--             (new lease end for 2/3); @Status int OUTPUT: in the reported status (2–6), out the effective
--             one (reported, 6 = cancelled, 1 = re-queued); @Attempt int = NULL (ours: the claim's
--             ExecutedCount; NULL skips fencing as the original); @OperationStatus int = NULL OUTPUT
--             (ours: the status the execution moved to, NULL when it did not move)
-- Results:    none
-- Returns:    0; raises 27140, 27100, 27101 (Status, ExpiredTime), 27246 (no matching leased task)
CREATE OR ALTER PROCEDURE internal.update_task_status
  @WorkerAgentId   uniqueidentifier,
  @TaskId          uniqueidentifier,
  @ExpiredTime     datetimeoffset(7),
  @Status          int OUTPUT,
  @Attempt         int = NULL,
  @OperationStatus int = NULL OUTPUT
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @now datetimeoffset(7), @reported int = @Status;
  DECLARE @owner uniqueidentifier, @current int, @executed int, @max int, @cancelled bit, @final int, @op int;
  SET @OperationStatus = NULL;
  BEGIN TRY
    IF internal.caller_in_roles(N'ssis_admin,sysadmin') = 0 EXEC internal.raise_catalog_error 27140, N'ssis_admin, sysadmin';
    IF @WorkerAgentId IS NULL EXEC internal.raise_catalog_error 27100, N'WorkerAgentId';
    IF @TaskId IS NULL EXEC internal.raise_catalog_error 27100, N'TaskId';
    IF @reported IS NULL OR @reported NOT IN (2, 3, 4, 5, 6) EXEC internal.raise_catalog_error 27101, N'Status';
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    SELECT @owner = WorkerAgentId, @current = Status, @executed = ExecutedCount, @max = MaxExecutedCount, @cancelled = IsCancelled
    FROM internal.tasks WITH (UPDLOCK, ROWLOCK) WHERE TaskId = @TaskId;
    IF @current IS NULL OR @owner IS NULL OR @owner <> @WorkerAgentId OR @current NOT IN (2, 3) OR @reported < @current
       OR (@Attempt IS NOT NULL AND @Attempt <> @executed)
      EXEC internal.raise_catalog_error 27246, @TaskId;
    SET @now = internal.now_utc();
    IF @reported IN (2, 3)
    BEGIN
      IF @ExpiredTime IS NULL EXEC internal.raise_catalog_error 27101, N'ExpiredTime';
      UPDATE internal.tasks SET Status = @reported, ExpiredTime = @ExpiredTime, LastUpdatedTime = @now WHERE TaskId = @TaskId;
      SET @Status = CASE WHEN @cancelled = 1 THEN 6 ELSE @reported END;
    END
    ELSE IF @reported = 5
    BEGIN
      UPDATE internal.tasks SET Status = 5, ExpiredTime = NULL, LastUpdatedTime = @now WHERE TaskId = @TaskId;
      EXEC internal.finish_execution @TaskId = @TaskId, @task_status = 5, @lease_lost = 0, @operation_status = @op OUTPUT;
      SET @Status = 5;
      SET @OperationStatus = @op;
    END
    ELSE IF @cancelled = 0 AND @max > @executed
    BEGIN
      UPDATE internal.tasks SET Status = 1, ReadyForDispatchTime = @now, WorkerAgentId = NULL, ExpiredTime = NULL, LastUpdatedTime = @now
      WHERE TaskId = @TaskId;
      SET @Status = 1;
    END
    ELSE
    BEGIN
      SET @final = CASE WHEN @cancelled = 1 THEN 6 ELSE @reported END;
      UPDATE internal.tasks SET Status = @final, ExpiredTime = NULL, LastUpdatedTime = @now WHERE TaskId = @TaskId;
      EXEC internal.finish_execution @TaskId = @TaskId, @task_status = @final, @lease_lost = 0, @operation_status = @op OUTPUT;
      SET @Status = @reported;
      SET @OperationStatus = @op;
    END
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
