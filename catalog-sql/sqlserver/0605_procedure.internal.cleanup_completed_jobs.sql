-- Object:     internal.cleanup_completed_jobs (procedure)
-- Purpose:    Moves finished jobs to history (reference §1.5 step 9): jobs with at least one task, every
--             task final (> 3) and untouched for @minutesToKeep, are copied to jobs_history, tasks_history
--             and job_worker_agents_history, then deleted. Also our retention: perf counters older than
--             24 hours; and, when OPERATION_CLEANUP_ENABLED, operations (with their logs, cascading) and
--             history older than RETENTION_WINDOW days, except live ones (2, 5, 8).
-- Parameters: @minutesToKeep int = 60 (NULL or < 0 → 60)
-- Results:    one row: jobs_removed int
-- Returns:    0; raises 27140
CREATE OR ALTER PROCEDURE internal.cleanup_completed_jobs
  @minutesToKeep int = 60
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @now datetimeoffset(7), @cutoff datetimeoffset(7), @old datetimeoffset(7), @window int, @enabled nvarchar(256);
  DECLARE @jobs TABLE (JobId uniqueidentifier PRIMARY KEY);
  DECLARE @removed int = 0;
  BEGIN TRY
    IF internal.caller_in_roles(N'ssis_admin,sysadmin') = 0 EXEC internal.raise_catalog_error 27140, N'ssis_admin, sysadmin';
    IF @minutesToKeep IS NULL OR @minutesToKeep < 0 SET @minutesToKeep = 60;
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    SET @now = internal.now_utc();
    SET @cutoff = DATEADD(minute, -@minutesToKeep, @now);
    INSERT INTO @jobs (JobId)
    SELECT j.JobId FROM internal.jobs AS j
    WHERE EXISTS (SELECT 1 FROM internal.tasks AS t WHERE t.JobId = j.JobId)
      AND NOT EXISTS (SELECT 1 FROM internal.tasks AS t WHERE t.JobId = j.JobId AND (t.Status <= 3 OR t.LastUpdatedTime > @cutoff));
    SET @removed = @@ROWCOUNT;
    DELETE h FROM internal.jobs_history AS h JOIN @jobs AS c ON c.JobId = h.JobId;
    INSERT INTO internal.jobs_history (JobId, IsCancelled, CreatedTime, JobType, InputData, Creator, Priority, LastUpdatedTime)
    SELECT j.JobId, j.IsCancelled, j.CreatedTime, j.JobType, j.InputData, j.Creator, j.Priority, j.LastUpdatedTime
    FROM internal.jobs AS j JOIN @jobs AS c ON c.JobId = j.JobId;
    DELETE h FROM internal.tasks_history AS h JOIN internal.tasks AS t ON t.TaskId = h.TaskId JOIN @jobs AS c ON c.JobId = t.JobId;
    INSERT INTO internal.tasks_history (TaskId, JobId, TaskType, InputData, MaxExecutedCount, ExecutedCount, Status, IsCritical, Priority,
                                        ReadyForDispatchTime, LastUpdatedTime, CreatedTime, WorkerAgentId, ExpiredTime, CreateWorkerAgentId,
                                        IsCancelled, LastPickupTime, CandidateWorkerAgentId)
    SELECT t.TaskId, t.JobId, t.TaskType, t.InputData, t.MaxExecutedCount, t.ExecutedCount, t.Status, t.IsCritical, t.Priority,
           t.ReadyForDispatchTime, t.LastUpdatedTime, t.CreatedTime, t.WorkerAgentId, t.ExpiredTime, t.CreateWorkerAgentId,
           t.IsCancelled, t.LastPickupTime, t.CandidateWorkerAgentId
    FROM internal.tasks AS t JOIN @jobs AS c ON c.JobId = t.JobId;
    DELETE h FROM internal.job_worker_agents_history AS h JOIN @jobs AS c ON c.JobId = h.JobId;
    INSERT INTO internal.job_worker_agents_history (JobId, WorkerAgentId)
    SELECT w.JobId, w.WorkerAgentId FROM internal.job_worker_agents AS w JOIN @jobs AS c ON c.JobId = w.JobId;
    DELETE j FROM internal.jobs AS j JOIN @jobs AS c ON c.JobId = j.JobId;

    DELETE FROM internal.worker_agent_perfcounter WHERE TimeStamp < DATEADD(hour, -24, @now);

    SET @window = TRY_CONVERT(int, (SELECT property_value FROM internal.catalog_properties WHERE property_name = N'RETENTION_WINDOW'));
    SET @enabled = (SELECT UPPER(property_value) FROM internal.catalog_properties WHERE property_name = N'OPERATION_CLEANUP_ENABLED');
    IF @enabled = N'TRUE' AND @window > 0
    BEGIN
      SET @old = DATEADD(day, -@window, @now);
      DELETE j FROM internal.jobs AS j
      WHERE j.JobId IN (SELECT e.job_id FROM internal.executions AS e JOIN internal.operations AS o ON o.operation_id = e.execution_id
                        WHERE o.created_time < @old AND o.status NOT IN (2, 5, 8) AND e.job_id IS NOT NULL);
      DELETE FROM internal.operations WHERE created_time < @old AND status NOT IN (2, 5, 8);
      DELETE FROM internal.tasks_history WHERE JobId IN (SELECT JobId FROM internal.jobs_history WHERE LastUpdatedTime < @old);
      DELETE FROM internal.job_worker_agents_history WHERE JobId IN (SELECT JobId FROM internal.jobs_history WHERE LastUpdatedTime < @old);
      DELETE FROM internal.jobs_history WHERE LastUpdatedTime < @old;
    END
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  SELECT @removed AS jobs_removed;
  RETURN 0;
END
