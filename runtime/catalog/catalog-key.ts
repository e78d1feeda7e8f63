/**
 * The embedded catalog's key: sensitive values (parameter values, environment variables, execution
 * parameter values, property overrides) are stored as AES-256-GCM envelopes, never in clear.
 *
 * Where the key lives (decided here, issue 14): `SCALEOUT_CATALOG_KEY` (64 hex digits or 44 base64
 * characters) when the operator supplies one; otherwise a file `<catalog>.key` beside the catalog,
 * mode 0600, created with the catalog. A catalog that already holds envelopes refuses to open
 * without the key that wrote them (naming the file), rather than silently starting a new one.
 *
 * Envelope (BLOB): 'K1' | key id (4 bytes: SHA-256(key)[0..4]) | IV (12) | tag (16) | ciphertext.
 * The plaintext is JSON `{t, v}` so that a bigint or a boolean comes back as what it was. The key id
 * lets a rotation interrupted between its COMMIT and the key file's rename still be read: the store
 * tries the pending key (`<catalog>.key.new`) too.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { SsoError } from '../../actors/errors.ts';
import type { ParameterValue } from '../../actors/ports.ts';

const MAGIC = Buffer.from('K1');
const HEADER = MAGIC.length + 4 + 12 + 16;

export interface CatalogCipher {
  /** Key id (hex) of the key new envelopes are written with. */
  readonly keyId: string;
  encrypt(value: ParameterValue): Buffer;
  decrypt(envelope: unknown, where: string): ParameterValue;
}

function keyIdOf(key: Buffer): Buffer {
  return createHash('sha256').update(key).digest().subarray(0, 4);
}

export function isEnvelope(v: unknown): v is Buffer {
  return Buffer.isBuffer(v) && v.length >= HEADER && v.subarray(0, 2).equals(MAGIC);
}

/** A cipher that writes with `key` and reads envelopes of `key` or any of `alsoRead`. */
export function makeCipher(key: Buffer, alsoRead: readonly Buffer[] = []): CatalogCipher {
  if (key.length !== 32) throw new SsoError('SSO_ERR_CONFIG_INVALID', 'The catalog key must be 32 bytes (AES-256)', { where: 'catalog key' });
  const id = keyIdOf(key);
  const readers = new Map<string, Buffer>([[id.toString('hex'), key], ...alsoRead.map((k) => [keyIdOf(k).toString('hex'), k] as [string, Buffer])]);
  return {
    keyId: id.toString('hex'),
    encrypt(value) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const plain = JSON.stringify(typeof value === 'bigint' ? { t: 'n', v: value.toString() } : { t: typeof value === 'boolean' ? 'b' : 'j', v: value });
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([MAGIC, id, iv, c.getAuthTag(), body]);
    },
    decrypt(envelope, where) {
      if (envelope === null || envelope === undefined) return null;
      if (!isEnvelope(envelope)) throw new SsoError('SSO_ERR_CATALOG_IO', `A sensitive value in ${where} is not an encrypted envelope`, { where });
      const k = readers.get(envelope.subarray(2, 6).toString('hex'));
      if (k === undefined) throw new SsoError('SSO_ERR_CATALOG_IO', `A sensitive value in ${where} was encrypted with another catalog key (id ${envelope.subarray(2, 6).toString('hex')}); this catalog's key is ${id.toString('hex')}`, { where });
      try {
        const d = createDecipheriv('aes-256-gcm', k, envelope.subarray(6, 18));
        d.setAuthTag(envelope.subarray(18, 34));
        const plain = Buffer.concat([d.update(envelope.subarray(HEADER)), d.final()]).toString('utf8');
        const o = JSON.parse(plain) as { t: string; v: unknown };
        return o.t === 'n' ? BigInt(String(o.v)) : (o.v as ParameterValue);
      } catch (error) {
        throw new SsoError('SSO_ERR_CATALOG_IO', `A sensitive value in ${where} cannot be decrypted (tampered or wrong key): ${(error as Error).message}`, { where, cause: error });
      }
    },
  };
}

/** Parses an operator-supplied key: 64 hex digits or base64 of 32 bytes. */
export function parseKeyText(text: string, where: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(t) && key.toString('base64') !== t)) {
    throw new SsoError('SSO_ERR_CONFIG_INVALID', `${where} must hold a 256-bit key: 64 hex digits or 44 base64 characters`, { where });
  }
  return key;
}

export function keyFileOf(catalogPath: string): string {
  return `${catalogPath}.key`;
}

export interface KeySource {
  readonly key: Buffer;
  /** 'env' (SCALEOUT_CATALOG_KEY) or the key file's path. */
  readonly from: string;
  /** A rotation's new key not yet renamed into place, if one was left behind. */
  readonly pending?: Buffer;
}

/** Writes a key file atomically with mode 0600 (temp file, then rename). */
export function writeKeyFile(path: string, key: Buffer): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'w' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

function readKeyFile(path: string): Buffer {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new SsoError('SSO_ERR_CONFIG_INVALID', `The catalog key file ${path} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it`, { where: path });
  }
  return parseKeyText(readFileSync(path, 'utf8'), path);
}

/**
 * Finds the catalog key: the environment variable first, else the key file. When neither exists,
 * creates the key file if `mayCreate` (a catalog with no envelopes yet), else refuses.
 */
export function loadCatalogKey(catalogPath: string, options: { mayCreate: boolean; env?: NodeJS.ProcessEnv }): KeySource {
  const env = options.env ?? process.env;
  const file = keyFileOf(catalogPath);
  const pendingFile = `${file}.new`;
  const pending = existsSync(pendingFile) ? readKeyFile(pendingFile) : undefined;
  const supplied = env['SCALEOUT_CATALOG_KEY'];
  if (supplied !== undefined && supplied.trim() !== '') {
    return { key: parseKeyText(supplied, 'SCALEOUT_CATALOG_KEY'), from: 'env', ...(pending ? { pending } : {}) };
  }
  if (existsSync(file)) return { key: readKeyFile(file), from: file, ...(pending ? { pending } : {}) };
  if (pending !== undefined) {
    // A rotation renamed nothing yet but the old file is gone: the pending key is the key.
    renameSync(pendingFile, file);
    return { key: pending, from: file };
  }
  if (!options.mayCreate) {
    throw new SsoError('SSO_ERR_CATALOG_IO', `The catalog ${catalogPath} holds encrypted values but its key file ${file} is missing and SCALEOUT_CATALOG_KEY is not set`, { where: file });
  }
  const key = randomBytes(32);
  writeKeyFile(file, key);
  return { key, from: file };
}
