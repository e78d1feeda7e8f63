-- Object:     internal.operation_messages (table)
-- Purpose:    Messages of every operation. Scale Out rows live here too (no *_scaleout split), with
--             their event_message_guid making worker batch appends idempotent.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.operation_messages', N'U') IS NULL
BEGIN
  CREATE TABLE internal.operation_messages (
    operation_message_id  bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_operation_messages PRIMARY KEY,
    operation_id          bigint NOT NULL CONSTRAINT FK_operation_messages_operations REFERENCES internal.operations (operation_id) ON DELETE CASCADE,
    message_time          datetimeoffset(7) NOT NULL,
    message_type          smallint          NOT NULL,
    message_source_type   smallint          NULL,
    message               nvarchar(max)     NULL,
    extended_info_id      bigint            NULL,
    event_message_guid    uniqueidentifier  NULL
  );
  CREATE INDEX IX_operation_messages_operation ON internal.operation_messages (operation_id);
  CREATE UNIQUE INDEX UX_operation_messages_guid ON internal.operation_messages (event_message_guid) WHERE event_message_guid IS NOT NULL;
END
