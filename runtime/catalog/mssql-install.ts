/**
 * Installs and upgrades the SQL Server catalog from `catalog-sql/sqlserver/`: every script's batches
 * (split on GO) run in ONE transaction under an application lock, so an install is wholly applied or
 * not at all and two installers never interleave; the applied scripts (with their hashes) and the
 * schema version are recorded in the same transaction. Scripts are idempotent, so install may rerun.
 */
import sql from 'mssql';
import { SsoError } from '../../actors/errors.ts';
import { loadSqlServerScripts, splitGoBatches, SQLSERVER_SCHEMA_VERSION, type SqlServerScript } from './sqlserver-scripts.ts';
import { sqlErrorInfo } from './mssql-errors.ts';

/** Oldest engine the scripts use features of: CREATE OR ALTER (2016 SP1), STRING_AGG (2017). */
export const MIN_PRODUCT_MAJOR_VERSION = 14;
/** OPENJSON and STRING_SPLIT need database compatibility level 130 or more. */
export const MIN_COMPATIBILITY_LEVEL = 130;
const INSTALL_LOCK = 'scaleout_catalog_install';

export interface InstallOptions {
  /** 'install' applies every script; 'upgrade' only scripts new or changed since the last run. */
  readonly mode: 'install' | 'upgrade';
  /** Recorded in internal.schema_version.build. */
  readonly build: string;
  /** Defaults to the scripts shipped in catalog-sql/sqlserver/. */
  readonly scripts?: readonly SqlServerScript[];
  /** Called before each script runs (progress output). */
  readonly onScript?: (script: SqlServerScript) => void;
}

export interface InstallReport {
  readonly database: string;
  readonly version: number;
  readonly previousVersion: number | null;
  readonly applied: readonly string[];
  readonly unchanged: number;
}

export interface CatalogStatus {
  readonly database: string;
  readonly productVersion: string;
  readonly compatibilityLevel: number;
  /** null: no catalog installed in this database. */
  readonly installedVersion: number | null;
  readonly installedBuild: string | null;
  readonly installedTime: Date | null;
  readonly shippedVersion: number;
  /** Scripts never applied here. */
  readonly pending: readonly string[];
  /** Scripts applied with another text than the one shipped. */
  readonly changed: readonly string[];
}

function ioError(message: string, where: string, cause?: unknown): SsoError {
  return new SsoError('SSO_ERR_CATALOG_IO', message, { where, ...(cause === undefined ? {} : { cause }) });
}

interface ServerFacts {
  readonly database: string;
  readonly productVersion: string;
  readonly major: number;
  readonly compatibilityLevel: number;
  readonly installedVersion: number | null;
  readonly installedBuild: string | null;
  readonly installedTime: Date | null;
  readonly recorded: ReadonlyMap<string, string>;
}

async function serverFacts(request: () => sql.Request): Promise<ServerFacts> {
  const facts = await request().query<{ db: string; product: string; major: number | null; compat: number }>(`
    SELECT DB_NAME() AS db, CONVERT(nvarchar(128), SERVERPROPERTY('ProductVersion')) AS product,
           TRY_CONVERT(int, SERVERPROPERTY('ProductMajorVersion')) AS major,
           (SELECT compatibility_level FROM sys.databases WHERE database_id = DB_ID()) AS compat`);
  const f = facts.recordset[0]!;
  const major = f.major ?? Number(String(f.product).split('.')[0]);
  let installedVersion: number | null = null;
  let installedBuild: string | null = null;
  let installedTime: Date | null = null;
  const recorded = new Map<string, string>();
  const v = await request().query<{ version: number; build: string; applied_time: Date }>(`
    IF OBJECT_ID(N'internal.schema_version', N'U') IS NOT NULL
      SELECT TOP (1) version, build, applied_time FROM internal.schema_version ORDER BY version DESC;
    ELSE SELECT CONVERT(int, NULL) AS version, CONVERT(nvarchar(64), NULL) AS build, CONVERT(datetimeoffset(7), NULL) AS applied_time WHERE 1 = 0;`);
  const row = v.recordset[0];
  if (row !== undefined) {
    installedVersion = row.version;
    installedBuild = row.build;
    installedTime = row.applied_time;
  }
  const s = await request().query<{ script_name: string; sha256: string }>(`
    IF OBJECT_ID(N'internal.schema_scripts', N'U') IS NOT NULL SELECT script_name, sha256 FROM internal.schema_scripts;
    ELSE SELECT CONVERT(nvarchar(260), NULL) AS script_name, CONVERT(char(64), NULL) AS sha256 WHERE 1 = 0;`);
  for (const r of s.recordset) recorded.set(r.script_name, r.sha256.trim());
  return { database: f.db, productVersion: f.product, major, compatibilityLevel: f.compat, installedVersion, installedBuild, installedTime, recorded };
}

