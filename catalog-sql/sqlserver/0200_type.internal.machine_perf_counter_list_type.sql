-- Object:     internal.machine_perf_counter_list_type (table type)
-- Purpose:    The perf counter samples update_worker_agent_status receives (reference §4.3).
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL). A table type cannot be altered once procedures use it: change = new type.
IF TYPE_ID(N'internal.machine_perf_counter_list_type') IS NULL
  EXEC (N'CREATE TYPE internal.machine_perf_counter_list_type AS TABLE (
    PerfCounterName   nvarchar(max)     NOT NULL,
    PerfCounterValue  float             NOT NULL,
    TimeStamp         datetimeoffset(7) NOT NULL
  )');
