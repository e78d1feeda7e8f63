PRINT 'the first batch runs'
GO
-- nothing of a batch with a syntax error runs
PRINT 'not printed'
SELECT 1 +
FROM catalog.folders WHERE
GO
EXEC catalog.create_folder @folder_name = N'x' @folder_id = 1
GO
SELECT 'unclosed
