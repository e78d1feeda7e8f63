/**
 * The end-to-end package: Flat File Source → Derived Column → Data Conversion → Conditional
 * Split → Lookup (SQLite) → OLE DB Destination (SQLite), with the split's default output and the
 * Lookup's no-match output going to Flat File Destinations. Used in-process and under Scale Out.
 */
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { PackageSpec } from './builder.ts';

export const SALES_CSV = 'Id,Name,Country,Amount\r\n1,ann,FR,10.50\r\n2,bob,DE,0\r\n3,cy,XX,7\r\n4,dee,FR,12\r\n5,eve,de,3.25\r\n6,fay,DE,-1\r\n';

/** Writes the input file and the SQLite database (Countries reference, empty Sales target). */
export function prepareSalesData(csv: string, db: string): void {
  writeFileSync(csv, SALES_CSV);
  const d = new Database(db);
  d.exec('CREATE TABLE Countries (Code TEXT, CountryName TEXT); INSERT INTO Countries VALUES (\'FR\', \'France\'), (\'DE\', \'Germany\');');
  d.exec('CREATE TABLE Sales (Id INTEGER, CustomerName TEXT, CountryName TEXT, Amount NUMERIC)');
  d.close();
}

export function salesPackage(paths: { csv: string; db: string; rejected: string; unmatched: string }): PackageSpec {
  return {
    flatFiles: [
      { name: 'Customers', path: paths.csv, header: true, columns: [{ name: 'Id' }, { name: 'Name' }, { name: 'Country' }, { name: 'Amount' }] },
      { name: 'Rejected', path: paths.rejected, header: true, columns: [{ name: 'Id', dataType: 3 }, { name: 'Amount', dataType: 131, precision: 10, scale: 2 }] },
      { name: 'Unmatched', path: paths.unmatched, columns: [{ name: 'Id', dataType: 3 }, { name: 'Country' }] },
    ],
    oledb: [{ name: 'Warehouse', connectionString: `Provider=SQLite;Data Source=${paths.db}` }],
    components: [
      {
        name: 'Read Customers', classId: 'Microsoft.FlatFileSource', connection: 'Customers',
        outputs: [{ name: 'Out', external: ['Id', 'Name', 'Country', 'Amount'].map((n) => ({ name: n, dataType: 'wstr', length: 50 })),
          columns: ['Id', 'Name', 'Country', 'Amount'].map((n) => ({ name: n, dataType: 'wstr', length: 50, ext: n })) }],
      },
      {
        name: 'Upper Name', classId: 'Microsoft.DerivedColumn',
        inputs: [{ name: 'In', columns: [{ from: 'Read Customers.Out.Name' }, { from: 'Read Customers.Out.Country', usage: 'readWrite', props: { FriendlyExpression: 'UPPER(Country)' } }] }],
        outputs: [{ name: 'Out', syncWith: 'In', columns: [{ name: 'NameUpper', dataType: 'wstr', length: 50, props: { FriendlyExpression: 'UPPER(LEFT(Name, 1)) + SUBSTRING(Name, 2, 50)' } }] }],
      },
      {
        name: 'Convert Types', classId: 'Microsoft.DataConvert',
        inputs: [{ name: 'In', columns: [{ from: 'Read Customers.Out.Id' }, { from: 'Read Customers.Out.Amount' }] }],
        outputs: [{ name: 'Out', syncWith: 'In', columns: [
          { name: 'IdNum', dataType: 'i4', props: { SourceInputColumnLineageID: '#{Package\\Data Flow Task\\Read Customers.Outputs[Out].Columns[Id]}' } },
          { name: 'AmountNum', dataType: 'numeric', precision: 10, scale: 2, props: { SourceInputColumnLineageID: '#{Package\\Data Flow Task\\Read Customers.Outputs[Out].Columns[Amount]}' } },
        ] }],
      },
      {
        name: 'Positive?', classId: 'Microsoft.ConditionalSplit',
        inputs: [{ name: 'In', columns: [{ from: 'Convert Types.Out.AmountNum' }] }],
        outputs: [
          { name: 'Positive', syncWith: 'In', props: { FriendlyExpression: 'AmountNum > 0', EvaluationOrder: '0' } },
          { name: 'Not Positive', syncWith: 'In', props: { IsDefaultOut: 'true' } },
        ],
      },
      {
        name: 'Find Country', classId: 'Microsoft.Lookup', connection: 'Warehouse',
        props: { SqlCommand: 'SELECT Code, CountryName FROM Countries', CacheType: '0', NoMatchBehavior: '1' },
        inputs: [{ name: 'In', columns: [{ from: 'Read Customers.Out.Country', props: { JoinToReferenceColumn: 'Code' } }] }],
        outputs: [
          { name: 'Lookup Match Output', syncWith: 'In', columns: [{ name: 'CountryName', dataType: 'wstr', length: 50, props: { CopyFromReferenceColumn: 'CountryName' } }] },
          { name: 'Lookup No Match Output', syncWith: 'In' },
          { name: 'Lookup Error Output', syncWith: 'In', error: true },
        ],
      },
      {
        name: 'Load Sales', classId: 'Microsoft.OLEDBDestination', connection: 'Warehouse', props: { AccessMode: '3', OpenRowset: '[dbo].[Sales]', FastLoadOptions: 'TABLOCK,CHECK_CONSTRAINTS' },
        inputs: [{ name: 'In', columns: [
          { from: 'Convert Types.Out.IdNum', ext: 'Id' }, { from: 'Upper Name.Out.NameUpper', ext: 'CustomerName' },
          { from: 'Find Country.Lookup Match Output.CountryName', ext: 'CountryName' }, { from: 'Convert Types.Out.AmountNum', ext: 'Amount' },
        ], external: [{ name: 'Id', dataType: 'i4' }, { name: 'CustomerName', dataType: 'wstr', length: 50 }, { name: 'CountryName', dataType: 'wstr', length: 50 }, { name: 'Amount', dataType: 'numeric', precision: 10, scale: 2 }] }],
      },
      {
        name: 'Write Rejected', classId: 'Microsoft.FlatFileDestination', connection: 'Rejected',
        inputs: [{ name: 'In', columns: [{ from: 'Convert Types.Out.IdNum', ext: 'Id' }, { from: 'Convert Types.Out.AmountNum', ext: 'Amount' }],
          external: [{ name: 'Id', dataType: 'i4' }, { name: 'Amount', dataType: 'numeric', precision: 10, scale: 2 }] }],
      },
      {
        name: 'Write Unmatched', classId: 'Microsoft.FlatFileDestination', connection: 'Unmatched',
        inputs: [{ name: 'In', columns: [{ from: 'Convert Types.Out.IdNum', ext: 'Id' }, { from: 'Read Customers.Out.Country', ext: 'Country' }],
          external: [{ name: 'Id', dataType: 'i4' }, { name: 'Country', dataType: 'wstr', length: 50 }] }],
      },
    ],
    paths: [
      ['Read Customers.Out', 'Upper Name.In'], ['Upper Name.Out', 'Convert Types.In'], ['Convert Types.Out', 'Positive?.In'],
      ['Positive?.Positive', 'Find Country.In'], ['Positive?.Not Positive', 'Write Rejected.In'],
      ['Find Country.Lookup Match Output', 'Load Sales.In'], ['Find Country.Lookup No Match Output', 'Write Unmatched.In'],
    ],
  };
}

export const EXPECTED_SALES = [
  [1, 'Ann', 'France', 10.5], [4, 'Dee', 'France', 12], [5, 'Eve', 'Germany', 3.25],
];
// DT_NUMERIC is written without a leading zero, as SSIS writes it ('.20' in the AmiraBedhiafi golden DATA_NON.txt).
export const EXPECTED_REJECTED = 'Id,Amount\r\n2,.00\r\n6,-1.00\r\n';
export const EXPECTED_UNMATCHED = '3,XX\r\n';
/** Rows per path name (P0…P6 as the builder names them). */
export const EXPECTED_PATH_ROWS: Readonly<Record<string, number>> = { P0: 6, P1: 6, P2: 6, P3: 4, P4: 2, P5: 3, P6: 1 };
