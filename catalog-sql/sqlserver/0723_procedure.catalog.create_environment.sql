-- Object:     [catalog].create_environment (procedure)
-- Purpose:    Creates an environment in a folder (issue 14; sqlite/procedures/catalog.create_environment.ts):
--             CREATE_OBJECTS on the folder (or ssis_admin / sysadmin); the creator is granted READ,
--             MODIFY and MANAGE_PERMISSIONS on it (internal.grant_creator).
-- Parameters: @folder_name nvarchar(128); @environment_name nvarchar(128);
--             @environment_description nvarchar(1024) = NULL; @environment_id bigint = NULL OUTPUT (ours)
-- Results:    none
-- Returns:    0; raises 27100/27102/27400 (names), 27402 (folder missing or no CREATE_OBJECTS),
--             27410 (the environment exists in the folder, case-insensitively)
CREATE OR ALTER PROCEDURE [catalog].create_environment
  @folder_name             nvarchar(128),
  @environment_name        nvarchar(128),
  @environment_description nvarchar(1024) = NULL,
  @environment_id          bigint = NULL OUTPUT
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @folder_id bigint, @folder nvarchar(128);
  BEGIN TRY
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    EXEC internal.check_object_name N'folder_name', @folder_name;
    EXEC internal.check_object_name N'environment_name', @environment_name;
    EXEC internal.find_folder @folder_name, 100, @folder_id OUTPUT, @folder OUTPUT;
    IF EXISTS (SELECT 1 FROM internal.environments WITH (UPDLOCK, HOLDLOCK) WHERE folder_id = @folder_id AND name = @environment_name)
      EXEC internal.raise_catalog_error 27410, @environment_name, @folder;
    INSERT INTO internal.environments (folder_id, name, description, created_by_name, created_time)
    VALUES (@folder_id, @environment_name, @environment_description, internal.caller_name(), internal.now_utc());
    SET @environment_id = CONVERT(bigint, SCOPE_IDENTITY());
    EXEC internal.grant_creator 3, @environment_id;
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
