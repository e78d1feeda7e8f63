-- Object:     internal.update_operation_status_for_task (procedure)
-- Purpose:    The master marks an execution from its task: 2 → pending (5) becomes running (2) (a stop
--             that arrived meanwhile, 8, or a final state is kept) and machine_name, worker_agent_id and
--             executed_count are recorded; 3/4/6/7/9 → that status and end_time, unless already final.
--             Other values are ignored (reference §4.3).
-- Parameters: @status int; @operation_id bigint; @agent_id uniqueidentifier = NULL
-- Results:    none
-- Returns:    0; raises 27140, 27143 (unknown operation)
CREATE OR ALTER PROCEDURE internal.update_operation_status_for_task
  @status       int,
  @operation_id bigint,
  @agent_id     uniqueidentifier = NULL
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @current int, @machine nvarchar(256), @executed int;
  BEGIN TRY
    IF internal.caller_in_roles(N'ssis_admin,sysadmin') = 0 EXEC internal.raise_catalog_error 27140, N'ssis_admin, sysadmin';
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    SELECT @current = status FROM internal.operations WITH (UPDLOCK) WHERE operation_id = @operation_id;
    IF @current IS NULL EXEC internal.raise_catalog_error 27143, @operation_id;
    IF @status = 2
    BEGIN
      IF @agent_id IS NOT NULL SELECT @machine = MachineName FROM internal.worker_agents WHERE WorkerAgentId = @agent_id;
      SELECT TOP (1) @executed = t.ExecutedCount
      FROM internal.tasks AS t JOIN internal.executions AS e ON e.job_id = t.JobId
      WHERE e.execution_id = @operation_id;
      UPDATE internal.operations
      SET status = CASE WHEN status = 5 THEN 2 ELSE status END,
          machine_name = COALESCE(@machine, machine_name),
          worker_agent_id = COALESCE(@agent_id, worker_agent_id),
          executed_count = COALESCE(@executed, executed_count)
      WHERE operation_id = @operation_id;
    END
    ELSE IF @status IN (3, 4, 6, 7, 9) AND @current NOT IN (3, 4, 6, 7, 9)
      UPDATE internal.operations SET status = @status, end_time = internal.now_utc() WHERE operation_id = @operation_id;
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
