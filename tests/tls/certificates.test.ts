import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { OID_CLIENT_AUTH, OID_SERVER_AUTH, createMasterCertificate, createWorkerCertificate, thumbprintOf, pemToDer } from '../../runtime/tls/certificates.ts';
import { CertStore } from '../../runtime/tls/cert-store.ts';
import { SsoError } from '../../actors/errors.ts';

const C = suite('tls/certificates');
let dir = '';
C.before(() => { dir = mkdtempSync(join(tmpdir(), 'scaleout-tls-')); });
C.after(() => { rmSync(dir, { recursive: true, force: true }); });

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint.replace(/:/g, '');

C('master certificate: CN, SANs, serverAuth, SHA-256, ten years, thumbprint as openssl computes it', () => {
  const m = createMasterCertificate({ names: ['master01', 'master01.corp.example'], ips: ['10.0.0.5', '::1'] });
  const x = new X509Certificate(m.certPem);
  assert.is(m.thumbprint, fingerprint(m.certPem));
  assert.match(m.thumbprint, /^[0-9A-F]{40}$/);
  assert.is(x.subject, 'CN=master01');
  assert.is(x.subjectAltName, 'DNS:master01, DNS:master01.corp.example, IP Address:10.0.0.5, IP Address:0:0:0:0:0:0:0:1');
  assert.equal(x.keyUsage, [OID_SERVER_AUTH]);
  assert.is(forge.pki.certificateFromPem(m.certPem).siginfo.algorithmOid, forge.pki.oids['sha256WithRSAEncryption']);
  const years = (new Date(x.validTo).getTime() - new Date(x.validFrom).getTime()) / (365.25 * 86_400_000);
  assert.ok(years > 9.9 && years < 10.1, String(years));
  assert.ok(x.checkPrivateKey(createPrivateKey(m.keyPem)));
  assert.is(thumbprintOf(pemToDer(m.certPem)), m.thumbprint, 'DER and PEM give one thumbprint');
});

C('default master names: this machine, localhost, loopback addresses', () => {
  const x = new X509Certificate(createMasterCertificate({ days: 30 }).certPem);
  assert.ok(x.subjectAltName!.includes('DNS:localhost'));
  assert.ok(x.subjectAltName!.includes('IP Address:127.0.0.1'));
  assert.ok(x.subjectAltName!.includes('IP Address:0:0:0:0:0:0:0:1'));
});

C('worker certificate: CN = machine name, clientAuth; bad inputs are refused', () => {
  const w = createWorkerCertificate({ name: 'worker07', days: 1 });
  const x = new X509Certificate(w.certPem);
  assert.is(x.subject, 'CN=worker07');
  assert.equal(x.keyUsage, [OID_CLIENT_AUTH]);
  assert.is(w.thumbprint, fingerprint(w.certPem));
  for (const bad of [() => createWorkerCertificate({ name: 'bad name' }), () => createMasterCertificate({ ips: ['300.1.1.1'] }), () => createWorkerCertificate({ days: 0 })]) {
    try { bad(); assert.unreachable(); } catch (e) { assert.ok(SsoError.is(e) && e.code === 'SSO_ERR_TLS', String(e)); }
  }
});

C('store: install, find, list, export, remove; keys 0600 and folders 0700; DER accepted', () => {
  const store = new CertStore(join(dir, 'certs'));
  const w = createWorkerCertificate({ name: 'worker01' });
  const mine = { location: 'LocalMachine', name: 'My' } as const;
  const root = { location: 'LocalMachine', name: 'Root' } as const;
  const stored = store.install(w.certPem, mine, w.keyPem);
  assert.is(stored.thumbprint, w.thumbprint);
  assert.ok(stored.hasPrivateKey);
  assert.is(stored.subject, 'CN=worker01');
  assert.equal(stored.subjectAltNames, ['DNS:worker01']);
  assert.is(statSync(join(dir, 'certs', 'LocalMachine', 'My', `${w.thumbprint}.key`)).mode & 0o777, 0o600);
  assert.is(statSync(join(dir, 'certs', 'LocalMachine', 'My')).mode & 0o777, 0o700);
  assert.is(statSync(join(dir, 'certs', 'LocalMachine')).mode & 0o777, 0o700);
  // The same certificate as DER into Root, without its key.
  const inRoot = store.install(new X509Certificate(w.certPem).raw, root);
  assert.not.ok(inRoot.hasPrivateKey);
  assert.is(store.find(w.thumbprint.toLowerCase().replace(/(..)/g, '$1 '), root)?.location, 'LocalMachine');
  assert.is(store.find(w.thumbprint)?.name, 'My', 'any store');
  assert.is(store.privateKey(stored), w.keyPem);
  assert.equal(store.list().map((c) => `${c.name}/${c.thumbprint}`), [`My/${w.thumbprint}`, `Root/${w.thumbprint}`]);
  assert.equal(store.list({ name: 'Root' }).length, 1);
  const out = join(dir, 'exported.cer');
  store.export(w.thumbprint, out, root);
  assert.is(fingerprint(readFileSync(out, 'utf8')), w.thumbprint);
  assert.ok(store.remove(w.thumbprint, mine));
  assert.not.ok(store.remove(w.thumbprint, mine));
  assert.is(store.find(w.thumbprint, mine), undefined);
});

C('store: bad certificate files and mismatched keys are clear errors', () => {
  const store = new CertStore(join(dir, 'bad'));
  const root = { location: 'LocalMachine', name: 'Root' } as const;
  const w = createWorkerCertificate({ name: 'w' });
  const other = createWorkerCertificate({ name: 'x' });
  const err = (fn: () => unknown) => { try { fn(); } catch (e) { if (SsoError.is(e)) return e; throw e; } throw new Error('no error'); };
  assert.match(err(() => store.install('hello', root)).message, /not a valid certificate/);
  assert.match(err(() => store.install(w.certPem, root, other.keyPem)).message, /private key does not belong/);
  store.install(w.certPem, root);
  const file = join(dir, 'bad', 'LocalMachine', 'Root', `${'AB'.repeat(20)}.cer`);
  writeFileSync(file, '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n');
  const e = err(() => store.list());
  assert.is(e.code, 'SSO_ERR_TLS');
  assert.ok(e.message.includes(file), e.message);
  assert.match(err(() => store.find('xyz')).message, /not a certificate thumbprint/);
});


C.run();
