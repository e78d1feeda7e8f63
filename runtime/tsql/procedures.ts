/**
 * The catalog's public procedures as T-SQL sees them: SSISDB's parameter names, types, defaults and
 * OUTPUT flags (reference §4.1–4.2), each bound to one `CatalogStore` verb. The interpreter binds the
 * arguments of an EXEC against these signatures; this file turns bound values into the verb's input.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import type { CatalogStore, ParameterValue, Principal, ProjectArchive } from '../../actors/ports.ts';
import { catalogError } from '../../actors/catalog-errors.ts';
import { SsoError } from '../../actors/errors.ts';
import type { SqlTypeSpec } from './parser.ts';
import type { SqlValue } from './values.ts';
import { toJs } from './values.ts';

export interface ProcedureParam {
  /** Parameter name with its `@`, as SSISDB spells it (matching is case-insensitive). */
  readonly name: string;
  readonly type: SqlTypeSpec;
  /** Absent: the parameter is required (Msg 201 when not supplied). */
  readonly default?: SqlValue;
  readonly output?: boolean;
  /** Older names accepted for the same parameter (`@runincluster` for `@runinscaleout`). */
  readonly aliases?: readonly string[];
}

export interface ProcedureContext {
  readonly store: CatalogStore;
  readonly caller: Principal;
  /** Directory against which `@project_path` is resolved. */
  readonly cwd: string;
}

/** Bound arguments by lower-case parameter name (with `@`); every parameter is present. */
export type BoundArgs = ReadonlyMap<string, SqlValue>;

export interface ProcedureDefinition {
  /** Schema-qualified, lower case: `catalog.create_execution`. */
  readonly name: string;
  readonly params: readonly ProcedureParam[];
  /**
   * Runs the verb; resolves the OUTPUT parameter values by canonical name, and the procedure's return
   * code under RETURN_STATUS when it is not 0 (grant/deny/revoke_permission answer with codes).
   */
  run(ctx: ProcedureContext, args: BoundArgs): Promise<ReadonlyMap<string, SqlValue>>;
}

/** Key of the return code in a procedure's result map (not a parameter name: it has no `@`). */
export const RETURN_STATUS = 'RETURN_STATUS';

const nv = (length: number | 'max'): SqlTypeSpec => ({ name: 'nvarchar', length });
const BIGINT: SqlTypeSpec = { name: 'bigint' };
const INT: SqlTypeSpec = { name: 'int' };
const SMALLINT: SqlTypeSpec = { name: 'smallint' };
const BIT: SqlTypeSpec = { name: 'bit' };
const GUID: SqlTypeSpec = { name: 'uniqueidentifier' };
const NULL_OF = (type: string): SqlValue => ({ type, value: null });

function arg(args: BoundArgs, name: string): SqlValue {
  const v = args.get(name.toLowerCase());
  if (v === undefined) throw new Error(`internal: parameter ${name} not bound`);
  return v;
}

/**
 * Bound arguments are handed to the verb as they are, NULLs included: the procedure (its embedded file
 * and its SQL Server script alike) applies its own rule and number to a NULL (27100, 27138…), so the
 * front door does not check arguments a second time with numbers of its own. `str`/`num` keep the
 * port's field types for the compiler; a NULL reaches the procedure as null.
 */
