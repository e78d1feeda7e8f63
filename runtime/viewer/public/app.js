// Scale Out Manager: the live state viewer served by the master. Plain modern JS (no framework, no
// build step, nothing fetched from elsewhere). State comes from /api/v1/stream (a snapshot, then
// numbered events); actions go to /api/v1/* with the session cookie. Every text from the catalog
// is put into the DOM as text (h() never parses HTML).

const STATUS = { 1: 'Created', 2: 'Running', 3: 'Canceled', 4: 'Failed', 5: 'Pending', 6: 'Ended unexpectedly', 7: 'Succeeded', 8: 'Stopping', 9: 'Completed' };
const STATUS_CLASS = { 1: 's-off', 2: 's-run', 3: 's-off', 4: 's-bad', 5: 's-pend', 6: 's-bad', 7: 's-ok', 8: 's-stop', 9: 's-ok' };
const FINAL = new Set([3, 4, 6, 7, 9]);
const MESSAGE_TYPES = { 120: 'Error', 110: 'Warning', 70: 'Information', 10: 'Pre-validate', 20: 'Post-validate', 30: 'Pre-execute', 40: 'Post-execute', 60: 'Progress', 50: 'Status change', 100: 'Query cancel', 130: 'Task failed', 140: 'Diagnostic', 200: 'Custom', 400: 'Non-diagnostic', [-1]: 'Unknown' };

const state = { me: null, master: null, seq: 0, executions: new Map(), workers: new Map(), attempts: new Map(), connected: false, flash: new Set() };
let ws = null;
let renderQueued = false;

// ---------- tiny DOM helper ----------
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style') el.style.cssText = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}
const svgNs = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...children) {
  const el = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attrs ?? {})) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : String(c));
  return el;
}

// ---------- API ----------
async function api(method, url, body) {
  const r = await fetch(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (r.status === 401 && url !== '/api/v1/session') { state.me = null; go('/login'); throw new Error('signed out'); }
  const text = await r.text();
  const data = text && (r.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
  if (!r.ok) throw new Error(typeof data === 'object' && data?.message ? data.message + (data.number ? ` (${data.number})` : '') : `HTTP ${r.status}`);
  return data;
}
function toast(text, bad) {
  const t = h('div', { class: 'toast' + (bad ? ' bad' : ''), role: 'status' }, text);
  document.body.append(t);
  setTimeout(() => t.remove(), 3500);
}

// ---------- formatting ----------
const fmtTime = (t) => (t ? new Date(t).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' }) : '—');
function fmtDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} m`;
}
function durationOf(e) {
  const start = e.startTime ?? e.createdTime;
  if (!start) return NaN;
  const end = e.endTime ? Date.parse(e.endTime) : FINAL.has(e.status) ? NaN : Date.now();
  return end - Date.parse(start);
}
const pill = (status) => h('span', { class: 'pill ' + (STATUS_CLASS[status] ?? 's-off'), dataset: { status: STATUS[status] ?? String(status) } }, STATUS[status] ?? String(status));
const workerName = (id) => { const w = id && state.workers.get(id); return w ? (w.displayName || w.machineName || id.slice(0, 8)) : id ? id.slice(0, 8) : '—'; };

// ---------- routing ----------
function go(path) { if (location.pathname !== path) history.pushState(null, '', path); render(); }
window.addEventListener('popstate', () => render());
document.addEventListener('click', (ev) => {
  const a = ev.target.closest?.('a[data-link]');
  if (a && !ev.ctrlKey && !ev.metaKey) { ev.preventDefault(); go(a.getAttribute('href')); }
});

// ---------- the stream ----------
function connect() {
  if (ws) return;
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  const since = state.seq > 0 ? `?since=${state.seq}` : '';
  ws = new WebSocket(`${proto}://${location.host}/api/v1/stream${since}`);
  ws.onopen = () => { state.connected = true; queueRender(); };
  ws.onmessage = (m) => apply(JSON.parse(m.data));
  ws.onclose = () => {
    ws = null; state.connected = false; queueRender();
    if (state.me) setTimeout(connect, 1000);
  };
}
function apply(msg) {
  if (msg.type === 'snapshot') {
    state.executions = new Map(msg.executions.map((e) => [e.id, e]));
    state.workers = new Map(msg.workers.map((w) => [w.id, w]));
    state.attempts = new Map();
    for (const a of msg.attempts) addAttempt(a);
    state.seq = msg.seq;
  } else if (msg.type === 'events') {
    for (const e of msg.events) {
      if (e.seq <= state.seq) continue;
      state.seq = e.seq;
      if (e.kind === 'execution') { state.executions.set(e.data.id, e.data); state.flash.add(e.data.id); }
      else if (e.kind === 'worker') state.workers.set(e.data.id, e.data);
      else if (e.kind === 'worker-removed') state.workers.delete(e.data.id);
      else if (e.kind === 'attempt') addAttempt(e.data);
    }
    if (msg.seq && msg.seq > state.seq) state.seq = msg.seq;
  }
  queueRender(true);
}
function addAttempt(a) {
  const list = state.attempts.get(a.executionId) ?? [];
  const i = list.findIndex((x) => x.attempt === a.attempt);
  if (i >= 0) list[i] = a; else list.push(a);
  list.sort((x, y) => x.attempt - y.attempt);
  state.attempts.set(a.executionId, list);
}
function queueRender(live) {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => { renderQueued = false; render(live); });
}
setInterval(() => { if (state.me && /^\/(dashboard)?$|^\/executions/.test(location.pathname)) queueRender(true); }, 1000);

