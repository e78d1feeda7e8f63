-- Object:     [catalog].create_environment_variable (procedure)
-- Purpose:    Creates a variable in an environment (issue 14): MODIFY on the environment. @data_type is
--             an SSIS type (case-insensitive, stored as spelled by the catalog); the value must fit it
--             (internal.coerce_parameter_value, 27147). A sensitive value is stored only encrypted
--             (internal.encrypt_sensitive_value), never in clear.
-- Parameters: @folder_name, @environment_name, @variable_name nvarchar(128); @data_type nvarchar(128);
--             @sensitive bit; @value sql_variant; @description nvarchar(1024) = NULL;
--             @variable_id bigint = NULL OUTPUT (ours)
-- Results:    none
-- Returns:    0; raises 27100/27102/27400 (names, NULLs), 27182 (environment), 27101 (data type or a
--             value too long to encrypt), 27147 (value does not fit the type), 27411 (duplicate)
CREATE OR ALTER PROCEDURE [catalog].create_environment_variable
  @folder_name      nvarchar(128),
  @environment_name nvarchar(128),
  @variable_name    nvarchar(128),
  @data_type        nvarchar(128),
  @sensitive        bit,
  @value            sql_variant,
  @description      nvarchar(1024) = NULL,
  @variable_id      bigint = NULL OUTPUT
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @environment_id bigint, @environment nvarchar(128), @type nvarchar(128), @stored sql_variant, @secret varbinary(8000), @text nvarchar(4000);
  BEGIN TRY
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    EXEC internal.check_object_name N'folder_name', @folder_name;
    EXEC internal.check_object_name N'environment_name', @environment_name;
    EXEC internal.find_environment @folder_name, @environment_name, 2, @environment_id OUTPUT, NULL, @environment OUTPUT;
    EXEC internal.check_identifier_name N'variable_name', @variable_name;
    IF @data_type IS NULL EXEC internal.raise_catalog_error 27100, N'data_type';
    SELECT @type = t.name FROM (VALUES (N'Boolean'), (N'Byte'), (N'DateTime'), (N'Decimal'), (N'Double'), (N'Int16'), (N'Int32'), (N'Int64'),
                                       (N'SByte'), (N'Single'), (N'String'), (N'UInt32'), (N'UInt64')) AS t (name)
    WHERE t.name = @data_type COLLATE Latin1_General_100_CI_AS;
    IF @type IS NULL EXEC internal.raise_catalog_error 27101, N'data_type';
    IF @sensitive IS NULL EXEC internal.raise_catalog_error 27100, N'sensitive';
    IF @value IS NULL EXEC internal.raise_catalog_error 27100, N'value';
    SET @stored = internal.coerce_parameter_value(@type, @value);
    IF @stored IS NULL EXEC internal.raise_catalog_error 27147, @variable_name, @type;
    IF EXISTS (SELECT 1 FROM internal.environment_variables WITH (UPDLOCK, HOLDLOCK)
               WHERE environment_id = @environment_id AND name = @variable_name COLLATE Latin1_General_100_BIN2)
      EXEC internal.raise_catalog_error 27411, @variable_name, @environment;
    IF @sensitive = 1
    BEGIN
      SET @text = internal.value_text(@stored);
      EXEC internal.encrypt_sensitive_value @text, N'value', @secret OUTPUT;
    END
    INSERT INTO internal.environment_variables (environment_id, name, description, type, sensitive, value, sensitive_value, base_data_type)
    VALUES (@environment_id, @variable_name, @description, @type, @sensitive, CASE WHEN @sensitive = 1 THEN NULL ELSE @stored END, @secret, @type);
    SET @variable_id = CONVERT(bigint, SCOPE_IDENTITY());
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
