-- Object:     internal.deploy_project_parsed (procedure)
-- Purpose:    The body of catalog.deploy_project. T-SQL cannot open an .ispac (a zip of XML), so the
--             caller (runtime/catalog/mssql-catalog-store.ts, behind `scaleout deploy` and the master
--             API) parses it and passes the metadata as JSON beside the exact bytes; this procedure
--             checks the bytes against the SHA-256 in the metadata and the name, then stores a new
--             version (operation 101, status 7) with its packages, parameters and connection managers,
--             and prunes old versions (MAX_PROJECT_VERSIONS).
--             Permissions (issue 14, reference §4.2): ssis_admin / sysadmin, or CREATE_OBJECTS on the
--             folder (a new project, whose creator is then granted READ, MODIFY, EXECUTE and
--             MANAGE_PERMISSIONS) or MODIFY on the project (a new version); else 27140.
--             Server values (set_object_parameter_value) of parameters that still exist with the same
--             type and protection are carried to the new version.
--             Metadata JSON: {"name","formatVersion","description","sha256",
--               "parameters":[{"name","dataType","required","sensitive","defaultValue" (text or null),"description"}],
--               "packages":[{"name","entryPoint","packageGuid","description","formatVersion","versionMajor",
--                            "versionMinor","versionBuild","versionGuid","requiresScripts","parameters":[…as above]}],
--               "connectionManagers":[{"name","guid"}]}
-- Parameters: @folder_name nvarchar(128); @project_name nvarchar(128); @project_stream varbinary(max);
--             @project_metadata nvarchar(max); @operation_id bigint = NULL OUTPUT;
--             @project_id bigint = NULL OUTPUT; @version_lsn bigint = NULL OUTPUT
-- Results:    none
-- Returns:    0; raises 27140, 27100/27102/27400 (names), 27100 (NULL stream), 27404 (empty or tampered
--             stream, unreadable metadata), 27405 (name mismatch), 27402 (no folder), 27147 (a default
--             value that does not fit its type)
CREATE OR ALTER PROCEDURE internal.deploy_project_parsed
  @folder_name      nvarchar(128),
  @project_name     nvarchar(128),
  @project_stream   varbinary(max),
  @project_metadata nvarchar(max),
  @operation_id     bigint = NULL OUTPUT,
  @project_id       bigint = NULL OUTPUT,
  @version_lsn      bigint = NULL OUTPUT
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @why nvarchar(100), @previous_lsn bigint, @folder_id bigint, @now datetimeoffset(7), @meta_name nvarchar(128), @bad_name nvarchar(128), @bad_type nvarchar(128);
  DECLARE @params TABLE (seq int IDENTITY(1, 1) PRIMARY KEY, object_type smallint NOT NULL, object_name nvarchar(260) NOT NULL, parameter_name nvarchar(128) NOT NULL,
                         data_type nvarchar(128) NOT NULL, required bit NOT NULL, sensitive bit NOT NULL, description nvarchar(1024) NULL,
                         default_text nvarchar(4000) NULL, value sql_variant NULL);
  BEGIN TRY
    IF @folder_name IS NULL EXEC internal.raise_catalog_error 27100, N'folder_name';
    IF @folder_name = N'' EXEC internal.raise_catalog_error 27102, N'folder_name';
    SET @why = internal.object_name_problem(@folder_name);
    IF @why IS NOT NULL EXEC internal.raise_catalog_error 27400, @folder_name, @why;
    IF @project_name IS NULL EXEC internal.raise_catalog_error 27100, N'project_name';
    IF @project_name = N'' EXEC internal.raise_catalog_error 27102, N'project_name';
    SET @why = internal.object_name_problem(@project_name);
    IF @why IS NOT NULL EXEC internal.raise_catalog_error 27400, @project_name, @why;
    IF @project_stream IS NULL EXEC internal.raise_catalog_error 27100, N'project_stream';
    IF DATALENGTH(@project_stream) = 0 EXEC internal.raise_catalog_error 27404, N'the project stream is empty';
    IF @project_metadata IS NULL OR ISJSON(@project_metadata) <> 1 EXEC internal.raise_catalog_error 27404, N'the project metadata is missing or not JSON';
    IF LOWER(CONVERT(varchar(64), HASHBYTES('SHA2_256', @project_stream), 2)) <> LOWER(ISNULL(JSON_VALUE(@project_metadata, N'$.sha256'), N''))
      EXEC internal.raise_catalog_error 27404, N'the SHA-256 of the stream does not match the archive';
    SET @meta_name = JSON_VALUE(@project_metadata, N'$.name');
    IF @meta_name IS NULL OR LOWER(@meta_name) <> LOWER(@project_name) COLLATE Latin1_General_100_BIN2
      EXEC internal.raise_catalog_error 27405, @project_name, @meta_name;

    INSERT INTO @params (object_type, object_name, parameter_name, data_type, required, sensitive, description, default_text)
    SELECT 20, @project_name, p.name, p.dataType, ISNULL(p.required, 0), ISNULL(p.sensitive, 0), p.description, p.defaultValue
    FROM OPENJSON(@project_metadata, N'$.parameters')
         WITH (name nvarchar(128) N'$.name', dataType nvarchar(128) N'$.dataType', required bit N'$.required', sensitive bit N'$.sensitive',
               description nvarchar(1024) N'$.description', defaultValue nvarchar(4000) N'$.defaultValue') AS p;
    INSERT INTO @params (object_type, object_name, parameter_name, data_type, required, sensitive, description, default_text)
    SELECT 30, k.name, p.name, p.dataType, ISNULL(p.required, 0), ISNULL(p.sensitive, 0), p.description, p.defaultValue
    FROM OPENJSON(@project_metadata, N'$.packages') WITH (name nvarchar(260) N'$.name', parameters nvarchar(max) N'$.parameters' AS JSON) AS k
    CROSS APPLY OPENJSON(k.parameters)
         WITH (name nvarchar(128) N'$.name', dataType nvarchar(128) N'$.dataType', required bit N'$.required', sensitive bit N'$.sensitive',
               description nvarchar(1024) N'$.description', defaultValue nvarchar(4000) N'$.defaultValue') AS p;
    IF EXISTS (SELECT 1 FROM @params WHERE parameter_name IS NULL OR data_type IS NULL)
      EXEC internal.raise_catalog_error 27404, N'a parameter has no name or data type';
    UPDATE @params
    SET value = internal.coerce_parameter_value(data_type,
                  CASE WHEN data_type IN (N'String', N'DateTime', N'Boolean') THEN CONVERT(sql_variant, default_text)
                       WHEN data_type IN (N'Decimal', N'Double', N'Single') THEN CONVERT(sql_variant, TRY_CONVERT(float, default_text))
                       ELSE CONVERT(sql_variant, TRY_CONVERT(decimal(38, 10), default_text)) END)
    WHERE sensitive = 0 AND default_text IS NOT NULL;
    SELECT TOP (1) @bad_name = parameter_name, @bad_type = data_type FROM @params
    WHERE sensitive = 0 AND default_text IS NOT NULL AND value IS NULL ORDER BY seq;
    IF @bad_name IS NOT NULL EXEC internal.raise_catalog_error 27147, @bad_name, @bad_type;

    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    SET @folder_id = (SELECT folder_id FROM internal.folders WHERE name = @folder_name);
    IF @folder_id IS NULL AND internal.caller_in_roles(N'ssis_admin,sysadmin') = 0 EXEC internal.raise_catalog_error 27140, N'ssis_admin, sysadmin';
    IF @folder_id IS NULL EXEC internal.raise_catalog_error 27402, @folder_name;
    SET @now = internal.now_utc();
    SET @project_id = (SELECT project_id FROM internal.projects WITH (UPDLOCK, HOLDLOCK) WHERE folder_id = @folder_id AND name = @project_name);
    IF (@project_id IS NULL AND internal.caller_holds(1, @folder_id, 100) = 0) OR (@project_id IS NOT NULL AND internal.caller_holds(2, @project_id, 2) = 0)
      EXEC internal.raise_catalog_error 27140, N'ssis_admin, sysadmin';
    SET @previous_lsn = (SELECT object_version_lsn FROM internal.projects WHERE project_id = @project_id);
    IF @project_id IS NULL
    BEGIN
      INSERT INTO internal.projects (folder_id, name, created_time) VALUES (@folder_id, @project_name, @now);
      SET @project_id = CONVERT(bigint, SCOPE_IDENTITY());
      EXEC internal.grant_creator 2, @project_id;
    END
    EXEC internal.insert_operation @operation_type = 101, @status = 7, @object_type = 20, @object_id = @project_id,
                                   @object_name = @project_name, @started = 1, @operation_id = @operation_id OUTPUT;
    INSERT INTO internal.object_versions (object_id, object_type, description, created_by, created_time, object_data, sha256)
    VALUES (@project_id, 20, JSON_VALUE(@project_metadata, N'$.description'), internal.caller_name(), @now, @project_stream,
            LOWER(CONVERT(varchar(64), HASHBYTES('SHA2_256', @project_stream), 2)));
    SET @version_lsn = CONVERT(bigint, SCOPE_IDENTITY());
    UPDATE internal.projects
    SET description = JSON_VALUE(@project_metadata, N'$.description'),
        project_format_version = TRY_CONVERT(int, JSON_VALUE(@project_metadata, N'$.formatVersion')),
        deployed_by_name = internal.caller_name(), last_deployed_time = @now, object_version_lsn = @version_lsn, validation_status = 'N'
    WHERE project_id = @project_id;
    INSERT INTO internal.packages (project_version_lsn, project_id, name, package_guid, description, package_format_version, version_major,
                                   version_minor, version_build, version_guid, entry_point, requires_scripts)
    SELECT @version_lsn, @project_id, k.name, TRY_CONVERT(uniqueidentifier, REPLACE(REPLACE(k.packageGuid, N'{', N''), N'}', N'')), k.description,
           k.formatVersion, k.versionMajor, k.versionMinor, k.versionBuild,
           TRY_CONVERT(uniqueidentifier, REPLACE(REPLACE(k.versionGuid, N'{', N''), N'}', N'')), ISNULL(k.entryPoint, 1), ISNULL(k.requiresScripts, 0)
    FROM OPENJSON(@project_metadata, N'$.packages')
         WITH (name nvarchar(260) N'$.name', entryPoint bit N'$.entryPoint', packageGuid nvarchar(40) N'$.packageGuid',
               description nvarchar(1024) N'$.description', formatVersion int N'$.formatVersion', versionMajor int N'$.versionMajor',
               versionMinor int N'$.versionMinor', versionBuild int N'$.versionBuild', versionGuid nvarchar(40) N'$.versionGuid',
               requiresScripts bit N'$.requiresScripts') AS k;
    INSERT INTO internal.object_parameters (project_id, project_version_lsn, object_type, object_name, parameter_name, data_type, required,
                                            sensitive, description, design_default_value, default_value, value_set)
    SELECT @project_id, @version_lsn, object_type, object_name, parameter_name, data_type, required, sensitive, description, value, value, 0
    FROM @params ORDER BY seq;
    IF @previous_lsn IS NOT NULL
      UPDATE n
      SET value_type = o.value_type, value_set = o.value_set, referenced_variable_name = o.referenced_variable_name,
          default_value = o.default_value, sensitive_default_value = o.sensitive_default_value
      FROM internal.object_parameters AS n
      JOIN internal.object_parameters AS o
        ON o.project_version_lsn = @previous_lsn AND o.object_type = n.object_type AND o.object_name = n.object_name
       AND o.parameter_name = n.parameter_name AND o.data_type = n.data_type AND o.sensitive = n.sensitive AND o.value_set = 1
      WHERE n.project_version_lsn = @version_lsn;
    INSERT INTO internal.project_connection_managers (project_version_lsn, name, guid)
    SELECT @version_lsn, c.name, MIN(c.guid)
    FROM OPENJSON(@project_metadata, N'$.connectionManagers') WITH (name nvarchar(260) N'$.name', guid nvarchar(38) N'$.guid') AS c
    WHERE c.name IS NOT NULL
    GROUP BY c.name;
    EXEC internal.prune_project_versions @project_id = @project_id;
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
