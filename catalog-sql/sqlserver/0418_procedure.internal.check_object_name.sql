-- Object:     internal.check_object_name (procedure)
-- Purpose:    A folder, project or environment name argument (rules/names.ts objectName): NULL 27100,
--             empty 27102 (naming the parameter), else SSISDB's naming rules 27400
--             (internal.object_name_problem).
-- Parameters: @param nvarchar(128): the parameter's name without @; @value nvarchar(max)
-- Results:    none
-- Returns:    0; raises 27100, 27102, 27400
CREATE OR ALTER PROCEDURE internal.check_object_name
  @param nvarchar(128),
  @value nvarchar(max)
AS
BEGIN
  SET NOCOUNT ON;
  DECLARE @why nvarchar(100);
  IF @value IS NULL EXEC internal.raise_catalog_error 27100, @param;
  IF DATALENGTH(@value) = 0 EXEC internal.raise_catalog_error 27102, @param;
  SET @why = internal.object_name_problem(@value);
  IF @why IS NOT NULL EXEC internal.raise_catalog_error 27400, @value, @why;
  RETURN 0;
END
