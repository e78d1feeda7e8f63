-- Object:     permissions of public (grants)
-- Purpose:    Every database user may read the views (row-filtered) and call the public procedures (role-checked inside), as SSISDB grants them to public. Procedures check roles themselves (internal.caller_in_roles) and views filter rows; the
--             grants only open the doors. Objects are owned by dbo, so ownership chaining covers the
--             internal tables and functions behind them.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DCL; GRANT is idempotent)
GRANT SELECT ON SCHEMA::[catalog] TO [public];
GRANT EXECUTE ON SCHEMA::[catalog] TO [public];
