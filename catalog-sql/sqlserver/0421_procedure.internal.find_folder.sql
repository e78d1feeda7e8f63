-- Object:     internal.find_folder (procedure)
-- Purpose:    A folder by name that the caller holds READ and @permission on (sqlite/object-permissions.ts
--             findFolder): missing or not permitted → 27402.
-- Parameters: @folder_name nvarchar(128); @permission smallint; @folder_id bigint OUTPUT;
--             @stored_name nvarchar(128) OUTPUT
-- Results:    none
-- Returns:    0; raises 27402
CREATE OR ALTER PROCEDURE internal.find_folder
  @folder_name nvarchar(128),
  @permission  smallint,
  @folder_id   bigint OUTPUT,
  @stored_name nvarchar(128) = NULL OUTPUT
AS
BEGIN
  SET NOCOUNT ON;
  SELECT @folder_id = folder_id, @stored_name = name FROM internal.folders WHERE name = @folder_name;
  IF @folder_id IS NULL OR internal.caller_holds(1, @folder_id, 1) = 0 OR internal.caller_holds(1, @folder_id, @permission) = 0
    EXEC internal.raise_catalog_error 27402, @folder_name;
  RETURN 0;
END
