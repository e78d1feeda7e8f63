-- Object:     internal.pull_task (procedure)
-- Purpose:    Atomically claims the oldest ready task this worker may run (reference §1.5 step 4): FIFO by
--             ReadyForDispatchTime (SequenceNumber breaks ties), among jobs allowing this worker or the
--             any-worker sentinel. The claim is one UPDATE over a TOP (1) CTE read WITH (UPDLOCK,
--             READPAST, ROWLOCK): concurrent callers (several masters) skip each other's locked rows and
--             never claim one task twice. Claim: Status 2, ExecutedCount + 1 (the attempt, fencing
--             token), WorkerAgentId, ReadyForDispatchTime NULL, ExpiredTime = now + lease, LastPickupTime.
-- Parameters: @WorkerAgentId uniqueidentifier; @ExplicitAssignOnly bit = 0 (2019: only tasks whose
--             CandidateWorkerAgentId is this worker); @LeaseInMs int = 300000 (ours: the original's
--             hard-coded 5 minutes is the default); @OnlineWindowInMs int = 300000 (ours: routing by script
--             capability, runtime/catalog/script-routing.ts: a worker whose ScriptTasks machine property
--             says 'unsupported…' skips a task with RequiresScripts while another enabled worker the job
--             allows, seen within this window, can run scripts)
-- Results:    zero or one row: TaskId, JobId, TaskType, MaxExecutedCount, ExecutedCount, InputData, Status,
--             ReadyForDispatchTime, LastUpdatedTime, Priority, IsCritical, ExpiredTime, CreatedTime,
--             WorkerAgentId, CreateWorkerAgentId, IsCancelled, LastPickupTime
-- Returns:    0; raises 27140 (role), 27100 (NULL worker), 27101 (sentinel, lease ≤ 0), 27243 (unknown
--             worker), 27252 (disabled worker)
CREATE OR ALTER PROCEDURE internal.pull_task
  @WorkerAgentId      uniqueidentifier,
  @ExplicitAssignOnly bit = 0,
  @LeaseInMs          int = 300000,
  @OnlineWindowInMs   int = 300000
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @enabled bit, @now datetimeoffset(7), @any uniqueidentifier = '11111111-1111-1111-1111-111111111111';
  DECLARE @claimed TABLE (TaskId uniqueidentifier NOT NULL);
  BEGIN TRY
    IF internal.caller_in_roles(N'ssis_admin,sysadmin') = 0 EXEC internal.raise_catalog_error 27140, N'ssis_admin, sysadmin';
    IF @WorkerAgentId IS NULL EXEC internal.raise_catalog_error 27100, N'WorkerAgentId';
    IF @WorkerAgentId = @any EXEC internal.raise_catalog_error 27101, N'WorkerAgentId';
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    SELECT @enabled = IsEnabled FROM internal.worker_agents WHERE WorkerAgentId = @WorkerAgentId;
    IF @enabled IS NULL EXEC internal.raise_catalog_error 27243, @WorkerAgentId;
    IF @enabled = 0 EXEC internal.raise_catalog_error 27252, @WorkerAgentId;
    IF @LeaseInMs IS NULL OR @LeaseInMs <= 0 EXEC internal.raise_catalog_error 27101, N'leaseMs';
    IF @OnlineWindowInMs IS NULL OR @OnlineWindowInMs <= 0 SET @OnlineWindowInMs = 300000;
    SET @now = internal.now_utc();
    WITH next_task AS (
      SELECT TOP (1) t.*
      FROM internal.tasks AS t WITH (UPDLOCK, READPAST, ROWLOCK)
      WHERE t.ReadyForDispatchTime IS NOT NULL AND t.Status = 1
        AND (t.CandidateWorkerAgentId IS NULL OR t.CandidateWorkerAgentId = @WorkerAgentId)
        AND (@ExplicitAssignOnly = 0 OR t.CandidateWorkerAgentId = @WorkerAgentId)
        AND EXISTS (SELECT 1 FROM internal.job_worker_agents AS j
                    WHERE j.JobId = t.JobId AND j.WorkerAgentId IN (@WorkerAgentId, @any))
        AND (t.RequiresScripts = 0
          OR NOT EXISTS (SELECT 1 FROM internal.machine_properties AS mp WHERE mp.WorkerAgentId = @WorkerAgentId
                         AND mp.PropertyName = N'ScriptTasks' AND mp.PropertyValue LIKE N'unsupported%')
          OR NOT EXISTS (SELECT 1 FROM internal.worker_agents AS sw
                         JOIN internal.job_worker_agents AS sj ON sj.JobId = t.JobId AND sj.WorkerAgentId IN (sw.WorkerAgentId, @any)
                         WHERE sw.IsEnabled = 1 AND sw.LastOnlineTime >= DATEADD(millisecond, -@OnlineWindowInMs, @now)
                           AND NOT EXISTS (SELECT 1 FROM internal.machine_properties AS mp WHERE mp.WorkerAgentId = sw.WorkerAgentId
                                           AND mp.PropertyName = N'ScriptTasks' AND mp.PropertyValue LIKE N'unsupported%')))
      ORDER BY t.ReadyForDispatchTime, t.SequenceNumber
    )
    UPDATE next_task
    SET Status = 2, ExecutedCount = ExecutedCount + 1, WorkerAgentId = @WorkerAgentId, ReadyForDispatchTime = NULL,
        ExpiredTime = DATEADD(millisecond, @LeaseInMs, @now), LastPickupTime = @now, LastUpdatedTime = @now
    OUTPUT inserted.TaskId INTO @claimed (TaskId);
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  SELECT t.TaskId, t.JobId, t.TaskType, t.MaxExecutedCount, t.ExecutedCount, t.InputData, t.Status, t.ReadyForDispatchTime,
         t.LastUpdatedTime, t.Priority, t.IsCritical, t.ExpiredTime, t.CreatedTime, t.WorkerAgentId, t.CreateWorkerAgentId,
         t.IsCancelled, t.LastPickupTime
  FROM internal.tasks AS t JOIN @claimed AS c ON c.TaskId = t.TaskId;
  RETURN 0;
END
