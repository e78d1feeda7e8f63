-- Object:     internal.catalog_properties (table)
-- Purpose:    Catalog-wide settings changed by catalog.configure_catalog (reference §4.5).
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.catalog_properties', N'U') IS NULL
  CREATE TABLE internal.catalog_properties (
    property_name   nvarchar(256) NOT NULL CONSTRAINT PK_catalog_properties PRIMARY KEY,
    property_value  nvarchar(256) NOT NULL,
    row_version     rowversion    NOT NULL
  );