// ---------- layout ----------
const root = () => document.getElementById('app');
let current = { path: null, view: null };

async function render(live) {
  const path = location.pathname;
  if (!state.me) {
    try { state.me = await api('GET', '/api/v1/session'); } catch { state.me = null; }
    if (!state.me) { root().className = ''; root().replaceChildren(loginView()); return; }
    connect();
    api('GET', '/api/v1/master').then((m) => { state.master = m; queueRender(); }).catch(() => {});
  }
  if (path === '/login') { history.replaceState(null, '', '/'); return render(); }
  // Live updates re-render only the live parts of a page that asked for it.
  if (live && current.path === path && current.view?.update) { current.view.update(); state.flash.clear(); return; }
  const view = route(path);
  current = { path, view };
  root().className = '';
  root().replaceChildren(shell(path), h('main', {}, view.el));
  view.update?.();
  state.flash.clear();
}
function route(path) {
  if (path === '/' || path === '/dashboard') return dashboardView();
  if (path === '/workers') return workersView();
  if (path === '/execute') return executeView();
  const m = /^\/executions\/(\d+)$/.exec(path);
  if (m) return detailView(Number(m[1]));
  return executionsView();
}
function shell(path) {
  const tab = (href, label) => h('a', { href, 'data-link': true, class: (path === href || (href !== '/' && path.startsWith(href))) ? 'on' : '' }, label);
  const can = state.me.can;
  return h('header', { class: 'top' },
    h('div', { class: 'brand' }, h('img', { src: '/assets/logo.svg', alt: '' }), 'Scale Out Manager'),
    h('nav', { class: 'tabs' }, tab('/dashboard', 'Dashboard'), tab('/executions', 'Executions'), can.seeWorkers ? tab('/workers', 'Workers') : null, can.start ? tab('/execute', 'Execute in Scale Out') : null),
    h('div', { class: 'spacer' }),
    h('div', { class: 'live', id: 'live' }, h('span', { class: 'dot ' + (state.connected ? 'on' : 'warn') }), state.connected ? `live · #${state.seq}` : 'reconnecting…'),
    h('div', { class: 'user' }, `${state.me.name} · ${state.me.roles.join(', ') || 'no role'}`),
    h('button', { class: 'small', onclick: async () => { await api('DELETE', '/api/v1/session'); state.me = null; ws?.close(); go('/login'); } }, 'Sign out'));
}
function updateLive() {
  const el = document.getElementById('live');
  if (el) el.replaceChildren(h('span', { class: 'dot ' + (state.connected ? 'on' : 'warn') }), state.connected ? `live · #${state.seq}` : 'reconnecting…');
}

// ---------- sign in ----------
function loginView() {
  const err = h('div');
  const name = h('input', { name: 'name', autocomplete: 'username', required: true, autofocus: true });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', {
    onsubmit: async (ev) => {
      ev.preventDefault();
      err.replaceChildren();
      try {
        state.me = await api('POST', '/api/v1/session', { name: name.value, password: pass.value });
        connect();
        api('GET', '/api/v1/master').then((m) => { state.master = m; queueRender(); }).catch(() => {});
        history.replaceState(null, '', location.pathname === '/login' ? '/' : location.pathname);
        render();
      } catch (e) { err.replaceChildren(h('div', { class: 'error' }, e.message)); }
    },
  }, h('label', {}, 'Login', name), h('label', {}, 'Password', pass), err, h('button', { class: 'primary', type: 'submit' }, 'Sign in'));
  return h('div', { class: 'login card' }, h('div', { class: 'brand', style: 'margin-bottom:14px' }, h('img', { src: '/assets/logo.svg', alt: '' }), 'Scale Out Manager'),
    h('p', { class: 'sub' }, 'Sign in with a catalog login (SSISDB roles apply).'), form);
}

