EXEC [catalog].[delete_worker_agent] @WorkerAgentId = '0e9d2b7a-5c1f-4f3e-8a6b-2d4c6e8f0a1b'
SELECT COUNT(*) AS workers FROM catalog.worker_agents
EXEC [catalog].[delete_worker_agent] '0e9d2b7a-5c1f-4f3e-8a6b-2d4c6e8f0a1b'
