/**
 * `scaleout join`: the new machine's half of "add a worker". Calls the master's `POST
 * /api/v1/enrol` over TLS, accepting only the master certificate whose thumbprint the command line
 * carries (pinned: no CA is involved), spends the join token, and writes a worker data folder
 * (WorkerSettings.config, its client certificate and key in `certs/LocalMachine/My`, the master
 * certificate in `certs/LocalMachine/Root`). `scaleout worker --config <dir>/WorkerSettings.config`
 * then runs it; the master lists it disabled until someone enables it.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { SsoError } from '../../actors/errors.ts';
import { writeWorkerSettings } from '../../config/worker-settings.ts';
import { CertStore, normaliseThumbprint } from '../tls/cert-store.ts';
import { thumbprintOf } from '../tls/certificates.ts';
import { WORKER_TRUST_STORE } from '../tls/tls-options.ts';
import type { EnrolmentResult } from '../viewer/enrolment.ts';

export interface JoinResult { readonly dir: string; readonly workerConfig: string; readonly agentId: string; readonly thumbprint: string }

export async function joinAsWorker(options: { endpoint: string; token: string; masterThumbprint: string; dir: string; displayName?: string }): Promise<JoinResult> {
  const dir = resolve(options.dir);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new SsoError('SSO_ERR_CONFIG_IO', `--data ${dir} is not empty: give a new folder for the worker`, { where: dir });
  const pinned = normaliseThumbprint(options.masterThumbprint);
  const body = JSON.stringify({ token: options.token, machineName: hostname() });
  const url = new URL('/api/v1/enrol', options.endpoint);
  const answer = await new Promise<EnrolmentResult>((res, rej) => {
    const req = httpsRequest(url, {
      method: 'POST', timeout: 30_000, rejectUnauthorized: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      // The only trust anchor is the thumbprint from the join command.
      checkServerIdentity: (_host: string, cert: PeerCertificate) => {
        const got = cert.raw ? thumbprintOf(new Uint8Array(cert.raw)) : '';
        return got === pinned ? undefined : new Error(`the master at ${url.host} presented certificate ${got || '(none)'}, not ${pinned} from the join command`);
      },
    }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (r.statusCode !== 200) { rej(new SsoError('SSO_ERR_AUTH', `enrolment refused by ${url.host}: HTTP ${r.statusCode} ${safeMessage(text)}`)); return; }
        try { res(JSON.parse(text) as EnrolmentResult); } catch (err) { rej(err); }
      });
    });
    req.on('socket', (s) => s.on('secureConnect', () => {
      const raw = (s as import('node:tls').TLSSocket).getPeerX509Certificate?.();
      if (!raw || thumbprintOf(new Uint8Array(raw.raw)) !== pinned) req.destroy(new SsoError('SSO_ERR_TLS', `the master at ${url.host} is not the one in the join command (thumbprint ${raw ? thumbprintOf(new Uint8Array(raw.raw)) : 'none'}, expected ${pinned})`));
    }));
    req.on('timeout', () => req.destroy(new Error(`enrolment at ${url.host} timed out`)));
    req.on('error', rej);
    req.end(body);
  });
  if (thumbprintOf(answer.masterCertPem) !== pinned) throw new SsoError('SSO_ERR_TLS', 'the enrolment answer names a different master certificate');
  new X509Certificate(answer.certPem);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const certs = new CertStore(join(dir, 'certs'));
  certs.install(answer.certPem, { location: 'LocalMachine', name: 'My' }, answer.keyPem);
  certs.install(answer.masterCertPem, WORKER_TRUST_STORE);
  const workerConfig = join(dir, 'WorkerSettings.config');
  writeWorkerSettings(workerConfig, {
    DisplayName: options.displayName ?? hostname(), MasterEndpoint: options.endpoint, MasterHttpsCertThumbprint: pinned,
    WorkerHttpsCertThumbprint: answer.thumbprint, StoreLocation: 'LocalMachine', StoreName: 'My',
    TasksRootFolder: 'tasks', ExecutionLogCacheFolder: 'elogcache', CertificateStoreRoot: 'certs', LogFolder: 'logs', AgentId: answer.agentId,
  });
  return { dir, workerConfig, agentId: answer.agentId, thumbprint: answer.thumbprint };
}

function safeMessage(text: string): string {
  try { return String((JSON.parse(text) as { message?: string }).message ?? text).slice(0, 300); } catch { return text.slice(0, 300); }
}
