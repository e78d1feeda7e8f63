/**
 * Windows certificate stores on a Linux file system: `<root>/<StoreLocation>/<StoreName>/` holds
 * each certificate as `<THUMBPRINT>.cer` (PEM) and, when we have it, its private key as
 * `<THUMBPRINT>.key`, readable by the owner only (file 0600, folders 0700), as a private key in
 * LocalMachine\My is readable only by the accounts it is granted to.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SsoError } from '../../actors/errors.ts';
import { StoreLocations, StoreNames } from '../../config/worker-settings.ts';
import type { StoreLocation, StoreName } from '../../config/worker-settings.ts';
import { SettingValueError, parseThumbprint } from '../../config/setting-values.ts';
import { derToPem, thumbprintOf } from './certificates.ts';

/** Which store: location and name, as in WorkerSettings.config. */
export interface StoreRef {
  readonly location: StoreLocation;
  readonly name: StoreName;
}

/** A certificate in a store. */
export interface StoredCertificate extends StoreRef {
  readonly thumbprint: string;
  /** Subject as OpenSSL prints it, e.g. `CN=master01`. */
  readonly subject: string;
  /** Subject alternative names, e.g. `['DNS:master01', 'IP Address:127.0.0.1']`. */
  readonly subjectAltNames: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly hasPrivateKey: boolean;
  /** The `.cer` file. */
  readonly file: string;
  readonly certPem: string;
}

export function tlsError(message: string, where?: string, cause?: unknown): SsoError {
  return new SsoError('SSO_ERR_TLS', message, { ...(where === undefined ? {} : { where }), ...(cause === undefined ? {} : { cause }) });
}

/** Parses a certificate given as PEM text or DER bytes; `what` names it in errors. */
export function parseCertificate(input: string | Uint8Array, what: string): { x509: X509Certificate; pem: string } {
  try {
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
    if (text.includes('-----BEGIN CERTIFICATE-----')) {
      const pem = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(text)![0] + '\n';
      return { x509: new X509Certificate(pem), pem };
    }
    if (typeof input === 'string') throw new Error('no BEGIN CERTIFICATE block');
    const x509 = new X509Certificate(Buffer.from(input));
    return { x509, pem: derToPem(x509.raw) };
  } catch (cause) {
    throw tlsError(`${what} is not a valid certificate (PEM or DER): ${(cause as Error).message}`, what, cause);
  }
}

export function normaliseThumbprint(text: string): string {
  try { return parseThumbprint(text); } catch (e) {
    if (e instanceof SettingValueError) throw tlsError(`'${text}' is not a certificate thumbprint (expected 40 hex digits)`);
    throw e;
  }
}

/** Certificate stores under one root folder. */
export class CertStore {
  constructor(readonly root: string) {}

  folder(ref: StoreRef): string {
    if (!StoreLocations.includes(ref.location)) throw tlsError(`unknown store location '${ref.location}' (expected ${StoreLocations.join(', ')})`);
    if (!StoreNames.includes(ref.name)) throw tlsError(`unknown store name '${ref.name}' (expected ${StoreNames.join(', ')})`);
    return join(this.root, ref.location, ref.name);
  }

  /**
   * Adds a certificate (PEM or DER) and optionally its private key (PEM), which must match it.
   * Installing the same certificate again replaces it (and adds the key if given).
   */
  install(cert: string | Uint8Array, ref: StoreRef, keyPem?: string): StoredCertificate {
    const { x509, pem } = parseCertificate(cert, 'the certificate to install');
    if (keyPem !== undefined) {
      let matches = false;
      try { matches = x509.checkPrivateKey(createPrivateKey(keyPem)); } catch (cause) { throw tlsError(`the private key is not a valid PEM key: ${(cause as Error).message}`, undefined, cause); }
      if (!matches) throw tlsError('the private key does not belong to the certificate');
    }
    const dir = this.folder(ref);
    this.#makeFolder(dir);
    const thumbprint = thumbprintOf(x509.raw);
    // Key first, so a certificate never appears claiming a key that is not yet there.
    if (keyPem !== undefined) this.#writePrivate(join(dir, `${thumbprint}.key`), keyPem, 0o600);
    this.#writePrivate(join(dir, `${thumbprint}.cer`), pem, 0o644);
    return this.#read(join(dir, `${thumbprint}.cer`), ref);
  }

