-- Object:     internal.find_environment (procedure)
-- Purpose:    An environment by folder and name that the caller holds READ and @permission on
--             (sqlite/object-permissions.ts findEnvironment): missing or not permitted → 27182 (SSISDB's
--             "does not exist or you have not been granted…"). Locks the row for the caller's transaction.
-- Parameters: @folder_name nvarchar(128); @environment_name nvarchar(128); @permission smallint;
--             @environment_id bigint OUTPUT; @folder_id bigint OUTPUT; @stored_name nvarchar(128) OUTPUT
-- Results:    none
-- Returns:    0; raises 27182
CREATE OR ALTER PROCEDURE internal.find_environment
  @folder_name      nvarchar(128),
  @environment_name nvarchar(128),
  @permission       smallint,
  @environment_id   bigint OUTPUT,
  @folder_id        bigint = NULL OUTPUT,
  @stored_name      nvarchar(128) = NULL OUTPUT
AS
BEGIN
  SET NOCOUNT ON;
  SELECT @environment_id = e.environment_id, @folder_id = e.folder_id, @stored_name = e.name
  FROM internal.environments AS e WITH (UPDLOCK, HOLDLOCK) JOIN internal.folders AS f ON f.folder_id = e.folder_id
  WHERE f.name = @folder_name AND e.name = @environment_name;
  IF @environment_id IS NULL OR internal.caller_holds(3, @environment_id, 1) = 0 OR internal.caller_holds(3, @environment_id, @permission) = 0
    EXEC internal.raise_catalog_error 27182, @environment_name;
  RETURN 0;
END
