import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { SsoError } from '../../actors/errors.ts';
import { ensureDataFolder } from '../../runtime/local/data-folder.ts';
import { startMaster } from '../../runtime/master/index.ts';
import { startWorker } from '../../runtime/agent/index.ts';
import { loadMasterSettings } from '../../config/master-settings.ts';
import { loadWorkerSettings } from '../../config/worker-settings.ts';

// The services' entry points and the `scaleout up` data folder, without running a cluster.
const test = suite('entry points: data folder, startMaster/startWorker refusals');
let root: string;
test.before(() => { root = mkdtempSync(join(tmpdir(), 'scaleout-entry-')); });
test.after(() => { rmSync(root, { recursive: true, force: true }); });

const silent = pino({ level: 'silent' });

async function refusal(p: Promise<unknown>): Promise<SsoError> {
  try { await p; } catch (err) { if (SsoError.is(err)) return err; throw err; }
  throw new Error('expected a refusal');
}

test('a new data folder holds both settings files, crossed trust, catalog and a 0600 password; a second call reuses it', async () => {
  const dir = join(root, 'data');
  const first = await ensureDataFolder(dir);
  assert.ok(first.created);
  assert.ok(first.newAdminPassword && first.newAdminPassword.length >= 20);
  assert.is(statSync(join(dir, 'admin-password')).mode & 0o777, 0o600);
  const master = loadMasterSettings(first.masterConfig, { env: {} }).settings;
  const worker = loadWorkerSettings(first.workerConfig, { env: {}, writeBackAgentId: false }).settings;
  assert.is(master.catalogPath, join(dir, 'catalog', 'ssisdb.sqlite'));
  assert.is(worker.masterHttpsCertThumbprint, master.sslCertThumbprint);
  assert.is(worker.agentId, first.agentId);
  assert.is(worker.masterEndpoint.url, first.endpoint);
  // Each side trusts the other: the worker certificate in the master's Root, the master's in the worker's Root.
  assert.ok(readdirSync(join(master.certificateStoreRoot, 'LocalMachine', 'Root')).includes(`${worker.workerHttpsCertThumbprint}.cer`));
  assert.ok(readdirSync(join(worker.certificateStoreRoot, 'LocalMachine', 'Root')).includes(`${master.sslCertThumbprint}.cer`));
  assert.ok(readdirSync(join(worker.certificateStoreRoot, 'LocalMachine', 'My')).includes(`${worker.workerHttpsCertThumbprint}.key`));
  const second = await ensureDataFolder(dir);
  assert.not.ok(second.created);
  assert.is(second.newAdminPassword, undefined);
  assert.is(second.agentId, first.agentId);
  assert.is(readFileSync(join(dir, 'admin-password'), 'utf8').trim(), first.newAdminPassword);
});

test('a folder that is not a data folder is refused and left untouched; nothing half-made is left beside it', async () => {
  const dir = join(root, 'other');
  mkdirSync(dir);
  writeFileSync(join(dir, 'notes.txt'), 'mine');
  const err = await refusal(ensureDataFolder(dir));
  assert.match(err.message, /not a scaleout data folder/);
  assert.equal(readdirSync(dir), ['notes.txt']);
  assert.not.ok(readdirSync(root).some((n) => n.includes('.creating-')));
});

test('startMaster names the file, line and key of a bad setting, and the key of a SQL Server without a login', async () => {
  const bad = join(root, 'Bad.config');
  writeFileSync(bad, '<MasterSettings>\n  <PortNumber>99999</PortNumber>\n</MasterSettings>\n');
  const e1 = await refusal(startMaster(bad, { env: {}, logger: silent }));
  assert.is(e1.code, 'SSO_ERR_CONFIG_INVALID');
  assert.match(e1.message, /Bad\.config:2/);
  assert.match(e1.message, /PortNumber/);
  const data = join(root, 'data');
  const e2 = await refusal(startMaster(join(data, 'MasterSettings.config'), { env: { SCALEOUT_MASTER_SqlServerName: 'db01' }, logger: silent }));
  assert.is(e2.code, 'SSO_ERR_CONFIG_INVALID');
  assert.match(e2.message, /SqlServerName/);
});

test('startWorker refuses when the pinned master certificate is not in its Root store, saying where to install it', async () => {
  const data = join(root, 'data');
  const worker = loadWorkerSettings(join(data, 'WorkerSettings.config'), { env: {}, writeBackAgentId: false }).settings;
  const err = await refusal(startWorker(join(data, 'WorkerSettings.config'), { env: { SCALEOUT_WORKER_MasterHttpsCertThumbprint: '0'.repeat(40) }, logger: silent }));
  assert.is(err.code, 'SSO_ERR_TLS');
  assert.match(err.message, /MasterHttpsCertThumbprint/);
  assert.match(err.message, /scaleout cert install/);
  assert.ok(worker.masterHttpsCertThumbprint);
});

test.run();
