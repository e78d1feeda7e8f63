-- Object:     permissions of ssis_admin (grants)
-- Purpose:    Everything public and internal (reference §1.11: every internal job/task procedure). Procedures check roles themselves (internal.caller_in_roles) and views filter rows; the
--             grants only open the doors. Objects are owned by dbo, so ownership chaining covers the
--             internal tables and functions behind them.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DCL; GRANT is idempotent)
GRANT SELECT ON SCHEMA::[catalog] TO [ssis_admin];
GRANT EXECUTE ON SCHEMA::[catalog] TO [ssis_admin];
GRANT EXECUTE ON SCHEMA::[internal] TO [ssis_admin];
GRANT EXECUTE ON TYPE::internal.machine_perf_counter_list_type TO [ssis_admin];
GRANT EXECUTE ON TYPE::internal.machine_property_list_type TO [ssis_admin];
GRANT REFERENCES ON TYPE::internal.machine_perf_counter_list_type TO [ssis_admin];
GRANT REFERENCES ON TYPE::internal.machine_property_list_type TO [ssis_admin];
