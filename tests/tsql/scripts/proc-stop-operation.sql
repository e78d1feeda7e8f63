DECLARE @id bigint
EXEC catalog.create_execution N'folder1', N'project1', N'package1.dtsx', @execution_id = @id OUTPUT, @runinscaleout = 1
EXEC catalog.start_execution @id, @retry_count = 1
-- a pending Scale Out execution can be stopped here (the original cannot)
EXEC [SSISDB].[catalog].[stop_operation] @operation_id = @id
SELECT operation_id, operation_type, status FROM catalog.operations WHERE operation_type IN (200, 202) ORDER BY operation_id
EXEC catalog.stop_operation @id
