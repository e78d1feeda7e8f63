EXEC [catalog].[update_master_address] @MasterAddress = N'https://master.example.com:8391'
SELECT property_value FROM catalog.master_properties WHERE property_name = 'MASTER_ADDRESS'
EXEC catalog.update_master_address NULL
