/**
 * The SQL Server catalog against a real server, run only when SCALEOUT_TEST_MSSQL holds a connection
 * string (see runtime/catalog/README-sqlserver.md); otherwise every part is reported skipped. Uses a
 * throw-away database `scaleout_test_<random>` (dropped at the end): install twice, upgrade, the whole
 * CatalogStore conformance suite, and two adapters claiming from one queue at once.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import sql from 'mssql';
import { reportSkip } from '../helpers/skip.ts';
import { catalogStoreConformance, type ConformanceClock } from '../conformance/catalog-store.suite.ts';
import { environmentsConformance } from '../conformance/environments.suite.ts';
import { RESET_CATALOG_SQL } from '../tsql/sqlserver-target.ts';

import { SYSTEM_PRINCIPAL, type CatalogStore } from '../../actors/ports.ts';
import { mssqlConfigFromConnectionString } from '../../runtime/catalog/mssql-connection.ts';
import { catalogStatus, ensureDatabase, installCatalog } from '../../runtime/catalog/mssql-install.ts';
import { openMssqlCatalog } from '../../runtime/catalog/mssql-catalog-store.ts';
import { loadSqlServerScripts, SQLSERVER_SCHEMA_VERSION } from '../../runtime/catalog/sqlserver-scripts.ts';
import { readProjectFolder } from '../../executor/package/project-archive.ts';
import { main } from '../../runtime/cli/main.ts';

const target = process.env['SCALEOUT_TEST_MSSQL'];

if (target === undefined || target.trim() === '') {
  for (const what of ['mssql: scaleout catalog install (twice) and upgrade', 'mssql: CatalogStore conformance suite',
    'mssql: environments, references, server values and object permissions conformance (issue 14)', 'mssql: two adapters claiming from one catalog']) {
    reportSkip(what, 'SCALEOUT_TEST_MSSQL is not set (a SQL Server connection string; see runtime/catalog/README-sqlserver.md)');
  }
} else {
  const database = `scaleout_test_${randomBytes(4).toString('hex')}`;
  const base = mssqlConfigFromConnectionString(target);
  const config: sql.config = { ...base, database };
  const connectionString = `${target.replace(/;?\s*(Database|Initial Catalog)\s*=[^;]*/gi, '')};Database=${database}`;
  let admin: sql.ConnectionPool | undefined;
  let installed: Promise<void> | undefined;

  const adminPool = async (): Promise<sql.ConnectionPool> => {
    if (admin === undefined) {
      admin = new sql.ConnectionPool(config);
      await admin.connect();
    }
    return admin;
  };
  const install = (): Promise<void> => (installed ??= (async () => {
    await ensureDatabase(config);
    await installCatalog(await adminPool(), { mode: 'install', build: 'test' });
  })());

  /**
   * Empties every data table (environments, variables, references and object permissions included),
   * restarts identities so ids begin at 1 as in a new catalog (the environments suite finds principal
   * ids by probing from 1), and re-seeds the properties: a fresh catalog without re-creating the database.
   */
  const reset = async (): Promise<void> => {
    await install();
    const pool = await adminPool();
    await pool.request().batch(RESET_CATALOG_SQL);
    for (const seed of loadSqlServerScripts().filter((s) => s.kind === 'seed')) await pool.request().batch(seed.text);
  };

  const dropDatabase = async (): Promise<void> => {
    await admin?.close().catch(() => undefined);
    const master = new sql.ConnectionPool({ ...base, database: 'master' });
    try {
      await master.connect();
      await master.request().batch(`IF DB_ID(N'${database}') IS NOT NULL
