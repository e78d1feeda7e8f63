SELECT operation_id, message_time, message_type, message_source_type, message, package_name, event_name, message_source_name, event_message_guid
FROM catalog.event_messages WHERE operation_id = 2
