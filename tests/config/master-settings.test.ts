import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SsoError } from '../../actors/errors.ts';
import { MASTER_SETTING_DEFS, loadMasterSettings, resolveMasterSettings, writeMasterSettings } from '../../config/master-settings.ts';

const M = suite('config/master-settings');
const ENV = { HOME: '/home/op', XDG_STATE_HOME: '/var/state', XDG_DATA_HOME: '/var/data' };
let dir = '';
M.before(() => { dir = mkdtempSync(join(tmpdir(), 'scaleout-config-')); });
M.after(() => { rmSync(dir, { recursive: true, force: true }); });

function errorOf(fn: () => unknown): SsoError {
  try { fn(); } catch (e) { if (SsoError.is(e)) return e; throw e; }
  throw new Error('no error thrown');
}
const resolve = (raw: Record<string, string>) => resolveMasterSettings(raw, { env: ENV, baseDir: '/etc/scaleout' }).settings;

M('defaults for every key', () => {
  const s = resolve({});
  assert.equal({ ...s }, {
    portNumber: 8391, sslCertThumbprint: undefined, sqlServerName: undefined, catalogKind: 'sqlite',
    catalogPath: '/var/data/scaleout/catalog/ssisdb.sqlite',
    cleanupCompletedJobsIntervalMs: 43_200_000, dealWithExpiredTasksIntervalMs: 300_000,
    masterHeartbeatIntervalMs: 30_000, catalogPollIntervalMs: 100, sqlConnectionTimeoutMs: 15_000,
    certificateStoreRoot: '/var/state/scaleout/certs', logFolder: '/var/state/scaleout/master/logs',
  });
  assert.ok(Object.isFrozen(s));
  // XDG fallbacks under HOME.
  assert.is(resolveMasterSettings({}, { env: { HOME: '/home/op' } }).settings.catalogPath, '/home/op/.local/share/scaleout/catalog/ssisdb.sqlite');
  assert.is(resolveMasterSettings({}, { env: { HOME: '/home/op', XDG_STATE_HOME: 'relative' } }).settings.logFolder, '/home/op/.local/state/scaleout/master/logs');
});

const CASES: Record<string, [string, string, unknown, string, RegExp]> = {
  PortNumber: ['portNumber', '9443', 9443, '70000', /integer 1–65535/],
  SSLCertThumbprint: ['sslCertThumbprint', 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', 'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678', 'A1B2', /40 hex/],
  SqlServerName: ['sqlServerName', 'sql01\\INST', 'sql01\\INST', '', /^$/],
  InstanceName: ['sqlServerName', 'MSSQLSERVER', 'localhost', '', /^$/],
  CatalogPath: ['catalogPath', 'db/ssisdb.sqlite', '/etc/scaleout/db/ssisdb.sqlite', 'C:\\db.sqlite', /Linux path/],
  CleanupCompletedJobsIntervalInMs: ['cleanupCompletedJobsIntervalMs', '60000', 60_000, '1h', /integer 1–/],
  DealWithExpiredTasksIntervalInMs: ['dealWithExpiredTasksIntervalMs', '1000', 1000, '0', /integer 1–/],
  MasterHeartbeatIntervalInMs: ['masterHeartbeatIntervalMs', '5000', 5000, '-5', /integer 1–/],
  CatalogPollIntervalInMs: ['catalogPollIntervalMs', '250', 250, '5', /integer 10–/],
  SqlConnectionTimeoutInSecs: ['sqlConnectionTimeoutMs', '30', 30_000, '1.5', /integer 0–/],
  CertificateStoreRoot: ['certificateStoreRoot', '/srv/certs', '/srv/certs', 'C:\\certs', /Linux path/],
  LogFolder: ['logFolder', 'logs', '/etc/scaleout/logs', 'D:\\logs', /Linux path/],
};

M('every key: explicit value, and a wrong value names key and expectation', () => {
  assert.equal(Object.keys(CASES).sort(), MASTER_SETTING_DEFS.map((d) => d.key).sort());
  for (const [key, [prop, text, value, bad, expected]] of Object.entries(CASES)) {
    assert.equal((resolve({ [key]: text }) as unknown as Record<string, unknown>)[prop], value, key);
    if (bad === '') continue;
    const e = errorOf(() => resolve({ [key]: bad }));
    assert.ok(e.message.startsWith(`setting ${key}: ${key} must be `), e.message);
    assert.match(e.message, expected, key);
  }
});

M('SqlServerName selects the catalog; InstanceName maps and must agree', () => {
  assert.is(resolve({ SqlServerName: 'ag-listener,1433' }).catalogKind, 'sqlserver');
  assert.is(resolve({ SqlServerName: '' }).catalogKind, 'sqlite');
  assert.is(resolve({ InstanceName: 'SSIS' }).sqlServerName, 'localhost\\SSIS');
  assert.is(resolve({ InstanceName: 'mssqlserver', SqlServerName: 'LOCALHOST' }).sqlServerName, 'LOCALHOST');
  assert.match(errorOf(() => resolve({ InstanceName: 'MSSQLSERVER', SqlServerName: 'sql01' })).message, /InstanceName 'MSSQLSERVER' \(= localhost\) conflicts with SqlServerName 'sql01'/);
});

M('loads a file with env overrides and line-numbered errors; writes files', () => {
  const path = join(dir, 'MasterSettings.config');
  writeMasterSettings(path, { PortNumber: 9000, SSLCertThumbprint: 'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678' });
  assert.is(loadMasterSettings(path, { env: {} }).settings.portNumber, 9000);
  assert.is(loadMasterSettings(path, { env: { SCALEOUT_MASTER_PortNumber: '9001' } }).settings.portNumber, 9001);
  const e = errorOf(() => loadMasterSettings(path, { env: { SCALEOUT_MASTER_PortNumber: '0' } }));
  assert.match(e.message, /^environment variable SCALEOUT_MASTER_PortNumber: PortNumber must be an integer 1–65535, got '0'/);
  writeFileSync(path, readFileSync(path, 'utf8').replace('9000', 'nine'));
  assert.match(errorOf(() => loadMasterSettings(path, { env: {} })).message, new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3: PortNumber must be an integer`));
});

M.run();
