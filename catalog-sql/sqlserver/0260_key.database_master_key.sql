-- Object:     the database master key (key)
-- Purpose:    Sensitive values are encrypted as SSISDB does: database master key → certificate →
--             symmetric key (0261, 0262). SSISDB asks for the master key's password when the catalog
--             is created; `scaleout catalog install` creates the key with a random password (never
--             shown or stored) unless the database already has one: create it yourself first to choose
--             the password (CREATE MASTER KEY ENCRYPTION BY PASSWORD = '…'). The key is also protected
--             by the service master key, so the instance opens it by itself. Moving the database to
--             another instance needs BACKUP MASTER KEY … / OPEN MASTER KEY … ADD ENCRYPTION BY SERVICE
--             MASTER KEY, as for SSISDB (README-sqlserver.md).
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF NOT EXISTS (SELECT 1 FROM sys.symmetric_keys WHERE name = N'##MS_DatabaseMasterKey##')
BEGIN
  DECLARE @password nvarchar(200) = CONVERT(nvarchar(36), NEWID()) + N'!Aa1' + CONVERT(nvarchar(36), NEWID())
                                    + LOWER(CONVERT(nvarchar(64), CRYPT_GEN_RANDOM(24), 2));
  DECLARE @sql nvarchar(400) = N'CREATE MASTER KEY ENCRYPTION BY PASSWORD = ' + QUOTENAME(@password, N'''') + N';';
  EXEC sys.sp_executesql @sql;
END
