-- Object:     permissions of ssis_cluster_worker (grants)
-- Purpose:    The worker logging procedures (reference §1.11). Procedures check roles themselves (internal.caller_in_roles) and views filter rows; the
--             grants only open the doors. Objects are owned by dbo, so ownership chaining covers the
--             internal tables and functions behind them.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DCL; GRANT is idempotent)
GRANT EXECUTE ON OBJECT::internal.append_event_message_for_worker TO [ssis_cluster_worker];
GRANT EXECUTE ON OBJECT::internal.append_message_context_for_worker TO [ssis_cluster_worker];
GRANT EXECUTE ON OBJECT::internal.append_executable_statistics_for_worker TO [ssis_cluster_worker];
GRANT EXECUTE ON OBJECT::internal.append_data_statistics_for_worker TO [ssis_cluster_worker];
GRANT EXECUTE ON OBJECT::internal.append_execution_component_phases_for_worker TO [ssis_cluster_worker];
