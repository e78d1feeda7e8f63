-- Object:     [catalog].create_environment_reference (procedure)
-- Purpose:    A project's reference to an environment (issue 14): READ + MODIFY on the project, READ on
--             the environment. 'R' (relative): the environment in the project's folder,
--             @environment_folder_name ignored (stored NULL); 'A' (absolute): in @environment_folder_name.
--             The environment is kept by name, as SSISDB does.
-- Parameters: @folder_name, @project_name, @environment_name nvarchar(128); @reference_type char(1);
--             @environment_folder_name nvarchar(128) = NULL; @reference_id bigint = NULL OUTPUT;
--             @reference_location char(1) = NULL (the documented name of @reference_type; used when
--             @reference_type is NULL)
-- Results:    none
-- Returns:    0; raises 27100/27102/27400 (names), 27100/27101 (reference type), 27403 (project or no
--             MODIFY), 27182 (environment or no READ), 27412 (the same reference exists)
CREATE OR ALTER PROCEDURE [catalog].create_environment_reference
  @folder_name             nvarchar(128),
  @project_name            nvarchar(128),
  @environment_name        nvarchar(128),
  @reference_type          char(1),
  @environment_folder_name nvarchar(128) = NULL,
  @reference_id            bigint = NULL OUTPUT,
  @reference_location      char(1) = NULL
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @type char(1) = UPPER(COALESCE(@reference_type, @reference_location)), @env_folder nvarchar(128), @project_id bigint, @project nvarchar(128), @environment_id bigint, @environment nvarchar(128);
  BEGIN TRY
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    EXEC internal.check_object_name N'folder_name', @folder_name;
    EXEC internal.check_object_name N'project_name', @project_name;
    EXEC internal.check_object_name N'environment_name', @environment_name;
    IF @type IS NULL EXEC internal.raise_catalog_error 27100, N'reference_type';
    IF @type NOT IN ('R', 'A') EXEC internal.raise_catalog_error 27101, N'reference_type';
    IF @type = 'A'
    BEGIN
      EXEC internal.check_object_name N'environment_folder_name', @environment_folder_name;
      SET @env_folder = @environment_folder_name;
    END
    EXEC internal.find_project @folder_name, @project_name, 2, @project_id OUTPUT, NULL, NULL, @project OUTPUT;
    SET @environment_folder_name = COALESCE(@env_folder, @folder_name);
    EXEC internal.find_environment @environment_folder_name, @environment_name, 1, @environment_id OUTPUT, NULL, @environment OUTPUT;
    IF EXISTS (SELECT 1 FROM internal.environment_references WITH (UPDLOCK, HOLDLOCK)
               WHERE project_id = @project_id AND reference_type = @type AND environment_name = @environment
                 AND COALESCE(environment_folder_name, N'') = COALESCE(@env_folder, N''))
      EXEC internal.raise_catalog_error 27412, @project, @environment;
    INSERT INTO internal.environment_references (project_id, reference_type, environment_folder_name, environment_name)
    VALUES (@project_id, @type, @env_folder, @environment);
    SET @reference_id = CONVERT(bigint, SCOPE_IDENTITY());
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