  /** The certificate with this thumbprint, in one store or (without `ref`) in any. */
  find(thumbprint: string, ref?: StoreRef): StoredCertificate | undefined {
    const t = normaliseThumbprint(thumbprint);
    for (const r of ref ? [ref] : this.#allRefs()) {
      const file = join(this.folder(r), `${t}.cer`);
      if (existsSync(file)) return this.#read(file, r);
    }
    return undefined;
  }

  /** The private key (PEM) of a certificate, if the store has it. */
  privateKey(cert: StoredCertificate): string | undefined {
    if (!cert.hasPrivateKey) return undefined;
    const file = join(dirname(cert.file), `${cert.thumbprint}.key`);
    try { return readFileSync(file, 'utf8'); } catch (cause) { throw tlsError(`cannot read private key ${file}: ${(cause as Error).message}`, file, cause); }
  }

  /** Every certificate in one store, or in all stores, sorted by location, name, subject. */
  list(ref?: Partial<StoreRef>): StoredCertificate[] {
    const out: StoredCertificate[] = [];
    for (const r of this.#allRefs()) {
      if ((ref?.location && ref.location !== r.location) || (ref?.name && ref.name !== r.name)) continue;
      const dir = this.folder(r);
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir).sort()) if (f.endsWith('.cer')) out.push(this.#read(join(dir, f), r));
    }
    return out;
  }

  /** Writes a certificate (PEM, without its key) to `path`. */
  export(thumbprint: string, path: string, ref?: StoreRef): StoredCertificate {
    const cert = this.find(thumbprint, ref);
    if (!cert) throw tlsError(`no certificate with thumbprint ${normaliseThumbprint(thumbprint)} in ${ref ? this.folder(ref) : this.root}`);
    try { writeFileSync(path, cert.certPem); } catch (cause) { throw tlsError(`cannot write ${path}: ${(cause as Error).message}`, path, cause); }
    return cert;
  }

  /** Deletes a certificate and its key; returns whether it was there. */
  remove(thumbprint: string, ref: StoreRef): boolean {
    const t = normaliseThumbprint(thumbprint);
    const dir = this.folder(ref);
    const had = existsSync(join(dir, `${t}.cer`));
    rmSync(join(dir, `${t}.cer`), { force: true });
    rmSync(join(dir, `${t}.key`), { force: true });
    return had;
  }

  #allRefs(): StoreRef[] {
    return StoreLocations.flatMap((location) => StoreNames.map((name) => ({ location, name })));
  }

  #makeFolder(dir: string): void {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
      chmodSync(dirname(dir), 0o700);
    } catch (cause) { throw tlsError(`cannot create store folder ${dir}: ${(cause as Error).message}`, dir, cause); }
  }

  /** Temporary file + rename, so a reader never sees half a certificate or key. */
  #writePrivate(file: string, text: string, mode: number): void {
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, text, { mode });
      chmodSync(tmp, mode);
      renameSync(tmp, file);
    } catch (cause) {
      rmSync(tmp, { force: true });
      throw tlsError(`cannot write ${file}: ${(cause as Error).message}`, file, cause);
    }
  }

  #read(file: string, ref: StoreRef): StoredCertificate {
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch (cause) { throw tlsError(`cannot read certificate file ${file}: ${(cause as Error).message}`, file, cause); }
    const { x509, pem } = parseCertificate(text, `certificate file ${file}`);
    const thumbprint = thumbprintOf(x509.raw);
    const base = file.slice(0, -'.cer'.length);
    if (!base.endsWith(thumbprint)) throw tlsError(`certificate file ${file} holds a certificate with thumbprint ${thumbprint}; the file name must be its thumbprint`, file);
    return {
      ...ref, thumbprint, file, certPem: pem,
      subject: x509.subject.replace(/\n/g, ', '),
      subjectAltNames: (x509.subjectAltName ?? '').split(',').map((s) => s.trim()).filter(Boolean),
      notBefore: new Date(x509.validFrom), notAfter: new Date(x509.validTo),
      hasPrivateKey: existsSync(`${base}.key`),
    };
  }
}
