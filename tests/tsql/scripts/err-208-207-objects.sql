SELECT * FROM catalog.no_such_view
PRINT 'not printed'
GO
SELECT * FROM worker_agents
GO
SELECT no_such_column FROM catalog.worker_agents
GO
SELECT MachineName FROM catalog.worker_agents ORDER BY 3
GO
SELECT NO_SUCH_FUNCTION(1)
GO
SELECT 1 / 0 AS boom
PRINT 'divide by zero ends only the statement'
