SELECT name FROM WHERE name = 'x'
GO
DECLARE @x int = 1 SELECT @x AS x ORDER
