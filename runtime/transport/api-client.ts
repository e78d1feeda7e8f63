/**
 * The CLI's client for the master's REST API (`/api/v1/*`): HTTP Basic over TLS. Trust comes from a
 * pinned CA/certificate PEM (what `scaleout up` exports as `<data>/master.crt`) or the system store.
 * Errors from the master come back as `SsoError`s carrying the catalog error number.
 */
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SsoError } from '../../actors/errors.ts';
import type { ErrorCode } from '../../actors/errors.ts';

export interface ApiTarget {
  /** `https://host:port` of the master. */
  readonly endpoint: string;
  readonly user: string;
  readonly password: string;
  /** PEM of the master certificate (or its issuer) to trust; system trust when absent. */
  readonly ca?: string;
}

const UNTRUSTED_CERT_CODES = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED', 'ERR_TLS_CERT_ALTNAME_INVALID']);

/** One API request; the answer parsed as JSON, or with `responseAs: 'bytes'` its raw body (a CSV file). */
export async function apiCall<T>(target: ApiTarget, method: 'GET' | 'POST', path: string, body?: unknown, contentType?: string, responseAs: 'json' | 'bytes' = 'json'): Promise<T> {
  const url = new URL(path, target.endpoint);
  const payload = body === undefined ? undefined : body instanceof Uint8Array ? Buffer.from(body) : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const type = contentType ?? (body instanceof Uint8Array ? 'application/octet-stream' : typeof body === 'string' ? 'text/plain' : 'application/json');
  return new Promise<T>((resolve, reject) => {
    const req = request(url, {
      method,
      ...(target.ca ? { ca: target.ca } : {}),
      // The master certificate names the endpoint host (checked by TLS); `localhost` for `scaleout up`.
      headers: {
        authorization: `Basic ${Buffer.from(`${target.user}:${target.password}`).toString('base64')}`,
        ...(payload ? { 'content-type': type, 'content-length': payload.length } : {}),
      },
      timeout: 120_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try { json = text === '' ? undefined : JSON.parse(text); } catch { json = undefined; }
        if ((res.statusCode ?? 500) >= 400) {
          const e = (json ?? {}) as { error?: string; message?: string; number?: number; where?: string };
          const code = (typeof e.error === 'string' && e.error.startsWith('SSO_ERR_') ? e.error : res.statusCode === 401 || res.statusCode === 403 ? 'SSO_ERR_AUTH' : 'SSO_ERR_CATALOG') as ErrorCode;
          reject(new SsoError(code, `${method} ${url.pathname}: ${e.message ?? `HTTP ${res.statusCode} ${text.slice(0, 200)}`}`, {
            ...(typeof e.number === 'number' ? { number: e.number } : {}), ...(e.where ? { where: e.where } : {}),
          }));
        } else resolve((responseAs === 'bytes' ? Buffer.concat(chunks) : json) as T);
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new SsoError('SSO_ERR_CATALOG_IO', `${method} ${url.href}: no answer from the master within 120 s`)));
    req.on('error', (err) => {
      if (SsoError.is(err)) { reject(err); return; }
      const code = (err as NodeJS.ErrnoException).code ?? '';
      // An unknown certificate: say which file to trust instead of only "self-signed certificate".
      const hint = UNTRUSTED_CERT_CODES.has(code) || /certificate/i.test(err.message)
        ? ` (the master's certificate is not trusted here: pass --ca <data>/master.crt, the file 'scaleout up' writes, or the master's .cer${target.ca ? '; the --ca given does not match it' : ''})`
        : '';
      reject(new SsoError(hint ? 'SSO_ERR_TLS' : 'SSO_ERR_CATALOG_IO', `${method} ${url.href}: cannot reach the master: ${err.message}${hint}`, { cause: err }));
    });
    if (payload) req.write(payload);
    req.end();
  });
}

/** Files of a `scaleout up` data folder that the CLI needs to talk to its master. */
export const DataFiles = {
  masterSettings: 'MasterSettings.config',
  workerSettings: 'WorkerSettings.config',
  adminPassword: 'admin-password',
  masterCertificate: 'master.crt',
  endpoint: 'endpoint',
} as const;

/** Reads the endpoint, admin login and master certificate of a `scaleout up` data folder. */
export function targetFromDataDir(dir: string): ApiTarget {
  const read = (name: string): string => {
    try { return readFileSync(join(dir, name), 'utf8').trim(); } catch (err) {
      throw new SsoError('SSO_ERR_CONFIG_IO', `'${join(dir, name)}' cannot be read (run 'scaleout up --data ${dir}' first): ${(err as Error).message}`, { where: join(dir, name) });
    }
  };
  return { endpoint: read(DataFiles.endpoint), user: 'admin', password: read(DataFiles.adminPassword), ca: read(DataFiles.masterCertificate) + '\n' };
}

/** Default data folder of `scaleout up`/`demo`: project-local, like `.git` (see `scaleout up --help`). */
export const DEFAULT_DATA_DIR = '.scaleout';

/**
 * The master a CLI command talks to: `-S <url> -U <login> -P <password> [--ca <pem file>]`, or
 * `--data <dir>` (a `scaleout up` folder; the default `./.scaleout` when nothing is given).
 */
export function targetFromFlags(get: (name: string) => string | undefined, cwd: string, env: NodeJS.ProcessEnv): ApiTarget {
  const server = get('S') ?? get('server');
  if (server !== undefined) {
    const user = get('U') ?? get('user') ?? env['SCALEOUT_USER'];
    const password = get('P') ?? get('password') ?? env['SCALEOUT_PASSWORD'];
    if (!user || password === undefined) throw new SsoError('SSO_ERR_CLI_USAGE', 'with -S give a login: -U <login> -P <password> (or SCALEOUT_USER / SCALEOUT_PASSWORD)');
    const caFile = get('ca');
    let ca: string | undefined;
    if (caFile) {
      try { ca = readFileSync(resolve(cwd, caFile), 'utf8'); } catch (err) { throw new SsoError('SSO_ERR_CONFIG_IO', `--ca ${caFile}: ${(err as Error).message}`, { where: caFile }); }
    }
    return { endpoint: server, user, password, ...(ca ? { ca } : {}) };
  }
  const data = get('data') ?? DEFAULT_DATA_DIR;
  return targetFromDataDir(resolve(cwd, data));
}
