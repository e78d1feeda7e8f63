-- Object:     internal.find_project (procedure)
-- Purpose:    A project by folder and name that the caller holds READ and @permission on
--             (sqlite/object-permissions.ts findProject): missing or not permitted → 27403.
-- Parameters: @folder_name nvarchar(128); @project_name nvarchar(128); @permission smallint;
--             @project_id bigint OUTPUT; @folder_id bigint OUTPUT; @version_lsn bigint OUTPUT;
--             @stored_name nvarchar(128) OUTPUT
-- Results:    none
-- Returns:    0; raises 27403
CREATE OR ALTER PROCEDURE internal.find_project
  @folder_name  nvarchar(128),
  @project_name nvarchar(128),
  @permission   smallint,
  @project_id   bigint OUTPUT,
  @folder_id    bigint = NULL OUTPUT,
  @version_lsn  bigint = NULL OUTPUT,
  @stored_name  nvarchar(128) = NULL OUTPUT
AS
BEGIN
  SET NOCOUNT ON;
  SELECT @project_id = p.project_id, @folder_id = p.folder_id, @version_lsn = p.object_version_lsn, @stored_name = p.name
  FROM internal.projects AS p JOIN internal.folders AS f ON f.folder_id = p.folder_id
  WHERE f.name = @folder_name AND p.name = @project_name;
  IF @project_id IS NULL OR internal.caller_holds(2, @project_id, 1) = 0 OR internal.caller_holds(2, @project_id, @permission) = 0
    EXEC internal.raise_catalog_error 27403, @project_name, @folder_name;
  RETURN 0;
END
