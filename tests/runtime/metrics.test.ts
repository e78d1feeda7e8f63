/**
 * Prometheus metrics, scraped for real: the master's GET /metrics over mutual-TLS-port HTTPS with a login,
 * the worker's /metrics and /health over loopback HTTP, parsed with a Prometheus text parser; the
 * counters and histograms move as an execution runs through a real master and worker.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startLocalCluster } from '../../runtime/local/local-cluster.ts';
import type { LocalCluster } from '../../runtime/local/local-cluster.ts';
import { startWorker } from '../../runtime/agent/index.ts';
import { apiCall, targetFromDataDir } from '../../runtime/transport/api-client.ts';
import { readProjectFolder } from '../../executor/package/project-archive.ts';
import { waitForExecutions } from '../../runtime/cli/commands/execute.ts';
import { histogramCount, parsePrometheus, sample } from '../helpers/prometheus-text.ts';

const test = suite('metrics: master /metrics and worker /metrics, /health');
let root: string;
let cluster: LocalCluster | undefined;
const EXAMPLE = new URL('../../examples/HelloScaleOut', import.meta.url).pathname;

test.before(() => { root = mkdtempSync(join(tmpdir(), 'scaleout-metrics-')); });
test.after(async () => { await cluster?.stop(); rmSync(root, { recursive: true, force: true }); });

function masterGet(path: string, auth: string | undefined): Promise<{ status: number; body: string }> {
  const target = targetFromDataDir(join(root, 'data'));
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(path, target.endpoint), { ca: target.ca, headers: auth ? { authorization: auth } : {} }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function httpGet(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

test('the counters move as an execution runs; workers, connections and commits are reported', async () => {
  const env = { ...process.env, SCALEOUT_WORKER_MetricsPort: '0' };
  cluster = await startLocalCluster(join(root, 'data'), { env });
  const target = targetFromDataDir(join(root, 'data'));
  const auth = `Basic ${Buffer.from(`${target.user}:${target.password}`).toString('base64')}`;
  assert.is((await masterGet('/metrics', undefined)).status, 401, 'a login is needed');

  const archive = await readProjectFolder(EXAMPLE);
  await apiCall(target, 'POST', '/api/v1/deploy?folder=M&project=HelloScaleOut', archive.bytes);
  const before = parsePrometheus((await masterGet('/metrics', auth)).body);
  const workerPort = cluster.worker.metricsPort!;
  assert.ok(workerPort > 0);
  const workerBefore = parsePrometheus((await httpGet(`http://127.0.0.1:${workerPort}/metrics`)).body);

  const { executionId } = await apiCall<{ executionId: number }>(target, 'POST', '/api/v1/executions', { folder: 'M', project: 'HelloScaleOut', package: 'Hello.dtsx' });
  const [result] = await waitForExecutions(target, [{ pkg: 'Hello.dtsx', id: executionId }], () => undefined, 50);
  assert.is(result!.status, 7);

  const scraped = await masterGet('/metrics', auth);
  assert.is(scraped.status, 200);
  const after = parsePrometheus(scraped.body);
  for (const name of ['scaleout_executions', 'scaleout_executions_finished_total', 'scaleout_tasks_assigned_total', 'scaleout_dispatch_latency_seconds',
    'scaleout_queue_depth', 'scaleout_workers_online', 'scaleout_workers_enabled', 'scaleout_websocket_connections', 'scaleout_catalog_commit_seconds', 'scaleout_catalog_commits_total']) {
    assert.ok(after.has(name), `${name} is exposed`);
  }
  assert.is(after.get('scaleout_dispatch_latency_seconds')!.type, 'HISTOGRAM');
  assert.is(sample(after, 'scaleout_executions', { status: 'succeeded' }), (sample(before, 'scaleout_executions', { status: 'succeeded' }) ?? 0) + 1);
  assert.is(sample(after, 'scaleout_executions_finished_total', { status: 'succeeded' }), (sample(before, 'scaleout_executions_finished_total', { status: 'succeeded' }) ?? 0) + 1);
  assert.is(sample(after, 'scaleout_tasks_assigned_total')! - (sample(before, 'scaleout_tasks_assigned_total') ?? 0), 1);
  assert.is(histogramCount(after, 'scaleout_dispatch_latency_seconds') - histogramCount(before, 'scaleout_dispatch_latency_seconds'), 1);
  assert.is(sample(after, 'scaleout_catalog_commits_total', { verb: 'startExecution' })! - (sample(before, 'scaleout_catalog_commits_total', { verb: 'startExecution' }) ?? 0), 1);
  // The claim and the execution's running status commit together (issue 15).
  assert.ok(sample(after, 'scaleout_catalog_commits_total', { verb: 'claimTasks' })! >= 1);
  assert.ok(histogramCount(after, 'scaleout_catalog_commit_seconds') > histogramCount(before, 'scaleout_catalog_commit_seconds'), 'commit latencies observed');
  assert.is(sample(after, 'scaleout_workers_online'), 1);
  assert.is(sample(after, 'scaleout_workers_enabled'), 1);
  assert.ok(sample(after, 'scaleout_websocket_connections')! >= 1);
  assert.is(sample(after, 'scaleout_queue_depth'), 0);

  const workerAfter = parsePrometheus((await httpGet(`http://127.0.0.1:${workerPort}/metrics`)).body);
  assert.is(sample(workerAfter, 'scaleout_worker_task_slots'), cluster.worker.settings.maxTaskCount);
  assert.is(sample(workerAfter, 'scaleout_worker_pool_runs_completed_total')! - (sample(workerBefore, 'scaleout_worker_pool_runs_completed_total') ?? 0), 1);
  assert.is(sample(workerAfter, 'scaleout_worker_running_tasks'), 0);
  assert.is(sample(workerAfter, 'scaleout_worker_connected'), 1);
  assert.is(sample(workerAfter, 'scaleout_worker_enabled'), 1);
  assert.ok(workerAfter.has('scaleout_worker_journal_backlog') && workerAfter.has('scaleout_worker_pool_utilization'));
  const health = await httpGet(`http://127.0.0.1:${workerPort}/health`);
  assert.is(health.status, 200);
  assert.is((JSON.parse(health.body) as { status: string; state: string }).status, 'ok');
  assert.is((await httpGet(`http://127.0.0.1:${workerPort}/nope`)).status, 404);

  await cluster.stop();
  cluster = undefined;
  const closed = await fetch(`http://127.0.0.1:${workerPort}/health`).then(() => false, () => true);
  assert.ok(closed, 'the endpoint closes with the worker');
});

test('/health is 503 while the worker cannot reach its master', async () => {
  const workerConfig = join(root, 'data', 'WorkerSettings.config');
  const worker = await startWorker(workerConfig, { env: { ...process.env, SCALEOUT_WORKER_MetricsPort: '0' }, noWait: true });
  try {
    const h = await httpGet(`http://127.0.0.1:${worker.metricsPort}/health`);
    assert.is(h.status, 503);
    assert.is((JSON.parse(h.body) as { status: string }).status, 'unavailable');
    assert.ok(readFileSync(workerConfig, 'utf8').includes('<AgentId>'));
  } finally {
    await worker.stop();
  }
});

test.run();
