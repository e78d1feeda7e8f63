-- Object:     [catalog].add_execution_worker (procedure)
-- Purpose:    Allows one more worker to run a Scale Out execution whose job is not "any worker"
--             (reference §4.1). No status or IsEnabled check, as the original.
-- Parameters: @execution_id bigint; @workeragent_id uniqueidentifier;
--             @workeragent_id_text nvarchar(100) = NULL (ours: the id as text, parsed here after the
--             execution is checked, so a malformed id is 27101 in SSISDB's order, not a conversion error)
-- Results:    none
-- Returns:    0; raises 27100, 27103, 27255 (not Scale Out), 27101 (sentinel), 27251 (any-worker job),
--             27243 (unknown worker), 27406 (already added)
CREATE OR ALTER PROCEDURE [catalog].add_execution_worker
  @execution_id   bigint,
  @workeragent_id uniqueidentifier,
  @workeragent_id_text nvarchar(100) = NULL
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @status int, @caller nvarchar(128), @job uniqueidentifier, @any uniqueidentifier = '11111111-1111-1111-1111-111111111111';
  BEGIN TRY
    IF @workeragent_id IS NULL AND @workeragent_id_text IS NULL EXEC internal.raise_catalog_error 27100, N'workeragent_id';
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    IF @execution_id IS NULL EXEC internal.raise_catalog_error 27100, N'execution_id';
    SELECT @status = o.status, @caller = o.caller_name, @job = e.job_id
    FROM internal.executions AS e JOIN internal.operations AS o WITH (UPDLOCK) ON o.operation_id = e.execution_id
    WHERE e.execution_id = @execution_id;
    IF @status IS NULL OR internal.caller_may_modify_operation(@execution_id, @caller) = 0
      EXEC internal.raise_catalog_error 27103, @execution_id;
    IF @job IS NULL EXEC internal.raise_catalog_error 27255, @execution_id;
    IF @workeragent_id IS NULL
    BEGIN
      SET @workeragent_id = TRY_CONVERT(uniqueidentifier, LTRIM(RTRIM(@workeragent_id_text)));
      IF @workeragent_id IS NULL EXEC internal.raise_catalog_error 27101, N'workeragent_id';
    END
    IF @workeragent_id = @any EXEC internal.raise_catalog_error 27101, N'workeragent_id';
    IF EXISTS (SELECT 1 FROM internal.job_worker_agents WHERE JobId = @job AND WorkerAgentId = @any) EXEC internal.raise_catalog_error 27251;
    IF NOT EXISTS (SELECT 1 FROM internal.worker_agents WHERE WorkerAgentId = @workeragent_id) EXEC internal.raise_catalog_error 27243, @workeragent_id;
    IF EXISTS (SELECT 1 FROM internal.job_worker_agents WITH (UPDLOCK, HOLDLOCK) WHERE JobId = @job AND WorkerAgentId = @workeragent_id)
      EXEC internal.raise_catalog_error 27406, @workeragent_id, @execution_id;
    INSERT INTO internal.job_worker_agents (JobId, WorkerAgentId) VALUES (@job, @workeragent_id);
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
