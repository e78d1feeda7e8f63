DECLARE @id bigint
EXEC catalog.create_execution N'folder1', N'project1', N'package1.dtsx', @execution_id = @id OUTPUT, @runinscaleout = 1, @useanyworker = 0
EXEC catalog.add_execution_worker @id, '64c020e2-f819-4c2d-a22f-efb31a91e70a'
EXEC catalog.add_execution_worker @id, '0e9d2b7a-5c1f-4f3e-8a6b-2d4c6e8f0a1b'
PRINT 'two workers added'
-- unknown worker, then the same worker twice
EXEC catalog.add_execution_worker @id, 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'
EXEC catalog.add_execution_worker @id, '64c020e2-f819-4c2d-a22f-efb31a91e70a'
