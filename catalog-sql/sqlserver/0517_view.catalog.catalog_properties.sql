-- Object:     [catalog].catalog_properties (view)
-- Purpose:    Catalog settings.
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: all rows for ssis_admin, sysadmin; empty (no error) for anyone else.
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].catalog_properties
AS
SELECT property_name, property_value
FROM internal.catalog_properties
WHERE internal.caller_in_roles(N'ssis_admin,sysadmin') = 1;
