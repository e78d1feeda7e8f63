-- Object:     [catalog].set_environment_variable_protection (procedure)
-- Purpose:    Makes a variable sensitive or not (issue 14): MODIFY on the environment. Sensitive: the
--             value is encrypted and the clear column emptied; not sensitive: it is decrypted back into
--             the clear column (in its type's storage type, internal.sensitive_value).
-- Parameters: @folder_name, @environment_name, @variable_name nvarchar(128); @sensitive bit
-- Results:    none
-- Returns:    0; raises 27100/27102/27400, 27182, 27183, 27101 (too long to encrypt); error 50000 (no
--             SSISDB number, as the embedded catalog's SSO_ERR_CATALOG_IO) when a value cannot be decrypted
CREATE OR ALTER PROCEDURE [catalog].set_environment_variable_protection
  @folder_name      nvarchar(128),
  @environment_name nvarchar(128),
  @variable_name    nvarchar(128),
  @sensitive        bit
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @variable_id bigint, @type nvarchar(128), @was bit, @secret varbinary(8000), @text nvarchar(4000),
          @clear sql_variant, @had_secret bit, @message nvarchar(2048);
  BEGIN TRY
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    EXEC internal.find_environment_variable @folder_name, @environment_name, @variable_name, 2, @variable_id OUTPUT, NULL, @type OUTPUT, @was OUTPUT;
    IF @sensitive IS NULL EXEC internal.raise_catalog_error 27100, N'sensitive';
    IF @sensitive = 1 AND @was = 0
    BEGIN
      SET @text = internal.value_text((SELECT value FROM internal.environment_variables WHERE variable_id = @variable_id));
      EXEC internal.encrypt_sensitive_value @text, N'value', @secret OUTPUT;
      UPDATE internal.environment_variables SET sensitive = 1, value = NULL, sensitive_value = @secret WHERE variable_id = @variable_id;
    END
    IF @sensitive = 0 AND @was = 1
    BEGIN
      -- DECRYPTBYKEYAUTOCERT returns NULL (no error) when it cannot decrypt (master key not open after a
      -- move to another instance, damaged ciphertext): refuse rather than store NULL and lose the value.
      SELECT @clear = internal.sensitive_value(@type, CONVERT(varbinary(8000), sensitive_value)),
             @had_secret = CASE WHEN sensitive_value IS NULL THEN 0 ELSE 1 END
      FROM internal.environment_variables WHERE variable_id = @variable_id;
      IF @had_secret = 1 AND @clear IS NULL
      BEGIN
        SET @message = N'The sensitive value of environment variable ''' + @variable_name
          + N''' cannot be decrypted (DECRYPTBYKEYAUTOCERT returned NULL: is the database master key open on this instance?)';
        THROW 50000, @message, 1;
      END
      UPDATE internal.environment_variables
      SET sensitive = 0, value = @clear, sensitive_value = NULL
      WHERE variable_id = @variable_id;
    END
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
