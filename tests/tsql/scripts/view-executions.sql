DECLARE @id bigint
EXEC catalog.create_execution N'folder1', N'project1', N'package1.dtsx', @execution_id = @id OUTPUT
SELECT execution_id, folder_name, project_name, package_name, status, executed_count, worker_agent_id FROM catalog.executions
