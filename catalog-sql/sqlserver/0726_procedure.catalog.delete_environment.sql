-- Object:     [catalog].delete_environment (procedure)
-- Purpose:    Deletes an environment (issue 14): MODIFY on it. Its variables and explicit permissions go
--             with it; references stay (and fail at create_execution with 27182).
-- Parameters: @folder_name nvarchar(128); @environment_name nvarchar(128)
-- Results:    none
-- Returns:    0; raises 27100/27102/27400 (names), 27182 (no such environment or no MODIFY)
CREATE OR ALTER PROCEDURE [catalog].delete_environment
  @folder_name      nvarchar(128),
  @environment_name nvarchar(128)
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @environment_id bigint;
  BEGIN TRY
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    EXEC internal.check_object_name N'folder_name', @folder_name;
    EXEC internal.check_object_name N'environment_name', @environment_name;
    EXEC internal.find_environment @folder_name, @environment_name, 2, @environment_id OUTPUT;
    DELETE FROM internal.environment_variables WHERE environment_id = @environment_id;
    DELETE FROM internal.environments WHERE environment_id = @environment_id;
    DELETE FROM internal.object_permissions WHERE object_type = 3 AND object_id = @environment_id;
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