function str(args: BoundArgs, name: string): string {
  const v = arg(args, name).value;
  return (v === null ? null : String(v)) as string;
}
function num(args: BoundArgs, name: string): number {
  const v = arg(args, name);
  if (v.value === null) return null as unknown as number;
  const j = toJs(v);
  return typeof j === 'bigint' ? Number(j) : Number(j);
}
function optInt(args: BoundArgs, name: string): number | null {
  const v = arg(args, name).value;
  return v === null ? null : Number(toJs(arg(args, name)));
}
function optBool(args: BoundArgs, name: string): boolean | null {
  const v = arg(args, name).value;
  return v === null ? null : v === true;
}
/** GUIDs go to the store in lower case, the form workers register with (comparisons there are exact). */
function guid(args: BoundArgs, name: string): string {
  const v = str(args, name);
  return (v === null ? null : v.toLowerCase()) as string;
}
const out = (entries: [string, SqlValue][] = []): ReadonlyMap<string, SqlValue> => new Map(entries);
const CHAR1: SqlTypeSpec = { name: 'char', length: 1 };
const VARIANT: SqlTypeSpec = { name: 'sql_variant' };
function optStr(args: BoundArgs, name: string): string | null {
  const v = arg(args, name).value;
  return v === null ? null : String(v);
}
function variant(args: BoundArgs, name: string): ParameterValue {
  return toJs(arg(args, name));
}
/**
 * Issue 14's procedures take their arguments as given, NULLs included: each procedure (embedded file and
 * SQL Server script alike) applies its own rules and numbers (27100 for a NULL name, return code 1 for a
 * NULL object type…), so the front door does not check them a second time. `pass` hands a NULL through
 * to a port field typed as required; `text` is a bound value as text or NULL.
 */
const pass = <T>(value: T | null): T => value as T;
const text = (args: BoundArgs, name: string): string => pass(optStr(args, name));
const permissionProc = (verb: 'grant' | 'deny' | 'revoke'): ProcedureDefinition => ({
  name: `catalog.${verb}_permission`,
  params: [{ name: '@object_type', type: SMALLINT }, { name: '@object_id', type: BIGINT }, { name: '@principal_id', type: INT }, { name: '@permission_type', type: SMALLINT }],
  async run(ctx, args) {
    const input = { objectType: pass(optInt(args, '@object_type')), objectId: pass(optInt(args, '@object_id')), principalId: pass(optInt(args, '@principal_id')), permissionType: pass(optInt(args, '@permission_type')) };
    const { returnCode } = verb === 'grant' ? await ctx.store.grantPermission(ctx.caller, input)
      : verb === 'deny' ? await ctx.store.denyPermission(ctx.caller, input) : await ctx.store.revokePermission(ctx.caller, input);
    return out([[RETURN_STATUS, { type: 'int', value: BigInt(returnCode) }]]);
  },
});
const FOLDER: ProcedureParam = { name: '@folder_name', type: nv(128) };
const ENVIRONMENT: ProcedureParam = { name: '@environment_name', type: nv(128) };
const VARIABLE: ProcedureParam = { name: '@variable_name', type: nv(128) };
const env = (args: BoundArgs) => ({ folderName: text(args, '@folder_name'), environmentName: text(args, '@environment_name') });

