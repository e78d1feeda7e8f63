-- Object:     internal.find_environment_variable (procedure)
-- Purpose:    The environment (READ and @permission, else 27182) and the variable in it by
--             case-sensitive name (else 27183), with the argument checks in the embedded catalog's order
--             (sqlite/environment-variables.ts findVariable).
-- Parameters: @folder_name, @environment_name, @variable_name nvarchar(128); @permission smallint;
--             @variable_id bigint OUTPUT; @environment_id bigint OUTPUT; @type nvarchar(128) OUTPUT;
--             @sensitive bit OUTPUT; @stored_name nvarchar(128) OUTPUT
-- Results:    none
-- Returns:    0; raises 27100, 27102, 27400, 27182, 27183
CREATE OR ALTER PROCEDURE internal.find_environment_variable
  @folder_name      nvarchar(128),
  @environment_name nvarchar(128),
  @variable_name    nvarchar(128),
  @permission       smallint,
  @variable_id      bigint OUTPUT,
  @environment_id   bigint = NULL OUTPUT,
  @type             nvarchar(128) = NULL OUTPUT,
  @sensitive        bit = NULL OUTPUT,
  @stored_name      nvarchar(128) = NULL OUTPUT
AS
BEGIN
  SET NOCOUNT ON;
  EXEC internal.check_object_name N'folder_name', @folder_name;
  EXEC internal.check_object_name N'environment_name', @environment_name;
  EXEC internal.find_environment @folder_name, @environment_name, @permission, @environment_id OUTPUT;
  EXEC internal.check_identifier_name N'variable_name', @variable_name;
  SELECT @variable_id = variable_id, @type = type, @sensitive = sensitive, @stored_name = name
  FROM internal.environment_variables WITH (UPDLOCK, HOLDLOCK)
  WHERE environment_id = @environment_id AND name = @variable_name COLLATE Latin1_General_100_BIN2;
  IF @variable_id IS NULL EXEC internal.raise_catalog_error 27183, @variable_name;
  RETURN 0;
END
