SELECT 1 + 2 * 3 AS n, 7 / 2 AS int_div, 7.0 / 2 AS dec_div, -5 % 3 AS modulo, N'a' + 'b' AS concat
SELECT CAST('42' AS int) + 1 AS cast_int, CONVERT(nvarchar(10), 12345) AS converted, CAST(1 AS bit) AS b,
       ISNULL(NULL, N'fallback') AS isnull_value, COALESCE(NULL, NULL, 3) AS coalesced, NULL AS nothing
SELECT UPPER('abc') AS u, LEN('abc  ') AS len, SUBSTRING('scaleout', 1, 5) AS sub, REPLACE('a-b-c', '-', '+') AS rep,
       CASE WHEN 1 < 2 THEN 'yes' ELSE 'no' END AS case_value
DECLARE @a int = 10, @b nvarchar(20) = N'x', @c decimal(10,2) = 3.14159
SET @a += 5
SELECT @a AS a, @b AS b, @c AS c
SELECT @b = N'from select', @a = @a * 2
SELECT @a AS a, @b AS b
DECLARE @g uniqueidentifier = '64C020E2-F819-4C2D-A22F-EFB31A91E70A', @t datetimeoffset = '2001-02-03 04:05:06.1234567 +01:00'
SELECT @g AS g, @t AS t, CAST(@t AS datetime2) AS t2
SELECT DB_NAME() AS db, SUSER_NAME() AS login, IS_SRVROLEMEMBER('sysadmin') AS is_sysadmin
SELECT @@VERSION AS version
SELECT NEWID() AS new_guid, SYSDATETIMEOFFSET() AS now
