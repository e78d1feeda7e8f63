PRINT 'not printed: 137 is a compile error'
EXEC catalog.start_execution @execution_id
GO
DECLARE @a int
DECLARE @a int
GO
SELECT @@NO_SUCH_THING
GO
EXEC catalog.create_folder N'x', 5 OUTPUT
