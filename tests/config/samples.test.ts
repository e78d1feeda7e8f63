import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readSettingsFile } from '../../config/settings-file.ts';
import { MASTER_SETTING_DEFS, loadMasterSettings } from '../../config/master-settings.ts';
import { WORKER_SETTING_DEFS, loadWorkerSettings } from '../../config/worker-settings.ts';

const S = suite('config/samples');
const at = (rel: string) => fileURLToPath(new URL(`../../config/${rel}`, import.meta.url));

S('the samples load cleanly, name every key, and do not change when loaded', () => {
  const master = at('samples/MasterSettings.config');
  const worker = at('samples/WorkerSettings.config');
  const before = readFileSync(worker, 'utf8');
  const m = loadMasterSettings(master, { env: {} });
  const w = loadWorkerSettings(worker, { env: {}, writeBackAgentId: false });
  assert.equal(m.warnings, []);
  assert.equal(w.warnings, []);
  assert.is(m.settings.portNumber, 8391);
  assert.is(w.settings.masterEndpoint.url, 'https://localhost:8391');
  assert.is(readFileSync(worker, 'utf8'), before);
  const masterKeys = readSettingsFile(master, 'MasterSettings').entries.map((e) => e.key);
  const workerKeys = readSettingsFile(worker, 'WorkerSettings').entries.map((e) => e.key);
  // InstanceName is the 2016 alternative to SqlServerName: documented in a comment, not set.
  assert.equal(masterKeys.sort(), MASTER_SETTING_DEFS.map((d) => d.key).filter((k) => k !== 'InstanceName').sort());
  assert.equal(workerKeys.sort(), WORKER_SETTING_DEFS.map((d) => d.key).sort());
});

S('the README documents every key', () => {
  const readme = readFileSync(at('README.md'), 'utf8');
  for (const d of [...MASTER_SETTING_DEFS, ...WORKER_SETTING_DEFS]) assert.ok(readme.includes(`\`${d.key}\``), d.key);
});

S.run();
