-- scaleout sql: -U admin -P wrong-password
SELECT 1
