/**
 * The SQL Server target of the T-SQL script suite (SCALEOUT_TEST_MSSQL): a scratch SSISDB created on the
 * server, the catalog installed from catalog-sql/sqlserver/, emptied and seeded like the embedded one
 * before every script (through the mssql CatalogStore adapter), each script run by `scaleout sql -S
 * "<connection string>"`, and the database dropped at the end. Known divergences are listed with reasons.
 */
import sql from 'mssql';
import { PassThrough, Writable } from 'node:stream';
import { main } from '../../runtime/cli/main.ts';
import { mssqlConfigFromConnectionString } from '../../runtime/catalog/mssql-connection.ts';
import { ensureDatabase, installCatalog } from '../../runtime/catalog/mssql-install.ts';
import { openMssqlCatalog } from '../../runtime/catalog/mssql-catalog-store.ts';
import { loadSqlServerScripts, splitGoBatches } from '../../runtime/catalog/sqlserver-scripts.ts';
import type { ScriptTarget } from './script-suite.ts';
import { ADMIN_PASSWORD, FIXTURES_DIR, seedStore } from './seed-catalog.ts';

/**
 * The scripts name `[SSISDB]` (three-part names, `USE SSISDB`), so the scratch database must be called
 * SSISDB. One this suite did not create is never touched: its `internal.schema_version.build` marks ours.
 */
const DATABASE = 'SSISDB';
const PARITY_BUILD = 'scaleout-tsql-parity-suite';

const THROW_ENDS_BATCH = 'the SQL Server catalog raises catalog errors with THROW (internal.raise_catalog_error), which ends the batch; SSISDB and the embedded catalog end only the statement (return status 1), so what follows the first catalog error differs';

/**
 * Scripts whose output is known to differ on SQL Server, and why. They are reported skipped on this
 * target (never compared); remove an entry once the difference is gone.
 */
export const SQLSERVER_DIVERGENCES: Readonly<Record<string, string>> = {
  'err-911-use.sql': '`USE master` succeeds on SQL Server; the embedded catalog holds only SSISDB and refuses it with 911',
  'expressions.sql': '@@VERSION is the server\'s, SUSER_NAME() is the SQL login (the catalog login is asserted to the catalog functions only), and tedious returns datetimeoffset without its offset',
  'view-row-filter.sql': 'SUSER_NAME() is the SQL login of the connection string, not the catalog login asserted through SESSION_CONTEXT',
  'proc-deploy-project.sql': '@project_path is read from the client\'s disk by the embedded front door; on SQL Server catalog.deploy_project cannot read files (27404 names `scaleout deploy`)',
  'err-catalog-errors.sql': THROW_ENDS_BATCH,
  'proc-add-execution-worker.sql': THROW_ENDS_BATCH,
  'proc-configure-catalog.sql': THROW_ENDS_BATCH,
  'proc-create-folder.sql': THROW_ENDS_BATCH,
  'proc-set-execution-parameter-value.sql': THROW_ENDS_BATCH,
  'proc-start-execution.sql': THROW_ENDS_BATCH,
};

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += String(chunk);
    done();
  }
}

/** `connectionString` with its Database / Initial Catalog replaced by `database`. */
export function withDatabase(connectionString: string, database: string): string {
  return `${connectionString.replace(/;?\s*(Database|Initial Catalog)\s*=[^;]*/gi, '').replace(/;\s*$/, '')};Database=${database}`;
}

/**
 * Empties every data table of the catalog (constraints off meanwhile), restarts identities so ids begin
 * at 1 again as in a new catalog, and re-runs the seed scripts (properties). Schema tables stay.
 */
export const RESET_CATALOG_SQL = `SET NOCOUNT ON;
DECLARE @tables TABLE (name nvarchar(300) NOT NULL);
INSERT INTO @tables (name)
SELECT QUOTENAME(s.name) + N'.' + QUOTENAME(t.name) FROM sys.tables AS t JOIN sys.schemas AS s ON s.schema_id = t.schema_id
WHERE s.name = N'internal' AND t.name NOT IN (N'schema_version', N'schema_scripts', N'catalog_error_messages');
DECLARE @sql nvarchar(max) = N'';
SELECT @sql += N'ALTER TABLE ' + name + N' NOCHECK CONSTRAINT ALL; ' FROM @tables;
EXEC (@sql);
SET @sql = N'';
SELECT @sql += N'DELETE FROM ' + name + N'; ' FROM @tables;
EXEC (@sql);
SET @sql = N'';
SELECT @sql += N'DBCC CHECKIDENT (''' + QUOTENAME(s.name) + N'.' + QUOTENAME(t.name) + N''', RESEED, '
  + CONVERT(nvarchar(40), CONVERT(bigint, ic.seed_value) - CONVERT(bigint, ic.increment_value)) + N') WITH NO_INFOMSGS; '
FROM sys.identity_columns AS ic JOIN sys.tables AS t ON t.object_id = ic.object_id JOIN sys.schemas AS s ON s.schema_id = t.schema_id
WHERE s.name = N'internal' AND ic.last_value IS NOT NULL AND t.name NOT IN (N'schema_version', N'schema_scripts', N'catalog_error_messages');
EXEC (@sql);
SET @sql = N'';
SELECT @sql += N'ALTER TABLE ' + name + N' WITH CHECK CHECK CONSTRAINT ALL; ' FROM @tables;
EXEC (@sql);`;

