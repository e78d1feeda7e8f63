-- The script SSMS generates for "Execute in Scale Out", unchanged but for the worker id.
Declare @execution_id bigint
EXEC [SSISDB].[catalog].[create_execution] @package_name=N'package1.dtsx', @execution_id=@execution_id OUTPUT, @folder_name=N'folder1', @project_name=N'project1', @use32bitruntime=False, @reference_id=Null, @useanyworker=False, @runincluster=True
Select @execution_id
DECLARE @var0 smallint = 1
EXEC [SSISDB].[catalog].[set_execution_parameter_value] @execution_id,  @object_type=50, @parameter_name=N'LOGGING_LEVEL', @parameter_value=@var0
EXEC [SSISDB].[catalog].[add_execution_worker] @execution_id,  @workeragent_id=N'64c020e2-f819-4c2d-a22f-efb31a91e70a'
EXEC [SSISDB].[catalog].[start_execution] @execution_id,  @retry_count=0
GO
SELECT execution_id, folder_name, project_name, package_name, status, use32bitruntime, executed_as_name
FROM [SSISDB].[catalog].[executions]
SELECT parameter_name, parameter_value FROM catalog.execution_parameter_values
WHERE object_type = 50 AND parameter_name = N'LOGGING_LEVEL'
