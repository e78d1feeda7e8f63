-- Object:     internal.append_event_message_for_worker (procedure)
-- Purpose:    Appends one package event sent by a worker, idempotent by @event_message_guid (a replay
--             after a reconnect is a no-op): one operation_messages row and one event_messages row with
--             the same id, as SSISDB's non-Scale-Out tables (reference §1.10, §4.3).
-- Parameters: @operation_id bigint; @message_type int; @message_time datetimeoffset(7);
--             @message_source smallint; @message nvarchar(max); @extended_info_id bigint = NULL;
--             @package_name nvarchar(260); @package_location_type nvarchar(128); @package_path_full
--             nvarchar(4000); @event_name nvarchar(1024); @message_source_name nvarchar(4000);
--             @message_source_id nvarchar(38); @subcomponent_name nvarchar(4000); @package_path nvarchar(max);
--             @execution_path nvarchar(max); @thread_id int; @message_code int;
--             @event_message_guid uniqueidentifier; @event_message_id bigint = NULL OUTPUT (ours)
-- Results:    none
-- Returns:    0; raises 27140 (not ssis_admin, sysadmin or ssis_cluster_worker), 27100 (NULL guid),
--             27143 (unknown operation), 27101 (NULL message_time)
CREATE OR ALTER PROCEDURE internal.append_event_message_for_worker
  @operation_id          bigint,
  @message_type          int,
  @message_time          datetimeoffset(7),
  @message_source        smallint,
  @message               nvarchar(max),
  @extended_info_id      bigint = NULL,
  @package_name          nvarchar(260),
  @package_location_type nvarchar(128),
  @package_path_full     nvarchar(4000),
  @event_name            nvarchar(1024),
  @message_source_name   nvarchar(4000),
  @message_source_id     nvarchar(38),
  @subcomponent_name     nvarchar(4000),
  @package_path          nvarchar(max),
  @execution_path        nvarchar(max),
  @thread_id             int,
  @message_code          int,
  @event_message_guid    uniqueidentifier,
  @event_message_id      bigint = NULL OUTPUT
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0;
  BEGIN TRY
    IF internal.caller_in_roles(N'ssis_admin,sysadmin,ssis_cluster_worker') = 0
      EXEC internal.raise_catalog_error 27140, N'ssis_admin, sysadmin, ssis_cluster_worker';
    IF @event_message_guid IS NULL EXEC internal.raise_catalog_error 27100, N'event_message_guid';
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    SET @event_message_id = (SELECT operation_message_id FROM internal.operation_messages WITH (UPDLOCK, HOLDLOCK)
                             WHERE event_message_guid = @event_message_guid);
    IF @event_message_id IS NULL
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM internal.operations WHERE operation_id = @operation_id) EXEC internal.raise_catalog_error 27143, @operation_id;
      IF @message_time IS NULL EXEC internal.raise_catalog_error 27101, N'message_time';
      INSERT INTO internal.operation_messages (operation_id, message_time, message_type, message_source_type, message, extended_info_id, event_message_guid)
      VALUES (@operation_id, SWITCHOFFSET(@message_time, N'+00:00'), @message_type, @message_source, @message, @extended_info_id, @event_message_guid);
      SET @event_message_id = CONVERT(bigint, SCOPE_IDENTITY());
      INSERT INTO internal.event_messages (event_message_id, operation_id, package_name, package_location_type, package_path_full, event_name,
                                           message_source_name, message_source_id, subcomponent_name, package_path, execution_path, threadID,
                                           message_code, event_message_guid)
      VALUES (@event_message_id, @operation_id, @package_name, @package_location_type, @package_path_full, @event_name,
              @message_source_name, @message_source_id, @subcomponent_name, @package_path, @execution_path, @thread_id,
              @message_code, @event_message_guid);
    END
    ELSE
      SET @event_message_id = NULL;  -- already there: a replay, and its context is not appended again
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
