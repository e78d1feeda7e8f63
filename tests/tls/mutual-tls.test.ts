import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { createMasterCertificate, createWorkerCertificate } from '../../runtime/tls/certificates.ts';
import type { CreatedCertificate } from '../../runtime/tls/certificates.ts';
import { CertStore } from '../../runtime/tls/cert-store.ts';
import { masterConnector, masterServerTlsOptions, verifyAgentPeer } from '../../runtime/tls/tls-options.ts';
import { resolveWorkerSettings } from '../../config/worker-settings.ts';

const T = suite('tls/mutual-tls');
const ROOT = { location: 'LocalMachine', name: 'Root' } as const;
const MY = { location: 'LocalMachine', name: 'My' } as const;
let dir = '';
let masterStore: CertStore;
let master: CreatedCertificate;
let server: tls.Server;
let port = 0;

T.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scaleout-mtls-'));
  masterStore = new CertStore(join(dir, 'master'));
  master = createMasterCertificate({ names: ['localhost'], ips: ['127.0.0.1'] });
  masterStore.install(master.certPem, ROOT, master.keyPem);
  server = tls.createServer(masterServerTlsOptions({ sslCertThumbprint: master.thumbprint, certificateStoreRoot: masterStore.root }), (socket) => {
    const verdict = verifyAgentPeer(socket, masterStore);
    socket.resume(); // read to the end, so the client's close is seen and the socket closes
    socket.end(JSON.stringify(verdict));
  });
  server.on('tlsClientError', () => { /* a refused handshake is the client's business */ });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
T.after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

/** A worker with its own store; `trusted` installs its certificate in the master's Root. */
function worker(name: string, options: { trusted: boolean; cert?: CreatedCertificate; pin?: string; host?: string }) {
  const store = new CertStore(join(dir, name));
  const cert = options.cert ?? createWorkerCertificate({ name });
  store.install(cert.certPem, MY, cert.keyPem);
  store.install(master.certPem, ROOT);
  if (options.trusted) masterStore.install(cert.certPem, ROOT);
  const { settings } = resolveWorkerSettings({
    MasterEndpoint: `https://${options.host ?? '127.0.0.1'}:${port}`,
    MasterHttpsCertThumbprint: options.pin ?? master.thumbprint,
    WorkerHttpsCertThumbprint: cert.thumbprint,
    CertificateStoreRoot: store.root,
  }, { env: {} });
  return { settings, store, cert };
}

/** Connects, says hello, and returns the master's verdict or the connection error. */
function talk(w: ReturnType<typeof worker>): Promise<{ verdict?: { ok: boolean; reason?: string; thumbprint?: string }; error?: Error }> {
  return new Promise((resolve) => {
    const socket = masterConnector(w.settings, w.store)();
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => { data += d; });
    socket.on('end', () => resolve({ verdict: JSON.parse(data) }));
    socket.on('error', (error) => resolve({ error }));
    socket.write('hello');
  });
}

T('a trusted worker is accepted', async () => {
  const w = worker('worker-ok', { trusted: true });
  const r = await talk(w);
  assert.is(r.error, undefined, String(r.error));
  assert.equal(r.verdict, { ok: true, thumbprint: w.cert.thumbprint, subject: 'CN=worker-ok' });
});

T('an untrusted worker certificate is refused with its thumbprint', async () => {
  const w = worker('worker-stranger', { trusted: false });
  const r = await talk(w);
  assert.equal(r.verdict, { ok: false, reason: `unknown thumbprint ${w.cert.thumbprint}`, thumbprint: w.cert.thumbprint });
});

T('an expired worker certificate is refused even when trusted', async () => {
  const cert = createWorkerCertificate({ name: 'worker-old', notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
  const r = await talk(worker('worker-old', { trusted: true, cert }));
  assert.is(r.verdict?.reason, 'expired');
});

T('a connection without a client certificate is refused', async () => {
  const verdict = await new Promise<{ reason: string }>((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => socket.write('x'));
    let data = '';
    socket.on('data', (d) => { data += String(d); });
    socket.on('end', () => resolve(JSON.parse(data)));
    socket.on('error', reject);
  });
  assert.is(verdict.reason, 'no client certificate');
});

T('a worker refuses a master whose thumbprint is not the pinned one', async () => {
  const pin = 'AB'.repeat(20);
  const r = await talk(worker('worker-pin', { trusted: true, pin }));
  assert.ok(r.error, 'connection refused');
  assert.is((r.error as { code?: string }).code, 'SSO_ERR_TLS');
  assert.is(r.error!.message, `master refused: thumbprint mismatch: expected ${pin} got ${master.thumbprint}`);
});

T('a worker refuses a master whose names do not cover the endpoint host', async () => {
  // Reach the master at 127.0.0.1 but expect it under a name its certificate does not carry.
  const w = worker('worker-name', { trusted: true, host: '127.0.0.1' });
  const other = resolveWorkerSettings({
    MasterEndpoint: `https://localhost.localdomain:${port}`, MasterHttpsCertThumbprint: master.thumbprint,
    WorkerHttpsCertThumbprint: w.cert.thumbprint, CertificateStoreRoot: w.store.root,
  }, { env: {} }).settings;
  const r = await new Promise<{ error?: Error }>((resolve) => {
    const socket = masterConnector(other, w.store)({ host: '127.0.0.1' });
    socket.on('error', (error) => resolve({ error }));
    socket.on('end', () => resolve({}));
    socket.resume();
  });
  assert.ok(r.error);
  assert.match(r.error!.message, /^master refused: name mismatch: localhost\.localdomain is not a name of the master certificate/);
});

T.run();