BEGIN
  ALTER DATABASE [${database}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE;
  DROP DATABASE [${database}];
END`);
    } finally {
      await master.close().catch(() => undefined);
    }
  };

  // ---- install / upgrade ----------------------------------------------------------------------
  const setup = suite('mssql: scaleout catalog install and upgrade');

  const runCli = async (argv: string[]): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    const sink = (f: (s: string) => void) => new Writable({ write(c, _e, cb) { f(String(c)); cb(); } });
    const code = await main(argv, { stdout: sink((s) => { out += s; }), stderr: sink((s) => { err += s; }), stdin: Readable.from([]), env: {}, cwd: process.cwd() });
    return { code, out, err };
  };

  setup('install creates the database and the catalog; a second install is idempotent; status is clean', async () => {
    const first = await runCli(['catalog', 'install', '--connection', connectionString, '--create-database', '--quiet']);
    assert.is(first.code, 0, first.err);
    assert.match(first.out, new RegExp(`Installed the catalog in '.+' to schema version ${SQLSERVER_SCHEMA_VERSION} \\(new catalog\\)`));
    const second = await runCli(['catalog', 'install', '--connection', connectionString, '--quiet']);
    assert.is(second.code, 0, second.err);
    assert.match(second.out, new RegExp(`from version ${SQLSERVER_SCHEMA_VERSION}`));
    const status = await runCli(['catalog', 'status', '--connection', connectionString]);
    assert.is(status.code, 0, status.out + status.err);
    assert.match(status.out, /Pending scripts:\s+0/);
    installed = Promise.resolve();
  });

  setup('upgrade applies only what is new or changed, and refuses a database without a catalog', async () => {
    const pool = await adminPool();
    await pool.request().batch("DELETE FROM internal.schema_scripts WHERE script_name = N'0600_procedure.internal.pull_task.sql'; UPDATE internal.schema_scripts SET sha256 = REPLICATE('0', 64) WHERE script_name = N'0702_procedure.catalog.create_execution.sql';");
    const before = await catalogStatus(pool);
    assert.equal([before.pending, before.changed], [['0600_procedure.internal.pull_task.sql'], ['0702_procedure.catalog.create_execution.sql']]);
    const report = await installCatalog(pool, { mode: 'upgrade', build: 'test' });
    assert.equal(report.applied, ['0600_procedure.internal.pull_task.sql', '0702_procedure.catalog.create_execution.sql']);
    const after = await catalogStatus(pool);
    assert.equal([after.pending, after.changed, after.installedVersion], [[], [], SQLSERVER_SCHEMA_VERSION]);
    const empty = `scaleout_test_empty_${randomBytes(3).toString('hex')}`;
    await ensureDatabase({ ...base, database: empty });
    const other = new sql.ConnectionPool({ ...base, database: empty });
    try {
      await other.connect();
      await installCatalog(other, { mode: 'upgrade', build: 'test' }).then(() => assert.unreachable('no catalog'), (e: Error) => assert.match(e.message, /run `scaleout catalog install` first/));
    } finally {
      await other.close();
      const master = new sql.ConnectionPool({ ...base, database: 'master' });
      await master.connect();
      await master.request().batch(`DROP DATABASE [${empty}]`);
      await master.close();
    }
  });

  setup.run();

  // ---- the conformance suite --------------------------------------------------------------------
  let t = Date.parse('2024-01-01T00:00:00.000Z');
  const clock: ConformanceClock = { now: () => t, advance: (ms) => { t += ms; } };
  catalogStoreConformance('mssql', async () => {
    await reset();
    return openMssqlCatalog({ connectionString, clock });
  }, { clock });
  environmentsConformance('mssql', async () => {
    await reset();
    return openMssqlCatalog({ connectionString, clock });
  });

  // ---- concurrent claims ------------------------------------------------------------------------
  const claims = suite('mssql: two adapters claiming from one catalog');
  claims('two stores pulling concurrently never get the same task, and together get all of them', async () => {
    await reset();
    const W1 = '64c020e2-f819-4c2d-a22f-efb31a91e70a';
    const W2 = '0b8f3c1e-2d4a-4e5f-9a6b-7c8d9e0f1a2b';
    const a: CatalogStore = await openMssqlCatalog({ connectionString });
    const b: CatalogStore = await openMssqlCatalog({ connectionString });
    try {
      const S = SYSTEM_PRINCIPAL;
      await a.createFolder(S, { folderName: 'F' });
      const project = await readProjectFolder(fileURLToPath(new URL('../fixtures/projects/tiny', import.meta.url)));
      await a.deployProject(S, { folderName: 'F', projectName: 'tiny', project });
      for (const w of [W1, W2]) {
        await a.updateWorkerAgentStatus(S, { workerAgentId: w, perfCounters: [], machineProperties: {} });
        await a.enableWorkerAgent(S, { workerAgentId: w });
      }
      const N = 40;
      for (let i = 0; i < N; i++) {
        const { executionId } = await a.createExecution(S, { folderName: 'F', projectName: 'tiny', packageName: 'Load Data.dtsx', runInScaleOut: true });
        await a.setExecutionParameterValue(S, { executionId, objectType: 30, parameterName: 'BatchSize', parameterValue: 1 });
        await a.setExecutionParameterValue(S, { executionId, objectType: 20, parameterName: 'RunDate', parameterValue: '2024-03-01T00:00:00' });
        await a.startExecution(S, { executionId });
      }
      const drain = async (store: CatalogStore, worker: string): Promise<string[]> => {
        const got: string[] = [];
        for (;;) {
          const task = await store.pullTask(S, { workerAgentId: worker, leaseMs: 60000 });
          if (task === null) return got;
          got.push(task.taskId);
        }
      };
      const results = await Promise.all([drain(a, W1), drain(b, W2), drain(a, W2), drain(b, W1)]);
      const all = results.flat();
      assert.is(new Set(all).size, all.length, 'a task was claimed twice');
      assert.is(all.length, N);
    } finally {
      await a.close();
      await b.close();
    }
  });
  claims.after(dropDatabase);
  claims.run();
}
