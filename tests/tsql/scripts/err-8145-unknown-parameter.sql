DECLARE @id bigint
EXEC catalog.create_execution @folder_name = N'folder1', @project_name = N'project1', @package_name = N'package1.dtsx', @execution_id = @id OUTPUT, @no_such_parameter = 1
EXEC catalog.start_execution 1, 0, 3
EXEC catalog.enable_worker_agent @WorkerAgentId = '0e9d2b7a-5c1f-4f3e-8a6b-2d4c6e8f0a1b', @workeragentid = '0e9d2b7a-5c1f-4f3e-8a6b-2d4c6e8f0a1b'
EXEC catalog.stop_operation @operation_id = @id OUTPUT
SELECT @id AS still_null
EXEC catalog.create_execution N'folder1', N'project1', N'package1.dtsx', @execution_id = @id OUTPUT, @runincluster = 1, @runinscaleout = 1
