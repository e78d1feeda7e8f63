SELECT execution_id, executable_name, executable_guid, package_name, package_path FROM catalog.executables
