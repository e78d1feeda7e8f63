USE master
PRINT 'not printed'
GO
USE [SSISDB]
SELECT DB_NAME() AS db
