-- Object:     internal.update_cancelled_operation_status (procedure)
-- Purpose:    Finishes a stop the master learned of: the execution → 3 (stopped_by from the stop
--             operation), the stop operation → 7.
-- Parameters: @operation_id bigint: the execution; @stop_id bigint: the type-202 stop operation
-- Results:    none
-- Returns:    0; raises 27140, 27143 (unknown execution or stop operation)
CREATE OR ALTER PROCEDURE internal.update_cancelled_operation_status
  @operation_id bigint,
  @stop_id      bigint
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0;
  BEGIN TRY
    IF internal.caller_in_roles(N'ssis_admin,sysadmin') = 0 EXEC internal.raise_catalog_error 27140, N'ssis_admin, sysadmin';
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    IF NOT EXISTS (SELECT 1 FROM internal.operations WHERE operation_id = @operation_id) EXEC internal.raise_catalog_error 27143, @operation_id;
    IF NOT EXISTS (SELECT 1 FROM internal.operations WHERE operation_id = @stop_id AND operation_type = 202) EXEC internal.raise_catalog_error 27143, @stop_id;
    EXEC internal.complete_cancel @operation_id = @operation_id, @stop_id = @stop_id;
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
