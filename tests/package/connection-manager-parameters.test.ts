/**
 * CM.<connection manager>.<property> parameters (issue 14): the catalog makes CM.<name>.ConnectionString
 * at deploy so an environment can set a connection string; the engine applies a value that is set as
 * that connection manager's property, and a NULL leaves the package's own string. Runs the Execute SQL
 * fixture against a temp SQLite file with no property override at all.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastAssigned, runFixture } from './run-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'scaleout-cmparams-'));
const sqlFile = join(dir, 'count.sql');
writeFileSync(sqlFile, 'SELECT COUNT(*) FROM People\n');

const test = suite('connection manager parameters');
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('CM.Db.ConnectionString and CM.SqlFile.ConnectionString set the connections; the package runs against them', async () => {
  const run = await runFixture(['ExecSql.dtsx'], 'ExecSql.dtsx', { parameters: [
    { objectType: 30, name: 'CM.Db.ConnectionString', value: `Provider=SQLite;Data Source=${join(dir, 'people.db')}` },
    { objectType: 30, name: 'CM.SqlFile.ConnectionString', value: sqlFile },
  ] });
  assert.is(run.result.outcome, 'succeeded', run.result.errors.join('\n'));
  assert.is(lastAssigned(run, 'User::Report'), '2|Cy|1=Ann;2=Bob;3=Cy;|Bob|3|3|7');
});

test('a NULL CM parameter leaves the package connection string (Windows authentication: refused by name)', async () => {
  const run = await runFixture(['ExecSql.dtsx'], 'ExecSql.dtsx', { parameters: [
    { objectType: 30, name: 'CM.Db.ConnectionString', value: null },
    { objectType: 30, name: 'CM.SqlFile.ConnectionString', value: sqlFile },
  ] });
  assert.is(run.result.outcome, 'failed');
  assert.match(run.result.errors.join('\n'), /Integrated Security cannot be used on this worker/);
});

test('a property override for the execution wins over the CM parameter', async () => {
  const run = await runFixture(['ExecSql.dtsx'], 'ExecSql.dtsx', {
    parameters: [{ objectType: 30, name: 'CM.Db.ConnectionString', value: 'Provider=SQLite;Data Source=/nonexistent/dir/x.db' }, { objectType: 30, name: 'CM.SqlFile.ConnectionString', value: sqlFile }],
    overrides: [{ propertyPath: '\\Package.Connections[Db].Properties[ConnectionString]', value: `Provider=SQLite;Data Source=${join(dir, 'people2.db')}` }],
  });
  assert.is(run.result.outcome, 'succeeded', run.result.errors.join('\n'));
});

test.run();
