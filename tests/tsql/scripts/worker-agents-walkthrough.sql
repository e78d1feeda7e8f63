SELECT WorkerAgentId, MachineName, IsEnabled FROM [catalog].[worker_agents] ORDER BY MachineName
EXEC [catalog].[enable_worker_agent] '0e9d2b7a-5c1f-4f3e-8a6b-2d4c6e8f0a1b'
SELECT WorkerAgentId, MachineName, IsEnabled FROM [catalog].[worker_agents] WHERE WorkerAgentId = '0e9d2b7a-5c1f-4f3e-8a6b-2d4c6e8f0a1b'
EXEC [catalog].[disable_worker_agent] @WorkerAgentId = '0e9d2b7a-5c1f-4f3e-8a6b-2d4c6e8f0a1b'
EXEC catalog.set_worker_agent_property @WorkerAgentId = '64c020e2-f819-4c2d-a22f-efb31a91e70a', @PropertyName = N'DisplayName', @PropertyValue = N'First worker'
EXEC catalog.set_worker_agent_property '64c020e2-f819-4c2d-a22f-efb31a91e70a', N'Tags', N'linux;fast'
SELECT DisplayName, Tags, IsEnabled, UserAccount FROM catalog.worker_agents WHERE MachineName LIKE 'worker-0_' ORDER BY 1 DESC
