-- Object:     [catalog].delete_worker_agent (procedure)
-- Purpose:    Deletes a worker; its machine properties and perf counters cascade, job_worker_agents rows stay (as SSISDB).
-- Parameters: @WorkerAgentId uniqueidentifier
-- Results:    none
-- Returns:    0; raises 27140 (not ssis_admin/sysadmin), 27100 (NULL id), 27101 (sentinel id), 27243 (unknown worker)
CREATE OR ALTER PROCEDURE [catalog].delete_worker_agent
  @WorkerAgentId uniqueidentifier
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0;
  BEGIN TRY
    IF internal.caller_in_roles(N'ssis_admin,sysadmin') = 0 EXEC internal.raise_catalog_error 27140, N'ssis_admin, sysadmin';
    IF @WorkerAgentId IS NULL EXEC internal.raise_catalog_error 27100, N'WorkerAgentId';
    IF @WorkerAgentId = '11111111-1111-1111-1111-111111111111' EXEC internal.raise_catalog_error 27101, N'WorkerAgentId';
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    IF NOT EXISTS (SELECT 1 FROM internal.worker_agents WITH (UPDLOCK, HOLDLOCK) WHERE WorkerAgentId = @WorkerAgentId)
      EXEC internal.raise_catalog_error 27243, @WorkerAgentId;
    DELETE FROM internal.worker_agents WHERE WorkerAgentId = @WorkerAgentId;
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
