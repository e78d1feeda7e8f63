/**
 * The real packages of ../shared/fixtures/dtsx that come with their data (dtsx-survey.md §5), as cases
 * for the end-to-end test: which files make the project, how the operator redirects it (property
 * overrides of connection strings and of T-SQL that SQLite cannot run, parameter values), the
 * SQLite database each needs (DDL written here from the destinations' external metadata or the
 * repository's own .sql files; JohnYu2000 needs PostgreSQL, see fixture-johnyu.ts), and the check of
 * its outputs against expected values derived
 * independently of the engine: golden files that come with the fixture, documented results, or
 * counts, sums and rows computed here from the input files with plain code.
 *
 * A case either runs (`prepare` + `check`) or says why it cannot run here (`cannotRun`); the test
 * prints that reason, it never passes silently.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { parse as parseCsv } from 'csv-parse/sync';
import * as SheetJS from '@e965/xlsx';
import { JOHNYU_CASE } from './fixture-johnyu.ts';

import { CORPUS } from './fixture-corpus.ts';

export { CORPUS };

export interface CaseContext {
  /** A folder of this case's own (data copies, databases, outputs). */
  readonly dir: string;
  /** A path in `dir`. */
  file(name: string): string;
  /** The PostgreSQL server (a `postgres://` URL of its `postgres` database) for a case that `needs` it. */
  readonly postgres?: string;
}

export interface Override { readonly path: string; readonly value: string }

export interface Prepared {
  /** `set_execution_property_override_value` entries. */
  readonly overrides: readonly Override[];
  /** Parameter values: object type 20 (project) or 30 (package), text converted by the catalog. */
  readonly parameters?: readonly { readonly objectType: 20 | 30; readonly name: string; readonly value: string }[];
}

export interface FixtureCase {
  /** Printed name: repository and package. */
  readonly name: string;
  /** The project's catalog name (the deployed folder's name). */
  readonly project: string;
  /** Files of the project, relative to CORPUS, copied flat into the deployed folder. */
  readonly files: readonly string[];
  /** The package to execute (a file name among `files`). */
  readonly entry: string;
  /** Why this package cannot run here: printed instead of running. */
  readonly cannotRun?: string;
  /** A PostgreSQL server: the case is skipped with the reason when none can be had (see tests/helpers/local-postgres.ts). */
  readonly needs?: 'postgres';
  prepare?(ctx: CaseContext): Prepared | Promise<Prepared>;
  /** The final status expected in catalog.executions (default 7, succeeded; 4 for a package meant to fail). */
  readonly expectStatus?: 4 | 7;
  /** Asserts the outputs (`errors`: the execution's error messages); returns the number of rows checked. */
  check?(ctx: CaseContext, errors: string): number | Promise<number>;
}

const sqlite = (file: string) => `Provider=SQLite;Data Source=${file}`;
const cm = (name: string) => `\\Package.Connections[${name}].Properties[ConnectionString]`;
const lines = (file: string) => readFileSync(file, 'latin1').split(/\r?\n/).filter((l) => l.trim() !== '');

/** Copies corpus files into the case folder (the package reads the copies, never the corpus). */
function copyData(ctx: CaseContext, rel: string, to = basename(rel)): string {
  const target = ctx.file(to);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(join(CORPUS, rel), target);
  return target;
}

function db(ctx: CaseContext, ddl: string): string {
  const file = ctx.file('target.sqlite');
  const d = new Database(file);
  d.exec(ddl);
  d.close();
  return file;
}

function query<T = unknown[]>(file: string, sql: string): T[] {
  const d = new Database(file, { readonly: true });
  try {
    return d.prepare(sql).raw(true).all() as T[];
  } finally {
    d.close();
  }
}

/** The attributes of an XML start tag's text. */
function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:]+)="([^"]*)"/g)) out[m[1]!] = m[2]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"');
  return out;
}

const SQL_TYPE: Record<string, (a: Record<string, string>) => string> = {
  i1: () => 'INTEGER', i2: () => 'INTEGER', i4: () => 'INTEGER', i8: () => 'INTEGER', ui1: () => 'INTEGER', ui2: () => 'INTEGER', ui4: () => 'INTEGER', ui8: () => 'INTEGER',
  r4: () => 'REAL', r8: () => 'REAL', cy: () => 'NUMERIC(19,4)', bool: () => 'BOOLEAN',
  numeric: (a) => `NUMERIC(${a['precision'] ?? 18},${a['scale'] ?? 0})`, decimal: (a) => `NUMERIC(28,${a['scale'] ?? 0})`,
  str: (a) => `VARCHAR(${a['length'] ?? 255})`, wstr: (a) => `NVARCHAR(${a['length'] ?? 255})`, text: () => 'TEXT', ntext: () => 'TEXT',
  date: () => 'DATETIME', dbDate: () => 'DATE', dbTimeStamp: () => 'DATETIME', dbTimeStamp2: () => 'DATETIME', dbTime: () => 'TIME', dbTime2: () => 'TIME',
  dbTimeStampOffset: () => 'DATETIMEOFFSET', guid: () => 'UNIQUEIDENTIFIER', bytes: () => 'BLOB', image: () => 'BLOB',
};

/**
 * CREATE TABLE for a destination, derived from its input's external metadata columns (what the
 * package says the SQL Server table has): names and types, as the package's author created them.
 */
export function ddlFromDestination(packageRel: string, component: string, table: string): string {
  const xml = readFileSync(join(CORPUS, packageRel), 'utf8');
  const start = [...xml.matchAll(/<component\s[^>]*>/g)].find((m) => attrs(m[0])['name'] === component);
  if (!start) throw new Error(`${packageRel}: no component '${component}'`);
  const body = xml.slice(start.index!, xml.indexOf('</component>', start.index!));
  const inputStart = body.indexOf('<input');
  const cols = [...body.slice(inputStart).matchAll(/<externalMetadataColumn\s[^>]*>/g)].map((m) => attrs(m[0]));
  if (cols.length === 0) throw new Error(`${packageRel}: '${component}' has no external metadata columns`);
  const defs = cols.map((a) => {
    const type = SQL_TYPE[a['dataType'] ?? '']?.(a);
    if (!type) throw new Error(`${packageRel}: '${component}' column '${a['name']}' has the type '${a['dataType']}' with no mapping here`);
    return `"${a['name']}" ${type}`;
  });
  return `CREATE TABLE "${table}" (${defs.join(', ')});`;
}

