-- Object:     [catalog].explicit_object_permissions (view)
-- Purpose:    The explicit grants and denies (issue 14), with principal ids (internal.principals) and,
--             ours, the principal and grantor names.
-- Parameters: none
-- Results:    SSISDB's columns, then principal_name, grantor_name; row filter: all rows for ssis_admin, sysadmin; empty (no error) for anyone else.
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].explicit_object_permissions
AS
SELECT p.object_type, p.object_id, r.principal_id, p.permission_type, p.is_deny, g.principal_id AS grantor_id,
       p.principal_name, p.grantor_name
FROM internal.object_permissions AS p
JOIN internal.principals AS r ON r.name = p.principal_name
LEFT JOIN internal.principals AS g ON g.name = p.grantor_name
WHERE internal.caller_in_roles(N'ssis_admin,sysadmin') = 1;
