-- Object:     permissions of ssis_cluster_executor (grants)
-- Purpose:    Creating, parameterising, starting and stopping Scale Out executions; the views. Procedures check roles themselves (internal.caller_in_roles) and views filter rows; the
--             grants only open the doors. Objects are owned by dbo, so ownership chaining covers the
--             internal tables and functions behind them.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DCL; GRANT is idempotent)
GRANT SELECT ON SCHEMA::[catalog] TO [ssis_cluster_executor];
GRANT EXECUTE ON OBJECT::[catalog].create_execution TO [ssis_cluster_executor];
GRANT EXECUTE ON OBJECT::[catalog].set_execution_parameter_value TO [ssis_cluster_executor];
GRANT EXECUTE ON OBJECT::[catalog].set_execution_property_override_value TO [ssis_cluster_executor];
GRANT EXECUTE ON OBJECT::[catalog].add_execution_worker TO [ssis_cluster_executor];
GRANT EXECUTE ON OBJECT::[catalog].start_execution TO [ssis_cluster_executor];
GRANT EXECUTE ON OBJECT::[catalog].stop_operation TO [ssis_cluster_executor];
GRANT EXECUTE ON OBJECT::[catalog].add_data_tap TO [ssis_cluster_executor];
GRANT EXECUTE ON OBJECT::[catalog].add_data_tap_by_guid TO [ssis_cluster_executor];
GRANT EXECUTE ON OBJECT::[catalog].remove_data_tap TO [ssis_cluster_executor];
