-- Object:     internal.append_message_context_for_worker (procedure)
-- Purpose:    Appends one context row to an event message found by its GUID (reference §4.3).
-- Parameters: @operation_id bigint; @event_message_guid uniqueidentifier; @context_depth int;
--             @package_path nvarchar(max); @context_type smallint; @context_source_name nvarchar(max);
--             @context_source_id nvarchar(38); @property_name nvarchar(4000); @property_value sql_variant
-- Results:    none
-- Returns:    0; raises 27140, 27100 (NULL guid), 27256 (no event message with that GUID)
CREATE OR ALTER PROCEDURE internal.append_message_context_for_worker
  @operation_id        bigint,
  @event_message_guid  uniqueidentifier,
  @context_depth       int,
  @package_path        nvarchar(max),
  @context_type        smallint,
  @context_source_name nvarchar(max),
  @context_source_id   nvarchar(38),
  @property_name       nvarchar(4000),
  @property_value      sql_variant
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @id bigint;
  BEGIN TRY
    IF internal.caller_in_roles(N'ssis_admin,sysadmin,ssis_cluster_worker') = 0
      EXEC internal.raise_catalog_error 27140, N'ssis_admin, sysadmin, ssis_cluster_worker';
    IF @event_message_guid IS NULL EXEC internal.raise_catalog_error 27100, N'event_message_guid';
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    SET @id = (SELECT event_message_id FROM internal.event_messages WHERE event_message_guid = @event_message_guid);
    IF @id IS NULL EXEC internal.raise_catalog_error 27256, @event_message_guid;
    INSERT INTO internal.event_message_context (operation_id, event_message_id, context_depth, package_path, context_type, context_source_name,
                                                context_source_id, property_name, property_value, event_message_guid)
    VALUES (@operation_id, @id, @context_depth, @package_path, @context_type, CONVERT(nvarchar(4000), @context_source_name),
            @context_source_id, @property_name, @property_value, @event_message_guid);
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