/** AdventureWorksDW's DimCurrency codes and DimDate (every day of 2005-2008, keyed yyyymmdd). */
function adventureWorksDw(ctx: CaseContext, factDdl: string): string {
  const file = db(ctx, `CREATE TABLE DimCurrency (CurrencyKey INTEGER, CurrencyAlternateKey TEXT, CurrencyName TEXT);
    CREATE TABLE DimDate (DateKey INTEGER, FullDateAlternateKey TEXT);
    ${factDdl}`);
  const d = new Database(file);
  const codes = ['ARS', 'AUD', 'BRL', 'CAD', 'CNY', 'DEM', 'EUR', 'FRF', 'GBP', 'JPY', 'MXN', 'SAR', 'USD', 'VEB'];
  codes.forEach((c, i) => d.prepare('INSERT INTO DimCurrency VALUES (?, ?, ?)').run(100 + i, c, c));
  const ins = d.prepare('INSERT INTO DimDate VALUES (?, ?)');
  d.transaction(() => {
    for (let day = Date.UTC(2005, 0, 1); day <= Date.UTC(2008, 11, 31); day += 86_400_000) {
      const iso = new Date(day).toISOString().slice(0, 10);
      ins.run(Number(iso.replace(/-/g, '')), iso);
    }
  })();
  d.close();
  return file;
}

/**
 * The tutorial's Lookups query [dbo] tables in T-SQL: SQLite gets its own queries as component property
 * overrides on the data flow task (full-cache SqlCommand and partial-cache SqlCommandParam; SQLite's
 * date() reads the bound timestamp).
 */
function tutorialLookups(task: string): Override[] {
  return [
    { path: `${task}.Properties[[Lookup Currency Key].[SqlCommand]]`, value: 'SELECT CurrencyKey, CurrencyAlternateKey FROM DimCurrency' },
    { path: `${task}.Properties[[Lookup Currency Key].[SqlCommandParam]]`, value: 'SELECT * FROM (SELECT CurrencyKey, CurrencyAlternateKey FROM DimCurrency) refTable WHERE refTable.CurrencyAlternateKey = ?' },
    { path: `${task}.Properties[[Lookup Date Key].[SqlCommand]]`, value: 'SELECT DateKey, FullDateAlternateKey FROM DimDate' },
    { path: `${task}.Properties[[Lookup Date Key].[SqlCommandParam]]`, value: 'SELECT * FROM (SELECT DateKey, FullDateAlternateKey FROM DimDate) refTable WHERE refTable.FullDateAlternateKey = date(?)' },
  ];
}

/** Expected fact rows of the tutorial from its tab-separated input: [CurrencyKey, DateKey, AverageRate, EndOfDayRate]. */
function currencyRows(files: readonly string[]): [number, number, number, number][] {
  const codes = ['ARS', 'AUD', 'BRL', 'CAD', 'CNY', 'DEM', 'EUR', 'FRF', 'GBP', 'JPY', 'MXN', 'SAR', 'USD', 'VEB'];
  const out: [number, number, number, number][] = [];
  for (const f of files) {
    for (const l of lines(f)) {
      // AverageRate <tab> CurrencyID <tab> CurrencyDate (m/d/yyyy 0:00) <tab> EndOfDayRate
      const [avg, code, date, eod] = l.split('\t');
      const m = /^(\d+)\/(\d+)\/(\d+)/.exec(date!.trim())!;
      const year = Number(m[3]) < 100 ? 2000 + Number(m[3]) : Number(m[3]); // '1/1/05': the data is 2005-2008
      const key = year * 10000 + Number(m[1]) * 100 + Number(m[2]);
      out.push([100 + codes.indexOf(code!.trim()), key, Number(avg), Number(eod)]);
    }
  }
  return out.sort((a, b) => a[1] - b[1] || a[0] - b[0] || a[2] - b[2]);
}

function checkFact(file: string, table: string, expected: [number, number, number, number][]): number {
  const rows = query<[number, number, number, number]>(file, `SELECT CurrencyKey, DateKey, AverageRate, EndOfDayRate FROM ${table} ORDER BY DateKey, CurrencyKey, AverageRate`);
  assert.is(rows.length, expected.length, `${table}: one row per input line`);
  rows.forEach((r, i) => {
    const e = expected[i]!;
    assert.equal([r[0], r[1]], [e[0], e[1]], `${table} row ${i + 1}: keys`);
    assert.ok(Math.abs(r[2] - e[2]) < 1e-4 && Math.abs(r[3] - e[3]) < 1e-4, `${table} row ${i + 1}: rates ${r[2]}/${r[3]} vs ${e[2]}/${e[3]}`);
  });
  return rows.length;
}

