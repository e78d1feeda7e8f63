/* comments /* nest */ and
   span lines */
USE SSISDB;
DECLARE @n int = 3;
IF @n > 2
BEGIN
  PRINT 'big';
  PRINT N'still ' + CAST(@n AS nvarchar(5));
END
ELSE
  PRINT 'small'
IF @n IS NULL PRINT 'null' ELSE PRINT 'not null'
RAISERROR('informational %s %d', 10, 1, N'message', 42) WITH NOWAIT
RAISERROR(N'custom error for %s', 16, 1, N'folder1')
PRINT 'after a severity 16 RAISERROR the batch goes on: @@ERROR = ' + CAST(@@ERROR AS varchar(10))
GO 2
PRINT 'THROW ends the batch'
THROW 50001, N'thrown on purpose', 1
PRINT 'never printed'
GO
PRINT 'next batch runs'
RETURN
PRINT 'not after RETURN'
