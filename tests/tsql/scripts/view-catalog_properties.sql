SELECT property_name, property_value FROM catalog.catalog_properties WHERE property_name NOT LIKE 'SCHEMA[_]%' ORDER BY property_name
