/**
 * Execute SQL Task end to end through runPackage, on every result-set mode, parameter direction and
 * statement source, against SQLite (a temp file, always), and against SQL Server when
 * SCALEOUT_TEST_MSSQL holds an ADO.NET connection string (`Data Source=host,1433;User ID=sa;
 * Password=…;Initial Catalog=tempdb;TrustServerCertificate=True`) and PostgreSQL when SCALEOUT_TEST_PG
 * holds a `postgres://` URL or an Npgsql string (else a throwaway local cluster when Debian's postgresql is installed). The package's own connection string (Windows
 * authentication, as real packages carry) is replaced by a property override each time.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureText, lastAssigned, runFixture, runParts } from './run-helpers.ts';
import type { RunOptions } from './run-helpers.ts';
import { reportSkip } from '../helpers/skip.ts';
import { postgresAvailability, testPostgres, type TestPostgres } from '../helpers/local-postgres.ts';

const dir = mkdtempSync(join(tmpdir(), 'scaleout-execsql-'));
const sqlFile = join(dir, 'count.sql');
writeFileSync(sqlFile, '\uFEFF-- counts the people\r\nSELECT COUNT(*) FROM People\r\n');

const DB = '\\Package.Connections[Db].Properties[ConnectionString]';
const FILE = '\\Package.Connections[SqlFile].Properties[ConnectionString]';
const EXPECTED_REPORT = '2|Cy|1=Ann;2=Bob;3=Cy;|Bob|3|3|7';

interface Target {
  readonly name: string;
  readonly connectionString: string;
  /** Statement overrides for SQL that differs by engine. */
  readonly overrides: readonly { propertyPath: string; value: string }[];
  readonly missingTable: RegExp;
}

const targets: Target[] = [
  { name: 'SQLite', connectionString: `Provider=SQLite;Data Source=${join(dir, 'people.db')}`, overrides: [], missingTable: /no such table: NoSuchTable/ },
];
const mssql = process.env.SCALEOUT_TEST_MSSQL;
if (mssql) {
  targets.push({
    name: 'SQL Server', connectionString: `Provider=MSOLEDBSQL;${mssql}`, missingTable: /Invalid object name 'NoSuchTable'/,
    // Real output parameters: the count goes into @Total; the return value still comes from a row.
    overrides: [{ propertyPath: '\\Package\\Output.Properties[SqlStatementSource]', value: 'SELECT @Total = COUNT(*) FROM People WHERE Id >= ?; SELECT 7 AS RETURN_VALUE' }],
  });
} else reportSkip('Execute SQL on SQL Server', 'SCALEOUT_TEST_MSSQL is not set');
// PostgreSQL: SCALEOUT_TEST_PG, else a throwaway cluster from the Debian binaries (started in `before`).
const pgPlan = postgresAvailability();
let pg: TestPostgres | undefined;
const pgTarget = { name: 'PostgreSQL', connectionString: pgPlan.url ?? '', overrides: [], missingTable: /relation "nosuchtable" does not exist/ };
if (pgPlan.skip === undefined) targets.push(pgTarget);
else reportSkip('Execute SQL on PostgreSQL', pgPlan.skip);

const opts = (t: Target, more: RunOptions['overrides'] = []): RunOptions => ({
  overrides: [{ propertyPath: DB, value: t.connectionString }, { propertyPath: FILE, value: sqlFile }, ...t.overrides, ...more],
});

const es = suite('Execute SQL Task');
es.before(async () => {
  if (pgPlan.local !== true) return;
  pg = await testPostgres();
  if ('url' in pg) pgTarget.connectionString = pg.url;
  else throw new Error(`the throwaway PostgreSQL server did not start: ${pg.skip}`);
});
es.after(() => { rmSync(dir, { recursive: true, force: true }); if (pg && 'stop' in pg) pg.stop(); });

