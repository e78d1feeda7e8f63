-- Object:     [catalog].create_execution (procedure)
-- Purpose:    Creates an execution of an entry-point package (reference §1.5 step 1, §4.1): operation 200
--             in status 1, the executions row, a Scale Out job when @runinscaleout (NULL → 1 only when
--             IS_SCALEOUT_ENABLED = TRUE and DEFAULT_EXECUTION_MODE = 1) with the any-worker sentinel
--             when @useanyworker, the project and package parameter values, and the system parameters
--             (object type 50) with LOGGING_LEVEL = SERVER_LOGGING_LEVEL.
--             Permissions (issue 14): ssis_admin, ssis_cluster_executor or sysadmin (27178), READ on the
--             project (else 27146) and EXECUTE (27178). The creator is granted READ, MODIFY and
--             MANAGE_PERMISSIONS on the execution.
--             @reference_id binds an environment (issue 14, sqlite/procedures/catalog.create_execution.ts):
--             the reference must belong to the project (27208); its environment must exist where the
--             reference says and be readable (27182); each parameter with value_type 'R' takes the value
--             of the variable it names (missing 27183, other type 27148, a sensitive variable for a
--             non-sensitive parameter 27221). Every value is resolved before anything is written, so a
--             binding error leaves the catalog unchanged. value_source: D design default, S server
--             value, E environment variable. Sensitive values stay encrypted (a sensitive variable's
--             ciphertext is copied; a clear variable bound to a sensitive parameter is encrypted here).
-- Parameters: @folder_name nvarchar(128); @project_name nvarchar(128); @package_name nvarchar(260);
--             @reference_id bigint = NULL; @use32bitruntime bit = 0; @execution_id bigint OUTPUT;
--             @runinscaleout bit = NULL; @useanyworker bit = 1;
--             @runincluster bit = NULL (the SQL Server 2017 CTP name of @runinscaleout)
-- Results:    none
-- Returns:    0; raises 27138 (NULL names), 27146 (no such entry-point package, or no READ on the
--             project), 27178 (no execute role or permission), 27208, 27182, 27183, 27148, 27221
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
  DECLARE @ref_type char(1), @ref_folder nvarchar(128), @ref_env nvarchar(128), @env_id bigint, @env_folder nvarchar(128), @env_name nvarchar(128);
  DECLARE @bad_param nvarchar(128), @bad_var nvarchar(128), @bad_kind int, @seq int, @text nvarchar(4000), @secret varbinary(8000);
  DECLARE @params TABLE (seq int IDENTITY(1, 1) PRIMARY KEY, object_type smallint NOT NULL, parameter_name nvarchar(128) NOT NULL,
                         data_type nvarchar(128) NOT NULL, required bit NOT NULL, sensitive bit NOT NULL, value sql_variant NULL,
                         secret varbinary(max) NULL, value_set bit NOT NULL, value_source char(1) NOT NULL, variable_name nvarchar(128) NULL,
                         encrypt_value sql_variant NULL);
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
    -- This catalog runs only Scale Out executions, so the Scale Out role check applies to every run.
    IF internal.caller_in_roles(N'ssis_admin,ssis_cluster_executor,sysadmin') = 0 EXEC internal.raise_catalog_error 27178, @project_name;
    IF internal.caller_holds(2, @project_id, 1) = 0 EXEC internal.raise_catalog_error 27146, @package_name;
    IF internal.caller_holds(2, @project_id, 3) = 0 EXEC internal.raise_catalog_error 27178, @project_name;

    IF @reference_id IS NOT NULL
    BEGIN
      SELECT @ref_type = reference_type, @ref_folder = environment_folder_name, @ref_env = environment_name
      FROM internal.environment_references WHERE reference_id = @reference_id AND project_id = @project_id;
      IF @ref_type IS NULL EXEC internal.raise_catalog_error 27208, @reference_id;
      SELECT @env_id = e.environment_id, @env_folder = f.name, @env_name = e.name
      FROM internal.environments AS e JOIN internal.folders AS f ON f.folder_id = e.folder_id
      WHERE f.name = CASE WHEN @ref_type = 'A' THEN ISNULL(@ref_folder, N'') ELSE @folder END AND e.name = @ref_env;
      IF @env_id IS NULL OR internal.caller_holds(3, @env_id, 1) = 0 EXEC internal.raise_catalog_error 27182, @ref_env;
      -- The first parameter (in parameter order) whose variable is missing, of another type, or sensitive for a clear parameter.
      SELECT TOP (1) @bad_param = o.parameter_name, @bad_var = o.referenced_variable_name,
             @bad_kind = CASE WHEN v.variable_id IS NULL THEN 27183 WHEN v.type <> o.data_type THEN 27148 ELSE 27221 END
      FROM internal.object_parameters AS o
      LEFT JOIN internal.environment_variables AS v
        ON v.environment_id = @env_id AND v.name = o.referenced_variable_name COLLATE Latin1_General_100_BIN2
      WHERE o.project_version_lsn = @lsn AND (o.object_type = 20 OR (o.object_type = 30 AND o.object_name = @package)) AND o.value_type = 'R'
        AND (v.variable_id IS NULL OR v.type <> o.data_type OR (v.sensitive = 1 AND o.sensitive = 0))
      ORDER BY o.object_type, o.parameter_id;
      IF @bad_kind = 27183 EXEC internal.raise_catalog_error 27183, @bad_var;
      IF @bad_kind = 27148 EXEC internal.raise_catalog_error 27148, @bad_param, @bad_var;
      IF @bad_kind = 27221 EXEC internal.raise_catalog_error 27221, @bad_var, @bad_param;
    END

    INSERT INTO @params (object_type, parameter_name, data_type, required, sensitive, value, secret, value_set, value_source, variable_name, encrypt_value)
    SELECT o.object_type, o.parameter_name, o.data_type, o.required, o.sensitive,
           CASE WHEN o.sensitive = 1 THEN NULL
                WHEN o.value_type = 'R' AND @env_id IS NULL THEN o.design_default_value
                WHEN o.value_type = 'R' THEN v.value
                ELSE o.default_value END,
           CASE WHEN o.sensitive = 0 OR (o.value_type = 'R' AND @env_id IS NULL) THEN NULL
                WHEN o.value_type = 'R' THEN v.sensitive_value
                ELSE o.sensitive_default_value END,
           CASE WHEN o.value_type = 'R' THEN CASE WHEN @env_id IS NULL THEN 0 ELSE 1 END ELSE o.value_set END,
           CASE WHEN o.value_type = 'R' THEN CASE WHEN @env_id IS NULL THEN 'D' ELSE 'E' END WHEN o.value_set = 1 THEN 'S' ELSE 'D' END,
           CASE WHEN o.value_type = 'R' THEN o.referenced_variable_name END,
           CASE WHEN o.value_type = 'R' AND @env_id IS NOT NULL AND o.sensitive = 1 AND v.sensitive = 0 THEN v.value END
    FROM internal.object_parameters AS o
    LEFT JOIN internal.environment_variables AS v
      ON @env_id IS NOT NULL AND o.value_type = 'R' AND v.environment_id = @env_id AND v.name = o.referenced_variable_name COLLATE Latin1_General_100_BIN2
    WHERE o.project_version_lsn = @lsn AND (o.object_type = 20 OR (o.object_type = 30 AND o.object_name = @package))
    ORDER BY o.object_type, o.parameter_id;
    -- A clear variable bound to a sensitive parameter: encrypted for the execution.
    SET @seq = (SELECT MIN(seq) FROM @params WHERE encrypt_value IS NOT NULL);
    WHILE @seq IS NOT NULL
    BEGIN
      SET @text = internal.value_text((SELECT encrypt_value FROM @params WHERE seq = @seq));
      EXEC internal.encrypt_sensitive_value @text, N'value', @secret OUTPUT;
      UPDATE @params SET secret = @secret, encrypt_value = NULL WHERE seq = @seq;
      SET @seq = (SELECT MIN(seq) FROM @params WHERE encrypt_value IS NOT NULL);
    END

    EXEC internal.insert_operation @operation_type = 200, @status = 1, @object_type = 20, @object_id = @project_id, @object_name = NULL,
                                   @started = 0, @operation_id = @execution_id OUTPUT;
    EXEC internal.grant_creator 4, @execution_id;
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
    INSERT INTO internal.executions (execution_id, folder_name, project_name, package_name, reference_id, reference_type, environment_folder_name,
                                     environment_name, project_lsn, executed_as_name, use32bitruntime, job_id)
    VALUES (@execution_id, @folder, @project, @package, CASE WHEN @env_id IS NULL THEN NULL ELSE @reference_id END, @ref_type, @env_folder,
            @env_name, @lsn, internal.caller_name(), @use32, @job);
    INSERT INTO internal.execution_parameter_values (execution_id, object_type, parameter_data_type, parameter_name, parameter_value,
                                                     sensitive_value_encrypted, base_data_type, sensitive, required, value_set, value_source,
                                                     referenced_variable_name)
    SELECT @execution_id, object_type, data_type, parameter_name, value, secret, data_type, sensitive, required, value_set, value_source, variable_name
    FROM @params ORDER BY seq;
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