// ---------- dashboard ----------
function dashboardView() {
  const el = h('div');
  const update = () => {
    updateLive();
    const execs = [...state.executions.values()];
    const counts = {};
    for (const e of execs) counts[e.status] = (counts[e.status] ?? 0) + 1;
    const workers = [...state.workers.values()];
    const online = workers.filter((w) => w.online).length;
    const enabled = workers.filter((w) => w.enabled).length;
    const busy = workers.reduce((n, w) => n + w.runningTasks, 0);
    const slots = workers.filter((w) => w.online && w.enabled).reduce((n, w) => n + (w.maxTaskCount ?? 0), 0);
    const m = state.master;
    el.replaceChildren(
      h('h1', {}, 'Dashboard'), h('p', { class: 'sub' }, 'The whole Scale Out at a glance; everything here updates live.'),
      h('div', { class: 'grid g4' },
        h('div', { class: 'card' }, h('div', { class: 'label' }, 'Master'), h('div', { class: 'stat' }, h('span', { class: 'pill s-ok' }, 'Online')),
          h('dl', { class: 'kv', style: 'margin-top:10px' }, h('dt', {}, 'Version'), h('dd', {}, m?.version ?? '…'), h('dt', {}, 'Catalog'), h('dd', { class: 'mono' }, m?.catalog ?? '…'),
            h('dt', {}, 'Last heartbeat'), h('dd', {}, fmtTime(m?.lastHeartbeat)), h('dt', {}, 'Started'), h('dd', {}, fmtTime(m?.startedAt)))),
        h('div', { class: 'card' }, h('div', { class: 'label' }, 'Workers online'), h('div', { class: 'stat' }, String(online), h('small', {}, `of ${workers.length} · ${enabled} enabled`))),
        h('div', { class: 'card' }, h('div', { class: 'label' }, 'Busy slots'), h('div', { class: 'stat' }, String(busy), h('small', {}, `of ${slots} available`)),
          h('div', { class: 'bar-mini', style: 'width:100%;margin-top:10px' }, h('i', { style: `width:${slots ? Math.min(100, (busy / slots) * 100) : 0}%` }))),
        h('div', { class: 'card' }, h('div', { class: 'label' }, 'Running now'), h('div', { class: 'stat' }, String((counts[2] ?? 0) + (counts[8] ?? 0)), h('small', {}, `${counts[5] ?? 0} pending`)))),
      h('div', { class: 'grid g2', style: 'margin-top:16px' },
        h('div', { class: 'card' }, h('h2', {}, 'Executions by status'),
          h('div', { class: 'tiles' }, [7, 2, 5, 4, 3, 6, 8, 1, 9].map((st) => h('div', { class: 'tile', onclick: () => go(`/executions?status=${st}`) }, h('div', {}, pill(st)), h('div', { class: 'n' }, String(counts[st] ?? 0)))))),
        h('div', { class: 'card' }, h('h2', {}, 'Executions per minute, last hour'), perMinuteChart(execs))),
      h('div', { class: 'card flush', style: 'margin-top:16px' }, h('div', { class: 'head' }, h('h2', {}, 'Latest executions'), h('div', { class: 'spacer' }), h('a', { href: '/executions', 'data-link': true }, 'All executions →')),
        executionTable(execs.sort((a, b) => b.id - a.id).slice(0, 8))));
  };
  return { el, update };
}
function perMinuteChart(execs) {
  const now = Date.now();
  const buckets = Array.from({ length: 60 }, () => ({ n: 0, bad: 0 }));
  for (const e of execs) {
    const t = Date.parse(e.createdTime ?? '');
    const i = 59 - Math.floor((now - t) / 60000);
    if (i >= 0 && i < 60) { buckets[i].n++; if (e.status === 4 || e.status === 6) buckets[i].bad++; }
  }
  const max = Math.max(1, ...buckets.map((b) => b.n));
  const W = 600, H = 160, pad = 22, bw = (W - pad) / 60;
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': 'executions per minute' });
  svg.append(s('line', { x1: pad, x2: W, y1: H - 16, y2: H - 16 }));
  svg.append(s('text', { x: 0, y: 12 }, String(max)), s('text', { x: 0, y: H - 18 }, '0'), s('text', { x: pad, y: H - 3 }, '−60 min'), s('text', { x: W - 30, y: H - 3 }, 'now'));
  buckets.forEach((b, i) => {
    const hgt = ((H - 30) * b.n) / max;
    if (b.n > 0) svg.append(s('rect', { class: 'bar', x: pad + i * bw + 1, y: H - 16 - hgt, width: Math.max(1, bw - 2), height: hgt, rx: 1.5 }));
    if (b.bad > 0) { const hb = ((H - 30) * b.bad) / max; svg.append(s('rect', { class: 'bar bad', x: pad + i * bw + 1, y: H - 16 - hb, width: Math.max(1, bw - 2), height: hb, rx: 1.5 })); }
  });
  return svg;
}

