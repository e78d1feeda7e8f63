-- Object:     internal.master_heartbeat (procedure)
-- Purpose:    The master's liveness: master_properties.LAST_ONLINE_TIME = now (ISO-8601 text, UTC).
-- Parameters: none
-- Results:    none
-- Returns:    0; raises 27140
CREATE OR ALTER PROCEDURE internal.master_heartbeat
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @text nvarchar(29);
  BEGIN TRY
    IF internal.caller_in_roles(N'ssis_admin,sysadmin') = 0 EXEC internal.raise_catalog_error 27140, N'ssis_admin, sysadmin';
    SET @text = internal.iso_text(internal.now_utc());
    UPDATE internal.master_properties SET property_value = @text WHERE property_name = N'LAST_ONLINE_TIME';
    IF @@ROWCOUNT = 0 INSERT INTO internal.master_properties (property_name, property_value) VALUES (N'LAST_ONLINE_TIME', @text);
  END TRY
  BEGIN CATCH
    THROW;
  END CATCH
  RETURN 0;
END
