import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../runtime/cli/main.ts';
import { CertStore } from '../../runtime/tls/cert-store.ts';

const C = suite('tls/cert-command');
let dir = '';
C.before(() => { dir = mkdtempSync(join(tmpdir(), 'scaleout-cert-cli-')); });
C.after(() => { rmSync(dir, { recursive: true, force: true }); });

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough(); const stderr = new PassThrough();
  let out = ''; let err = '';
  stdout.on('data', (d) => { out += String(d); }); stderr.on('data', (d) => { err += String(d); });
  const code = await main(argv, { stdout, stderr, stdin: new PassThrough(), env: { HOME: dir, XDG_STATE_HOME: join(dir, 'state') }, cwd: dir });
  return { code, out, err };
}

C('create-master, create-worker, list, export, install on the other side', async () => {
  const master = join(dir, 'master'); const workerStore = join(dir, 'worker');
  const m = await run('cert', 'create-master', '--store', master, '--name', 'master01', '--name', 'localhost', '--ip', '127.0.0.1', '--days', '30');
  assert.is(m.code, 0, m.err);
  const mThumb = /created master certificate ([0-9A-F]{40})/.exec(m.out)?.[1];
  assert.ok(mThumb, m.out);
  const w = await run('cert', 'create-worker', '--store', workerStore, '--name', 'worker01');
  assert.is(w.code, 0, w.err);
  const wThumb = /([0-9A-F]{40})/.exec(w.out)![1]!;

  const cer = join(dir, 'worker01.cer');
  const e = await run('cert', 'export', wThumb.toLowerCase(), cer, '--store', workerStore);
  assert.is(e.code, 0, e.err);
  assert.is(new X509Certificate(readFileSync(cer)).fingerprint.replace(/:/g, ''), wThumb);
  assert.is((await run('cert', 'install', cer, '--store', master)).code, 0);

  const list = await run('cert', 'list', '--store', master, '--name', 'Root');
  assert.is(list.code, 0, list.err);
  const lines = list.out.trim().split('\n');
  assert.match(lines[0]!, /^THUMBPRINT \(SHA-1\)\s+SUBJECT\s+STORE\s+KEY\s+NOT AFTER\s+NAMES$/);
  assert.is(lines.length, 3);
  assert.ok(lines.some((l) => l.startsWith(mThumb!) && l.includes('CN=master01') && l.includes('yes') && l.includes('DNS:master01, DNS:localhost, IP Address:127.0.0.1')));
  assert.ok(lines.some((l) => l.startsWith(wThumb) && l.includes('CN=worker01') && /\bno\b/.test(l)));
  assert.ok(new CertStore(workerStore).find(wThumb, { location: 'LocalMachine', name: 'My' })?.hasPrivateKey);
});

C('default store root comes from the settings defaults', async () => {
  const r = await run('cert', 'create-worker', '--name', 'w2', '--days', '1');
  assert.is(r.code, 0, r.err);
  assert.is(new CertStore(join(dir, 'state', 'scaleout', 'certs')).list().length, 1);
});

C('bad usage exits 2; bad files and unknown thumbprints exit 1 with the reason', async () => {
  assert.is((await run('cert')).code, 2);
  assert.is((await run('cert', 'frobnicate')).code, 2);
  assert.is((await run('cert', 'create-master', '--days', 'ten')).code, 2);
  assert.is((await run('cert', 'list', '--location', 'Moon')).code, 2);
  const junk = join(dir, 'junk.cer');
  writeFileSync(junk, 'not a certificate');
  const bad = await run('cert', 'install', junk, '--store', join(dir, 'x'));
  assert.is(bad.code, 1);
  assert.ok(bad.err.includes(`${junk} is not a valid certificate`), bad.err);
  const missing = await run('cert', 'export', 'AB'.repeat(20), join(dir, 'out.cer'), '--store', join(dir, 'x'));
  assert.is(missing.code, 1);
  assert.match(missing.err, /no certificate with thumbprint ABAB/);
});

C.run();
