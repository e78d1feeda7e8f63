/**
 * Mutual TLS between master and workers, as SSIS Scale Out does it: the master presents the
 * certificate named by `SSLCertThumbprint` and admits a worker only if its client certificate is
 * in the master's LocalMachine\Root store; a worker presents `WorkerHttpsCertThumbprint` and
 * admits the master only if its certificate is the pinned `MasterHttpsCertThumbprint` and names
 * the `MasterEndpoint` host. Both checks run in our code (not OpenSSL's) so a refusal has a reason.
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import tls from 'node:tls';
import type { ConnectionOptions, PeerCertificate, TLSSocket, TlsOptions } from 'node:tls';
import type { ResolvedMasterSettings } from '../../config/master-settings.ts';
import type { ResolvedWorkerSettings } from '../../config/worker-settings.ts';
import { CertStore, tlsError } from './cert-store.ts';
import type { StoreRef, StoredCertificate } from './cert-store.ts';
import { thumbprintOf } from './certificates.ts';

/** Where the master keeps its own certificate and the workers' certificates it trusts. */
export const MASTER_TRUST_STORE: StoreRef = { location: 'LocalMachine', name: 'Root' };
/** Where a worker keeps the master's certificate it trusts. */
export const WORKER_TRUST_STORE: StoreRef = { location: 'LocalMachine', name: 'Root' };

export type PeerVerdict =
  | { readonly ok: true; readonly thumbprint: string; readonly subject: string }
  | { readonly ok: false; readonly reason: string; readonly thumbprint?: string };

function withKey(store: CertStore, thumbprint: string | undefined, refs: readonly StoreRef[], key: string): { cert: StoredCertificate; keyPem: string } {
  if (thumbprint === undefined) throw tlsError(`${key} is not set; create a certificate with 'scaleout cert' and set its thumbprint`, key);
  const cert = refs.map((r) => store.find(thumbprint, r)).find((c) => c !== undefined);
  const where = refs.map((r) => store.folder(r)).join(' or ');
  if (!cert) throw tlsError(`${key} ${thumbprint}: no such certificate in ${where}`, key);
  const keyPem = store.privateKey(cert);
  if (keyPem === undefined) throw tlsError(`${key} ${thumbprint}: ${cert.file} has no private key (${cert.thumbprint}.key) beside it`, key);
  return { cert, keyPem };
}

function validityVerdict(cert: X509Certificate, now: Date): 'expired' | 'not yet valid' | undefined {
  if (now > new Date(cert.validTo)) return 'expired';
  if (now < new Date(cert.validFrom)) return 'not yet valid';
  return undefined;
}

/**
 * Server options for the master: its certificate from LocalMachine\Root (or \My), and a request
 * for client certificates that OpenSSL does not judge (`rejectUnauthorized: false`): call
 * `verifyAgentPeer` on each connection and close it with the reason when refused.
 */
