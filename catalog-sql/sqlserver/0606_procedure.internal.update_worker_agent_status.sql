-- Object:     internal.update_worker_agent_status (procedure)
-- Purpose:    A worker's heartbeat (reference §1.7). First contact registers it (disabled); later ones
--             refresh LastOnlineTime and MachineName/UserAccount (from the properties of those names).
--             Machine properties are merged, perf counters appended.
-- Parameters: @WorkerAgentId uniqueidentifier; @PerfCounterList internal.machine_perf_counter_list_type
--             READONLY; @MachinePropertyList internal.machine_property_list_type READONLY;
--             @Status int = 0 OUTPUT: IsEnabled (0 at registration); @Registered bit = NULL OUTPUT (ours:
--             1 when this call registered the worker); @CertificateThumbprint nvarchar(40) = NULL (ours: the
--             hello's client certificate; binds a new or unbound agent id to it, refuses a mismatch)
-- Results:    none
-- Returns:    0; raises 27140, 27100 (NULL id), 27101 (sentinel id); THROW 50001 '[certificate] …' when
--             the agent id is bound to another certificate or the certificate to another agent id
CREATE OR ALTER PROCEDURE internal.update_worker_agent_status
  @WorkerAgentId       uniqueidentifier,
  @PerfCounterList     internal.machine_perf_counter_list_type READONLY,
  @MachinePropertyList internal.machine_property_list_type READONLY,
  @Status              int = 0 OUTPUT,
  @Registered          bit = NULL OUTPUT,
  @CertificateThumbprint nvarchar(40) = NULL
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @now datetimeoffset(7), @enabled bit, @machine nvarchar(256), @account nvarchar(256),
          @bound nvarchar(40), @holder uniqueidentifier, @refusal nvarchar(2048);
  BEGIN TRY
    IF internal.caller_in_roles(N'ssis_admin,sysadmin') = 0 EXEC internal.raise_catalog_error 27140, N'ssis_admin, sysadmin';
    IF @WorkerAgentId IS NULL EXEC internal.raise_catalog_error 27100, N'WorkerAgentId';
    IF @WorkerAgentId = '11111111-1111-1111-1111-111111111111' EXEC internal.raise_catalog_error 27101, N'WorkerAgentId';
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    SET @now = internal.now_utc();
    SELECT @machine = CONVERT(nvarchar(256), PropertyValue) FROM @MachinePropertyList WHERE PropertyName = N'MachineName';
    SELECT @account = CONVERT(nvarchar(256), PropertyValue) FROM @MachinePropertyList WHERE PropertyName = N'UserAccount';
    SELECT @enabled = IsEnabled, @bound = CertificateThumbprint FROM internal.worker_agents WITH (UPDLOCK, HOLDLOCK) WHERE WorkerAgentId = @WorkerAgentId;
    IF @CertificateThumbprint IS NOT NULL
    BEGIN
      IF @bound IS NOT NULL AND @bound <> @CertificateThumbprint
      BEGIN
        SET @refusal = N'[certificate] worker agent ' + LOWER(CONVERT(nvarchar(36), @WorkerAgentId)) + N' is bound to client certificate ' + @bound;
        THROW 50001, @refusal, 1;
      END
      SELECT @holder = WorkerAgentId FROM internal.worker_agents WITH (UPDLOCK, HOLDLOCK)
      WHERE CertificateThumbprint = @CertificateThumbprint AND WorkerAgentId <> @WorkerAgentId;
      IF @holder IS NOT NULL
      BEGIN
        SET @refusal = N'[certificate] that certificate is bound to worker agent ' + LOWER(CONVERT(nvarchar(36), @holder));
        THROW 50001, @refusal, 1;
      END
    END
    IF @enabled IS NULL
    BEGIN
      INSERT INTO internal.worker_agents (WorkerAgentId, MachineName, UserAccount, IsEnabled, LastOnlineTime, CertificateThumbprint)
      VALUES (@WorkerAgentId, @machine, @account, 0, @now, @CertificateThumbprint);
      SET @Status = 0;
      SET @Registered = 1;
    END
    ELSE
    BEGIN
      UPDATE internal.worker_agents
      SET LastOnlineTime = @now, MachineName = COALESCE(@machine, MachineName), UserAccount = COALESCE(@account, UserAccount),
          CertificateThumbprint = COALESCE(CertificateThumbprint, @CertificateThumbprint)
      WHERE WorkerAgentId = @WorkerAgentId;
      SET @Status = CONVERT(int, @enabled);
      SET @Registered = 0;
    END
    MERGE internal.machine_properties AS t
    USING (SELECT CONVERT(nvarchar(256), PropertyName) AS PropertyName, MAX(PropertyValue) AS PropertyValue
           FROM @MachinePropertyList GROUP BY CONVERT(nvarchar(256), PropertyName)) AS s
    ON t.WorkerAgentId = @WorkerAgentId AND t.PropertyName = s.PropertyName
    WHEN MATCHED THEN UPDATE SET PropertyValue = s.PropertyValue
    WHEN NOT MATCHED THEN INSERT (WorkerAgentId, PropertyName, PropertyValue) VALUES (@WorkerAgentId, s.PropertyName, s.PropertyValue);
    INSERT INTO internal.worker_agent_perfcounter (WorkerAgentId, PerfCounterName, PerfCounterValue, TimeStamp)
    SELECT @WorkerAgentId, PerfCounterName, PerfCounterValue, SWITCHOFFSET(TimeStamp, N'+00:00') FROM @PerfCounterList;
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
