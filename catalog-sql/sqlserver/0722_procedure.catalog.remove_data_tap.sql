-- Object:     [catalog].remove_data_tap (procedure)
-- Purpose:    Removes a data tap while its execution is created.
-- Parameters: @data_tap_id bigint
-- Results:    none
-- Returns:    0; raises 27100 (NULL), 27413 (unknown, or not the caller's execution), 27212 (not created)
CREATE OR ALTER PROCEDURE [catalog].remove_data_tap
  @data_tap_id bigint
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @status int, @caller nvarchar(128), @execution_id bigint;
  BEGIN TRY
    IF @data_tap_id IS NULL EXEC internal.raise_catalog_error 27100, N'data_tap_id';
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    SELECT @status = o.status, @caller = o.caller_name, @execution_id = t.execution_id
    FROM internal.execution_data_taps AS t WITH (UPDLOCK)
    JOIN internal.operations AS o WITH (UPDLOCK) ON o.operation_id = t.execution_id
    WHERE t.data_tap_id = @data_tap_id;
    IF @status IS NULL OR internal.caller_may_modify_operation(@execution_id, @caller) = 0
      EXEC internal.raise_catalog_error 27413, @data_tap_id;
    IF @status <> 1 EXEC internal.raise_catalog_error 27212;
    DELETE FROM internal.execution_data_taps WHERE data_tap_id = @data_tap_id;
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
