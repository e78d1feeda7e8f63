/**
 * Certificates from the command line, as real child processes: an IP given with --name becomes an IP
 * address entry; `cert export` says the file holds the certificate only; a T-SQL client that does not
 * trust the master's certificate is told to pass --ca.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ensureDataFolder } from '../../runtime/local/data-folder.ts';
import { killAll, spawnCli } from '../helpers/cli-process.ts';

const test = suite('scaleout cert and --ca hints');
let root: string;
test.before(() => { root = mkdtempSync(join(tmpdir(), 'scaleout-cert-')); });
test.after(async () => { await killAll(); rmSync(root, { recursive: true, force: true }); });

async function cli(args: string[]): Promise<{ code: number | string; out: string }> {
  const c = spawnCli(args);
  const code = await c.exited(60_000);
  return { code, out: c.output() };
}

test('create-master --name 127.0.0.1 makes an IP address entry; export says the file has no key', async () => {
  const store = join(root, 'store');
  const made = await cli(['cert', 'create-master', '--store', store, '--name', 'master01', '--name', '127.0.0.1', '--ip', '::1']);
  assert.is(made.code, 0, made.out);
  const thumb = /SSLCertThumbprint = ([0-9A-F]{40})/.exec(made.out)![1]!;
  const cert = new X509Certificate(readFileSync(join(store, 'LocalMachine', 'Root', `${thumb}.cer`)));
  const san = cert.subjectAltName ?? '';
  assert.match(san, /DNS:master01/);
  assert.match(san, /IP Address:127\.0\.0\.1/);
  assert.not.match(san, /DNS:127\.0\.0\.1/);
  assert.ok(cert.checkIP('127.0.0.1') === '127.0.0.1', 'a TLS client connecting to 127.0.0.1 accepts it');

  const file = join(root, 'master.cer');
  const exported = await cli(['cert', 'export', thumb, file, '--store', store]);
  assert.is(exported.code, 0, exported.out);
  assert.match(exported.out, /the certificate only, no private key \(the key stays in the store\)/);
  const text = readFileSync(file, 'utf8');
  assert.match(text, /BEGIN CERTIFICATE/);
  assert.not.match(text, /PRIVATE KEY/);
});

test('sql -S https://… against a master whose certificate is not trusted says to pass --ca', async () => {
  const data = await ensureDataFolder(join(root, 'data'));
  const master = spawnCli(['master', '--config', data.masterConfig]);
  await master.waitFor(/Ready\. Press Ctrl-C/, 60_000);
  const password = readFileSync(join(root, 'data', 'admin-password'), 'utf8').trim();
  const untrusted = await cli(['sql', '-S', data.endpoint, '-U', 'admin', '-P', password, '-Q', 'SELECT 1 AS one']);
  assert.is(untrusted.code, 1);
  assert.match(untrusted.out, /not trusted here: pass --ca <data>\/master\.crt/);
  const trusted = await cli(['sql', '-S', data.endpoint, '-U', 'admin', '-P', password, '--ca', join(root, 'data', 'master.crt'), '-Q', 'SELECT 1 AS one']);
  assert.is(trusted.code, 0, trusted.out);
  assert.match(trusted.out, /one\n-+\n\s*1\n/);
  assert.is(await master.stop('SIGTERM', 30_000), 0);
});

test.run();