/** What `scaleout catalog status` prints: installed version, shipped version, pending and changed scripts. */
export async function catalogStatus(pool: sql.ConnectionPool, scripts: readonly SqlServerScript[] = loadSqlServerScripts()): Promise<CatalogStatus> {
  const f = await serverFacts(() => pool.request());
  return {
    database: f.database,
    productVersion: f.productVersion,
    compatibilityLevel: f.compatibilityLevel,
    installedVersion: f.installedVersion,
    installedBuild: f.installedBuild,
    installedTime: f.installedTime,
    shippedVersion: SQLSERVER_SCHEMA_VERSION,
    pending: scripts.filter((s) => !f.recorded.has(s.name)).map((s) => s.name),
    changed: scripts.filter((s) => f.recorded.has(s.name) && f.recorded.get(s.name) !== s.sha256).map((s) => s.name),
  };
}

/**
 * Applies the scripts in one transaction. Refuses an engine older than SQL Server 2017, a database
 * below compatibility level 130, a catalog newer than this build, and (upgrade) a database with no
 * catalog yet. A failing batch rolls everything back and is named with its script and line.
 */
export async function installCatalog(pool: sql.ConnectionPool, options: InstallOptions): Promise<InstallReport> {
  const scripts = options.scripts ?? loadSqlServerScripts();
  const tx = new sql.Transaction(pool);
  await tx.begin();
  let done = false;
  try {
    const request = (): sql.Request => new sql.Request(tx);
    await request().batch('SET XACT_ABORT ON;');
    const lock = await request().query<{ rc: number }>(`DECLARE @rc int;
      EXEC @rc = sys.sp_getapplock @Resource = N'${INSTALL_LOCK}', @LockMode = N'Exclusive', @LockOwner = N'Transaction', @LockTimeout = 60000;
      SELECT @rc AS rc;`);
    if ((lock.recordset[0]?.rc ?? -1) < 0) throw ioError('Another `scaleout catalog install/upgrade` holds the catalog install lock; try again when it has finished', INSTALL_LOCK);
    const f = await serverFacts(request);
    if (f.major < MIN_PRODUCT_MAJOR_VERSION) {
      throw ioError(`SQL Server ${f.productVersion} is too old for the catalog: it needs SQL Server 2017 (14.x) or later`, 'ProductVersion');
    }
    if (f.compatibilityLevel < MIN_COMPATIBILITY_LEVEL) {
      throw ioError(`Database '${f.database}' has compatibility level ${f.compatibilityLevel}; the catalog needs ${MIN_COMPATIBILITY_LEVEL} or more (ALTER DATABASE [${f.database}] SET COMPATIBILITY_LEVEL = 140)`, f.database);
    }
    if (f.installedVersion !== null && f.installedVersion > SQLSERVER_SCHEMA_VERSION) {
      throw ioError(`The catalog in '${f.database}' has schema version ${f.installedVersion}, newer than this build's ${SQLSERVER_SCHEMA_VERSION}: use a newer scaleout`, 'internal.schema_version');
    }
    if (options.mode === 'upgrade' && f.installedVersion === null) {
      throw ioError(`There is no catalog in '${f.database}' to upgrade: run \`scaleout catalog install\` first`, 'internal.schema_version');
    }
    const todo = options.mode === 'install' ? scripts : scripts.filter((s) => f.recorded.get(s.name) !== s.sha256);
    for (const script of todo) {
      options.onScript?.(script);
      for (const batch of splitGoBatches(script.text, script.name)) {
        try {
          await request().batch(batch.text);
        } catch (error) {
          const { number, message } = sqlErrorInfo(error);
          const lineNumber = (error as { lineNumber?: unknown }).lineNumber;
          const line = typeof lineNumber === 'number' ? batch.line + lineNumber - 1 : batch.line;
          throw ioError(`catalog-sql/sqlserver/${script.name}:${line}: ${number === undefined ? '' : `SQL error ${number}: `}${message}`, `${script.name}:${line}`, error);
        }
      }
    }
    for (const script of todo) {
      const r = request();
      r.input('name', sql.NVarChar(260), script.name);
      r.input('sha', sql.Char(64), script.sha256);
      r.input('version', sql.Int, SQLSERVER_SCHEMA_VERSION);
      await r.query(`MERGE internal.schema_scripts AS t
        USING (SELECT @name AS script_name) AS s ON t.script_name = s.script_name
        WHEN MATCHED THEN UPDATE SET sha256 = @sha, version = @version, applied_time = internal.now_utc()
        WHEN NOT MATCHED THEN INSERT (script_name, sha256, version, applied_time) VALUES (@name, @sha, @version, internal.now_utc());`);
    }
    const v = request();
    v.input('version', sql.Int, SQLSERVER_SCHEMA_VERSION);
    v.input('build', sql.NVarChar(64), options.build);
    await v.query(`IF NOT EXISTS (SELECT 1 FROM internal.schema_version WHERE version = @version)
      INSERT INTO internal.schema_version (version, build, applied_time, applied_by) VALUES (@version, @build, internal.now_utc(), ORIGINAL_LOGIN());`);
    await tx.commit();
    done = true;
    return { database: f.database, version: SQLSERVER_SCHEMA_VERSION, previousVersion: f.installedVersion, applied: todo.map((s) => s.name), unchanged: scripts.length - todo.length };
  } finally {
    if (!done) await tx.rollback().catch(() => undefined);
  }
}

