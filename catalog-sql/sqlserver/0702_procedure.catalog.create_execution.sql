-- Object:     [catalog].create_execution (procedure)
-- Purpose:    Creates an execution of an entry-point package (reference §1.5 step 1, §4.1): operation 200
--             in status 1, the executions row, a Scale Out job when @runinscaleout (NULL → 1 only when
--             IS_SCALEOUT_ENABLED = TRUE and DEFAULT_EXECUTION_MODE = 1) with the any-worker sentinel
--             when @useanyworker, the project and package parameter values, and the system parameters
--             (object type 50) with LOGGING_LEVEL = SERVER_LOGGING_LEVEL. This catalog has no
--             per-object grants: ssis_admin, sysadmin and ssis_cluster_executor may execute any project.
-- Parameters: @folder_name nvarchar(128); @project_name nvarchar(128); @package_name nvarchar(260);
--             @reference_id bigint = NULL; @use32bitruntime bit = 0; @execution_id bigint OUTPUT;
--             @runinscaleout bit = NULL; @useanyworker bit = 1;
--             @runincluster bit = NULL (the SQL Server 2017 CTP name of @runinscaleout)
-- Results:    none
-- Returns:    0; raises 27138 (NULL names), 27146 (no such entry-point package), 27178 (no execute role)
CREATE OR ALTER PROCEDURE [catalog].create_execution
  @folder_name     nvarchar(128),
  @project_name    nvarchar(128),
  @package_name    nvarchar(260),
  @reference_id    bigint = NULL,
  @use32bitruntime bit = 0,
  @execution_id    bigint OUTPUT,
  @runinscaleout   bit = NULL,
  @useanyworker    bit = 1,
  @runincluster    bit = NULL
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @project_id bigint, @lsn bigint, @entry bit, @folder nvarchar(128), @project nvarchar(128), @package nvarchar(260);
  DECLARE @scaleout bit, @job uniqueidentifier = NULL, @now datetimeoffset(7), @level int, @use32 bit = ISNULL(@use32bitruntime, 0);
  BEGIN TRY
    IF @folder_name IS NULL EXEC internal.raise_catalog_error 27138, N'folder_name';
    IF @project_name IS NULL EXEC internal.raise_catalog_error 27138, N'project_name';
    IF @package_name IS NULL EXEC internal.raise_catalog_error 27138, N'package_name';
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    SELECT @project_id = p.project_id, @lsn = p.object_version_lsn, @entry = k.entry_point, @folder = f.name, @project = p.name, @package = k.name
    FROM internal.folders AS f
    JOIN internal.projects AS p ON p.folder_id = f.folder_id
    JOIN internal.packages AS k ON k.project_version_lsn = p.object_version_lsn AND k.name = @package_name
    WHERE f.name = @folder_name AND p.name = @project_name;
    IF @project_id IS NULL OR @entry = 0 EXEC internal.raise_catalog_error 27146, @package_name;
    SET @scaleout = COALESCE(@runinscaleout, @runincluster,
      CASE WHEN (SELECT UPPER(property_value) FROM internal.catalog_properties WHERE property_name = N'IS_SCALEOUT_ENABLED') = N'TRUE'
                AND (SELECT property_value FROM internal.catalog_properties WHERE property_name = N'DEFAULT_EXECUTION_MODE') = N'1'
           THEN 1 ELSE 0 END);
    IF internal.caller_in_roles(N'ssis_admin,ssis_cluster_executor,sysadmin') = 0 EXEC internal.raise_catalog_error 27178, @project_name;
    EXEC internal.insert_operation @operation_type = 200, @status = 1, @object_type = 20, @object_id = @project_id, @object_name = NULL,
                                   @started = 0, @operation_id = @execution_id OUTPUT;
    SET @now = internal.now_utc();
    IF @scaleout = 1
    BEGIN
      SET @job = NEWID();
      INSERT INTO internal.jobs (JobId, IsCancelled, CreatedTime, JobType, InputData, Creator, Priority, LastUpdatedTime)
      VALUES (@job, 0, @now, 1, N'[{"name":"use32bitruntime","value":"' + CASE WHEN @use32 = 1 THEN N'1' ELSE N'0' END + N'"}]',
              internal.caller_name(), 0, @now);
      IF ISNULL(@useanyworker, 1) = 1
        INSERT INTO internal.job_worker_agents (JobId, WorkerAgentId) VALUES (@job, '11111111-1111-1111-1111-111111111111');
    END
    INSERT INTO internal.executions (execution_id, folder_name, project_name, package_name, reference_id, project_lsn, executed_as_name, use32bitruntime, job_id)
    VALUES (@execution_id, @folder, @project, @package, @reference_id, @lsn, internal.caller_name(), @use32, @job);
    INSERT INTO internal.execution_parameter_values (execution_id, object_type, parameter_data_type, parameter_name, parameter_value,
                                                     sensitive_parameter_value, base_data_type, sensitive, required, value_set, value_source)
    SELECT @execution_id, object_type, data_type, parameter_name, CASE WHEN sensitive = 1 THEN NULL ELSE default_value END,
           CASE WHEN sensitive = 1 THEN default_value END, data_type, sensitive, required, value_set,
           CASE WHEN value_set = 1 THEN 'S' ELSE 'D' END
    FROM internal.object_parameters
    WHERE project_version_lsn = @lsn AND (object_type = 20 OR (object_type = 30 AND object_name = @package))
    ORDER BY object_type, parameter_id;
    SET @level = ISNULL(TRY_CONVERT(int, (SELECT property_value FROM internal.catalog_properties WHERE property_name = N'SERVER_LOGGING_LEVEL')), 1);
    INSERT INTO internal.execution_parameter_values (execution_id, object_type, parameter_data_type, parameter_name, parameter_value, base_data_type, value_source)
    SELECT @execution_id, 50, s.data_type, s.name, s.value, s.data_type, 'D'
    FROM (VALUES (1, N'LOGGING_LEVEL', N'Int32', CONVERT(sql_variant, @level)),
                 (2, N'CUSTOMIZED_LOGGING_LEVEL', N'String',
                     CONVERT(sql_variant, NULLIF((SELECT property_value FROM internal.catalog_properties WHERE property_name = N'SERVER_CUSTOMIZED_LOGGING_LEVEL'), N''))),
                 (3, N'DUMP_ON_ERROR', N'Boolean', CONVERT(sql_variant, CONVERT(bit, 0))),
                 (4, N'DUMP_ON_EVENT', N'Boolean', CONVERT(sql_variant, CONVERT(bit, 0))),
                 (5, N'DUMP_EVENT_CODE', N'String', CONVERT(sql_variant, N'0')),
                 (6, N'CALLER_INFO', N'String', CONVERT(sql_variant, NULL)),
                 (7, N'SYNCHRONIZED', N'Boolean', CONVERT(sql_variant, CONVERT(bit, 0)))) AS s (seq, name, data_type, value)
    WHERE s.name <> N'CUSTOMIZED_LOGGING_LEVEL' OR @level = 100
    ORDER BY s.seq;
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
