/**
 * `scaleout up [--data <dir>]`: a whole Scale Out on this machine in one command. The first run
 * makes the data folder (settings, certificates, catalog, admin login whose password is shown once),
 * every run starts the master and the local worker, and Ctrl-C stops both gracefully. The master
 * listens on loopback unless `--host` says otherwise: a one-machine cluster is not offered to the
 * network by default.
 */
import { resolve } from 'node:path';
import type { Command, CommandIo } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseCommandLine, usageText } from '../options.ts';
import type { OptionTable } from '../options.ts';
import { DEFAULT_DATA_DIR } from '../../transport/api-client.ts';
import type { LocalCluster } from '../../local/local-cluster.ts';
import { untilShutdownSignal } from '../../local/shutdown.ts';

/** Where `up` and `demo` listen when `--host` is not given: loopback only (IPv4 and IPv6). */
export const LOCAL_DEFAULT_HOST = 'localhost';

export const CLUSTER_OPTIONS: OptionTable = [
  { name: 'data', type: 'string', value: '<dir>', help: `the data folder (default ./${DEFAULT_DATA_DIR}); created on the first run` },
  { name: 'port', type: 'string', value: '<n>', help: "the master's port for a new data folder (default: a free port; kept in <dir>/endpoint)" },
  { name: 'host', type: 'string', value: '<address>', help: "the master's listen address (default: loopback only, 'localhost';\n'::' or '0.0.0.0' for every interface; remote workers need it)" },
];

const OPTIONS: OptionTable = CLUSTER_OPTIONS;

export const command: Command = {
  name: 'up',
  summary: 'Run a master and a local worker from a data folder (created on first run)',
  options: OPTIONS,
  usage: usageText('usage: scaleout up [--data <dir>] [--port <n>] [--host <address>]', `
  The first run creates the data folder: MasterSettings.config, WorkerSettings.config, certificates (each
  side trusting the other), catalog/ssisdb.sqlite, and the login 'admin' whose password is kept in
  <dir>/admin-password (0600) and shown once on the terminal (only when stdout is a terminal; otherwise
  read the file). Later runs reuse it all. The master listens on loopback unless --host says otherwise.

  Runs until Ctrl-C (or SIGTERM), then stops the worker (running tasks finish) and the master.`, OPTIONS),
  async run(argv, io) {
    const args = parseCommandLine(argv, OPTIONS, { maxPositionals: 0 });
    const dir = resolve(io.cwd, args.string('data') ?? DEFAULT_DATA_DIR);
    const port = parsePort(args.string('port'));
    const cluster = await startAndDescribe(dir, port, io, parseHost(args.string('host')));
    // Signal handlers first: whoever reads "Ready" may send SIGTERM at once.
    const stopped = untilShutdownSignal(() => cluster.stop(), (l) => io.stdout.write(l + '\n'));
    io.stdout.write('Ready. Press Ctrl-C to stop.\n');
    const code = await stopped;
    io.stdout.write('Stopped.\n');
    return code;
  },
};

export function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`--port expects 1–65535, got '${text}'`);
  return n;
}

export function parseHost(text: string | undefined): string {
  if (text === undefined) return LOCAL_DEFAULT_HOST;
  if (text.trim() === '' || /[\s/]/.test(text)) throw new UsageError(`--host expects a host name or an address, got '${text}'`);
  return text;
}

/** True when `stream` is a terminal (a person is reading it, not a pipe or a log file). */
export function isTerminal(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/** Starts the local cluster and prints what a person needs: where things are, the login, the state. */
export async function startAndDescribe(dir: string, port: number | undefined, io: CommandIo, host: string = LOCAL_DEFAULT_HOST): Promise<LocalCluster> {
  const { startLocalCluster } = await import('../../local/local-cluster.ts');
  const cluster = await startLocalCluster(dir, {
    env: io.env, host, ...(port === undefined ? {} : { port }),
    onWorkerRefused: (r) => io.stderr.write(`Local worker: connection refused (${r.attempt} of ${r.maxAttempts}): ${r.reason}${r.final ? '; the local worker gives up (the master keeps running)' : ''}\n`),
  });
  const { data, master, worker } = cluster;
  const out = (l: string) => io.stdout.write(l + '\n');
  if (data.created) {
    out(`Created the data folder ${data.dir}.`);
    // The password goes to a person only: a pipe or a captured log would keep it around.
    if (isTerminal(io.stdout)) {
      out(`Admin login: admin   password: ${data.newAdminPassword}`);
      out(`  (shown once; kept in ${data.path('admin-password')}, readable by you only)`);
    } else {
      out(`Admin login: admin   password: in ${data.path('admin-password')} (readable by you only; not printed because stdout is not a terminal)`);
    }
  } else out(`Using the data folder ${data.dir}.`);
  out(`Master:  ${data.endpoint} (port ${master.port}, listening on ${host}), catalog ${master.settings.catalogPath}`);
  out(`Viewer:  ${cluster.viewerUrl} (this machine only; also ${data.endpoint}/ over TLS; sign in as admin)`);
  out(`Worker:  ${data.agentId}${cluster.workerEnabledNow ? ' (registered and enabled)' : ''}, MaxTaskCount ${worker.settings.maxTaskCount}`);
  out(`Logs:    ${master.logFile ?? "stdout"}`);
  out(`         ${worker.logFile ?? "stdout"}`);
  out(`Tasks:   ${worker.settings.tasksRootFolder}/<TaskId>/`);
  return cluster;
}
