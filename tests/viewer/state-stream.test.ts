/**
 * `/api/v1/stream` on a real master over TLS (a real `ws` client on 127.0.0.1): snapshot, numbered
 * transitions in commit order, resume from a sequence number, changes committed by another process
 * on the same catalog file, the catalog's row filters per caller, and the resync of a client whose
 * queue overflows.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import Fastify from 'fastify';
import websocket from '@fastify/websocket';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import type { Principal } from '../../actors/ports.ts';
import { openSqliteCatalog } from '../../runtime/catalog/sqlite-catalog-store.ts';
import { startExecution } from '../../runtime/transport/master-server.ts';
import { startHarness } from '../helpers/scale-out-harness.ts';
import type { Harness } from '../helpers/scale-out-harness.ts';
import { registerStream } from '../../runtime/viewer/stream.ts';

const test = suite('viewer state stream (WebSocket over TLS)');
let h: Harness;
let agentId: string;
const cookies: Record<string, string> = {};

interface Client { readonly ws: WebSocket; readonly messages: { type: string; seq?: number; events?: { seq: number; kind: string; data: Record<string, unknown> }[]; executions?: { id: number; status: number }[]; workers?: unknown[] }[]; close(): void }

function connect(who: string, since?: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${h.master.port}/api/v1/stream${since === undefined ? '' : `?since=${since}`}`, { headers: { cookie: cookies[who]! }, rejectUnauthorized: false });
    const messages: Client['messages'] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d))));
    ws.once('open', () => resolve({ ws, messages, close: () => ws.close() }));
    ws.once('error', reject);
  });
}
/** The statuses execution `id` went through on this client, in order (an event that only adds the catalog's times repeats a status). */
const statusesOf = (c: Client, id: number): number[] => c.messages.flatMap((m) => m.events ?? []).filter((e) => e.kind === 'execution' && e.data['id'] === id)
  .map((e) => Number(e.data['status'])).filter((s, i, all) => i === 0 || all[i - 1] !== s);
const seqs = (c: Client): number[] => c.messages.flatMap((m) => m.events ?? []).map((e) => e.seq);

test.before(async () => {
  h = await startHarness();
  await h.store.createLogin(SYSTEM_PRINCIPAL, { name: 'ann', password: 'ann-password-1', roles: ['ssis_admin'] });
  await h.store.createLogin(SYSTEM_PRINCIPAL, { name: 'lou', password: 'lou-password-1', roles: ['ssis_logreader'] });
  await h.store.createLogin(SYSTEM_PRINCIPAL, { name: 'eve', password: 'eve-password-1', roles: ['ssis_cluster_executor'] });
  for (const [n, p] of [['ann', 'ann-password-1'], ['lou', 'lou-password-1'], ['eve', 'eve-password-1']] as const) {
    const r = await h.master.server!.inject({ method: 'POST', url: '/api/v1/session', payload: { name: n, password: p } });
    cookies[n] = String(r.headers['set-cookie']).split(';')[0]!;
  }
  ({ agentId } = await h.addWorker({ maxTaskCount: 2 }));
  await h.store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: agentId });
  await h.master.requestRefresh();
});
test.after(async () => { await h?.stop(); });

test('refused without a session', async () => {
  const err = await new Promise<string>((resolve) => {
    const ws = new WebSocket(`wss://127.0.0.1:${h.master.port}/api/v1/stream`, { rejectUnauthorized: false });
    ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
    ws.on('open', () => resolve('opened'));
  });
  assert.is(err, '401');
  const foreign = await new Promise<string>((resolve) => {
    const ws = new WebSocket(`wss://127.0.0.1:${h.master.port}/api/v1/stream`, { headers: { cookie: cookies['ann']!, origin: 'https://evil.example' }, rejectUnauthorized: false });
    ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
    ws.on('open', () => resolve('opened'));
  });
  assert.is(foreign, '403', 'a page from another origin cannot open the stream with the cookie');
});

test('snapshot first, then every transition of an execution started through the API, with increasing sequence numbers', async () => {
  const c = await connect('ann');
  await h.waitFor('snapshot', () => c.messages[0]?.type === 'snapshot');
  const snap = c.messages[0]!;
  assert.ok((snap.workers as { id: string; online: boolean }[]).some((w) => w.id === agentId && w.online));
  const r = await h.master.server!.inject({ method: 'POST', url: '/api/v1/executions/batch', headers: { cookie: cookies['ann']! }, payload: { packages: [{ folder: 'Tests', project: 'TestProject', package: 'Param.dtsx' }], parameters: [{ name: 'HoldMs', value: '400' }] } });
  const id: number = r.json().executionIds[0];
  await h.waitFor('succeeded on the stream', () => statusesOf(c, id).includes(7));
  assert.equal(statusesOf(c, id), [5, 2, 7], 'Pending → Running → Succeeded, each once, in order');
  const s = seqs(c);
  assert.ok(s.every((v, i) => i === 0 || v === s[i - 1]! + 1), `consecutive sequence numbers: ${s.join(',')}`);
  assert.ok(s[0]! === snap.seq! + 1, 'the first event follows the snapshot');
  const attempts = c.messages.flatMap((m) => m.events ?? []).filter((e) => e.kind === 'attempt' && e.data['executionId'] === id);
  assert.equal(attempts.map((e) => e.data['result']), ['running', 'succeeded']);
  assert.is(attempts[0]!.data['workerAgentId'], agentId);
  c.close();
});

