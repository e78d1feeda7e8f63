-- scaleout sql: -U $READER_LOGIN -P $READER_PASSWORD
-- A login without a Scale Out role sees no workers (SSISDB's row filter); folders only with READ on them (issue 14).
SELECT COUNT(*) AS workers FROM catalog.worker_agents
SELECT SUSER_NAME() AS login
EXEC catalog.enable_worker_agent '0e9d2b7a-5c1f-4f3e-8a6b-2d4c6e8f0a1b'