/** A CSV file's records (csv-parse: quotes, BOM), header row first. */
function csvRecords(file: string): string[][] {
  return parseCsv(readFileSync(file), { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
}

/**
 * Compares a staging table with a CSV file column by column: every table column named like a CSV
 * header column (or mapped in `rename`) holds that column's text, row for row (both sides sorted).
 * Returns the rows compared.
 */
function compareCsvWithTable(csv: readonly string[][], file: string, table: string, rename: Record<string, string> = {}, where = '', positional?: readonly string[]): number {
  const header = positional ?? csv[0]!;
  const tableCols = (query<[number, string]>(file, `SELECT cid, name FROM pragma_table_info('${table}')`)).map((r) => r[1]);
  const pairs = tableCols.flatMap((t) => {
    const h = rename[t] ?? t;
    const i = header.indexOf(h);
    return i >= 0 ? [[t, i] as const] : [];
  });
  assert.ok(pairs.length > 0, `${table}: columns in common with the CSV header`);
  const got = query<unknown[]>(file, `SELECT ${pairs.map(([t]) => `"${t}"`).join(', ')} FROM "${table}" ${where}`).map((r) => JSON.stringify(r.map((v) => (v === null ? null : String(v))))).sort();
  const expected = csv.slice(1).map((r) => JSON.stringify(pairs.map(([, i]) => r[i] ?? ''))).sort();
  assert.is(got.length, expected.length, `${table}: one row per CSV record`);
  for (let i = 0; i < got.length; i++) assert.is(got[i], expected[i], `${table}: sorted row ${i + 1}`);
  return got.length;
}

const CRIME = 'AndreyQC__CrimeStat.SSIS';
const CRIME_PROJECT = ['Staging_Load_Countries.dtsx', 'Staging_Load_UNCrime.dtsx', 'Staging_Load_WorldBank.dtsx', 'CrimeStatDWH.conmgr', 'Project.params'].map((f) => `${CRIME}/${f}`);

/**
 * CrimeStat staging: the working folder is a project parameter (the packages append Windows-style
 * `\\CrimeStat.Source.…\\file.csv`), the DWH connection string another. SQLite has no [staging] schema
 * and no TRUNCATE: the destination table name and the Execute SQL statement are overridden.
 */
function crimeStat(ctx: CaseContext, dft: string, dest: string, table: string, sqlTask: string, pkg: string): Prepared {
  for (const f of readdirSync(join(CORPUS, CRIME, 'CrimeStat.Sources'), { recursive: true }) as string[]) {
    if (/\.csv$/i.test(f)) copyData(ctx, `${CRIME}/CrimeStat.Sources/${f}`, `work/${f}`);
  }
  const target = db(ctx, ddlFromDestination(`${CRIME}/${pkg}`, dest, table));
  return {
    parameters: [
      { objectType: 20, name: 'CrimeStatETLWorkingFolder', value: ctx.file('work') },
      { objectType: 20, name: 'CrimeStatDWH_ConnectionString', value: sqlite(target) },
    ],
    overrides: [
      { path: `${sqlTask}.Properties[SqlStatementSource]`, value: `DELETE FROM "${table}"` },
      { path: `${dft}.Properties[[${dest}].[OpenRowset]]`, value: table },
    ],
  };
}

/**
 * 98amanmaurya Error.dtsx: Products.csv into [dbo].[PRODUCTS_ERROR] (project connection). Its OnError handlers
 * (on the package and on the data flow) build an INSERT into Error_Logs with a property expression that calls
 * REPLACE(@[System::ErrorDescription], "", ""): the documentation says the search string must not be empty,
 * so the expression fails and nothing is logged, in SSIS as here. Error_Logs has no DDL in the repository: its
 * six columns are named here after the values the package inserts.
 */
function amanError(ctx: CaseContext, csv: string): Prepared {
  const target = db(ctx, `${ddlFromDestination(`${AMAN}/Error.dtsx`, 'OLE DB Destination', 'PRODUCTS_ERROR')}
    CREATE TABLE Error_Logs (Name TEXT, Package TEXT, Task TEXT, Code INTEGER, Description TEXT, LoggedAt DATETIME);`);
  return { overrides: [
    { path: cm('fileConnection'), value: csv },
    { path: cm('LocalHost.testPackage'), value: sqlite(target) },
  ] };
}

const PDOMINIK = 'PDominik97__SSIS_DataFlow';
const PDOMINIK_GOLDEN = ['Input_Kenmore_11-10-2023.txt', 'Input_Rentone_11-10-2023.txt', 'Input_Seattle_11-10-2023.txt'] as const;

/**
 * The rows of the backup files. SSIS wrote them without a text qualifier, so one address line holding a
 * comma ('081, boulevard du Montparnasse') has eight fields: the first field is the id and the last five are
 * AddressLine2 … ModifiedDate, whatever lies between is AddressLine1.
 */
function pdominikRows(): [number, string, string | null, string, number, string, string][] {
  return PDOMINIK_GOLDEN.flatMap((f) => lines(join(CORPUS, PDOMINIK, 'backup_files', f)).slice(1).map((l) => {
    const p = l.split(',');
    const tail = p.slice(-5);
    return [Number(p[0]), p.slice(1, -5).join(','), tail[0] === '' ? null : tail[0]!, tail[1]!, Number(tail[2]), tail[3]!, tail[4]!] as [number, string, string | null, string, number, string, string];
  }));
}

const TUTORIAL = 'LearningTechStuff__SSIS-Tutorial';
const AMAN = '98amanmaurya__SSIS';
const AMIRA = 'AmiraBedhiafi__Lab_Initiation_To_SSIS';
// The .dtproj files of these projects list packages the repositories do not have (WorkPackage.dtsx,
// MasterPackage.dtsx): the folders are deployed without them (packages, .conmgr and Project.params).
const AMAN_PROJECT = ['FirstSSISPackage.dtsx', 'Error.dtsx', 'forloopPackage.dtsx', 'LocalHost.testPackage.conmgr', 'Project.params'].map((f) => `${AMAN}/${f}`);

/** Products.csv as rows of text (header dropped), split on commas (the file has no quoted fields). */
function productsCsv(): string[][] {
  return lines(join(CORPUS, AMAN, 'Products.csv')).slice(1).map((l) => l.split(','));
}

export const CASES: readonly FixtureCase[] = [
  {
    name: 'LearningTechStuff Lesson 1 (format 6)',
    project: 'Lesson1Fmt6',
    files: [`${TUTORIAL}/Lesson 1.dtsx`],
    entry: 'Lesson 1.dtsx',
    prepare(ctx) {
      const data = copyData(ctx, `${TUTORIAL}/SampleCurrencyData.txt`);
      const target = adventureWorksDw(ctx, ddlFromDestination(`${TUTORIAL}/Lesson 1.dtsx`, 'Sample OLE DB Destination', 'FactCurrency'));
      return { overrides: [
        { path: cm('Sample Flat File Source Data'), value: data },
        { path: cm('localhost.AdventureWorksDW2012'), value: sqlite(target) },
        ...tutorialLookups('\\Package\\Extract Sample Currency Data'),
      ] };
    },
    check(ctx) {
      const expected = currencyRows([ctx.file('SampleCurrencyData.txt')]);
      assert.is(expected.length, 1097, 'the tutorial documents 1097 rows');
      return checkFact(ctx.file('target.sqlite'), 'FactCurrency', expected);
    },
  },
  {
    name: 'LearningTechStuff Lesson 2 (ForEach over Currency_*.txt)',
    project: 'Lesson2',
    files: [`${TUTORIAL}/Lesson 2.dtsx`],
    entry: 'Lesson 2.dtsx',
    prepare(ctx) {
      // The tutorial's sample folder for lesson 2: the 14 Currency_<code>.txt files (Currency_BAD.txt belongs to
      // lesson 4, the error-flow lesson, and is left out as the tutorial does).
      for (const f of corpusFiles(TUTORIAL, /^Currency_(?!BAD)[A-Z]{3}\.txt$/)) copyData(ctx, f, `Sample Data/${basename(f)}`);
      const target = adventureWorksDw(ctx, ddlFromDestination(`${TUTORIAL}/Lesson 2.dtsx`, 'Sample OLE DB Destination', 'FactCurrency'));
      return { overrides: [
        { path: '\\Package\\Foreach File in Folder.ForEachEnumerator.Properties[Directory]', value: ctx.file('Sample Data') },
        { path: cm('localhost.AdventureWorksDW2012'), value: sqlite(target) },
        ...tutorialLookups('\\Package\\Foreach File in Folder\\Extract Sample Currency Data'),
      ] };
    },
    check(ctx) {
      const files = corpusFiles(TUTORIAL, /^Currency_(?!BAD)[A-Z]{3}\.txt$/).map((f) => ctx.file(`Sample Data/${basename(f)}`));
      assert.is(files.length, 14);
      const expected = currencyRows(files);
      assert.is(expected.length, files.reduce((n, f) => n + lines(f).length, 0), 'one fact row per line of the 14 files');
      return checkFact(ctx.file('target.sqlite'), 'FactCurrency', expected);
    },
  },
  {
    name: 'LearningTechStuff SSIS Tutorial Lesson1 (format 8)',
    project: 'TutorialFmt8',
    files: [`${TUTORIAL}/SSIS Tutorial/SSIS Tutorial/Lesson1.dtsx`],
    entry: 'Lesson1.dtsx',
    prepare(ctx) {
      const data = copyData(ctx, `${TUTORIAL}/SampleCurrencyData.txt`);
      const target = adventureWorksDw(ctx, ddlFromDestination(`${TUTORIAL}/SSIS Tutorial/SSIS Tutorial/Lesson1.dtsx`, 'Sample OLE DB Destination', 'NewFactCurrencyRate'));
      return { overrides: [
        { path: cm('Sample Flat File Source Data'), value: data },
        { path: cm('localhost.AdventureWorksDW2012.sa'), value: sqlite(target) },
        ...tutorialLookups('\\Package\\Extract Sample Currency Data'),
      ] };
    },
    check(ctx) {
      // This author's connection manager says ColumnNamesInFirstDataRow=True, so SSIS takes the file's first
      // line for a header: 1096 rows. The destination keeps the looked-up codes and dates, not the keys.
      const expected = lines(ctx.file('SampleCurrencyData.txt')).slice(1).map((l) => {
        const [avg, code, date, eod] = l.split('\t');
        const m = /^(\d+)\/(\d+)\/(\d+)/.exec(date!.trim())!;
        const iso = `${2000 + Number(m[3])}-${m[1]!.padStart(2, '0')}-${m[2]!.padStart(2, '0')}`;
        return [code!.trim(), iso, Number(avg), Number(eod)] as const;
      }).sort((a, b) => a[1].localeCompare(b[1]) || a[0].localeCompare(b[0]));
      const rows = query<[string, string, number, number]>(ctx.file('target.sqlite'),
        'SELECT CurrencyAlternateKey, FullDateAlternateKey, AverageRate, EndOfDayRate FROM NewFactCurrencyRate ORDER BY FullDateAlternateKey, CurrencyAlternateKey');
      assert.is(rows.length, 1096);
      assert.is(rows.length, expected.length);
      rows.forEach((r, i) => {
        const e = expected[i]!;
        assert.equal([r[0], r[1]], [e[0], e[1]], `NewFactCurrencyRate row ${i + 1}`);
        assert.ok(Math.abs(r[2] - e[2]) < 1e-4 && Math.abs(r[3] - e[3]) < 1e-4, `NewFactCurrencyRate row ${i + 1}: rates`);
      });
      return rows.length;
    },
  },
  {
    name: 'AndreyQC CrimeStat Staging_Load_Countries',
    project: 'CrimeStat',
    files: CRIME_PROJECT,
    entry: 'Staging_Load_Countries.dtsx',
    prepare: (ctx) => crimeStat(ctx, '\\Package\\SEQC Load data to staging\\DFT Load from File to staging Country_untyped', 'OLEDB staging Country_untyped', 'Country_untyped',
      '\\Package\\SEQC Preparation\\SQLT truncate staging Country_untyped', 'Staging_Load_Countries.dtsx'),
    check: (ctx) => compareCsvWithTable(csvRecords(ctx.file('work/CrimeStat.Source.Countries/ISOcountries.csv')), ctx.file('target.sqlite'), 'Country_untyped'),
  },
  {
    name: 'AndreyQC CrimeStat Staging_Load_UNCrime (ForEach over 6 CSVs)',
    project: 'CrimeStat',
    files: CRIME_PROJECT,
    entry: 'Staging_Load_UNCrime.dtsx',
    prepare(ctx) {
      const p = crimeStat(ctx, '\\Package\\SEQC Load data to staging\\FLC For each file of UNCrime data\\DFT Load from File to staging UNCrime_uptyped', 'OLEDB staging UNCrime_untyped', 'UNCrime_untyped',
        '\\Package\\SEQC Preparation\\SQL truncate staging UNCrime_untyped', 'Staging_Load_UNCrime.dtsx');
      // The loop maps each file into User::currentUNCrimeFileName, which the author left with EvaluateAsExpression=True
      // (its expression names burglary.csv): the engine refuses to assign it, and SSIS would read the expression
      // back (burglary.csv six times). The operator's fix, as an override: evaluate it as a plain value.
      return { ...p, overrides: [...p.overrides, { path: '\\Package.Variables[User::currentUNCrimeFileName].Properties[EvaluateAsExpression]', value: 'False' }] };
    },
    check(ctx) {
      const dir = ctx.file('work/CrimeStat.Source.UNCrime/ConvertedToCSV');
      const files = readdirSync(dir).filter((f) => f.endsWith('.csv')).sort();
      assert.is(files.length, 6);
      let n = 0;
      for (const f of files) {
        // The Derived Column writes the loop's current file name into FileName: each file's rows are found by it.
        // Fields are read by position in the connection manager's column order (serious_assault.csv has Year
        // and Rate swapped in its header: SSIS loads its years into Rate, and so must we).
        n += compareCsvWithTable(csvRecords(join(dir, f)), ctx.file('target.sqlite'), 'UNCrime_untyped', { SubRegion: 'Sub Region' }, `WHERE FileName LIKE '%/${f}'`,
          ['Region', 'Sub Region', 'Country', 'Count', 'Rate', 'Year']);
      }
      assert.is((query<[number]>(ctx.file('target.sqlite'), 'SELECT COUNT(*) FROM UNCrime_untyped')[0]![0]), n, 'no other rows');
      return n;
    },
  },
  {
    name: 'AndreyQC CrimeStat Staging_Load_WorldBank',
    project: 'CrimeStat',
    files: CRIME_PROJECT,
    entry: 'Staging_Load_WorldBank.dtsx',
    prepare: (ctx) => crimeStat(ctx, '\\Package\\SEQC Load data to staging\\DFT Load from File to staging WorldBankPopulation_untyped', 'OLEDB staging WorldBankPopulation_untyped', 'WorldBankPopulation_untyped',
      '\\Package\\SEQC Preparation\\SQL truncate staging WorldBankPopulation_untyped', 'Staging_Load_WorldBank.dtsx'),
    check: (ctx) => compareCsvWithTable(csvRecords(ctx.file('work/CrimeStat.Source.WorldBank/WorldBankPopulation.csv')), ctx.file('target.sqlite'), 'WorldBankPopulation_untyped'),
  },
  {
    name: 'sheronejacob LoadData (Sort eliminating duplicates)',
    project: 'Sherone',
    files: ['sheronejacob__Data-Cleaning-using-SSIS/LoadData.dtsx'],
    entry: 'LoadData.dtsx',
    prepare(ctx) {
      const target = db(ctx, ddlFromDestination('sheronejacob__Data-Cleaning-using-SSIS/LoadData.dtsx', 'OLE DB Destination', 'stg_Customers'));
      return { overrides: [
        { path: cm('Flat File Connection Manager'), value: copyData(ctx, 'sheronejacob__Data-Cleaning-using-SSIS/customer_data.csv') },
        { path: cm('SHERONE.Portfolio Project'), value: sqlite(target) },
        // The stored procedure the task runs is not in the repository: SQLite gets a statement that does nothing.
        { path: '\\Package\\Execute SQL Task.Properties[SqlStatementSource]', value: 'SELECT 1' },
      ] };
    },
    check(ctx) {
      // Checked by hand from customer_data.csv: 103 repeats 101 (same name, e-mail, phone, date, city) and the Sort
      // drops it; Jane's empty phone becomes 0000000000 (Derived Column); dates m/d/yyyy become dates.
      const rows = query(ctx.file('target.sqlite'), 'SELECT customer_id, first_name, last_name, email, phone, signup_date, city FROM stg_Customers ORDER BY customer_id');
      assert.equal(rows, [
        [101, 'John', 'Doe', 'john@example.com', '1234567890', '2019-01-01', 'Toronto'],
        [102, 'Jane', 'Smith', 'jane@example.com', '0000000000', '2019-02-10', 'Montreal'],
        [104, 'Emily', 'Jones', 'emily@sample.org', '987654321', '2019-03-15', 'Vancouver'],
        [105, 'Michael', 'Brown', 'michael@sample.org', '4445556666', '2019-03-20', 'Calgary'],
      ]);
      return rows.length;
    },
  },
  {
    name: 'yogeshlohar PackageCust (Multicast + Conditional Split)',
    project: 'Yogesh',
    files: ['yogeshlohar__HospitalPatientCountrywiseInfo/PackageCust.dtsx'],
    entry: 'PackageCust.dtsx',
    prepare(ctx) {
      const pkg = 'yogeshlohar__HospitalPatientCountrywiseInfo/PackageCust.dtsx';
      const tables = ['CustInfo', 'Table_AU', 'Table_IND', 'Table_NYC', 'Table_PHIL', 'Table_USA'];
      const target = db(ctx, tables.map((x) => ddlFromDestination(pkg, x, x)).join('\n'));
      return { overrides: [
        { path: cm('Flat File Connection Manager 1'), value: copyData(ctx, 'yogeshlohar__HospitalPatientCountrywiseInfo/sample file.txt') },
        { path: cm('Flat File Connection Manager'), value: ctx.file('sampledata.txt') },
        { path: cm('SUPPORT.CustomerInfo.sa'), value: sqlite(target) },
        { path: cm('SUPPORT.ETL.sa'), value: sqlite(target) },
      ] };
    },
    check(ctx) {
      // '|'-delimited with a leading '|' (an empty first column) and a header row.
      const records = parseCsv(readFileSync(ctx.file('sample file.txt')), { delimiter: '|', skip_empty_lines: true }) as string[][];
      const file = ctx.file('target.sqlite');
      // The Multicast sends every row to CustInfo, whose columns the author renamed.
      let n = compareCsvWithTable(records, file, 'CustInfo', { Name: 'Customer_Name', Cust_Id: 'Customer_Id', Open_Dt: 'Open_Date', Consult_Dt: 'Last_Consulted_Date', Vac_Id: 'Vaccination_Id', Flag: 'Is_Active' });
      assert.is(n, 5);
      // The Conditional Split sends each row to its country's table (each country appears once in the file).
      const country = records[0]!.indexOf('Country');
      for (const c of ['AU', 'IND', 'NYC', 'PHIL', 'USA']) {
        const rows = [records[0]!, ...records.slice(1).filter((r) => r[country] === c)];
        assert.is(rows.length, 2, `one ${c} row in the file`);
        n += compareCsvWithTable(rows, file, `Table_${c}`);
      }
      return n;
    },
  },
  {
    name: 'Peter-Hou LookUp Transform (.xls, Cache Transform + Lookup)',
    project: 'PeterLookup',
    files: ['Peter-Hou__SSIS-Project/LookUp Transform/Package.dtsx', 'Peter-Hou__SSIS-Project/LookUp Transform/Project.params'],
    entry: 'Package.dtsx',
    prepare(ctx) {
      const pkg = 'Peter-Hou__SSIS-Project/LookUp Transform/Package.dtsx';
      const xls = copyData(ctx, 'Peter-Hou__SSIS-Project/LookUp Transform/series data.xls');
      // The Movies database: tblMentor filled from the workbook's own Mentors sheet (read here with SheetJS),
      // the destination table as the package names it ([OLE DB Destination 1], made by the wizard), and the
      // finalists table its Execute SQL Task truncates (TRUNCATE → DELETE for SQLite).
      const target = db(ctx, `CREATE TABLE tblMentor (MentorId INTEGER, MentorName NVARCHAR(255));
        CREATE TABLE finalists (Id INTEGER);
        ${ddlFromDestination(pkg, 'OLE DB Destination 1', 'OLE DB Destination 1')}`);
      const d = new Database(target);
      for (const [id, name] of mentors(xls)) d.prepare('INSERT INTO tblMentor VALUES (?, ?)').run(id, name);
      d.close();
      return { overrides: [
        { path: cm('Excel Connection Manager'), value: `Provider=Microsoft.ACE.OLEDB.12.0;Data Source=${xls};Extended Properties="EXCEL 12.0 XML;HDR=YES";` },
        { path: cm('C23-1011.Movies'), value: sqlite(target) },
        { path: '\\Package\\Execute SQL Task.Properties[SqlStatementSource]', value: 'DELETE FROM finalists' },
      ] };
    },
    check(ctx) {
      const wb = SheetJS.read(readFileSync(ctx.file('series data.xls')), { type: 'buffer' });
      const finalists = SheetJS.utils.sheet_to_json<Record<string, unknown>>(wb.Sheets['Finalists']!);
      const byName = new Map(mentors(ctx.file('series data.xls')).map(([id, name]) => [name, id]));
      // A finalist whose mentor is in tblMentor gets that id and 'Imported OK'; the others '<mentor> not known' and
      // no MentorId: Derived Column 1 computes NotKnownMentorId = 9, but the Union All maps nothing of its input 2
      // to MentorId, so SSIS writes NULL there.
      const expected = finalists.map((f) => {
        const id = byName.get(String(f['Mentor']));
        return JSON.stringify([f['Id'], f['Name'], f['Series'], f['Category'], f['Mentor'], f['Finished'], id ?? null, id === undefined ? `${String(f['Mentor'])} not known` : 'Imported OK']);
      }).sort();
      const got = query(ctx.file('target.sqlite'), 'SELECT Id, Name, Series, Category, Mentor, Finished, MentorId, Notes FROM "OLE DB Destination 1"').map((r) => JSON.stringify(r)).sort();
      assert.is(got.length, 109);
      assert.equal(got, expected);
      return got.length;
    },
  },
  {
    name: 'AmiraBedhiafi ForEachLoop (ForEach over .xls, Data Conversion)',
    project: 'AmiraLoop',
    files: [`${AMIRA}/ForEachLoop.dtsx`, `${AMIRA}/DATA txt Global.conmgr`, `${AMIRA}/LocalHost.Initiation_To_SSIS.conmgr`, `${AMIRA}/Project.params`],
    entry: 'ForEachLoop.dtsx',
    prepare(ctx) {
      for (const f of corpusFiles(AMIRA, /^data\d+\.xls$/)) copyData(ctx, f, `ALLDATA/${basename(f)}`);
      const target = db(ctx, ddlFromDestination(`${AMIRA}/ForEachLoop.dtsx`, 'OLE DB Destination', 'DATA'));
      // The T-SQL of the four Execute SQL Tasks, in SQLite's words: the primary key is a unique index there, and
      // the CTE + ROW_NUMBER() that deletes duplicate rows keeps the first row of each group by rowid.
      const cols = 'Numero, Nom, val_1, val_2, val_3, val_4, val_5, Decision';
      const sql = (task: string, text: string): Override => ({ path: `\\Package\\${task}.Properties[SqlStatementSource]`, value: text });
      return {
        overrides: [
          { path: '\\Package\\Foreach Loop Container.ForEachEnumerator.Properties[Directory]', value: ctx.file('ALLDATA') },
          { path: cm('LocalHost.Initiation_To_SSIS'), value: sqlite(target) },
          sql('TRUNCATE', 'DELETE FROM DATA'),
          sql('DROP PK', 'DROP INDEX IF EXISTS PK_Numero'),
          sql('Remove duplicates', `DELETE FROM DATA WHERE rowid NOT IN (SELECT MIN(rowid) FROM DATA GROUP BY ${cols})`),
          sql('Readd PK constraint', 'CREATE UNIQUE INDEX PK_Numero ON DATA (Numero)'),
        ],
      };
    },
    check(ctx) {
      // Every distinct data row of the workbooks (read here with SheetJS), values at the destination's scale 2.
      const seen = new Set<string>();
      for (const f of corpusFiles(AMIRA, /^data\d+\.xls$/)) {
        const wb = SheetJS.read(readFileSync(ctx.file(`ALLDATA/${basename(f)}`)), { type: 'buffer' });
        for (const r of SheetJS.utils.sheet_to_json<unknown[]>(wb.Sheets[wb.SheetNames[0]!]!, { header: 1, blankrows: false }).slice(1)) {
          // An empty cell is NULL (ACE reads no value).
          const text = (v: unknown) => (v === undefined || v === null ? null : String(v));
          const num = (v: unknown) => (v === undefined || v === null ? null : Math.round(Number(v) * 100) / 100);
          seen.add(JSON.stringify([text(r[0]), text(r[1]), num(r[2]), num(r[3]), num(r[4]), num(r[5]), num(r[6]), text(r[7])]));
        }
      }
      const expected = [...seen].sort();
      const got = query(ctx.file('target.sqlite'), 'SELECT Numero, Nom, val_1, val_2, val_3, val_4, val_5, Decision FROM DATA')
        .map((r) => JSON.stringify(r.map((v, i) => (i >= 2 && i <= 6 && v !== null ? Math.round(Number(v) * 100) / 100 : v)))).sort();
      assert.is(got.length, expected.length, 'one row per distinct workbook row');
      assert.equal(got, expected);
      return got.length;
    },
  },
  {
    name: '98amanmaurya FirstSSISPackage',
    project: 'Aman',
    files: AMAN_PROJECT,
    entry: 'FirstSSISPackage.dtsx',
    prepare(ctx) {
      const cols = ['ProductID', 'ProductName', 'SupplierID', 'CategoryID', 'QuantityPerUnit', 'UnitPrice', 'UnitsInStock', 'UnitsOnOrder', 'ReorderLevel', 'Discontinued'];
      const target = db(ctx, `CREATE TABLE Products (${cols.map((c) => `${c} TEXT`).join(', ')})`);
      return { overrides: [
        { path: cm('hj'), value: copyData(ctx, `${AMAN}/Products.csv`) },
        { path: cm('AdvWrk17'), value: sqlite(target) },
      ] };
    },
    check(ctx) {
      const rows = query<string[]>(ctx.file('target.sqlite'), 'SELECT * FROM Products ORDER BY CAST(ProductID AS INTEGER)');
      const csv = productsCsv();
      assert.is(rows.length, csv.length);
      assert.equal(rows, csv, 'every product, every field as in the CSV');
      return rows.length;
    },
  },
  {
    name: '98amanmaurya Error (OnError handler, clean input)',
    project: 'Aman',
    files: AMAN_PROJECT,
    entry: 'Error.dtsx',
    prepare: (ctx) => amanError(ctx, copyData(ctx, `${AMAN}/Products.csv`)),
    check(ctx) {
      const rows = query<string[]>(ctx.file('target.sqlite'), 'SELECT * FROM PRODUCTS_ERROR ORDER BY CAST(ProductID AS INTEGER)');
      assert.equal(rows, productsCsv(), 'every product into PRODUCTS_ERROR');
      assert.equal(query(ctx.file('target.sqlite'), 'SELECT * FROM Error_Logs'), [], 'no error, so the OnError handler logged nothing');
      return rows.length;
    },
  },
  {
    name: '98amanmaurya Error (a product name too long: fails, handlers run)',
    project: 'Aman',
    files: AMAN_PROJECT,
    entry: 'Error.dtsx',
    expectStatus: 4,
    prepare(ctx) {
      // Products.csv with product 3's name made 60 characters long: the source column is DT_STR(50) with
      // TruncationRowDisposition FailComponent, so the data flow fails and the OnError handlers run.
      const text = readFileSync(join(CORPUS, AMAN, 'Products.csv'), 'latin1').replace('Aniseed Syrup', 'Aniseed Syrup'.padEnd(60, 'x'));
      writeText(ctx.file('Products.csv'), text);
      return amanError(ctx, ctx.file('Products.csv'));
    },
    check(ctx, errors) {
      assert.match(errors, /row 3 column "ProductName"/, 'the truncation names the row and the column');
      assert.match(errors, /REPLACE: the search string must not be empty/, 'the handlers\' expression fails, as documented');
      assert.equal(query(ctx.file('target.sqlite'), 'SELECT * FROM Error_Logs'), [], 'so nothing is logged');
      return 1;
    },
  },
  {
    name: '98amanmaurya forloopPackage (incremental: Lookup, Conditional Split, File System move)',
    project: 'Aman',
    files: AMAN_PROJECT,
    entry: 'forloopPackage.dtsx',
    prepare(ctx) {
      const pkg = `${AMAN}/forloopPackage.dtsx`;
      copyData(ctx, `${AMAN}/Products.csv`, 'Files/Products.csv');
      mkdirSync(ctx.file('Processed'), { recursive: true });
      // The warehouse already holds products 1-10, two of them under an older name: 1-10 are found by the
      // Lookup, the two renamed ones go to stage.UpdateProducts, the other 67 are new and go to ProductsCSV.
      // CSVProduct (counted, truncated when not empty) and Error_Logs have no DDL in the repository.
      const target = db(ctx, `${ddlFromDestination(pkg, 'Products', 'ProductsCSV')}
        ${ddlFromDestination(pkg, 'Stage Updates', 'UpdateProducts')}
        CREATE TABLE CSVProduct (ProductID TEXT);
        CREATE TABLE Error_Logs (Name TEXT, Package TEXT, Task TEXT, Code INTEGER, Description TEXT, LoggedAt DATETIME);`);
      const d = new Database(target);
      for (const r of productsCsv().slice(0, 10)) {
        const name = r[0] === '3' || r[0] === '7' ? `${r[1]} (old name)` : r[1];
        d.prepare('INSERT INTO ProductsCSV (ProductID, ProductName, UnitPrice) VALUES (?, ?, ?)').run(r[0], name, r[5]);
      }
      d.prepare('INSERT INTO CSVProduct VALUES (?)').run('stale');
      d.close();
      const task = '\\Package\\Foreach Loop Container\\Import CSV';
      return {
        parameters: [{ objectType: 20, name: 'ProcessedFolder', value: ctx.file('Processed') }],
        overrides: [
          { path: '\\Package\\Foreach Loop Container.ForEachEnumerator.Properties[Directory]', value: ctx.file('Files') },
          { path: cm('productcsv'), value: ctx.file('Files/Products.csv') },
          { path: cm('AdvWrk17'), value: sqlite(target) },
          // SQLite has no dbo schema, no TRUNCATE and no [stage] schema.
          { path: '\\Package\\Task -Row Cont.Properties[SqlStatementSource]', value: 'SELECT COUNT(*) FROM CSVProduct' },
          { path: '\\Package\\Truncate CSV Product.Properties[SqlStatementSource]', value: 'DELETE FROM CSVProduct' },
          { path: `${task}.Properties[[Lookup].[SqlCommand]]`, value: 'SELECT * FROM ProductsCSV' },
          { path: `${task}.Properties[[Stage Updates].[OpenRowset]]`, value: 'UpdateProducts' },
        ],
      };
    },
    check(ctx) {
      const file = ctx.file('target.sqlite');
      const csv = productsCsv();
      const newRows = query<string[]>(file, 'SELECT ProductID, ProductName, SupplierID, CategoryID, QuantityPerUnit, UnitPrice, UnitsInStock, UnitsOnOrder, ReorderLevel, Discontinued FROM ProductsCSV WHERE CAST(ProductID AS INTEGER) > 10 ORDER BY CAST(ProductID AS INTEGER)');
      assert.equal(newRows, csv.slice(10), 'the 67 products not in the table were inserted, every field');
      assert.is(query(file, 'SELECT * FROM ProductsCSV').length, 77);
      const updates = query(file, 'SELECT ProductID, ProductName FROM UpdateProducts ORDER BY CAST(ProductID AS INTEGER)');
      assert.equal(updates, [['3', csv[2]![1]], ['7', csv[6]![1]]], 'the two renamed products are staged as updates with their new names');
      assert.equal(query(file, 'SELECT * FROM CSVProduct'), [], 'CSVProduct was not empty, so it was truncated');
      assert.ok(existsSync(ctx.file('Processed/Products.csv')) && !existsSync(ctx.file('Files/Products.csv')), 'the file was moved to ProcessedFolder');
      return newRows.length + updates.length;
    },
  },
  {
    name: 'DhahbiMohamedAmine Package (unfinished: fails naming what is missing)',
    project: 'Dhahbi',
    files: ['DhahbiMohamedAmine__Methode-container-foreach-avec-SSIS-/Integration Services Project1/Package.dtsx'],
    entry: 'Package.dtsx',
    expectStatus: 4,
    prepare(ctx) {
      // The repository's package was left unfinished: its three OLE DB Destinations name no table (two have no
      // connection manager either) and its two OLE DB Sources neither a table nor a query, so SSIS cannot run
      // it either. Redirected anyway (employee.txt, the employe table of project.sql), it must fail naming the
      // component and leave the table untouched.
      const target = db(ctx, 'CREATE TABLE employe (id INTEGER, name VARCHAR(30), age INTEGER);');
      return { overrides: [
        { path: cm('Gestionnaire de connexions de fichiers plats 1'), value: copyData(ctx, 'DhahbiMohamedAmine__Methode-container-foreach-avec-SSIS-/employee.txt') },
        { path: cm('MOHAMED_AMINE.project'), value: sqlite(target) },
      ] };
    },
    check(ctx, errors) {
      assert.match(errors, /Destination OLE DB( \d)?: no destination table is set/);
      assert.equal(query(ctx.file('target.sqlite'), 'SELECT * FROM employe'), []);
      return 1;
    },
  },
  {
    name: 'PDominik97 Package (exports to flat files, ForEach import; Excel .xls part disabled)',
    project: 'PDominik',
    // Its .dtproj also lists Package1.dtsx (another exercise): the package is deployed with Project.params only.
    files: ['Package.dtsx', 'Project.params'].map((f) => `${PDOMINIK}/Integration Services Project1/${f}`),
    entry: 'Package.dtsx',
    prepare(ctx) {
      // AdventureWorksLT's Person.Address, seeded from the repository's backup_files (the files this package
      // exported on its author's machine: Input_<city>_11-10-2023.txt), so the export must give them back.
      const pkg = `${PDOMINIK}/Integration Services Project1/Package.dtsx`;
      const target = db(ctx, `CREATE TABLE Address (AddressID INTEGER, AddressLine1 NVARCHAR(60), AddressLine2 NVARCHAR(60), City NVARCHAR(30), StateProvinceID INTEGER, PostalCode NVARCHAR(15), ModifiedDate DATETIME);
        ${ddlFromDestination(pkg, 'OLE DB Destination', 'My_PersonAdress')}`);
      const d = new Database(target);
      for (const r of pdominikRows()) d.prepare('INSERT INTO Address VALUES (?, ?, ?, ?, ?, ?, ?)').run(...r);
      d.close();
      mkdirSync(ctx.file('work'), { recursive: true });
      const source = (dft: string, city: string): Override => ({ path: `\\Package\\Export data to flat file\\${dft}.Properties[[OLE DB Source].[SqlCommand]]`,
        value: `SELECT AddressID, AddressLine1, AddressLine2, City, StateProvinceID, PostalCode, ModifiedDate FROM Address WHERE City = '${city}'` });
      const disable = (task: string): Override => ({ path: `\\Package\\${task}.Properties[Disable]`, value: 'True' });
      return {
        // python_path is Required (start_execution refuses to start without it), though its task is disabled here.
        parameters: [{ objectType: 30, name: 'WorkingDirectory_path', value: ctx.file('work') }, { objectType: 30, name: 'python_path', value: 'python3' }],
        overrides: [
          { path: cm('DESKTOP-9J527KO.AdventureWorksLT2019'), value: sqlite(target) },
          // Person.Address is a schema-qualified T-SQL name; SQLite has the table as Address.
          source('Kenmore City', 'Kenmore'), source('Renton City', 'Renton'), source('Seattle City', 'Seattle'),
          { path: '\\Package\\import data into "My_PersonAdress" table.ForEachEnumerator.Properties[Directory]', value: ctx.file('work') },
          { path: '\\Package\\if not exist, create table SSIS_execute.Properties[SqlStatementSource]', value: 'CREATE TABLE IF NOT EXISTS SSIS_execute (DbLogID INTEGER PRIMARY KEY AUTOINCREMENT, ExecuteTime DATETIME NOT NULL)' },
          { path: '\\Package\\Execute Time.Properties[SqlStatementSource]', value: "INSERT INTO SSIS_execute (ExecuteTime) VALUES (datetime('now'))" },
          // Not runnable here: the Python script the Execute Process Task runs is not in the repository, and the
          // Excel part writes export.xls (Excel 97-2003), which can be read here but not written.
          disable('backup input files'), disable('Create CSV directory'), disable('create excel worksheet'),
          disable('export data from My_PersonAdress to excel file'), disable('copy exported file'),
          disable('renamed copied csv file'), disable('drop excel worksheet'),
        ],
      };
    },
    check(ctx) {
      let n = 0;
      for (const [out, golden] of [['Input_Kenmore.txt', PDOMINIK_GOLDEN[0]], ['Input_Renton.txt', PDOMINIK_GOLDEN[1]], ['Input_Seattle.txt', PDOMINIK_GOLDEN[2]]] as const) {
        const want = lines(join(CORPUS, PDOMINIK, 'backup_files', golden));
        assert.equal(lines(ctx.file(`work/${out}`)), want, `${out} is the repository's ${golden}, line by line`);
        n += want.length - 1;
      }
      // The import reads the exported files back with the same unqualified layout: an empty AddressLine2 is ''
      // (RetainNulls is off), and the address line with a comma splits, the last column keeping the rest.
      const file = ctx.file('target.sqlite');
      const rows = query(file, 'SELECT AddressID, AddressLine1, AddressLine2, City, StateProvinceID, PostalCode FROM My_PersonAdress WHERE AddressID <> 13079 ORDER BY AddressID')
        .map((r) => JSON.stringify(r));
      const expected = pdominikRows().filter((r) => r[0] !== 13079).sort((a, b) => a[0] - b[0])
        .map((r) => JSON.stringify([r[0], r[1], r[2] ?? '', r[3], r[4], r[5]]));
      assert.is(rows.length, 268);
      assert.equal(rows, expected, 'the ForEach loop imported every exported row into My_PersonAdress');
      // 13079: '081' | ' boulevard du Montparnasse' | '' | 'Seattle' | '79' | '98104,2013-12-06 00:00:00'. Only the text
      // columns are checked: SQLite keeps 'Seattle' in the INTEGER column where SQL Server would refuse the row.
      assert.equal(query(file, 'SELECT AddressLine1, AddressLine2, City, PostalCode FROM My_PersonAdress WHERE AddressID = 13079'), [['081', ' boulevard du Montparnasse', '', '79']]);
      assert.is(query(ctx.file('target.sqlite'), 'SELECT * FROM SSIS_execute').length, 1, 'one run logged');
      return n + rows.length + 1;
    },
  },
  {
    name: 'AmiraBedhiafi Split (golden DATA_OUI/DATA_NON)',
    project: 'AmiraSplit',
    // The .dtproj lists packages the repository does not have (Full Load.dtsx): the folder is deployed without it.
    files: [`${AMIRA}/Split.dtsx`, `${AMIRA}/DATA txt Global.conmgr`, `${AMIRA}/LocalHost.Initiation_To_SSIS.conmgr`, `${AMIRA}/Project.params`],
    entry: 'Split.dtsx',
    prepare(ctx) {
      // data.txt is not in the repository: rebuilt from the golden outputs' first 8 fields (Numero … Decision),
      // the two files' rows interleaved, CR LF rows, '|' delimited, no header (the connection manager's layout).
      const non = lines(join(CORPUS, AMIRA, 'DATA_NON.txt')).map((l) => l.split('|').slice(0, 8).join('|'));
      const oui = lines(join(CORPUS, AMIRA, 'DATA_OUI.txt')).map((l) => l.split('|').slice(0, 8).join('|'));
      const rows: string[] = [];
      for (let i = 0, j = 0; i < non.length || j < oui.length;) {
        if (i < non.length) rows.push(non[i++]!);
        if (i < non.length) rows.push(non[i++]!);
        if (i < non.length) rows.push(non[i++]!);
        if (j < oui.length) rows.push(oui[j++]!);
      }
      writeText(ctx.file('data.txt'), rows.map((r) => r + '\r\n').join(''));
      return { overrides: [
        { path: cm('DATA txt Global'), value: ctx.file('data.txt') },
        { path: cm('Flat File Connection Manager'), value: ctx.file('DATA_OUI.txt') },
        { path: cm('Flat File Connection Manager 1'), value: ctx.file('DATA_NON.txt') },
      ] };
    },
    check(ctx) {
      // DATA_OUI.txt: its destination maps no Somme/Date_Systeme, so the golden file is compared whole.
      const goldenOui = lines(join(CORPUS, AMIRA, 'DATA_OUI.txt'));
      assert.equal(lines(ctx.file('DATA_OUI.txt')), goldenOui, 'DATA_OUI.txt is the golden file, line by line');
      // DATA_NON.txt: the same but for Date_Systeme (GETDATE() of SSIS's run), checked for its form.
      const golden = lines(join(CORPUS, AMIRA, 'DATA_NON.txt')).map((l) => l.split('|'));
      const got = lines(ctx.file('DATA_NON.txt')).map((l) => l.split('|'));
      assert.is(got.length, golden.length, 'DATA_NON.txt: as many rows as the golden file');
      got.forEach((g, i) => {
        assert.equal(g.slice(0, 9), golden[i]!.slice(0, 9), `DATA_NON.txt row ${i + 1}: fields and Somme as SSIS wrote them`);
        assert.match(g[9]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{9})?$/, `DATA_NON.txt row ${i + 1}: Date_Systeme (GETDATE()) in SSIS's text form`);
      });
      const n = goldenOui.length + got.length;
      return n;
    },
  },
  JOHNYU_CASE,
];

/** The Mentors sheet of series data.xls: [MentorId, MentorName]. */
function mentors(xls: string): [number, string][] {
  const wb = SheetJS.read(readFileSync(xls), { type: 'buffer' });
  return SheetJS.utils.sheet_to_json<{ MentorId: number; MentorName: string }>(wb.Sheets['Mentors']!).map((r) => [r.MentorId, r.MentorName]);
}

function writeText(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  // latin1: the package's code page is 1252 and the golden files are in it.
  writeFileSync(file, Buffer.from(text, 'latin1'));
}

/** Files under a corpus folder matching `re` (for ForEach loops), sorted. */
export function corpusFiles(rel: string, re: RegExp): string[] {
  return readdirSync(join(CORPUS, rel)).filter((f) => re.test(f)).sort().map((f) => `${rel}/${f}`);
}