export function masterServerTlsOptions(settings: Pick<ResolvedMasterSettings, 'sslCertThumbprint' | 'certificateStoreRoot'>, store = new CertStore(settings.certificateStoreRoot)): TlsOptions {
  const { cert, keyPem } = withKey(store, settings.sslCertThumbprint, [MASTER_TRUST_STORE, { location: 'LocalMachine', name: 'My' }], 'SSLCertThumbprint');
  return { cert: cert.certPem, key: keyPem, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' };
}

/**
 * Judges a worker's client certificate on a master connection: present, within its validity,
 * and trusted (its thumbprint is in `trusted`'s LocalMachine\Root).
 */
export function verifyAgentPeer(socket: TLSSocket, trusted: CertStore, now: Date = new Date()): PeerVerdict {
  const peer = socket.getPeerX509Certificate();
  if (!peer) return { ok: false, reason: 'no client certificate' };
  const thumbprint = thumbprintOf(peer.raw);
  const invalid = validityVerdict(peer, now);
  if (invalid) return { ok: false, reason: invalid, thumbprint };
  if (!trusted.find(thumbprint, MASTER_TRUST_STORE)) return { ok: false, reason: `unknown thumbprint ${thumbprint}`, thumbprint };
  return { ok: true, thumbprint, subject: peer.subject };
}

/**
 * Judges the master's certificate on a worker connection: it must be the pinned certificate
 * (thumbprint) and name `host` (SAN or CN, by `tls.checkServerIdentity`), within its validity.
 */
export function verifyMasterCertificate(peer: X509Certificate | undefined, expected: { readonly thumbprint: string; readonly host: string }, now: Date = new Date()): PeerVerdict {
  if (!peer) return { ok: false, reason: 'no server certificate' };
  const thumbprint = thumbprintOf(peer.raw);
  if (thumbprint !== expected.thumbprint.toUpperCase()) return { ok: false, reason: `thumbprint mismatch: expected ${expected.thumbprint.toUpperCase()} got ${thumbprint}`, thumbprint };
  const nameError = tls.checkServerIdentity(expected.host, peerCertificateOf(peer));
  if (nameError) return { ok: false, reason: `name mismatch: ${expected.host} is not a name of the master certificate (${peer.subjectAltName ?? peer.subject})`, thumbprint };
  const invalid = validityVerdict(peer, now);
  if (invalid) return { ok: false, reason: invalid, thumbprint };
  return { ok: true, thumbprint, subject: peer.subject };
}

/** The fields `tls.checkServerIdentity` reads, from an X509Certificate. */
function peerCertificateOf(x: X509Certificate): PeerCertificate {
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(x.subject)?.[1];
  return { subject: { CN: cn }, subjectaltname: x.subjectAltName, raw: x.raw } as unknown as PeerCertificate;
}

/**
 * A `checkServerIdentity` for Node's `tls`/`https` that applies `verifyMasterCertificate`.
 * Node calls it only after OpenSSL accepted the chain, so `connectToMaster`/`masterConnector`
 * (which judge every handshake) are the primary path; this one serves callers using `ca`.
 */
export function masterIdentityCheck(settings: Pick<ResolvedWorkerSettings, 'masterHttpsCertThumbprint' | 'masterEndpoint'>) {
  return (_host: string, cert: PeerCertificate): Error | undefined => {
    const verdict = verifyMasterCertificate(cert.raw ? new X509Certificate(cert.raw) : undefined, expectedMaster(settings));
    return verdict.ok ? undefined : tlsError(`master refused: ${verdict.reason}`);
  };
}

function expectedMaster(settings: Pick<ResolvedWorkerSettings, 'masterHttpsCertThumbprint' | 'masterEndpoint'>) {
  if (settings.masterHttpsCertThumbprint === undefined) throw tlsError('MasterHttpsCertThumbprint is not set; install the master certificate and set its thumbprint', 'MasterHttpsCertThumbprint');
  return { thumbprint: settings.masterHttpsCertThumbprint, host: settings.masterEndpoint.host };
}

type WorkerTlsSettings = Pick<ResolvedWorkerSettings, 'workerHttpsCertThumbprint' | 'storeLocation' | 'storeName' | 'masterHttpsCertThumbprint' | 'masterEndpoint' | 'certificateStoreRoot'>;

/**
 * Client options for a worker: its certificate from `StoreLocation/StoreName`, SNI for the
 * master's host, and the pinned-identity check. OpenSSL's own chain verdict is not used
 * (`rejectUnauthorized: false`); `masterConnector` judges every handshake instead.
 */
export function workerClientTlsOptions(settings: WorkerTlsSettings, store = new CertStore(settings.certificateStoreRoot)): ConnectionOptions {
  const { cert, keyPem } = withKey(store, settings.workerHttpsCertThumbprint, [{ location: settings.storeLocation, name: settings.storeName }], 'WorkerHttpsCertThumbprint');
  expectedMaster(settings);
  const host = settings.masterEndpoint.host;
  return {
    cert: cert.certPem, key: keyPem, rejectUnauthorized: false, minVersion: 'TLSv1.2',
    ...(isIP(host) !== 0 ? {} : { servername: host }),
    checkServerIdentity: masterIdentityCheck(settings),
  };
}

/**
 * A `createConnection` for `https.request` and `ws` (or direct use): connects with the worker's
 * client options and, once the handshake is done, destroys the socket with an SSO_ERR_TLS error
 * giving the reason unless `verifyMasterCertificate` accepts the master. Nothing the caller
 * writes is sent before that check.
 */
export function masterConnector(settings: WorkerTlsSettings, store = new CertStore(settings.certificateStoreRoot)) {
  const base = workerClientTlsOptions(settings, store);
  const expected = expectedMaster(settings);
  return (options: ConnectionOptions = {}): TLSSocket => {
    const socket = tls.connect({ host: settings.masterEndpoint.host, port: settings.masterEndpoint.port, ...options, ...base });
    socket.cork();
    socket.once('secureConnect', () => {
      const verdict = verifyMasterCertificate(socket.getPeerX509Certificate(), expected);
      if (!verdict.ok) { socket.destroy(tlsError(`master refused: ${verdict.reason}`, settings.masterEndpoint.url)); return; }
      socket.uncork();
    });
    return socket;
  };
}
