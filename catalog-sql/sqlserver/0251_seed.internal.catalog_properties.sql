-- Object:     seed of internal.catalog_properties (data)
-- Purpose:    The catalog properties with SSISDB's defaults. Inserts missing rows only: an upgrade never
--             resets a value an administrator configured.
-- Parameters: none
-- Results:    none
-- Returns:    n/a
INSERT INTO internal.catalog_properties (property_name, property_value)
SELECT s.property_name, s.property_value
FROM (VALUES
    (N'DEFAULT_EXECUTION_MODE', N'1'),  -- every execution here runs in Scale Out
    (N'SERVER_LOGGING_LEVEL', N'1'),
    (N'SERVER_CUSTOMIZED_LOGGING_LEVEL', N''),
    (N'RETENTION_WINDOW', N'365'),
    (N'MAX_PROJECT_VERSIONS', N'10'),
    (N'OPERATION_CLEANUP_ENABLED', N'TRUE'),
    (N'VERSION_CLEANUP_ENABLED', N'TRUE'),
    (N'SCHEMA_VERSION', N'7'),
    (N'SCHEMA_BUILD', N'1.0.0'),
    (N'SERVER_OPERATION_ENCRYPTION_LEVEL', N'2'),
    (N'ENCRYPTION_ALGORITHM', N'AES_256'),
    (N'VALIDATION_TIMEOUT', N'300'),
    (N'IS_SCALEOUT_ENABLED', N'TRUE')
) AS s (property_name, property_value)
WHERE NOT EXISTS (SELECT 1 FROM internal.catalog_properties c WHERE c.property_name = s.property_name);