// ---------- executions ----------
function executionTable(list, opts = {}) {
  if (list.length === 0) return h('div', { class: 'empty' }, opts.empty ?? 'No executions yet.');
  return h('table', { class: 'executions' },
    h('thead', {}, h('tr', {}, h('th', { class: 'num' }, 'ID'), h('th', {}, 'Status'), h('th', {}, 'Package'), h('th', {}, 'Folder \\ Project'), h('th', {}, 'Worker'), h('th', {}, 'Started'), h('th', { class: 'num' }, 'Duration'), h('th', { class: 'num' }, 'Attempts'), h('th', {}, 'Caller'))),
    h('tbody', {}, list.map((e) => h('tr', { class: 'click' + (state.flash.has(e.id) ? ' flash' : ''), dataset: { execution: String(e.id) }, onclick: () => go(`/executions/${e.id}`) },
      h('td', { class: 'num mono' }, String(e.id)), h('td', { class: 'status' }, pill(e.status)), h('td', {}, h('b', {}, e.package)), h('td', { class: 'muted' }, `${e.folder} \\ ${e.project}`),
      h('td', {}, workerName(e.workerAgentId)), h('td', {}, fmtTime(e.startTime)), h('td', { class: 'num' }, fmtDuration(durationOf(e))), h('td', { class: 'num' }, String(e.executedCount || 0)), h('td', { class: 'muted' }, e.callerName)))));
}
function executionsView() {
  const params = new URLSearchParams(location.search);
  const f = { status: params.get('status') ?? '', text: '' };
  const tableBox = h('div');
  const status = h('select', { 'aria-label': 'status', onchange: () => { f.status = status.value; update(); } }, h('option', { value: '' }, 'All statuses'), Object.entries(STATUS).map(([k, v]) => h('option', { value: k, selected: f.status === k }, v)));
  const text = h('input', { type: 'search', placeholder: 'Filter by package, folder, project, worker…', style: 'min-width:320px', oninput: () => { f.text = text.value.toLowerCase(); update(); } });
  const count = h('span', { class: 'muted' });
  const el = h('div', {}, h('h1', {}, 'Executions'), h('p', { class: 'sub' }, 'All executions, newest first; rows change state in place as the catalog commits them.'),
    h('div', { class: 'card flush' }, h('div', { class: 'toolbar' }, status, text, h('div', { class: 'spacer' }), count, state.me.can.start ? h('button', { class: 'primary', onclick: () => go('/execute') }, 'Execute in Scale Out…') : null), tableBox));
  function update() {
    updateLive();
    const list = [...state.executions.values()].filter((e) => (!f.status || String(e.status) === f.status)
      && (!f.text || `${e.package} ${e.folder} ${e.project} ${workerName(e.workerAgentId)} ${e.id}`.toLowerCase().includes(f.text))).sort((a, b) => b.id - a.id);
    count.textContent = `${list.length} execution${list.length === 1 ? '' : 's'}`;
    tableBox.replaceChildren(executionTable(list.slice(0, 500), { empty: 'No execution matches.' }));
  }
  return { el, update };
}

