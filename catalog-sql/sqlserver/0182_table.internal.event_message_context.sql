-- Object:     internal.event_message_context (table)
-- Purpose:    Context rows (container chain, variables) of an event message, linked by id and GUID.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.event_message_context', N'U') IS NULL
BEGIN
  CREATE TABLE internal.event_message_context (
    context_id           bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_event_message_context PRIMARY KEY,
    operation_id         bigint NOT NULL,
    event_message_id     bigint NOT NULL CONSTRAINT FK_event_message_context_event_messages REFERENCES internal.event_messages (event_message_id) ON DELETE CASCADE,
    context_depth        int            NULL,
    package_path         nvarchar(max)  NULL,
    context_type         smallint       NULL,
    context_source_name  nvarchar(4000) NULL,
    context_source_id    nvarchar(38)   NULL,
    property_name        nvarchar(4000) NULL,
    property_value       sql_variant    NULL,
    event_message_guid   uniqueidentifier NOT NULL
  );
  CREATE INDEX IX_event_message_context_message ON internal.event_message_context (event_message_id);
END
