/**
 * `scaleout sql -S "<connection string>"` offline: the connection-string form is told apart from a file
 * and a URL, bad strings and flag mixes are refused naming what is wrong, and a server that is not there
 * is a clear connection error (a closed port on 127.0.0.1), never a hang or a stack trace.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { main } from '../../runtime/cli/main.ts';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += String(chunk);
    done();
  }
}

async function sqlCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(['sql', ...args], { stdout, stderr, stdin: new PassThrough(), env: {}, cwd: process.cwd() });
  return { code, out: stdout.text, err: stderr.text };
}

/** A port on 127.0.0.1 nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const cli = suite('scaleout sql -S <connection string>');

cli('a connection string with an unknown key is refused naming the key', async () => {
  const r = await sqlCli(['-S', 'Server=127.0.0.1,1;Databse=SSISDB;User Id=sa;Password=x', '-Q', 'SELECT 1']);
  assert.is(r.code, 1);
  assert.match(r.err, /Connection string key 'Databse'/);
});

cli('--data with a connection string, and -P without -U, are usage errors', async () => {
  const both = await sqlCli(['-S', 'Server=127.0.0.1,1;User Id=sa;Password=x', '--data', 'somewhere', '-Q', 'SELECT 1']);
  assert.is(both.code, 2);
  assert.match(both.err, /give either -S or --data, not both/);
  const noLogin = await sqlCli(['-S', 'Server=127.0.0.1,1;User Id=sa;Password=x', '-P', 'pw', '-Q', 'SELECT 1']);
  assert.is(noLogin.code, 2);
  assert.match(noLogin.err, /-P needs -U <login>/);
});

cli('a server that is not there is a connection error naming the server and database', async () => {
  const port = await closedPort();
  const r = await sqlCli(['-S', `Server=127.0.0.1,${port};Database=SSISDB;User Id=sa;Password=x;Encrypt=false;Connect Timeout=3`, '-Q', 'SELECT 1']);
  assert.is(r.code, 1);
  assert.match(r.err, new RegExp(`Cannot connect to SQL Server 127\\.0\\.0\\.1,${port} \\(database SSISDB\\)`));
  assert.match(r.err, /SSO_ERR_CATALOG_IO/);
  assert.is(r.out, '');
});

cli('a catalog login (-U) is checked against the catalog first: an absent server fails there too', async () => {
  const port = await closedPort();
  const r = await sqlCli(['-S', `Server=127.0.0.1,${port};User Id=sa;Password=x;Encrypt=false;Connect Timeout=3`, '-U', 'admin', '-P', 'pw', '-Q', 'SELECT 1']);
  assert.is(r.code, 1);
  assert.match(r.err, /SSO_ERR_CATALOG_IO/);
});

cli.run();
