-- Object:     [catalog].set_environment_variable_value (procedure)
-- Purpose:    Sets a variable's value (issue 14): MODIFY on the environment; the value must fit the
--             variable's type (27147); a sensitive variable's value is stored only encrypted.
-- Parameters: @folder_name, @environment_name, @variable_name nvarchar(128); @value sql_variant
-- Results:    none
-- Returns:    0; raises 27100/27102/27400, 27182, 27183, 27147, 27101 (too long to encrypt)
CREATE OR ALTER PROCEDURE [catalog].set_environment_variable_value
  @folder_name      nvarchar(128),
  @environment_name nvarchar(128),
  @variable_name    nvarchar(128),
  @value            sql_variant
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @variable_id bigint, @type nvarchar(128), @sensitive bit, @name nvarchar(128), @stored sql_variant, @secret varbinary(8000), @text nvarchar(4000);
  BEGIN TRY
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    EXEC internal.find_environment_variable @folder_name, @environment_name, @variable_name, 2, @variable_id OUTPUT, NULL, @type OUTPUT, @sensitive OUTPUT, @name OUTPUT;
    IF @value IS NULL EXEC internal.raise_catalog_error 27100, N'value';
    SET @stored = internal.coerce_parameter_value(@type, @value);
    IF @stored IS NULL EXEC internal.raise_catalog_error 27147, @name, @type;
    IF @sensitive = 1
    BEGIN
      SET @text = internal.value_text(@stored);
      EXEC internal.encrypt_sensitive_value @text, N'value', @secret OUTPUT;
      UPDATE internal.environment_variables SET sensitive_value = @secret, value = NULL WHERE variable_id = @variable_id;
    END
    ELSE
      UPDATE internal.environment_variables SET value = @stored WHERE variable_id = @variable_id;
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
