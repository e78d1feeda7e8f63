-- Object:     [catalog].stop_operation (procedure)
-- Purpose:    Stops a running execution (reference §1.6): inserts a stop operation (202, status 2),
--             cancels the job (internal.cancel_job) and sets the execution to stopping (8). Unlike the
--             original, a pending (5) Scale Out execution can be stopped too; and when no task is leased
--             (queued, or waiting for a retry) the stop completes at once: execution 3, stop operation 7.
-- Parameters: @operation_id bigint; @stop_operation_id bigint = NULL OUTPUT (ours)
-- Results:    none
-- Returns:    0; raises 27100, 27124 (unknown, not an execution/validation, or not running),
--             27143 (no READ + MODIFY on the operation: internal.caller_may_modify_operation), 27126 (already stopping), 27125 (no job)
CREATE OR ALTER PROCEDURE [catalog].stop_operation
  @operation_id      bigint,
  @stop_operation_id bigint = NULL OUTPUT
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @type smallint, @status int, @caller nvarchar(128), @object_id bigint, @job uniqueidentifier;
  BEGIN TRY
    IF @operation_id IS NULL EXEC internal.raise_catalog_error 27100, N'operation_id';
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    SELECT @type = operation_type, @status = status, @caller = caller_name, @object_id = object_id
    FROM internal.operations WITH (UPDLOCK, HOLDLOCK) WHERE operation_id = @operation_id;
    IF @type IS NULL OR @type NOT IN (200, 300, 301) EXEC internal.raise_catalog_error 27124;
    IF internal.caller_may_modify_operation(@operation_id, @caller) = 0 EXEC internal.raise_catalog_error 27143, @operation_id;
    IF @status = 8 EXEC internal.raise_catalog_error 27126;
    IF @type = 200 SELECT @job = job_id FROM internal.executions WHERE execution_id = @operation_id;
    IF @status <> 2 AND NOT (@status = 5 AND @job IS NOT NULL) EXEC internal.raise_catalog_error 27124;
    IF @job IS NULL EXEC internal.raise_catalog_error 27125;
    EXEC internal.insert_operation @operation_type = 202, @status = 2, @object_type = 20, @object_id = @object_id, @object_name = NULL,
                                   @started = 1, @operation_id = @stop_operation_id OUTPUT;
    EXEC internal.cancel_job @JobId = @job, @stop_id = @stop_operation_id;
    IF EXISTS (SELECT 1 FROM internal.tasks WHERE JobId = @job AND Status IN (2, 3))
      UPDATE internal.operations SET status = 8 WHERE operation_id = @operation_id;
    ELSE
      EXEC internal.complete_cancel @operation_id = @operation_id, @stop_id = @stop_operation_id;
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
