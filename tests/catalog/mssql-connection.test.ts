/**
 * The SQL Server catalog's offline pieces: connection strings and SqlServerName to mssql configs,
 * driver errors back to SsoErrors (catalog numbers with the registry's texts), and the
 * `scaleout catalog` command's usage errors. No server is needed.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable, Readable } from 'node:stream';
import { SsoError } from '../../actors/errors.ts';
import { catalogError, CatalogErrorMessages } from '../../actors/catalog-errors.ts';
import { describeConfig, mssqlConfigFromConnectionString, mssqlConfigFromMasterSettings, parseServer } from '../../runtime/catalog/mssql-connection.ts';
import { isRetryableSqlError, mapMssqlError } from '../../runtime/catalog/mssql-errors.ts';
import { openMssqlCatalog, resolveMssqlConfig } from '../../runtime/catalog/mssql-catalog-store.ts';
import { main } from '../../runtime/cli/main.ts';

function expectConfigError(fn: () => unknown, key: string, text: RegExp): void {
  try {
    fn();
  } catch (error) {
    assert.ok(SsoError.is(error), String(error));
    assert.is(error.code, 'SSO_ERR_CONFIG_INVALID');
    assert.is(error.where, key);
    assert.match(error.message, text);
    return;
  }
  assert.unreachable(`expected an error about ${key}`);
}

// ---------------------------------------------------------------------------------------------
const cs = suite('mssql connection strings');

cs('the usual ADO.NET form maps onto server, port, database, login, encryption and timeouts', () => {
  const c = mssqlConfigFromConnectionString('Server=db.example.com,1433;Database=SSISDB2;User Id=sa;Password="p@ss;w0rd";Encrypt=false;TrustServerCertificate=true;Connect Timeout=7');
  assert.is(c.server, 'db.example.com');
  assert.is(c.port, 1433);
  assert.is(c.database, 'SSISDB2');
  assert.is(c.user, 'sa');
  assert.is(c.password, 'p@ss;w0rd');
  assert.is(c.options?.encrypt, false);
  assert.is(c.options?.trustServerCertificate, true);
  assert.is(c.connectionTimeout, 7000);
  assert.is(describeConfig(c), 'db.example.com,1433/SSISDB2 as sa');
});

cs('quoted values keep ; and =, keys are case-insensitive with their aliases; defaults are SSISDB, encrypt on', () => {
  const c = mssqlConfigFromConnectionString("data source=tcp:127.0.0.1,14330;initial catalog=Cat;UID=app;PWD='a;b=c';Application Name=probe;Max Pool Size=4");
  assert.is(c.password, 'a;b=c');
  assert.is(c.server, '127.0.0.1');
  assert.is(c.port, 14330);
  assert.is(c.database, 'Cat');
  assert.is(c.user, 'app');
  assert.is(c.options?.appName, 'probe');
  assert.is(c.pool?.max, 4);
  const d = mssqlConfigFromConnectionString('Server=.;User Id=sa;Password=x');
  assert.equal([d.server, d.database, d.options?.encrypt, d.options?.trustServerCertificate], ['localhost', 'SSISDB', true, false]);
});

cs('server forms: host, host,port, host\\instance, (local), tcp:', () => {
  assert.equal(parseServer('sql01'), { host: 'sql01' });
  assert.equal(parseServer('sql01,1500'), { host: 'sql01', port: 1500 });
  assert.equal(parseServer('sql01\\SSIS'), { host: 'sql01', instanceName: 'SSIS' });
  assert.equal(parseServer('(local)'), { host: 'localhost' });
  assert.equal(parseServer('tcp:listener.corp,1433'), { host: 'listener.corp', port: 1433 });
  assert.is(mssqlConfigFromConnectionString('Server=sql01\\SSIS;User Id=u;Password=p').options?.instanceName, 'SSIS');
});

cs('bad input names the key and what was expected', () => {
  expectConfigError(() => mssqlConfigFromConnectionString('Database=X;User Id=u'), 'Server', /missing/);
  expectConfigError(() => mssqlConfigFromConnectionString('Server=h;Password=p'), 'User Id', /SQL login/);
  expectConfigError(() => mssqlConfigFromConnectionString('Server=h,99999;User Id=u'), 'Server', /outside 1…65535/);
  expectConfigError(() => mssqlConfigFromConnectionString('Server=h,abc;User Id=u'), 'Server', /not a whole number/);
  expectConfigError(() => mssqlConfigFromConnectionString('Server=h;User Id=u;Encrypt=maybe'), 'Encrypt', /not a boolean/);
  expectConfigError(() => mssqlConfigFromConnectionString('Server=h;User Id=u;Connect Timeout=-1'), 'Connect Timeout', /whole number/);
  expectConfigError(() => mssqlConfigFromConnectionString('Server=h;User Id=u;Frobnicate=1'), 'Frobnicate', /not a SQL Server connection string key/);
  expectConfigError(() => mssqlConfigFromConnectionString('Server=h;Integrated Security=SSPI'), 'Integrated Security', /Windows/);
  expectConfigError(() => mssqlConfigFromConnectionString('Server=np:\\\\.\\pipe\\sql;User Id=u'), 'Server', /TCP/);
  expectConfigError(() => mssqlConfigFromConnectionString('Server=h;User Id=u;ApplicationIntent=ReadOnly'), 'ApplicationIntent', /read-write/);
  expectConfigError(() => mssqlConfigFromConnectionString('Server=h;User Id=u;Min Pool Size=5;Max Pool Size=2'), 'Min Pool Size', /larger than Max Pool Size/);
  expectConfigError(() => mssqlConfigFromConnectionString(''), 'connection string', /empty/);
});

cs("the master's SqlServerName + SqlConnectionTimeoutInSecs, with the login from the environment", () => {
  const env = { SCALEOUT_MSSQL_USER: 'svc', SCALEOUT_MSSQL_PASSWORD: 'pw', SCALEOUT_MSSQL_TRUST_SERVER_CERTIFICATE: 'true' };
  const c = mssqlConfigFromMasterSettings({ server: 'ag-listener,1433', connectionTimeoutMs: 15000, env });
  assert.equal([c.server, c.port, c.user, c.password, c.database, c.connectionTimeout, c.options?.trustServerCertificate], ['ag-listener', 1433, 'svc', 'pw', 'SSISDB', 15000, true]);
  assert.is(mssqlConfigFromMasterSettings({ server: 'h', connectionTimeoutMs: 0, env }).connectionTimeout, 86_400_000);
  // A whole connection string in SqlServerName is accepted too.
  assert.is(mssqlConfigFromMasterSettings({ server: 'Server=h2;User Id=u;Password=p', env: {} }).server, 'h2');
  expectConfigError(() => mssqlConfigFromMasterSettings({ server: 'h', env: {} }), 'SqlServerName', /SCALEOUT_MSSQL_USER/);
  // The master's own call shape resolves the same way.
  assert.is(resolveMssqlConfig({ server: 'h,1', connectionTimeoutMs: 3000, env }).connectionTimeout, 3000);
});

cs('openMssqlCatalog without a target, or with a bad one, fails with a clear error and leaves nothing open', async () => {
  try {
    await openMssqlCatalog({});
    assert.unreachable('no target');
  } catch (error) {
    assert.ok(SsoError.is(error) && error.code === 'SSO_ERR_CONFIG_INVALID', String(error));
  }
  try {
    // Port 1 on loopback: refused at once, bounded by the connect timeout either way.
    await openMssqlCatalog({ connectionString: 'Server=127.0.0.1,1;User Id=sa;Password=x;Encrypt=false;Connect Timeout=3' });
    assert.unreachable('nothing listens there');
  } catch (error) {
    assert.ok(SsoError.is(error) && error.code === 'SSO_ERR_CATALOG_IO', String(error));
    assert.match(error.message, /Cannot connect to SQL Server 127\.0\.0\.1,1/);
  }
});

// ---------------------------------------------------------------------------------------------
const errors = suite('mssql error mapping');

/** What mssql's RequestError looks like for a THROW from internal.raise_catalog_error. */
function driverError(number: number, message: string): Error {
  return Object.assign(new Error(message), { name: 'RequestError', code: 'EREQUEST', number, originalError: { info: { number, message } } });
}

