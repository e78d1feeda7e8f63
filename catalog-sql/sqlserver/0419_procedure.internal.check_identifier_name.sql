-- Object:     internal.check_identifier_name (procedure)
-- Purpose:    A parameter or environment variable name argument (rules/names.ts identifierName): NULL
--             27100, empty 27102 (naming the parameter), else 27400 with the identifier rule
--             (internal.identifier_name_problem).
-- Parameters: @param nvarchar(128): the parameter's name without @; @value nvarchar(max)
-- Results:    none
-- Returns:    0; raises 27100, 27102, 27400
CREATE OR ALTER PROCEDURE internal.check_identifier_name
  @param nvarchar(128),
  @value nvarchar(max)
AS
BEGIN
  SET NOCOUNT ON;
  DECLARE @why nvarchar(200);
  IF @value IS NULL EXEC internal.raise_catalog_error 27100, @param;
  IF DATALENGTH(@value) = 0 EXEC internal.raise_catalog_error 27102, @param;
  SET @why = internal.identifier_name_problem(@value);
  IF @why IS NOT NULL EXEC internal.raise_catalog_error 27400, @value, @why;
  RETURN 0;
END
