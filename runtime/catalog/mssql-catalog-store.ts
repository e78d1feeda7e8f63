/**
 * The SQL Server catalog: `CatalogStore` over `mssql`, calling the T-SQL procedures installed from
 * `catalog-sql/sqlserver/` (`scaleout catalog install`). Semantics live in the procedures; this file
 * passes the caller and the clock (SESSION_CONTEXT), types the arguments, and maps results and errors
 * back, so callers see what the SQLite adapter gives them. Decisions: README-sqlserver.md.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import sql from 'mssql';
import { parseRowsSent } from './data-statistics.ts';
import { checkDataFilename, checkMaxRows } from './data-taps.ts';
import { SsoError } from '../../actors/errors.ts';
import { catalogError } from '../../actors/catalog-errors.ts';
import { Roles, type Role } from '../../actors/catalog-codes.ts';
import type {
  AddDataTapInput, ComponentPhaseInput, DataTapSpec,
  CatalogStore, CreateExecutionInput, EventMessageInput, ExecutableStatisticInput, ExecutionPayload, ExpiredTaskOutcome,
  LoginRecord, ObjectPermissionInput, ParameterValue, Principal, ProjectArchive, TaskRecord, UpdateTaskStatusInput, UpdateTaskStatusResult,
  ViewResult, WallClock, WorkerAgentRecord, WorkerAgentStatusInput,
} from '../../actors/ports.ts';
import { mssqlConfigFromConnectionString, mssqlConfigFromMasterSettings } from './mssql-connection.ts';
import { isRetryableSqlError, mapMssqlError, sqlErrorInfo } from './mssql-errors.ts';
import { certificateMismatch, num, thumbprintParam, toTaskRecord, toWorker } from './catalog-rows.ts';
import { DEFAULT_SCRIPT_ROUTING_ONLINE_MS } from './script-routing.ts';
import type { Row } from './catalog-rows.ts';
import { catalogProjectParameters } from './rules/connection-manager-parameters.ts';
import { resolveViewName, VIEWS } from './rules/views.ts';
import { ADMIN_ROLES, requireRole } from './rules/roles.ts';
import { GUID_RE, guidParam } from './rules/guids.ts';
import { descriptionArg, executionNameArg, identifierName, idArg, objectName, refuseTruncated, textArg } from './rules/names.ts';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

export interface OpenMssqlCatalogOptions {
  /** ADO.NET connection string (`Server=…;Database=…;User Id=…;Password=…;Encrypt=…`). */
  readonly connectionString?: string;
  /** A ready `mssql` config (wins over the other forms). */
  readonly config?: sql.config;
  /** The master's `SqlServerName` (server, or a connection string) … */
  readonly server?: string;
  /** … and `SqlConnectionTimeoutInSecs` in ms. */
  readonly connectionTimeoutMs?: number;
  /** Environment for the SqlServerName form's login (SCALEOUT_MSSQL_USER/PASSWORD). Default: process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Source of every catalog timestamp, passed to the procedures as SESSION_CONTEXT(N'scaleout.now').
   * Default: none, and the procedures use the server's UTC clock (one clock for all masters).
   */
  readonly clock?: WallClock;
  /** How many times a call chosen as a deadlock victim (1205) is retried; default 3. */
  readonly deadlockRetries?: number;
}

export interface MssqlCatalogStore extends CatalogStore {
  /** The schema version recorded in internal.schema_version (null: no catalog installed). */
  readonly schemaVersion: number | null;
}


// ---------------------------------------------------------------------------------------------
// Value conversion
// ---------------------------------------------------------------------------------------------