errors('a catalog THROW comes back as the same SsoError catalogError() builds', () => {
  const expected = catalogError(27243, '64c020e2-f819-4c2d-a22f-efb31a91e70a');
  const mapped = mapMssqlError(driverError(50000, `[27243] ${expected.message}`), 'internal.pull_task');
  assert.is(mapped.code, 'SSO_ERR_CATALOG');
  assert.is(mapped.number, 27243);
  assert.is(mapped.message, expected.message);
  assert.is(mapped.level, 16);
  assert.is(mapped.where, 'internal.pull_task');
  // Every registered number survives the trip, multi-line text included.
  for (const n of Object.keys(CatalogErrorMessages).map(Number) as (keyof typeof CatalogErrorMessages)[]) {
    const e = catalogError(n, 'a\nb', 'c');
    const back = mapMssqlError(driverError(50000, `[${n}] ${e.message}`), 'x');
    assert.equal([back.code, back.number, back.message], ['SSO_ERR_CATALOG', n, e.message]);
  }
});

errors('other SQL errors become SSO_ERR_CATALOG_IO with their number; unknown catalog numbers are not trusted', () => {
  const deadlock = mapMssqlError(driverError(1205, 'Transaction (Process ID 55) was deadlocked'), 'internal.pull_task');
  assert.equal([deadlock.code, deadlock.number], ['SSO_ERR_CATALOG_IO', 1205]);
  assert.match(deadlock.message, /SQL error 1205/);
  assert.is(mapMssqlError(driverError(50000, '[12345] not ours'), 'x').code, 'SSO_ERR_CATALOG_IO');
  assert.is(mapMssqlError(driverError(2812, "[27243] Could not find stored procedure 'x'."), 'x').code, 'SSO_ERR_CATALOG_IO');
  const already = catalogError(27100, 'x');
  assert.is(mapMssqlError(already, 'y'), already);
  const socket = mapMssqlError(Object.assign(new Error('Connection lost - read ECONNRESET'), { code: 'ESOCKET' }), 'read');
  assert.equal([socket.code, socket.number], ['SSO_ERR_CATALOG_IO', undefined]);
  assert.match(socket.message, /ESOCKET/);
  assert.ok(isRetryableSqlError(driverError(1205, 'deadlock')));
  assert.not.ok(isRetryableSqlError(driverError(50000, '[27243] x')));
});

