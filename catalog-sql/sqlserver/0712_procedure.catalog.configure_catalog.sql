-- Object:     [catalog].configure_catalog (procedure)
-- Purpose:    Changes a catalog property (reference §4.2) after checking its value, refused while
--             executions are active (2, 5, 8); records operation 1000 (status 7).
--             Rules: DEFAULT_EXECUTION_MODE 0|1; SERVER_LOGGING_LEVEL 0–4|100; RETENTION_WINDOW -1 or
--             ≥ 1 (days); MAX_PROJECT_VERSIONS ≥ 1; OPERATION_/VERSION_CLEANUP_ENABLED TRUE|FALSE (any
--             case, stored upper); VALIDATION_TIMEOUT ≥ 1; SERVER_OPERATION_ENCRYPTION_LEVEL 1|2;
--             ENCRYPTION_ALGORITHM one of DES, TRIPLE_DES, TRIPLE_DES_3KEY, DESX, AES_128/192/256.
-- Parameters: @property_name nvarchar(255); @property_value nvarchar(255)
-- Results:    none
-- Returns:    0; raises 27140, 27100 (NULLs), 27409 (unknown property or bad value), 27139 (active executions)
CREATE OR ALTER PROCEDURE [catalog].configure_catalog
  @property_name  nvarchar(255),
  @property_value nvarchar(255)
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @name nvarchar(255), @v nvarchar(255), @stored nvarchar(255) = NULL, @n bigint, @op bigint;
  BEGIN TRY
    IF internal.caller_in_roles(N'ssis_admin,sysadmin') = 0 EXEC internal.raise_catalog_error 27140, N'ssis_admin, sysadmin';
    IF @property_name IS NULL EXEC internal.raise_catalog_error 27100, N'property_name';
    IF @property_value IS NULL EXEC internal.raise_catalog_error 27100, N'property_value';
    SET @name = UPPER(LTRIM(RTRIM(@property_name)));
    SET @v = LTRIM(RTRIM(@property_value));
    SET @n = CASE WHEN @v NOT LIKE N'%[^0-9]%' AND @v <> N'' AND LEN(@v) <= 18 THEN CONVERT(bigint, @v)
                  WHEN @v LIKE N'-%' AND SUBSTRING(@v, 2, 18) NOT LIKE N'%[^0-9]%' AND LEN(@v) BETWEEN 2 AND 19 THEN CONVERT(bigint, @v) END;
    IF @name = N'DEFAULT_EXECUTION_MODE' AND @v IN (N'0', N'1') SET @stored = @v;
    ELSE IF @name = N'SERVER_LOGGING_LEVEL' AND @v NOT LIKE N'-%' AND @n IN (0, 1, 2, 3, 4, 100) SET @stored = CONVERT(nvarchar(20), @n);
    ELSE IF @name = N'RETENTION_WINDOW' AND @n >= -1 AND @n <> 0 AND @n <= 2147483647 SET @stored = CONVERT(nvarchar(20), @n);
    ELSE IF @name = N'MAX_PROJECT_VERSIONS' AND @v NOT LIKE N'-%' AND @n >= 1 AND @n <= 2147483647 SET @stored = CONVERT(nvarchar(20), @n);
    ELSE IF @name IN (N'OPERATION_CLEANUP_ENABLED', N'VERSION_CLEANUP_ENABLED') AND UPPER(@v) IN (N'TRUE', N'FALSE') SET @stored = UPPER(@v);
    ELSE IF @name = N'VALIDATION_TIMEOUT' AND @v NOT LIKE N'-%' AND @n >= 1 SET @stored = CONVERT(nvarchar(20), @n);
    ELSE IF @name = N'SERVER_OPERATION_ENCRYPTION_LEVEL' AND @v IN (N'1', N'2') SET @stored = @v;
    ELSE IF @name = N'ENCRYPTION_ALGORITHM' AND UPPER(@v) IN (N'DES', N'TRIPLE_DES', N'TRIPLE_DES_3KEY', N'DESX', N'AES_128', N'AES_192', N'AES_256')
      SET @stored = UPPER(@v);
    IF @stored IS NULL EXEC internal.raise_catalog_error 27409, @property_name, @property_value;
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    IF EXISTS (SELECT 1 FROM internal.operations WHERE status IN (2, 5, 8)) EXEC internal.raise_catalog_error 27139;
    UPDATE internal.catalog_properties SET property_value = @stored WHERE property_name = @name;
    EXEC internal.insert_operation @operation_type = 1000, @status = 7, @object_type = NULL, @object_id = NULL, @object_name = @name,
                                   @started = 1, @operation_id = @op OUTPUT;
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
