-- Object:     [catalog].move_environment (procedure)
-- Purpose:    Moves an environment to another folder (issue 14): MODIFY on the environment and
--             CREATE_OBJECTS on the destination. As in SSISDB, references do not follow: they keep
--             naming the old place and fail at create_execution (27182) until changed.
-- Parameters: @source_folder nvarchar(128); @environment_name nvarchar(128); @destination_folder nvarchar(128)
-- Results:    none
-- Returns:    0; raises 27100/27102/27400 (names), 27182 (no such environment or no MODIFY),
--             27402 (destination missing or no CREATE_OBJECTS), 27410 (name taken there)
CREATE OR ALTER PROCEDURE [catalog].move_environment
  @source_folder      nvarchar(128),
  @environment_name   nvarchar(128),
  @destination_folder nvarchar(128)
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @environment_id bigint, @folder_id bigint, @name nvarchar(128), @destination_id bigint, @destination nvarchar(128);
  BEGIN TRY
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    EXEC internal.check_object_name N'source_folder_name', @source_folder;
    EXEC internal.check_object_name N'environment_name', @environment_name;
    EXEC internal.check_object_name N'destination_folder_name', @destination_folder;
    EXEC internal.find_environment @source_folder, @environment_name, 2, @environment_id OUTPUT, @folder_id OUTPUT, @name OUTPUT;
    EXEC internal.find_folder @destination_folder, 100, @destination_id OUTPUT, @destination OUTPUT;
    IF @destination_id <> @folder_id
    BEGIN
      IF EXISTS (SELECT 1 FROM internal.environments WITH (UPDLOCK, HOLDLOCK) WHERE folder_id = @destination_id AND name = @name)
        EXEC internal.raise_catalog_error 27410, @name, @destination;
      UPDATE internal.environments SET folder_id = @destination_id WHERE environment_id = @environment_id;
    END
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
