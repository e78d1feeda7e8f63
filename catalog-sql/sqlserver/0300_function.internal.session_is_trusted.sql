-- Object:     internal.session_is_trusted (scalar function)
-- Purpose:    True when the session may assert a catalog principal and clock through SESSION_CONTEXT
--             (keys scaleout.caller_name, scaleout.caller_roles, scaleout.now): sysadmin, db_owner or
--             ssis_admin members only, i.e. the master service. Anyone else is judged by their own
--             SQL Server identity and roles, and the session keys are ignored.
-- Parameters: none
-- Results:    bit
-- Returns:    1 trusted, 0 not
CREATE OR ALTER FUNCTION internal.session_is_trusted()
RETURNS bit
AS
BEGIN
  IF IS_SRVROLEMEMBER(N'sysadmin') = 1 OR IS_ROLEMEMBER(N'db_owner') = 1 OR IS_ROLEMEMBER(N'ssis_admin') = 1
    RETURN 1;
  RETURN 0;
END
