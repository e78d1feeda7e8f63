/**
 * Two things real packages rely on when their SQL Server tables are redirected to another engine:
 * - a date/time value written into a text column is the text of the value's own type (a DT_DBDATE
 *   into an nvarchar(10) column is `2021-01-10`, as SQL Server's provider converts it), not a full
 *   timestamp that no longer fits (SQLite here; PostgreSQL refuses the too-long text outright);
 * - an OLE DB Source in table mode finds `[stg].[Users]` as the destinations do: on PostgreSQL an
 *   unquoted `CREATE TABLE stg.Users` made `stg.users`, which SQL Server's case-insensitive catalog
 *   would have matched (PostgreSQL: skipped with the reason when no server can be had).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import pg from 'pg';
import { errorsOf, runSpec, tempDir } from './helpers.ts';
import type { PackageSpec } from './builder.ts';
import { reportSkip } from '../helpers/skip.ts';
import { postgresAvailability, testPostgres } from '../helpers/local-postgres.ts';
import type { TestPostgres } from '../helpers/local-postgres.ts';

const t = tempDir('db-names-types');
const test = suite('data flow: date values into text columns, table names across engines');
const pgPlan = postgresAvailability();
let server: TestPostgres | undefined;
test.after(() => { if (server && 'stop' in server) server.stop(); t.remove(); });

const cols = [{ name: 'Id', dataType: 'i4', ext: 'Id' }, { name: 'Day', dataType: 'wstr', length: 20, ext: 'Day' }];

/** Source `table` (Id, Day as text) → Data Conversion Day → DT_DBDATE → OLE DB Destination `target` (Id, Day). */
function spec(connection: string, source: Record<string, string>, target: string): PackageSpec {
  return {
    oledb: [{ name: 'Db', connectionString: connection }],
    components: [
      { name: 'Src', classId: 'Microsoft.OLEDBSource', connection: 'Db', props: source,
        outputs: [{ name: 'Out', columns: cols, external: cols.map((c) => ({ name: c.name, dataType: c.dataType, ...(c.length ? { length: c.length } : {}) })) }] },
      { name: 'Conv', classId: 'Microsoft.DataConvert', inputs: [{ name: 'In', columns: [{ from: 'Src.Out.Day' }] }],
        outputs: [{ name: 'Out', syncWith: 'In', columns: [{ name: 'DayDate', dataType: 'dbDate', props: { SourceInputColumnLineageID: '#{Package\\Data Flow Task\\Src.Outputs[Out].Columns[Day]}' } }] }] },
      { name: 'Load', classId: 'Microsoft.OLEDBDestination', connection: 'Db', props: { AccessMode: '3', OpenRowset: target, FastLoadOptions: 'TABLOCK' },
        inputs: [{ name: 'In', columns: [{ from: 'Src.Out.Id', ext: 'Id' }, { from: 'Conv.Out.DayDate', ext: 'Day' }],
          external: [{ name: 'Id', dataType: 'i4' }, { name: 'Day', dataType: 'wstr', length: 10 }] }] },
    ],
    paths: [['Src.Out', 'Conv.In'], ['Conv.Out', 'Load.In']],
  };
}

test('SQLite: a DT_DBDATE into a VARCHAR(10) column is yyyy-mm-dd', async () => {
  const file = t.file('dates.sqlite');
  const d = new Database(file);
  d.exec(`CREATE TABLE Src (Id INTEGER, Day TEXT); INSERT INTO Src VALUES (1, '2021-01-10'), (2, '07/05/2019'), (3, NULL);
    CREATE TABLE Days (Id INTEGER, Day VARCHAR(10));`);
  d.close();
  const run = await runSpec(spec(`Provider=SQLite;Data Source=${file}`, { AccessMode: '0', OpenRowset: '[dbo].[Src]' }, '[dbo].[Days]'));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  const r = new Database(file, { readonly: true });
  assert.equal(r.prepare('SELECT Id, Day FROM Days ORDER BY Id').raw(true).all(), [[1, '2021-01-10'], [2, '2019-07-05'], [3, null]]);
  r.close();
});

if (pgPlan.skip) reportSkip('PostgreSQL: OLE DB Source [stg].[Users] reads stg.users', pgPlan.skip);
else {
  test('PostgreSQL: an OLE DB Source [stg].[Users] reads the table CREATE TABLE stg.Users made (stg.users)', async () => {
    server = await testPostgres();
    if ('skip' in server) throw new Error(`the PostgreSQL server did not start: ${server.skip}`);
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    await c.query(`CREATE SCHEMA stg; CREATE TABLE stg.Users (Id integer, Day varchar(20)); INSERT INTO stg.Users VALUES (1, '2021-01-10'), (2, '2024-07-29');
      CREATE SCHEMA prod; CREATE TABLE prod.Days (Id integer, Day varchar(10));`);
    const u = new URL(server.url);
    const run = await runSpec(spec(`Provider=PostgreSQL;Host=${u.hostname};Port=${u.port};Database=postgres;Username=postgres`, { AccessMode: '0', OpenRowset: '[stg].[Users]' }, '[prod].[Days]'));
    const rows = (await c.query('SELECT id, day FROM prod.days ORDER BY id')).rows;
    await c.end();
    assert.is(run.result.outcome, 'succeeded', errorsOf(run));
    assert.equal(rows, [{ id: 1, day: '2021-01-10' }, { id: 2, day: '2024-07-29' }]);
  });
}

test.run();
