/**
 * The end-to-end package under real Scale Out processes: `scaleout up`, `scaleout deploy` of
 * a project folder holding the package, `scaleout execute --wait` at the Verbose logging level; then
 * the rows are in the SQLite target, the flat files hold the rejected and unmatched rows, and
 * catalog.execution_data_statistics holds the rows sent along every path.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { openSqliteCatalog } from '../../runtime/catalog/sqlite-catalog-store.ts';
import { killAll, runCli, spawnCli } from '../helpers/cli-process.ts';
import { buildPackage } from './builder.ts';
import { tempDir } from './helpers.ts';
import { EXPECTED_PATH_ROWS, EXPECTED_REJECTED, EXPECTED_SALES, EXPECTED_UNMATCHED, prepareSalesData, salesPackage } from './sales-package.ts';

const t = tempDir('e2e');
const test = suite('data flow under Scale Out: scaleout up, deploy, execute --wait');
test.after(async () => { await killAll(); t.remove(); });

test('the sales package runs on the worker; target rows, files and execution_data_statistics', async () => {
  const data = t.file('data');
  const paths = { csv: t.file('sales.csv'), db: t.file('wh.sqlite'), rejected: t.file('out/rejected.txt'), unmatched: t.file('out/unmatched.txt') };
  prepareSalesData(paths.csv, paths.db);
  const project = t.file('SalesProject');
  mkdirSync(project);
  writeFileSync(join(project, 'LoadSales.dtsx'), buildPackage(salesPackage(paths)));
  const up = spawnCli(['up', '--data', data]);
  await up.waitFor(/Ready\. Press Ctrl-C/, 60_000);
  const deploy = await runCli(['deploy', project, '--folder', 'Sales', '--data', data]);
  assert.is(deploy.code, 0, deploy.stdout + deploy.stderr);
  const exec = await runCli(['execute', '--folder', 'Sales', '--project', 'SalesProject', '--package', 'LoadSales.dtsx', '--param', 'LOGGING_LEVEL=3', '--wait', '--data', data]);
  assert.is(exec.code, 0, exec.stdout + exec.stderr);
  const id = Number(/Started execution (\d+)/.exec(exec.stdout)![1]);
  assert.is(await up.stop('SIGINT', 30_000), 0);

  const db = new Database(paths.db, { readonly: true });
  assert.equal(db.prepare('SELECT Id, CustomerName, CountryName, Amount FROM Sales ORDER BY Id').raw(true).all(), EXPECTED_SALES);
  db.close();
  assert.is(readFileSync(paths.rejected, 'utf8'), EXPECTED_REJECTED);
  assert.is(readFileSync(paths.unmatched, 'utf8'), EXPECTED_UNMATCHED);

  const store = await openSqliteCatalog({ path: join(data, 'catalog', 'ssisdb.sqlite') });
  try {
    const stats = (await store.queryView(SYSTEM_PRINCIPAL, 'catalog.execution_data_statistics')).rows.filter((r) => Number(r['execution_id']) === id);
    const byPath: Record<string, number> = {};
    for (const r of stats) byPath[String(r['dataflow_path_name'])] = (byPath[String(r['dataflow_path_name'])] ?? 0) + Number(r['rows_sent']);
    assert.equal(byPath, EXPECTED_PATH_ROWS);
    const lookupToLoad = stats.find((r) => r['dataflow_path_name'] === 'P5')!;
    assert.is(lookupToLoad['source_component_name'], 'Find Country');
    assert.is(lookupToLoad['destination_component_name'], 'Load Sales');
    assert.is(lookupToLoad['task_name'], 'Data Flow Task');
    const messages = (await store.queryView(SYSTEM_PRINCIPAL, 'catalog.event_messages')).rows.filter((r) => Number(r['operation_id']) === id);
    assert.ok(messages.some((m) => m['message'] === '"Load Sales" wrote 3 rows.'), 'the "wrote N rows" message is in the catalog');
  } finally {
    await store.close();
  }
});

test.run();