/** Issue 14: environments, references, object parameter values and object permissions (SSISDB's signatures). */
const ENVIRONMENT_PROCEDURES: readonly ProcedureDefinition[] = [
  {
    name: 'catalog.create_environment',
    params: [FOLDER, ENVIRONMENT, { name: '@environment_description', type: nv(1024), default: NULL_OF('nvarchar') }],
    async run(ctx, args) {
      await ctx.store.createEnvironment(ctx.caller, { ...env(args), environmentDescription: optStr(args, '@environment_description') });
      return out();
    },
  },
  {
    name: 'catalog.rename_environment',
    params: [FOLDER, ENVIRONMENT, { name: '@new_environment_name', type: nv(128) }],
    async run(ctx, args) {
      await ctx.store.renameEnvironment(ctx.caller, { ...env(args), newEnvironmentName: text(args, '@new_environment_name') });
      return out();
    },
  },
  {
    name: 'catalog.move_environment',
    params: [{ name: '@source_folder', type: nv(128) }, ENVIRONMENT, { name: '@destination_folder', type: nv(128) }],
    async run(ctx, args) {
      await ctx.store.moveEnvironment(ctx.caller, { sourceFolderName: text(args, '@source_folder'), environmentName: text(args, '@environment_name'), destinationFolderName: text(args, '@destination_folder') });
      return out();
    },
  },
  {
    name: 'catalog.delete_environment',
    params: [FOLDER, ENVIRONMENT],
    async run(ctx, args) {
      await ctx.store.deleteEnvironment(ctx.caller, env(args));
      return out();
    },
  },
  {
    name: 'catalog.create_environment_variable',
    params: [FOLDER, ENVIRONMENT, VARIABLE, { name: '@data_type', type: nv(128) }, { name: '@sensitive', type: BIT }, { name: '@value', type: VARIANT },
      { name: '@description', type: nv(1024), default: NULL_OF('nvarchar') }],
    async run(ctx, args) {
      await ctx.store.createEnvironmentVariable(ctx.caller, {
        ...env(args), variableName: text(args, '@variable_name'), dataType: text(args, '@data_type'),
        sensitive: pass(optBool(args, '@sensitive')), value: variant(args, '@value'), description: optStr(args, '@description'),
      });
      return out();
    },
  },
  {
    name: 'catalog.set_environment_variable_value',
    params: [FOLDER, ENVIRONMENT, VARIABLE, { name: '@value', type: VARIANT }],
    async run(ctx, args) {
      await ctx.store.setEnvironmentVariableValue(ctx.caller, { ...env(args), variableName: text(args, '@variable_name'), value: variant(args, '@value') });
      return out();
    },
  },
  {
    name: 'catalog.set_environment_variable_property',
    params: [FOLDER, ENVIRONMENT, VARIABLE, { name: '@property_name', type: nv(128) }, { name: '@property_value', type: nv(4000) }],
    async run(ctx, args) {
      await ctx.store.setEnvironmentVariableProperty(ctx.caller, { ...env(args), variableName: text(args, '@variable_name'), propertyName: text(args, '@property_name'), propertyValue: optStr(args, '@property_value') });
      return out();
    },
  },
  {
    name: 'catalog.set_environment_variable_protection',
    params: [FOLDER, ENVIRONMENT, VARIABLE, { name: '@sensitive', type: BIT }],
    async run(ctx, args) {
      await ctx.store.setEnvironmentVariableProtection(ctx.caller, { ...env(args), variableName: text(args, '@variable_name'), sensitive: pass(optBool(args, '@sensitive')) });
      return out();
    },
  },
  {
    name: 'catalog.delete_environment_variable',
    params: [FOLDER, ENVIRONMENT, VARIABLE],
    async run(ctx, args) {
      await ctx.store.deleteEnvironmentVariable(ctx.caller, { ...env(args), variableName: text(args, '@variable_name') });
      return out();
    },
  },
  {
    name: 'catalog.create_environment_reference',
    params: [FOLDER, { name: '@project_name', type: nv(128) }, ENVIRONMENT, { name: '@reference_type', type: CHAR1, aliases: ['@reference_location'] },
      { name: '@environment_folder_name', type: nv(128), default: NULL_OF('nvarchar') }, { name: '@reference_id', type: BIGINT, output: true, default: NULL_OF('bigint') }],
    async run(ctx, args) {
      const { referenceId } = await ctx.store.createEnvironmentReference(ctx.caller, {
        folderName: text(args, '@folder_name'), projectName: text(args, '@project_name'), environmentName: text(args, '@environment_name'),
        referenceType: text(args, '@reference_type'), environmentFolderName: optStr(args, '@environment_folder_name'),
      });
      return out([['@reference_id', { type: 'bigint', value: BigInt(referenceId) }]]);
    },
  },
  {
    name: 'catalog.delete_environment_reference',
    params: [{ name: '@reference_id', type: BIGINT }],
    async run(ctx, args) {
      await ctx.store.deleteEnvironmentReference(ctx.caller, { referenceId: pass(optInt(args, '@reference_id')) });
      return out();
    },
  },
  {
    name: 'catalog.set_object_parameter_value',
    params: [{ name: '@object_type', type: SMALLINT }, FOLDER, { name: '@project_name', type: nv(128) }, { name: '@parameter_name', type: nv(128) },
      { name: '@parameter_value', type: VARIANT }, { name: '@object_name', type: nv(260), default: NULL_OF('nvarchar') }, { name: '@value_type', type: CHAR1, default: { type: 'char', value: 'V' } }],
    async run(ctx, args) {
      await ctx.store.setObjectParameterValue(ctx.caller, {
        objectType: pass(optInt(args, '@object_type')), folderName: text(args, '@folder_name'), projectName: text(args, '@project_name'), parameterName: text(args, '@parameter_name'),
        parameterValue: variant(args, '@parameter_value'), objectName: optStr(args, '@object_name'), valueType: optStr(args, '@value_type'),
      });
      return out();
    },
  },
  {
    name: 'catalog.clear_object_parameter_value',
    params: [FOLDER, { name: '@project_name', type: nv(128) }, { name: '@object_type', type: SMALLINT }, { name: '@object_name', type: nv(260) }, { name: '@parameter_name', type: nv(128) }],
    async run(ctx, args) {
      await ctx.store.clearObjectParameterValue(ctx.caller, {
        folderName: text(args, '@folder_name'), projectName: text(args, '@project_name'), objectType: pass(optInt(args, '@object_type')),
        objectName: optStr(args, '@object_name'), parameterName: text(args, '@parameter_name'),
      });
      return out();
    },
  },
  permissionProc('grant'),
  permissionProc('deny'),
  permissionProc('revoke'),
];

