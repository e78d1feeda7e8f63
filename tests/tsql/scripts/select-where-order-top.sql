SELECT TOP 1 WorkerAgentId, MachineName FROM catalog.worker_agents ORDER BY MachineName DESC
SELECT TOP (1) MachineName AS machine FROM catalog.worker_agents ORDER BY machine
SELECT MachineName FROM catalog.worker_agents WHERE MachineName IN ('WORKER-01', 'nobody') OR IsEnabled BETWEEN 5 AND 6
SELECT MachineName FROM catalog.worker_agents WHERE NOT (MachineName LIKE '%1') AND DisplayName IS NULL
SELECT MachineName, Tags FROM catalog.worker_agents WHERE Tags IS NOT NULL
SELECT w.MachineName, Description FROM [catalog].[worker_agents] AS w WHERE MachineName LIKE '[w]orker-0[^1]'
SELECT name FROM catalog.folders WHERE name LIKE 'fold_r%' AND folder_id >= 1
SELECT COUNT(*) AS n, MIN(MachineName) AS first, MAX(MachineName) AS last FROM catalog.worker_agents
