DECLARE @id bigint
EXEC catalog.create_execution N'folder1', N'project1', N'package1.dtsx', @execution_id = @id OUTPUT
EXEC catalog.set_execution_parameter_value @id, 20, N'Greeting', N'bonjour'
EXEC catalog.set_execution_parameter_value @id, @object_type = 30, @parameter_name = N'BatchSize', @parameter_value = 250
EXEC catalog.set_execution_parameter_value @execution_id = @id, @object_type = 50, @parameter_name = N'SYNCHRONIZED', @parameter_value = 0
SELECT object_type, parameter_name, parameter_data_type, parameter_value, value_set
FROM catalog.execution_parameter_values
WHERE execution_id = @id AND parameter_name IN (N'Greeting', N'BatchSize', N'SYNCHRONIZED')
ORDER BY object_type, parameter_name
-- names are case-sensitive; levels are checked
EXEC catalog.set_execution_parameter_value @id, 20, N'greeting', N'x'
EXEC catalog.set_execution_parameter_value @id, 50, N'LOGGING_LEVEL', 7
