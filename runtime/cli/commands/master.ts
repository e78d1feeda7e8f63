/**
 * `scaleout master --config <MasterSettings.config>`: runs the Scale Out Master service in the
 * foreground until SIGINT/SIGTERM, then stops gracefully (workers told, reports committed).
 */
import { resolve } from 'node:path';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseCommandLine, usageText } from '../options.ts';
import type { OptionTable } from '../options.ts';
import { untilShutdownSignal } from '../../local/shutdown.ts';
import { SYSTEM_PRINCIPAL } from '../../../actors/ports.ts';

const OPTIONS: OptionTable = [
  { name: 'config', type: 'string', value: '<file>', help: 'the MasterSettings.config to run (required)' },
  { name: 'host', type: 'string', value: '<address>', help: "listen address (default '::', every interface: workers on other machines connect;\n'127.0.0.1' or 'localhost' keeps the master to this machine)" },
];

export const command: Command = {
  name: 'master',
  options: OPTIONS,
  summary: 'Run the Scale Out Master service (foreground, Ctrl-C stops it)',
  usage: usageText('usage: scaleout master --config <MasterSettings.config> [--host <listen address>]', `
  Loads the settings (SCALEOUT_MASTER_<Key> variables override keys), opens the catalog
  (CatalogPath, or SqlServerName), presents the certificate SSLCertThumbprint from
  <CertificateStoreRoot>/LocalMachine/Root, admits workers whose client certificates are in that
  store, and logs JSON lines to <LogFolder>/master.log (stdout under systemd; see README).`, OPTIONS),
  async run(argv, io) {
    const args = parseCommandLine(argv, OPTIONS, { maxPositionals: 0 });
    const config = args.string('config');
    if (!config) throw new UsageError('--config <MasterSettings.config> is required');
    const host = args.string('host');
    const { startMaster } = await import('../../master/index.ts');
    const master = await startMaster(resolve(io.cwd, config), { env: io.env, ...(host ? { host } : {}) });
    io.stdout.write(`Scale Out Master listening on port ${master.port} (catalog: ${master.settings.catalogKind === 'sqlite' ? master.settings.catalogPath : master.settings.sqlServerName}).\n`);
    // A catalog without any login cannot be managed remotely: say how to make the first admin.
    const logins = await master.service.store.listLogins(SYSTEM_PRINCIPAL).catch(() => null);
    if (logins !== null && logins.length === 0) {
      const target = master.settings.catalogKind === 'sqlite' ? `-S ${master.settings.catalogPath}` : '-S "Server=…;Database=SSISDB;…" (with scaleout sql: CREATE LOGIN … / ALTER SERVER ROLE sysadmin ADD MEMBER …)';
      io.stdout.write(`The catalog has no login yet. Create the first admin on this machine with:\n  scaleout login create admin --role sysadmin --role ssis_admin --password-file ./admin-password ${target}\n`);
    }
    // Signal handlers first: whoever reads "Ready" may send SIGTERM at once.
    const stopped = untilShutdownSignal(() => master.stop(), (l) => io.stdout.write(l + '\n'));
    io.stdout.write(`Log: ${master.logFile ?? "stdout"}\nReady. Press Ctrl-C to stop.\n`);
    const code = await stopped;
    io.stdout.write('Master stopped.\n');
    return code;
  },
};
