SELECT name, entry_point, package_format_version, version_build FROM catalog.packages ORDER BY name
