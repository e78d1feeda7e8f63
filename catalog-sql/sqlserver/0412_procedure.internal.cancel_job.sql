-- Object:     internal.cancel_job (procedure)
-- Purpose:    Cancels a Scale Out job (reference §1.6): every task not running (2), finishing (3) or
--             succeeded (5) becomes 6; all tasks get IsCancelled = 1 and leave the queue; the stop
--             operation id is appended to each task's InputData as {"name":"stop_id","value":"<id>"}
--             (replacing an earlier one). Helper: runs inside the caller's transaction.
-- Parameters: @JobId uniqueidentifier; @stop_id bigint
-- Results:    none
-- Returns:    0; raises 27242 when the job does not exist
CREATE OR ALTER PROCEDURE internal.cancel_job
  @JobId   uniqueidentifier,
  @stop_id bigint
AS
BEGIN
  SET NOCOUNT ON;
  DECLARE @now datetimeoffset(7) = internal.now_utc();
  DECLARE @entry nvarchar(200) = N'{"name":"stop_id","value":"' + CONVERT(nvarchar(20), @stop_id) + N'"}';
  IF NOT EXISTS (SELECT 1 FROM internal.jobs WHERE JobId = @JobId)
    EXEC internal.raise_catalog_error 27242, @JobId;
  UPDATE t
  SET Status = CASE WHEN t.Status IN (2, 3, 5) THEN t.Status ELSE 6 END,
      IsCancelled = 1,
      ReadyForDispatchTime = NULL,
      InputData = CASE WHEN ISNULL(k.kept, N'') = N'' THEN N'[' + @entry + N']' ELSE N'[' + k.kept + N',' + @entry + N']' END,
      LastUpdatedTime = @now
  FROM internal.tasks AS t
  CROSS APPLY (
    SELECT STRING_AGG(CONVERT(nvarchar(max), j.value), N',') WITHIN GROUP (ORDER BY CONVERT(int, j.[key])) AS kept
    FROM OPENJSON(CASE WHEN ISJSON(t.InputData) = 1 THEN t.InputData ELSE N'[]' END) AS j
    WHERE JSON_VALUE(j.value, N'$.name') IS NULL OR JSON_VALUE(j.value, N'$.name') <> N'stop_id'
  ) AS k
  WHERE t.JobId = @JobId;
  UPDATE internal.jobs SET IsCancelled = 1, LastUpdatedTime = @now WHERE JobId = @JobId;
  RETURN 0;
END
