/**
 * `scaleout up [--data <dir>]`: a whole Scale Out on this machine in one command. The first run
 * makes the data folder (settings, certificates, catalog, admin login whose password is printed
 * once), every run starts the master and the local worker, and Ctrl-C stops both gracefully.
 */
import { resolve } from 'node:path';
import type { Command, CommandIo } from '../command.ts';
import { UsageError, flag, parseArgs } from '../command.ts';
import { DEFAULT_DATA_DIR } from '../../transport/api-client.ts';
import type { LocalCluster } from '../../local/local-cluster.ts';
import { untilShutdownSignal } from '../../local/shutdown.ts';

export const command: Command = {
  name: 'up',
  summary: 'Run a master and a local worker from a data folder (created on first run)',
  usage: `usage: scaleout up [--data <dir>] [--port <n>]

  --data   the data folder (default ./${DEFAULT_DATA_DIR}). The first run creates it: MasterSettings.config,
           WorkerSettings.config, certificates (each side trusting the other), catalog/ssisdb.sqlite, and
           the login 'admin' whose password is printed once and kept in <dir>/admin-password (0600).
           Later runs reuse it all.
  --port   the master's port for a new data folder (default: a free port; kept in <dir>/endpoint).

  Runs until Ctrl-C (or SIGTERM), then stops the worker (running tasks finish) and the master.`,
  async run(argv, io) {
    const args = parseArgs(argv);
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
    const dir = resolve(io.cwd, flag(args, 'data') ?? DEFAULT_DATA_DIR);
    const port = parsePort(flag(args, 'port'));
    const cluster = await startAndDescribe(dir, port, io);
    io.stdout.write('Ready. Press Ctrl-C to stop.\n');
    const code = await untilShutdownSignal(() => cluster.stop(), (l) => io.stdout.write(l + '\n'));
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

/** Starts the local cluster and prints what a person needs: where things are, the login, the state. */
export async function startAndDescribe(dir: string, port: number | undefined, io: CommandIo): Promise<LocalCluster> {
  const { startLocalCluster } = await import('../../local/local-cluster.ts');
  const cluster = await startLocalCluster(dir, {
    env: io.env, ...(port === undefined ? {} : { port }),
    onWorkerRefused: (r) => io.stderr.write(`Local worker: connection refused (${r.attempt} of ${r.maxAttempts}): ${r.reason}${r.final ? '; the local worker gives up (the master keeps running)' : ''}\n`),
  });
  const { data, master, worker } = cluster;
  const out = (l: string) => io.stdout.write(l + '\n');
  if (data.created) {
    out(`Created the data folder ${data.dir}.`);
    out(`Admin login: admin   password: ${data.newAdminPassword}`);
    out(`  (shown once; kept in ${data.path('admin-password')}, readable by you only)`);
  } else out(`Using the data folder ${data.dir}.`);
  out(`Master:  ${data.endpoint} (port ${master.port}), catalog ${master.settings.catalogPath}`);
  out(`Worker:  ${data.agentId}${cluster.workerEnabledNow ? ' (registered and enabled)' : ''}, MaxTaskCount ${worker.settings.maxTaskCount}`);
  out(`Logs:    ${master.logFile}`);
  out(`         ${worker.logFile}`);
  out(`Tasks:   ${worker.settings.tasksRootFolder}/<TaskId>/`);
  return cluster;
}
