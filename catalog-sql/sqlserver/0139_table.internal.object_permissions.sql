-- Object:     internal.object_permissions (table)
-- Purpose:    Explicit object permissions (issue 14; catalog.grant_permission / deny_permission): one
--             row per (object, principal, permission); revoke_permission deletes it. object_type 1
--             folder, 2 project, 3 environment, 4 operation; the rule that turns rows into effective
--             permissions is internal.caller_holds (= runtime/catalog/rules/permissions.ts).
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.object_permissions', N'U') IS NULL
BEGIN
  CREATE TABLE internal.object_permissions (
    object_type      smallint NOT NULL CONSTRAINT CK_object_permissions_object_type CHECK (object_type IN (1, 2, 3, 4)),
    object_id        bigint   NOT NULL,
    principal_name   nvarchar(128) COLLATE Latin1_General_100_CI_AS NOT NULL
                       CONSTRAINT FK_object_permissions_principals REFERENCES internal.principals (name) ON DELETE CASCADE,
    permission_type  smallint NOT NULL,
    is_deny          bit      NOT NULL,
    grantor_name     nvarchar(128) NULL,
    CONSTRAINT PK_object_permissions PRIMARY KEY (object_type, object_id, principal_name, permission_type)
  );
  CREATE INDEX IX_object_permissions_principal ON internal.object_permissions (principal_name, object_type);
END
