DECLARE @id bigint
EXEC catalog.create_execution @folder_name = N'folder1', @project_name = N'project1', @package_name = N'package1.dtsx', @execution_id = @id OUTPUT
EXEC [catalog].[set_execution_property_override_value] @execution_id = @id, @property_path = N'\Package.Properties[MaxConcurrentExecutables]', @property_value = N'4', @sensitive = 0
SELECT execution_id, property_path, property_value, sensitive FROM catalog.execution_property_override_values
