import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { SsoError } from '../../actors/errors.ts';
import { WORKER_SETTING_DEFS, loadWorkerSettings, resolveWorkerSettings, writeWorkerSettings } from '../../config/worker-settings.ts';
import type { ResolvedWorkerSettings } from '../../config/worker-settings.ts';

const W = suite('config/worker-settings');
const ENDPOINT = { MasterEndpoint: 'https://master01:8391' };
const ENV = { HOME: '/home/op', XDG_STATE_HOME: '/var/state' };
let dir = '';
W.before(() => { dir = mkdtempSync(join(tmpdir(), 'scaleout-config-')); });
W.after(() => { rmSync(dir, { recursive: true, force: true }); });

function errorOf(fn: () => unknown): SsoError {
  try { fn(); } catch (e) { if (SsoError.is(e)) return e; throw e; }
  throw new Error('no error thrown');
}
const resolve = (raw: Record<string, string>) => resolveWorkerSettings({ ...ENDPOINT, ...raw }, { env: ENV, baseDir: '/etc/scaleout' }).settings;

W('defaults for every key', () => {
  const s = resolve({});
  const expected: Omit<ResolvedWorkerSettings, 'agentId'> = {
    displayName: hostname(), description: '',
    masterEndpoint: { url: 'https://master01:8391', host: 'master01', port: 8391 },
    masterHttpsCertThumbprint: undefined, workerHttpsCertThumbprint: undefined,
    storeLocation: 'LocalMachine', storeName: 'My',
    agentHeartbeatIntervalMs: 60_000, taskHeartbeatIntervalMs: 10_000, heartbeatErrorToleranceMs: 600_000,
    taskRequestMaxCpu: 70, taskRequestMinMemoryMb: 100, maxTaskCount: 10, leaseIntervalMs: 60_000,
    tasksRootFolder: '/var/state/scaleout/tasks',
    taskLogLevel: { value: 126, flags: ['Information', 'Warning', 'Error', 'Progress', 'CriticalError', 'Audit'] },
    taskLogSegmentMs: 0, taskLogEnabled: true,
    executionLogCacheFolder: '/var/state/scaleout/agent/elogcache',
    executionLogMaxBufferLogCount: 10_000, executionLogMaxInMemoryBufferCount: 10, executionLogRetryCount: 3,
    executionLogRetryTimeoutMs: 7 * 86_400_000,
    certificateStoreRoot: '/var/state/scaleout/certs', logFolder: '/var/state/scaleout/agent/logs',
    drainTimeoutMs: 300_000, metricsPort: undefined, metricsHost: '127.0.0.1',
  };
  const { agentId, ...rest } = s;
  assert.equal(rest, expected);
  assert.match(agentId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.ok(Object.isFrozen(s) && Object.isFrozen(s.taskLogLevel) && Object.isFrozen(s.masterEndpoint));
  assert.is(Object.keys(s).length, WORKER_SETTING_DEFS.length, 'one property per key');
});

/** key → [explicit text, expected resolved value, a wrong value, what the error says is expected]. */
const CASES: Record<string, [string, unknown, string, RegExp]> = {
  DisplayName: ['worker 7', 'worker 7', '', /^$/],
  Description: ['night batch', 'night batch', '', /^$/],
  MasterEndpoint: ['https://m1.example.com', { url: 'https://m1.example.com:8391', host: 'm1.example.com', port: 8391 }, 'http://m1:8391', /https URL/],
  MasterHttpsCertThumbprint: ['01 d2 07 b3 00 ca 66 2f 47 9b eb 88 4e fe 6c e3 28 f7 7d 53', '01D207B300CA662F479BEB884EFE6CE328F77D53', '01D207', /40 hex/],
  WorkerHttpsCertThumbprint: ['\u200e01d207b300ca662f479beb884efe6ce328f77d53', '01D207B300CA662F479BEB884EFE6CE328F77D53', 'zz'.repeat(20), /40 hex/],
  StoreLocation: ['currentuser', 'CurrentUser', 'Machine', /LocalMachine, CurrentUser/],
  StoreName: ['root', 'Root', 'Mine', /one of My, Root/],
  AgentHeartbeatInterval: ['00:00:30', 30_000, '30s', /TimeSpan .*greater than zero/],
  TaskHeartbeatInterval: ['00:00:05', 5_000, '00:00:00', /greater than zero/],
  HeartbeatErrorTollerance: ['00:20:00', 1_200_000, '-00:01:00', /TimeSpan/],
  TaskRequestMaxCPU: ['85.5', 85.5, '150', /number 0–100/],
  TaskRequestMinMemory: ['512', 512, 'lots', /number/],
  MaxTaskCount: ['4', 4, '4.5', /integer 1–1024/],
  LeaseInternval: ['00:02:00', 120_000, '00:61:00', /minutes must be 0–59/],
  TasksRootFolder: ['tasks', '/etc/scaleout/tasks', 'C:\\SSIS\\Tasks', /Linux path/],
  TaskLogLevel: ['0x0C', { value: 12, flags: ['Warning', 'Error'] }, '128', /bit flags 0–127/],
  TaskLogSegment: ['01:00:00', 3_600_000, 'hourly', /TimeSpan/],
  TaskLogEnabled: ['False', false, 'yes', /true, false, 1 or 0/],
  ExecutionLogCacheFolder: ['/var/cache/elog', '/var/cache/elog', 'D:\\cache', /Linux path/],
  ExecutionLogMaxBufferLogCount: ['500', 500, '0', /integer 1–/],
  ExecutionLogMaxInMemoryBufferCount: ['2', 2, '-1', /integer 1–/],
  ExecutionLogRetryCount: ['0', 0, 'three', /integer 0–/],
  ExecutionLogRetryTimeout: ['1.00:00:00', 86_400_000, '1.00:00:00.123456789', /7 fraction digits/],
  AgentId: ['{6583054A-E915-4C2A-80E4-C765E79EF61D}', '6583054a-e915-4c2a-80e4-c765e79ef61d', '6583054a-e915', /GUID/],
  CertificateStoreRoot: ['~/certs', join(process.env['HOME'] ?? '', 'certs'), 'C:\\certs', /Linux path/],
  LogFolder: ['../logs', '/etc/logs', '\\\\server\\share', /Linux path/],
  DrainTimeout: ['00:00:30', 30_000, '30s', /TimeSpan/],
  MetricsPort: ['9464', 9464, '70000', /integer 0–65535/],
  MetricsHost: ['::', '::', 'my host', /host name or IP address/],
};

W('every key: explicit value, and a wrong value names key, source and expectation', () => {
  assert.equal(Object.keys(CASES).sort(), WORKER_SETTING_DEFS.map((d) => d.key).sort(), 'a case for every key');
  for (const def of WORKER_SETTING_DEFS) {
    const [text, value, bad, expected] = CASES[def.key]!;
    const s = resolve({ [def.key]: text });
    if (def.key === 'CertificateStoreRoot') assert.ok(String(s[def.prop]).endsWith('/certs'), def.key);
    else assert.equal(s[def.prop], value, def.key);
    if (bad === '') { assert.equal(resolve({ [def.key]: '' })[def.prop], resolve({})[def.prop], `${def.key}: empty is the default`); continue; }
    const e = errorOf(() => resolve({ [def.key]: bad }));
    assert.is(e.code, 'SSO_ERR_CONFIG_INVALID', def.key);
    assert.ok(e.message.startsWith(`setting ${def.key}: ${def.key} must be `), e.message);
    assert.match(e.message, expected, def.key);
    assert.ok(e.message.includes(`got '${bad}'`), e.message);
  }
});

W('empty numbers, booleans and TimeSpans are errors, not defaults; MasterEndpoint is required', () => {
  assert.match(errorOf(() => resolve({ MaxTaskCount: '' })).message, /MaxTaskCount is empty; give a value or remove the key to use the default \(10\)/);
  assert.match(errorOf(() => resolve({ TaskLogEnabled: '' })).message, /TaskLogEnabled is empty/);
  assert.match(errorOf(() => resolveWorkerSettings({}, { env: {} })).message, /MasterEndpoint is required: expected an https URL/);
});

W('both spellings of LeaseInterval and HeartbeatErrorTolerance', () => {
  assert.is(resolve({ LeaseInterval: '00:03:00' }).leaseIntervalMs, 180_000);
  assert.is(resolve({ HeartbeatErrorTolerance: '00:03:00' }).heartbeatErrorToleranceMs, 180_000);
  assert.is(resolve({ LeaseInternval: '00:03:00', LeaseInterval: '0.00:03:00' }).leaseIntervalMs, 180_000, 'same value twice is fine');
  const e = errorOf(() => resolve({ HeartbeatErrorTollerance: '00:10:00', HeartbeatErrorTolerance: '00:05:00' }));
  assert.match(e.message, /HeartbeatErrorTolerance = '00:05:00' conflicts with HeartbeatErrorTollerance = '00:10:00'/);
});

W('MasterEndpoint: default port, explicit 443, IPv6, no path', () => {
  assert.equal(resolve({ MasterEndpoint: 'https://m:443' }).masterEndpoint, { url: 'https://m:443', host: 'm', port: 443 });
  assert.equal(resolve({ MasterEndpoint: 'https://[::1]:9000/' }).masterEndpoint, { url: 'https://[::1]:9000', host: '::1', port: 9000 });
  assert.match(errorOf(() => resolve({ MasterEndpoint: 'https://m:8391/api' })).message, /no path/);
  assert.match(errorOf(() => resolve({ MasterEndpoint: 'not a url' })).message, /https URL/);
});

W('TaskLogLevel by names; doubtful values warn', () => {
  assert.equal(resolve({ TaskLogLevel: 'Error, CriticalError' }).taskLogLevel, { value: 40, flags: ['Error', 'CriticalError'] });
  const r = resolveWorkerSettings({ ...ENDPOINT, ExecutionLogRetryTimeout: '24:00:00', TaskHeartbeatInterval: '00:02:00' }, { env: {} });
  assert.is(r.settings.executionLogRetryTimeoutMs, 24 * 86_400_000);
  assert.ok(r.warnings.some((w) => /ExecutionLogRetryTimeout: '24:00:00' means 24 days/.test(w)), r.warnings.join('\n'));
  assert.ok(r.warnings.some((w) => /leases will expire/.test(w)));
});

const FILE = [
  '<?xml version="1.0" encoding="utf-8"?>',
  '<!-- worker 1 -->',
  '<WorkerSettings>',
  '\t<MasterEndpoint>https://master01:8391</MasterEndpoint>',
  '\t<MaxTaskCount>6</MaxTaskCount>',
  '\t<Colour>blue</Colour>',
  '\t<TasksRootFolder>tasks</TasksRootFolder>',
  '</WorkerSettings>',
  '',
];

W('loads a file: relative paths against its folder, unknown keys warn with the line, env overrides', () => {
  const path = join(dir, 'load.config');
  writeFileSync(path, FILE.join('\n'));
  const r = loadWorkerSettings(path, { env: { ...ENV, SCALEOUT_WORKER_MaxTaskCount: '4', SCALEOUT_WORKER_LEASEINTERVAL: '00:00:30', SCALEOUT_WORKER_Nope: '1' }, writeBackAgentId: false });
  assert.is(r.settings.maxTaskCount, 4);
  assert.is(r.settings.leaseIntervalMs, 30_000);
  assert.is(r.settings.tasksRootFolder, join(dir, 'tasks'));
  assert.ok(r.warnings.includes(`${path}:6: unknown key Colour ignored`), r.warnings.join('\n'));
  assert.ok(r.warnings.some((w) => w.includes('SCALEOUT_WORKER_Nope')));
  assert.ok(r.agentIdGenerated);
  assert.not.ok(r.agentIdWritten);
  assert.is(readFileSync(path, 'utf8'), FILE.join('\n'), 'file untouched without write-back');
  const e = errorOf(() => loadWorkerSettings(path, { env: { SCALEOUT_WORKER_MaxTaskCount: 'many' }, writeBackAgentId: false }));
  assert.match(e.message, /^environment variable SCALEOUT_WORKER_MaxTaskCount: MaxTaskCount must be an integer 1–1024, got 'many'/);
});

W('a wrong value in a file names file, line and key', () => {
  const path = join(dir, 'bad.config');
  writeFileSync(path, FILE.join('\n').replace('<MaxTaskCount>6', '<MaxTaskCount>six'));
  const e = errorOf(() => loadWorkerSettings(path, { env: {} }));
  assert.is(e.message, `${path}:5: MaxTaskCount must be an integer 1–1024, got 'six'`);
  assert.is(e.where, `${path}:5`);
  assert.is(readFileSync(path, 'utf8').includes('AgentId'), false, 'nothing written when loading fails');
  assert.is(errorOf(() => loadWorkerSettings(join(dir, 'missing.config'))).code, 'SSO_ERR_CONFIG_IO');
});

W('AgentId write-back changes nothing else, keeps tabs and CRLF and a BOM, and is idempotent', () => {
  for (const [name, text] of [['lf.config', FILE.join('\n')], ['crlf.config', '\ufeff' + FILE.join('\r\n')]] as const) {
    const path = join(dir, name);
    writeFileSync(path, text);
    const first = loadWorkerSettings(path, { env: {} });
    assert.ok(first.agentIdWritten);
    const nl = name === 'lf.config' ? '\n' : '\r\n';
    const after = readFileSync(path, 'utf8');
    const inserted = `\t<AgentId>${first.settings.agentId}</AgentId>${nl}`;
    const at = text.indexOf('</WorkerSettings>');
    assert.is(after, text.slice(0, at) + inserted + text.slice(at), name);
    const second = loadWorkerSettings(path, { env: {} });
    assert.not.ok(second.agentIdGenerated);
    assert.is(second.settings.agentId, first.settings.agentId);
    assert.is(readFileSync(path, 'utf8'), after, 'second load writes nothing');
  }
  assert.equal(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary files left');
});

W('AgentId write-back fills an empty element in place and opens a self-closing root', () => {
  const p1 = join(dir, 'empty-id.config');
  writeFileSync(p1, '<WorkerSettings>\n    <AgentId />\n    <MasterEndpoint>https://m</MasterEndpoint>\n</WorkerSettings>');
  const id = loadWorkerSettings(p1, { env: {} }).settings.agentId;
  assert.is(readFileSync(p1, 'utf8'), `<WorkerSettings>\n    <AgentId>${id}</AgentId>\n    <MasterEndpoint>https://m</MasterEndpoint>\n</WorkerSettings>`);
  const p2 = join(dir, 'app.config');
  writeFileSync(p2, '<configuration>\n  <appSettings>\n    <add key="MasterEndpoint" value="https://m" />\n  </appSettings>\n</configuration>\n');
  const id2 = loadWorkerSettings(p2, { env: {} }).settings.agentId;
  assert.ok(readFileSync(p2, 'utf8').includes(`    <add key="MasterEndpoint" value="https://m" />\n    <add key="AgentId" value="${id2}" />\n  </appSettings>`));
});

W('writeWorkerSettings creates, updates in place, and refuses invalid values without writing', () => {
  const path = join(dir, 'new', 'WorkerSettings.config');
  writeWorkerSettings(path, { MasterEndpoint: 'https://m:8391', MaxTaskCount: 3, TaskLogEnabled: false });
  let s = loadWorkerSettings(path, { env: {}, writeBackAgentId: false }).settings;
  assert.is(s.maxTaskCount, 3);
  assert.is(s.taskLogEnabled, false);
  writeWorkerSettings(path, { LeaseInterval: '00:05:00', MaxTaskCount: 5 });
  const text = readFileSync(path, 'utf8');
  s = loadWorkerSettings(path, { env: {}, writeBackAgentId: false }).settings;
  assert.is(s.maxTaskCount, 5);
  assert.is(s.leaseIntervalMs, 300_000);
  assert.ok(text.includes('<LeaseInternval>00:05:00</LeaseInternval>'), 'written under the canonical key');
  assert.match(errorOf(() => writeWorkerSettings(path, { MaxTaskCount: 0 })).message, /MaxTaskCount must be/);
  assert.match(errorOf(() => writeWorkerSettings(path, { Bogus: 1 })).message, /unknown key Bogus/);
  assert.is(readFileSync(path, 'utf8'), text, 'unchanged after a refused write');
});

W.run();
