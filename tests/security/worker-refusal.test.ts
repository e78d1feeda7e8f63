import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { ensureDataFolder, DataLayout } from '../../runtime/local/data-folder.ts';
import type { DataFolder } from '../../runtime/local/data-folder.ts';
import { startMaster } from '../../runtime/master/index.ts';
import type { RunningMaster } from '../../runtime/master/index.ts';
import { CertStore } from '../../runtime/tls/cert-store.ts';
import { MASTER_TRUST_STORE, WORKER_TRUST_STORE } from '../../runtime/tls/tls-options.ts';
import { createMasterCertificate, createWorkerCertificate } from '../../runtime/tls/certificates.ts';

// Issue 8, finding 8: a worker that the master will never let in (or that will never trust the
// master) says so on its console and exits non-zero after a bounded number of refused attempts,
// instead of retrying for ever with the reason only in its log file. Real `scaleout worker`
// processes against a real master over mutual TLS on loopback.
const test = suite('security: a refused worker says why on stderr and exits');
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let root: string;
let data: DataFolder;
let master: RunningMaster;
const masterLog: string[] = [];

test.before(async () => {
  root = mkdtempSync(join(tmpdir(), 'scaleout-refusal-'));
  data = await ensureDataFolder(join(root, 'data'));
  const logger = pino({ level: 'info' }, { write: (l: string) => { masterLog.push(l); } } as unknown as NodeJS.WritableStream);
  master = await startMaster(data.masterConfig, { env: {}, logger });
});
test.after(async () => { await master?.stop(); rmSync(root, { recursive: true, force: true }); });

interface Run { code: number | null; stdout: string; stderr: string }
function runWorker(env: Record<string, string>, timeoutMs = 40_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'runtime/cli/main.ts', 'worker', '--config', data.workerConfig], {
      cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`the worker kept retrying for ${timeoutMs} ms:\nstdout:\n${stdout}\nstderr:\n${stderr}`)); }, timeoutMs);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

const workerStore = () => new CertStore(join(data.dir, DataLayout.workerCerts));
const masterStore = () => new CertStore(join(data.dir, DataLayout.masterCerts));

test('pinned to another master certificate that is in its own store: the TLS refusal on stderr, exit 3', async () => {
  const other = createMasterCertificate();
  workerStore().install(other.certPem, WORKER_TRUST_STORE);
  const r = await runWorker({ SCALEOUT_WORKER_MasterHttpsCertThumbprint: other.thumbprint });
  assert.is(r.code, 3, `exit code; stderr:\n${r.stderr}`);
  assert.match(r.stdout, /Ready\./);
  assert.match(r.stderr, /Connection refused \(1 of 5\): this worker refused the master: the master's certificate is refused: .*self[- ]signed/i);
  assert.match(r.stderr, /Connection refused \(5 of 5\)/);
  assert.match(r.stderr, /Giving up after 5 refused attempts/);
});

test('a client certificate the master does not trust: the master\'s reason on stderr, exit 3', async () => {
  const stranger = createWorkerCertificate();
  workerStore().install(stranger.certPem, { location: 'LocalMachine', name: 'My' }, stranger.keyPem);
  const r = await runWorker({ SCALEOUT_WORKER_WorkerHttpsCertThumbprint: stranger.thumbprint });
  assert.is(r.code, 3, `exit code; stderr:\n${r.stderr}`);
  assert.match(r.stderr, new RegExp(`Connection refused \\(1 of 5\\): the master refused this worker: HTTP 403: unknown thumbprint ${stranger.thumbprint}`));
  assert.match(r.stderr, /Giving up/);
});

test('a trusted certificate saying hello as an agent id bound to another certificate: the refused hello on stderr, exit 3', async () => {
  // The real worker registers first (binding its AgentId to its certificate), then is stopped.
  const first = spawn(process.execPath, ['--import', 'tsx', 'runtime/cli/main.ts', 'worker', '--config', data.workerConfig], { cwd: ROOT, stdio: 'ignore' });
  const until = Date.now() + 30_000;
  while (!master.service.hub.connectedAgents().some((a) => a.agentId === data.agentId)) {
    if (Date.now() > until) { first.kill('SIGKILL'); throw new Error('the real worker never registered'); }
    await new Promise((r) => setTimeout(r, 100));
  }
  first.kill('SIGTERM');
  await new Promise((r) => first.once('exit', r));
  const other = createWorkerCertificate();
  workerStore().install(other.certPem, { location: 'LocalMachine', name: 'My' }, other.keyPem);
  masterStore().install(other.certPem, MASTER_TRUST_STORE);
  const r = await runWorker({ SCALEOUT_WORKER_WorkerHttpsCertThumbprint: other.thumbprint });
  assert.is(r.code, 3, `exit code; stderr:\n${r.stderr}`);
  assert.match(r.stderr, new RegExp(`the master refused this worker: hello refused \\(SSO_ERR_TLS\\): client certificate ${other.thumbprint} may not act as worker agent ${data.agentId}`));
  assert.ok(masterLog.some((l) => l.includes('agent hello refused')), 'the master logged the refusal too');
});

test.run();
