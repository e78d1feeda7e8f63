/**
 * `scaleout join <master endpoint> --token <t> --master-thumbprint <x> [--data <dir>] [--no-start]`:
 * the one-line command the viewer's "Add a worker" shows. Enrols this machine (runtime/local/join-worker.ts),
 * then runs the worker in the foreground like `scaleout worker` (unless --no-start).
 */
import { resolve } from 'node:path';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseCommandLine, usageText } from '../options.ts';
import type { OptionTable } from '../options.ts';
import { untilShutdownSignal } from '../../local/shutdown.ts';

const OPTIONS: OptionTable = [
  { name: 'token', type: 'string', value: '<token>', help: "the short-lived, single-use join token shown on the viewer's Workers page" },
  { name: 'master-thumbprint', type: 'string', value: '<thumbprint>', help: "the master certificate's SHA-1 thumbprint (pinned: nothing else is trusted)" },
  { name: 'data', type: 'string', value: '<dir>', help: "the new worker's folder (default ./scaleout-worker; must be new or empty)" },
  { name: 'no-start', type: 'boolean', help: 'only enrol and write the folder; run it later with scaleout worker --config <dir>/WorkerSettings.config' },
];

export const command: Command = {
  name: 'join',
  summary: 'Enrol this machine as a worker with a join token from the viewer, then run it',
  options: OPTIONS,
  usage: usageText('usage: scaleout join <https://master:port> --token <token> --master-thumbprint <thumbprint> [--data <dir>] [--no-start]', '', OPTIONS),
  async run(argv, io) {
    const args = parseCommandLine(argv, OPTIONS, { maxPositionals: 1 });
    const endpoint = args.positionals[0];
    if (!endpoint || !/^https:\/\//.test(endpoint)) throw new UsageError('the master endpoint (https://host:port) is required');
    const token = args.string('token');
    const thumb = args.string('master-thumbprint');
    if (!token) throw new UsageError('--token is required');
    if (!thumb) throw new UsageError('--master-thumbprint is required');
    const { joinAsWorker } = await import('../../local/join-worker.ts');
    const joined = await joinAsWorker({ endpoint, token, masterThumbprint: thumb, dir: resolve(io.cwd, args.string('data') ?? 'scaleout-worker') });
    io.stdout.write(`Enrolled as worker ${joined.agentId} (certificate ${joined.thumbprint}); settings in ${joined.workerConfig}.\n`);
    if (args.bool('no-start')) return 0;
    const { startWorker } = await import('../../agent/index.ts');
    const worker = await startWorker(joined.workerConfig, { env: io.env, noWait: true });
    io.stdout.write(`Connecting to ${endpoint}; the worker is listed disabled until an admin enables it.\nLog: ${worker.logFile}\nReady. Press Ctrl-C to stop.\n`);
    const code = await untilShutdownSignal(() => worker.stop(), (l) => io.stdout.write(l + '\n'));
    io.stdout.write('Worker stopped.\n');
    return code;
  },
};
