/**
 * `scaleout worker --config <WorkerSettings.config>`: runs a Scale Out Worker agent in the
 * foreground until SIGINT/SIGTERM, then drains (running tasks finish, reports flushed) and exits.
 */
import { resolve } from 'node:path';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseCommandLine, usageText } from '../options.ts';
import type { OptionTable } from '../options.ts';
import { untilShutdownSignal } from '../../local/shutdown.ts';

/** Consecutive refused connection attempts before `scaleout worker` gives up. */
export const MAX_REFUSED = 5;
/** Exit code of a worker that gave up because the master and it refuse each other. */
export const REFUSED_EXIT_CODE = 3;

const OPTIONS: OptionTable = [
  { name: 'config', type: 'string', value: '<file>', help: 'the WorkerSettings.config to run (required)' },
];

export const command: Command = {
  name: 'worker',
  options: OPTIONS,
  summary: 'Run a Scale Out Worker agent (foreground, Ctrl-C drains and stops it)',
  usage: usageText('usage: scaleout worker --config <WorkerSettings.config>', `
  Loads the settings (SCALEOUT_WORKER_<Key> variables override keys; a missing AgentId is generated
  and written back), connects to MasterEndpoint with the client certificate WorkerHttpsCertThumbprint
  and pins the master certificate MasterHttpsCertThumbprint. A new worker stays disabled until an
  admin runs catalog.enable_worker_agent. Logs JSON lines to <LogFolder>/worker.log; task logs go
  to <TasksRootFolder>/<TaskId>/.`, OPTIONS),
  async run(argv, io) {
    const args = parseCommandLine(argv, OPTIONS, { maxPositionals: 0 });
    const config = args.string('config');
    if (!config) throw new UsageError('--config <WorkerSettings.config> is required');
    const { startWorker } = await import('../../agent/index.ts');
    // A refusal (the master's certificate fails the pin or TLS check, or the master refuses this
    // agent) is printed on stderr as it happens; after MAX_REFUSED in a row the worker stops and
    // exits with REFUSED_EXIT_CODE instead of retrying a master it will never be let into.
    let gaveUp: (() => void) | undefined;
    const refusedForGood = new Promise<void>((r) => { gaveUp = r; });
    const worker = await startWorker(resolve(io.cwd, config), {
      env: io.env, noWait: true, maxRefusedAttempts: MAX_REFUSED,
      onRefused: (r) => {
        const side = r.by === 'worker' ? 'this worker refused the master' : 'the master refused this worker';
        io.stderr.write(`Connection refused (${r.attempt} of ${r.maxAttempts}): ${side}: ${r.reason}\n`);
        if (r.final) { io.stderr.write(`Giving up after ${r.maxAttempts} refused attempts in a row; check MasterEndpoint, MasterHttpsCertThumbprint and WorkerHttpsCertThumbprint.\n`); gaveUp?.(); }
      },
    });
    io.stdout.write(`Scale Out Worker ${worker.settings.agentId} connecting to ${worker.settings.masterEndpoint.url}.\n`);
    if (worker.agentIdGenerated) io.stdout.write(`New AgentId written into ${config}; enable it on the master: EXEC [catalog].[enable_worker_agent] '${worker.settings.agentId}'\n`);
    if (worker.metricsPort !== undefined) io.stdout.write(`Metrics: http://${worker.settings.metricsHost}:${worker.metricsPort}/metrics   health: /health\n`);
    // Signal handlers first: whoever reads "Ready" may send SIGTERM at once.
    const stopped = untilShutdownSignal(() => worker.stop(), (l) => io.stdout.write(l + '\n'));
    io.stdout.write(`Log: ${worker.logFile ?? "stdout"}\nReady. Press Ctrl-C to stop.\n`);
    const code = await Promise.race([
      stopped,
      refusedForGood.then(async () => { await worker.stop().catch(() => undefined); return REFUSED_EXIT_CODE; }),
    ]);
    io.stdout.write('Worker stopped.\n');
    return code;
  },
};
