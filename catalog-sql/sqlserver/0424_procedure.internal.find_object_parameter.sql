-- Object:     internal.find_object_parameter (procedure)
-- Purpose:    The parameter set/clear_object_parameter_value names, in the project's current version,
--             with MODIFY on the project (sqlite/object-parameters.ts findObjectParameter): object type
--             NULL 27100 / not 20 or 30 27101; project 27403; parameter name NULL 27100; a package
--             parameter needs @object_name (27100); unknown parameter (names case-sensitive) 27176.
-- Parameters: @object_type smallint; @folder_name, @project_name nvarchar(128); @object_name
--             nvarchar(260); @parameter_name nvarchar(128); @parameter_id bigint OUTPUT; @data_type
--             nvarchar(128) OUTPUT; @sensitive bit OUTPUT
-- Results:    none
-- Returns:    0; raises 27100, 27101, 27102, 27400, 27403, 27176
CREATE OR ALTER PROCEDURE internal.find_object_parameter
  @object_type    smallint,
  @folder_name    nvarchar(128),
  @project_name   nvarchar(128),
  @object_name    nvarchar(260),
  @parameter_name nvarchar(128),
  @parameter_id   bigint OUTPUT,
  @data_type      nvarchar(128) = NULL OUTPUT,
  @sensitive      bit = NULL OUTPUT
AS
BEGIN
  SET NOCOUNT ON;
  DECLARE @project_id bigint, @lsn bigint, @project nvarchar(128), @object nvarchar(260);
  IF @object_type IS NULL EXEC internal.raise_catalog_error 27100, N'object_type';
  IF @object_type NOT IN (20, 30) EXEC internal.raise_catalog_error 27101, N'object_type';
  EXEC internal.check_object_name N'folder_name', @folder_name;
  EXEC internal.check_object_name N'project_name', @project_name;
  EXEC internal.find_project @folder_name, @project_name, 2, @project_id OUTPUT, NULL, @lsn OUTPUT, @project OUTPUT;
  IF @parameter_name IS NULL EXEC internal.raise_catalog_error 27100, N'parameter_name';
  SET @object = CASE WHEN @object_type = 20 THEN @project ELSE @object_name END;
  IF @object IS NULL EXEC internal.raise_catalog_error 27100, N'object_name';
  SELECT @parameter_id = parameter_id, @data_type = data_type, @sensitive = sensitive
  FROM internal.object_parameters WITH (UPDLOCK, HOLDLOCK)
  WHERE project_version_lsn = @lsn AND object_type = @object_type AND object_name = @object COLLATE Latin1_General_100_CI_AS
    AND parameter_name = @parameter_name COLLATE Latin1_General_100_BIN2;
  IF @parameter_id IS NULL EXEC internal.raise_catalog_error 27176, @parameter_name;
  RETURN 0;
END
