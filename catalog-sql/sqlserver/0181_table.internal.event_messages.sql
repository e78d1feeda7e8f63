-- Object:     internal.event_messages (table)
-- Purpose:    Package events; event_message_id = operation_message_id of the same message, as in SSISDB.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.event_messages', N'U') IS NULL
BEGIN
  CREATE TABLE internal.event_messages (
    event_message_id       bigint NOT NULL CONSTRAINT PK_event_messages PRIMARY KEY
                             CONSTRAINT FK_event_messages_operation_messages REFERENCES internal.operation_messages (operation_message_id) ON DELETE CASCADE,
    operation_id           bigint           NOT NULL,
    package_name           nvarchar(260)    NULL,
    package_location_type  nvarchar(128)    NULL,
    package_path_full      nvarchar(4000)   NULL,
    event_name             nvarchar(1024)   NULL,
    message_source_name    nvarchar(4000)   NULL,
    message_source_id      nvarchar(38)     NULL,
    subcomponent_name      nvarchar(4000)   NULL,
    package_path           nvarchar(max)    NULL,
    execution_path         nvarchar(max)    NULL,
    threadID               int              NULL,
    message_code           int              NULL,
    event_message_guid     uniqueidentifier NULL
  );
  CREATE INDEX IX_event_messages_operation ON internal.event_messages (operation_id);
  CREATE UNIQUE INDEX UX_event_messages_guid ON internal.event_messages (event_message_guid) WHERE event_message_guid IS NOT NULL;
END
