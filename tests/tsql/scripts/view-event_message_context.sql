SELECT context_depth, package_path, context_type, context_source_name, property_name, property_value, event_message_guid FROM catalog.event_message_context
