-- Object:     internal.master_properties (table)
-- Purpose:    Key/value state of the master (address, port, thumbprint, heartbeat…), reference §4.5.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.master_properties', N'U') IS NULL
  CREATE TABLE internal.master_properties (
    property_name   nvarchar(256) NOT NULL CONSTRAINT PK_master_properties PRIMARY KEY,
    property_value  nvarchar(max) NOT NULL,
    row_version     rowversion    NOT NULL
  );
