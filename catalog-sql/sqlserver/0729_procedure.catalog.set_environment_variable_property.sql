-- Object:     [catalog].set_environment_variable_property (procedure)
-- Purpose:    Sets a property of a variable (issue 14): MODIFY on the environment; the only property is
--             Description (case-insensitive), at most 1024 characters.
-- Parameters: @folder_name, @environment_name, @variable_name nvarchar(128); @property_name nvarchar(128);
--             @property_value nvarchar(4000)
-- Results:    none
-- Returns:    0; raises 27100/27102/27400, 27182, 27183, 27101 (property name, or a description over 1024)
CREATE OR ALTER PROCEDURE [catalog].set_environment_variable_property
  @folder_name      nvarchar(128),
  @environment_name nvarchar(128),
  @variable_name    nvarchar(128),
  @property_name    nvarchar(128),
  @property_value   nvarchar(4000)
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @variable_id bigint;
  BEGIN TRY
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    EXEC internal.find_environment_variable @folder_name, @environment_name, @variable_name, 2, @variable_id OUTPUT;
    IF @property_name IS NULL EXEC internal.raise_catalog_error 27100, N'property_name';
    IF LOWER(@property_name) <> N'description' COLLATE Latin1_General_100_BIN2 EXEC internal.raise_catalog_error 27101, N'property_name';
    IF LEN(@property_value + N'x') - 1 > 1024 EXEC internal.raise_catalog_error 27101, N'property_value';
    UPDATE internal.environment_variables SET description = @property_value WHERE variable_id = @variable_id;
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