/**
 * Creates the catalog database when it does not exist (`--create-database`). CREATE DATABASE cannot
 * run in a transaction, so this happens before the install, over a connection to `master`.
 */
export async function ensureDatabase(config: sql.config): Promise<{ created: boolean; database: string }> {
  const database = config.database ?? 'SSISDB';
  if (!/^[\p{L}_][\p{L}\p{N}_@$#]{0,127}$/u.test(database)) {
    throw new SsoError('SSO_ERR_CONFIG_INVALID', `Database name '${database}' cannot be created here: use letters, digits and _ (or create it yourself)`, { where: 'Database' });
  }
  const pool = new sql.ConnectionPool({ ...config, database: 'master' });
  try {
    await pool.connect();
    const r = pool.request();
    r.input('db', sql.NVarChar(128), database);
    const exists = await r.query<{ id: number | null }>('SELECT DB_ID(@db) AS id');
    if (exists.recordset[0]?.id !== null && exists.recordset[0]?.id !== undefined) return { created: false, database };
    await pool.request().batch(`CREATE DATABASE [${database}]`);
    return { created: true, database };
  } catch (error) {
    if (SsoError.is(error)) throw error;
    const { number, message } = sqlErrorInfo(error);
    throw ioError(`Cannot create database '${database}': ${number === undefined ? '' : `SQL error ${number}: `}${message}`, 'Database', error);
  } finally {
    await pool.close().catch(() => undefined);
  }
}
