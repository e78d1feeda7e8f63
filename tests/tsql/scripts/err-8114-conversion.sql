PRINT 'before'
EXEC catalog.start_execution @execution_id = N'abc'
PRINT 'not printed: a conversion error ends the batch'
GO
EXEC catalog.enable_worker_agent @WorkerAgentId = N'not-a-guid'
GO
DECLARE @n int = 'abc'
GO
EXEC catalog.create_execution N'folder1', N'project1', N'package1.dtsx', @use32bitruntime = N'maybe'
GO
PRINT 'later batches still run'