function detailView(id) {
  const el = h('div', {}, h('div', { class: 'empty' }, 'Loading…'));
  let detail = null;
  let tab = 'messages';
  let msgType = '';
  const tabBox = h('div');
  async function load() {
    try { detail = await api('GET', `/api/v1/executions/${id}/detail`); } catch (e) { el.replaceChildren(h('div', { class: 'error' }, e.message)); return; }
    draw();
  }
  let lastKey = '';
  function update() {
    updateLive();
    const e = state.executions.get(id);
    const key = e ? `${e.status}|${e.endTime}|${(state.attempts.get(id) ?? []).map((a) => a.result).join(',')}` : '';
    if (detail && key !== lastKey) { lastKey = key; load(); } else if (detail) drawHeader();
  }
  const headerBox = h('div');
  function drawHeader() {
    const e = state.executions.get(id) ?? detail.execution;
    const canStop = state.me.can.stop && !FINAL.has(e.status);
    headerBox.replaceChildren(
      h('div', { class: 'crumbs' }, h('a', { href: '/executions', 'data-link': true }, 'Executions'), ` / ${e.folder} \\ ${e.project}`),
      h('div', { class: 'row' }, h('h1', {}, `${e.package}`), h('span', { class: 'muted mono' }, `#${e.id}`), h('span', { id: 'detail-status' }, pill(e.status)), h('div', { class: 'spacer' }),
        canStop ? h('button', { class: 'danger', id: 'stop', onclick: async () => { try { await api('POST', `/api/v1/executions/${id}/cancel`); toast('Stop requested'); } catch (err) { toast(err.message, true); } } }, 'Stop') : null),
      h('div', { class: 'grid g4', style: 'margin-top:14px' },
        h('div', { class: 'card' }, h('div', { class: 'label' }, 'Duration'), h('div', { class: 'stat' }, fmtDuration(durationOf(e)))),
        h('div', { class: 'card' }, h('div', { class: 'label' }, 'Started · ended'), h('div', {}, fmtTime(e.startTime)), h('div', { class: 'muted' }, fmtTime(e.endTime))),
        h('div', { class: 'card' }, h('div', { class: 'label' }, 'Worker'), h('div', { class: 'stat', style: 'font-size:18px' }, workerName(e.workerAgentId)), h('div', { class: 'muted mono' }, e.workerAgentId ?? '')),
        h('div', { class: 'card' }, h('div', { class: 'label' }, 'Attempts'), h('div', { class: 'stat' }, String(e.executedCount || 0)), h('div', { class: 'muted' }, `started by ${e.callerName}`))));
  }
  function draw() {
    drawHeader();
    const d = detail;
    el.replaceChildren(headerBox,
      h('div', { class: 'card', style: 'margin-top:16px' }, h('h2', {}, 'Attempts'), attemptsTimeline(d)),
      h('div', { class: 'grid g2', style: 'margin-top:16px' },
        h('div', { class: 'card flush' }, h('div', { class: 'head' }, h('h2', {}, 'Parameters')), paramsTable(d.parameters)),
        h('div', { class: 'card flush' }, h('div', { class: 'head' }, h('h2', {}, 'Messages by type')), h('div', { style: 'padding:14px 18px' },
          h('div', { class: 'tiles' }, Object.entries(d.messageCounts).map(([t, n]) => h('div', { class: 'tile', onclick: () => { msgType = t; tab = 'messages'; drawTab(); } }, h('div', { class: 'muted' }, MESSAGE_TYPES[t] ?? t), h('div', { class: 'n' }, String(n))))),
          Object.keys(d.messageCounts).length === 0 ? h('div', { class: 'muted' }, 'No messages.') : null))),
      h('div', { class: 'card flush', style: 'margin-top:16px' }, h('div', { class: 'tabs2' },
        ['messages', 'executables', 'data', 'log'].map((t) => h('button', { class: tab === t ? 'on' : '', dataset: { tab: t }, onclick: () => { tab = t; draw(); } }, { messages: 'Messages', executables: 'Executable statistics', data: 'Rows per data-flow path', log: 'Task log' }[t]))), tabBox));
    drawTab();
  }
  async function drawTab() {
    const d = detail;
    if (tab === 'messages') {
      const sel = h('select', { 'aria-label': 'message type', onchange: () => { msgType = sel.value; drawTab(); } }, h('option', { value: '' }, 'All types'), Object.keys(d.messageCounts).map((t) => h('option', { value: t, selected: msgType === t }, MESSAGE_TYPES[t] ?? t)));
      const r = await api('GET', `/api/v1/executions/${id}/messages${msgType ? `?type=${msgType}` : ''}`);
      tabBox.replaceChildren(h('div', { class: 'toolbar' }, sel, h('span', { class: 'muted' }, `${r.total} message(s)`)), r.items.length === 0 ? h('div', { class: 'empty' }, 'No messages.') :
        h('table', { class: 'messages' }, h('thead', {}, h('tr', {}, h('th', {}, 'Time'), h('th', {}, 'Type'), h('th', {}, 'Source'), h('th', {}, 'Message'))),
          h('tbody', {}, r.items.map((m) => h('tr', {}, h('td', { class: 'muted' }, fmtTime(m.time)), h('td', {}, h('span', { class: 'pill ' + (m.type === 120 || m.type === 130 ? 's-bad' : m.type === 110 ? 's-pend' : 's-off') }, MESSAGE_TYPES[m.type] ?? m.type)), h('td', {}, m.source ?? ''), h('td', {}, m.message))))));
    } else if (tab === 'executables') {
      tabBox.replaceChildren(d.executableStatistics.length === 0 ? h('div', { class: 'empty' }, 'No executable statistics (logged at Basic level and above).') :
        h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Executable'), h('th', {}, 'Execution path'), h('th', {}, 'Start'), h('th', { class: 'num' }, 'Duration'), h('th', {}, 'Result'))),
          h('tbody', {}, d.executableStatistics.map((x) => h('tr', {}, h('td', {}, x.executable ?? ''), h('td', { class: 'mono' }, x.executionPath), h('td', {}, fmtTime(x.startTime)), h('td', { class: 'num' }, fmtDuration(x.durationMs)),
            h('td', {}, h('span', { class: 'pill ' + (x.result === 0 ? 's-ok' : x.result === 1 ? 's-bad' : 's-off') }, ['Success', 'Failure', 'Completion', 'Canceled'][x.result] ?? x.result)))))));
    } else if (tab === 'data') {
      tabBox.replaceChildren(d.dataStatistics.length === 0 ? h('div', { class: 'empty' }, 'No data-flow rows (logged at the Verbose level: run with LOGGING_LEVEL 3).') :
        h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Data Flow task'), h('th', {}, 'Path'), h('th', {}, 'From'), h('th', {}, 'To'), h('th', { class: 'num' }, 'Rows'))),
          h('tbody', {}, d.dataStatistics.map((x) => h('tr', {}, h('td', { class: 'mono' }, x.executionPath || x.task), h('td', {}, x.path), h('td', {}, x.source), h('td', {}, x.destination), h('td', { class: 'num' }, String(x.rows)))))));
    } else {
      const withLog = d.attempts.filter((a) => a.hasLog);
      if (withLog.length === 0) { tabBox.replaceChildren(h('div', { class: 'empty' }, d.attempts.some((a) => !a.end) ? 'The task log arrives when the attempt ends.' : 'No task log was uploaded for this execution.')); return; }
      const boxes = await Promise.all(withLog.map(async (a) => h('div', {}, h('div', { class: 'toolbar' }, h('b', {}, `Attempt ${a.attempt}`), h('span', { class: 'muted' }, `on ${workerName(a.workerAgentId)}`)),
        h('pre', { class: 'log', dataset: { attempt: String(a.attempt) } }, await api('GET', `/api/v1/executions/${id}/attempts/${a.attempt}/log`)))));
      tabBox.replaceChildren(...boxes);
    }
  }
  load();
  return { el, update };
}
function attemptsTimeline(d) {
  const attempts = (state.attempts.get(d.execution.id) ?? d.attempts).map((a) => ({ ...a, messageCount: d.attempts.find((x) => x.attempt === a.attempt)?.messageCount }));
  if (attempts.length === 0) return h('div', { class: 'muted' }, 'Not picked up by a worker yet.');
  const t0 = Math.min(...attempts.map((a) => Date.parse(a.start)));
  const t1 = Math.max(...attempts.map((a) => (a.end ? Date.parse(a.end) : Date.now())), t0 + 1);
  const cls = { succeeded: 'ok', failed: 'bad', lost: 'bad', running: 'run', canceled: 'off', retrying: 'pend' };
  return h('div', { class: 'timeline' }, attempts.map((a) => {
    const s0 = Date.parse(a.start), s1 = a.end ? Date.parse(a.end) : Date.now();
    return h('div', { class: 'tl-row attempt', dataset: { attempt: String(a.attempt), result: a.result } },
      h('div', {}, h('b', {}, `Attempt ${a.attempt}`), h('div', { class: 'muted' }, workerName(a.workerAgentId))),
      h('div', { class: 'tl-track' }, h('div', { class: `tl-bar ${cls[a.result] ?? 'off'}`, style: `left:${((s0 - t0) / (t1 - t0)) * 100}%;width:${Math.max(0.5, ((s1 - s0) / (t1 - t0)) * 100)}%` })),
      h('div', {}, h('span', { class: 'pill ' + ({ ok: 's-ok', bad: 's-bad', run: 's-run', off: 's-off', pend: 's-pend' }[cls[a.result]] ?? 's-off') }, { retrying: 'failed, retried', lost: 'lease lost' }[a.result] ?? a.result), ' ', h('span', { class: 'muted' }, `${fmtDuration(s1 - s0)}${a.messageCount !== undefined ? ` · ${a.messageCount} msg` : ''}`)));
  }));
}
function paramsTable(list) {
  if (list.length === 0) return h('div', { class: 'empty' }, 'No parameters.');
  const kind = { 20: 'Project', 30: 'Package', 50: 'System' };
  return h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Kind'), h('th', {}, 'Type'), h('th', {}, 'Value'))),
    h('tbody', {}, list.map((p) => h('tr', {}, h('td', { class: 'mono' }, p.name), h('td', { class: 'muted' }, kind[p.objectType] ?? p.objectType), h('td', { class: 'muted' }, p.dataType),
      h('td', {}, p.sensitive ? h('span', { class: 'muted' }, '(sensitive)') : p.value === null ? h('span', { class: 'muted' }, 'NULL') : String(p.value))))));
}

