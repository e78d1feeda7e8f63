-- Object:     seed of internal.master_properties (data)
-- Purpose:    The rows internal.update_master_settings updates (it only UPDATEs, as in SSISDB, so they
--             must exist from the start). Inserts missing rows only.
-- Parameters: none
-- Results:    none
-- Returns:    n/a
INSERT INTO internal.master_properties (property_name, property_value)
SELECT s.property_name, s.property_value
FROM (VALUES
    (N'CLUSTER_LOGDB_SERVER', N''),
    (N'CLUSTER_LOGDB_CONNECTIONSTRING', N''),
    (N'IS_SCALEOUT_ENABLED', N'TRUE'),
    (N'LAST_ONLINE_TIME', N''),
    (N'MACHINE_IP', N''),
    (N'MACHINE_NAME', N''),
    (N'MASTER_ADDRESS', N''),
    (N'MASTER_SERVICE_PORT', N''),
    (N'SSLCERT_THUMBPRINT', N''),
    (N'MASTER_HEARTBEAT_INTERVALINMS', N'')
) AS s (property_name, property_value)
WHERE NOT EXISTS (SELECT 1 FROM internal.master_properties m WHERE m.property_name = s.property_name);
