/**
 * Real packages from ../shared/fixtures/dtsx that come with their data, run as they are: only the
 * connection strings (and the T-SQL-only reference query of one Lookup) are replaced by property
 * overrides, as an operator would with parameters. The SQL Server databases they load are
 * SQLite files created here with the tables the packages expect.
 * - SSIS tutorial Lesson 1 (format 6): tab-delimited flat file → 2 Lookups → OLE DB Destination.
 * - 98amanmaurya FirstSSISPackage (format 8, project connection): CSV → OLE DB fast load.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runParts } from '../package/run-helpers.ts';
import { reportSkip } from '../helpers/skip.ts';
import { errorsOf, tempDir } from './helpers.ts';

const CORPUS = join(process.cwd(), '..', 'shared', 'fixtures', 'dtsx');
const t = tempDir('real');
const test = suite('data flow: real packages with their data');
test.after(() => t.remove());

if (!existsSync(CORPUS)) {
  reportSkip('real packages with data', `${CORPUS} is not present`);
} else {
  test('SSIS tutorial Lesson 1: 1097 currency rates through two Lookups into FactCurrency', async () => {
    const dir = join(CORPUS, 'LearningTechStuff__SSIS-Tutorial');
    const data = join(dir, 'SampleCurrencyData.txt');
    const db = t.file('aw.sqlite');
    const d = new Database(db);
    d.exec(`CREATE TABLE DimCurrency (CurrencyKey INTEGER, CurrencyAlternateKey TEXT, CurrencyName TEXT);
      CREATE TABLE DimDate (DateKey INTEGER, FullDateAlternateKey TEXT);
      CREATE TABLE FactCurrency (CurrencyKey INTEGER, DateKey INTEGER, AverageRate REAL, EndOfDayRate REAL, CurrencyID TEXT, CurrencyDate TEXT);`);
    const codes = ['ARS', 'AUD', 'BRL', 'CAD', 'CNY', 'DEM', 'EUR', 'FRF', 'GBP', 'JPY', 'MXN', 'SAR', 'USD', 'VEB'];
    codes.forEach((c, i) => d.prepare('INSERT INTO DimCurrency VALUES (?, ?, ?)').run(100 + i, c, c));
    // DimDate: every day of 2005-2008 keyed yyyymmdd, as AdventureWorksDW has it.
    const ins = d.prepare('INSERT INTO DimDate VALUES (?, ?)');
    d.transaction(() => {
      for (let day = Date.UTC(2005, 0, 1); day <= Date.UTC(2008, 11, 31); day += 86_400_000) {
        const iso = new Date(day).toISOString().slice(0, 10);
        ins.run(Number(iso.replace(/-/g, '')), iso);
      }
    })();
    d.close();
    const run = await runParts(new Map([['Lesson 1.dtsx', readFileSync(join(dir, 'Lesson 1.dtsx'))]]), 'Lesson 1.dtsx', {
      overrides: [
        { propertyPath: '\\Package.Connections[Sample Flat File Source Data].Properties[ConnectionString]', value: data },
        { propertyPath: '\\Package.Connections[localhost.AdventureWorksDW2012].Properties[ConnectionString]', value: `Provider=SQLite;Data Source=${db}` },
        // The Lookups' reference queries are T-SQL against [dbo] tables: give SQLite its own, as a component property override.
        { propertyPath: '\\Package\\Extract Sample Currency Data.Properties[[Lookup Currency Key].[SqlCommand]]', value: 'SELECT CurrencyKey, CurrencyAlternateKey FROM DimCurrency' },
        { propertyPath: '\\Package\\Extract Sample Currency Data.Properties[[Lookup Date Key].[SqlCommand]]', value: 'SELECT DateKey, FullDateAlternateKey FROM DimDate' },
        { propertyPath: '\\Package\\Extract Sample Currency Data.Properties[[Lookup Date Key].[CacheType]]', value: '0' },
      ],
    });
    assert.is(run.result.outcome, 'succeeded', errorsOf(run));
    const check = new Database(db, { readonly: true });
    const count = (check.prepare('SELECT COUNT(*) AS n FROM FactCurrency').get() as { n: number }).n;
    const first = check.prepare('SELECT CurrencyKey, DateKey, AverageRate, EndOfDayRate FROM FactCurrency ORDER BY DateKey, CurrencyKey LIMIT 1').raw(true).get();
    check.close();
    const lines = readFileSync(data, 'utf8').split('\n').filter((l) => l.trim() !== '').length;
    assert.is(count, lines, 'every row of the file found its currency and date');
    assert.is(count, 1097);
    assert.equal(first, [112, 20050101, 1, 0.9998000264167786]);
  });

  test('98amanmaurya FirstSSISPackage (format 8, in its project): 77 products from CSV into [dbo].[Products]', async () => {
    const dir = join(CORPUS, '98amanmaurya__SSIS');
    const db = t.file('products.sqlite');
    const cols = ['ProductID', 'ProductName', 'SupplierID', 'CategoryID', 'QuantityPerUnit', 'UnitPrice', 'UnitsInStock', 'UnitsOnOrder', 'ReorderLevel', 'Discontinued'];
    const d = new Database(db);
    d.exec(`CREATE TABLE Products (${cols.map((c) => `${c} TEXT`).join(', ')})`);
    d.close();
    const parts = new Map<string, Uint8Array>();
    for (const f of ['FirstSSISPackage.dtsx', 'LocalHost.testPackage.conmgr', 'Project.params', 'Building FirstSSIS PROJECT.dtproj']) parts.set(f, readFileSync(join(dir, f)));
    const run = await runParts(parts, 'FirstSSISPackage.dtsx', {
      overrides: [
        { propertyPath: '\\Package.Connections[hj].Properties[ConnectionString]', value: join(dir, 'Products.csv') },
        { propertyPath: '\\Package.Connections[AdvWrk17].Properties[ConnectionString]', value: `Provider=SQLite;Data Source=${db}` },
      ],
    });
    assert.is(run.result.outcome, 'succeeded', errorsOf(run));
    const check = new Database(db, { readonly: true });
    const rows = check.prepare('SELECT * FROM Products').raw(true).all() as string[][];
    check.close();
    const csv = readFileSync(join(dir, 'Products.csv'), 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '').slice(1);
    assert.is(rows.length, csv.length);
    assert.is(rows.length, 77);
    assert.equal(rows[0], ['1', 'Chai', '1', '1', '10 boxes x 20 bags', '18', '39', '0', '10', 'False']);
  });
}

test.run();
