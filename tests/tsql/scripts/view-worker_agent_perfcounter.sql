SELECT WorkerAgentId, PerfCounterName, PerfCounterValue FROM catalog.worker_agent_perfcounter WHERE WorkerAgentId = '64c020e2-f819-4c2d-a22f-efb31a91e70a'
