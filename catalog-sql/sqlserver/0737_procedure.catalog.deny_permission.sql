-- Object:     [catalog].deny_permission (procedure)
-- Purpose:    Denys a permission on a folder (1), project (2), environment (3) or operation (4) to a
--             catalog principal (issue 14; reference §4.2). Needs MANAGE_PERMISSIONS on the object (or
--             ssis_admin / sysadmin). Answers with SSISDB's return codes (internal.change_permission).
-- Parameters: @object_type smallint; @object_id bigint; @principal_id int; @permission_type smallint
-- Results:    none
-- Returns:    0 ok, 1 bad object class, 2 no such object, 3 no such principal, 4 permission not valid
--             for the class, 5 other (no MANAGE_PERMISSIONS)
CREATE OR ALTER PROCEDURE [catalog].deny_permission
  @object_type     smallint,
  @object_id       bigint,
  @principal_id    int,
  @permission_type smallint
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @rc int;
  BEGIN TRY
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    EXEC @rc = internal.change_permission @object_type, @object_id, @principal_id, @permission_type, 'D';
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN @rc;
END