test('a client that reconnects with its last sequence number gets exactly what it missed; an unknown future one gets a snapshot', async () => {
  const first = await connect('ann');
  await h.waitFor('snapshot', () => first.messages[0]?.type === 'snapshot');
  const last = first.messages[0]!.seq!;
  first.close();
  const id = await h.run();
  await h.waitFor('end', async () => ((await h.operationStatus(id)) === 7 ? true : undefined));
  await h.master.feed.refresh();
  const again = await connect('ann', last);
  await h.waitFor('resumed', () => again.messages.length > 0);
  const m = again.messages[0]!;
  assert.is(m.type, 'events');
  assert.is(m.events![0]!.seq, last + 1);
  assert.ok(statusesOf(again, id).includes(7));
  again.close();
  const future = await connect('ann', 10_000_000);
  await h.waitFor('snapshot', () => future.messages[0]?.type === 'snapshot');
  future.close();
});

test('an execution started by another process on the same catalog file appears by itself', async () => {
  const c = await connect('lou');
  await h.waitFor('snapshot', () => c.messages[0]?.type === 'snapshot');
  const other = await openSqliteCatalog({ path: join(h.dir, 'ssisdb.sqlite') });
  let id = 0;
  try {
    id = await startExecution(other, SYSTEM_PRINCIPAL, { folder: 'Tests', project: 'TestProject', package: 'Param.dtsx' });
  } finally {
    await other.close();
  }
  await h.waitFor('external execution on the stream, then its end', () => statusesOf(c, id).includes(7));
  // The other process commits Created, then Pending (start_execution): the stream shows the states it read, in order.
  const seen = statusesOf(c, id);
  const order = [1, 5, 2, 7];
  assert.ok(seen.every((st, i) => i === 0 || order.indexOf(st) > order.indexOf(seen[i - 1]!)), `in commit order: ${seen.join(' → ')}`);
  assert.ok(seen[0] === 1 || seen[0] === 5, `first seen as created or pending: ${seen.join(' → ')}`);
  c.close();
});

test('each caller sees only what the catalog shows it: the executor its own executions, the logreader no workers', async () => {
  const eve = await connect('eve');
  const lou = await connect('lou');
  await h.waitFor('snapshots', () => eve.messages[0]?.type === 'snapshot' && lou.messages[0]?.type === 'snapshot');
  assert.equal(eve.messages[0]!.executions, [], 'no execution of eve yet');
  assert.equal(lou.messages[0]!.workers, []);
  const adminRun = await h.run();
  const r = await h.master.server!.inject({ method: 'POST', url: '/api/v1/executions/batch', headers: { cookie: cookies['eve']! }, payload: { packages: [{ folder: 'Tests', project: 'TestProject', package: 'Param.dtsx' }] } });
  const eveRun: number = r.json().executionIds[0];
  await h.waitFor('both ended on lou', () => statusesOf(lou, adminRun).includes(7) && statusesOf(lou, eveRun).includes(7));
  await h.waitFor('eve sees hers', () => statusesOf(eve, eveRun).includes(7));
  assert.equal(statusesOf(eve, adminRun), [], 'eve never sees the admin execution');
  assert.ok(!eve.messages.flatMap((m) => m.events ?? []).some((e) => e.kind === 'attempt' && e.data['executionId'] === adminRun));
  assert.ok(!lou.messages.flatMap((m) => m.events ?? []).some((e) => e.kind === 'worker'), 'no worker events for the logreader');
  eve.close();
  lou.close();
});

test('a client whose queue overflows is told to resync and gets a fresh snapshot; the feed is not held up', async () => {
  const app = Fastify();
  await app.register(websocket);
  const who = async (): Promise<Principal> => SYSTEM_PRINCIPAL;
  registerStream(app, { feed: h.master.feed, who, maxQueue: 3 });
  await app.ready();
  const got: { type: string }[] = [];
  const ws = await app.injectWS('/api/v1/stream', {}, { onInit: (s) => s.on('message', (d) => got.push(JSON.parse(String(d)))) });
  await h.waitFor('snapshot', () => got[0]?.type === 'snapshot');
  const id = [...h.master.feed.snapshot().executions][0]!.id;
  // Ten events in one tick: more than the client's queue holds before its next flush.
  for (let n = 100; n < 110; n++) h.master.feed.attemptStarted({ executionId: id, attempt: n, agentId });
  await h.waitFor('resync and snapshot', () => got.length >= 3);
  assert.equal(got.slice(1, 3).map((m) => m.type), ['resync', 'snapshot']);
  const snap = got[2] as unknown as { seq: number; attempts: { attempt: number }[] };
  assert.is(snap.seq, h.master.feed.seq);
  assert.ok(snap.attempts.some((a) => a.attempt === 109), 'the snapshot holds the state the skipped events carried');
  ws.terminate();
  await app.close();
});

test.run();
