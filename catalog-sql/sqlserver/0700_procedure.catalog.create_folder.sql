-- Object:     [catalog].create_folder (procedure)
-- Purpose:    Creates a catalog folder (reference §4.2).
-- Parameters: @folder_name nvarchar(128); @folder_id bigint OUTPUT: the new id;
--             @folder_description nvarchar(1024) = NULL (ours)
-- Results:    none
-- Returns:    0; raises 27140 (not ssis_admin/sysadmin), 27100 (NULL), 27102 (empty), 27400 (naming
--             rules), 27401 (the folder exists, case-insensitively). The creator is granted the folder
--             permissions (internal.grant_creator, issue 14).
CREATE OR ALTER PROCEDURE [catalog].create_folder
  @folder_name        nvarchar(128),
  @folder_id          bigint OUTPUT,
  @folder_description nvarchar(1024) = NULL
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @why nvarchar(100);
  BEGIN TRY
    IF internal.caller_in_roles(N'ssis_admin,sysadmin') = 0 EXEC internal.raise_catalog_error 27140, N'ssis_admin, sysadmin';
    IF @folder_name IS NULL EXEC internal.raise_catalog_error 27100, N'folder_name';
    IF @folder_name = N'' EXEC internal.raise_catalog_error 27102, N'folder_name';
    SET @why = internal.object_name_problem(@folder_name);
    IF @why IS NOT NULL EXEC internal.raise_catalog_error 27400, @folder_name, @why;
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    IF EXISTS (SELECT 1 FROM internal.folders WITH (UPDLOCK, HOLDLOCK) WHERE name = @folder_name) EXEC internal.raise_catalog_error 27401, @folder_name;
    INSERT INTO internal.folders (name, description, created_by_name, created_time)
    VALUES (@folder_name, @folder_description, internal.caller_name(), internal.now_utc());
    SET @folder_id = CONVERT(bigint, SCOPE_IDENTITY());
    EXEC internal.grant_creator 1, @folder_id;
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