/** `datetimeoffset` as the SQLite catalog writes it: ISO-8601 in UTC with an explicit offset. */
export function isoText(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

/** An id argument bound as bigint: the shared rule (NULL 27100, not an integer 27101), and within bigint's safe range. */
function idParam(name: string, value: unknown): number {
  const id = idArg(name, value);
  if (!Number.isSafeInteger(id)) throw catalogError(27101, name);
  return id;
}

/** A folder/project/environment name bound as nvarchar(128): see refuseTruncated (rules/names.ts). */
const objectNameFits = (param: string, value: unknown): void => refuseTruncated(value, 128, (v) => objectName(param, v));
/** A parameter/variable name bound as nvarchar(128). */
const identifierFits = (param: string, value: unknown): void => refuseTruncated(value, 128, (v) => identifierName(param, v));
/** A description bound as nvarchar(1024). */
const descriptionFits = (param: string, value: unknown): void => refuseTruncated(value, 1024, (v) => descriptionArg(param, v));

/**
 * A row as the SQLite catalog shows it: bit → 0/1, bigint → number, GUID → lower case,
 * datetimeoffset → ISO text with '+00:00', booleans inside sql_variant → 0/1.
 */
function normalizeRow(row: Row, columns: sql.IColumnMetadata): Row {
  const out: Row = {};
  for (const [name, value] of Object.entries(row)) {
    const type = columns[name]?.type as unknown;
    if (value === null || value === undefined) out[name] = null;
    else if (value instanceof Date) out[name] = isoText(value.getTime());
    else if (typeof value === 'boolean') out[name] = value ? 1 : 0;
    else if (type === sql.UniqueIdentifier) out[name] = String(value).toLowerCase();
    else if (type === sql.BigInt && typeof value === 'string') out[name] = Number.isSafeInteger(Number(value)) ? Number(value) : BigInt(value);
    else out[name] = value;
  }
  return out;
}

/** A stored parameter value (its text and base type from T-SQL) back to the parameter's JS type. */
function loadValue(dataType: string, text: unknown, base: unknown): ParameterValue {
  if (text === null || text === undefined) return null;
  const t = String(text);
  switch (dataType) {
    case 'Boolean': return t === '1' || t.toLowerCase() === 'true';
    case 'String': case 'DateTime': return t;
    case 'Decimal': case 'Double': case 'Single': return Number(t);
    default: {
      if (base === 'nvarchar' || base === 'varchar') return t;
      if (!/^-?\d+$/.test(t)) return Number(t);
      const big = BigInt(t);
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
  }
}

/**
 * The T-SQL declaration that carries a `sql_variant` argument with the base type SQLite would store:
 * text → nvarchar(4000), boolean → bit, integers → int/bigint (decimal(20,0) beyond), fractions → float.
 */
function variantArgument(request: sql.Request, name: string, value: ParameterValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') { request.input(name, sql.NVarChar(4000), value); return `@${name}`; }
  if (typeof value === 'boolean') { request.input(name, sql.Bit, value); return `@${name}`; }
  if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) {
    const big = BigInt(value);
    if (big >= -2147483648n && big <= 2147483647n) { request.input(name, sql.Int, Number(big)); return `@${name}`; }
    if (big >= -(2n ** 63n) && big < 2n ** 63n) { request.input(name, sql.BigInt, big.toString()); return `@${name}`; }
    request.input(name, sql.VarChar(40), big.toString());
    return `TRY_CONVERT(decimal(38, 0), @${name})`;
  }
  if (typeof value === 'number' && Number.isFinite(value)) { request.input(name, sql.Float, value); return `@${name}`; }
  // NaN, Infinity, objects: nothing SQL Server can hold; the procedure sees an unconvertible text.
  request.input(name, sql.NVarChar(4000), String(value));
  return `@${name}`;
}

// ---------------------------------------------------------------------------------------------
// The store
// ---------------------------------------------------------------------------------------------

type Executor = sql.ConnectionPool | sql.Transaction;

class MssqlCatalog implements MssqlCatalogStore {
  readonly schemaVersion: number | null;
  private readonly pool: sql.ConnectionPool;
  private readonly clock: WallClock | undefined;
  private readonly retries: number;
  private closed = false;

  constructor(pool: sql.ConnectionPool, schemaVersion: number | null, options: OpenMssqlCatalogOptions) {
    this.pool = pool;
    this.schemaVersion = schemaVersion;
    this.clock = options.clock;
    this.retries = Math.max(0, Math.floor(options.deadlockRetries ?? 3));
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private request(on: Executor): sql.Request {
    return on instanceof sql.Transaction ? new sql.Request(on) : on.request();
  }

  /**
   * The batch prefix that states who calls and what time it is (read by internal.caller_name,
   * internal.caller_in_roles and internal.now_utc; honoured for trusted sessions only).
   */
  private sessionPrefix(request: sql.Request, caller: Principal): string {
    request.input('__caller_name', sql.NVarChar(128), caller.name);
    request.input('__caller_roles', sql.NVarChar(4000), caller.roles.join(','));
    request.input('__now', sql.NVarChar(40), this.clock === undefined ? null : isoText(this.clock.now()));
    return `EXEC sys.sp_set_session_context @key = N'scaleout.caller_name', @value = @__caller_name;
EXEC sys.sp_set_session_context @key = N'scaleout.caller_roles', @value = @__caller_roles;
EXEC sys.sp_set_session_context @key = N'scaleout.now', @value = @__now;
`;
  }

  /**
   * Runs one batch as `caller` and returns its result sets. A deadlock victim (whose transaction
   * was rolled back whole) is retried; every error is mapped (catalog numbers → catalogError).
   * Resolves only after the procedure's own transaction committed.
   */
  private async run(caller: Principal, where: string, build: (r: sql.Request) => string, on: Executor = this.pool): Promise<sql.IResult<Row>> {
    if (this.closed) throw new SsoError('SSO_ERR_ILLEGAL_STATE', 'The catalog is closed', { where });
    for (let attempt = 0; ; attempt++) {
      const request = this.request(on);
      const text = this.sessionPrefix(request, caller) + build(request);
      try {
        return await request.query<Row>(text);
      } catch (error) {
        if (on === this.pool && attempt < this.retries && isRetryableSqlError(error)) continue;
        throw mapMssqlError(error, where);
      }
    }
  }

  /** Several procedure calls as one transaction (a batch of log appends): all or nothing. */
  private async inTransaction<T>(where: string, fn: (tx: sql.Transaction) => Promise<T>): Promise<T> {
    if (this.closed) throw new SsoError('SSO_ERR_ILLEGAL_STATE', 'The catalog is closed', { where });
    for (let attempt = 0; ; attempt++) {
      const tx = new sql.Transaction(this.pool);
      try {
        await tx.begin();
      } catch (error) {
        throw mapMssqlError(error, where);
      }
      try {
        const value = await fn(tx);
        await tx.commit();
        return value;
      } catch (error) {
        await tx.rollback().catch(() => undefined);
        if (attempt < this.retries && isRetryableSqlError((error as { cause?: unknown }).cause ?? error)) continue;
        throw mapMssqlError(error, where);
      }
    }
  }

  private async read(sqlText: string, bind?: (r: sql.Request) => void): Promise<Row[]> {
    if (this.closed) throw new SsoError('SSO_ERR_ILLEGAL_STATE', 'The catalog is closed', { where: 'read' });
    const r = this.pool.request();
    bind?.(r);
    try {
      return (await r.query<Row>(sqlText)).recordset ?? [];
    } catch (error) {
      throw mapMssqlError(error, 'read');
    }
  }

  private static last(result: sql.IResult<Row>): Row {
    const sets = result.recordsets as unknown as Row[][];
    return sets[sets.length - 1]?.[0] ?? {};
  }

  // ---- principals ---------------------------------------------------------------------------

  async createLogin(caller: Principal, input: { name: string; password: string; roles: readonly Role[] }): Promise<void> {
    if (!caller.roles.includes('sysadmin')) throw catalogError(27260);
    const name = input?.name;
    if (name === null || name === undefined) throw catalogError(27100, 'login_name');
    if (typeof name !== 'string' || name.length === 0) throw catalogError(27102, 'login_name');
    // eslint-disable-next-line no-control-regex
    if (name.length > 128 || /[\u0000-\u001f]/.test(name) || name !== name.trim()) throw catalogError(27400, name, 'a login name has 1–128 characters, no control characters and no edge spaces');
    if (typeof input.password !== 'string' || input.password.length === 0) throw catalogError(27102, 'password');
    for (const r of input.roles ?? []) if (!(Roles as readonly string[]).includes(r)) throw catalogError(27101, 'role');
    const salt = randomBytes(16);
    const hash = await scrypt(input.password, salt, 64);
    await this.run(caller, 'internal.create_login', (r) => {
      r.input('name', sql.NVarChar(128), name);
      r.input('hash', sql.VarChar(128), hash.toString('hex'));
      r.input('salt', sql.VarChar(64), salt.toString('hex'));
      r.input('roles', sql.NVarChar(400), [...new Set(input.roles ?? [])].join(','));
      return 'EXEC internal.create_login @name = @name, @password_hash = @hash, @password_salt = @salt, @roles = @roles;';
    });
  }

  async authenticate(name: string, password: string): Promise<Principal> {
    const rows = typeof name === 'string'
      ? await this.read('SELECT name, password_hash, password_salt FROM internal.principals WHERE name = @name', (r) => r.input('name', sql.NVarChar(128), name))
      : [];
    const row = rows[0] as { name: string; password_hash: string; password_salt: string } | undefined;
    // Hash even for an unknown name, so that timing does not tell which names exist.
    const salt = row === undefined ? Buffer.alloc(16) : Buffer.from(row.password_salt, 'hex');
    const hash = await scrypt(typeof password === 'string' ? password : '', salt, 64);
    const expected = row === undefined ? Buffer.alloc(64, 0xff) : Buffer.from(row.password_hash, 'hex');
    if (row === undefined || expected.length !== hash.length || !timingSafeEqual(expected, hash)) throw catalogError(27407, String(name));
    const roles = (await this.read('SELECT role FROM internal.role_members WHERE principal_name = @name ORDER BY role', (r) => r.input('name', sql.NVarChar(128), row.name)))
      .map((x) => String(x['role']) as Role);
    return Object.freeze({ name: row.name, roles: Object.freeze(roles) });
  }

  async addRoleMember(caller: Principal, input: { name: string; role: Role }): Promise<void> {
    await this.run(caller, 'internal.add_role_member', (r) => {
      r.input('name', sql.NVarChar(128), input?.name ?? null);
      r.input('role', sql.NVarChar(32), input?.role ?? null);
      return 'EXEC internal.add_role_member @name = @name, @role = @role;';
    });
  }

  // Login upkeep runs as inline batches over internal.principals / internal.role_members (the same
  // tables internal.create_login writes), with the caller's roles checked by the server as well.
  async dropRoleMember(caller: Principal, input: { name: string; role: Role }): Promise<void> {
    if (!caller.roles.includes('sysadmin')) throw catalogError(27260);
    if (!(Roles as readonly string[]).includes(input?.role)) throw catalogError(27101, 'role');
    await this.run(caller, 'drop_role_member', (r) => {
      r.input('name', sql.NVarChar(128), input.name ?? null);
      r.input('role', sql.NVarChar(32), input.role);
      return `IF internal.caller_in_roles(N'sysadmin') = 0 EXEC internal.raise_catalog_error 27260;
IF NOT EXISTS (SELECT 1 FROM internal.principals WHERE name = @name) EXEC internal.raise_catalog_error 27407, @name;
DELETE FROM internal.role_members WHERE principal_name = (SELECT name FROM internal.principals WHERE name = @name) AND role = @role;`;
    });
  }

  async alterLoginPassword(caller: Principal, input: { name: string; password: string }): Promise<void> {
    if (!caller.roles.includes('sysadmin')) throw catalogError(27260);
    if (typeof input?.password !== 'string' || input.password.length === 0) throw catalogError(27102, 'password');
    const salt = randomBytes(16);
    const hash = await scrypt(input.password, salt, 64);
    await this.run(caller, 'alter_login', (r) => {
      r.input('name', sql.NVarChar(128), input.name ?? null);
      r.input('hash', sql.VarChar(128), hash.toString('hex'));
      r.input('salt', sql.VarChar(64), salt.toString('hex'));
      return `IF internal.caller_in_roles(N'sysadmin') = 0 EXEC internal.raise_catalog_error 27260;
UPDATE internal.principals SET password_hash = @hash, password_salt = @salt WHERE name = @name;
IF @@ROWCOUNT = 0 EXEC internal.raise_catalog_error 27407, @name;`;
    });
  }

  async dropLogin(caller: Principal, input: { name: string }): Promise<void> {
    if (!caller.roles.includes('sysadmin')) throw catalogError(27260);
    await this.run(caller, 'drop_login', (r) => {
      r.input('name', sql.NVarChar(128), input?.name ?? null);
      return `SET XACT_ABORT ON;
IF internal.caller_in_roles(N'sysadmin') = 0 EXEC internal.raise_catalog_error 27260;
IF NOT EXISTS (SELECT 1 FROM internal.principals WHERE name = @name) EXEC internal.raise_catalog_error 27407, @name;
BEGIN TRANSACTION;
DELETE FROM internal.role_members WHERE principal_name = (SELECT name FROM internal.principals WHERE name = @name);
DELETE FROM internal.principals WHERE name = @name;
COMMIT TRANSACTION;`;
    });
  }

  async listLogins(caller: Principal): Promise<readonly LoginRecord[]> {
    const all = caller.roles.includes('sysadmin');
    const rows = await this.read(`SELECT p.name, CONVERT(nvarchar(40), p.created_time, 127) AS created_time, m.role
FROM internal.principals p LEFT JOIN internal.role_members m ON m.principal_name = p.name ${all ? '' : 'WHERE p.name = @name'} ORDER BY p.name, m.role`,
    (r) => { if (!all) r.input('name', sql.NVarChar(128), caller.name); });
    const out = new Map<string, { name: string; createdTime: string; roles: Role[] }>();
    for (const row of rows) {
      const name = String(row['name']);
      const entry = out.get(name) ?? { name, createdTime: String(row['created_time'] ?? ''), roles: [] };
      if (row['role'] !== null && row['role'] !== undefined) entry.roles.push(String(row['role']) as Role);
      out.set(name, entry);
    }
    return [...out.values()];
  }

  // ---- folders and projects ----------------------------------------------------------------

  async createFolder(caller: Principal, input: { folderName: string; description?: string }): Promise<{ folderId: number }> {
    const name = input?.folderName;
    objectNameFits('folder_name', name);
    descriptionFits('folder_description', input?.description);
    const result = await this.run(caller, 'catalog.create_folder', (r) => {
      r.input('folder_name', sql.NVarChar(4000), name ?? null);
      r.input('description', sql.NVarChar(1024), input?.description ?? null);
      return `DECLARE @id bigint;
EXEC [catalog].create_folder @folder_name = @folder_name, @folder_id = @id OUTPUT, @folder_description = @description;
SELECT @id AS folder_id;`;
    });
    return { folderId: num(MssqlCatalog.last(result)['folder_id']) };
  }

  async deployProject(caller: Principal, input: { folderName: string; projectName: string; project: ProjectArchive }): Promise<{ operationId: number; projectId: number; versionLsn: number }> {
    objectNameFits('folder_name', input?.folderName);
    objectNameFits('project_name', input?.projectName);
    const project = input?.project;
    if (project === null || project === undefined) throw catalogError(27100, 'project_stream');
    if (!(project.bytes instanceof Uint8Array)) throw catalogError(27404, 'the project stream is not bytes');
    const param = (p: ProjectArchive['parameters'][number]): Row => ({
      name: p.name, dataType: p.dataType, required: p.required, sensitive: p.sensitive, description: p.description ?? null,
      defaultValue: p.defaultValue === null || p.defaultValue === undefined ? null : String(p.defaultValue),
    });
    const metadata = JSON.stringify({
      name: project.name, formatVersion: project.formatVersion, description: project.description ?? null, sha256: project.sha256,
      parameters: catalogProjectParameters(project).map(param),
      packages: project.packages.map((k) => ({
        name: k.name, entryPoint: k.entryPoint, packageGuid: k.packageGuid ?? null, description: k.description ?? null,
        formatVersion: k.formatVersion ?? null, versionMajor: k.versionMajor ?? null, versionMinor: k.versionMinor ?? null,
        versionBuild: k.versionBuild ?? null, versionGuid: k.versionGuid ?? null, requiresScripts: k.requiresScripts === true, parameters: k.parameters.map(param),
      })),
      connectionManagers: project.connectionManagers.map((c) => ({ name: c.name, guid: c.guid ?? null })),
    });
    const result = await this.run(caller, 'catalog.deploy_project', (r) => {
      r.input('folder_name', sql.NVarChar(4000), input.folderName ?? null);
      r.input('project_name', sql.NVarChar(4000), input.projectName ?? null);
      r.input('stream', sql.VarBinary(sql.MAX), Buffer.from(project.bytes));
      r.input('metadata', sql.NVarChar(sql.MAX), metadata);
      return `DECLARE @op bigint, @project bigint, @lsn bigint;
EXEC internal.deploy_project_parsed @folder_name = @folder_name, @project_name = @project_name, @project_stream = @stream,
  @project_metadata = @metadata, @operation_id = @op OUTPUT, @project_id = @project OUTPUT, @version_lsn = @lsn OUTPUT;
SELECT @op AS operation_id, @project AS project_id, @lsn AS version_lsn;`;
    });
    const row = MssqlCatalog.last(result);
    return { operationId: num(row['operation_id']), projectId: num(row['project_id']), versionLsn: num(row['version_lsn']) };
  }

  async getProjectBytes(versionLsn: number, sha256: string): Promise<Uint8Array | null> {
    if (typeof versionLsn !== 'number' || !Number.isSafeInteger(versionLsn)) return null;
    const rows = await this.read('SELECT object_data FROM internal.object_versions WHERE object_version_lsn = @lsn AND sha256 = @sha', (r) => {
      r.input('lsn', sql.BigInt, versionLsn);
      r.input('sha', sql.Char(64), String(sha256).toLowerCase().slice(0, 64));
    });
    const data = rows[0]?.['object_data'];
    return data instanceof Uint8Array ? new Uint8Array(data) : null;
  }

  // ---- executions ---------------------------------------------------------------------------

  async createExecution(caller: Principal, input: CreateExecutionInput): Promise<{ executionId: number }> {
    // Non-text names: the rule's 27101 (a NULL goes through: the procedure answers 27138).
    for (const [k, v] of [['folder_name', input?.folderName], ['project_name', input?.projectName], ['package_name', input?.packageName]] as const) {
      if (v !== null && v !== undefined) executionNameArg(k, v);
    }
    // Longer names cannot exist, so they are "no such package" (27146); without this, SQL Server's
    // truncation of the argument could match an existing one.
    const noPackage = (): never => { throw catalogError(27146, input.packageName); };
    refuseTruncated(input?.folderName, 128, noPackage);
    refuseTruncated(input?.projectName, 128, noPackage);
    refuseTruncated(input?.packageName, 260, noPackage);
    if (input?.referenceId !== undefined && input.referenceId !== null) idParam('reference_id', input.referenceId);
    const result = await this.run(caller, 'catalog.create_execution', (r) => {
      r.input('folder_name', sql.NVarChar(4000), input?.folderName ?? null);
      r.input('project_name', sql.NVarChar(4000), input?.projectName ?? null);
      r.input('package_name', sql.NVarChar(4000), input?.packageName ?? null);
      r.input('reference_id', sql.BigInt, input?.referenceId ?? null);
      r.input('use32', sql.Bit, input?.use32BitRuntime === true);
      r.input('scaleout', sql.Bit, input?.runInScaleOut === undefined || input.runInScaleOut === null ? null : input.runInScaleOut);
      r.input('anyworker', sql.Bit, input?.useAnyWorker !== false);
      return `DECLARE @id bigint;
EXEC [catalog].create_execution @folder_name = @folder_name, @project_name = @project_name, @package_name = @package_name,
  @reference_id = @reference_id, @use32bitruntime = @use32, @execution_id = @id OUTPUT, @runinscaleout = @scaleout, @useanyworker = @anyworker;
SELECT @id AS execution_id;`;
    });
    return { executionId: num(MssqlCatalog.last(result)['execution_id']) };
  }

  async setExecutionParameterValue(caller: Principal, input: { executionId: number; objectType: number; parameterName: string; parameterValue: ParameterValue }): Promise<void> {
    const executionId = idParam('execution_id', input?.executionId);
    if (input.objectType !== null && input.objectType !== undefined && !Number.isInteger(input.objectType)) throw catalogError(27101, 'object_type');
    refuseTruncated(input.parameterName, 128, () => { throw catalogError(27176, input.parameterName); });
    await this.run(caller, 'catalog.set_execution_parameter_value', (r) => {
      r.input('execution_id', sql.BigInt, executionId);
      // Out-of-range object types still reach the procedure, which answers 27101 as SSISDB does.
      r.input('object_type', sql.Int, input.objectType ?? null);
      r.input('parameter_name', sql.NVarChar(128), input.parameterName ?? null);
      const value = variantArgument(r, 'value', input.parameterValue ?? null);
      return `DECLARE @v sql_variant = ${value};
DECLARE @t smallint = CASE WHEN @object_type BETWEEN -32768 AND 32767 THEN @object_type ELSE -1 END;
EXEC [catalog].set_execution_parameter_value @execution_id = @execution_id, @object_type = @t, @parameter_name = @parameter_name, @parameter_value = @v;`;
    });
  }

  async setExecutionPropertyOverrideValue(caller: Principal, input: { executionId: number; propertyPath: string; propertyValue: string; sensitive: boolean }): Promise<void> {
    const executionId = idParam('execution_id', input?.executionId);
    refuseTruncated(input.propertyPath, 4000, (v) => textArg('property_path', v, 4000));
    refuseTruncated(input.propertyValue, Number.MAX_SAFE_INTEGER, (v) => textArg('property_value', v, Number.MAX_SAFE_INTEGER));
    await this.run(caller, 'catalog.set_execution_property_override_value', (r) => {
      r.input('execution_id', sql.BigInt, executionId);
      r.input('path', sql.NVarChar(4000), input.propertyPath ?? null);
      r.input('value', sql.NVarChar(sql.MAX), input.propertyValue ?? null);
      r.input('sensitive', sql.Bit, input.sensitive === true);
      return 'EXEC [catalog].set_execution_property_override_value @execution_id = @execution_id, @property_path = @path, @property_value = @value, @sensitive = @sensitive;';
    });
  }

  async addExecutionWorker(caller: Principal, input: { executionId: number; workerAgentId: string }): Promise<void> {
    // The id travels as text (@workeragent_id_text, ours): the procedure checks the execution first and
    // then parses it, so a malformed id is 27101 in SSISDB's order rather than a conversion error.
    const id = input?.workerAgentId;
    const executionId = input?.executionId;
    // What a bigint parameter cannot carry is the rule's 27101 (after the NULL worker id, as the procedure orders them).
    if (id !== null && id !== undefined && executionId !== null && executionId !== undefined) idParam('execution_id', executionId);
    await this.run(caller, 'catalog.add_execution_worker', (r) => {
      r.input('execution_id', sql.BigInt, typeof executionId === 'number' && Number.isSafeInteger(executionId) ? executionId : null);
      r.input('worker_text', sql.NVarChar(100), id === null || id === undefined ? null : String(id).slice(0, 100));
      return 'EXEC [catalog].add_execution_worker @execution_id = @execution_id, @workeragent_id = NULL, @workeragent_id_text = @worker_text;';
    });
  }

  async addDataTap(caller: Principal, input: AddDataTapInput): Promise<{ dataTapId: number }> {
    const executionId = idParam('execution_id', input?.executionId);
    const byGuid = input.taskPackagePath === undefined;
    // What SQL Server would truncate or cannot type is refused here with the procedure's numbers.
    let taskGuid: string | null = null;
    if (byGuid) {
      if (input.dataflowTaskGuid === null || input.dataflowTaskGuid === undefined) throw catalogError(27100, 'dataflow_task_guid');
      taskGuid = GUID_RE.exec(String(input.dataflowTaskGuid).trim())?.[1]?.toLowerCase() ?? null;
      if (taskGuid === null) throw catalogError(27101, 'dataflow_task_guid');
    }
    if (typeof input.dataflowPathIdString === 'string' && input.dataflowPathIdString.length > 4000) throw catalogError(27101, 'dataflow_path_id_string');
    if (input.dataFilename !== null && input.dataFilename !== undefined && String(input.dataFilename).trim() !== '') checkDataFilename(input.dataFilename);
    const maxRows = checkMaxRows(input.maxRows);
    const result = await this.run(caller, byGuid ? 'catalog.add_data_tap_by_guid' : 'catalog.add_data_tap', (r) => {
      r.input('execution_id', sql.BigInt, executionId);
      r.input('path_id', sql.NVarChar(4000), input.dataflowPathIdString ?? null);
      r.input('file', sql.NVarChar(4000), input.dataFilename ?? null);
      r.input('max_rows', sql.Int, maxRows);
      if (byGuid) {
        r.input('task_guid', sql.UniqueIdentifier, taskGuid);
        return `DECLARE @id bigint;
EXEC [catalog].add_data_tap_by_guid @execution_id = @execution_id, @dataflow_task_guid = @task_guid, @dataflow_path_id_string = @path_id,
  @data_filename = @file, @max_rows = @max_rows, @data_tap_id = @id OUTPUT;
SELECT @id AS data_tap_id;`;
      }
      r.input('task_path', sql.NVarChar(sql.MAX), input.taskPackagePath ?? null);
      return `DECLARE @id bigint;
EXEC [catalog].add_data_tap @execution_id = @execution_id, @task_package_path = @task_path, @dataflow_path_id_string = @path_id,
  @data_filename = @file, @max_rows = @max_rows, @data_tap_id = @id OUTPUT;
SELECT @id AS data_tap_id;`;
    });
    return { dataTapId: num(MssqlCatalog.last(result)['data_tap_id']) };
  }

  async removeDataTap(caller: Principal, input: { dataTapId: number }): Promise<void> {
    const dataTapId = idParam('data_tap_id', input?.dataTapId);
    await this.run(caller, 'catalog.remove_data_tap', (r) => {
      r.input('id', sql.BigInt, dataTapId);
      return 'EXEC [catalog].remove_data_tap @data_tap_id = @id;';
    });
  }

  async startExecution(caller: Principal, input: { executionId: number; retryCount?: number }): Promise<void> {
    const executionId = idParam('execution_id', input?.executionId);
    const retry = input.retryCount ?? 0;
    if (typeof retry !== 'number' || !Number.isInteger(retry) || retry < -2147483648 || retry > 2147483647) throw catalogError(27101, 'retry_count');
    await this.run(caller, 'catalog.start_execution', (r) => {
      r.input('execution_id', sql.BigInt, executionId);
      r.input('retry', sql.Int, retry);
      return 'EXEC [catalog].start_execution @execution_id = @execution_id, @retry_count = @retry;';
    });
  }

  async stopOperation(caller: Principal, input: { operationId: number }): Promise<{ stopOperationId: number }> {
    const operationId = idParam('operation_id', input?.operationId);
    const result = await this.run(caller, 'catalog.stop_operation', (r) => {
      r.input('operation_id', sql.BigInt, operationId);
      return `DECLARE @stop bigint;
EXEC [catalog].stop_operation @operation_id = @operation_id, @stop_operation_id = @stop OUTPUT;
SELECT @stop AS stop_id;`;
    });
    return { stopOperationId: num(MssqlCatalog.last(result)['stop_id']) };
  }

  // ---- workers ------------------------------------------------------------------------------

  private async workerVerb(caller: Principal, procedure: string, workerAgentId: unknown, extra?: (r: sql.Request) => string): Promise<void> {
    // Role first (27140), as the procedures check it before the id.
    requireRole(caller, ADMIN_ROLES);
    const wid = guidParam('WorkerAgentId', workerAgentId);
    await this.run(caller, procedure, (r) => {
      r.input('worker', sql.UniqueIdentifier, wid);
      return `EXEC ${procedure} @WorkerAgentId = @worker${extra ? extra(r) : ''};`;
    });
  }

  enableWorkerAgent(caller: Principal, input: { workerAgentId: string }): Promise<void> {
    return this.workerVerb(caller, '[catalog].enable_worker_agent', input?.workerAgentId);
  }
  disableWorkerAgent(caller: Principal, input: { workerAgentId: string }): Promise<void> {
    return this.workerVerb(caller, '[catalog].disable_worker_agent', input?.workerAgentId);
  }
  deleteWorkerAgent(caller: Principal, input: { workerAgentId: string }): Promise<void> {
    return this.workerVerb(caller, '[catalog].delete_worker_agent', input?.workerAgentId);
  }
  setWorkerAgentProperty(caller: Principal, input: { workerAgentId: string; propertyName: string; propertyValue: string | null }): Promise<void> {
    if (input?.propertyValue !== null && input?.propertyValue !== undefined && typeof input.propertyValue !== 'string') throw catalogError(27101, 'PropertyValue');
    return this.workerVerb(caller, '[catalog].set_worker_agent_property', input?.workerAgentId, (r) => {
      r.input('property_name', sql.NVarChar(256), typeof input.propertyName === 'string' ? input.propertyName : null);
      r.input('property_value', sql.NVarChar(sql.MAX), input.propertyValue ?? null);
      return ', @PropertyName = @property_name, @PropertyValue = @property_value';
    });
  }

  // ---- catalog properties -------------------------------------------------------------------

  async configureCatalog(caller: Principal, input: { propertyName: string; propertyValue: string }): Promise<void> {
    await this.run(caller, 'catalog.configure_catalog', (r) => {
      r.input('name', sql.NVarChar(255), input?.propertyName === null || input?.propertyName === undefined ? null : String(input.propertyName));
      r.input('value', sql.NVarChar(255), input?.propertyValue === null || input?.propertyValue === undefined ? null : String(input.propertyValue));
      return 'EXEC [catalog].configure_catalog @property_name = @name, @property_value = @value;';
    });
  }

  async updateMasterAddress(caller: Principal, input: { masterAddress: string }): Promise<void> {
    refuseTruncated(input?.masterAddress, 256, (v) => textArg('MasterAddress', v, 256));
    await this.run(caller, 'catalog.update_master_address', (r) => {
      r.input('address', sql.NVarChar(256), input?.masterAddress ?? null);
      return 'EXEC [catalog].update_master_address @MasterAddress = @address;';
    });
  }

  // ---- views --------------------------------------------------------------------------------

  async queryView(caller: Principal, viewName: string): Promise<ViewResult> {
    const name = resolveViewName(viewName);
    if (name === undefined) throw new SsoError('SSO_ERR_TSQL', `Invalid object name '${viewName}'.`, { number: 208, where: String(viewName) });
    const object = `[catalog].[${name.slice('catalog.'.length)}]`;
    // Row filters are the views' own (WHERE … internal.caller_holds / caller_in_roles), as a T-SQL client sees them.
    const result = await this.run(caller, name, () => `SELECT * FROM ${object} ORDER BY ${VIEWS[name]!.order};`);
    const recordset = result.recordsets[result.recordsets.length - 1] as sql.IRecordSet<Row> | undefined;
    const columnsMeta = recordset?.columns ?? {};
    const columns = Object.values(columnsMeta).sort((a, b) => a.index - b.index).map((c) => c.name);
    return { columns, rows: (recordset ?? []).map((row) => normalizeRow(row, columnsMeta)) };
  }

  // ---- environments, references, server values, object permissions (issue 14) -------------------
  // The procedures hold every rule; these methods bind the arguments and call them.

  /** Folder and environment names as `@folder_name` / `@environment_name` (the environment procedures' first two). */
  private environmentArgs(r: sql.Request, input: { folderName: string; environmentName: string }): void {
    objectNameFits('folder_name', input?.folderName);
    objectNameFits('environment_name', input?.environmentName);
    r.input('folder_name', sql.NVarChar(128), input?.folderName ?? null);
    r.input('environment_name', sql.NVarChar(128), input?.environmentName ?? null);
  }

  private variableArgs(r: sql.Request, input: { folderName: string; environmentName: string; variableName: string }): void {
    this.environmentArgs(r, input);
    identifierFits('variable_name', input?.variableName);
    r.input('variable_name', sql.NVarChar(128), input?.variableName ?? null);
  }

  async createEnvironment(caller: Principal, input: { folderName: string; environmentName: string; environmentDescription?: string | null }): Promise<{ environmentId: number }> {
    descriptionFits('environment_description', input?.environmentDescription);
    const result = await this.run(caller, 'catalog.create_environment', (r) => {
      this.environmentArgs(r, input);
      r.input('description', sql.NVarChar(1024), input?.environmentDescription ?? null);
      return `DECLARE @id bigint;
EXEC [catalog].create_environment @folder_name = @folder_name, @environment_name = @environment_name, @environment_description = @description, @environment_id = @id OUTPUT;
SELECT @id AS environment_id;`;
    });
    return { environmentId: num(MssqlCatalog.last(result)['environment_id']) };
  }

  async renameEnvironment(caller: Principal, input: { folderName: string; environmentName: string; newEnvironmentName: string }): Promise<void> {
    objectNameFits('new_environment_name', input?.newEnvironmentName);
    await this.run(caller, 'catalog.rename_environment', (r) => {
      this.environmentArgs(r, input);
      r.input('new_name', sql.NVarChar(128), input?.newEnvironmentName ?? null);
      return 'EXEC [catalog].rename_environment @folder_name = @folder_name, @environment_name = @environment_name, @new_environment_name = @new_name;';
    });
  }

  async moveEnvironment(caller: Principal, input: { sourceFolderName: string; environmentName: string; destinationFolderName: string }): Promise<void> {
    objectNameFits('source_folder_name', input?.sourceFolderName);
    objectNameFits('environment_name', input?.environmentName);
    objectNameFits('destination_folder_name', input?.destinationFolderName);
    await this.run(caller, 'catalog.move_environment', (r) => {
      r.input('source', sql.NVarChar(128), input?.sourceFolderName ?? null);
      r.input('environment_name', sql.NVarChar(128), input?.environmentName ?? null);
      r.input('destination', sql.NVarChar(128), input?.destinationFolderName ?? null);
      return 'EXEC [catalog].move_environment @source_folder = @source, @environment_name = @environment_name, @destination_folder = @destination;';
    });
  }

  async deleteEnvironment(caller: Principal, input: { folderName: string; environmentName: string }): Promise<void> {
    await this.run(caller, 'catalog.delete_environment', (r) => {
      this.environmentArgs(r, input);
      return 'EXEC [catalog].delete_environment @folder_name = @folder_name, @environment_name = @environment_name;';
    });
  }

  async createEnvironmentVariable(caller: Principal, input: { folderName: string; environmentName: string; variableName: string; dataType: string; sensitive: boolean; value: ParameterValue; description?: string | null }): Promise<{ variableId: number }> {
    refuseTruncated(input?.dataType, 128, (v) => textArg('data_type', v, 128));
    descriptionFits('description', input?.description);
    const result = await this.run(caller, 'catalog.create_environment_variable', (r) => {
      this.variableArgs(r, input);
      r.input('data_type', sql.NVarChar(128), input?.dataType ?? null);
      r.input('sensitive', sql.Bit, input?.sensitive === null || input?.sensitive === undefined ? null : input.sensitive === true);
      r.input('description', sql.NVarChar(1024), input?.description ?? null);
      const value = variantArgument(r, 'value', input?.value ?? null);
      return `DECLARE @v sql_variant = ${value}, @id bigint;
EXEC [catalog].create_environment_variable @folder_name = @folder_name, @environment_name = @environment_name, @variable_name = @variable_name,
  @data_type = @data_type, @sensitive = @sensitive, @value = @v, @description = @description, @variable_id = @id OUTPUT;
SELECT @id AS variable_id;`;
    });
    return { variableId: num(MssqlCatalog.last(result)['variable_id']) };
  }

  async setEnvironmentVariableValue(caller: Principal, input: { folderName: string; environmentName: string; variableName: string; value: ParameterValue }): Promise<void> {
    await this.run(caller, 'catalog.set_environment_variable_value', (r) => {
      this.variableArgs(r, input);
      const value = variantArgument(r, 'value', input?.value ?? null);
      return `DECLARE @v sql_variant = ${value};
EXEC [catalog].set_environment_variable_value @folder_name = @folder_name, @environment_name = @environment_name, @variable_name = @variable_name, @value = @v;`;
    });
  }

  async setEnvironmentVariableProperty(caller: Principal, input: { folderName: string; environmentName: string; variableName: string; propertyName: string; propertyValue: string | null }): Promise<void> {
    refuseTruncated(input?.propertyName, 128, (v) => textArg('property_name', v, 128));
    refuseTruncated(input?.propertyValue, 4000, (v) => descriptionArg('property_value', v));
    await this.run(caller, 'catalog.set_environment_variable_property', (r) => {
      this.variableArgs(r, input);
      r.input('property_name', sql.NVarChar(128), input?.propertyName ?? null);
      r.input('property_value', sql.NVarChar(4000), input?.propertyValue ?? null);
      return `EXEC [catalog].set_environment_variable_property @folder_name = @folder_name, @environment_name = @environment_name, @variable_name = @variable_name,
  @property_name = @property_name, @property_value = @property_value;`;
    });
  }

  async setEnvironmentVariableProtection(caller: Principal, input: { folderName: string; environmentName: string; variableName: string; sensitive: boolean }): Promise<void> {
    await this.run(caller, 'catalog.set_environment_variable_protection', (r) => {
      this.variableArgs(r, input);
      r.input('sensitive', sql.Bit, input?.sensitive === null || input?.sensitive === undefined ? null : input.sensitive === true);
      return `EXEC [catalog].set_environment_variable_protection @folder_name = @folder_name, @environment_name = @environment_name, @variable_name = @variable_name,
  @sensitive = @sensitive;`;
    });
  }

  async deleteEnvironmentVariable(caller: Principal, input: { folderName: string; environmentName: string; variableName: string }): Promise<void> {
    await this.run(caller, 'catalog.delete_environment_variable', (r) => {
      this.variableArgs(r, input);
      return 'EXEC [catalog].delete_environment_variable @folder_name = @folder_name, @environment_name = @environment_name, @variable_name = @variable_name;';
    });
  }

  async createEnvironmentReference(caller: Principal, input: { folderName: string; projectName: string; environmentName: string; referenceType: string; environmentFolderName?: string | null }): Promise<{ referenceId: number }> {
    objectNameFits('project_name', input?.projectName);
    // char(1) would keep the first letter of 'RX': anything longer is the procedure's 27101.
    const type = input?.referenceType;
    // The environment folder matters (and is checked) only for an absolute reference, as in the procedure.
    if (typeof type === 'string' && type.toUpperCase() === 'A') objectNameFits('environment_folder_name', input?.environmentFolderName);
    refuseTruncated(type, 1, () => { throw catalogError(27101, 'reference_type'); });
    const result = await this.run(caller, 'catalog.create_environment_reference', (r) => {
      this.environmentArgs(r, input);
      r.input('project_name', sql.NVarChar(128), input?.projectName ?? null);
      r.input('type', sql.Char(1), type ?? null);
      r.input('env_folder', sql.NVarChar(128), input?.environmentFolderName ?? null);
      return `DECLARE @id bigint;
EXEC [catalog].create_environment_reference @folder_name = @folder_name, @project_name = @project_name, @environment_name = @environment_name,
  @reference_type = @type, @environment_folder_name = @env_folder, @reference_id = @id OUTPUT;
SELECT @id AS reference_id;`;
    });
    return { referenceId: num(MssqlCatalog.last(result)['reference_id']) };
  }

  async deleteEnvironmentReference(caller: Principal, input: { referenceId: number }): Promise<void> {
    const id = input?.referenceId;
    if (id !== null && id !== undefined) idParam('reference_id', id);
    await this.run(caller, 'catalog.delete_environment_reference', (r) => {
      r.input('id', sql.BigInt, id ?? null);
      return 'EXEC [catalog].delete_environment_reference @reference_id = @id;';
    });
  }

  /** The arguments set/clear_object_parameter_value share; an object type outside smallint reaches the procedure as -1 (27101). */
  private objectParameterArgs(r: sql.Request, input: { objectType: number; folderName: string; projectName: string; objectName?: string | null; parameterName: string }): void {
    objectNameFits('folder_name', input?.folderName);
    objectNameFits('project_name', input?.projectName);
    refuseTruncated(input?.objectName, 260, () => { throw catalogError(27176, input.parameterName); });
    refuseTruncated(input?.parameterName, 128, () => { throw catalogError(27176, input.parameterName); });
    const t = input?.objectType;
    r.input('object_type', sql.SmallInt, t === null || t === undefined ? null : Number.isInteger(t) && t >= -32768 && t <= 32767 ? t : -1);
    r.input('folder_name', sql.NVarChar(128), input?.folderName ?? null);
    r.input('project_name', sql.NVarChar(128), input?.projectName ?? null);
    r.input('object_name', sql.NVarChar(260), input?.objectName ?? null);
    r.input('parameter_name', sql.NVarChar(128), input?.parameterName ?? null);
  }

  async setObjectParameterValue(caller: Principal, input: { objectType: number; folderName: string; projectName: string; parameterName: string; parameterValue: ParameterValue; objectName?: string | null; valueType?: string | null }): Promise<void> {
    const valueType = input?.valueType;
    refuseTruncated(valueType, 1, () => { throw catalogError(27101, 'value_type'); });
    await this.run(caller, 'catalog.set_object_parameter_value', (r) => {
      this.objectParameterArgs(r, input);
      r.input('value_type', sql.Char(1), valueType ?? 'V');
      const value = variantArgument(r, 'value', input?.parameterValue ?? null);
      return `DECLARE @v sql_variant = ${value};
EXEC [catalog].set_object_parameter_value @object_type = @object_type, @folder_name = @folder_name, @project_name = @project_name,
  @parameter_name = @parameter_name, @parameter_value = @v, @object_name = @object_name, @value_type = @value_type;`;
    });
  }

  async clearObjectParameterValue(caller: Principal, input: { folderName: string; projectName: string; objectType: number; objectName?: string | null; parameterName: string }): Promise<void> {
    await this.run(caller, 'catalog.clear_object_parameter_value', (r) => {
      this.objectParameterArgs(r, input);
      return `EXEC [catalog].clear_object_parameter_value @folder_name = @folder_name, @project_name = @project_name, @object_type = @object_type,
  @object_name = @object_name, @parameter_name = @parameter_name;`;
    });
  }

  /** grant/deny/revoke_permission: the procedure's return code (0 ok, 1…5 refused, reference §4.2). */
  private async permissionVerb(caller: Principal, verb: 'grant' | 'deny' | 'revoke', input: ObjectPermissionInput): Promise<{ returnCode: number }> {
    // Values the parameters' integer types cannot carry reach the procedure as NULL / 0: class 1, object 2, principal 3.
    const int = (v: unknown, lo: number, hi: number): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi ? v : null);
    const result = await this.run(caller, `catalog.${verb}_permission`, (r) => {
      r.input('object_type', sql.SmallInt, int(input?.objectType, -32768, 32767));
      r.input('object_id', sql.BigInt, int(input?.objectId, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
      r.input('principal_id', sql.Int, int(input?.principalId, -2147483648, 2147483647));
      r.input('permission_type', sql.SmallInt, int(input?.permissionType, -32768, 32767));
      return `DECLARE @rc int;
EXEC @rc = [catalog].${verb}_permission @object_type = @object_type, @object_id = @object_id, @principal_id = @principal_id, @permission_type = @permission_type;
SELECT @rc AS rc;`;
    });
    return { returnCode: num(MssqlCatalog.last(result)['rc']) };
  }

  grantPermission(caller: Principal, input: ObjectPermissionInput): Promise<{ returnCode: number }> {
    return this.permissionVerb(caller, 'grant', input);
  }
  denyPermission(caller: Principal, input: ObjectPermissionInput): Promise<{ returnCode: number }> {
    return this.permissionVerb(caller, 'deny', input);
  }
  revokePermission(caller: Principal, input: ObjectPermissionInput): Promise<{ returnCode: number }> {
    return this.permissionVerb(caller, 'revoke', input);
  }

  listViews(): readonly string[] {
    return Object.keys(VIEWS);
  }

  // ---- internal verbs -----------------------------------------------------------------------

  async pullTask(caller: Principal, input: { workerAgentId: string; leaseMs: number; onlineWindowMs?: number }): Promise<TaskRecord | null> {
    const wid = guidParam('WorkerAgentId', input?.workerAgentId);
    const lease = input.leaseMs;
    const leaseArg = typeof lease === 'number' && Number.isFinite(lease) && lease > 0 ? Math.min(Math.ceil(lease), 2147483647) : 0;
    const win = input.onlineWindowMs;
    const windowArg = typeof win === 'number' && Number.isFinite(win) && win > 0 ? Math.min(Math.ceil(win), 2147483647) : DEFAULT_SCRIPT_ROUTING_ONLINE_MS;
    const result = await this.run(caller, 'internal.pull_task', (r) => {
      r.input('worker', sql.UniqueIdentifier, wid);
      r.input('lease', sql.Int, leaseArg);
      r.input('online', sql.Int, windowArg);
      return 'EXEC internal.pull_task @WorkerAgentId = @worker, @LeaseInMs = @lease, @OnlineWindowInMs = @online;';
    });
    const row = (result.recordsets[result.recordsets.length - 1] as Row[] | undefined)?.[0];
    return row === undefined ? null : toTaskRecord(row);
  }

  async updateTaskStatus(caller: Principal, input: UpdateTaskStatusInput): Promise<UpdateTaskStatusResult> {
    const wid = guidParam('WorkerAgentId', input?.workerAgentId);
    const taskId = guidParam('TaskId', input.taskId);
    if (![2, 3, 4, 5, 6].includes(input.status)) throw catalogError(27101, 'Status');
    if (typeof input.attempt !== 'number' || !Number.isInteger(input.attempt)) throw catalogError(27246, taskId);
    const leased = input.status === 2 || input.status === 3;
    const expired = typeof input.expiredTime === 'number' && Number.isFinite(input.expiredTime) ? new Date(input.expiredTime) : null;
    const result = await this.run(caller, 'internal.update_task_status', (r) => {
      r.input('worker', sql.UniqueIdentifier, wid);
      r.input('task', sql.UniqueIdentifier, taskId);
      r.input('expired', sql.DateTimeOffset(7), leased ? expired : null);
      r.input('status', sql.Int, input.status);
      r.input('attempt', sql.Int, input.attempt);
      return `DECLARE @s int = @status, @op int;
EXEC internal.update_task_status @WorkerAgentId = @worker, @TaskId = @task, @ExpiredTime = @expired, @Status = @s OUTPUT,
  @Attempt = @attempt, @OperationStatus = @op OUTPUT;
SELECT @s AS status, @op AS operation_status;`;
    });
    const row = MssqlCatalog.last(result);
    const status = num(row['status']);
    return row['operation_status'] === null || row['operation_status'] === undefined ? { status } : { status, operationStatus: num(row['operation_status']) };
  }

  async updateOperationStatusForTask(caller: Principal, input: { status: number; operationId: number; workerAgentId?: string | null }): Promise<void> {
    const wid = input?.workerAgentId === null || input?.workerAgentId === undefined ? null : guidParam('agent_id', input.workerAgentId);
    await this.run(caller, 'internal.update_operation_status_for_task', (r) => {
      r.input('status', sql.Int, Number.isInteger(input?.status) ? input.status : null);
      r.input('operation_id', sql.BigInt, Number.isSafeInteger(input?.operationId) ? input.operationId : null);
      r.input('agent', sql.UniqueIdentifier, wid);
      return 'EXEC internal.update_operation_status_for_task @status = @status, @operation_id = @operation_id, @agent_id = @agent;';
    });
  }

  async updateCancelledOperationStatus(caller: Principal, input: { operationId: number; stopId: number }): Promise<void> {
    await this.run(caller, 'internal.update_cancelled_operation_status', (r) => {
      r.input('operation_id', sql.BigInt, Number.isSafeInteger(input?.operationId) ? input.operationId : null);
      r.input('stop_id', sql.BigInt, Number.isSafeInteger(input?.stopId) ? input.stopId : null);
      return 'EXEC internal.update_cancelled_operation_status @operation_id = @operation_id, @stop_id = @stop_id;';
    });
  }

  async dealWithExpiredTasks(caller: Principal): Promise<readonly ExpiredTaskOutcome[]> {
    const result = await this.run(caller, 'internal.dealwith_expired_tasks', () => 'EXEC internal.dealwith_expired_tasks;');
    const rows = (result.recordsets[result.recordsets.length - 1] as Row[] | undefined) ?? [];
    return rows.map((row) => {
      const base = { taskId: String(row['TaskId']).toLowerCase(), executionId: num(row['execution_id']), taskStatus: num(row['task_status']) };
      return row['operation_status'] === null || row['operation_status'] === undefined ? base : { ...base, operationStatus: num(row['operation_status']) };
    });
  }

  async cleanupCompletedJobs(caller: Principal, input?: { minutesToKeep?: number }): Promise<{ jobsRemoved: number }> {
    const raw = input?.minutesToKeep;
    const minutes = typeof raw === 'number' && Number.isFinite(raw) && raw >= 0 ? Math.min(Math.floor(raw), 2147483647) : 60;
    const result = await this.run(caller, 'internal.cleanup_completed_jobs', (r) => {
      r.input('minutes', sql.Int, minutes);
      return 'EXEC internal.cleanup_completed_jobs @minutesToKeep = @minutes;';
    });
    return { jobsRemoved: num(MssqlCatalog.last(result)['jobs_removed'] ?? 0) };
  }

  async updateWorkerAgentStatus(caller: Principal, input: WorkerAgentStatusInput): Promise<{ isEnabled: boolean; registered: boolean }> {
    const wid = guidParam('WorkerAgentId', input?.workerAgentId);
    const thumbprint = input.certificateThumbprint === undefined ? null : thumbprintParam(input.certificateThumbprint);
    for (const c of input.perfCounters ?? []) {
      if (typeof c?.name !== 'string' || c.name === '' || typeof c.value !== 'number' || !Number.isFinite(c.value) || typeof c.timestamp !== 'number' || !Number.isFinite(c.timestamp)) {
        throw catalogError(27101, 'PerfCounterList');
      }
    }
    const counters = new sql.Table('internal.machine_perf_counter_list_type');
    counters.columns.add('PerfCounterName', sql.NVarChar(sql.MAX), { nullable: false });
    counters.columns.add('PerfCounterValue', sql.Float, { nullable: false });
    counters.columns.add('TimeStamp', sql.DateTimeOffset(7), { nullable: false });
    for (const c of input.perfCounters ?? []) counters.rows.add(c.name, c.value, new Date(c.timestamp));
    const properties = new sql.Table('internal.machine_property_list_type');
    properties.columns.add('PropertyName', sql.NVarChar(sql.MAX), { nullable: false });
    properties.columns.add('PropertyValue', sql.NVarChar(sql.MAX), { nullable: true });
    for (const [k, v] of Object.entries(input.machineProperties ?? {})) properties.rows.add(k, v === null || v === undefined ? null : String(v));
    const result = await this.run(caller, 'internal.update_worker_agent_status', (r) => {
      r.input('worker', sql.UniqueIdentifier, wid);
      r.input('counters', sql.TVP('internal.machine_perf_counter_list_type'), counters);
      r.input('properties', sql.TVP('internal.machine_property_list_type'), properties);
      r.input('thumbprint', sql.NVarChar(40), thumbprint);
      return `DECLARE @s int, @registered bit;
EXEC internal.update_worker_agent_status @WorkerAgentId = @worker, @PerfCounterList = @counters, @MachinePropertyList = @properties,
  @Status = @s OUTPUT, @Registered = @registered OUTPUT, @CertificateThumbprint = @thumbprint;
SELECT @s AS status, @registered AS registered;`;
    }).catch((error: unknown) => {
      // The procedure's binding refusal (THROW 50001 '[certificate] …'): the same SSO_ERR_TLS as SQLite.
      const info = sqlErrorInfo(error);
      const m = /\[certificate\] ([\s\S]*)$/.exec(info.message);
      if (thumbprint !== null && m) throw certificateMismatch(wid, thumbprint, m[1]!);
      throw error;
    });
    const row = MssqlCatalog.last(result);
    return { isEnabled: num(row['status']) === 1, registered: row['registered'] === true || row['registered'] === 1 };
  }

  async masterHeartbeat(caller: Principal): Promise<void> {
    await this.run(caller, 'internal.master_heartbeat', () => 'EXEC internal.master_heartbeat;');
  }

  async updateMasterSettings(caller: Principal, input: { machineName: string; machineIp: string; masterServicePort: string; sslCertThumbprint: string; masterHeartbeatIntervalInMs: string }): Promise<void> {
    const pairs: [string, string, unknown][] = [
      ['MachineName', 'name', input?.machineName], ['MachineIP', 'ip', input?.machineIp], ['MasterServicePort', 'port', input?.masterServicePort],
      ['SSLCertThumbprint', 'thumbprint', input?.sslCertThumbprint], ['MasterHeartbeatIntervalInMs', 'heartbeat', input?.masterHeartbeatIntervalInMs],
    ];
    for (const [param, , v] of pairs) {
      if (v !== null && v !== undefined && (typeof v !== 'string' || v.length > 256)) throw catalogError(27101, param);
    }
    await this.run(caller, 'internal.update_master_settings', (r) => {
      for (const [, name, v] of pairs) r.input(name, sql.NVarChar(256), (v as string | null | undefined) ?? null);
      return `EXEC internal.update_master_settings @MachineName = @name, @MachineIP = @ip, @MasterServicePort = @port,
  @SSLCertThumbprint = @thumbprint, @MasterHeartbeatIntervalInMs = @heartbeat;`;
    });
  }

  async appendEventMessages(caller: Principal, messages: readonly EventMessageInput[]): Promise<void> {
    if (!Array.isArray(messages)) throw catalogError(27100, 'messages');
    if (!caller.roles.some((r) => r === 'ssis_admin' || r === 'sysadmin' || r === 'ssis_cluster_worker')) throw catalogError(27140, 'ssis_admin, sysadmin, ssis_cluster_worker');
    const checked = messages.map((m) => {
      const guid = guidParam('event_message_guid', m?.eventMessageGuid);
      if (!Number.isSafeInteger(m.operationId)) throw catalogError(27143, m.operationId);
      if (typeof m.messageTime !== 'number' || !Number.isFinite(m.messageTime)) throw catalogError(27101, 'message_time');
      return { m, guid };
    });
    if (checked.length === 0) return;
    await this.inTransaction('internal.append_event_message_for_worker', async (tx) => {
      for (const { m, guid } of checked) {
        const result = await this.run(caller, 'internal.append_event_message_for_worker', (r) => {
          r.input('operation_id', sql.BigInt, m.operationId);
          r.input('message_type', sql.Int, m.messageType);
          r.input('message_time', sql.DateTimeOffset(7), new Date(m.messageTime));
          r.input('message_source', sql.SmallInt, m.messageSourceType);
          r.input('message', sql.NVarChar(sql.MAX), m.message ?? null);
          r.input('extended_info_id', sql.BigInt, m.extendedInfoId ?? null);
          r.input('package_name', sql.NVarChar(260), m.packageName ?? null);
          r.input('package_location_type', sql.NVarChar(128), m.packageLocationType ?? null);
          r.input('package_path_full', sql.NVarChar(4000), m.packagePathFull ?? null);
          r.input('event_name', sql.NVarChar(1024), m.eventName ?? null);
          r.input('message_source_name', sql.NVarChar(4000), m.messageSourceName ?? null);
          r.input('message_source_id', sql.NVarChar(38), m.messageSourceId ?? null);
          r.input('subcomponent_name', sql.NVarChar(4000), m.subcomponentName ?? null);
          r.input('package_path', sql.NVarChar(sql.MAX), m.packagePath ?? null);
          r.input('execution_path', sql.NVarChar(sql.MAX), m.executionPath ?? null);
          r.input('thread_id', sql.Int, m.threadId ?? null);
          r.input('message_code', sql.Int, m.messageCode ?? null);
          r.input('guid', sql.UniqueIdentifier, guid);
          return `DECLARE @id bigint;
EXEC internal.append_event_message_for_worker @operation_id = @operation_id, @message_type = @message_type, @message_time = @message_time,
  @message_source = @message_source, @message = @message, @extended_info_id = @extended_info_id, @package_name = @package_name,
  @package_location_type = @package_location_type, @package_path_full = @package_path_full, @event_name = @event_name,
  @message_source_name = @message_source_name, @message_source_id = @message_source_id, @subcomponent_name = @subcomponent_name,
  @package_path = @package_path, @execution_path = @execution_path, @thread_id = @thread_id, @message_code = @message_code,
  @event_message_guid = @guid, @event_message_id = @id OUTPUT;
SELECT @id AS event_message_id;`;
        }, tx);
        // NULL id: a replay of a message already stored; its context is there too.
        if (MssqlCatalog.last(result)['event_message_id'] === null) continue;
        const stats = m.eventName === 'OnPipelineRowsSent' ? parseRowsSent(m.message) : undefined;
        if (stats) {
          await this.run(caller, 'internal.append_data_statistics_for_worker', (r) => {
            r.input('operation_id', sql.BigInt, m.operationId);
            r.input('package_name', sql.NVarChar(260), m.packageName ?? null);
            r.input('task_name', sql.NVarChar(4000), m.messageSourceName ?? null);
            r.input('path_id', sql.NVarChar(4000), stats.pathId);
            r.input('path_name', sql.NVarChar(4000), stats.pathName);
            r.input('source', sql.NVarChar(4000), stats.source);
            r.input('destination', sql.NVarChar(4000), stats.destination);
            r.input('rows_sent', sql.BigInt, stats.rows);
            r.input('created_time', sql.DateTimeOffset(7), new Date(m.messageTime));
            r.input('execution_path', sql.NVarChar(sql.MAX), m.executionPath ?? null);
            r.input('guid', sql.UniqueIdentifier, guid);
            return `EXEC internal.append_data_statistics_for_worker @operation_id = @operation_id, @package_name = @package_name, @task_name = @task_name,
  @dataflow_path_id_string = @path_id, @dataflow_path_name = @path_name, @source_component_name = @source,
  @destination_component_name = @destination, @rows_sent = @rows_sent, @created_time = @created_time, @execution_path = @execution_path,
  @event_message_guid = @guid;`;
          }, tx);
        }
        for (const c of m.context ?? []) {
          await this.run(caller, 'internal.append_message_context_for_worker', (r) => {
            r.input('operation_id', sql.BigInt, m.operationId);
            r.input('guid', sql.UniqueIdentifier, guid);
            r.input('depth', sql.Int, c.contextDepth ?? null);
            r.input('package_path', sql.NVarChar(sql.MAX), c.packagePath ?? null);
            r.input('context_type', sql.SmallInt, c.contextType ?? null);
            r.input('source_name', sql.NVarChar(sql.MAX), c.contextSourceName ?? null);
            r.input('source_id', sql.NVarChar(38), c.contextSourceId ?? null);
            r.input('property_name', sql.NVarChar(4000), c.propertyName ?? null);
            const value = variantArgument(r, 'property_value', typeof c.propertyValue === 'boolean' ? (c.propertyValue ? 1 : 0) : c.propertyValue ?? null);
            return `DECLARE @v sql_variant = ${value};
EXEC internal.append_message_context_for_worker @operation_id = @operation_id, @event_message_guid = @guid, @context_depth = @depth,
  @package_path = @package_path, @context_type = @context_type, @context_source_name = @source_name, @context_source_id = @source_id,
  @property_name = @property_name, @property_value = @v;`;
          }, tx);
        }
      }
    });
  }

  async appendExecutableStatistics(caller: Principal, statistics: readonly ExecutableStatisticInput[]): Promise<void> {
    if (!Array.isArray(statistics)) throw catalogError(27100, 'statistics');
    if (!caller.roles.some((r) => r === 'ssis_admin' || r === 'sysadmin' || r === 'ssis_cluster_worker')) throw catalogError(27140, 'ssis_admin, sysadmin, ssis_cluster_worker');
    const checked = statistics.map((s) => {
      const guid = guidParam('statistic_guid', s?.statisticGuid);
      if (!Number.isSafeInteger(s.operationId)) throw catalogError(27103, s.operationId);
      if (![s.startTime, s.endTime].every((t) => typeof t === 'number' && Number.isFinite(t))) throw catalogError(27101, 'start_time');
      return { s, guid };
    });
    if (checked.length === 0) return;
    await this.inTransaction('internal.append_executable_statistics_for_worker', async (tx) => {
      for (const { s, guid } of checked) {
        await this.run(caller, 'internal.append_executable_statistics_for_worker', (r) => {
          r.input('operation_id', sql.BigInt, s.operationId);
          r.input('package_name', sql.NVarChar(260), s.packageName ?? null);
          r.input('executable_name', sql.NVarChar(4000), s.executableName ?? null);
          r.input('executable_guid', sql.NVarChar(38), s.executableGuid ?? null);
          r.input('package_path', sql.NVarChar(sql.MAX), s.packagePath ?? null);
          r.input('execution_path', sql.NVarChar(sql.MAX), s.executionPath ?? null);
          r.input('start_time', sql.DateTimeOffset(7), new Date(s.startTime));
          r.input('end_time', sql.DateTimeOffset(7), new Date(s.endTime));
          r.input('duration', sql.Int, s.executionDuration ?? null);
          r.input('result', sql.SmallInt, s.executionResult ?? null);
          r.input('guid', sql.UniqueIdentifier, guid);
          const value = variantArgument(r, 'value', typeof s.executionValue === 'boolean' ? (s.executionValue ? 1 : 0) : s.executionValue ?? null);
          return `DECLARE @v sql_variant = ${value};
EXEC internal.append_executable_statistics_for_worker @operation_id = @operation_id, @package_name = @package_name,
  @executable_name = @executable_name, @executable_guid = @executable_guid, @package_path = @package_path, @execution_path = @execution_path,
  @start_time = @start_time, @end_time = @end_time, @execution_duration = @duration, @execution_result = @result,
  @execution_value = @v, @statistic_guid = @guid;`;
        }, tx);
      }
    });
  }

  async appendComponentPhases(caller: Principal, phases: readonly ComponentPhaseInput[]): Promise<void> {
    if (!Array.isArray(phases)) throw catalogError(27100, 'phases');
    if (!caller.roles.some((r) => r === 'ssis_admin' || r === 'sysadmin' || r === 'ssis_cluster_worker')) throw catalogError(27140, 'ssis_admin, sysadmin, ssis_cluster_worker');
    const checked = phases.map((p) => {
      const guid = guidParam('phase_guid', p?.phaseGuid);
      if (!Number.isSafeInteger(p.operationId)) throw catalogError(27103, p.operationId);
      if (![p.startTime, p.endTime].every((t) => typeof t === 'number' && Number.isFinite(t))) throw catalogError(27101, 'start_time');
      return { p, guid };
    });
    if (checked.length === 0) return;
    await this.inTransaction('internal.append_execution_component_phases_for_worker', async (tx) => {
      for (const { p, guid } of checked) {
        await this.run(caller, 'internal.append_execution_component_phases_for_worker', (r) => {
          r.input('operation_id', sql.BigInt, p.operationId);
          r.input('package_name', sql.NVarChar(260), p.packageName ?? null);
          r.input('task_name', sql.NVarChar(4000), p.taskName ?? null);
          r.input('subcomponent_name', sql.NVarChar(4000), p.subcomponentName ?? null);
          r.input('phase', sql.NVarChar(128), p.phase ?? null);
          r.input('start_time', sql.DateTimeOffset(7), new Date(p.startTime));
          r.input('end_time', sql.DateTimeOffset(7), new Date(p.endTime));
          r.input('execution_path', sql.NVarChar(sql.MAX), p.executionPath ?? null);
          r.input('guid', sql.UniqueIdentifier, guid);
          return `EXEC internal.append_execution_component_phases_for_worker @operation_id = @operation_id, @package_name = @package_name,
  @task_name = @task_name, @subcomponent_name = @subcomponent_name, @phase = @phase, @start_time = @start_time, @end_time = @end_time,
  @execution_path = @execution_path, @phase_guid = @guid;`;
        }, tx);
      }
    });
  }

  // ---- reads --------------------------------------------------------------------------------

  async getTask(taskId: string): Promise<TaskRecord | null> {
    const m = typeof taskId === 'string' ? GUID_RE.exec(taskId.trim()) : null;
    if (!m) return null;
    const rows = await this.read('SELECT * FROM internal.tasks WHERE TaskId = @id', (r) => r.input('id', sql.UniqueIdentifier, m[1]!));
    return rows[0] === undefined ? null : toTaskRecord(rows[0]);
  }

  async listLiveTasks(): Promise<readonly TaskRecord[]> {
    return (await this.read('SELECT * FROM internal.tasks WHERE Status IN (1, 2, 3) ORDER BY CreatedTime, SequenceNumber')).map(toTaskRecord);
  }

  async getWorkerAgent(workerAgentId: string): Promise<WorkerAgentRecord | null> {
    const m = typeof workerAgentId === 'string' ? GUID_RE.exec(workerAgentId.trim()) : null;
    if (!m) return null;
    const rows = await this.read('SELECT * FROM internal.worker_agents WHERE WorkerAgentId = @id', (r) => r.input('id', sql.UniqueIdentifier, m[1]!));
    return rows[0] === undefined ? null : toWorker(rows[0]);
  }

  async listWorkerAgents(): Promise<readonly WorkerAgentRecord[]> {
    // Ordered as text, as the SQLite catalog (uniqueidentifier order differs).
    return (await this.read('SELECT * FROM internal.worker_agents ORDER BY LOWER(CONVERT(nvarchar(36), WorkerAgentId))')).map(toWorker);
  }

  async getExecutionPayload(executionId: number): Promise<ExecutionPayload> {
    if (typeof executionId !== 'number' || !Number.isSafeInteger(executionId)) throw catalogError(27103, executionId);
    const head = await this.read(`SELECT e.execution_id, e.folder_name, e.project_name, e.package_name, e.project_lsn, e.use32bitruntime,
        o.operation_guid, o.object_id AS project_id, v.sha256
      FROM internal.executions AS e JOIN internal.operations AS o ON o.operation_id = e.execution_id
      LEFT JOIN internal.object_versions AS v ON v.object_version_lsn = e.project_lsn
      WHERE e.execution_id = @id`, (r) => r.input('id', sql.BigInt, executionId));
    const e = head[0];
    if (e === undefined) throw catalogError(27103, executionId);
    // Values travel as text plus base type, so no sql_variant decoding is involved (floats with 17 digits).
    // This is the one place sensitive values are decrypted (internal.sensitive_value / sensitive_text, run
    // AS OWNER with the catalog certificate): the execution is being handed to a worker.
    const valueText = (column: string): string => `CASE WHEN SQL_VARIANT_PROPERTY(${column}, 'BaseType') IN ('float', 'real')
        THEN CONVERT(nvarchar(100), CONVERT(float, ${column}), 3) ELSE CONVERT(nvarchar(4000), ${column}) END`;
    const params = await this.read(`SELECT object_type, parameter_name, parameter_data_type, sensitive,
        ${valueText('v.value')} AS value_text, CONVERT(nvarchar(128), SQL_VARIANT_PROPERTY(v.value, 'BaseType')) AS base,
        CASE WHEN p.sensitive = 1 AND p.sensitive_value_encrypted IS NOT NULL AND v.value IS NULL THEN 1 ELSE 0 END AS undecryptable
      FROM internal.execution_parameter_values AS p
      CROSS APPLY (SELECT CASE WHEN p.sensitive = 1
        THEN internal.sensitive_value(p.parameter_data_type, CONVERT(varbinary(8000), p.sensitive_value_encrypted))
        ELSE p.parameter_value END AS value) AS v
      WHERE execution_id = @id ORDER BY execution_parameter_id`, (r) => r.input('id', sql.BigInt, executionId));
    const overrides = await this.read(`SELECT property_path, property_value,
        internal.sensitive_text(CONVERT(varbinary(8000), sensitive_value_encrypted)) AS sensitive_property_value, sensitive,
        CASE WHEN sensitive_value_encrypted IS NOT NULL THEN 1 ELSE 0 END AS has_secret
      FROM internal.execution_property_override_values WHERE execution_id = @id ORDER BY property_id`, (r) => r.input('id', sql.BigInt, executionId));
    const taps = await this.read(`SELECT data_tap_id, package_path, CONVERT(nvarchar(36), dataflow_task_guid) AS task_guid, dataflow_path_id_string, max_rows, filename
      FROM internal.execution_data_taps WHERE execution_id = @id ORDER BY data_tap_id`, (r) => r.input('id', sql.BigInt, executionId));
    const bool = (v: unknown): boolean => v === true || v === 1;
    // DECRYPTBYKEYAUTOCERT returns NULL, not an error, when it cannot decrypt (the database master key not
    // open on this instance, a damaged ciphertext): refuse as the embedded catalog's cipher does rather
    // than hand the worker a NULL for a sensitive value.
    const lost = params.find((p) => bool(p['undecryptable']))
      ?? overrides.find((p) => bool(p['sensitive']) && bool(p['has_secret']) && (p['sensitive_property_value'] === null || p['sensitive_property_value'] === undefined));
    if (lost !== undefined) {
      const what = lost['parameter_name'] !== undefined ? `parameter '${String(lost['parameter_name'])}'` : 'property override';
      const where = `execution ${executionId} ${what}`;
      throw new SsoError('SSO_ERR_CATALOG_IO', `A sensitive value in ${where} cannot be decrypted (DECRYPTBYKEYAUTOCERT returned NULL: is the database master key open on this instance?)`, { where });
    }
    return {
      executionId,
      operationGuid: String(e['operation_guid']).toLowerCase(),
      folderName: String(e['folder_name']),
      projectName: String(e['project_name']),
      projectId: num(e['project_id']),
      projectVersionLsn: num(e['project_lsn']),
      projectSha256: String(e['sha256'] ?? '').trim(),
      packageName: String(e['package_name']),
      use32BitRuntime: bool(e['use32bitruntime']),
      parameters: params.map((p) => {
        const dataType = String(p['parameter_data_type']);
        return {
          objectType: num(p['object_type']) as 20 | 30 | 50,
          name: String(p['parameter_name']),
          dataType,
          value: loadValue(dataType, p['value_text'], p['base']),
          sensitive: bool(p['sensitive']),
        };
      }),
      propertyOverrides: overrides.map((p) => ({
        propertyPath: String(p['property_path']),
        value: String((bool(p['sensitive']) ? p['sensitive_property_value'] : p['property_value']) ?? ''),
        sensitive: bool(p['sensitive']),
      })),
      dataTaps: taps.map((t): DataTapSpec => ({
        dataTapId: num(t['data_tap_id']),
        taskPackagePath: t['package_path'] === null ? null : String(t['package_path']),
        dataflowTaskGuid: t['task_guid'] === null ? null : String(t['task_guid']).toLowerCase(),
        dataflowPathIdString: String(t['dataflow_path_id_string']),
        dataFilename: String(t['filename']),
        maxRows: t['max_rows'] === null ? null : num(t['max_rows']),
      })),
    };
  }

  async getOperationStatus(operationId: number): Promise<number | null> {
    if (typeof operationId !== 'number' || !Number.isSafeInteger(operationId)) return null;
    const rows = await this.read('SELECT status FROM internal.operations WHERE operation_id = @id', (r) => r.input('id', sql.BigInt, operationId));
    return rows[0] === undefined ? null : num(rows[0]['status']);
  }

  /**
   * @@DBTS (the database's last rowversion: moves on every insert/update of operations, jobs, tasks,
   * worker agents and properties, all of which carry a rowversion) plus the row counts of those
   * tables (which catch deletes). It also moves on this adapter's own writes; a spurious change only
   * costs the master one reload.
   */
  async externalChangeToken(): Promise<string> {
    const rows = await this.read(`SELECT CONVERT(varchar(20), CONVERT(bigint, @@DBTS)) + ':' +
        CONVERT(varchar(20), (SELECT COUNT_BIG(*) FROM internal.tasks)) + ':' +
        CONVERT(varchar(20), (SELECT COUNT_BIG(*) FROM internal.worker_agents)) + ':' +
        CONVERT(varchar(20), (SELECT COUNT_BIG(*) FROM internal.operations)) + ':' +
        CONVERT(varchar(20), (SELECT COUNT_BIG(*) FROM internal.jobs)) AS token`);
    return String(rows[0]?.['token'] ?? '');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.close();
  }
}

/** The mssql config from whichever form the options give (config, connection string, SqlServerName). */
export function resolveMssqlConfig(options: OpenMssqlCatalogOptions): sql.config {
  if (options.config !== undefined) return options.config;
  if (typeof options.connectionString === 'string') {
    const config = mssqlConfigFromConnectionString(options.connectionString);
    if (options.connectionTimeoutMs !== undefined) config.connectionTimeout = options.connectionTimeoutMs;
    return config;
  }
  if (typeof options.server === 'string' && options.server.trim() !== '') {
    return mssqlConfigFromMasterSettings({ server: options.server, ...(options.connectionTimeoutMs === undefined ? {} : { connectionTimeoutMs: options.connectionTimeoutMs }), ...(options.env === undefined ? {} : { env: options.env }) });
  }
  throw new SsoError('SSO_ERR_CONFIG_INVALID', 'openMssqlCatalog needs `connectionString`, `config` or `server` (SqlServerName)', { where: 'openMssqlCatalog' });
}

/**
 * Connects to SQL Server and checks that a catalog is installed (`scaleout catalog install`);
 * refuses a database without one, or one newer than this build, with an error that says what to run.
 */
export async function openMssqlCatalog(options: OpenMssqlCatalogOptions): Promise<MssqlCatalogStore> {
  const config = resolveMssqlConfig(options);
  const pool = new sql.ConnectionPool(config);
  try {
    await pool.connect();
  } catch (error) {
    await pool.close().catch(() => undefined);
    throw new SsoError('SSO_ERR_CATALOG_IO', `Cannot connect to SQL Server ${config.server}${config.port ? `,${config.port}` : ''} (database ${config.database ?? 'SSISDB'}): ${(error as Error).message}`, { where: String(config.server), cause: error });
  }
  let version: number | null = null;
  try {
    const r = await pool.request().query<{ version: number | null }>(`SELECT CASE WHEN OBJECT_ID(N'internal.schema_version', N'U') IS NULL THEN NULL
      ELSE (SELECT MAX(version) FROM internal.schema_version) END AS version`);
    version = r.recordset[0]?.version ?? null;
  } catch (error) {
    await pool.close().catch(() => undefined);
    throw mapMssqlError(error, 'internal.schema_version');
  }
  const { SQLSERVER_SCHEMA_VERSION } = await import('./sqlserver-scripts.ts');
  if (version === null || version < SQLSERVER_SCHEMA_VERSION || version > SQLSERVER_SCHEMA_VERSION) {
    await pool.close().catch(() => undefined);
    const what = version === null ? 'has no catalog: run `scaleout catalog install --connection "…"`'
      : version < SQLSERVER_SCHEMA_VERSION ? `has catalog schema version ${version}; run \`scaleout catalog upgrade --connection "…"\` (this build needs ${SQLSERVER_SCHEMA_VERSION})`
        : `has catalog schema version ${version}, newer than this build's ${SQLSERVER_SCHEMA_VERSION}: use a newer scaleout`;
    throw new SsoError('SSO_ERR_CATALOG_IO', `Database '${config.database ?? 'SSISDB'}' on ${config.server} ${what}`, { where: 'internal.schema_version' });
  }
  return new MssqlCatalog(pool, version, options);
}
