import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildMasterServer } from '../../runtime/transport/master-server.ts';
import { AgentHub } from '../../runtime/master/agent-hub.ts';
import { PROTOCOL_CLOSE_CODE } from '../../runtime/transport/wire.ts';
import { fakeAgentStore } from '../helpers/fake-agent-store.ts';
import { readProjectArchive } from '../../executor/package/project-archive.ts';

const test = suite('master server (inject, no sockets)');
const lines: string[] = [];
const logger = pino({ level: 'debug' }, new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } }));
const store = fakeAgentStore();
let app: FastifyInstance;
let trustAll = false;
const hub = new AgentHub({ store, logger, clock: { now: () => Date.now() }, leaseMs: 60_000 });

test.before(async () => {
  app = await buildMasterServer({
    store, logger, https: {}, agents: hub, readProjectArchive,
    verifyAgentPeer: (peer) => (trustAll ? { ok: true, thumbprint: 'T' } : peer === null ? { ok: false, reason: 'no client certificate presented' } : { ok: false, reason: 'unknown thumbprint' }),
    signals: { executionStarted() {}, operationStopped() {} },
  });
  await app.ready();
});
test.after(async () => { await hub.close(); await app.close(); });

test('health needs no login', async () => {
  const r = await app.inject({ method: 'GET', url: '/api/v1/health' });
  assert.is(r.statusCode, 200);
  assert.equal(r.json(), { status: 'ok', agentsConnected: 0 });
});

test('API refuses missing and wrong logins with 401', async () => {
  assert.is((await app.inject({ method: 'GET', url: '/api/v1/executions/1' })).statusCode, 401);
  const bad = await app.inject({ method: 'GET', url: '/api/v1/executions/1', headers: { authorization: 'Basic ' + Buffer.from('admin:nope').toString('base64') } });
  assert.is(bad.statusCode, 401);
  assert.match(bad.json().message, 'Login failed');
});

test('agent endpoints refuse a caller without a client certificate and log why', async () => {
  trustAll = false;
  const r = await app.inject({ method: 'GET', url: '/agent/v1/projects/1/' + 'a'.repeat(64) });
  assert.is(r.statusCode, 403);
  assert.is(r.json().reason, 'no client certificate presented');
  assert.ok(lines.some((l) => l.includes('agent connection refused: no client certificate presented')));
});

test('a malformed frame closes only that connection', async () => {
  trustAll = true;
  const good = await app.injectWS('/agent/v1');
  const bad = await app.injectWS('/agent/v1');
  const goodFrames: string[] = [];
  good.on('message', (d) => goodFrames.push(String(d)));
  const closed = new Promise<number>((res) => bad.on('close', (code) => res(code)));
  good.send(JSON.stringify({ type: 'hello', seq: 0, agentId: '6583054a-e915-4c2a-80e4-c765e79ef61d', machineProperties: { MachineName: 'a' }, versions: { protocol: 1, agent: 't', node: 'v' }, capacity: { maxTaskCount: 2 }, runningTasks: [] }));
  bad.send('{"type":"hello","seq":0,"agentId":42}');
  assert.is(await closed, PROTOCOL_CLOSE_CODE);
  for (let i = 0; i < 100 && goodFrames.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  const welcome = JSON.parse(goodFrames[0]!);
  assert.is(welcome.type, 'welcome');
  assert.is(welcome.enabled, false, 'a new worker registers disabled');
  assert.is(welcome.registered, true);
  assert.ok(lines.some((l) => l.includes('protocol violation, closing agent connection: frame(hello)')), 'the refusal is logged with its reason');
  // The good connection still works: a heartbeat is acked.
  good.send(JSON.stringify({ type: 'heartbeat', seq: 1, perfCounters: [], runningTaskIds: [] }));
  for (let i = 0; i < 100 && !goodFrames.some((f) => f.includes('"ack"')); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(goodFrames.some((f) => JSON.parse(f).type === 'ack' && JSON.parse(f).upTo === 1));
  assert.is(hub.connectedCount(), 1);
  good.terminate();
});

test.run();
