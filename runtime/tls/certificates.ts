/**
 * Creates the two kinds of Scale Out certificates, self-signed as SSIS setup makes them: the
 * master's server certificate (names cover every way workers may address the master) and one
 * client certificate per worker. Keys come from `node:crypto` (fast, native); node-forge builds
 * and signs the X.509. Thumbprints are the SHA-1 of the DER in upper-case hex, as SSIS shows them.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import forge from 'node-forge';
import { SsoError } from '../../actors/errors.ts';

/** A new certificate with its private key. */
export interface CreatedCertificate {
  /** The certificate, PEM. */
  readonly certPem: string;
  /** Its private key, PEM (PKCS#1). */
  readonly keyPem: string;
  /** SHA-1 of the DER, 40 upper-case hex. */
  readonly thumbprint: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface ValidityOptions {
  /** Validity length from `notBefore`. @default 3650 (ten years) */
  readonly days?: number;
  /** Start of validity. @default now, minus a minute for clock skew */
  readonly notBefore?: Date;
  /** End of validity; overrides `days` (used to make expired certificates in tests). */
  readonly notAfter?: Date;
  /** RSA key size. @default 2048 */
  readonly keyBits?: number;
}

export interface MasterCertificateOptions extends ValidityOptions {
  /** DNS names; the first is the CN. @default [os.hostname(), 'localhost'] */
  readonly names?: readonly string[];
  /** IP addresses for the SAN. @default every address of this machine, 127.0.0.1 and ::1 included */
  readonly ips?: readonly string[];
}

export interface WorkerCertificateOptions extends ValidityOptions {
  /** The worker machine's name, the CN. @default os.hostname() */
  readonly name?: string;
}

const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const OID_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
export { OID_SERVER_AUTH, OID_CLIENT_AUTH };

/** The machine's addresses (link-local IPv6 ones with a zone are left out: they cannot be named in a URL host). */
export function machineAddresses(): string[] {
  const out = new Set<string>(['127.0.0.1', '::1']);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.address.includes('%') && !(a.family === 'IPv6' && a.scopeid)) out.add(a.address);
  }
  return [...out];
}

/** SHA-1 thumbprint of a certificate given as PEM or DER. */
export function thumbprintOf(cert: string | Uint8Array): string {
  const der = typeof cert === 'string' ? pemToDer(cert) : cert;
  const md = forge.md.sha1.create();
  md.update(forge.util.binary.raw.encode(der));
  return md.digest().toHex().toUpperCase();
}

/** The DER bytes of the first certificate in a PEM text. */
export function pemToDer(pem: string): Uint8Array {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  if (!m) throw new SsoError('SSO_ERR_TLS', 'not a PEM certificate (no BEGIN CERTIFICATE block)');
  return Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
}

export function derToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

function validity(options: ValidityOptions): { notBefore: Date; notAfter: Date } {
  const days = options.days ?? 3650;
  if (!Number.isFinite(days) || days <= 0) throw new SsoError('SSO_ERR_TLS', `certificate validity must be a positive number of days, got ${days}`);
  const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + days * 86_400_000);
  if (notAfter <= notBefore) throw new SsoError('SSO_ERR_TLS', 'certificate notAfter must be later than notBefore');
  return { notBefore, notAfter };
}

function build(cn: string, altNames: object[], eku: 'serverAuth' | 'clientAuth', options: ValidityOptions): CreatedCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: options.keyBits ?? 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const { notBefore, notAfter } = validity(options);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  // A positive 128-bit serial (top bit clear so DER does not read it as negative).
  const serial = randomBytes(16); serial[0]! &= 0x7f; serial[0]! |= 0x01;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  const subject = [{ name: 'commonName', value: cn }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', [eku]: true },
    { name: 'subjectAltName', altNames },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  return { certPem, keyPem: privateKey, thumbprint: thumbprintOf(certPem), notBefore, notAfter };
}

function checkName(name: string): string {
  const n = name.trim();
  if (n === '' || !/^[A-Za-z0-9*]([A-Za-z0-9-.*]*[A-Za-z0-9])?$/.test(n)) throw new SsoError('SSO_ERR_TLS', `'${name}' is not a DNS name`);
  return n;
}

/** The master's server certificate: CN = first name, SAN = all names and IPs, EKU serverAuth, SHA-256. */
export function createMasterCertificate(options: MasterCertificateOptions = {}): CreatedCertificate {
  // A --name that is an IP address becomes an IP entry (clients match IPs against iPAddress SANs only).
  const given = options.names ?? [hostname(), 'localhost'];
  const names = [...new Set(given.filter((n) => isIP(n) === 0).map(checkName))];
  const ips = [...new Set([...(options.ips ?? machineAddresses()), ...given.filter((n) => isIP(n) !== 0)])];
  for (const ip of ips) if (isIP(ip) === 0) throw new SsoError('SSO_ERR_TLS', `'${ip}' is not an IP address`);
  const cn = names[0] ?? ips[0];
  if (cn === undefined) throw new SsoError('SSO_ERR_TLS', 'a master certificate needs at least one name or IP address');
  const altNames = [...names.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))];
  return build(cn, altNames, 'serverAuth', options);
}

/** A worker's client certificate: CN = the worker machine name (also in the SAN), EKU clientAuth. */
export function createWorkerCertificate(options: WorkerCertificateOptions = {}): CreatedCertificate {
  const name = checkName(options.name ?? hostname());
  return build(name, [{ type: 2, value: name }], 'clientAuth', options);
}
