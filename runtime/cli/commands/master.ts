/**
 * `scaleout master --config <MasterSettings.config>`: runs the Scale Out Master service in the
 * foreground until SIGINT/SIGTERM, then stops gracefully (workers told, reports committed).
 */
import { resolve } from 'node:path';
import type { Command } from '../command.ts';
import { UsageError, flag, parseArgs } from '../command.ts';
import { untilShutdownSignal } from '../../local/shutdown.ts';

export const command: Command = {
  name: 'master',
  summary: 'Run the Scale Out Master service (foreground, Ctrl-C stops it)',
  usage: `usage: scaleout master --config <MasterSettings.config> [--host <listen address>]

  Loads the settings (SCALEOUT_MASTER_<Key> variables override keys), opens the catalog
  (CatalogPath, or SqlServerName), presents the certificate SSLCertThumbprint from
  <CertificateStoreRoot>/LocalMachine/Root, admits workers whose client certificates are in that
  store, and logs JSON lines to <LogFolder>/master.log. --host defaults to all interfaces.`,
  async run(argv, io) {
    const args = parseArgs(argv);
    const config = flag(args, 'config');
    if (!config) throw new UsageError('--config <MasterSettings.config> is required');
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
    const host = flag(args, 'host');
    const { startMaster } = await import('../../master/index.ts');
    const master = await startMaster(resolve(io.cwd, config), { env: io.env, ...(host ? { host } : {}) });
    io.stdout.write(`Scale Out Master listening on port ${master.port} (catalog: ${master.settings.catalogKind === 'sqlite' ? master.settings.catalogPath : master.settings.sqlServerName}).\n`);
    io.stdout.write(`Log: ${master.logFile}\nReady. Press Ctrl-C to stop.\n`);
    const code = await untilShutdownSignal(() => master.stop(), (l) => io.stdout.write(l + '\n'));
    io.stdout.write('Master stopped.\n');
    return code;
  },
};
