-- Object:     [catalog].delete_environment_reference (procedure)
-- Purpose:    Deletes a project's environment reference (issue 14): READ + MODIFY on the referencing
--             project; an unknown reference, or one of a project the caller may not modify, is 27208.
-- Parameters: @reference_id bigint
-- Results:    none
-- Returns:    0; raises 27100 (NULL), 27208
CREATE OR ALTER PROCEDURE [catalog].delete_environment_reference
  @reference_id bigint
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @project_id bigint;
  BEGIN TRY
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    IF @reference_id IS NULL EXEC internal.raise_catalog_error 27100, N'reference_id';
    SELECT @project_id = project_id FROM internal.environment_references WITH (UPDLOCK, HOLDLOCK) WHERE reference_id = @reference_id;
    IF @project_id IS NULL OR internal.caller_holds(2, @project_id, 1) = 0 OR internal.caller_holds(2, @project_id, 2) = 0
      EXEC internal.raise_catalog_error 27208, @reference_id;
    DELETE FROM internal.environment_references WHERE reference_id = @reference_id;
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
