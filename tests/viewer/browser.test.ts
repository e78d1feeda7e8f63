/**
 * The page in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core), against a
 * real master on 127.0.0.1 (TLS), a real catalog file and real workers: sign in; a worker enrols
 * with a join token shown on the Workers page, is enabled from the page and turns online; an
 * execution started from the page goes Pending → Running → Succeeded in its row without a reload;
 * one started by another process on the catalog appears by itself; a long one is stopped from the
 * page; the detail shows attempts, messages and the task log; a ssis_logreader sees executions but
 * no controls, and the API refuses those actions. Screenshots go to the folder printed.
 * Bounded: every wait has a timeout, and after SUITE_LIMIT_MS the browser is closed (every step left fails).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { openSqliteCatalog } from '../../runtime/catalog/sqlite-catalog-store.ts';
import { startExecution } from '../../runtime/transport/master-server.ts';
import { CertStore } from '../../runtime/tls/cert-store.ts';
import { Enrolment } from '../../runtime/viewer/enrolment.ts';
import { joinAsWorker } from '../../runtime/local/join-worker.ts';
import { startPlainViewer } from '../../runtime/viewer/plain-http.ts';
import type { PlainViewer } from '../../runtime/viewer/plain-http.ts';
import { startHarness } from '../helpers/scale-out-harness.ts';
import type { Harness } from '../helpers/scale-out-harness.ts';
import { reportSkip } from '../helpers/skip.ts';

const CHROMIUM = process.env['SCALEOUT_CHROMIUM'] ?? '/usr/bin/chromium';
const SUITE_LIMIT_MS = 180_000;
const WAIT_MS = 20_000;

const test = suite('viewer in headless Chromium');

if (!existsSync(CHROMIUM)) {
  reportSkip('viewer browser tests', `no Chromium at ${CHROMIUM} (apt-get install chromium, or set SCALEOUT_CHROMIUM)`);
} else {
  const { chromium } = await import('playwright-core');
  type Browser = Awaited<ReturnType<typeof chromium.launch>>;
  type Page = Awaited<ReturnType<Browser['newPage']>>;
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let base = '';
  let plain: PlainViewer;
  let workDir = '';
  let enrolledId = '';
  let shots = '';
  let port = 0;
  let guard: NodeJS.Timeout | undefined;

  const signIn = async (p: Page, name: string, password: string) => {
    await p.goto(`${base}/`);
    await p.fill('input[name=name]', name);
    await p.fill('input[name=password]', password);
    await p.click('button[type=submit]');
    await p.waitForSelector('header.top', { timeout: WAIT_MS });
  };
  /** Records every status a row shows, in order, by watching the DOM (no polling gaps, no reloads). */
  const recordStatuses = (p: Page) => p.evaluate(`(() => {
    window.__seen = {};
    const look = () => {
      for (const tr of document.querySelectorAll('tr[data-execution]')) {
        const id = tr.dataset.execution;
        const st = tr.querySelector('[data-status]')?.dataset.status;
        const list = (window.__seen[id] ??= []);
        if (st && list[list.length - 1] !== st) list.push(st);
      }
    };
    new MutationObserver(look).observe(document.body, { childList: true, subtree: true });
    look();
  })()`);
  const seen = (p: Page, id: number) => p.evaluate(`window.__seen[${JSON.stringify(String(id))}] ?? []`) as Promise<string[]>;

  test.before(async () => {
    // The suite's time bound: past it the browser is closed, so every pending step fails at once.
    guard = setTimeout(() => { process.stderr.write(`browser suite exceeded ${SUITE_LIMIT_MS} ms; closing the browser\n`); void browser?.close(); }, SUITE_LIMIT_MS);
    guard.unref();
    shots = mkdtempSync(join(tmpdir(), 'scaleout-viewer-screens-'));
    workDir = mkdtempSync(join(tmpdir(), 'scaleout-viewer-browser-'));
    const trust = new CertStore(join(workDir, 'master-trust'));
    h = await startHarness({
      trustStore: trust,
      viewer: (masterCert) => ({
        taskLogFolder: join(workDir, 'task-logs'),
        enrolment: new Enrolment({ certs: trust, masterCertPem: masterCert.cert, masterThumbprint: masterCert.thumbprint, endpoint: () => `https://localhost:${port}` }),
      }),
    });
    port = h.master.port;
    base = `https://localhost:${port}`;
    plain = await startPlainViewer(h.master, { logger: (await import('pino')).pino({ level: 'silent' }) });
    await h.store.createLogin(SYSTEM_PRINCIPAL, { name: 'ann', password: 'ann-password-1', roles: ['ssis_admin'] });
    await h.store.createLogin(SYSTEM_PRINCIPAL, { name: 'lou', password: 'lou-password-1', roles: ['ssis_logreader'] });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ ignoreHTTPSErrors: true, viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(WAIT_MS);
    process.stdout.write(`viewer screenshots: ${shots}\n`);
  });
  test.after(async () => {
    if (process.env['SCALEOUT_DEBUG_VIEWER']) for (const l of h?.logLines ?? []) if (/"level":(40|50|60)|task|assign/.test(l)) process.stderr.write(l.slice(0, 400) + '\n');
    await browser?.close().catch(() => undefined);
    await plain?.close().catch(() => undefined);
    await h?.stop();
    rmSync(workDir, { recursive: true, force: true });
    clearTimeout(guard);
  });

  test('sign in (a wrong password is refused on the page, the right one opens the dashboard)', async () => {
    await page.goto(`${base}/`);
    await page.fill('input[name=name]', 'ann');
    await page.fill('input[name=password]', 'wrong');
    await page.click('button[type=submit]');
    await page.waitForSelector('.error');
    assert.match(await page.textContent('.error') ?? '', 'Login failed');
    await page.fill('input[name=password]', 'ann-password-1');
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Executions by status');
    await page.waitForSelector('.live .dot.on');
  });

  test('a worker enrols with the join token shown on the Workers page, appears disabled, is enabled from the page and turns online', async () => {
    await page.click('nav.tabs >> text=Workers');
    await page.click('#add-worker');
    const command = (await page.textContent('#join-command')) ?? '';
    const token = /--token (\S+)/.exec(command)?.[1];
    const thumb = /--master-thumbprint (\S+)/.exec(command)?.[1];
    assert.ok(token && thumb, command);
    assert.match(command, `scaleout join https://localhost:${port}`);
    await page.click('dialog >> text=Done');
    // What `scaleout join` does on the new machine: enrol over TLS pinning the thumbprint, write its folder.
    const joined = await joinAsWorker({ endpoint: `https://localhost:${port}`, token: token!, masterThumbprint: thumb!, dir: join(workDir, 'new-worker') });
    enrolledId = joined.agentId;
    const store = new CertStore(join(workDir, 'new-worker', 'certs'));
    const stored = store.find(joined.thumbprint, { location: 'LocalMachine', name: 'My' })!;
    await h.addWorker({ agentId: joined.agentId, maxTaskCount: 1, cert: { cert: stored.certPem, key: store.privateKey(stored)!, thumbprint: joined.thumbprint } });
    const row = page.locator(`tr[data-worker="${enrolledId}"]`);
    await row.locator('[data-online=true]').waitFor();
    assert.is(await row.locator('[data-enabled]').getAttribute('data-enabled'), 'false', 'a new worker appears disabled');
    await row.locator('button[data-action=enable]').click();
    await row.locator('[data-enabled=true]').waitFor();
    await h.waitFor('enabled in the catalog', async () => (await h.store.getWorkerAgent(enrolledId))?.isEnabled === true);
    // A second enrolment with the same token is refused.
    let refused = '';
    await joinAsWorker({ endpoint: `https://localhost:${port}`, token: token!, masterThumbprint: thumb!, dir: join(workDir, 'again') }).catch((e: Error) => { refused = e.message; });
    assert.match(refused, 'already used');
    await page.screenshot({ path: join(shots, 'workers.png'), fullPage: true });
  });

  test('an execution started from the page goes Pending → Running → Succeeded in its row without a reload', async () => {
    // The worker (MaxTaskCount 1) is busy with a first run, so the new execution waits visibly.
    const busy = await h.run({ parameters: [{ name: 'HoldMs', value: '2500' }] });
    await h.waitFor('busy run running', async () => ((await h.operationStatus(busy)) === 2 ? true : undefined));
    await page.click('nav.tabs >> text=Execute in Scale Out');
    await page.waitForSelector('#packages input');
    await page.check('#packages input[value="Param.dtsx"]');
    await page.fill('input[name="Param.dtsx:HoldMs"]', '1200');
    await page.fill('#retry', '1');
    await recordStatuses(page);
    // A marker that only survives if the document is never reloaded.
    await page.evaluate('window.__sameDocument = true');
    await page.click('#start');
    await page.waitForSelector('h1:text("Executions")');
    const id = await h.waitFor('new execution', async () => {
      const rows = (await h.store.queryView(SYSTEM_PRINCIPAL, 'catalog.executions')).rows.filter((r) => Number(r['execution_id']) > busy);
      return rows.length > 0 ? Number(rows[0]!['execution_id']) : undefined;
    });
    await page.locator(`tr[data-execution="${id}"] [data-status="Succeeded"]`).waitFor();
    assert.equal(await seen(page, id), ['Pending', 'Running', 'Succeeded']);
    assert.is(await page.evaluate('window.__sameDocument === true'), true, 'no page load happened');
    const params = (await h.store.queryView(SYSTEM_PRINCIPAL, 'catalog.execution_parameter_values')).rows.filter((r) => Number(r['execution_id']) === id && r['parameter_name'] === 'HoldMs');
    assert.is(params[0]?.['parameter_value'], '1200');
  });

  test('an execution started by another process on the catalog appears by itself', async () => {
    await recordStatuses(page);
    const other = await openSqliteCatalog({ path: join(h.dir, 'ssisdb.sqlite') });
    let id = 0;
    try { id = await startExecution(other, SYSTEM_PRINCIPAL, { folder: 'Tests', project: 'TestProject', package: 'Param.dtsx' }); } finally { await other.close(); }
    await page.locator(`tr[data-execution="${id}"] [data-status="Succeeded"]`).waitFor();
    // Another process commits Created, then Pending (start_execution); the master shows what it read, and
    // it may have claimed the task (Running) by the time its feed reads the catalog. The row appears without
    // a reload either way, and never goes back to an earlier state.
    const states = await seen(page, id);
    const order = ['Created', 'Pending', 'Running', 'Succeeded'];
    assert.ok(states.length > 0 && states.every((s, i) => order.includes(s) && (i === 0 || order.indexOf(s) > order.indexOf(states[i - 1]!))), states.join(' → '));
    assert.is(await page.evaluate('window.__sameDocument === true'), true, 'no page load happened');
    assert.is(states[states.length - 1], 'Succeeded');
  });

  test('stop a long execution from its detail page', async () => {
    const id = await h.run({ parameters: [{ name: 'HoldMs', value: '60000' }] });
    await page.locator(`tr[data-execution="${id}"] [data-status="Running"]`).waitFor();
    await page.click(`tr[data-execution="${id}"]`);
    await page.waitForSelector('#stop');
    await page.click('#stop');
    await page.locator('#detail-status [data-status="Canceled"]').waitFor();
    assert.is(await h.operationStatus(id), 3);
    assert.is(await page.locator('#stop').count(), 0, 'no stop button on a finished execution');
  });

  test('execution detail: attempts, messages, task log; screenshots of the dashboard, workers and detail', async () => {
    const counter = join(workDir, 'counter');
    const id = await h.run({ retryCount: 1, parameters: [{ name: 'CounterFile', value: counter }, { name: 'SucceedOnRun', value: '2' }] });
    await h.waitFor('ended', async () => ((await h.operationStatus(id)) === 7 ? true : undefined));
    await h.waitFor('task logs uploaded', () => existsSync(join(workDir, 'task-logs', String(id), 'attempt-2.log')) || undefined);
    await page.goto(`${base}/executions/${id}`);
    await page.waitForSelector('.attempt[data-attempt="2"][data-result="succeeded"]');
    assert.is(await page.locator('.attempt').count(), 2);
    assert.is(await page.getAttribute('.attempt[data-attempt="1"]', 'data-result'), 'retrying');
    await page.waitForSelector('table.messages tbody tr');
    assert.match(await page.textContent('table.messages') ?? '', 'running Param.dtsx');
    await page.screenshot({ path: join(shots, 'execution-detail.png'), fullPage: true });
    await page.click('button[data-tab=log]');
    await page.waitForSelector('pre.log[data-attempt="2"]');
    assert.match(await page.textContent('pre.log[data-attempt="2"]') ?? '', 'task ended: succeeded');
    await page.screenshot({ path: join(shots, 'execution-task-log.png'), fullPage: true });
    await page.click('nav.tabs >> text=Dashboard');
    await page.waitForSelector('svg.chart rect.bar');
    await page.screenshot({ path: join(shots, 'dashboard.png'), fullPage: true });
    await page.click('nav.tabs >> text=Workers');
    await page.waitForSelector(`tr[data-worker="${enrolledId}"]`);
    await page.screenshot({ path: join(shots, 'workers.png'), fullPage: true });
    await page.click('nav.tabs >> text=Executions');
    await page.waitForSelector('table.executions');
    await page.screenshot({ path: join(shots, 'executions.png'), fullPage: true });
    mkdirSync(shots, { recursive: true });
  });

  test('a ssis_logreader (on the loopback plain HTTP port) sees executions but no controls, and the API refuses the actions', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p = await ctx.newPage();
    p.setDefaultTimeout(WAIT_MS);
    const saved = base;
    base = plain.url.replace(/\/$/, '');
    try {
      const running = await h.run({ parameters: [{ name: 'HoldMs', value: '60000' }] });
      await signIn(p, 'lou', 'lou-password-1');
      assert.is(await p.locator('nav.tabs >> text=Execute in Scale Out').count(), 0);
      assert.is(await p.locator('nav.tabs >> text=Workers').count(), 0);
      await p.click('nav.tabs >> text=Executions');
      await p.locator(`tr[data-execution="${running}"] [data-status="Running"]`).waitFor();
      assert.ok(await p.locator('tr[data-execution]').count() >= 4, 'the logreader sees everyone\'s executions');
      assert.is(await p.locator('text=Execute in Scale Out…').count(), 0);
      await p.click(`tr[data-execution="${running}"]`);
      await p.waitForSelector('#detail-status');
      assert.is(await p.locator('#stop').count(), 0, 'no stop button');
      const statuses = await p.evaluate(`(async () => {
        const post = (url, body) => fetch(url, { method: 'POST', headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined }).then((r) => r.status);
        return [
          await post('/api/v1/executions/batch', { packages: [{ folder: 'Tests', project: 'TestProject', package: 'Param.dtsx' }] }),
          await post('/api/v1/executions/${running}/cancel'),
          await post('/api/v1/workers/${enrolledId}/disable'),
          await post('/api/v1/workers/join-tokens'),
        ];
      })()`);
      assert.equal(statuses, [403, 403, 403, 403]);
      await p.screenshot({ path: join(shots, 'logreader-detail.png'), fullPage: true });
      await h.store.stopOperation(SYSTEM_PRINCIPAL, { operationId: running });
      h.master.hub.cancelExecution(running);
    } finally {
      base = saved;
      await ctx.close();
    }
  });
}

test.run();
