SELECT property_name FROM catalog.master_properties WHERE property_name NOT LIKE '%CONNECTIONSTRING%' ORDER BY property_name
