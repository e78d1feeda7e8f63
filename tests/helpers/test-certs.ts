/**
 * Throw-away certificates for runtime tests (master server cert for localhost, worker client certs)
 * and the minimal mTLS checks that pair with them. Product code gets its certificates and trust
 * decisions from runtime/tls; this only feeds tests real TLS without touching any store.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { checkServerIdentity as nodeCheckServerIdentity } from 'node:tls';
import type { PeerCertificate } from 'node:tls';
import forge from 'node-forge';
import type { PeerCheck } from '../../runtime/transport/master-server.ts';

export interface TestCert { readonly cert: string; readonly key: string; readonly thumbprint: string }

export function makeCert(commonName: string, options: { server?: boolean; days?: number } = {}): TestCert {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const c = forge.pki.createCertificate();
  c.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  c.serialNumber = '01' + createHash('sha1').update(commonName + Math.random()).digest('hex').slice(0, 16);
  const days = options.days ?? 2;
  c.validity.notBefore = new Date(Date.now() - 86_400_000);
  c.validity.notAfter = new Date(Date.now() + days * 86_400_000);
  const attrs = [{ name: 'commonName', value: commonName }];
  c.setSubject(attrs);
  c.setIssuer(attrs);
  c.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    ...(options.server ? [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }] : []),
  ]);
  c.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(c)).getBytes();
  return { cert: forge.pki.certificateToPem(c), key: keyPem, thumbprint: createHash('sha1').update(Buffer.from(der, 'binary')).digest('hex').toUpperCase() };
}

/** Master-side check: the peer's SHA-1 thumbprint must be one of `trusted`. */
export function trustThumbprints(trusted: readonly string[]): (peer: PeerCertificate | null) => PeerCheck {
  return (peer) => {
    if (peer === null) return { ok: false, reason: 'no client certificate presented' };
    const tp = peer.fingerprint.replace(/:/g, '').toUpperCase();
    if (!trusted.includes(tp)) return { ok: false, reason: `client certificate ${tp} is not trusted` };
    if (Date.parse(peer.valid_to) < Date.now()) return { ok: false, reason: `client certificate ${tp} expired on ${peer.valid_to}` };
    return { ok: true, thumbprint: tp };
  };
}

/** Worker-side check: host name as TLS does, plus the pinned master thumbprint. */
export function pinMaster(thumbprint: string): (host: string, cert: PeerCertificate) => Error | undefined {
  return (host, cert) => {
    const tp = cert.fingerprint.replace(/:/g, '').toUpperCase();
    if (tp !== thumbprint) return new Error(`master certificate ${tp} does not match MasterHttpsCertThumbprint ${thumbprint}`);
    return nodeCheckServerIdentity(host, cert);
  };
}