export function sqlServerTarget(connectionString: string): ScriptTarget {
  const base = mssqlConfigFromConnectionString(connectionString);
  const config: sql.config = { ...base, database: DATABASE };
  const catalogConnection = withDatabase(connectionString, DATABASE);
  let admin: sql.ConnectionPool | undefined;
  /** Set once the SSISDB on the server is known to be this suite's (created or left by it): only then is it dropped. */
  let owned = false;
  let ready: Promise<sql.ConnectionPool> | undefined;

  const onMaster = async <T>(fn: (pool: sql.ConnectionPool) => Promise<T>): Promise<T> => {
    const master = new sql.ConnectionPool({ ...base, database: 'master' });
    await master.connect();
    try {
      return await fn(master);
    } finally {
      await master.close().catch(() => undefined);
    }
  };
  const drop = (pool: sql.ConnectionPool) => pool.request().batch(`IF DB_ID(N'${DATABASE}') IS NOT NULL
BEGIN
  ALTER DATABASE [${DATABASE}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE;
  DROP DATABASE [${DATABASE}];
END`);

  /** Creates and installs the scratch SSISDB (dropping one left by an interrupted run of this suite). */
  const setUp = async (): Promise<sql.ConnectionPool> => {
    await onMaster(async (master) => {
      const exists = await master.request().query<{ id: number | null }>(`SELECT DB_ID(N'${DATABASE}') AS id`);
      if (exists.recordset[0]?.id !== null && exists.recordset[0]?.id !== undefined) {
        // Separate batches: a name that does not exist would fail the statement that names it.
        const table = await master.request().query<{ id: number | null }>(`SELECT OBJECT_ID(N'${DATABASE}.internal.schema_version', N'U') AS id`);
        const hasTable = table.recordset[0]?.id !== null && table.recordset[0]?.id !== undefined;
        const found = hasTable
          ? await master.request().query<{ build: string | null }>(`SELECT TOP (1) build FROM [${DATABASE}].internal.schema_version ORDER BY version`)
          : { recordset: [] as { build: string | null }[] };
        const build = found.recordset[0]?.build ?? null;
        if (build !== PARITY_BUILD) {
          throw new Error(`The server already has a database '${DATABASE}' that this suite did not create (build ${build ?? 'none'}); the parity suite needs its own ${DATABASE} and will not touch that one: use a server without ${DATABASE}`);
        }
        await drop(master);
      }
    });
    owned = true;
    await ensureDatabase(config);
    const pool = new sql.ConnectionPool(config);
    await pool.connect();
    admin = pool;
    await installCatalog(pool, { mode: 'install', build: PARITY_BUILD });
    return pool;
  };

  const resetAndSeed = async (pool: sql.ConnectionPool): Promise<void> => {
    await pool.request().batch(RESET_CATALOG_SQL);
    for (const script of loadSqlServerScripts().filter((s) => s.kind === 'seed')) {
      for (const batch of splitGoBatches(script.text, script.name)) await pool.request().batch(batch.text);
    }
    const store = await openMssqlCatalog({ config });
    try {
      await seedStore(store);
    } finally {
      await store.close();
    }
  };

  return {
    name: 'SQL Server',
    compareOnly: true,
    skip: (file) => SQLSERVER_DIVERGENCES[file],
    async runScript(file, extraArgs) {
      ready ??= setUp();
      await resetAndSeed(await ready);
      // The embedded target logs in as admin through the data folder's admin-password; here the same
      // catalog login is given explicitly unless the script names its own.
      const login = extraArgs.includes('-U') ? [] : ['-U', 'admin', '-P', ADMIN_PASSWORD];
      const stdout = new Capture();
      const stderr = new Capture();
      const exitCode = await main(['sql', '-S', catalogConnection, ...login, ...extraArgs, '-i', file], {
        stdout, stderr, stdin: new PassThrough(), env: {}, cwd: FIXTURES_DIR,
      });
      return { output: stdout.text + stderr.text, exitCode };
    },
    async close() {
      if (ready === undefined) return;
      await ready.catch(() => undefined);
      await admin?.close().catch(() => undefined);
      if (owned) await onMaster(drop);
    },
  };
}
