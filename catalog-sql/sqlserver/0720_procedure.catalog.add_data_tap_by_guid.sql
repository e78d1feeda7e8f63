-- Object:     [catalog].add_data_tap_by_guid (procedure)
-- Purpose:    Adds a data tap on a data flow path of the Data Flow Task with this GUID, while the
--             execution is created (reference §4.2). add_data_tap calls it with a package path instead.
--             The path is checked when the package runs (the catalog does not read packages).
-- Parameters: @execution_id bigint; @dataflow_task_guid uniqueidentifier; @dataflow_path_id_string
--             nvarchar(4000); @data_filename nvarchar(4000) (a bare file name); @max_rows int = NULL
--             (all rows); @data_tap_id bigint OUTPUT; @task_package_path nvarchar(max) = NULL (used by
--             add_data_tap instead of the GUID)
-- Results:    none
-- Returns:    0; raises 27100 (NULLs), 27102 (empty), 27101 (bad GUID, path, file name or max_rows),
--             27103 (unknown or not the caller's), 27212 (not created), 27414 (file already tapped)
CREATE OR ALTER PROCEDURE [catalog].add_data_tap_by_guid
  @execution_id            bigint,
  @dataflow_task_guid      uniqueidentifier,
  @dataflow_path_id_string nvarchar(4000),
  @data_filename           nvarchar(4000),
  @max_rows                int = NULL,
  @data_tap_id             bigint = NULL OUTPUT,
  @task_package_path       nvarchar(max) = NULL
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @status int, @caller nvarchar(128);
  BEGIN TRY
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    IF @execution_id IS NULL EXEC internal.raise_catalog_error 27100, N'execution_id';
    SELECT @status = o.status, @caller = o.caller_name
    FROM internal.executions AS e JOIN internal.operations AS o WITH (UPDLOCK) ON o.operation_id = e.execution_id
    WHERE e.execution_id = @execution_id;
    IF @status IS NULL OR internal.caller_may_modify_operation(@execution_id, @caller) = 0
      EXEC internal.raise_catalog_error 27103, @execution_id;
    IF @task_package_path IS NULL AND @dataflow_task_guid IS NULL
      EXEC internal.raise_catalog_error 27100, N'dataflow_task_guid';
    IF @task_package_path IS NOT NULL AND LTRIM(RTRIM(@task_package_path)) = N'' EXEC internal.raise_catalog_error 27102, N'task_package_path';
    IF @task_package_path IS NOT NULL AND LEFT(@task_package_path, 1) <> N'\' EXEC internal.raise_catalog_error 27101, N'task_package_path';
    IF @dataflow_path_id_string IS NULL EXEC internal.raise_catalog_error 27100, N'dataflow_path_id_string';
    IF LTRIM(RTRIM(@dataflow_path_id_string)) = N'' EXEC internal.raise_catalog_error 27102, N'dataflow_path_id_string';
    IF @data_filename IS NULL EXEC internal.raise_catalog_error 27100, N'data_filename';
    IF LTRIM(RTRIM(@data_filename)) = N'' EXEC internal.raise_catalog_error 27102, N'data_filename';
    -- A bare file name: the worker writes it in its own DataDumps folder and nowhere else.
    IF LEN(@data_filename) > 255 OR @data_filename IN (N'.', N'..') OR @data_filename <> LTRIM(RTRIM(@data_filename))
       OR PATINDEX(N'%[\/:*?"<>|]%', @data_filename) > 0 OR PATINDEX(N'%[' + NCHAR(1) + N'-' + NCHAR(31) + N']%', @data_filename) > 0
      EXEC internal.raise_catalog_error 27101, N'data_filename';
    IF @max_rows IS NOT NULL AND @max_rows < 1 EXEC internal.raise_catalog_error 27101, N'max_rows';
    IF @status <> 1 EXEC internal.raise_catalog_error 27212;
    IF EXISTS (SELECT 1 FROM internal.execution_data_taps WITH (UPDLOCK, HOLDLOCK)
               WHERE execution_id = @execution_id AND LOWER(filename) = LOWER(@data_filename))
      EXEC internal.raise_catalog_error 27414, @execution_id, @data_filename;
    INSERT INTO internal.execution_data_taps (execution_id, package_path, dataflow_task_guid, dataflow_path_id_string, max_rows, filename)
    VALUES (@execution_id, @task_package_path, CASE WHEN @task_package_path IS NULL THEN @dataflow_task_guid END, @dataflow_path_id_string, @max_rows, @data_filename);
    SET @data_tap_id = SCOPE_IDENTITY();
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
