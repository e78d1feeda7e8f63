-- Object:     [catalog].set_execution_property_override_value (procedure)
-- Purpose:    Sets a package property override of a created (status 1) execution, one per path
--             (reference §4.2); READ + MODIFY on the execution; a sensitive value is stored only
--             encrypted (internal.encrypt_sensitive_value: at most 3950 characters, else 27101).
-- Parameters: @execution_id bigint; @property_path nvarchar(4000); @property_value nvarchar(max);
--             @sensitive bit
-- Results:    none
-- Returns:    0; raises 27100, 27103, 27102 (blank path), 27224 (started)
CREATE OR ALTER PROCEDURE [catalog].set_execution_property_override_value
  @execution_id   bigint,
  @property_path  nvarchar(4000),
  @property_value nvarchar(max),
  @sensitive      bit
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @status int, @caller nvarchar(128), @job uniqueidentifier, @s bit = ISNULL(@sensitive, 0), @secret varbinary(8000);
  BEGIN TRY
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    IF @execution_id IS NULL EXEC internal.raise_catalog_error 27100, N'execution_id';
    SELECT @status = o.status, @caller = o.caller_name, @job = e.job_id
    FROM internal.executions AS e JOIN internal.operations AS o WITH (UPDLOCK) ON o.operation_id = e.execution_id
    WHERE e.execution_id = @execution_id;
    IF @status IS NULL OR internal.caller_may_modify_operation(@execution_id, @caller) = 0
      EXEC internal.raise_catalog_error 27103, @execution_id;
    IF @property_path IS NULL EXEC internal.raise_catalog_error 27100, N'property_path';
    IF LTRIM(RTRIM(@property_path)) = N'' EXEC internal.raise_catalog_error 27102, N'property_path';
    IF @property_value IS NULL EXEC internal.raise_catalog_error 27100, N'property_value';
    IF @status <> 1 EXEC internal.raise_catalog_error 27224;
    IF @s = 1 EXEC internal.encrypt_sensitive_value @property_value, N'property_value', @secret OUTPUT;
    UPDATE internal.execution_property_override_values
    SET property_value = CASE WHEN @s = 1 THEN NULL ELSE @property_value END,
        sensitive_property_value = NULL, sensitive_value_encrypted = @secret,
        sensitive = @s
    WHERE execution_id = @execution_id AND property_path = @property_path COLLATE Latin1_General_100_BIN2;
    IF @@ROWCOUNT = 0
      INSERT INTO internal.execution_property_override_values (execution_id, property_path, property_value, sensitive_value_encrypted, sensitive)
      VALUES (@execution_id, @property_path, CASE WHEN @s = 1 THEN NULL ELSE @property_value END, @secret, @s);
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
