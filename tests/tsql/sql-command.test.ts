/**
 * `scaleout sql` beyond scripts: the interactive `1>` prompt, -Q, CSV output (-o), opening a catalog
 * file with -S as the local user, remote masters refused clearly, login failures and exit codes; plus
 * the printers and `executeTsql` called directly as a master route would.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { PassThrough, Writable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../runtime/cli/main.ts';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { openSqliteCatalog } from '../../runtime/catalog/sqlite-catalog-store.ts';
import { executeTsql } from '../../runtime/tsql/interpreter.ts';
import { formatCsv, formatOutputs } from '../../runtime/tsql/format.ts';
import { formatDateTime, parseDateTime } from '../../runtime/tsql/values.ts';
import { FIXTURES_DIR, READER_LOGIN, READER_PASSWORD, WORKER_ID, copySeeded, seedCatalog } from './seed-catalog.ts';
import type { SeededCatalog } from './seed-catalog.ts';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += String(chunk);
    done();
  }
}

let template: SeededCatalog;
const made: SeededCatalog[] = [];

async function fresh(): Promise<SeededCatalog> {
  const c = await copySeeded(template);
  made.push(c);
  return c;
}

async function sql(args: string[], stdinText?: string): Promise<{ out: string; err: string; code: number }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const stdin = new PassThrough();
  if (stdinText !== undefined) stdin.end(stdinText); else stdin.end();
  const code = await main(['sql', ...args], { stdout, stderr, stdin, env: {}, cwd: FIXTURES_DIR });
  return { out: stdout.text, err: stderr.text, code };
}

const cli = suite('scaleout sql');
cli.before(async () => { template = await seedCatalog(); });
cli.after(async () => {
  for (const c of made) await c.remove();
  await template.remove();
});

cli('the interactive prompt numbers lines, runs on GO (with a count) and leaves on exit', async () => {
  const c = await fresh();
  const r = await sql(['--data', c.dataDir], "SELECT 'a'\n  AS x\nGO 2\nPRINT 'pending'\nexit\n");
  assert.is(r.code, 0);
  assert.is(r.out, "1> 2> 3> x\n-\na\n\n(1 row affected)\n\nx\n-\na\n\n(1 row affected)\n\n1> 2> ");
});

cli('the prompt runs what is left at end of input, and a GO inside a string is text', async () => {
  const c = await fresh();
  const r = await sql(['--data', c.dataDir], "PRINT 'one\nGO\ntwo'\n");
  assert.is(r.code, 0);
  assert.ok(r.out.endsWith('one\nGO\ntwo\n'), r.out);
});

cli('-Q runs a query; exit code 1 when an error was printed', async () => {
  const c = await fresh();
  let r = await sql(['--data', c.dataDir, '-Q', `EXEC catalog.disable_worker_agent '${WORKER_ID}' SELECT IsEnabled FROM catalog.worker_agents WHERE WorkerAgentId = '${WORKER_ID}'`]);
  assert.is(r.code, 0);
  assert.is(r.out, 'IsEnabled\n---------\n        0\n\n(1 row affected)\n\n');
  r = await sql(['--data', c.dataDir, '-Q', 'EXEC catalog.nope']);
  assert.is(r.code, 1);
  assert.is(r.out, "Msg 2812, Level 16, State 62, Line 1\nCould not find stored procedure 'catalog.nope'.\n");
});

cli('-o writes the result sets as RFC 4180 CSV; messages still print', async () => {
  const c = await fresh();
  const csv = join(c.dataDir, 'out.csv');
  const r = await sql(['--data', c.dataDir, '-Q', "SELECT N'a,b' AS x, N'say \"hi\"' AS y, NULL AS z PRINT 'done' SELECT COUNT(*) AS n FROM catalog.folders", '-o', csv]);
  assert.is(r.code, 0);
  assert.is(r.out, '\n(1 row affected)\n\ndone\n\n(1 row affected)\n\n');
  assert.is(await readFile(csv, 'utf8'), 'x,y,z\r\n"a,b","say ""hi""",\r\n\r\nn\r\n1\r\n');
});

cli('-S <catalog file> without a login runs as the local user with sysadmin; -U/-P log in', async () => {
  const c = await fresh();
  let r = await sql(['-S', c.catalogPath, '-Q', 'SELECT SUSER_NAME() AS who']);
  assert.is(r.code, 0);
  assert.ok(r.out.includes(userInfo().username), r.out);
  r = await sql(['-S', c.catalogPath, '-U', READER_LOGIN, '-P', READER_PASSWORD, '-Q', 'SELECT SUSER_NAME() AS who, IS_SRVROLEMEMBER(\'sysadmin\') AS admin']);
  assert.is(r.out, 'who    admin\n------ -----\nreader     0\n\n(1 row affected)\n\n');
});

cli('login failure prints Msg 18456 and exits 1', async () => {
  const c = await fresh();
  const r = await sql(['--data', c.dataDir, '-U', READER_LOGIN, '-P', 'wrong', '-Q', 'SELECT 1']);
  assert.is(r.code, 1);
  assert.is(r.out, `Msg 18456, Level 14, State 1, Line 1\nLogin failed for user '${READER_LOGIN}'.\n`);
});

cli('bad usage and missing catalogs are clear errors', async () => {
  let r = await sql(['-S', 'https://master:8391', '-Q', 'SELECT 1']);
  assert.is(r.code, 2, 'a missing login is bad usage');
  assert.match(r.err, /with -S give a login: -U <login> -P <password>/);
  r = await sql(['-S', '/nonexistent/ssisdb.sqlite', '-Q', 'SELECT 1']);
  assert.is(r.code, 1);
  assert.match(r.err, /the catalog file '\/nonexistent\/ssisdb.sqlite' does not exist/);
  r = await sql(['--data', '/tmp', '-S', 'x', '-Q', 'SELECT 1']);
  assert.is(r.code, 2);
  r = await sql(['--data', '/tmp', '-i', '/nonexistent.sql']);
  assert.is(r.code, 1);
  assert.match(r.err, /cannot read the script '\/nonexistent.sql'/);
});

cli('executeTsql returns plain data a master route can send as JSON', async () => {
  const c = await fresh();
  const store = await openSqliteCatalog({ path: c.catalogPath });
  try {
    const result = await executeTsql("DECLARE @id bigint\nEXEC catalog.create_folder N'Remote', @id OUTPUT\nSELECT @id AS id\nEXEC catalog.create_folder N'Remote', @id OUTPUT", { store, caller: SYSTEM_PRINCIPAL });
    const roundTrip = JSON.parse(JSON.stringify(result));
    assert.equal(roundTrip, result);
    assert.is(result.errorCount, 1);
    assert.equal(result.outputs[0], { kind: 'resultset', columns: [{ name: 'id', type: 'bigint' }], rows: [['2']] });
    assert.equal(result.outputs[2], { kind: 'error', number: 27401, level: 16, state: 1, procedure: 'create_folder', line: 4, message: "The folder 'Remote' already exists." });
    assert.is(formatOutputs(result.outputs), "id\n--\n 2\n\n(1 row affected)\n\nMsg 27401, Level 16, State 1, Procedure create_folder, Line 4\nThe folder 'Remote' already exists.\n");
  } finally {
    await store.close();
  }
});

cli.run();

const printing = suite('tsql printing');

printing('datetimeoffset keeps 7 digits and its offset; CSV quotes only when needed', () => {
  const d = parseDateTime('2026-11-24 22:41:03.1234567 -05:30')!;
  assert.is(formatDateTime(d, 'datetimeoffset'), '2026-11-24 22:41:03.1234567 -05:30');
  assert.is(formatDateTime(parseDateTime('2026-11-24T22:41:03.5Z')!, 'datetimeoffset'), '2026-11-24 22:41:03.5000000 +00:00');
  assert.is(formatDateTime(d, 'datetime'), '2026-11-24 22:41:03.123');
  assert.is(parseDateTime('2026-02-30'), null);
  assert.is(formatCsv([{ kind: 'resultset', columns: [{ name: 'a', type: 'nvarchar' }], rows: [['line\nbreak'], [null], ['plain']] }]), 'a\r\n"line\nbreak"\r\n\r\nplain\r\n');
});

printing.run();
