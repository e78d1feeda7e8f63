-- Object:     [catalog].rename_environment (procedure)
-- Purpose:    Renames an environment (issue 14): MODIFY on it. References name their environment, so
--             those that named the old name (relative ones of projects in the same folder, absolute
--             ones naming this folder) are renamed with it, as in the embedded catalog.
-- Parameters: @folder_name nvarchar(128); @environment_name nvarchar(128); @new_environment_name nvarchar(128)
-- Results:    none
-- Returns:    0; raises 27100/27102/27400 (names), 27182 (no such environment or no MODIFY),
--             27410 (the new name is taken in the folder)
CREATE OR ALTER PROCEDURE [catalog].rename_environment
  @folder_name          nvarchar(128),
  @environment_name     nvarchar(128),
  @new_environment_name nvarchar(128)
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @environment_id bigint, @folder_id bigint, @old nvarchar(128);
  BEGIN TRY
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    EXEC internal.check_object_name N'folder_name', @folder_name;
    EXEC internal.check_object_name N'environment_name', @environment_name;
    EXEC internal.check_object_name N'new_environment_name', @new_environment_name;
    EXEC internal.find_environment @folder_name, @environment_name, 2, @environment_id OUTPUT, @folder_id OUTPUT, @old OUTPUT;
    IF EXISTS (SELECT 1 FROM internal.environments WITH (UPDLOCK, HOLDLOCK)
               WHERE folder_id = @folder_id AND name = @new_environment_name AND environment_id <> @environment_id)
      EXEC internal.raise_catalog_error 27410, @new_environment_name, @folder_name;
    UPDATE internal.environments SET name = @new_environment_name WHERE environment_id = @environment_id;
    UPDATE internal.environment_references SET environment_name = @new_environment_name
    WHERE environment_name = @old
      AND ((reference_type = 'R' AND project_id IN (SELECT project_id FROM internal.projects WHERE folder_id = @folder_id))
           OR (reference_type = 'A' AND environment_folder_name = @folder_name));
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
