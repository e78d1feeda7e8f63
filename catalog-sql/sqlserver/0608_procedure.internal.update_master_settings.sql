-- Object:     internal.update_master_settings (procedure)
-- Purpose:    The master's identity at startup (reference §1.7): updates MACHINE_NAME, MACHINE_IP,
--             MASTER_SERVICE_PORT, SSLCERT_THUMBPRINT and MASTER_HEARTBEAT_INTERVALINMS (UPDATE only, as
--             the original; the seed creates the rows).
-- Parameters: @MachineName, @MachineIP, @MasterServicePort, @SSLCertThumbprint,
--             @MasterHeartbeatIntervalInMs: nvarchar(256), none NULL
-- Results:    none
-- Returns:    0; raises 27140, 27100 (a NULL parameter, named)
CREATE OR ALTER PROCEDURE internal.update_master_settings
  @MachineName                 nvarchar(256),
  @MachineIP                   nvarchar(256),
  @MasterServicePort           nvarchar(256),
  @SSLCertThumbprint           nvarchar(256),
  @MasterHeartbeatIntervalInMs nvarchar(256)
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0;
  BEGIN TRY
    IF internal.caller_in_roles(N'ssis_admin,sysadmin') = 0 EXEC internal.raise_catalog_error 27140, N'ssis_admin, sysadmin';
    IF @MachineName IS NULL EXEC internal.raise_catalog_error 27100, N'MachineName';
    IF @MachineIP IS NULL EXEC internal.raise_catalog_error 27100, N'MachineIP';
    IF @MasterServicePort IS NULL EXEC internal.raise_catalog_error 27100, N'MasterServicePort';
    IF @SSLCertThumbprint IS NULL EXEC internal.raise_catalog_error 27100, N'SSLCertThumbprint';
    IF @MasterHeartbeatIntervalInMs IS NULL EXEC internal.raise_catalog_error 27100, N'MasterHeartbeatIntervalInMs';
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    UPDATE p SET property_value = s.v
    FROM internal.master_properties AS p
    JOIN (VALUES (N'MACHINE_NAME', @MachineName), (N'MACHINE_IP', @MachineIP), (N'MASTER_SERVICE_PORT', @MasterServicePort),
                 (N'SSLCERT_THUMBPRINT', @SSLCertThumbprint), (N'MASTER_HEARTBEAT_INTERVALINMS', @MasterHeartbeatIntervalInMs)) AS s (n, v)
      ON s.n = p.property_name;
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
