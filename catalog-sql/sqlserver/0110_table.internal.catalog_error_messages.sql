-- Object:     internal.catalog_error_messages (table)
-- Purpose:    SSISDB's error numbers and message templates ('%s' placeholders), the same texts as
--             actors/catalog-errors.ts; internal.raise_catalog_error formats from it.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL). Seeded by 0250_seed.internal.catalog_error_messages.sql.
IF OBJECT_ID(N'internal.catalog_error_messages', N'U') IS NULL
  CREATE TABLE internal.catalog_error_messages (
    message_number  int            NOT NULL CONSTRAINT PK_catalog_error_messages PRIMARY KEY,
    message_text    nvarchar(1024) NOT NULL
  );
