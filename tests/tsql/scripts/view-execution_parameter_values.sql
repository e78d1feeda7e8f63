DECLARE @id bigint
EXEC catalog.create_execution N'folder1', N'project1', N'package1.dtsx', @execution_id = @id OUTPUT
SELECT object_type, parameter_name, parameter_data_type, parameter_value, sensitive, required, value_set
FROM catalog.execution_parameter_values WHERE execution_id = @id ORDER BY object_type, parameter_name
