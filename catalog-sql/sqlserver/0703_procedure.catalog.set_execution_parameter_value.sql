-- Object:     [catalog].set_execution_parameter_value (procedure)
-- Purpose:    Sets a parameter value of a created (status 1) execution (reference §4.2); READ + MODIFY on
--             the execution (internal.caller_may_modify_operation); a sensitive value is stored encrypted. Names match
--             case-sensitively; the value must fit the parameter's type (internal.coerce_parameter_value).
--             LOGGING_LEVEL must be 0, 1, 2, 3, 4 or 100; 100 adds a CUSTOMIZED_LOGGING_LEVEL row, any
--             other level removes it. No customized levels exist in this catalog, so any name → 27237.
-- Parameters: @execution_id bigint; @object_type smallint (20 project, 30 package, 50 system);
--             @parameter_name nvarchar(128); @parameter_value sql_variant
-- Results:    none
-- Returns:    0; raises 27100 (NULLs), 27103 (no such execution for the caller), 27101 (object type),
--             27224 (started), 27176 (no such parameter), 27147 (type), 27217 (level), 27237 (custom level)
CREATE OR ALTER PROCEDURE [catalog].set_execution_parameter_value
  @execution_id    bigint,
  @object_type     smallint,
  @parameter_name  nvarchar(128),
  @parameter_value sql_variant
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @status int, @caller nvarchar(128), @job uniqueidentifier, @id bigint, @type nvarchar(128), @sensitive bit, @value sql_variant;
  DECLARE @shown nvarchar(4000), @secret varbinary(8000), @text nvarchar(4000);
  BEGIN TRY
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    IF @execution_id IS NULL EXEC internal.raise_catalog_error 27100, N'execution_id';
    SELECT @status = o.status, @caller = o.caller_name, @job = e.job_id
    FROM internal.executions AS e JOIN internal.operations AS o WITH (UPDLOCK) ON o.operation_id = e.execution_id
    WHERE e.execution_id = @execution_id;
    IF @status IS NULL OR internal.caller_may_modify_operation(@execution_id, @caller) = 0
      EXEC internal.raise_catalog_error 27103, @execution_id;
    IF @object_type IS NULL EXEC internal.raise_catalog_error 27100, N'object_type';
    IF @object_type NOT IN (20, 30, 50) EXEC internal.raise_catalog_error 27101, N'object_type';
    IF @parameter_name IS NULL EXEC internal.raise_catalog_error 27100, N'parameter_name';
    IF @parameter_value IS NULL EXEC internal.raise_catalog_error 27100, N'parameter_value';
    IF @status <> 1 EXEC internal.raise_catalog_error 27224;
    SELECT @id = execution_parameter_id, @type = parameter_data_type, @sensitive = sensitive
    FROM internal.execution_parameter_values
    WHERE execution_id = @execution_id AND object_type = @object_type AND parameter_name = @parameter_name COLLATE Latin1_General_100_BIN2;
    IF @id IS NULL EXEC internal.raise_catalog_error 27176, @parameter_name;
    SET @value = internal.coerce_parameter_value(@type, @parameter_value);
    IF @value IS NULL EXEC internal.raise_catalog_error 27147, @parameter_name, @type;
    SET @shown = CONVERT(nvarchar(4000), @parameter_value);
    IF @object_type = 50 AND @parameter_name = N'LOGGING_LEVEL' COLLATE Latin1_General_100_BIN2
    BEGIN
      IF CONVERT(int, @value) NOT IN (0, 1, 2, 3, 4, 100) EXEC internal.raise_catalog_error 27217, @shown;
      IF CONVERT(int, @value) = 100
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM internal.execution_parameter_values
                       WHERE execution_id = @execution_id AND object_type = 50 AND parameter_name = N'CUSTOMIZED_LOGGING_LEVEL')
          INSERT INTO internal.execution_parameter_values (execution_id, object_type, parameter_data_type, parameter_name, parameter_value, base_data_type)
          VALUES (@execution_id, 50, N'String', N'CUSTOMIZED_LOGGING_LEVEL', NULL, N'String');
      END
      ELSE
        DELETE FROM internal.execution_parameter_values
        WHERE execution_id = @execution_id AND object_type = 50 AND parameter_name = N'CUSTOMIZED_LOGGING_LEVEL';
    END
    IF @object_type = 50 AND @parameter_name = N'CUSTOMIZED_LOGGING_LEVEL' COLLATE Latin1_General_100_BIN2
      EXEC internal.raise_catalog_error 27237, @shown;
    IF @sensitive = 1
    BEGIN
      SET @text = internal.value_text(@value);
      EXEC internal.encrypt_sensitive_value @text, N'parameter_value', @secret OUTPUT;
      UPDATE internal.execution_parameter_values
      SET sensitive_value_encrypted = @secret, sensitive_parameter_value = NULL, parameter_value = NULL, value_set = 1, runtime_override = 1,
          value_source = 'X', referenced_variable_name = NULL
      WHERE execution_parameter_id = @id;
    END
    ELSE
      UPDATE internal.execution_parameter_values
      SET parameter_value = @value, value_set = 1, runtime_override = 1, value_source = 'X', referenced_variable_name = NULL
      WHERE execution_parameter_id = @id;
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
