/**
 * Services and their logs: `scaleout service install master|worker` writes units that
 * `systemd-analyze verify` accepts (run when the tool is installed, otherwise reported skipped), with
 * the user, the settings path, restart policy and the worker's drain time; the services log to stdout
 * under systemd and to size-rotated files otherwise, at SCALEOUT_LOG_LEVEL (also when the env is
 * handed to an in-process cluster).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SsoError } from '../../actors/errors.ts';
import { ensureDataFolder } from '../../runtime/local/data-folder.ts';
import { startLocalCluster } from '../../runtime/local/local-cluster.ts';
import { openServiceLogger, resolveLogSettings } from '../../runtime/logging/service-logger.ts';
import { verifyUnit } from '../../runtime/cli/commands/service.ts';
import { killAll, runCli, spawnCli } from '../helpers/cli-process.ts';
import { reportSkip } from '../helpers/skip.ts';

const test = suite('services (systemd units) and service logs');
let root: string;
test.before(() => { root = mkdtempSync(join(tmpdir(), 'scaleout-svc-')); });
test.after(async () => { await killAll(); rmSync(root, { recursive: true, force: true }); });

const hasSystemdAnalyze = (() => { try { execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; } })();

test('service install writes verified units for the master and the worker', async () => {
  const data = await ensureDataFolder(join(root, 'data'));
  writeFileSync(data.workerConfig, readFileSync(data.workerConfig, 'utf8').replace('</WorkerSettings>', '  <DrainTimeout>00:02:00</DrainTimeout>\n</WorkerSettings>'));
  const units = join(root, 'units');
  execFileSync('mkdir', ['-p', units]);
  for (const [role, config] of [['master', data.masterConfig], ['worker', data.workerConfig]] as const) {
    const r = await runCli(['service', 'install', role, '--config', config, '--user', 'root', '--unit-dir', units]);
    assert.is(r.code, 0, r.stderr);
    const file = join(units, `scaleout-${role}.service`);
    assert.match(r.stdout, new RegExp(`Wrote ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^User=root$/m);
    assert.match(text, new RegExp(`^ExecStart=\\S+node\\S* .*${role} --config ${config.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'));
    assert.match(text, /^Restart=on-failure$/m);
    assert.match(text, /^Environment=SCALEOUT_LOG_TARGET=stdout$/m);
    assert.match(text, /^WantedBy=multi-user.target$/m);
    assert.is(statSync(file).mode & 0o777, 0o644);
    if (role === 'worker') assert.match(text, /^TimeoutStopSec=150s$/m, 'DrainTimeout 2 min + 30 s');
    if (hasSystemdAnalyze) {
      assert.equal(await verifyUnit(file), [], `systemd-analyze verify ${file}`);
      assert.match(r.stdout, /verified with systemd-analyze/);
    }
  }
  if (!hasSystemdAnalyze) reportSkip('systemd-analyze verify of the written units', 'systemd-analyze is not installed (apt-get install systemd); the units were written and checked by content only');
  // Bad usage and a unit that does not verify.
  assert.is((await runCli(['service', 'install', 'broker', '--config', data.masterConfig, '--unit-dir', units])).code, 2);
  assert.is((await runCli(['service', 'install', 'master', '--unit-dir', units])).code, 2);
  if (hasSystemdAnalyze) {
    const bad = join(root, 'bad.service');
    writeFileSync(bad, '[Unit]\nDescription=x\n[Service]\nExecStart=/nonexistent/scaleout master\n[Install]\nWantedBy=multi-user.target\n');
    const problems = await verifyUnit(bad);
    assert.ok(problems !== null && problems.some((l) => /not executable/.test(l)), String(problems));
  }
});

test('log settings: level, target and rotation limits from the environment; bad values name the variable', () => {
  assert.equal(resolveLogSettings({}), { level: 'info', target: 'file', maxBytes: 10 * 1024 * 1024, maxFiles: 5 });
  assert.is(resolveLogSettings({ JOURNAL_STREAM: '8:1234' }).target, 'stdout', 'under systemd: stdout for journald');
  assert.is(resolveLogSettings({ JOURNAL_STREAM: '8:1234', SCALEOUT_LOG_TARGET: 'file' }).target, 'file');
  assert.is(resolveLogSettings({ SCALEOUT_LOG_LEVEL: 'DEBUG' }).level, 'debug');
  for (const [key, value] of [['SCALEOUT_LOG_LEVEL', 'loud'], ['SCALEOUT_LOG_TARGET', 'syslog'], ['SCALEOUT_LOG_MAX_BYTES', '10MB'], ['SCALEOUT_LOG_MAX_FILES', '0']] as const) {
    try { resolveLogSettings({ [key]: value }); assert.unreachable(key); } catch (err) {
      assert.ok(SsoError.is(err), String(err));
      assert.is((err as SsoError).where, key);
      assert.match((err as Error).message, new RegExp(`^${key} must be .*got '${value}'`));
    }
  }
});

test('file logs rotate by size and keep at most SCALEOUT_LOG_MAX_FILES old files', async () => {
  const folder = join(root, 'rot');
  const log = openServiceLogger(folder, 'master', { SCALEOUT_LOG_MAX_BYTES: '4096', SCALEOUT_LOG_MAX_FILES: '2' });
  for (let i = 0; i < 400; i++) log.logger.info({ i, pad: 'x'.repeat(60) }, 'line');
  await log.close();
  const files = readdirSync(folder).sort();
  assert.equal(files, ['master.log', 'master.log.1', 'master.log.2']);
  for (const f of files) assert.ok(statSync(join(folder, f)).size <= 4096 + 400, `${f} is about the limit`);
  // The newest line is in the live file, or in .1 when the last write filled it and it was just rotated.
  const newest = ['master.log', 'master.log.1'].map((f) => readFileSync(join(folder, f), 'utf8').trim()).find((t) => t !== '')!;
  assert.is((JSON.parse(newest.split('\n').pop()!) as { i: number }).i, 399);
});

test('SCALEOUT_LOG_LEVEL handed to an in-process cluster sets both services\' level', async () => {
  const cluster = await startLocalCluster(join(root, 'debug'), { env: { ...process.env, SCALEOUT_LOG_LEVEL: 'debug' } });
  try {
    assert.is(cluster.master.logger.level, 'debug');
    assert.is(cluster.worker.logger.level, 'debug');
    cluster.master.logger.debug({ probe: 'level-test' }, 'a debug line');
  } finally {
    await cluster.stop();
  }
  const text = readFileSync(join(root, 'debug', 'master', 'logs', 'master.log'), 'utf8');
  assert.ok(text.split('\n').some((l) => l.includes('"level":20') && l.includes('level-test')), 'debug lines reach master.log');
});

test('scaleout master as a service logs JSON lines to stdout and writes no log file', async () => {
  const data = await ensureDataFolder(join(root, 'svc'));
  const master = spawnCli(['master', '--config', data.masterConfig], { SCALEOUT_LOG_TARGET: 'stdout', SCALEOUT_LOG_LEVEL: 'info' });
  await master.waitFor(/Ready\. Press Ctrl-C/, 60_000);
  const code = await master.stop('SIGTERM', 30_000);
  assert.is(code, 0, master.output().slice(-1500));
  const lines = master.output().split('\n').filter((l) => l.startsWith('{'));
  assert.ok(lines.some((l) => (JSON.parse(l) as { msg?: string }).msg?.startsWith('master listening on port')), master.output());
  assert.match(master.output(), /Log: stdout/);
  assert.not.ok(readdirSync(join(root, 'svc', 'master')).includes('logs') && readdirSync(join(root, 'svc', 'master', 'logs')).includes('master.log'));
});

test.run();
