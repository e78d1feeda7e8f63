/**
 * The loopback plain HTTP viewer port of `up`/`demo`: bound to 127.0.0.1 only, answers only requests
 * addressed to it (DNS rebinding), serves the page and the API with the same sessions as the TLS port,
 * and offers nothing for workers (no enrolment, no task log uploads).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { pino } from 'pino';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { startHarness } from '../helpers/scale-out-harness.ts';
import type { Harness } from '../helpers/scale-out-harness.ts';
import { startPlainViewer } from '../../runtime/viewer/plain-http.ts';
import type { PlainViewer } from '../../runtime/viewer/plain-http.ts';

const test = suite('viewer on the loopback plain HTTP port');
let h: Harness;
let plain: PlainViewer;
test.before(async () => {
  h = await startHarness();
  plain = await startPlainViewer(h.master, { logger: pino({ level: 'silent' }) });
  await h.store.createLogin(SYSTEM_PRINCIPAL, { name: 'ann', password: 'ann-password-1', roles: ['ssis_admin'] });
});
test.after(async () => { await plain?.close(); await h?.stop(); });

test('bound to 127.0.0.1, page served, sign-in gives a cookie without Secure that the TLS port accepts too', async () => {
  assert.match(plain.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.is((plain.app.server.address() as { address: string }).address, '127.0.0.1');
  const page = await fetch(plain.url);
  assert.is(page.status, 200);
  assert.match(await page.text(), '/assets/app.js');
  const r = await fetch(`${plain.url}api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ann', password: 'ann-password-1' }) });
  assert.is(r.status, 200);
  const setCookie = r.headers.get('set-cookie') ?? '';
  assert.not.match(setCookie, 'Secure');
  const cookie = setCookie.split(';')[0]!;
  assert.is((await fetch(`${plain.url}api/v1/workers`, { headers: { cookie } })).status, 200);
  assert.is((await h.master.server!.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } })).json().name, 'ann');
});

test('requests for another host name are refused (DNS rebinding); worker routes are absent or refused', async () => {
  const rebound = await plain.app.inject({ method: 'GET', url: '/', headers: { host: 'evil.example' } });
  assert.is(rebound.statusCode, 421);
  const port = new URL(plain.url).port;
  assert.is((await plain.app.inject({ method: 'PUT', url: '/agent/v1/task-logs/00000000-0000-0000-0000-000000000000/1', headers: { host: `127.0.0.1:${port}`, 'content-type': 'text/plain' }, payload: 'x' })).statusCode, 404);
  assert.is((await plain.app.inject({ method: 'GET', url: '/agent/v1', headers: { host: `127.0.0.1:${port}` } })).statusCode, 404);
});

test.run();