// ---------------------------------------------------------------------------------------------
const cli = suite('scaleout catalog: usage');

async function runCli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (f: (s: string) => void) => new Writable({ write(chunk, _enc, cb) { f(String(chunk)); cb(); } });
  const code = await main(argv, { stdout: sink((s) => { out += s; }), stderr: sink((s) => { err += s; }), stdin: Readable.from([]), env, cwd: process.cwd() });
  return { code, out, err };
}

cli('missing or unknown subcommands, options and connection strings are usage errors (2) or named config errors (1)', async () => {
  assert.is((await runCli(['catalog'])).code, 2);
  const unknown = await runCli(['catalog', 'migrate']);
  assert.is(unknown.code, 2);
  assert.match(unknown.err, /unknown subcommand 'migrate'/);
  assert.match((await runCli(['catalog', 'status'])).err, /--connection/);
  assert.match((await runCli(['catalog', 'status', '--connection', 'Server=h;User Id=u', '--frob', '1'])).err, /unknown option '--frob'/);
  assert.match((await runCli(['catalog', 'upgrade', '--connection', 'Server=h;User Id=u', '--create-database'])).err, /install only/);
  const bad = await runCli(['catalog', 'install', '--connection', 'Server=h;User Id=u;Encrypt=perhaps']);
  assert.is(bad.code, 1);
  assert.match(bad.err, /Encrypt.*not a boolean.*SSO_ERR_CONFIG_INVALID/);
  const help = await runCli(['catalog', '--help']);
  assert.is(help.code, 0);
  assert.match(help.out, /install \| upgrade \| status/);
});

cli('an unreachable server is reported with where it tried, not a stack', async () => {
  const r = await runCli(['catalog', 'status'], { SCALEOUT_MSSQL_CONNECTION: 'Server=127.0.0.1,1;User Id=sa;Password=x;Encrypt=false;Connect Timeout=3' });
  assert.is(r.code, 1);
  assert.match(r.err, /Cannot connect to 127\.0\.0\.1,1\/SSISDB as sa/);
  assert.not.match(r.err, /\n\s+at /);
});

cs.run();
errors.run();
cli.run();
