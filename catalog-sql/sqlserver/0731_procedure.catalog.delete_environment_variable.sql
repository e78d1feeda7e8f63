-- Object:     [catalog].delete_environment_variable (procedure)
-- Purpose:    Deletes a variable (issue 14): MODIFY on the environment. Parameters referencing it fail at
--             create_execution (27183).
-- Parameters: @folder_name, @environment_name, @variable_name nvarchar(128)
-- Results:    none
-- Returns:    0; raises 27100/27102/27400, 27182, 27183
CREATE OR ALTER PROCEDURE [catalog].delete_environment_variable
  @folder_name      nvarchar(128),
  @environment_name nvarchar(128),
  @variable_name    nvarchar(128)
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @variable_id bigint;
  BEGIN TRY
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    EXEC internal.find_environment_variable @folder_name, @environment_name, @variable_name, 2, @variable_id OUTPUT;
    DELETE FROM internal.environment_variables WHERE variable_id = @variable_id;
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
