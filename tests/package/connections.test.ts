/**
 * Connection strings and provider selection: quoting and malformed strings with positions, which
 * provider each real-world string gets, SQL Server settings (instance, port, Windows authentication),
 * FILE usage types and SMTP settings, and the SQL text helpers (GO batches, markers outside literals).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConnectionString } from '../../executor/package/connections/connection-string.ts';
import { databaseProvider } from '../../executor/package/connections/factory.ts';
import { fileConnection } from '../../executor/package/connections/files.ts';
import { smtpSettings } from '../../executor/package/connections/smtp.ts';
import { sqlServerSettings } from '../../executor/package/connections/sqlserver.ts';
import { findMarkers, splitGoBatches, splitStatements } from '../../executor/package/connections/sql-text.ts';
import type { ConnectionManagerDef } from '../../executor/package/model.ts';

const cm = (creationName: string, connectionString: string, properties: Record<string, string> = {}): ConnectionManagerDef => ({
  id: '{X}', name: 'Conn', creationName, connectionString, properties, propertyExpressions: [], scope: 'package',
});

const cs = suite('connection strings and providers');

cs('parses quoted, braced and spaced values; keys ignore case and spaces', () => {
  const k = parseConnectionString(` Data Source = srv ; Password="a;b""c" ;Extended Properties='x;y';Driver={SQL Server};Initial Catalog=Db`, 'c');
  assert.is(k.get('data source'), 'srv');
  assert.is(k.get('PASSWORD'), 'a;b"c');
  assert.is(k.get('Extended Properties'), 'x;y');
  assert.is(k.get('Driver'), 'SQL Server');
  assert.is(k.get('InitialCatalog'), 'Db');
});

cs('malformed strings name the position', () => {
  assert.throws(() => parseConnectionString('Server=a;Password="open', 'conn X'), /conn X is malformed at position 19: the quoted value of 'Password' is not closed/);
  assert.throws(() => parseConnectionString('Server=a;junk;', 'conn X'), /position 10: expected 'Key=Value' but found 'junk'/);
});

cs('provider by CreationName and connection string', () => {
  const d = (c: string, s: string) => databaseProvider(cm(c, s)).dialect;
  assert.is(d('OLEDB', 'Data Source=db1;Initial Catalog=Sales;Provider=SQLNCLI11.1;User ID=u;Password=p;'), 'mssql');
  assert.is(d('OLEDB', 'Provider=MSOLEDBSQL19;Server=db1;UID=u;PWD=p'), 'mssql');
  assert.is(d('ADO.NET:System.Data.SqlClient.SqlConnection, System.Data, Version=4.0.0.0', 'Data Source=db1;User ID=u;Password=p'), 'mssql');
  assert.is(d('OLEDB', 'Provider=SQLite;Data Source=/tmp/x.db'), 'sqlite');
  assert.is(d('ADO.NET:System.Data.SQLite.SQLiteConnection', 'Data Source=/tmp/x.sqlite;Version=3;'), 'sqlite');
  assert.is(d('OLEDB', 'postgres://u:p@h:5432/db'), 'postgres');
  assert.is(d('ADO.NET:Npgsql.NpgsqlConnection', 'Host=h;Port=5432;Database=db;Username=u;Password=p'), 'postgres');
  assert.is(d('OLEDB', 'Provider=PostgreSQL;Host=h;Database=db;User ID=u'), 'postgres');
  assert.throws(() => d('EXCEL', 'Provider=Microsoft.ACE.OLEDB.12.0;Data Source=a.xlsx'), /is a EXCEL connection, not a database connection/);
  assert.throws(() => d('OLEDB', 'Provider=Microsoft.ACE.OLEDB.12.0;Data Source=a.xlsx'), /the OLE DB provider 'Microsoft.ACE.OLEDB.12.0' is not supported/);
  assert.throws(() => d('OLEDB', ''), /empty connection string .*override/);
});

cs('SQL Server settings: instance, port, local names, Windows authentication', () => {
  const s = (t: string) => sqlServerSettings(parseConnectionString(t, 'c'), 'c');
  const a = s('Data Source=tcp:db1\\SQL2019,1444;User ID=u;Password=p;Encrypt=True;TrustServerCertificate=True;Connect Timeout=5;Application Name=App');
  assert.equal([a.server, a.instanceName, a.port, a.encrypt, a.trustServerCertificate, a.connectTimeoutMs, a.appName], ['db1', 'SQL2019', 1444, true, true, 5000, 'App']);
  assert.is(s('Server=(local);UID=u;PWD=p').server, 'localhost');
  assert.throws(() => s('Data Source=db1;Integrated Security=SSPI;'), /Integrated Security cannot be used on this worker; override the connection string with a SQL login/);
  assert.is(s('Data Source=db1;Integrated Security=SSPI;User ID=etl;Password=x').user, 'etl');
  assert.throws(() => s('Data Source=db1,99999;User ID=u'), /port .* is not a number from 1 to 65535/);
});

cs('FILE usage types and SMTP settings', () => {
  assert.equal(fileConnection(cm('FILE', '/data/in.csv', { FileUsageType: '0' })), { path: '/data/in.csv', usage: 'existingFile' });
  assert.equal(fileConnection(cm('FILE', 'out', { FileUsageType: '3' }), '/work'), { path: '/work/out', usage: 'createFolder' });
  assert.throws(() => fileConnection(cm('FILE', 'x', { FileUsageType: '7' })), /FileUsageType 7 is not 0/);
  const m = smtpSettings(cm('SMTP', 'SmtpServer=mail.local;UseWindowsAuthentication=True;EnableSsl=True;'));
  assert.equal([m.host, m.port, m.enableSsl, m.useWindowsAuthentication], ['mail.local', 465, true, true]);
  assert.is(smtpSettings(cm('SMTP', 'SmtpServer=m;Port=2525;UserName=a;Password=b')).user, 'a');
  assert.throws(() => smtpSettings(cm('SMTP', 'UseWindowsAuthentication=False;')), /names no SmtpServer/);
});

const st = suite('SQL text');

st('GO splits batches only on its own line and outside comments and literals; GO n repeats', () => {
  assert.equal(splitGoBatches("SELECT 1\nGO\nSELECT 'x\nGO\n'\n/*\nGO\n*/\ngo 2\n"), ['SELECT 1\n', "\nSELECT 'x\nGO\n'\n/*\nGO\n*/\n", "\nSELECT 'x\nGO\n'\n/*\nGO\n*/\n"]);
  assert.equal(splitGoBatches('SELECT category FROM t'), ['SELECT category FROM t']);
});

st('markers outside literals, comments and @@variables; statements split on ;', () => {
  const m = findMarkers("SELECT ?, '?', [a?], @Id, @@ROWCOUNT -- ?\n, x ?| y, email@host /* @no */ , ?");
  assert.equal(m.map((x) => (x.kind === 'named' ? `@${x.name}` : '?')), ['?', '@Id', '?']);
  assert.equal(splitStatements("a; 'b;c'; -- d;\n e;"), ['a', "'b;c'", '-- d;\n e']);
  assert.equal(splitStatements('CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; SELECT 2; END; SELECT 3'), ['CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; SELECT 2; END', 'SELECT 3']);
});

cs.run();
st.run();