for (const t of targets) {
  es(`${t.name}: GO batches, ? parameters, single row, full result set into Foreach ADO, variable and file sources, outputs`, async () => {
    const run = await runFixture(['ExecSql.dtsx'], 'ExecSql.dtsx', opts(t));
    assert.is(run.result.outcome, 'succeeded', run.result.errors.join('\n'));
    assert.is(lastAssigned(run, 'User::Report'), EXPECTED_REPORT);
    // The ADO loop ran once per row, with iteration execution paths.
    const appends = run.messages(30).filter((m) => m.source === 'Append').map((m) => m.executionPath);
    assert.equal(appends, ['\\Package\\EachRow[1]\\Append', '\\Package\\EachRow[2]\\Append', '\\Package\\EachRow[3]\\Append']);
  });

  es(`${t.name}: a failing statement is an OnError with the database's text and the task path`, async () => {
    const run = await runFixture(['ExecSql.dtsx'], 'ExecSql.dtsx', opts(t, [{ propertyPath: '\\Package\\Broken.Properties[Disable]', value: 'False' }]));
    assert.is(run.result.outcome, 'failed');
    const errors = run.messages(120);
    assert.is(errors.length, 1, errors.map((e) => e.text).join('\n'));
    assert.is(errors[0]!.path, '\\Package\\Broken');
    assert.match(errors[0]!.text, t.missingTable);
    assert.match(errors[0]!.text, /\\Package\\Broken: Executing the query "SELECT \* FROM NoSuchTable" failed/);
  });
}

es('the package connection string as written (Windows authentication) fails with a clear message', async () => {
  const run = await runFixture(['ExecSql.dtsx'], 'ExecSql.dtsx', { overrides: [{ propertyPath: FILE, value: sqlFile }] });
  assert.is(run.result.outcome, 'failed');
  assert.match(run.result.errors.join('\n'), /Integrated Security cannot be used on this worker; override the connection string with a SQL login/);
  assert.is(run.messages(120)[0]?.path, '\\Package\\Create');
});

es('a missing SQL file names the connection and the path', async () => {
  const run = await runFixture(['ExecSql.dtsx'], 'ExecSql.dtsx', { overrides: [{ propertyPath: DB, value: targets[0]!.connectionString }, { propertyPath: FILE, value: join(dir, 'nope.sql') }] });
  assert.is(run.result.outcome, 'failed');
  assert.match(run.result.errors.join('\n'), /connection manager 'SqlFile': the file '.*nope\.sql' does not exist/);
});

es('a marker without a binding and a single-row query without rows fail the task, naming the problem', async () => {
  const noBinding = await runFixture(['ExecSql.dtsx'], 'ExecSql.dtsx', opts(targets[0]!, [{ propertyPath: '\\Package\\Insert.Properties[SqlStatementSource]', value: 'INSERT INTO People (Id, Name) VALUES (?, ?, ?)' }]));
  assert.is(noBinding.result.outcome, 'failed');
  assert.match(noBinding.result.errors.join('\n'), /parameter marker 3 \(\?\) has no parameter binding \(bindings: 0, 1\)/);
  const empty = await runFixture(['ExecSql.dtsx'], 'ExecSql.dtsx', opts(targets[0]!, [{ propertyPath: '\\Package.Variables[User::SqlText].Properties[Value]', value: 'SELECT Name FROM People WHERE Id = 99' }]));
  assert.is(empty.result.outcome, 'failed');
  assert.match(empty.result.errors.join('\n'), /Single Row result set is specified, but no rows were returned/);
});

es('validation refuses an XML result set and unbound variables before anything runs', async () => {
  const text = fixtureText('ExecSql.dtsx').replace('ResultSetType_Rowset', 'ResultSetType_XML').replace('User::FileCount"', 'User::Nope"');
  const run = await runParts(new Map([['ExecSql.dtsx', text]]), 'ExecSql.dtsx', opts(targets[0]!));
  assert.is(run.result.outcome, 'failed');
  const all = run.result.errors.join('\n');
  assert.match(all, /\\Package\\Full: the XML result set type is not supported/);
  assert.match(all, /\\Package\\FromFile: result '0' is bound to 'User::Nope', which does not exist/);
  assert.is(run.messages(30).length, 0);
});

es.run();
