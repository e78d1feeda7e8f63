EXEC [SSISDB].[catalog].[configure_catalog] @property_name = N'SERVER_LOGGING_LEVEL', @property_value = N'3'
EXEC catalog.configure_catalog N'DEFAULT_EXECUTION_MODE', N'0'
SELECT property_name, property_value FROM catalog.catalog_properties
WHERE property_name IN ('SERVER_LOGGING_LEVEL', 'DEFAULT_EXECUTION_MODE') ORDER BY property_name
EXEC catalog.configure_catalog N'NO_SUCH_PROPERTY', N'1'
