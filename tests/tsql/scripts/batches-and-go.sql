SELECT 'first' AS batch; -- a trailing comment
go
PRINT 'GO inside a string does not split:
GO
still the same string'
GO
/*
GO
*/
SELECT 'third' AS batch
GO
SELECT [weird]]name] = 1, "quoted" = 2
