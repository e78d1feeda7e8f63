/**
 * The viewer's API on a real master (TLS listening, real SQLite catalog, a real worker over mutual
 * TLS running Piscina threads), driven with `inject()`: every route, the refusals for a
 * `ssis_logreader`, malformed bodies (400 naming the field), sign-in/out, enrolment with a join
 * token, task log uploads and their refusals.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { startHarness } from '../helpers/scale-out-harness.ts';
import type { Harness } from '../helpers/scale-out-harness.ts';
import { makeCert } from '../helpers/test-certs.ts';
import { CertStore } from '../../runtime/tls/cert-store.ts';
import { MASTER_TRUST_STORE } from '../../runtime/tls/tls-options.ts';
import { Enrolment } from '../../runtime/viewer/enrolment.ts';

const test = suite('viewer API (inject on a running master)');
let h: Harness;
let app: FastifyInstance;
let agentId: string;
let admin = '';
let reader = '';
let executor = '';
let certDir = '';
let trust: CertStore;
const masterCert = makeCert('localhost', { server: true });

const sessionOf = async (name: string, password: string): Promise<string> => {
  const r = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { name, password } });
  assert.is(r.statusCode, 200, r.body);
  return String(r.headers['set-cookie']).split(';')[0]!;
};
const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT', url: string, cookie: string, payload?: unknown) =>
  app.inject({ method, url, headers: { cookie }, ...(payload === undefined ? {} : { payload: payload as object }) });
const final = (id: number) => h.waitFor(`execution ${id} to end`, async () => { const s = await h.operationStatus(id); return s !== null && [3, 4, 6, 7, 9].includes(s) ? s : undefined; });

test.before(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'scaleout-viewer-certs-'));
  trust = new CertStore(certDir);
  h = await startHarness({
    trustStore: trust,
    viewer: {
      taskLogFolder: join(certDir, 'task-logs'),
      enrolment: new Enrolment({ certs: trust, masterCertPem: masterCert.cert, masterThumbprint: masterCert.thumbprint, endpoint: () => 'https://localhost:1' }),
    },
  });
  app = h.master.server!;
  await h.store.createLogin(SYSTEM_PRINCIPAL, { name: 'ann', password: 'ann-password-1', roles: ['ssis_admin'] });
  await h.store.createLogin(SYSTEM_PRINCIPAL, { name: 'lou', password: 'lou-password-1', roles: ['ssis_logreader'] });
  await h.store.createLogin(SYSTEM_PRINCIPAL, { name: 'eve', password: 'eve-password-1', roles: ['ssis_cluster_executor'] });
  admin = await sessionOf('ann', 'ann-password-1');
  reader = await sessionOf('lou', 'lou-password-1');
  executor = await sessionOf('eve', 'eve-password-1');
  ({ agentId } = await h.addWorker({ maxTaskCount: 3 }));
});
test.after(async () => { await h?.stop(); rmSync(certDir, { recursive: true, force: true }); });

test('sign-in: good login sets an HttpOnly SameSite=Strict Secure cookie; bad password 401; malformed 400 naming the field', async () => {
  const ok = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { name: 'ann', password: 'ann-password-1' } });
  assert.is(ok.statusCode, 200);
  assert.equal(ok.json().roles, ['ssis_admin']);
  assert.match(String(ok.headers['set-cookie']), /HttpOnly; SameSite=Strict; Max-Age=\d+; Secure/);
  const bad = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { name: 'ann', password: 'wrong' } });
  assert.is(bad.statusCode, 401);
  assert.match(bad.json().message, 'Login failed');
  const missing = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { name: 'ann' } });
  assert.is(missing.statusCode, 400);
  assert.match(missing.json().message, "must have required property 'password'");
  const extra = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { name: 'ann', password: 'x', admin: true } });
  assert.is(extra.statusCode, 400);
  assert.match(extra.json().message, 'must NOT have additional properties');
  const notJson = await app.inject({ method: 'POST', url: '/api/v1/session', headers: { 'content-type': 'application/json' }, payload: '{"name":' });
  assert.is(notJson.statusCode, 400);
});

test('session: who am I with capabilities by role; no cookie or a forged one is 401; sign-out ends it', async () => {
  const me = await call('GET', '/api/v1/session', reader);
  assert.is(me.statusCode, 200);
  assert.equal(me.json().can, { start: false, stop: false, manageWorkers: false, seeWorkers: false, seeAllExecutions: true });
  assert.equal((await call('GET', '/api/v1/session', executor)).json().can, { start: true, stop: true, manageWorkers: false, seeWorkers: true, seeAllExecutions: false });
  assert.is((await app.inject({ method: 'GET', url: '/api/v1/session' })).statusCode, 401);
  assert.is((await call('GET', '/api/v1/session', 'scaleout_session=forged')).statusCode, 401);
  const temp = await sessionOf('ann', 'ann-password-1');
  const out = await call('DELETE', '/api/v1/session', temp);
  assert.is(out.statusCode, 204);
  assert.is((await call('GET', '/api/v1/session', temp)).statusCode, 401);
  // HTTP Basic (the CLI's way) works on the viewer routes too.
  const basic = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { authorization: 'Basic ' + Buffer.from('lou:lou-password-1').toString('base64') } });
  assert.is(basic.json().name, 'lou');
});

test('master status and OpenAPI document', async () => {
  const m = await call('GET', '/api/v1/master', reader);
  assert.is(m.statusCode, 200);
  assert.is(m.json().online, true);
  assert.is(m.json().statusNames['6'], 'Ended unexpectedly');
  assert.is((await app.inject({ method: 'GET', url: '/api/v1/master' })).statusCode, 401);
  const doc = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
  assert.is(doc.statusCode, 200);
  const paths = Object.keys(doc.json().paths);
  for (const p of ['/api/v1/session', '/api/v1/executions', '/api/v1/executions/batch', '/api/v1/executions/{id}/detail', '/api/v1/workers/{id}', '/api/v1/workers/join-tokens', '/api/v1/enrol', '/api/v1/executions/{id}/stop']) assert.ok(paths.includes(p), `${p} in openapi.json`);
  assert.ok(doc.json().paths['/api/v1/executions/batch'].post.requestBody, 'request schema documented');
});

test('folders, projects and packages with their parameters (every caller)', async () => {
  const r = await call('GET', '/api/v1/folders', reader);
  assert.is(r.statusCode, 200);
  const f = r.json().find((x: { name: string }) => x.name === 'Tests');
  const pkg = f.projects[0].packages.find((p: { name: string }) => p.name === 'Param.dtsx');
  assert.ok(pkg.parameters.some((p: { name: string }) => p.name === 'HoldMs'));
});

test('workers: admin sees the live view; logreader sees none (as catalog.worker_agents); enable is refused to the logreader with 403', async () => {
  const list = (await call('GET', '/api/v1/workers', admin)).json();
  const w = list.find((x: { id: string }) => x.id === agentId);
  assert.ok(w, 'the worker is listed');
  assert.is(w.online, true);
  assert.is(w.enabled, false);
  assert.is(w.maxTaskCount, 3);
  assert.equal((await call('GET', '/api/v1/workers', reader)).json(), []);
  const refused = await call('POST', `/api/v1/workers/${agentId}/enable`, reader);
  assert.is(refused.statusCode, 403);
  assert.is(refused.json().number, 27140);
  assert.is((await call('POST', `/api/v1/workers/${agentId}/enable`, executor)).statusCode, 403);
  const bad = await call('POST', '/api/v1/workers/not-a-guid/enable', admin);
  assert.is(bad.statusCode, 400);
  assert.match(bad.json().message, 'params/id');
  const ok = await call('POST', `/api/v1/workers/${agentId}/enable`, admin);
  assert.is(ok.statusCode, 200);
  assert.equal(ok.json(), { workerAgentId: agentId, enabled: true });
  assert.is((await call('GET', '/api/v1/workers', admin)).json().find((x: { id: string }) => x.id === agentId).enabled, true);
});

test('workers: edit display name, description and tags; malformed edits name the field; refused for the logreader', async () => {
  const r = await call('PATCH', `/api/v1/workers/${agentId}`, admin, { displayName: 'Build box', description: 'rack 4', tags: 'linux,fast' });
  assert.is(r.statusCode, 200, r.body);
  assert.is(r.json().displayName, 'Build box');
  assert.is(r.json().tags, 'linux,fast');
  const wrongType = await call('PATCH', `/api/v1/workers/${agentId}`, admin, { displayName: 42 });
  assert.is(wrongType.statusCode, 400);
  assert.match(wrongType.json().message, 'body/displayName');
  const tooLong = await call('PATCH', `/api/v1/workers/${agentId}`, admin, { displayName: 'x'.repeat(257) });
  assert.is(tooLong.statusCode, 400);
  assert.match(tooLong.json().message, 'displayName');
  assert.is((await call('PATCH', `/api/v1/workers/${agentId}`, admin, {})).statusCode, 400);
  assert.match((await call('PATCH', `/api/v1/workers/${agentId}`, admin, { colour: 'red' })).json().message, 'additional properties');
  assert.is((await call('PATCH', `/api/v1/workers/${agentId}`, reader, { displayName: 'mine' })).statusCode, 403);
  assert.is((await call('PATCH', '/api/v1/workers/00000000-0000-0000-0000-000000000001', admin, { displayName: 'ghost' })).statusCode, 400);
});

test('executions: start several from the batch route (parameters, retries, allowed workers); refused for the logreader; malformed bodies name the field', async () => {
  const r = await call('POST', '/api/v1/executions/batch', admin, {
    packages: [{ folder: 'Tests', project: 'TestProject', package: 'Param.dtsx' }, { folder: 'Tests', project: 'TestProject', package: 'Param.dtsx' }],
    parameters: [{ name: 'HoldMs', value: '50', objectType: 30 }], retryCount: 1, workers: [agentId],
  });
  assert.is(r.statusCode, 200, r.body);
  const ids: number[] = r.json().executionIds;
  assert.is(ids.length, 2);
  for (const id of ids) assert.is(await final(id), 7);
  const refused = await call('POST', '/api/v1/executions/batch', reader, { packages: [{ folder: 'Tests', project: 'TestProject', package: 'Param.dtsx' }] });
  assert.is(refused.statusCode, 403);
  assert.is(refused.json().number, 27178);
  const cases: [unknown, string][] = [
    [{}, "must have required property 'packages'"],
    [{ packages: [] }, 'body/packages must NOT have fewer than 1 items'],
    [{ packages: [{ folder: 'Tests', project: 'TestProject' }] }, "body/packages/0 must have required property 'package'"],
    [{ packages: [{ folder: 'Tests', project: 'TestProject', package: 'Param.dtsx' }], retryCount: -1 }, 'body/retryCount must be >= 0'],
    [{ packages: [{ folder: 'Tests', project: 'TestProject', package: 'Param.dtsx' }], workers: ['nope'] }, 'body/workers/0 must match pattern'],
    [{ packages: [{ folder: 'Tests', project: 'TestProject', package: 'Param.dtsx' }], parameters: [{ name: 'X' }] }, "body/parameters/0 must have required property 'value'"],
    [{ packages: [{ folder: 'Tests', project: 'TestProject', package: 'Param.dtsx' }], parameters: [{ name: 'X', value: 1, objectType: 40 }] }, 'body/parameters/0/objectType must be equal to one of the allowed values'],
  ];
  for (const [body, message] of cases) {
    const bad = await call('POST', '/api/v1/executions/batch', admin, body);
    assert.is(bad.statusCode, 400, JSON.stringify(body));
    assert.match(bad.json().message, message);
  }
  const unknown = await call('POST', '/api/v1/executions/batch', admin, { packages: [{ folder: 'Tests', project: 'TestProject', package: 'Nope.dtsx' }] });
  assert.is(unknown.statusCode, 400);
  assert.match(unknown.json().message, 'Nope.dtsx');
});

test('executions: list with filters and paging; the logreader sees all, an executor only its own', async () => {
  const mine = (await call('POST', '/api/v1/executions/batch', executor, { packages: [{ folder: 'Tests', project: 'TestProject', package: 'Param.dtsx' }] })).json().executionIds[0];
  await final(mine);
  const all = (await call('GET', '/api/v1/executions', reader)).json();
  assert.ok(all.total >= 3);
  assert.ok(all.items[0].id > all.items[all.items.length - 1].id, 'newest first');
  const own = (await call('GET', '/api/v1/executions', executor)).json();
  assert.equal(own.items.map((e: { id: number }) => e.id), [mine]);
  const page = (await call('GET', '/api/v1/executions?limit=1&offset=1', reader)).json();
  assert.is(page.items.length, 1);
  assert.is(page.items[0].id, all.items[1].id);
  const ok = (await call('GET', `/api/v1/executions?status=7&package=Param.dtsx&folder=Tests&project=TestProject&worker=${agentId}`, reader)).json();
  assert.is(ok.total, all.items.filter((e: { status: number }) => e.status === 7).length);
  assert.ok(ok.items.every((e: { statusName: string }) => e.statusName === 'Succeeded'));
  assert.is((await call('GET', '/api/v1/executions?status=4', reader)).json().total, 0);
  const future = (await call('GET', `/api/v1/executions?from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`, reader)).json();
  assert.is(future.total, 0);
  const badStatus = await call('GET', '/api/v1/executions?status=abc', reader);
  assert.is(badStatus.statusCode, 400);
  assert.match(badStatus.json().message, 'querystring/status');
  const badLimit = await call('GET', '/api/v1/executions?limit=0', reader);
  assert.match(badLimit.json().message, 'querystring/limit');
  assert.match((await call('GET', '/api/v1/executions?from=yesterday', reader)).json().message, 'querystring/from');
  assert.match((await call('GET', '/api/v1/executions?colour=red', reader)).json().message, 'additional properties');
});

test('one execution: parameters, attempts (worker, start, end, result, message count), messages by type, statistics, task log', async () => {
  const counter = join(h.dir, 'retry-counter');
  const id = (await call('POST', '/api/v1/executions/batch', admin, {
    packages: [{ folder: 'Tests', project: 'TestProject', package: 'Param.dtsx' }],
    parameters: [{ name: 'CounterFile', value: counter }, { name: 'SucceedOnRun', value: '2' }], retryCount: 1,
  })).json().executionIds[0];
  assert.is(await final(id), 7);
  const d = await h.waitFor('both attempts logged', async () => {
    const r = (await call('GET', `/api/v1/executions/${id}/detail`, reader)).json();
    return r.attempts.length === 2 && r.attempts.every((a: { hasLog: boolean }) => a.hasLog) ? r : undefined;
  });
  assert.is(d.execution.statusName, 'Succeeded');
  assert.equal(d.attempts.map((a: { attempt: number; result: string; workerAgentId: string }) => [a.attempt, a.result, a.workerAgentId]), [[1, 'retrying', agentId], [2, 'succeeded', agentId]]);
  assert.ok(d.attempts.every((a: { start: string; end: string }) => a.start && a.end));
  assert.equal(d.attempts.map((a: { messageCount: number }) => a.messageCount), [1, 1], 'one message per run, each counted once');
  assert.ok(d.parameters.some((p: { name: string; value: unknown }) => p.name === 'SucceedOnRun' && p.value === '2'));
  assert.ok(d.messageCounts['70'] >= 2, 'one information message per run');
  assert.equal(d.dataStatistics, []);
  const msgs = (await call('GET', `/api/v1/executions/${id}/messages?type=70`, reader)).json();
  assert.ok(msgs.total >= 2 && msgs.items.every((m: { type: number }) => m.type === 70));
  assert.is((await call('GET', `/api/v1/executions/${id}/messages?type=120`, reader)).json().total, 0);
  assert.match((await call('GET', `/api/v1/executions/${id}/messages?type=x`, reader)).json().message, 'querystring/type');
  const log = await call('GET', `/api/v1/executions/${id}/attempts/2/log`, reader);
  assert.is(log.statusCode, 200);
  assert.match(log.body, 'task ended: succeeded');
  assert.not.match(log.body, 'task ended: failed', 'attempt 2 shows only its own lines');
  assert.match((await call('GET', `/api/v1/executions/${id}/attempts/1/log`, reader)).body, 'task ended: failed');
  assert.is((await call('GET', `/api/v1/executions/${id}/attempts/9/log`, reader)).statusCode, 404);
  assert.is((await call('GET', '/api/v1/executions/999999/detail', reader)).statusCode, 404);
  assert.match((await call('GET', '/api/v1/executions/abc/detail', reader)).json().message, 'params/id');
  // An executor who did not start it cannot see it (catalog row filter).
  assert.is((await call('GET', `/api/v1/executions/${id}/detail`, executor)).statusCode, 404);
  assert.is((await call('GET', `/api/v1/executions/${id}/attempts/2/log`, executor)).statusCode, 404);
});

test('stop: refused for the logreader (403); the admin stops a long run, which ends Canceled', async () => {
  const id = (await call('POST', '/api/v1/executions/batch', admin, { packages: [{ folder: 'Tests', project: 'TestProject', package: 'Param.dtsx' }], parameters: [{ name: 'HoldMs', value: '60000' }] })).json().executionIds[0];
  await h.waitFor('running', async () => ((await h.operationStatus(id)) === 2 ? true : undefined));
  const refused = await call('POST', `/api/v1/executions/${id}/cancel`, reader);
  assert.is(refused.statusCode, 403);
  assert.is(refused.json().number, 27143);
  // The older route takes the session cookie too.
  const viaOld = await call('POST', `/api/v1/executions/${id}/stop`, reader);
  assert.is(viaOld.statusCode, 403);
  const ok = await call('POST', `/api/v1/executions/${id}/cancel`, admin);
  assert.is(ok.statusCode, 200, ok.body);
  assert.is(await final(id), 3);
  assert.match((await call('POST', '/api/v1/executions/0/cancel', admin)).json().message, 'params/id');
});

test('add a worker: join tokens for admins only; enrol spends a token once and the new certificate is trusted', async () => {
  assert.is((await call('POST', '/api/v1/workers/join-tokens', reader)).statusCode, 403);
  assert.is((await call('POST', '/api/v1/workers/join-tokens', executor)).statusCode, 403);
  const t = (await call('POST', '/api/v1/workers/join-tokens', admin)).json();
  assert.match(t.command, `--token ${t.token} --master-thumbprint ${masterCert.thumbprint}`);
  assert.ok(Date.parse(t.expiresAt) > Date.now());
  const malformed = await app.inject({ method: 'POST', url: '/api/v1/enrol', payload: { token: t.token } });
  assert.is(malformed.statusCode, 400);
  assert.match(malformed.json().message, "must have required property 'machineName'");
  const wrong = await app.inject({ method: 'POST', url: '/api/v1/enrol', payload: { token: 'x'.repeat(32), machineName: 'newbox' } });
  assert.is(wrong.statusCode, 401);
  const r = await app.inject({ method: 'POST', url: '/api/v1/enrol', payload: { token: t.token, machineName: 'newbox' } });
  assert.is(r.statusCode, 200, r.body);
  const e = r.json();
  assert.ok(trust.find(e.thumbprint, MASTER_TRUST_STORE), 'the master trusts the issued certificate');
  assert.match(e.certPem, 'BEGIN CERTIFICATE');
  assert.match(e.keyPem, 'PRIVATE KEY');
  assert.is(e.masterThumbprint, masterCert.thumbprint);
  const again = await app.inject({ method: 'POST', url: '/api/v1/enrol', payload: { token: t.token, machineName: 'newbox' } });
  assert.is(again.statusCode, 401, 'a token works once');
  assert.match(again.json().message, 'already used');
});

test('task log upload: refused without a worker certificate; the delete route is refused to non-admins, then removes the worker', async () => {
  const up = await app.inject({ method: 'PUT', url: `/agent/v1/task-logs/${agentId}/1`, headers: { 'content-type': 'text/plain' }, payload: 'forged log' });
  assert.is(up.statusCode, 403);
  assert.is((await call('DELETE', `/api/v1/workers/${agentId}`, reader)).statusCode, 403);
  assert.match((await call('DELETE', '/api/v1/workers/zzz', admin)).json().message, 'params/id');
  await h.store.disableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: agentId });
  const del = await call('DELETE', `/api/v1/workers/${agentId}`, admin);
  assert.is(del.statusCode, 204, del.body);
  assert.ok(!(await call('GET', '/api/v1/workers', admin)).json().some((w: { id: string }) => w.id === agentId));
});

test('the page and its assets are served without login; unknown assets are 404', async () => {
  const page = await app.inject({ method: 'GET', url: '/executions/12' });
  assert.is(page.statusCode, 200);
  assert.match(page.body, '/assets/app.js');
  assert.match(String(page.headers['content-security-policy']), "default-src 'self'");
  assert.is((await app.inject({ method: 'GET', url: '/assets/app.css' })).statusCode, 200);
  assert.is((await app.inject({ method: 'GET', url: '/assets/..%2Fviewer-api.ts' })).statusCode, 404);
  assert.is((await app.inject({ method: 'GET', url: '/assets/nope.js' })).statusCode, 404);
});

test.run();
