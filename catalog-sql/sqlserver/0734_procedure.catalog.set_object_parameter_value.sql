-- Object:     [catalog].set_object_parameter_value (procedure)
-- Purpose:    A parameter's server value (issue 14): MODIFY on the project. @value_type 'V' stores a
--             value of the parameter's type (27147), encrypted when the parameter is sensitive; 'R' makes
--             the parameter take the environment variable named by @parameter_value (a variable name,
--             27101 when not text, 27400 when not a valid name) when an execution is created with a
--             reference. Kept across redeploys (internal.deploy_project_parsed).
-- Parameters: @object_type smallint; @folder_name, @project_name nvarchar(128); @parameter_name nvarchar(128);
--             @parameter_value sql_variant; @object_name nvarchar(260) = NULL; @value_type char(1) = 'V'
-- Results:    none
-- Returns:    0; raises 27101 (value type, object type), 27100, 27403, 27176, 27147, 27400
CREATE OR ALTER PROCEDURE [catalog].set_object_parameter_value
  @object_type     smallint,
  @folder_name     nvarchar(128),
  @project_name    nvarchar(128),
  @parameter_name  nvarchar(128),
  @parameter_value sql_variant,
  @object_name     nvarchar(260) = NULL,
  @value_type      char(1) = 'V'
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @type char(1) = UPPER(ISNULL(@value_type, 'V')), @parameter_id bigint, @data_type nvarchar(128), @sensitive bit, @stored sql_variant, @secret varbinary(8000), @text nvarchar(4000), @variable nvarchar(4000);
  BEGIN TRY
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    IF @type NOT IN ('V', 'R') EXEC internal.raise_catalog_error 27101, N'value_type';
    EXEC internal.find_object_parameter @object_type, @folder_name, @project_name, @object_name, @parameter_name, @parameter_id OUTPUT, @data_type OUTPUT, @sensitive OUTPUT;
    IF @parameter_value IS NULL EXEC internal.raise_catalog_error 27100, N'parameter_value';
    IF @type = 'R'
    BEGIN
      IF CONVERT(sysname, SQL_VARIANT_PROPERTY(@parameter_value, 'BaseType')) NOT IN (N'nvarchar', N'varchar', N'nchar', N'char')
        EXEC internal.raise_catalog_error 27101, N'parameter_value';
      SET @variable = CONVERT(nvarchar(4000), @parameter_value);
      EXEC internal.check_identifier_name N'parameter_value', @variable;
      UPDATE internal.object_parameters
      SET value_type = 'R', referenced_variable_name = @variable, value_set = 1, default_value = NULL, sensitive_default_value = NULL
      WHERE parameter_id = @parameter_id;
    END
    ELSE
    BEGIN
      SET @stored = internal.coerce_parameter_value(@data_type, @parameter_value);
      IF @stored IS NULL EXEC internal.raise_catalog_error 27147, @parameter_name, @data_type;
      IF @sensitive = 1
      BEGIN
        SET @text = internal.value_text(@stored);
        EXEC internal.encrypt_sensitive_value @text, N'parameter_value', @secret OUTPUT;
      END
      UPDATE internal.object_parameters
      SET value_type = 'V', referenced_variable_name = NULL, value_set = 1,
          default_value = CASE WHEN @sensitive = 1 THEN NULL ELSE @stored END, sensitive_default_value = @secret
      WHERE parameter_id = @parameter_id;
    END
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
