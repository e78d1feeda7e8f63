-- Object:     internal.role_members (table)
-- Purpose:    Catalog roles of each catalog login (sysadmin, ssis_admin, ssis_cluster_executor,
--             ssis_logreader, ssis_cluster_worker).
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.role_members', N'U') IS NULL
  CREATE TABLE internal.role_members (
    principal_name nvarchar(128) COLLATE Latin1_General_100_CI_AS NOT NULL
      CONSTRAINT FK_role_members_principals REFERENCES internal.principals (name) ON DELETE CASCADE,
    role           nvarchar(32) NOT NULL
      CONSTRAINT CK_role_members_role CHECK (role IN (N'sysadmin', N'ssis_admin', N'ssis_cluster_executor', N'ssis_logreader', N'ssis_cluster_worker')),
    CONSTRAINT PK_role_members PRIMARY KEY (principal_name, role)
  );
