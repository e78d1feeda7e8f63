/**
 * Logins and roles: CREATE/ALTER/DROP LOGIN and ALTER [SERVER] ROLE … ADD/DROP MEMBER through the T-SQL
 * front door with SQL Server's error numbers (and what a non-sysadmin may not do), `scaleout login` as a
 * real child process, and `scaleout master` on a catalog without logins saying how to make the first admin.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../runtime/cli/main.ts';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { openSqliteCatalog } from '../../runtime/catalog/sqlite-catalog-store.ts';
import { ensureDataFolder } from '../../runtime/local/data-folder.ts';
import { killAll, spawnCli } from '../helpers/cli-process.ts';
import { READER_LOGIN, READER_PASSWORD, copySeeded, seedCatalog } from './seed-catalog.ts';
import type { SeededCatalog } from './seed-catalog.ts';

const test = suite('logins and roles: T-SQL front door and scaleout login');
let template: SeededCatalog;
const made: SeededCatalog[] = [];
let root: string;
test.before(async () => { template = await seedCatalog(); root = mkdtempSync(join(tmpdir(), 'scaleout-logins-')); });
test.after(async () => {
  await killAll();
  for (const m of made) await m.remove();
  await template.remove();
  rmSync(root, { recursive: true, force: true });
});

async function fresh(): Promise<SeededCatalog> {
  const c = await copySeeded(template);
  made.push(c);
  return c;
}

async function sql(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = new Writable({ write(c, _e, cb) { out += String(c); cb(); } });
  const code = await main(['sql', ...args], { stdout: sink, stderr: sink, stdin: new PassThrough(), env: {}, cwd: process.cwd() });
  return { code, out };
}

test('a sysadmin creates a login, gives it roles; the new login logs in with them; errors carry SQL Server numbers', async () => {
  const c = await fresh();
  const admin = ['--data', c.dataDir];
  let r = await sql([...admin, '-Q', `CREATE LOGIN [ops] WITH PASSWORD = N'Op5-pass''word', CHECK_POLICY = OFF
ALTER ROLE ssis_cluster_executor ADD MEMBER ops
ALTER SERVER ROLE sysadmin ADD MEMBER [ops]
SELECT name, roles FROM sys.sql_logins WHERE name = 'ops'`]);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /ops\s+ssis_cluster_executor,sysadmin/);
  // The new login works, with its roles (a sysadmin sees every login).
  r = await sql(['--data', c.dataDir, '-U', 'ops', '-P', "Op5-pass'word", '-Q', 'SELECT COUNT(*) AS n FROM sys.sql_logins']);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /\n\s*3\n/);

  r = await sql([...admin, '-Q', `CREATE LOGIN ops WITH PASSWORD = 'x'
ALTER ROLE nosuch ADD MEMBER ops
ALTER ROLE ssis_logreader ADD MEMBER nobody
ALTER SERVER ROLE dbcreator ADD MEMBER ops
DROP LOGIN nobody
ALTER LOGIN nobody WITH PASSWORD = 'y'
DROP LOGIN admin
CREATE LOGIN empty WITH PASSWORD = ''`]);
  assert.is(r.code, 1);
  const msgs = [...r.out.matchAll(/Msg (\d+), Level 16, State \d+, Line (\d+)\n(.*)/g)].map((m) => `${m[1]}@${m[2]}: ${m[3]}`);
  assert.equal(msgs, [
    "15025@1: The server principal 'ops' already exists.",
    "15151@2: Cannot alter the role 'nosuch', because it does not exist or you do not have permission.",
    "15151@3: Cannot add the principal 'nobody', because it does not exist or you do not have permission.",
    "15151@4: Cannot alter the server role 'dbcreator', because it does not exist or you do not have permission.",
    "15151@5: Cannot drop the login 'nobody', because it does not exist or you do not have permission.",
    "15151@6: Cannot alter the login 'nobody', because it does not exist or you do not have permission.",
    "15434@7: Could not drop login 'admin' as the user is currently logged in.",
    '15116@8: Password validation failed. The password does not meet the operating system policy requirements because it is too short.',
  ]);

  // Roles come off again, and a dropped login cannot log in.
  r = await sql([...admin, '-Q', 'ALTER SERVER ROLE sysadmin DROP MEMBER ops\nALTER ROLE ssis_cluster_executor DROP MEMBER ops\nSELECT name, roles FROM sys.sql_logins WHERE name = N\'ops\'']);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /\nops\s*\n/);
  r = await sql([...admin, '-Q', 'DROP LOGIN ops']);
  assert.is(r.code, 0, r.out);
  r = await sql(['--data', c.dataDir, '-U', 'ops', '-P', "Op5-pass'word", '-Q', 'SELECT 1']);
  assert.is(r.code, 1);
  assert.match(r.out, /Msg 18456/);
});

test('a login without sysadmin cannot manage logins or roles, sees only itself, and changes only its own password (with OLD_PASSWORD)', async () => {
  const c = await fresh();
  const reader = ['--data', c.dataDir, '-U', READER_LOGIN, '-P', READER_PASSWORD];
  let r = await sql([...reader, '-Q', `CREATE LOGIN eve WITH PASSWORD = 'pw'
ALTER SERVER ROLE sysadmin ADD MEMBER reader
ALTER ROLE ssis_admin ADD MEMBER reader
DROP LOGIN admin
ALTER LOGIN admin WITH PASSWORD = 'mine'
ALTER LOGIN reader WITH PASSWORD = 'new'
ALTER LOGIN reader WITH PASSWORD = 'new' OLD_PASSWORD = 'wrong'`]);
  assert.is(r.code, 1);
  const numbers = [...r.out.matchAll(/Msg (\d+)/g)].map((m) => Number(m[1]));
  assert.equal(numbers, [15247, 15151, 15151, 15151, 15151, 15151, 15151]);
  // Nothing changed: the admin still logs in with its password and the reader has no role.
  r = await sql(['--data', c.dataDir, '-Q', "SELECT name, roles FROM sys.sql_logins WHERE name = 'reader'"]);
  assert.match(r.out, /\nreader\s*\n/);
  r = await sql([...reader, '-Q', 'SELECT name FROM sys.sql_logins']);
  assert.match(r.out, /name\n-+\nreader\n\n\(1 row affected\)/);
  r = await sql([...reader, '-Q', `ALTER LOGIN reader WITH PASSWORD = 'Changed-1' OLD_PASSWORD = '${READER_PASSWORD}'`]);
  assert.is(r.code, 0, r.out);
  r = await sql(['--data', c.dataDir, '-U', READER_LOGIN, '-P', 'Changed-1', '-Q', 'SELECT 1 AS ok']);
  assert.is(r.code, 0, r.out);
});

test('the last sysadmin cannot be removed from sysadmin', async () => {
  const c = await fresh();
  const r = await sql(['--data', c.dataDir, '-Q', 'ALTER SERVER ROLE sysadmin DROP MEMBER admin']);
  assert.is(r.code, 1);
  assert.match(r.out, /Msg 15151.*\n.*last member/);
});

test('scaleout login create|list|grant|revoke|drop as a child process; the password only in its 0600 file', async () => {
  const c = await fresh();
  const pwFile = join(c.dataDir, 'ops-password');
  const run = async (args: string[]) => { const p = spawnCli(['login', ...args, '--data', c.dataDir]); const code = await p.exited(30_000); return { code, out: p.output() }; };
  let r = await run(['create', 'ops', '--role', 'ssis_admin', '--password-file', pwFile]);
  assert.is(r.code, 0, r.out);
  const password = readFileSync(pwFile, 'utf8').trim();
  assert.ok(password.length >= 20);
  assert.is(statSync(pwFile).mode & 0o777, 0o600);
  assert.not.ok(r.out.includes(password), 'the password is not printed');
  assert.match(r.out, /Created login 'ops' with ssis_admin/);
  r = await run(['grant', 'ops', '--role', 'sysadmin', '--role', 'ssis_logreader']);
  assert.is(r.code, 0, r.out);
  r = await run(['list']);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /ops\s+ssis_admin,ssis_logreader,sysadmin/);
  assert.match(r.out, /admin\s+ssis_admin,sysadmin/);
  r = await run(['revoke', 'ops', '--role', 'sysadmin']);
  assert.is(r.code, 0, r.out);
  // The login really works with the generated password.
  const check = await sql(['--data', c.dataDir, '-U', 'ops', '-P', password, '-Q', 'SELECT roles FROM sys.sql_logins']);
  assert.match(check.out, /\nssis_admin,ssis_logreader\n/);
  r = await run(['create', 'ops', '--show-password']);
  assert.is(r.code, 1);
  assert.match(r.out, /Msg 15025/);
  assert.not.match(r.out, /Password:/, 'no password shown for a login that was not created');
  r = await run(['drop', 'ops']);
  assert.is(r.code, 0, r.out);
  r = await run(['drop', 'ops']);
  assert.is(r.code, 1);
  assert.match(r.out, /Msg 15151/);
  r = await run(['create', 'x']);
  assert.is(r.code, 2);
  assert.match(r.out, /--password-stdin, or a generated one/);
  r = await run(['grant', 'x', '--role', 'ssis_admn']);
  assert.is(r.code, 2);
  assert.match(r.out, /unknown role 'ssis_admn' \(did you mean ssis_admin\?\)/);
});

test('scaleout master on a catalog without logins prints how to create the first admin', async () => {
  const data = await ensureDataFolder(join(root, 'nologin'));
  const store = await openSqliteCatalog({ path: data.catalogPath });
  try { await store.dropLogin(SYSTEM_PRINCIPAL, { name: 'admin' }); } finally { await store.close(); }
  const master = spawnCli(['master', '--config', data.masterConfig]);
  await master.waitFor(/Ready\. Press Ctrl-C/, 60_000);
  assert.match(master.output(), /The catalog has no login yet\. Create the first admin on this machine with:\n  scaleout login create admin --role sysadmin --role ssis_admin --password-file \.\/admin-password -S \S+ssisdb\.sqlite/);
  assert.is(await master.stop('SIGTERM', 30_000), 0);
  // …and that command works on the catalog file (acting as the local user).
  const create = spawnCli(['login', 'create', 'admin', '--role', 'sysadmin', '--password-file', join(root, 'first-admin'), '-S', data.catalogPath]);
  assert.is(await create.exited(30_000), 0, create.output());
});

test.run();
