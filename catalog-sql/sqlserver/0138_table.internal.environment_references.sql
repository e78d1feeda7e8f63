-- Object:     internal.environment_references (table)
-- Purpose:    A project's references to environments (issue 14). As in SSISDB the environment is kept
--             by NAME ('R': in the project's folder; 'A': in environment_folder_name), not by id: a
--             reference to an environment that does not exist (yet, or any more) is allowed and fails at
--             create_execution (27182).
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.environment_references', N'U') IS NULL
BEGIN
  CREATE TABLE internal.environment_references (
    reference_id             bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_environment_references PRIMARY KEY,
    project_id               bigint NOT NULL CONSTRAINT FK_environment_references_projects REFERENCES internal.projects (project_id) ON DELETE CASCADE,
    reference_type           char(1) NOT NULL CONSTRAINT CK_environment_references_type CHECK (reference_type IN ('R', 'A')),
    environment_folder_name  nvarchar(128) COLLATE Latin1_General_100_CI_AS NULL,
    environment_name         nvarchar(128) COLLATE Latin1_General_100_CI_AS NOT NULL,
    validation_status        char(1) NOT NULL CONSTRAINT DF_environment_references_validation_status DEFAULT ('N'),
    last_validation_time     datetimeoffset(7) NULL
  );
  CREATE INDEX IX_environment_references_project ON internal.environment_references (project_id);
END
