-- Object:     permissions of ssis_logreader (grants)
-- Purpose:    Reading every view (the operation views then show all rows). Procedures check roles themselves (internal.caller_in_roles) and views filter rows; the
--             grants only open the doors. Objects are owned by dbo, so ownership chaining covers the
--             internal tables and functions behind them.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DCL; GRANT is idempotent)
GRANT SELECT ON SCHEMA::[catalog] TO [ssis_logreader];