// ---------- workers: the Scale Out Manager ----------
function workersView() {
  const box = h('div');
  const can = state.me.can;
  const dialog = h('dialog');
  const el = h('div', {}, h('div', { class: 'row' }, h('div', {}, h('h1', {}, 'Workers'), h('p', { class: 'sub' }, 'Scale Out Manager: enable, drain, edit and add worker agents.')), h('div', { class: 'spacer' }),
    can.manageWorkers ? h('button', { class: 'primary', id: 'add-worker', onclick: addWorker }, 'Add a worker…') : null), h('div', { class: 'card flush' }, box), dialog);
  async function act(w, verb) {
    try {
      if (verb === 'delete') { if (!confirm(`Delete worker ${w.displayName || w.id}? It can enrol again later.`)) return; await api('DELETE', `/api/v1/workers/${w.id}`); }
      else await api('POST', `/api/v1/workers/${w.id}/${verb}`);
      toast(verb === 'disable' ? 'Disabled: running tasks finish, no new ones' : `Worker ${verb}d`);
    } catch (e) { toast(e.message, true); }
  }
  function edit(w) {
    const dn = h('input', { name: 'displayName', value: w.displayName ?? '', maxlength: 256 });
    const ds = h('textarea', { name: 'description', rows: 3 }, w.description ?? '');
    const tg = h('input', { name: 'tags', value: w.tags ?? '', placeholder: 'comma,separated' });
    const err = h('div');
    dialog.replaceChildren(h('form', { method: 'dialog', onsubmit: async (ev) => {
      ev.preventDefault();
      try { await api('PATCH', `/api/v1/workers/${w.id}`, { displayName: dn.value || null, description: ds.value || null, tags: tg.value || null }); dialog.close(); toast('Saved'); } catch (e) { err.replaceChildren(h('div', { class: 'error' }, e.message)); }
    } }, h('h2', {}, `Edit worker ${w.machineName ?? ''}`), h('label', {}, 'Display name', dn), h('label', {}, 'Description', ds), h('label', {}, 'Tags', tg), err,
    h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel'), h('button', { class: 'primary', type: 'submit' }, 'Save'))));
    dialog.showModal();
  }
  async function addWorker() {
    let t;
    try { t = await api('POST', '/api/v1/workers/join-tokens'); } catch (e) { toast(e.message, true); return; }
    dialog.replaceChildren(h('div', {}, h('h2', {}, 'Add a worker'),
      h('p', {}, 'On the new machine (Node 20 and this package installed), run:'),
      h('div', { class: 'cmd' }, h('code', { id: 'join-command' }, t.command), h('button', { onclick: () => navigator.clipboard?.writeText(t.command).then(() => toast('Copied')) }, 'Copy')),
      h('p', { class: 'muted' }, `The token works once and expires ${fmtTime(t.expiresAt)}. The master issues and trusts the worker's certificate; the worker then appears below disabled, ready to enable.`),
      h('div', { class: 'actions' }, h('button', { class: 'primary', onclick: () => dialog.close() }, 'Done'))));
    dialog.showModal();
  }
  function update() {
    updateLive();
    const list = [...state.workers.values()].sort((a, b) => (a.displayName ?? a.id).localeCompare(b.displayName ?? b.id));
    if (list.length === 0) { box.replaceChildren(h('div', { class: 'empty' }, can.seeWorkers ? 'No worker has registered yet. Use “Add a worker”.' : 'Workers are visible to ssis_admin, ssis_cluster_executor and sysadmin.')); return; }
    box.replaceChildren(h('table', { class: 'workers' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Worker'), h('th', {}, 'Machine'), h('th', {}, 'State'), h('th', {}, 'Tasks'), h('th', {}, 'CPU'), h('th', { class: 'num' }, 'Free memory'), h('th', {}, 'Last heartbeat'), h('th', {}, 'Tags'), h('th', {}))),
      h('tbody', {}, list.map((w) => h('tr', { dataset: { worker: w.id } },
        h('td', {}, h('b', {}, w.displayName || '(no display name)'), h('div', { class: 'muted mono' }, w.id), w.description ? h('div', { class: 'muted' }, w.description) : null),
        h('td', {}, w.machineName ?? '—'),
        h('td', { class: 'state' }, h('span', { class: 'pill ' + (w.online ? 's-ok' : 's-off'), dataset: { online: String(w.online) } }, w.online ? 'Online' : 'Offline'), ' ',
          h('span', { class: 'pill ' + (w.enabled ? (w.runningTasks > 0 || w.online ? 's-run' : 's-off') : (w.runningTasks > 0 ? 's-stop' : 's-pend')), dataset: { enabled: String(w.enabled) } }, w.enabled ? 'Enabled' : w.runningTasks > 0 ? 'Draining' : 'Disabled')),
        h('td', {}, h('span', { class: 'bar-mini' }, h('i', { style: `width:${w.maxTaskCount ? (w.runningTasks / w.maxTaskCount) * 100 : 0}%` })), `${w.runningTasks} / ${w.maxTaskCount ?? '—'}`),
        h('td', {}, w.cpuPercent === null ? '—' : `${Math.round(w.cpuPercent)} %`), h('td', { class: 'num' }, w.availableMemoryMb === null ? '—' : `${(w.availableMemoryMb / 1024).toFixed(1)} GB`),
        h('td', {}, fmtTime(w.lastOnlineTime)), h('td', {}, w.tags ?? ''),
        h('td', {}, can.manageWorkers ? h('div', { class: 'actions' },
          w.enabled ? h('button', { class: 'small', dataset: { action: 'disable' }, onclick: () => act(w, 'disable') }, 'Disable') : h('button', { class: 'small primary', dataset: { action: 'enable' }, onclick: () => act(w, 'enable') }, 'Enable'),
          h('button', { class: 'small', dataset: { action: 'edit' }, onclick: () => edit(w) }, 'Edit'), h('button', { class: 'small danger', dataset: { action: 'delete' }, onclick: () => act(w, 'delete') }, 'Delete')) : null))))));
  }
  return { el, update };
}

// ---------- Execute in Scale Out ----------
function executeView() {
  const el = h('div', {}, h('h1', {}, 'Execute in Scale Out'), h('p', { class: 'sub' }, 'Pick packages, set parameters, retries and the workers allowed to run them.'));
  const body = h('div', { class: 'card' }, h('div', { class: 'muted' }, 'Loading folders…'));
  el.append(body);
  api('GET', '/api/v1/folders').then((folders) => {
    const projects = folders.flatMap((f) => f.projects.map((p) => ({ folder: f.name, ...p })));
    if (projects.length === 0) { body.replaceChildren(h('div', { class: 'empty' }, 'Nothing is deployed yet: scaleout deploy <project> --folder <name>.')); return; }
    const projSel = h('select', { id: 'project', onchange: () => drawPackages() }, projects.map((p, i) => h('option', { value: String(i) }, `${p.folder} \\ ${p.name}`)));
    const pkgBox = h('div', { class: 'checks', id: 'packages' });
    const paramBox = h('div');
    const retry = h('input', { type: 'number', id: 'retry', min: 0, max: 100, value: 0, style: 'width:90px' });
    const workers = [...state.workers.values()];
    const anyWorker = h('input', { type: 'checkbox', id: 'any-worker', checked: true, onchange: () => { wBox.style.display = anyWorker.checked ? 'none' : ''; } });
    const wBox = h('div', { class: 'checks', style: 'display:none' }, workers.length === 0 ? h('div', { class: 'muted' }, 'No workers.') : workers.map((w) => h('label', {}, h('input', { type: 'checkbox', value: w.id, name: 'worker' }), `${w.displayName || w.machineName || w.id} ${w.enabled ? '' : '(disabled)'}`)));
    const err = h('div');
    const paramInputs = new Map();
    function drawPackages() {
      const p = projects[Number(projSel.value)];
      pkgBox.replaceChildren(...p.packages.map((k) => h('label', {}, h('input', { type: 'checkbox', value: k.name, name: 'package', onchange: drawParams }), k.name)));
      drawParams();
    }
    function drawParams() {
      const p = projects[Number(projSel.value)];
      const chosen = [...pkgBox.querySelectorAll('input:checked')].map((i) => i.value);
      const defs = [...p.parameters.map((x) => ({ ...x, scope: 20, key: `$Project::${x.name}` })),
        ...p.packages.filter((k) => chosen.includes(k.name)).flatMap((k) => k.parameters.map((x) => ({ ...x, scope: 30, pkg: k.name, key: `${k.name}:${x.name}` })))];
      paramInputs.clear();
      paramBox.replaceChildren(defs.length === 0 ? h('div', { class: 'muted' }, 'No parameters.') : h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Parameter'), h('th', {}, 'Type'), h('th', {}, 'Value'))),
        h('tbody', {}, defs.map((d) => {
          const input = d.dataType === 'Boolean' ? h('select', { name: d.key }, h('option', { value: '' }, `default (${d.defaultValue ?? 'NULL'})`), h('option', { value: 'true' }, 'True'), h('option', { value: 'false' }, 'False'))
            : h('input', { name: d.key, placeholder: d.sensitive ? '(sensitive)' : `default: ${d.defaultValue ?? 'NULL'}`, type: d.sensitive ? 'password' : 'text' });
          paramInputs.set(d.key, { d, input });
          return h('tr', {}, h('td', { class: 'mono' }, d.scope === 20 ? `$Project::${d.name}` : `${d.pkg}: ${d.name}`, d.required ? h('span', { class: 'muted' }, ' *') : null), h('td', { class: 'muted' }, d.dataType), h('td', {}, input));
        }))));
    }
    const start = h('button', { class: 'primary', id: 'start', type: 'submit' }, 'Start');
    const form = h('form', { onsubmit: async (ev) => {
      ev.preventDefault();
      err.replaceChildren();
      const p = projects[Number(projSel.value)];
      const chosen = [...pkgBox.querySelectorAll('input:checked')].map((i) => i.value);
      if (chosen.length === 0) { err.replaceChildren(h('div', { class: 'error' }, 'Pick at least one package.')); return; }
      const parameters = [];
      for (const { d, input } of paramInputs.values()) {
        if (input.value === '') continue;
        const numeric = /Int|Byte|Double|Single|Decimal/.test(d.dataType);
        const value = d.dataType === 'Boolean' ? input.value === 'true' : numeric ? Number(input.value) : input.value;
        parameters.push({ name: d.name, value, objectType: d.scope, ...(d.pkg ? { package: d.pkg } : {}) });
      }
      const allowed = anyWorker.checked ? [] : [...wBox.querySelectorAll('input:checked')].map((i) => i.value);
      start.disabled = true;
      try {
        const r = await api('POST', '/api/v1/executions/batch', { packages: chosen.map((k) => ({ folder: p.folder, project: p.name, package: k })), parameters, retryCount: Number(retry.value || 0), ...(allowed.length ? { workers: allowed } : {}) });
        toast(`Started ${r.executionIds.length} execution(s)`);
        go('/executions');
      } catch (e) { err.replaceChildren(h('div', { class: 'error' }, e.message)); } finally { start.disabled = false; }
    } },
    h('div', { class: 'form' },
      h('div', { class: 'grid' }, h('label', { class: 'field' }, h('span', {}, 'Folder \\ project'), projSel), h('div', { class: 'field' }, h('span', {}, 'Packages'), pkgBox),
        h('label', { class: 'field' }, h('span', {}, 'Retry count'), retry),
        h('div', { class: 'field' }, h('span', {}, 'Workers'), h('label', { class: 'row' }, anyWorker, 'Any enabled worker'), wBox)),
      h('div', { class: 'field' }, h('span', {}, 'Parameters'), paramBox)),
    err, h('div', { class: 'actions', style: 'margin-top:16px' }, h('button', { type: 'button', onclick: () => go('/executions') }, 'Cancel'), start));
    body.replaceChildren(form);
    drawPackages();
  }).catch((e) => body.replaceChildren(h('div', { class: 'error' }, e.message)));
  return { el };
}

render();
