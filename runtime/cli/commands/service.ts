/**
 * `scaleout service install master|worker --config <file>`: writes a systemd unit that runs the
 * master or a worker as a service: as a given user, with the settings file's absolute path, logs to
 * stdout for journald (SCALEOUT_LOG_TARGET=stdout), restarted on failure, stopped with SIGTERM and
 * given the worker's DrainTimeout (plus a margin) before systemd kills it. When `systemd-analyze` is
 * on the machine the unit is checked with `systemd-analyze verify` before it is put in place.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { tmpdir, userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseCommandLine, usageText } from '../options.ts';
import type { OptionTable } from '../options.ts';
import { SsoError } from '../../../actors/errors.ts';

const run = promisify(execFile);

const OPTIONS: OptionTable = [
  { name: 'config', type: 'string', value: '<file>', help: 'the MasterSettings.config / WorkerSettings.config the service runs (required)' },
  { name: 'user', type: 'string', value: '<user>', help: 'the user the service runs as (default: you)' },
  { name: 'unit-dir', type: 'string', value: '<dir>', help: 'where the unit goes (default /etc/systemd/system)' },
  { name: 'name', type: 'string', value: '<unit>', help: 'unit name (default scaleout-master / scaleout-worker)' },
  { name: 'log-level', type: 'string', value: '<level>', help: 'SCALEOUT_LOG_LEVEL of the service (default info)' },
  { name: 'stdout', type: 'boolean', help: 'print the unit instead of writing it' },
];

/** The package root (where bin/ and package.json are), from this file in the sources or in dist/. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin', 'scaleout.js'))) return dir;
    dir = dirname(dir);
  }
  throw new SsoError('SSO_ERR_CONFIG_IO', 'cannot find the scaleout package (bin/scaleout.js) above ' + fileURLToPath(import.meta.url));
}

/** How systemd starts `scaleout`: the compiled bin when built, else the sources through tsx. */
export function execStart(role: 'master' | 'worker', config: string): { exec: string; workingDirectory: string } {
  const root = packageRoot();
  const compiled = existsSync(join(root, 'dist', 'runtime', 'cli', 'main.js'));
  const quote = (s: string) => (/[\s"\\]/.test(s) ? `"${s.replace(/["\\]/g, '\\$&')}"` : s);
  const cmd = compiled
    ? [process.execPath, join(root, 'bin', 'scaleout.js')]
    : [process.execPath, '--import', 'tsx', join(root, 'runtime', 'cli', 'main.ts')];
  return { exec: [...cmd, role, '--config', config].map(quote).join(' '), workingDirectory: root };
}

/** Reads DrainTimeout (hh:mm:ss) from a worker settings file, for TimeoutStopSec; 300 s when absent. */
function drainSeconds(config: string): number {
  try {
    const m = /<DrainTimeout>\s*(?:(\d+)\.)?(\d+):(\d+):(\d+)(?:\.\d+)?\s*<\/DrainTimeout>/.exec(readFileSync(config, 'utf8'));
    if (m) return Number(m[1] ?? 0) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
  } catch { /* the service reports a missing file itself, with the line */ }
  return 300;
}

export function unitText(role: 'master' | 'worker', config: string, user: string, logLevel: string): string {
  const { exec, workingDirectory } = execStart(role, config);
  const stopSec = role === 'worker' ? drainSeconds(config) + 30 : 60;
  return `# Written by 'scaleout service install ${role}'. Reload with: systemctl daemon-reload
[Unit]
Description=SSIS Scale Out ${role === 'master' ? 'Master' : 'Worker'} (scaleout)
Documentation=file://${join(workingDirectory, 'README.md')}
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=${user}
WorkingDirectory=${workingDirectory}
ExecStart=${exec}
# Logs go to stdout: journald keeps and rotates them (journalctl -u <unit>).
Environment=SCALEOUT_LOG_TARGET=stdout
Environment=SCALEOUT_LOG_LEVEL=${logLevel}
Restart=on-failure
RestartSec=5s
KillSignal=SIGTERM
# SIGTERM drains: running tasks may finish for DrainTimeout${role === 'worker' ? '' : ' (workers)'}; then systemd may kill.
TimeoutStopSec=${stopSec}s
NoNewPrivileges=yes
PrivateTmp=yes

[Install]
WantedBy=multi-user.target
`;
}

async function hasSystemdAnalyze(): Promise<boolean> {
  try { await run('systemd-analyze', ['--version'], { timeout: 10_000 }); return true; } catch { return false; }
}

/** `systemd-analyze verify` of a unit file; the problems it printed, or null when it is not installed. */
export async function verifyUnit(file: string): Promise<string[] | null> {
  if (!(await hasSystemdAnalyze())) return null;
  try {
    const { stderr } = await run('systemd-analyze', ['verify', file], { timeout: 60_000 });
    return stderr.split('\n').filter((l) => l.includes(file.split('/').pop()!) && !/Unit .* not found/.test(l));
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return (e.stderr ?? e.message).split('\n').filter((l) => l.trim() !== '');
  }
}

export const command: Command = {
  name: 'service',
  summary: 'Install systemd units for the master or a worker',
  options: OPTIONS,
  usage: usageText('usage: scaleout service install <master | worker> --config <settings file> [--user <user>] [--unit-dir <dir>] [--stdout]', `
  Writes <unit-dir>/scaleout-<role>.service: runs 'scaleout <role> --config <file>' as --user, logs to journald,
  Restart=on-failure, SIGTERM with TimeoutStopSec = the worker's DrainTimeout + 30 s. The unit is checked with
  'systemd-analyze verify' first when that tool is installed. Then: systemctl daemon-reload &&
  systemctl enable --now scaleout-<role>.`, OPTIONS),
  async run(argv, io) {
    const [verb, ...rest] = argv;
    if (verb !== 'install') throw new UsageError(verb === undefined ? 'give install' : `unknown subcommand '${verb}' (expected install)`);
    const args = parseCommandLine(rest, OPTIONS, { maxPositionals: 1 });
    const role = args.positionals[0];
    if (role !== 'master' && role !== 'worker') throw new UsageError('give master or worker');
    const configArg = args.string('config');
    if (!configArg) throw new UsageError('--config <settings file> is required');
    const config = resolve(io.cwd, configArg);
    if (!existsSync(config)) throw new SsoError('SSO_ERR_CONFIG_IO', `--config ${config} does not exist`, { where: config });
    const user = args.string('user') ?? userInfo().username;
    if (!/^[a-z_][a-z0-9_.-]*\$?$/i.test(user)) throw new UsageError(`--user '${user}' is not a user name`);
    const level = (args.string('log-level') ?? 'info').toLowerCase();
    if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace'].includes(level)) throw new UsageError(`--log-level must be fatal, error, warn, info, debug or trace, got '${level}'`);
    const text = unitText(role, config, user, level);
    if (args.bool('stdout')) { io.stdout.write(text); return 0; }
    const name = `${args.string('name') ?? `scaleout-${role}`}`.replace(/\.service$/, '');
    const dir = resolve(io.cwd, args.string('unit-dir') ?? '/etc/systemd/system');
    const file = join(dir, `${name}.service`);
    // Verified under its own name in a scratch folder first: a unit that does not verify is never installed.
    const scratch = mkdtempSync(join(tmpdir(), 'scaleout-unit-'));
    try {
      const probe = join(scratch, `${name}.service`);
      writeFileSync(probe, text, { mode: 0o644 });
      const verified = await verifyUnit(probe);
      if (verified !== null && verified.length > 0) {
        io.stderr.write(`systemd-analyze verify found problems; ${file} was not written:\n${verified.map((l) => `  ${l}`).join('\n')}\n`);
        return 1;
      }
      const tmp = join(dir, `.${name}.service.${process.pid}.tmp`);
      try {
        writeFileSync(tmp, text, { mode: 0o644 });
        renameSync(tmp, file);
      } catch (err) {
        rmSync(tmp, { force: true });
        throw new SsoError('SSO_ERR_CONFIG_IO', `cannot write ${file}: ${(err as Error).message}${dir === '/etc/systemd/system' ? ' (run as root, or give --unit-dir)' : ''}`, { where: file, cause: err });
      }
      io.stdout.write(`Wrote ${file}${verified === null ? ' (systemd-analyze is not installed: not verified)' : ' (verified with systemd-analyze)'}.\n`);
      io.stdout.write(`Start it with: systemctl daemon-reload && systemctl enable --now ${name}\n`);
      return 0;
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};
