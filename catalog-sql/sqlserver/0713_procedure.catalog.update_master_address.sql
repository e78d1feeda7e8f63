-- Object:     [catalog].update_master_address (procedure)
-- Purpose:    Publishes the master endpoint (master_properties.MASTER_ADDRESS), e.g. https://master:8391.
-- Parameters: @MasterAddress nvarchar(256)
-- Results:    none
-- Returns:    0; raises 27140, 27100 (NULL)
CREATE OR ALTER PROCEDURE [catalog].update_master_address
  @MasterAddress nvarchar(256)
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0;
  BEGIN TRY
    IF internal.caller_in_roles(N'ssis_admin,sysadmin') = 0 EXEC internal.raise_catalog_error 27140, N'ssis_admin, sysadmin';
    IF @MasterAddress IS NULL EXEC internal.raise_catalog_error 27100, N'MasterAddress';
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    UPDATE internal.master_properties SET property_value = @MasterAddress WHERE property_name = N'MASTER_ADDRESS';
    IF @@ROWCOUNT = 0 INSERT INTO internal.master_properties (property_name, property_value) VALUES (N'MASTER_ADDRESS', @MasterAddress);
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
