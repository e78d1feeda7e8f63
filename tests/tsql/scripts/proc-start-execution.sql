DECLARE @id bigint
EXEC catalog.create_execution N'folder1', N'project1', N'package1.dtsx', @execution_id = @id OUTPUT, @runinscaleout = 1
EXEC catalog.start_execution @id
SELECT execution_id, status FROM catalog.executions WHERE execution_id = @id
-- an execution starts only once
DECLARE @rc int = -1
EXEC @rc = catalog.start_execution @id, @retry_count = 2
SELECT @rc AS return_status
