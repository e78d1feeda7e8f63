-- Object:     internal.append_executable_statistics_for_worker (procedure)
-- Purpose:    Appends one executable statistic sent by a worker, idempotent by @statistic_guid (ours),
--             upserting the executable on (execution, package, package path, executable GUID).
-- Parameters: @operation_id bigint; @project_id bigint = NULL; @version_id bigint = NULL (resolved from the
--             execution, as the original; accepted for signature compatibility); @package_name
--             nvarchar(260); @package_location_type nvarchar(128) = NULL; @package_path_full
--             nvarchar(4000) = NULL; @executable_name nvarchar(4000); @executable_guid nvarchar(38);
--             @package_path nvarchar(max); @execution_path nvarchar(max); @start_time datetimeoffset(7);
--             @end_time datetimeoffset(7); @execution_hierarchy hierarchyid = NULL; @execution_duration int;
--             @execution_result smallint; @execution_value sql_variant = NULL; @statistic_guid uniqueidentifier
-- Results:    none
-- Returns:    0; raises 27140, 27100 (NULL guid), 27103 (not an execution), 27101 (NULL start/end time)
CREATE OR ALTER PROCEDURE internal.append_executable_statistics_for_worker
  @operation_id          bigint,
  @project_id            bigint = NULL,
  @version_id            bigint = NULL,
  @package_name          nvarchar(260),
  @package_location_type nvarchar(128) = NULL,
  @package_path_full     nvarchar(4000) = NULL,
  @executable_name       nvarchar(4000),
  @executable_guid       nvarchar(38),
  @package_path          nvarchar(max),
  @execution_path        nvarchar(max),
  @start_time            datetimeoffset(7),
  @end_time              datetimeoffset(7),
  @execution_hierarchy   hierarchyid = NULL,
  @execution_duration    int,
  @execution_result      smallint,
  @execution_value       sql_variant = NULL,
  @statistic_guid        uniqueidentifier
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @executable_id bigint;
  BEGIN TRY
    IF internal.caller_in_roles(N'ssis_admin,sysadmin,ssis_cluster_worker') = 0
      EXEC internal.raise_catalog_error 27140, N'ssis_admin, sysadmin, ssis_cluster_worker';
    IF @statistic_guid IS NULL EXEC internal.raise_catalog_error 27100, N'statistic_guid';
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    IF NOT EXISTS (SELECT 1 FROM internal.executable_statistics WITH (UPDLOCK, HOLDLOCK) WHERE statistic_guid = @statistic_guid)
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM internal.operations WHERE operation_id = @operation_id AND operation_type = 200)
        EXEC internal.raise_catalog_error 27103, @operation_id;
      IF @start_time IS NULL OR @end_time IS NULL EXEC internal.raise_catalog_error 27101, N'start_time';
      SELECT @executable_id = executable_id FROM internal.executables WITH (UPDLOCK, HOLDLOCK)
      WHERE execution_id = @operation_id AND executable_guid = @executable_guid AND package_name = @package_name AND package_path = @package_path;
      IF @executable_id IS NULL
      BEGIN
        INSERT INTO internal.executables (execution_id, executable_name, executable_guid, package_name, package_path)
        VALUES (@operation_id, @executable_name, @executable_guid, @package_name, @package_path);
        SET @executable_id = CONVERT(bigint, SCOPE_IDENTITY());
      END
      INSERT INTO internal.executable_statistics (execution_id, executable_id, execution_path, start_time, end_time, execution_duration,
                                                  execution_result, execution_value, statistic_guid)
      VALUES (@operation_id, @executable_id, @execution_path, SWITCHOFFSET(@start_time, N'+00:00'), SWITCHOFFSET(@end_time, N'+00:00'),
              @execution_duration, @execution_result, @execution_value, @statistic_guid);
    END
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