/** `@project_stream` bytes or our `@project_path` (an .ispac file or a project folder) → a ProjectArchive. */
async function loadProject(ctx: ProcedureContext, args: BoundArgs): Promise<ProjectArchive> {
  const archive = await import('../../executor/package/project-archive.ts');
  const stream = arg(args, '@project_stream').value;
  const path = arg(args, '@project_path').value;
  try {
    if (stream instanceof Uint8Array) return archive.readProjectArchive(stream, '@project_stream');
    if (typeof path === 'string') {
      const full = resolvePath(ctx.cwd, path);
      const info = await stat(full).catch(() => null);
      if (info === null) throw catalogError(27404, `the file '${full}' does not exist`);
      if (info.isDirectory()) return await archive.readProjectFolder(full);
      return archive.readProjectArchive(new Uint8Array(await readFile(full)), full);
    }
  } catch (err) {
    if (SsoError.is(err) && err.code === 'SSO_ERR_CATALOG') throw err;
    throw catalogError(27404, err instanceof Error ? err.message : String(err));
  }
  throw catalogError(27138, '@project_stream');
}

const WORKER_PARAM: ProcedureParam = { name: '@WorkerAgentId', type: GUID };

export const PROCEDURES: readonly ProcedureDefinition[] = [
  {
    name: 'catalog.create_folder',
    params: [{ name: '@folder_name', type: nv(128) }, { name: '@folder_id', type: BIGINT, output: true }],
    async run(ctx, args) {
      const { folderId } = await ctx.store.createFolder(ctx.caller, { folderName: str(args, '@folder_name') });
      return out([['@folder_id', { type: 'bigint', value: BigInt(folderId) }]]);
    },
  },
  {
    name: 'catalog.deploy_project',
    params: [
      { name: '@folder_name', type: nv(128) },
      { name: '@project_name', type: nv(128) },
      // Our extension: either the .ispac bytes (as SSISDB) or a path to an .ispac / project folder.
      { name: '@project_stream', type: { name: 'varbinary', length: 'max' }, default: NULL_OF('varbinary') },
      { name: '@operation_id', type: BIGINT, output: true, default: NULL_OF('bigint') },
      { name: '@project_path', type: nv(4000), default: NULL_OF('nvarchar') },
    ],
    async run(ctx, args) {
      const folderName = str(args, '@folder_name');
      const projectName = str(args, '@project_name');
      const project = await loadProject(ctx, args);
      const { operationId } = await ctx.store.deployProject(ctx.caller, { folderName, projectName, project });
      return out([['@operation_id', { type: 'bigint', value: BigInt(operationId) }]]);
    },
  },
  {
    name: 'catalog.create_execution',
    params: [
      { name: '@folder_name', type: nv(128) },
      { name: '@project_name', type: nv(128) },
      { name: '@package_name', type: nv(260) },
      { name: '@reference_id', type: BIGINT, default: NULL_OF('bigint') },
      { name: '@use32bitruntime', type: BIT, default: { type: 'bit', value: false } },
      { name: '@execution_id', type: BIGINT, output: true },
      { name: '@runinscaleout', type: BIT, default: NULL_OF('bit'), aliases: ['@runincluster'] },
      { name: '@useanyworker', type: BIT, default: { type: 'bit', value: true } },
    ],
    async run(ctx, args) {
      const ref = arg(args, '@reference_id').value;
      const { executionId } = await ctx.store.createExecution(ctx.caller, {
        folderName: str(args, '@folder_name'),
        projectName: str(args, '@project_name'),
        packageName: str(args, '@package_name'),
        referenceId: ref === null ? null : Number(ref),
        use32BitRuntime: optBool(args, '@use32bitruntime') ?? false,
        runInScaleOut: optBool(args, '@runinscaleout'),
        useAnyWorker: optBool(args, '@useanyworker') ?? true,
      });
      return out([['@execution_id', { type: 'bigint', value: BigInt(executionId) }]]);
    },
  },
  {
    name: 'catalog.set_execution_parameter_value',
    params: [
      { name: '@execution_id', type: BIGINT },
      { name: '@object_type', type: SMALLINT },
      { name: '@parameter_name', type: nv(128) },
      { name: '@parameter_value', type: { name: 'sql_variant' } },
    ],
    async run(ctx, args) {
      const value = arg(args, '@parameter_value');
      // sql_variant keeps the base type: strings stay strings, bit → boolean, integers → numbers.
      const parameterValue: ParameterValue = toJs(value);
      await ctx.store.setExecutionParameterValue(ctx.caller, {
        executionId: num(args, '@execution_id'),
        objectType: num(args, '@object_type'),
        parameterName: str(args, '@parameter_name'),
        parameterValue,
      });
      return out();
    },
  },
  {
    name: 'catalog.set_execution_property_override_value',
    params: [
      { name: '@execution_id', type: BIGINT },
      { name: '@property_path', type: nv(4000) },
      { name: '@property_value', type: nv('max') },
      { name: '@sensitive', type: BIT },
    ],
    async run(ctx, args) {
      await ctx.store.setExecutionPropertyOverrideValue(ctx.caller, {
        executionId: num(args, '@execution_id'),
        propertyPath: str(args, '@property_path'),
        propertyValue: str(args, '@property_value'),
        sensitive: optBool(args, '@sensitive') ?? false,
      });
      return out();
    },
  },
  {
    name: 'catalog.add_execution_worker',
    params: [{ name: '@execution_id', type: BIGINT }, { name: '@workeragent_id', type: GUID }],
    async run(ctx, args) {
      await ctx.store.addExecutionWorker(ctx.caller, { executionId: num(args, '@execution_id'), workerAgentId: guid(args, '@workeragent_id') });
      return out();
    },
  },
  {
    name: 'catalog.add_data_tap',
    params: [
      { name: '@execution_id', type: BIGINT },
      { name: '@task_package_path', type: nv('max') },
      { name: '@dataflow_path_id_string', type: nv(4000) },
      { name: '@data_filename', type: nv(4000) },
      { name: '@max_rows', type: INT, default: NULL_OF('int') },
      { name: '@data_tap_id', type: BIGINT, output: true, default: NULL_OF('bigint') },
    ],
    async run(ctx, args) {
      const { dataTapId } = await ctx.store.addDataTap(ctx.caller, {
        executionId: num(args, '@execution_id'),
        taskPackagePath: str(args, '@task_package_path'),
        dataflowPathIdString: str(args, '@dataflow_path_id_string'),
        dataFilename: str(args, '@data_filename'),
        maxRows: optInt(args, '@max_rows'),
      });
      return out([['@data_tap_id', { type: 'bigint', value: BigInt(dataTapId) }]]);
    },
  },
  {
    name: 'catalog.add_data_tap_by_guid',
    params: [
      { name: '@execution_id', type: BIGINT },
      { name: '@dataflow_task_guid', type: GUID },
      { name: '@dataflow_path_id_string', type: nv(4000) },
      { name: '@data_filename', type: nv(4000) },
      { name: '@max_rows', type: INT, default: NULL_OF('int') },
      { name: '@data_tap_id', type: BIGINT, output: true, default: NULL_OF('bigint') },
    ],
    async run(ctx, args) {
      const { dataTapId } = await ctx.store.addDataTap(ctx.caller, {
        executionId: num(args, '@execution_id'),
        dataflowTaskGuid: str(args, '@dataflow_task_guid').toLowerCase(),
        dataflowPathIdString: str(args, '@dataflow_path_id_string'),
        dataFilename: str(args, '@data_filename'),
        maxRows: optInt(args, '@max_rows'),
      });
      return out([['@data_tap_id', { type: 'bigint', value: BigInt(dataTapId) }]]);
    },
  },
  {
    name: 'catalog.remove_data_tap',
    params: [{ name: '@data_tap_id', type: BIGINT }],
    async run(ctx, args) {
      await ctx.store.removeDataTap(ctx.caller, { dataTapId: num(args, '@data_tap_id') });
      return out();
    },
  },
  {
    name: 'catalog.start_execution',
    params: [{ name: '@execution_id', type: BIGINT }, { name: '@retry_count', type: INT, default: { type: 'int', value: 0n } }],
    async run(ctx, args) {
      const retry = arg(args, '@retry_count').value;
      await ctx.store.startExecution(ctx.caller, { executionId: num(args, '@execution_id'), retryCount: retry === null ? 0 : Number(retry) });
      return out();
    },
  },
  {
    name: 'catalog.stop_operation',
    params: [{ name: '@operation_id', type: BIGINT }],
    async run(ctx, args) {
      await ctx.store.stopOperation(ctx.caller, { operationId: num(args, '@operation_id') });
      return out();
    },
  },
  {
    name: 'catalog.enable_worker_agent',
    params: [WORKER_PARAM],
    async run(ctx, args) {
      await ctx.store.enableWorkerAgent(ctx.caller, { workerAgentId: guid(args, '@WorkerAgentId') });
      return out();
    },
  },
  {
    name: 'catalog.disable_worker_agent',
    params: [WORKER_PARAM],
    async run(ctx, args) {
      await ctx.store.disableWorkerAgent(ctx.caller, { workerAgentId: guid(args, '@WorkerAgentId') });
      return out();
    },
  },
  {
    name: 'catalog.delete_worker_agent',
    params: [WORKER_PARAM],
    async run(ctx, args) {
      await ctx.store.deleteWorkerAgent(ctx.caller, { workerAgentId: guid(args, '@WorkerAgentId') });
      return out();
    },
  },
  {
    name: 'catalog.set_worker_agent_property',
    params: [WORKER_PARAM, { name: '@PropertyName', type: nv(256) }, { name: '@PropertyValue', type: nv('max') }],
    async run(ctx, args) {
      const value = arg(args, '@PropertyValue').value;
      await ctx.store.setWorkerAgentProperty(ctx.caller, {
        workerAgentId: guid(args, '@WorkerAgentId'),
        propertyName: str(args, '@PropertyName'),
        propertyValue: value === null ? null : String(value),
      });
      return out();
    },
  },
  {
    name: 'catalog.configure_catalog',
    params: [{ name: '@property_name', type: nv(255) }, { name: '@property_value', type: nv(255) }],
    async run(ctx, args) {
      await ctx.store.configureCatalog(ctx.caller, { propertyName: str(args, '@property_name'), propertyValue: str(args, '@property_value') });
      return out();
    },
  },
  {
    name: 'catalog.update_master_address',
    params: [{ name: '@MasterAddress', type: nv(256) }],
    async run(ctx, args) {
      await ctx.store.updateMasterAddress(ctx.caller, { masterAddress: str(args, '@MasterAddress') });
      return out();
    },
  },
];

const BY_NAME = new Map([...PROCEDURES, ...ENVIRONMENT_PROCEDURES].map((p) => [p.name, p]));

/** Every public procedure the front door binds (each has its SQL Server script and its embedded file). */
export const ALL_PROCEDURES: readonly ProcedureDefinition[] = [...PROCEDURES, ...ENVIRONMENT_PROCEDURES];

/** Looks a procedure up by its schema-qualified name, case-insensitively. */
export function findProcedure(schemaQualified: string): ProcedureDefinition | undefined {
  return BY_NAME.get(schemaQualified.toLowerCase());
}
