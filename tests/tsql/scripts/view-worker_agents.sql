SELECT * FROM catalog.worker_agents WHERE IsEnabled = 1
