DECLARE @id bigint, @rc int
EXEC @rc = catalog.create_execution N'folder1', N'project1', N'missing.dtsx', @execution_id = @id OUTPUT
SELECT @rc AS return_status, @id AS execution_id
EXEC catalog.enable_worker_agent 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'
EXEC catalog.enable_worker_agent NULL
EXEC catalog.enable_worker_agent '11111111-1111-1111-1111-111111111111'
EXEC catalog.start_execution 999
EXEC catalog.set_worker_agent_property '64c020e2-f819-4c2d-a22f-efb31a91e70a', N'Color', N'blue'
EXEC catalog.create_folder N' bad name', @id OUTPUT
EXEC catalog.stop_operation 999
PRINT 'catalog errors do not end the batch'
