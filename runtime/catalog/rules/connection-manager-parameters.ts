/**
 * Connection manager parameters, as SSISDB creates them at deploy: each project connection manager
 * gets a project parameter `CM.<name>.ConnectionString` (String, not required, default = the design
 * connection string), so a connection string can be set per project (set_object_parameter_value) or
 * bound to an environment variable like any parameter. The engine applies such a value as the
 * connection manager's ConnectionString (executor/package/run-package.ts). Both adapters deploy the
 * list this returns. SSISDB also makes parameters for other properties (ServerName, InitialCatalog,
 * UserName, Password…) and for package connection managers; this catalog makes only ConnectionString
 * of project connection managers (README "Catalog II").
 */
import type { ParameterDefinition, ProjectArchive } from '../../../actors/ports.ts';

export const CM_PARAMETER = /^CM\.(.+)\.([A-Za-z]+)$/;

export function connectionManagerName(fileName: string): string {
  return fileName.replace(/\.conmgr$/i, '');
}

/** The project's own parameters followed by one CM.<name>.ConnectionString per project connection manager. */
export function catalogProjectParameters(project: ProjectArchive): readonly ParameterDefinition[] {
  const declared = new Set(project.parameters.map((p) => p.name));
  const cms: ParameterDefinition[] = project.connectionManagers
    .map((c) => ({ name: `CM.${connectionManagerName(c.name)}.ConnectionString`, dataType: 'String' as const, required: false, sensitive: false,
      defaultValue: c.connectionString ?? null, description: `Connection string of the connection manager ${connectionManagerName(c.name)}` }))
    .filter((p) => !declared.has(p.name));
  return [...project.parameters, ...cms];
}
