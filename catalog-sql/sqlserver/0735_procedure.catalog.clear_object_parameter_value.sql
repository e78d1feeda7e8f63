-- Object:     [catalog].clear_object_parameter_value (procedure)
-- Purpose:    Clears a parameter's server value (issue 14): MODIFY on the project; the parameter goes back
--             to its design default ('V', value_set 0, no referenced variable, no sensitive value).
-- Parameters: @folder_name, @project_name nvarchar(128); @object_type smallint; @object_name nvarchar(260);
--             @parameter_name nvarchar(128)
-- Results:    none
-- Returns:    0; raises 27100, 27101, 27403, 27176
CREATE OR ALTER PROCEDURE [catalog].clear_object_parameter_value
  @folder_name    nvarchar(128),
  @project_name   nvarchar(128),
  @object_type    smallint,
  @object_name    nvarchar(260),
  @parameter_name nvarchar(128)
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @parameter_id bigint;
  BEGIN TRY
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    EXEC internal.find_object_parameter @object_type, @folder_name, @project_name, @object_name, @parameter_name, @parameter_id OUTPUT;
    UPDATE internal.object_parameters
    SET value_type = 'V', referenced_variable_name = NULL, value_set = 0, default_value = design_default_value, sensitive_default_value = NULL
    WHERE parameter_id = @parameter_id;
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
