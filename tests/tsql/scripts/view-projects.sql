SELECT project_id, folder_id, name, project_format_version, object_version_lsn FROM catalog.projects
