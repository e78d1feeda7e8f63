-- Object:     internal.machine_property_list_type (table type)
-- Purpose:    The machine properties update_worker_agent_status receives (reference §4.3).
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF TYPE_ID(N'internal.machine_property_list_type') IS NULL
  EXEC (N'CREATE TYPE internal.machine_property_list_type AS TABLE (
    PropertyName   nvarchar(max) NOT NULL,
    PropertyValue  nvarchar(max) NULL
  )');
