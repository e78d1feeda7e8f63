-- Object:     [catalog].start_execution (procedure)
-- Purpose:    Starts a created execution (reference §1.5 step 3, §4.1): READ + MODIFY on it (27103);
--             checks status 1 (27121), READ + EXECUTE on the project again (27178) and READ on the bound
--             environment again (27182, issue 14), the
--             project version (27150) and required parameters (27184); the operation becomes pending
--             (5, machine_name '') and one ready task is queued (TaskType 0, MaxExecutedCount =
--             @retry_count + 1, InputData execution_id / use32bitruntime / operation_guid, RequiresScripts
--             from the package: internal.pull_task routes by it). This catalog
--             has no local ISServerExec: only Scale Out executions can start (27255 otherwise).
-- Parameters: @execution_id bigint; @retry_count int = 0
-- Results:    none
-- Returns:    0; raises 27100, 27103, 27101 (retry_count < 0), 27121, 27178, 27182, 27150, 27184, 27255, 27242
CREATE OR ALTER PROCEDURE [catalog].start_execution
  @execution_id bigint,
  @retry_count  int = 0
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @status int, @caller nvarchar(128), @job uniqueidentifier, @lsn bigint, @project_id bigint, @use32 bit, @guid uniqueidentifier;
  DECLARE @missing nvarchar(2000), @retry int = ISNULL(@retry_count, 0), @now datetimeoffset(7), @cancelled bit, @requires_scripts bit = 0;
  DECLARE @project_name nvarchar(128), @env_folder nvarchar(128), @env_name nvarchar(128), @env_id bigint;
  BEGIN TRY
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    IF @execution_id IS NULL EXEC internal.raise_catalog_error 27100, N'execution_id';
    SELECT @status = o.status, @caller = o.caller_name, @job = e.job_id
    FROM internal.executions AS e JOIN internal.operations AS o WITH (UPDLOCK) ON o.operation_id = e.execution_id
    WHERE e.execution_id = @execution_id;
    IF @status IS NULL OR internal.caller_may_modify_operation(@execution_id, @caller) = 0
      EXEC internal.raise_catalog_error 27103, @execution_id;
    IF @retry < 0 OR @retry > 2147483646 EXEC internal.raise_catalog_error 27101, N'retry_count';
    IF @status <> 1 EXEC internal.raise_catalog_error 27121;
    SELECT @lsn = e.project_lsn, @project_id = o.object_id, @use32 = e.use32bitruntime, @guid = o.operation_guid,
           @project_name = e.project_name, @env_folder = e.environment_folder_name, @env_name = e.environment_name
    FROM internal.executions AS e JOIN internal.operations AS o ON o.operation_id = e.execution_id WHERE e.execution_id = @execution_id;
    IF internal.caller_holds(2, @project_id, 1) = 0 OR internal.caller_holds(2, @project_id, 3) = 0
      EXEC internal.raise_catalog_error 27178, @project_name;
    IF @env_name IS NOT NULL
    BEGIN
      SELECT @env_id = en.environment_id FROM internal.environments AS en JOIN internal.folders AS f ON f.folder_id = en.folder_id
      WHERE f.name = @env_folder AND en.name = @env_name;
      IF @env_id IS NULL OR internal.caller_holds(3, @env_id, 1) = 0 EXEC internal.raise_catalog_error 27182, @env_name;
    END
    IF NOT EXISTS (SELECT 1 FROM internal.projects WHERE project_id = @project_id AND object_version_lsn = @lsn) EXEC internal.raise_catalog_error 27150;
    SELECT @missing = STRING_AGG(CONVERT(nvarchar(max), parameter_name), N', ') WITHIN GROUP (ORDER BY execution_parameter_id)
    FROM internal.execution_parameter_values WHERE execution_id = @execution_id AND required = 1 AND value_set = 0;
    IF @missing IS NOT NULL EXEC internal.raise_catalog_error 27184, @missing;
    IF @job IS NULL EXEC internal.raise_catalog_error 27255, @execution_id;
    SELECT @cancelled = IsCancelled FROM internal.jobs WHERE JobId = @job;
    IF @cancelled IS NULL OR @cancelled = 1 EXEC internal.raise_catalog_error 27242, @job;
    SET @now = internal.now_utc();
    UPDATE internal.operations SET status = 5, start_time = @now, machine_name = N'' WHERE operation_id = @execution_id;
    SELECT @requires_scripts = k.requires_scripts
    FROM internal.packages AS k JOIN internal.executions AS e
      ON k.project_version_lsn = e.project_lsn AND k.name = e.package_name COLLATE Latin1_General_100_CS_AS
    WHERE e.execution_id = @execution_id;
    INSERT INTO internal.tasks (TaskId, JobId, TaskType, InputData, MaxExecutedCount, ExecutedCount, Status, ReadyForDispatchTime, LastUpdatedTime, CreatedTime, RequiresScripts)
    VALUES (NEWID(), @job, 0,
            N'[{"name":"execution_id","value":"' + CONVERT(nvarchar(20), @execution_id) + N'"},'
            + N'{"name":"use32bitruntime","value":"' + CASE WHEN @use32 = 1 THEN N'1' ELSE N'0' END + N'"},'
            + N'{"name":"operation_guid","value":"' + LOWER(CONVERT(nvarchar(36), @guid)) + N'"}]',
            @retry + 1, 0, 1, @now, @now, @now, @requires_scripts);
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
