-- Object:     internal.execution_component_phases (table)
-- Purpose:    The time each data flow component spent in each phase (Validate, PrepareForExecute,
--             PreExecute, PrimeOutput, ProcessInput, PostExecute, Cleanup); logged at the Performance and
--             Verbose levels, idempotent by the worker's phase GUID.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.execution_component_phases', N'U') IS NULL
BEGIN
  CREATE TABLE internal.execution_component_phases (
    phase_stats_id    bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_execution_component_phases PRIMARY KEY,
    execution_id      bigint NOT NULL,
    package_name      nvarchar(260)     NULL,
    task_name         nvarchar(4000)    NULL,
    subcomponent_name nvarchar(4000)    NULL,
    phase             nvarchar(128)     NULL,
    start_time        datetimeoffset(7) NULL,
    end_time          datetimeoffset(7) NULL,
    execution_path    nvarchar(max)     NULL,
    phase_guid        uniqueidentifier  NOT NULL CONSTRAINT UQ_execution_component_phases_guid UNIQUE
  );
  CREATE INDEX IX_execution_component_phases_execution ON internal.execution_component_phases (execution_id);
END
