/**
 * `scaleout demo` (what `npm start` runs): `scaleout up`, then deploys the bundled HelloScaleOut
 * project and executes its packages in Scale Out through the master's API, prints each result and
 * where to look next, and keeps running until Ctrl-C (or exits with `--once`). Exit code 1 when an
 * execution that should succeed did not; the package that fails on purpose is labelled as such.
 */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { SsoError } from '../../../actors/errors.ts';
import type { Command } from '../command.ts';
import { parseCommandLine, usageText } from '../options.ts';
import type { OptionTable } from '../options.ts';
import { DEFAULT_DATA_DIR, apiCall, targetFromDataDir } from '../../transport/api-client.ts';
import type { StartExecutionBody } from '../../transport/master-server.ts';
import { untilShutdownSignal } from '../../local/shutdown.ts';
import { STATUS_NAMES, waitForExecutions } from './execute.ts';
import { CLUSTER_OPTIONS, parseHost, parsePort, startAndDescribe } from './up.ts';

const FOLDER = 'Demo';
const PROJECT = 'HelloScaleOut';
/** The bundled project, found beside the sources (or beside dist/). */
const EXAMPLE_DIR = fileURLToPath(new URL('../../../examples/HelloScaleOut', import.meta.url));

interface DemoRun {
  readonly label: string;
  readonly body: StartExecutionBody;
  /** What the run should end as: 7 succeeded, 4 failed. */
  readonly expect: 7 | 4;
}

const RUNS: readonly DemoRun[] = [
  { label: 'Hello.dtsx', expect: 7, body: { folder: FOLDER, project: PROJECT, package: 'Hello.dtsx' } },
  { label: 'MayFail.dtsx (ShouldFail=false)', expect: 7, body: { folder: FOLDER, project: PROJECT, package: 'MayFail.dtsx', parameters: [{ name: 'ShouldFail', value: false }] } },
  {
    label: 'MayFail.dtsx (ShouldFail=true, retry 1): EXPECTED TO FAIL, shows retries and failure reporting',
    expect: 4, body: { folder: FOLDER, project: PROJECT, package: 'MayFail.dtsx', parameters: [{ name: 'ShouldFail', value: true }], retryCount: 1 },
  },
];

const OPTIONS: OptionTable = [
  ...CLUSTER_OPTIONS,
  { name: 'once', type: 'boolean', help: 'exit after the executions end (otherwise keep running until Ctrl-C)' },
  { name: 'no-failure', type: 'boolean', help: 'leave out the run that is expected to fail' },
];

export const command: Command = {
  name: 'demo',
  options: OPTIONS,
  summary: 'scaleout up + deploy and run the HelloScaleOut example in Scale Out (npm start)',
  usage: usageText('usage: scaleout demo [--data <dir>] [--port <n>] [--host <address>] [--once] [--no-failure]', `
  Starts (and on first run creates) the data folder as 'scaleout up' does, deploys examples/HelloScaleOut
  into the catalog folder '${FOLDER}', executes its packages in Scale Out and prints each result.
  MayFail.dtsx is also run with ShouldFail=true: it is expected to fail (after one retry).
  Exit code 1 when an execution expected to succeed did not.`, OPTIONS),
  async run(argv, io) {
    const args = parseCommandLine(argv, OPTIONS, { maxPositionals: 0 });
    const dir = resolve(io.cwd, args.string('data') ?? DEFAULT_DATA_DIR);
    const once = args.bool('once');
    const runs = args.bool('no-failure') ? RUNS.filter((r) => r.expect === 7) : RUNS;
    const out = (l: string) => io.stdout.write(l + '\n');
    const cluster = await startAndDescribe(dir, parsePort(args.string('port')), io, parseHost(args.string('host')));
    let failedExpectations = 0;
    try {
      const target = targetFromDataDir(dir);
      const { readProjectFolder } = await import('../../../executor/package/project-archive.ts');
      const archive = await readProjectFolder(EXAMPLE_DIR);
      const deployed = await apiCall<{ versionLsn: number; packages: string[] }>(target, 'POST', `/api/v1/deploy?folder=${FOLDER}&project=${PROJECT}`, archive.bytes);
      out('');
      out(`Deployed ${EXAMPLE_DIR} as ${FOLDER}\\${PROJECT} (version ${deployed.versionLsn}: ${deployed.packages.join(', ')}).`);
      const started: { pkg: string; id: number; run: DemoRun }[] = [];
      for (const run of runs) {
        const { executionId } = await apiCall<{ executionId: number }>(target, 'POST', '/api/v1/executions', run.body);
        started.push({ pkg: run.label, id: executionId, run });
        out(`Started execution ${executionId}: ${run.label}`);
      }
      const results = await withTimeout(waitForExecutions(target, started, out), 180_000,
        'the executions did not end within 180 s: is the local worker enabled? (SELECT * FROM [catalog].[worker_agents])');
      out('');
      out('Results:');
      for (const [i, r] of results.entries()) {
        const run = started[i]!.run;
        const ok = r.status === run.expect;
        if (!ok && run.expect === 7) failedExpectations++;
        const note = run.expect === 4 ? (ok ? 'failed, as expected' : 'expected to fail') : ok ? 'ok' : 'SHOULD HAVE SUCCEEDED';
        out(`  execution ${r.id}  ${(STATUS_NAMES[r.status] ?? String(r.status)).padEnd(10)} ${run.label}  [${note}]`);
      }
      out('');
      out('Where to look next (in a source checkout, `scaleout …` is `npm run scaleout -- …`, or `npx scaleout …` after `npm run build`):');
      out(`  scaleout sql --data ${dir} -Q "SELECT execution_id, package_name, status, worker_agent_id, start_time, end_time FROM catalog.executions"`);
      out(`  scaleout sql --data ${dir} -Q "SELECT operation_id, message_type, message FROM catalog.event_messages WHERE operation_id = ${results[0]?.id ?? 1}"`);
      out(`  master log:   ${cluster.master.logFile ?? "stdout"}`);
      out(`  worker log:   ${cluster.worker.logFile ?? "stdout"}`);
      out(`  task folders: ${cluster.worker.settings.tasksRootFolder}/<TaskId>/ (task.log, result.json)`);
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    out('');
    if (once) {
      await cluster.stop();
      out(failedExpectations === 0 ? 'Demo done.' : `${failedExpectations} execution(s) that should have succeeded did not.`);
      return failedExpectations === 0 ? 0 : 1;
    }
    const stopped = untilShutdownSignal(() => cluster.stop(), out);
    out('Still running: deploy and execute more with scaleout deploy / execute --data ' + dir + '. Press Ctrl-C to stop.');
    const code = await stopped;
    out('Stopped.');
    return failedExpectations === 0 ? code : 1;
  },
};

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new SsoError('SSO_ERR_ILLEGAL_STATE', message)), ms); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
