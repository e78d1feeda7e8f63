-- What SSMS generates (Script button) when a user creates environments, configures a project with
-- environment references and parameter bindings, and runs it in Scale Out with the prod environment;
-- unchanged but for the names. Values bound from the environment show their source.
EXEC [SSISDB].[catalog].[create_environment] @environment_name=N'test', @environment_description=N'', @folder_name=N'folder1'
GO
EXEC [SSISDB].[catalog].[create_environment] @environment_name=N'prod', @environment_description=N'Production', @folder_name=N'folder1'
GO
DECLARE @var sql_variant = N'Hello from test'
EXEC [SSISDB].[catalog].[create_environment_variable] @variable_name=N'Greeting', @sensitive=False, @description=N'', @environment_name=N'test', @folder_name=N'folder1', @value=@var, @data_type=N'String'
GO
DECLARE @var sql_variant = N'Hello from prod'
EXEC [SSISDB].[catalog].[create_environment_variable] @variable_name=N'Greeting', @sensitive=False, @description=N'', @environment_name=N'prod', @folder_name=N'folder1', @value=@var, @data_type=N'String'
GO
DECLARE @var sql_variant = N'p@ssw0rd-prod'
EXEC [SSISDB].[catalog].[create_environment_variable] @variable_name=N'Secret', @sensitive=True, @description=N'', @environment_name=N'prod', @folder_name=N'folder1', @value=@var, @data_type=N'String'
GO
DECLARE @reference_id bigint
EXEC [SSISDB].[catalog].[create_environment_reference] @environment_name=N'test', @reference_id=@reference_id OUTPUT, @project_name=N'project1', @folder_name=N'folder1', @reference_type=R
Select @reference_id

GO
DECLARE @reference_id bigint
EXEC [SSISDB].[catalog].[create_environment_reference] @environment_name=N'prod', @environment_folder_name=N'folder1', @reference_id=@reference_id OUTPUT, @project_name=N'project1', @folder_name=N'folder1', @reference_type=A
Select @reference_id

GO
EXEC [SSISDB].[catalog].[set_object_parameter_value] @object_type=20, @parameter_name=N'Greeting', @object_name=N'project1', @folder_name=N'folder1', @project_name=N'project1', @value_type=R, @parameter_value=N'Greeting'
GO
DECLARE @var smallint = 500
EXEC [SSISDB].[catalog].[set_object_parameter_value] @object_type=30, @parameter_name=N'BatchSize', @object_name=N'package1.dtsx', @folder_name=N'folder1', @project_name=N'project1', @value_type=V, @parameter_value=@var
GO
Declare @execution_id bigint
EXEC [SSISDB].[catalog].[create_execution] @package_name=N'package1.dtsx', @execution_id=@execution_id OUTPUT, @folder_name=N'folder1', @project_name=N'project1', @use32bitruntime=False, @reference_id=2, @useanyworker=True, @runinscaleout=True
Select @execution_id
DECLARE @var0 smallint = 1
EXEC [SSISDB].[catalog].[set_execution_parameter_value] @execution_id,  @object_type=50, @parameter_name=N'LOGGING_LEVEL', @parameter_value=@var0
EXEC [SSISDB].[catalog].[start_execution] @execution_id,  @retry_count=0
GO
SELECT reference_id, reference_type, environment_folder_name, environment_name FROM catalog.environment_references
SELECT e.name, v.name AS variable, v.type, v.sensitive, v.value
FROM catalog.environment_variables v JOIN catalog.environments e ON e.environment_id = v.environment_id
SELECT parameter_name, value_type, referenced_variable_name, default_value FROM catalog.object_parameters WHERE value_set = 1
SELECT execution_id, reference_id, reference_type, environment_folder_name, environment_name, status FROM catalog.executions WHERE reference_id IS NOT NULL
SELECT object_type, parameter_name, parameter_value, value_source, referenced_variable_name, environment_name
FROM catalog.execution_parameter_values WHERE execution_id = 3 AND object_type IN (20, 30)
GO
-- A reference the project does not have: 27208, and no execution is created.
Declare @execution_id bigint
EXEC [SSISDB].[catalog].[create_execution] @package_name=N'package1.dtsx', @execution_id=@execution_id OUTPUT, @folder_name=N'folder1', @project_name=N'project1', @use32bitruntime=False, @reference_id=99, @useanyworker=True, @runinscaleout=True
GO
-- grant_permission answers with a return code: 3 for a principal that does not exist.
DECLARE @rc int
EXEC @rc = [SSISDB].[catalog].[grant_permission] @object_type=3, @object_id=1, @principal_id=99, @permission_type=1
SELECT @rc AS return_code
