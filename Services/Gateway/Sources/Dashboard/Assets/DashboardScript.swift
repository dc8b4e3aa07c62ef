/// The dashboard's script: reads the JSON API with the session cookie and
/// builds every view with DOM calls (text nodes only, never markup from data).
enum DashboardScript {
    static let javascript = ##"""
'use strict';
// The Purser dashboard: one page over the gateway's JSON API. Every piece of
// data reaches the page through textContent or a text node, never as markup.
(() => {
  const $ = (id) => document.getElementById(id);
  // `view` counts the pages drawn: a page whose loads finish after another page replaced it stops there.
  const state = { session: null, tenant: null, currency: '', timer: null, view: 0, providers: null, agents: new Map(), sort: { key: 'handle', dir: 1 }, agentPage: 0 };
  // Rows of the agents table drawn at once: sorting and filtering see every agent, the table shows a page.
  const agentRowsPerPage = 100;

  // ---- Money: exact, as BigInt micro-units.
  function toMicros(text) {
    if (text === undefined || text === null || text === '') return 0n;
    const m = /^(-?)(\d+)(?:\.(\d{1,6}))?$/.exec(String(text).trim());
    if (!m) throw new Error('not an amount: ' + text);
    const value = BigInt(m[2]) * 1000000n + BigInt((m[3] || '').padEnd(6, '0'));
    return m[1] ? -value : value;
  }
  function formatMicros(value) {
    let v = BigInt(value);
    const negative = v < 0n;
    if (negative) v = -v;
    let fraction = (v % 1000000n).toString().padStart(6, '0').replace(/0+$/, '');
    if (fraction.length < 2) fraction = fraction.padEnd(2, '0');
    const whole = (v / 1000000n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return (negative ? '-' : '') + whole + '.' + fraction;
  }
  function moneyNodes(micros) {
    return [formatMicros(micros), el('span', { class: 'cur' }, state.currency)];
  }
  function moneyCell(micros, extra) {
    return el('td', { class: 'num', dataset: { micros: String(micros) } }, ...moneyNodes(micros), extra || null);
  }

  // ---- DOM helpers.
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    setProps(node, props);
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  function svg(tag, props, ...children) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    setProps(node, props);
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  function setProps(node, props) {
    if (!props) return;
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.setAttribute('class', value);
      else if (key === 'text') node.textContent = value;
      else if (key === 'dataset') Object.assign(node.dataset, value);
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
  }
  function replace(node, ...children) {
    node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  }
  function field(labelText, input) {
    return el('label', null, labelText, input);
  }
  function toast(text) {
    const node = $('toast');
    node.textContent = text;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { node.textContent = ''; }, 5000);
  }
  function timeText(us) {
    const n = Number(us || 0);
    if (!n) return '—';
    return new Date(n / 1000).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
  }
  function agoText(us) {
    const n = Number(us || 0);
    if (!n) return 'never';
    const seconds = Math.max(0, Math.round((Date.now() - n / 1000) / 1000));
    if (seconds < 60) return seconds + ' s ago';
    if (seconds < 3600) return Math.round(seconds / 60) + ' min ago';
    if (seconds < 86400) return Math.round(seconds / 3600) + ' h ago';
    return Math.round(seconds / 86400) + ' d ago';
  }
  const statusName = (s) => String(s || '').replace(/^(AGENT|ACCOUNT|ALIAS|WEBHOOK_ENDPOINT|WEBHOOK_DELIVERY)_STATUS_|^(BATCH|HOLD)_STATE_/, '').toLowerCase() || 'unknown';
  const kindName = (k) => String(k || '').replace(/^LEDGER_ENTRY_KIND_/, '').toLowerCase();
  function badge(status) { const s = statusName(status); return el('span', { class: 'badge ' + s }, s); }
  const canWrite = () => state.session && state.session.role === 'admin';

  // ---- The JSON API.
  async function api(verb, path, options = {}) {
    let url = path;
    if (options.query) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(options.query)) {
        if (value !== undefined && value !== null && value !== '') params.append(key, String(value));
      }
      const text = params.toString();
      if (text) url += '?' + text;
    }
    const headers = { Accept: 'application/json' };
    if (verb !== 'GET' && state.session) headers['X-CSRF-Token'] = state.session.csrfToken;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    if (options.idempotent) headers['Idempotency-Key'] = crypto.randomUUID();
    const response = await fetch(url, {
      method: verb, headers, credentials: 'same-origin', cache: 'no-store',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    let doc = null;
    try { doc = await response.json(); } catch (_) { doc = null; }
    if (!response.ok) {
      const error = new Error((doc && doc.detail) || response.statusText || 'request failed');
      error.status = response.status;
      error.reason = doc && doc.reason;
      error.doc = doc;
      if (response.status === 401 && path !== '/v1/dashboard/session') signedOut('Your session ended: sign in again.');
      throw error;
    }
    return doc || {};
  }
  function problemText(error) {
    const reason = error.reason ? ' (' + error.reason + (error.doc && error.doc.field ? ': ' + error.doc.field : '') + ')' : '';
    return error.message + reason;
  }
  // Runs a form's action, showing its refusal next to the form.
  function submitter(form, output, action) {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      output.textContent = '';
      output.className = 'error';
      const button = form.querySelector('button[type=submit]');
      if (button) button.disabled = true;
      try {
        const message = await action();
        if (message) { output.className = 'okmsg'; output.textContent = message; }
      } catch (error) {
        output.className = 'error';
        output.textContent = problemText(error);
      } finally {
        if (button) button.disabled = false;
      }
    });
  }

  // ---- Polling: each page refreshes what it shows every second.
  function poll(refresh) {
    stopPolling();
    let running = false;
    state.timer = setInterval(async () => {
      if (running || document.hidden) return;
      running = true;
      try { await refresh(); } catch (_) { /* the next tick tries again */ } finally { running = false; }
    }, 1000);
  }
  function stopPolling() { if (state.timer) clearInterval(state.timer); state.timer = null; }

  // ---- Session.
  // The overview's two reads that need no tenant id start beside the session's own (a tenant admin or finance
  // session on `#/` is the common first page); the first overview drawn takes them, any other page ignores them.
  let prefetched = null;
  function prefetch(path) {
    return fetch(path, { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' })
      .then((response) => (response.ok ? response.json() : null)).catch(() => null);
  }
  async function boot() {
    $('sign-out').addEventListener('click', signOut);
    window.addEventListener('hashchange', route);
    if (!location.hash || location.hash === '#/') {
      prefetched = { balances: prefetch('/v1/wallet/balances'), denials: prefetch('/v1/wallet/denials?pageSize=10') };
    }
    try {
      // The session answers the tenant (admin, finance) with it; an agent's page reads its currency with its balance.
      state.session = await api('GET', '/v1/dashboard/session');
      state.tenant = state.session.tenant || null;
      state.currency = state.tenant ? state.tenant.currency || '' : '';
    } catch (_) {
      state.session = null;
    }
    route();
  }
  async function loadContext() {
    const s = state.session;
    if (s.role === 'agent') {
      const balance = await api('GET', '/v1/agents/' + encodeURIComponent(s.subject) + '/balance');
      state.currency = balance.currency || '';
      state.tenant = null;
    } else {
      state.tenant = await api('GET', '/v1/tenants/' + encodeURIComponent(s.tenantId));
      state.currency = state.tenant.currency || '';
    }
  }
  function signedOut(message) {
    stopPolling();
    state.session = null;
    state.agents = new Map();
    renderSignIn(message);
  }
  async function signOut() {
    try { await api('DELETE', '/v1/dashboard/session'); } catch (_) { /* the cookie is gone either way */ }
    location.hash = '#/';
    signedOut('Signed out.');
  }
  function renderChrome() {
    const s = state.session;
    const nav = $('nav');
    const current = location.hash || '#/';
    const links = s.role === 'agent'
      ? [['#/', 'My account']]
      : [['#/', 'Overview'], ['#/finance', 'Finance'], ['#/webhooks', 'Webhooks']];
    replace(nav, links.map(([href, text]) => el('a', { href, 'aria-current': (current === href ? 'page' : null) }, text)));
    $('who').textContent = (state.tenant ? state.tenant.name + ' · ' : '') + s.role;
    $('sign-out').hidden = false;
  }
  function renderSignIn(message) {
    state.view += 1;
    stopPolling();
    replace($('nav'));
    $('who').textContent = '';
    $('sign-out').hidden = true;
    const secret = el('input', { id: 'secret', name: 'secret', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
    const output = el('p', { id: 'signin-error', class: 'error', role: 'alert' }, message || '');
    const form = el('form', { id: 'signin-form' },
      field('Secret: a tenant admin or finance key, or an agent secret', secret),
      el('button', { type: 'submit', id: 'signin-submit' }, 'Sign in'), output);
    submitter(form, output, async () => {
      state.session = await api('POST', '/v1/dashboard/session', { body: { secret: secret.value.trim() } });
      secret.value = '';
      await loadContext();
      if (location.hash && location.hash !== '#/') location.hash = '#/'; // the hashchange draws the page
      else route();
    });
    replace($('main'), el('section', { class: 'panel signin' }, el('h1', null, 'Sign in to Purser'), form));
    secret.focus();
  }
  function route() {
    state.view += 1;
    stopPolling();
    if (!state.session) return renderSignIn();
    renderChrome();
    const hash = location.hash || '#/';
    const agent = /^#\/agents\/([0-9a-f-]{36})$/.exec(hash);
    // An agent sees its own page, and its descendants' (the API refuses any other agent: then its own page).
    if (state.session.role === 'agent') {
      return agent && agent[1] !== state.session.subject ? renderAgent(agent[1], state.session.subject) : renderAgent(state.session.subject);
    }
    if (agent) return renderAgent(agent[1]);
    if (hash === '#/finance') return renderFinance();
    if (hash === '#/webhooks') return renderWebhooks();
    return renderOverview();
  }

  // ---- Shared reads.
  async function providers() {
    if (!state.providers) {
      const answer = await api('GET', '/v1/providers', { query: { pageSize: 200 } });
      state.providers = new Map((answer.providers || []).map((p) => [p.id, p]));
    }
    return state.providers;
  }
  async function loadAgents() {
    const t = state.session.tenantId;
    const agents = new Map();
    let token = '';
    do {
      const page = await api('GET', '/v1/tenants/' + encodeURIComponent(t) + '/agents', { query: { pageSize: 500, pageToken: token } });
      for (const a of page.agents || []) agents.set(a.id, a);
      token = page.nextPageToken || '';
    } while (token);
    state.agents = agents;
    return agents;
  }
  async function tenantDailyCap() {
    const t = state.session.tenantId;
    try {
      const versions = await api('GET', '/v1/tenants/' + encodeURIComponent(t) + '/policy-versions', { query: { pageSize: 1 } });
      const latest = (versions.versions || [])[0];
      if (!latest) return null;
      const doc = JSON.parse(latest.documentJson || '{}');
      const daily = (doc.limits || []).filter((l) => l.interval === 'daily' && !(l.categories && l.categories.length));
      if (!daily.length) return null;
      return daily.map((l) => toMicros(l.amount)).reduce((a, b) => (a < b ? a : b));
    } catch (_) {
      return null;
    }
  }
  function meter(spent, cap) {
    if (cap === null || cap === undefined || cap <= 0n) return null;
    const ratio = Number((spent * 1000n) / cap) / 10;
    return el('div', { class: 'meter' + (spent > cap ? ' over' : ''), role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': '100',
      'aria-valuenow': String(Math.min(100, Math.max(0, ratio))), 'aria-label': 'share of the cap spent' },
    el('span', { style: null, dataset: { width: String(Math.min(100, Math.max(0, ratio))) } }));
  }
  // Widths are set from script (no inline style attribute under the CSP).
  function sizeMeters(root) {
    for (const span of root.querySelectorAll('.meter > span')) span.style.width = span.dataset.width + '%';
  }

  // ---- Denials.
  function denialsTable(denials, withAgent) {
    if (!denials.length) return el('p', { class: 'muted' }, 'No refused spend yet.');
    return el('table', { id: 'denials-table' },
      el('thead', null, el('tr', null, el('th', null, 'When'), withAgent ? el('th', null, 'Agent') : null, el('th', null, 'Reason'),
        el('th', null, 'Rule'), el('th', { class: 'num' }, 'Amount'))),
      el('tbody', null, denials.map((d) => el('tr', { dataset: { reason: d.reason } },
        el('td', null, timeText(d.createdAtUs)),
        withAgent ? el('td', null, (state.agents.get(d.agentId) || {}).handle || d.agentId) : null,
        el('td', { class: 'reason' }, d.reason),
        el('td', { class: 'rule' }, d.rule || '—', d.headroom !== undefined ? el('div', { class: 'muted' }, 'headroom ', ...moneyNodes(toMicros(d.headroom))) : null),
        moneyCell(toMicros(d.amount))))));
  }

  // ---- Tenant overview.
  async function renderOverview() {
    const main = $('main');
    const cards = el('div', { class: 'grid', id: 'overview-cards' });
    const filter = el('input', { id: 'agent-filter', type: 'search', placeholder: 'handle or name' });
    const status = el('select', { id: 'status-filter' }, ['all', 'active', 'suspended', 'revoked'].map((s) => el('option', { value: s }, s)));
    const tableHolder = el('div', { id: 'agents-holder' });
    const denials = el('div', { id: 'denials' });
    const side = el('div');
    replace(main,
      el('h1', null, state.tenant ? state.tenant.name : 'Tenant'),
      cards,
      el('div', { class: 'cols' },
        el('section', { class: 'panel', 'aria-labelledby': 'agents-title' },
          el('h2', { id: 'agents-title' }, 'Agents'),
          el('div', { class: 'toolbar' }, field('Filter agents', filter), field('Status', status)),
          tableHolder),
        side));
    if (canWrite()) side.append(...adminForms());
    side.append(el('section', { class: 'panel', 'aria-labelledby': 'denials-title' }, el('h2', { id: 'denials-title' }, 'Latest denials'), denials));
    let balances = null;
    let cap = null;
    const draw = () => {
      if (balances) drawAgents(tableHolder, balances, cap, filter.value.trim().toLowerCase(), status.value);
    };
    filter.addEventListener('input', () => { state.agentPage = 0; draw(); });
    status.addEventListener('change', () => { state.agentPage = 0; draw(); });
    tableHolder.addEventListener('click', (event) => {
      const turn = event.target.closest('button[data-page]');
      if (turn) {
        state.agentPage = Number(turn.dataset.page);
        draw();
        const again = tableHolder.querySelector('#' + turn.id);
        if (again && !again.disabled) again.focus();
        return;
      }
      const button = event.target.closest('button[data-sort]');
      if (!button) return;
      const key = button.dataset.sort;
      state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : 1 };
      draw();
      const again = tableHolder.querySelector('button[data-sort="' + key + '"]');
      if (again) again.focus();
    });
    let agentsLoadedAt = 0;
    const early = prefetched;
    prefetched = null;
    const refresh = async (full) => {
      const wantAgents = full || Date.now() - agentsLoadedAt > 15000;
      const taken = (promise, read) => (full && promise ? promise : Promise.resolve(null)).then((answer) => answer || read());
      const [b, , d, c] = await Promise.all([
        taken(early && early.balances, () => api('GET', '/v1/wallet/balances')),
        wantAgents ? loadAgents() : null,
        taken(early && early.denials, () => api('GET', '/v1/wallet/denials', { query: { pageSize: 10 } })),
        full ? tenantDailyCap() : cap,
      ]);
      if (wantAgents) agentsLoadedAt = Date.now();
      if ((b.agents || []).some((row) => !state.agents.has(row.agentId))) await loadAgents();
      balances = b;
      cap = c;
      state.currency = b.currency || state.currency;
      drawCards(cards, b, cap);
      draw();
      replace(denials, denialsTable(d.denials || [], true));
      updateAllocateOptions();
    };
    const view = state.view;
    await refresh(true);
    if (view !== state.view) return;
    performance.mark('purser-overview-rendered');
    poll(() => refresh(false));
  }
  function drawCards(cards, b, cap) {
    const card = (id, label, micros, sub) => el('div', { class: 'card', id },
      el('div', { class: 'label' }, label), el('div', { class: 'value' }, ...moneyNodes(micros)), sub ? el('div', { class: 'sub' }, sub) : null);
    replace(cards,
      card('card-treasury', 'Treasury (unallocated)', toMicros(b.treasuryBalance)),
      card('card-funded', 'Funded in all', toMicros(b.funded)),
      card('card-held', 'Held by agents', toMicros(b.totalHeld)),
      card('card-today', 'Spend today (UTC)', toMicros(b.spentToday), cap !== null ? 'per-agent daily cap ' + formatMicros(cap) + ' ' + state.currency : 'no tenant daily cap'),
      card('card-week', 'Spend this week', toMicros(b.spentWeek)),
      card('card-month', 'Spend this month', toMicros(b.spentMonth)));
  }
  function drawAgents(holder, balances, cap, text, status) {
    // Every agent of the tenant; one that was never allocated anything has no account yet.
    const accounts = new Map((balances.agents || []).map((row) => [row.agentId, row]));
    const all = [...state.agents.values()].map((agent) => {
      const row = accounts.get(agent.id) || {};
      return {
        id: agent.id, handle: agent.handle || agent.id, name: agent.displayName || '', status: statusName(agent.status),
        balance: toMicros(row.balance), held: toMicros(row.held), available: toMicros(row.available),
        today: toMicros(row.spentToday), last: Number(row.lastActivityAtUs || agent.createdAtUs || 0),
      };
    });
    let rows = all;
    if (text) rows = rows.filter((r) => r.handle.toLowerCase().includes(text) || r.name.toLowerCase().includes(text));
    if (status !== 'all') rows = rows.filter((r) => r.status === status);
    const { key, dir } = state.sort;
    rows.sort((a, b) => {
      const x = a[key], y = b[key];
      if (typeof x === 'bigint' || typeof x === 'number') return (x < y ? -1 : x > y ? 1 : 0) * dir;
      return x < y ? -dir : x > y ? dir : 0;
    });
    const pages = Math.max(1, Math.ceil(rows.length / agentRowsPerPage));
    state.agentPage = Math.min(state.agentPage, pages - 1);
    const first = state.agentPage * agentRowsPerPage;
    const shown = rows.slice(first, first + agentRowsPerPage);
    const head = (label, sortKey, numeric, optional) => {
      const sorted = state.sort.key === sortKey ? (state.sort.dir > 0 ? 'ascending' : 'descending') : 'none';
      return el('th', { class: (numeric ? 'num' : '') + (optional ? ' opt' : ''), 'aria-sort': sorted, scope: 'col' },
        el('button', { type: 'button', dataset: { sort: sortKey } }, label, sorted === 'none' ? '' : sorted === 'ascending' ? ' ▲' : ' ▼'));
    };
    const table = el('table', { id: 'agents-table', class: 'wide' },
      el('caption', { class: 'muted' }, rows.length + ' of ' + all.length + ' agents' + (pages > 1 ? ', ' + (first + 1) + '–' + (first + shown.length) + ' shown' : '')),
      el('thead', null, el('tr', null, head('Agent', 'handle'), head('Status', 'status'), head('Balance', 'balance', true, true),
        head('Held', 'held', true, true), head('Available', 'available', true), head('Today / daily cap', 'today', true),
        head('Last activity', 'last', false, true))),
      el('tbody', null, shown.map((r) => el('tr', { dataset: { agentId: r.id, handle: r.handle } },
        el('td', null, el('a', { href: '#/agents/' + r.id, class: 'handle' }, r.handle), r.name ? el('div', { class: 'muted name' }, r.name) : null),
        el('td', null, badge(r.status)),
        moneyCell(r.balance), moneyCell(r.held), moneyCell(r.available),
        el('td', { class: 'num today', dataset: { micros: String(r.today) } }, ...moneyNodes(r.today), meter(r.today, cap)),
        el('td', { class: 'opt' }, agoText(r.last))))));
    for (const cell of table.querySelectorAll('tbody tr td:nth-child(3), tbody tr td:nth-child(4)')) cell.classList.add('opt');
    const pager = pages > 1 ? el('div', { class: 'pager' },
      el('button', { type: 'button', class: 'secondary', id: 'agents-previous', disabled: state.agentPage === 0, dataset: { page: String(state.agentPage - 1) } }, 'Previous'),
      el('span', { class: 'muted' }, 'page ' + (state.agentPage + 1) + ' of ' + pages),
      el('button', { type: 'button', class: 'secondary', id: 'agents-next', disabled: state.agentPage >= pages - 1, dataset: { page: String(state.agentPage + 1) } }, 'Next')) : null;
    replace(holder, table, pager);
    sizeMeters(holder);
  }
  function updateAllocateOptions() {
    const select = $('allocate-agent');
    if (!select) return;
    const chosen = select.value;
    const agents = [...state.agents.values()].filter((a) => statusName(a.status) === 'active').sort((a, b) => a.handle.localeCompare(b.handle));
    if (select.options.length === agents.length && [...select.options].every((o, i) => o.value === agents[i].id)) return;
    replace(select, agents.map((a) => el('option', { value: a.id }, a.handle)));
    if (chosen) select.value = chosen;
  }
  function adminForms() {
    const t = state.session.tenantId;
    // Create an agent.
    const handle = el('input', { id: 'create-handle', required: true, autocomplete: 'off' });
    const name = el('input', { id: 'create-name', autocomplete: 'off' });
    const created = el('div', { id: 'create-result', role: 'status' });
    const createOut = el('p', { class: 'error', role: 'alert' });
    const create = el('form', { id: 'create-form', class: 'inline' }, field('Handle', handle), field('Display name', name),
      el('button', { type: 'submit' }, 'Create agent'), createOut);
    submitter(create, createOut, async () => {
      const answer = await api('POST', '/v1/tenants/' + encodeURIComponent(t) + '/agents', { body: { handle: handle.value.trim(), displayName: name.value } });
      state.agents.set(answer.agent.id, answer.agent);
      replace(created, secretBox('Secret of ' + answer.agent.handle + ' (shown once)', answer.secret, 'new-agent-secret'));
      handle.value = '';
      name.value = '';
      updateAllocateOptions();
      return 'Created ' + answer.agent.handle + '.';
    });
    // Fund the treasury.
    const amount = el('input', { id: 'fund-amount', required: true, inputmode: 'decimal', pattern: '\\d+(\\.\\d{1,6})?', autocomplete: 'off' });
    const reference = el('input', { id: 'fund-reference', required: true, autocomplete: 'off' });
    const fundOut = el('p', { class: 'error', role: 'alert' });
    const fund = el('form', { id: 'fund-form', class: 'inline' }, field('Amount', amount), field('External reference', reference),
      el('button', { type: 'submit' }, 'Fund'), fundOut);
    submitter(fund, fundOut, async () => {
      const answer = await api('POST', '/v1/wallet/fund', { idempotent: true, body: { amount: amount.value.trim(), externalReference: reference.value.trim() } });
      amount.value = '';
      reference.value = '';
      return 'Funded ' + formatMicros(toMicros(answer.amount)) + ' ' + state.currency + '.';
    });
    // Allocate to an agent.
    const agent = el('select', { id: 'allocate-agent', required: true });
    const allocation = el('input', { id: 'allocate-amount', required: true, inputmode: 'decimal', pattern: '\\d+(\\.\\d{1,6})?', autocomplete: 'off' });
    const allocateOut = el('p', { class: 'error', role: 'alert' });
    const allocate = el('form', { id: 'allocate-form', class: 'inline' }, field('Agent', agent), field('Amount', allocation),
      el('button', { type: 'submit' }, 'Allocate'), allocateOut);
    submitter(allocate, allocateOut, async () => {
      const answer = await api('POST', '/v1/wallet/allocate', { idempotent: true, body: { agentId: agent.value, amount: allocation.value.trim() } });
      allocation.value = '';
      return 'Allocated; the agent has ' + formatMicros(toMicros(answer.agentAvailable)) + ' ' + state.currency + ' available.';
    });
    return [
      el('section', { class: 'panel', 'aria-labelledby': 'create-title' }, el('h2', { id: 'create-title' }, 'New agent'), create, created),
      el('section', { class: 'panel', 'aria-labelledby': 'fund-title' }, el('h2', { id: 'fund-title' }, 'Fund the treasury'), fund),
      el('section', { class: 'panel', 'aria-labelledby': 'allocate-title' }, el('h2', { id: 'allocate-title' }, 'Allocate to an agent'), allocate),
    ];
  }
  function secretBox(title, secret, id) {
    const copy = el('button', { type: 'button', class: 'secondary', id: id + '-copy' }, 'Copy');
    copy.addEventListener('click', async () => {
      try { await navigator.clipboard.writeText(secret); toast('Copied.'); } catch (_) { toast('Select the secret and copy it.'); }
    });
    return el('div', null, el('p', null, title), el('div', { class: 'toolbar' }, el('code', { class: 'secret', id }, secret), copy),
      el('p', { class: 'muted' }, 'Store it now: it is not shown again.'));
  }

  // ---- Agent page.
  // `fallbackId`: the page to show instead when this agent cannot be read.
  async function renderAgent(agentId, fallbackId) {
    const t = state.session.tenantId;
    const main = $('main');
    const base = '/v1/tenants/' + encodeURIComponent(t) + '/agents/' + encodeURIComponent(agentId);
    let agent;
    try {
      agent = await api('GET', base);
    } catch (error) {
      if (fallbackId) return renderAgent(fallbackId);
      replace(main, el('h1', null, 'Agent not found'), el('p', { class: 'error', role: 'alert', id: 'agent-error' }, problemText(error)),
        el('p', null, el('a', { href: '#/' }, 'Back to the overview')));
      return;
    }
    const title = el('h1', { id: 'agent-title' });
    const actions = el('div', { class: 'toolbar', id: 'agent-actions' });
    const cards = el('div', { class: 'grid', id: 'agent-cards' });
    const range = el('select', { id: 'chart-range' }, el('option', { value: 'day' }, 'Last 24 hours, by hour'), el('option', { value: 'month' }, 'Last 30 days, by day'));
    const stackBy = el('select', { id: 'chart-stack' }, el('option', { value: 'category' }, 'Category'), el('option', { value: 'provider' }, 'Provider'));
    const chart = el('div', { class: 'chart', id: 'chart' });
    const limits = el('div', { id: 'limits' });
    const kind = el('select', { id: 'entries-kind' }, [['', 'Any kind'], ['LEDGER_ENTRY_KIND_ALLOCATE', 'Allocate'], ['LEDGER_ENTRY_KIND_RECLAIM', 'Reclaim'],
      ['LEDGER_ENTRY_KIND_CAPTURE', 'Capture'], ['LEDGER_ENTRY_KIND_REFUND', 'Refund']].map(([v, l]) => el('option', { value: v }, l)));
    const providerFilter = el('select', { id: 'entries-provider' }, el('option', { value: '' }, 'Any provider'));
    const categoryFilter = el('input', { id: 'entries-category', type: 'search', autocomplete: 'off' });
    const entries = el('div', { id: 'entries' });
    const pager = el('div', { class: 'pager' });
    const holdState = el('select', { id: 'holds-state' }, [['', 'Any state'], ['HOLD_STATE_PENDING', 'Open'], ['HOLD_STATE_CAPTURED', 'Captured'],
      ['HOLD_STATE_VOIDED', 'Voided'], ['HOLD_STATE_EXPIRED', 'Expired']].map(([v, l]) => el('option', { value: v }, l)));
    const holds = el('div', { id: 'holds' });
    const holdsPager = el('div', { class: 'pager' });
    const denials = el('div', { id: 'agent-denials' });
    const policy = el('div', { id: 'policy' });
    const mail = el('div', { id: 'mail' });
    const tree = el('div', { id: 'agent-tree' });
    replace(main, title, actions, cards,
      el('section', { class: 'panel', 'aria-labelledby': 'chart-title' }, el('h2', { id: 'chart-title' }, 'Spend over time'),
        el('div', { class: 'toolbar' }, field('Range', range), field('Stack by', stackBy)), chart),
      el('div', { class: 'cols' },
        el('div', null,
          el('section', { class: 'panel', 'aria-labelledby': 'entries-title' }, el('h2', { id: 'entries-title' }, 'Ledger entries'),
            el('div', { class: 'toolbar' }, field('Kind', kind), field('Provider', providerFilter), field('Category', categoryFilter)), entries, pager),
          el('section', { class: 'panel', 'aria-labelledby': 'holds-title' }, el('h2', { id: 'holds-title' }, 'Holds'),
            el('div', { class: 'toolbar' }, field('State', holdState), el('span', { class: 'muted' }, 'provider and category as above')), holds, holdsPager),
          el('section', { class: 'panel', 'aria-labelledby': 'policy-title' }, el('h2', { id: 'policy-title' }, 'Policy'), policy)),
        el('div', null,
          el('section', { class: 'panel', 'aria-labelledby': 'limits-title' }, el('h2', { id: 'limits-title' }, 'Limits'), limits),
          el('section', { class: 'panel', 'aria-labelledby': 'agent-denials-title' }, el('h2', { id: 'agent-denials-title' }, 'Latest denials'), denials),
          el('section', { class: 'panel', 'aria-labelledby': 'mail-title' }, el('h2', { id: 'mail-title' }, 'Email'), mail),
          el('section', { class: 'panel', 'aria-labelledby': 'tree-title' }, el('h2', { id: 'tree-title' }, 'Sub-agents'), tree))));

    const providerMap = await providers().catch(() => new Map());
    for (const p of providerMap.values()) providerFilter.append(el('option', { value: p.id }, p.slug || p.name || p.id));
    const providerLabel = (id) => { const p = providerMap.get(id); return p ? (p.slug || p.name) : (id || 'none'); };

    const drawHeader = () => {
      replace(title, agent.handle, ' ', badge(agent.status));
      replace(actions, agent.displayName ? el('span', { class: 'muted', id: 'agent-name' }, agent.displayName) : null, canWrite() ? agentActions(agent, base, async () => {
        agent = await api('GET', base);
        drawHeader();
      }) : null);
    };
    drawHeader();

    // Entries: one page at a time, newest first; kind filtered by the ledger, provider and category on the page.
    const pages = [''];
    let pageIndex = 0;
    const loadEntries = async () => {
      const answer = await api('GET', '/v1/wallet/entries', { query: { accountId: agentId, kind: kind.value, pageSize: 20, pageToken: pages[pageIndex] } });
      let rows = answer.entries || [];
      if (providerFilter.value) rows = rows.filter((e) => e.providerId === providerFilter.value);
      const cat = categoryFilter.value.trim().toLowerCase();
      if (cat) rows = rows.filter((e) => (e.category || '').includes(cat));
      replace(entries, rows.length ? el('table', { id: 'entries-table', class: 'wide' },
        el('thead', null, el('tr', null, el('th', null, 'When'), el('th', null, 'Kind'), el('th', { class: 'num' }, 'Amount'),
          el('th', null, 'Provider'), el('th', null, 'Category'), el('th', { class: 'opt' }, 'Description'))),
        el('tbody', null, rows.map((e) => {
          const micros = toMicros(e.amount);
          const outgoing = e.debitAccount === agentId;
          return el('tr', { dataset: { kind: kindName(e.kind) } }, el('td', null, timeText(e.createdAtUs)), el('td', null, kindName(e.kind)),
            moneyCell(outgoing ? -micros : micros), el('td', null, e.providerId ? providerLabel(e.providerId) : '—'),
            el('td', null, e.category || '—'), el('td', { class: 'opt' }, e.description || e.externalReference || ''));
        }))) : el('p', { class: 'muted' }, 'No entries match.'));
      if (answer.nextPageToken) pages[pageIndex + 1] = answer.nextPageToken; else pages.length = pageIndex + 1;
      replace(pager,
        el('button', { type: 'button', class: 'secondary', disabled: pageIndex === 0, onclick: () => { pageIndex -= 1; loadEntries(); } }, 'Newer'),
        el('button', { type: 'button', class: 'secondary', disabled: pages.length <= pageIndex + 1, onclick: () => { pageIndex += 1; loadEntries(); } }, 'Older'));
    };
    // Holds: one page at a time, newest first; state filtered by the ledger, provider and category on the page.
    const holdPages = [''];
    let holdIndex = 0;
    const loadHolds = async () => {
      const answer = await api('GET', '/v1/wallet/holds', { query: { agentId, state: holdState.value, pageSize: 10, pageToken: holdPages[holdIndex] } });
      let rows = answer.holds || [];
      if (providerFilter.value) rows = rows.filter((h) => h.providerId === providerFilter.value);
      const cat = categoryFilter.value.trim().toLowerCase();
      if (cat) rows = rows.filter((h) => (h.category || '').includes(cat));
      replace(holds, rows.length ? el('table', { id: 'holds-table', class: 'wide' },
        el('thead', null, el('tr', null, el('th', null, 'Placed'), el('th', null, 'State'), el('th', { class: 'num' }, 'Amount'),
          el('th', { class: 'num opt' }, 'Captured'), el('th', null, 'Provider'), el('th', null, 'Category'), el('th', { class: 'opt' }, 'Expires'))),
        el('tbody', null, rows.map((h) => el('tr', { dataset: { state: statusName(h.state) } }, el('td', null, timeText(h.createdAtUs)), el('td', null, badge(h.state)),
          moneyCell(toMicros(h.amount)), moneyCell(toMicros(h.captured)), el('td', null, providerLabel(h.providerId)), el('td', null, h.category || '—'),
          el('td', { class: 'opt' }, timeText(h.expiresAtUs)))))) : el('p', { class: 'muted' }, 'No holds match.'));
      for (const cell of holds.querySelectorAll('tbody td:nth-child(4)')) cell.classList.add('opt');
      if (answer.nextPageToken) holdPages[holdIndex + 1] = answer.nextPageToken; else holdPages.length = holdIndex + 1;
      replace(holdsPager,
        el('button', { type: 'button', class: 'secondary', disabled: holdIndex === 0, onclick: () => { holdIndex -= 1; loadHolds(); } }, 'Newer'),
        el('button', { type: 'button', class: 'secondary', disabled: holdPages.length <= holdIndex + 1, onclick: () => { holdIndex += 1; loadHolds(); } }, 'Older'));
    };
    holdState.addEventListener('change', () => { holdPages.length = 1; holdIndex = 0; loadHolds(); });
    for (const control of [kind, providerFilter]) control.addEventListener('change', () => { pages.length = 1; pageIndex = 0; loadEntries(); loadHolds(); });
    categoryFilter.addEventListener('input', () => { loadEntries(); loadHolds(); });

    // Spend (captures less refunds) since the earliest window shown: the chart and the limits read it. The first
    // load reads the whole range; each refresh then reads only the entries from shortly before the newest one seen.
    let spend = [];
    let effective = null;
    const seenEntries = new Set();
    let newestUs = 0;
    const loadSpend = async () => {
      const now = Date.now();
      const today = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate());
      // A transaction stamps its entries when it starts and may commit a little later: look 5 s back (ids dedupe).
      const from = newestUs ? newestUs - 5000000 : Math.min(Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1), today - 29 * 86400000) * 1000;
      for (const k of ['LEDGER_ENTRY_KIND_CAPTURE', 'LEDGER_ENTRY_KIND_REFUND']) {
        let token = '';
        let pagesRead = 0;
        do {
          const page = await api('GET', '/v1/wallet/entries', { query: { accountId: agentId, kind: k, fromUs: from, pageSize: 1000, pageToken: token } });
          for (const e of page.entries || []) {
            if (seenEntries.has(e.entryId)) continue;
            seenEntries.add(e.entryId);
            newestUs = Math.max(newestUs, Number(e.createdAtUs));
            spend.push({ at: Number(e.createdAtUs) / 1000, micros: k.endsWith('REFUND') ? -toMicros(e.amount) : toMicros(e.amount),
              category: e.category || 'uncategorised', provider: providerLabel(e.providerId) });
          }
          token = page.nextPageToken || '';
          pagesRead += 1;
        } while (token && pagesRead < 50);
      }
    };
    const drawChart = () => replace(chart, spendChart(spend, range.value, stackBy.value));
    range.addEventListener('change', drawChart);
    stackBy.addEventListener('change', drawChart);

    const refresh = async (full) => {
      const [balance, , d] = await Promise.all([
        api('GET', '/v1/agents/' + encodeURIComponent(agentId) + '/balance'),
        loadSpend(),
        api('GET', '/v1/wallet/denials', { query: { agentId, pageSize: 10 } }),
        full ? null : loadEntries(),
        full ? null : loadHolds(),
      ]);
      if (full) {
        effective = await api('GET', base + '/policy').catch(() => null);
      }
      const fresh = await api('GET', base).catch(() => agent);
      if (fresh.status !== agent.status) { agent = fresh; drawHeader(); }
      state.currency = balance.currency || state.currency;
      const today = spend.filter((s) => s.at >= windowStart('daily')).reduce((a, s) => a + s.micros, 0n);
      const card = (id, label, micros) => el('div', { class: 'card', id }, el('div', { class: 'label' }, label), el('div', { class: 'value' }, ...moneyNodes(micros)));
      replace(cards, card('agent-balance', 'Balance', toMicros(balance.balance)), card('agent-held', 'Held', toMicros(balance.held)),
        card('agent-available', 'Available', toMicros(balance.available)), card('agent-today', 'Spent today (UTC)', today));
      drawChart();
      replace(limits, limitBars(effective, spend));
      sizeMeters(limits);
      replace(denials, denialsTable(d.denials || [], false));
    };
    const view = state.view;
    await refresh(true);
    await Promise.all([loadEntries(), loadHolds()]);
    if (view !== state.view) return;
    drawPolicy(policy, effective, base, agentId, providerMap, async () => { effective = await api('GET', base + '/policy'); return effective; });
    drawMail(mail, agentId);
    await drawTree(tree, agent);
    performance.mark('purser-agent-rendered');
    poll(() => refresh(false));
  }

  // The agent's place in its tree: who created it, and its descendants as
  // nested lists (parents before children), each with its status and
  // available credits (read for the first 50).
  async function drawTree(node, agent) {
    const agents = '/v1/tenants/' + encodeURIComponent(state.session.tenantId) + '/agents';
    let members = [];
    try {
      const answer = await api('GET', agents, { query: { subtreeOf: agent.id, pageSize: 200 } });
      members = (answer.agents || []).filter((a) => a.id !== agent.id);
    } catch (error) {
      replace(node, el('p', { class: 'error', role: 'alert' }, problemText(error)));
      return;
    }
    const available = new Map();
    await Promise.all(members.slice(0, 50).map(async (a) => {
      const balance = await api('GET', '/v1/agents/' + encodeURIComponent(a.id) + '/balance').catch(() => null);
      if (balance) available.set(a.id, toMicros(balance.available));
    }));
    const children = new Map();
    for (const a of members) {
      const list = children.get(a.parentAgentId) || [];
      list.push(a);
      children.set(a.parentAgentId, list);
    }
    const branch = (parentId) => {
      const kids = children.get(parentId) || [];
      if (!kids.length) return null;
      return el('ul', { class: 'tree' }, kids.map((a) => el('li', { dataset: { agent: a.id, depth: String(a.depth || 0) } },
        el('a', { href: '#/agents/' + encodeURIComponent(a.id) }, a.handle), ' ', badge(a.status),
        available.has(a.id) ? el('span', { class: 'muted' }, ' ', ...moneyNodes(available.get(a.id)), ' available') : null,
        branch(a.id))));
    };
    let parent = null;
    if (agent.parentAgentId) {
      const above = await api('GET', agents + '/' + encodeURIComponent(agent.parentAgentId)).catch(() => null);
      parent = el('p', { id: 'tree-parent' }, 'Created by ', above ? el('a', { href: '#/agents/' + encodeURIComponent(above.id) }, above.handle)
        : el('code', null, agent.parentAgentId), ' (depth ' + (agent.depth || 0) + ').');
    }
    replace(node, parent, members.length ? branch(agent.id) : el('p', { class: 'muted', id: 'tree-empty' }, 'No sub-agents.'));
  }

  function agentActions(agent, base, changed) {
    const act = (label, id, cls) => el('button', { type: 'button', id, class: cls }, label);
    const status = statusName(agent.status);
    const buttons = [];
    const out = el('div', { id: 'action-result', role: 'status' });
    const run = async (question, detail, okLabel, path, body, done) => {
      if (!(await confirmAction(question, detail, okLabel))) return;
      try {
        const answer = await api('POST', base + path, { body });
        await changed();
        if (done) done(answer);
        else toast(okLabel + ': done.');
      } catch (error) {
        toast(problemText(error));
      }
    };
    if (status === 'active') {
      const b = act('Suspend', 'suspend-agent', 'secondary');
      b.addEventListener('click', () => run('Suspend agent “' + agent.handle + '”?', 'Its secret stops authenticating until you resume it.', 'Suspend', '/suspend', {}));
      buttons.push(b);
    }
    if (status === 'suspended') {
      const b = act('Resume', 'resume-agent', 'secondary');
      b.addEventListener('click', () => run('Resume agent “' + agent.handle + '”?', 'Its secret authenticates again.', 'Resume', '/resume', {}));
      buttons.push(b);
    }
    if (status !== 'revoked') {
      const rotate = act('Rotate secret', 'rotate-secret', 'secondary');
      rotate.addEventListener('click', () => run('Rotate the secret of “' + agent.handle + '”?', 'A new secret is made and shown once; the old one stops working.',
        'Rotate', '/rotate-secret', {}, (answer) => replace(out, secretBox('New secret of ' + agent.handle + ' (shown once)', answer.secret, 'rotated-secret'))));
      buttons.push(rotate);
      const revoke = act('Revoke', 'revoke-agent', 'danger');
      revoke.addEventListener('click', () => run('Revoke agent “' + agent.handle + '”?',
        'Its account is frozen, its open holds are voided and every call it makes is refused from now on. This cannot be undone.',
        'Revoke', '/revoke', { reason: 'revoked from the dashboard' }));
      buttons.push(revoke);
    }
    return [...buttons, out];
  }
  function confirmAction(title, text, okLabel) {
    return new Promise((resolve) => {
      const dialog = $('confirm');
      $('confirm-title').textContent = title;
      $('confirm-text').textContent = text;
      $('confirm-ok').textContent = okLabel;
      dialog.returnValue = '';
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
      dialog.showModal();
      $('confirm-cancel').focus();
    });
  }

  // The start (ms) of the current fixed UTC window of `interval`.
  function windowStart(interval) {
    const now = new Date();
    const y = now.getUTCFullYear(), m = now.getUTCMonth(), d = now.getUTCDate();
    switch (interval) {
      case 'hourly': return Date.UTC(y, m, d, now.getUTCHours());
      case 'daily': return Date.UTC(y, m, d);
      case 'weekly': return Date.UTC(y, m, d) - ((now.getUTCDay() + 6) % 7) * 86400000;
      case 'monthly': return Date.UTC(y, m, 1);
      default: return null;
    }
  }
  function limitBars(effective, spend) {
    if (!effective) return el('p', { class: 'muted' }, 'The policy could not be read.');
    const items = [];
    if (effective.perCallMax) {
      items.push(el('div', { class: 'limit' }, el('div', { class: 'row' }, el('span', null, 'Per call'),
        el('span', { class: 'num' }, 'at most ', ...moneyNodes(toMicros(effective.perCallMax.amount)))),
      el('div', { class: 'muted' }, 'from the ' + sourceText(effective.perCallMax.source))));
    }
    for (const limit of effective.limits || []) {
      const start = windowStart(limit.interval);
      const cats = limit.categories || [];
      const cap = toMicros(limit.amount);
      const label = limit.interval + (cats.length ? ' · ' + cats.join(', ') : ' · all spend');
      if (start === null) {
        items.push(el('div', { class: 'limit', dataset: { limit: limit.limitId } }, el('div', { class: 'row' }, el('span', null, label),
          el('span', { class: 'num' }, 'cap ', ...moneyNodes(cap))), el('div', { class: 'muted' }, 'from the ' + sourceText(limit.source))));
        continue;
      }
      const spent = spend.filter((s) => s.at >= start && (!cats.length || cats.includes(s.category))).reduce((a, s) => a + s.micros, 0n);
      const headroom = cap - spent > 0n ? cap - spent : 0n;
      items.push(el('div', { class: 'limit', dataset: { limit: limit.limitId, spent: String(spent), cap: String(cap) } },
        el('div', { class: 'row' }, el('span', null, label), el('span', { class: 'num' }, ...moneyNodes(spent), ' of ', ...moneyNodes(cap))),
        meter(spent, cap),
        el('div', { class: 'row muted' }, el('span', null, 'from the ' + sourceText(limit.source)), el('span', { class: 'num' }, 'headroom ', ...moneyNodes(headroom)))));
    }
    if (!items.length) return el('p', { class: 'muted' }, 'No limits: only the balance bounds spend.');
    return items;
  }
  function sourceText(source) {
    if (!source) return 'policy';
    const level = String(source.level || '').replace('POLICY_LEVEL_', '').toLowerCase();
    const origin = level === 'agent' ? 'agent override'
      : level === 'ancestor' ? 'override of ancestor ' + (source.agentId || '?') : 'tenant default';
    return origin + ' v' + (source.version || '?');
  }

  // A stacked bar chart of spend: hourly over the last 24 h or daily over the last 30 days.
  function spendChart(spend, range, by) {
    const hour = 3600000, day = 86400000;
    const now = Date.now();
    const step = range === 'day' ? hour : day;
    const count = range === 'day' ? 24 : 30;
    const end = range === 'day' ? Math.floor(now / hour) * hour + hour : Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate()) + day;
    const start = end - count * step;
    const buckets = Array.from({ length: count }, () => new Map());
    const keys = new Map();
    for (const s of spend) {
      if (s.at < start || s.at >= end) continue;
      const index = Math.floor((s.at - start) / step);
      const key = by === 'provider' ? s.provider : s.category;
      buckets[index].set(key, (buckets[index].get(key) || 0n) + s.micros);
      keys.set(key, (keys.get(key) || 0n) + s.micros);
    }
    const order = [...keys.keys()].sort();
    const totals = buckets.map((b) => [...b.values()].reduce((a, v) => a + (v > 0n ? v : 0n), 0n));
    const max = totals.reduce((a, v) => (v > a ? v : a), 0n);
    const width = 720, height = 220, left = 56, bottom = 24, top = 10;
    const plotW = width - left - 8, plotH = height - top - bottom;
    const barW = plotW / count;
    const colours = ['--s1', '--s2', '--s3', '--s4', '--s5', '--s6', '--s7'];
    const colourOf = (key) => 'var(' + colours[order.indexOf(key) % colours.length] + ')';
    const label = range === 'day' ? 'Spend per hour over the last 24 hours, stacked by ' + by : 'Spend per day over the last 30 days, stacked by ' + by;
    const root = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': label, id: 'spend-chart' }, svg('title', null, label));
    root.append(svg('line', { class: 'axis', x1: left, y1: top + plotH, x2: width - 8, y2: top + plotH }));
    root.append(svg('text', { x: left - 6, y: top + 8, 'text-anchor': 'end' }, formatMicros(max)));
    root.append(svg('text', { x: left - 6, y: top + plotH, 'text-anchor': 'end' }, '0'));
    buckets.forEach((bucket, i) => {
      let y = top + plotH;
      for (const key of order) {
        const v = bucket.get(key);
        if (!v || v <= 0n || max === 0n) continue;
        const h = Number((v * BigInt(Math.round(plotH * 1000))) / max) / 1000;
        y -= h;
        const at = new Date(start + i * step).toISOString();
        root.append(svg('rect', { class: 'seg', x: (left + i * barW + 1).toFixed(1), y: y.toFixed(1), width: Math.max(1, barW - 2).toFixed(1), height: Math.max(0.5, h).toFixed(1),
          fill: colourOf(key), dataset: { key, micros: String(v), bucket: at } },
        svg('title', null, key + ' · ' + (range === 'day' ? at.slice(11, 16) : at.slice(0, 10)) + ' · ' + formatMicros(v) + ' ' + state.currency)));
      }
      const every = range === 'day' ? 4 : 5;
      if (i % every === 0) {
        const at = new Date(start + i * step).toISOString();
        root.append(svg('text', { x: (left + i * barW + barW / 2).toFixed(1), y: height - 8, 'text-anchor': 'middle' }, range === 'day' ? at.slice(11, 16) : at.slice(5, 10)));
      }
    });
    const legend = el('div', { class: 'legend' }, order.map((key) => {
      const swatch = el('i');
      swatch.style.background = colourOf(key);
      return el('span', null, swatch, key, ' ', formatMicros(keys.get(key)), ' ', state.currency);
    }));
    return [root, order.length ? legend : el('p', { class: 'muted' }, 'No spend in this range.')];
  }

  function drawPolicy(holder, effective, base, agentId, providerMap, reload) {
    const view = el('div', { id: 'policy-view' });
    const show = (e) => {
      if (!e) { replace(view, el('p', { class: 'muted' }, 'No policy could be read.')); return; }
      const rules = [];
      if (e.perCallMax) rules.push(['per call max ' + formatMicros(toMicros(e.perCallMax.amount)) + ' ' + state.currency, e.perCallMax.source]);
      for (const l of e.limits || []) rules.push([l.interval + ' ' + formatMicros(toMicros(l.amount)) + ' ' + state.currency + (l.count && l.count !== '0' ? ', at most ' + l.count + ' calls' : '') + ((l.categories || []).length ? ' on ' + l.categories.join(', ') : ''), l.source]);
      for (const b of e.blockedCategories || []) rules.push(['category ' + b.name + ' blocked', b.source]);
      for (const b of e.blockedProviders || []) rules.push(['provider ' + b.name + ' blocked', b.source]);
      if (e.allowedCategories) rules.push(['only categories ' + (e.allowedCategories.names || []).join(', '), (e.allowedCategories.sources || [])[0]]);
      if (e.allowedProviders) rules.push(['only providers ' + (e.allowedProviders.names || []).join(', '), (e.allowedProviders.sources || [])[0]]);
      replace(view, rules.length ? el('table', { id: 'policy-rules' }, el('thead', null, el('tr', null, el('th', null, 'Rule'), el('th', null, 'Source'))),
        el('tbody', null, rules.map(([text, source]) => el('tr', null, el('td', null, text), el('td', null, sourceText(source))))))
        : el('p', { class: 'muted' }, 'No rules: only the balance bounds spend.'));
    };
    show(effective);
    holder.append(view);
    if (!canWrite()) return;
    const editor = el('textarea', { id: 'policy-editor', spellcheck: 'false' }, (effective && effective.agentDocumentJson) || '{\n  "limits": [{"amount": "10", "interval": "daily"}]\n}');
    const out = el('p', { class: 'error', role: 'alert', id: 'policy-result' });
    const form = el('form', { id: 'policy-form' }, field('Agent override (JSON; amounts as decimal strings)', editor), el('button', { type: 'submit' }, 'Save override'), out);
    submitter(form, out, async () => {
      let parsed;
      try { parsed = JSON.parse(editor.value); } catch (error) { throw Object.assign(new Error('not JSON: ' + error.message), { reason: 'invalid_document' }); }
      await api('PUT', base + '/policy', { body: { documentJson: JSON.stringify(parsed) } });
      show(await reload());
      return 'Saved.';
    });
    const amount = el('input', { id: 'simulate-amount', required: true, inputmode: 'decimal', autocomplete: 'off' });
    const provider = el('select', { id: 'simulate-provider' }, [...providerMap.values()].map((p) => el('option', { value: p.slug }, p.slug)));
    const category = el('input', { id: 'simulate-category', autocomplete: 'off' });
    const result = el('p', { id: 'simulate-result', role: 'status' });
    const simulate = el('form', { id: 'simulate-form', class: 'inline' }, field('Amount', amount), field('Provider', provider), field('Category', category),
      el('button', { type: 'submit' }, 'Simulate this spend'), result);
    submitter(simulate, result, async () => {
      const answer = await api('POST', '/v1/policy/simulate', { body: { tenantId: state.session.tenantId, agentId, amount: amount.value.trim(), provider: provider.value, category: category.value.trim() } });
      if (answer.allowed) return 'Allowed now.';
      const d = answer.denial || {};
      throw Object.assign(new Error('Refused: ' + (d.reason || 'denied') + (d.rule ? ' by ' + d.rule : '') + (d.headroom !== undefined && d.headroom !== '-0.000001' ? ', headroom ' + d.headroom + ' ' + state.currency : '')), {});
    });
    holder.append(el('h3', null, 'Edit'), form, el('h3', null, 'Simulate'), simulate);
  }

  async function drawMail(holder, agentId) {
    const t = state.session.tenantId;
    try {
      const [aliases, messages] = await Promise.all([
        api('GET', '/v1/email/aliases', { query: { tenantId: t, agentId } }),
        api('GET', '/v1/email/messages', { query: { tenantId: t, agentId, pageSize: 20 } }).catch((error) => ({ error })),
      ]);
      const list = aliases.aliases || [];
      const inbox = messages.error ? el('p', { class: 'muted' }, problemText(messages.error))
        : (messages.messages || []).length ? el('table', { id: 'inbox' }, el('thead', null, el('tr', null, el('th', null, 'Received'), el('th', null, 'From'), el('th', null, 'Subject'))),
          el('tbody', null, messages.messages.map((m) => el('tr', null, el('td', null, timeText(m.receivedAtUs)), el('td', null, m.from || m.envelopeFrom || ''), el('td', { class: 'subject' }, m.subject || '')))))
          : el('p', { class: 'muted' }, 'No mail.');
      replace(holder,
        list.length ? el('ul', { id: 'aliases' }, list.map((a) => el('li', null, el('code', null, a.address), ' ', badge(a.status), ' · ', String(a.receivedCount || 0), ' received'))) : el('p', { class: 'muted' }, 'No address.'),
        el('h3', null, 'Inbox'), inbox);
    } catch (error) {
      replace(holder, el('p', { class: 'muted' }, problemText(error)));
    }
  }

  // ---- Finance.
  async function renderFinance() {
    const t = state.session.tenantId;
    const today = new Date();
    const iso = (d) => d.toISOString().slice(0, 10);
    const from = el('input', { id: 'period-from', type: 'date', required: true, value: iso(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1))) });
    const until = el('input', { id: 'period-until', type: 'date', required: true, value: iso(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()))) });
    const out = el('p', { class: 'error', role: 'alert' });
    const form = el('form', { id: 'period-form', class: 'inline' }, field('From (UTC day)', from), field('Through (UTC day)', until), el('button', { type: 'submit' }, 'Show'),
      el('button', { type: 'button', class: 'secondary', id: 'download-csv' }, 'Download CSV'), el('button', { type: 'button', class: 'secondary', id: 'download-json' }, 'Download JSON'), out);
    const totals = el('div', { class: 'grid', id: 'statement-totals' });
    const tables = el('div', { id: 'statement-tables' });
    const batches = el('div', { id: 'batches' });
    const reconciliation = el('div', { id: 'reconciliation' });
    replace($('main'), el('h1', null, 'Finance'),
      el('section', { class: 'panel', 'aria-labelledby': 'statement-title' }, el('h2', { id: 'statement-title' }, 'Statement'), form), totals, tables,
      el('div', { class: 'cols' },
        el('section', { class: 'panel', 'aria-labelledby': 'batches-title' }, el('h2', { id: 'batches-title' }, 'Payout batches'), batches),
        el('section', { class: 'panel', 'aria-labelledby': 'recon-title' }, el('h2', { id: 'recon-title' }, 'Reconciliation'), reconciliation)));
    const period = () => {
      const start = Date.parse(from.value + 'T00:00:00Z');
      const end = Date.parse(until.value + 'T00:00:00Z') + 86400000;
      if (!(start < end)) throw Object.assign(new Error('the period must end after it starts'), { reason: 'period_invalid' });
      return { 'period.startAtUs': start * 1000, 'period.endAtUs': end * 1000 };
    };
    const agentLabel = (id) => (state.agents.get(id) || {}).handle || id;
    const providerMap = await providers().catch(() => new Map());
    if (!state.agents.size) await loadAgents().catch(() => null);
    const providerLabel = (id) => { const p = providerMap.get(id); return p ? (p.slug || p.name) : id; };
    const show = async () => {
      const statement = await api('GET', '/v1/settlement/statements', { query: Object.assign({ tenantId: t }, period()) });
      const sum = (list) => (list || []).reduce((a, x) => ({ capture: a.capture + toMicros(x.capture), refund: a.refund + toMicros(x.refund), net: a.net + toMicros(x.net), count: a.count + Number(x.entryCount || 0) }), { capture: 0n, refund: 0n, net: 0n, count: 0 });
      const all = sum(statement.totals);
      const card = (id, label, micros) => el('div', { class: 'card', id, dataset: { micros: String(micros) } }, el('div', { class: 'label' }, label), el('div', { class: 'value' }, ...moneyNodes(micros)));
      replace(totals, card('statement-captures', 'Captured', all.capture), card('statement-refunds', 'Refunded', all.refund), card('statement-net', 'Net spend', all.net),
        el('div', { class: 'card' }, el('div', { class: 'label' }, 'Entries'), el('div', { class: 'value' }, String(all.count))));
      const table = (id, title, rows, label) => el('section', { class: 'panel', 'aria-labelledby': id + '-title' }, el('h2', { id: id + '-title' }, title),
        (rows || []).length ? el('table', { id }, el('thead', null, el('tr', null, el('th', null, title.replace('By ', '').replace(/^./, (c) => c.toUpperCase())), el('th', { class: 'num' }, 'Captured'), el('th', { class: 'num' }, 'Refunded'), el('th', { class: 'num' }, 'Net'), el('th', { class: 'num' }, 'Entries'))),
          el('tbody', null, rows.map((r) => el('tr', null, el('td', null, label(r.key)), moneyCell(toMicros(r.capture)), moneyCell(toMicros(r.refund)), moneyCell(toMicros(r.net)), el('td', { class: 'num' }, String(r.entryCount || 0))))))
          : el('p', { class: 'muted' }, 'Nothing in this period.'));
      replace(tables, el('div', { class: 'cols' }, table('by-agent', 'By agent', statement.byAgent, agentLabel), table('by-provider', 'By provider', statement.byProvider, providerLabel)),
        el('div', { class: 'cols' }, table('by-category', 'By category', statement.byCategory, (k) => k || 'uncategorised'), table('by-day', 'By day', statement.byDay, (k) => k)));
      const b = await api('GET', '/v1/settlement/batches', { query: { tenantId: t, pageSize: 50 } });
      replace(batches, (b.batches || []).length ? el('table', { id: 'batches-table' }, el('thead', null, el('tr', null, el('th', null, 'Provider'), el('th', null, 'Period'), el('th', null, 'State'), el('th', { class: 'num' }, 'Net'))),
        el('tbody', null, b.batches.map((x) => el('tr', null, el('td', null, providerLabel(x.providerId)), el('td', null, timeText((x.period || {}).startAtUs).slice(0, 10) + ' – ' + timeText((x.period || {}).endAtUs).slice(0, 10)),
          el('td', null, badge(x.state)), moneyCell(toMicros(x.net))))))
        : el('p', { class: 'muted' }, 'No batch yet: settlement runs group captures per provider and period.'));
      const audit = await api('GET', '/v1/wallet/audit', { query: { tenantId: t } });
      replace(reconciliation, el('p', { id: 'audit-state' }, audit.clean ? 'Ledger audit: clean (every balance equals its entries; the tenant sums to zero).' : 'Ledger audit: discrepancies found.'),
        audit.clean ? null : el('ul', null, (audit.discrepancies || []).map((d) => el('li', null, d.check + ' ' + (d.subject || '') + ': expected ' + d.expected + ', found ' + d.actual))),
        el('p', { class: 'muted' }, 'Settled batches: ' + (b.batches || []).filter((x) => statusName(x.state) !== 'open').length + ' of ' + (b.batches || []).length + '.'));
    };
    const download = async (format) => {
      out.textContent = '';
      try {
        const answer = await api('GET', '/v1/settlement/reports', { query: Object.assign({ tenantId: t, kind: 'REPORT_KIND_STATEMENT', format: 'REPORT_FORMAT_' + format }, period()) });
        const bytes = Uint8Array.from(atob(answer.content || ''), (c) => c.charCodeAt(0));
        const blob = new Blob([bytes], { type: answer.contentType || (format === 'CSV' ? 'text/csv' : 'application/json') });
        const link = el('a', { href: URL.createObjectURL(blob), download: answer.fileName || ('statement-' + from.value + '-' + until.value + '.' + format.toLowerCase()) });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(link.href), 10000);
      } catch (error) {
        out.textContent = problemText(error);
      }
    };
    $('download-csv').addEventListener('click', () => download('CSV'));
    $('download-json').addEventListener('click', () => download('JSON'));
    submitter(form, out, async () => { await show(); return ''; });
    try { await show(); } catch (error) { out.textContent = problemText(error); }
    performance.mark('purser-finance-rendered');
  }

  // ---- Webhooks: the tenant's endpoints and their recent deliveries (admin manages, finance reads).
  async function renderWebhooks() {
    const view = state.view;
    const list = el('div', { id: 'webhooks' }, el('p', { class: 'muted' }, 'Loading…'));
    const sections = [el('h1', null, 'Webhooks')];
    if (canWrite()) {
      const url = el('input', { id: 'webhook-url', type: 'url', required: true, autocomplete: 'off', placeholder: 'https://' });
      const events = el('input', { id: 'webhook-events', autocomplete: 'off', placeholder: 'every type' });
      const description = el('input', { id: 'webhook-description', autocomplete: 'off', maxlength: '256' });
      const created = el('div', { id: 'webhook-created', role: 'status' });
      const out = el('p', { class: 'error', role: 'alert' });
      const form = el('form', { id: 'webhook-form', class: 'inline' }, field('URL', url), field('Event types (comma-separated)', events),
        field('Description', description), el('button', { type: 'submit' }, 'Add endpoint'), out);
      submitter(form, out, async () => {
        const eventTypes = events.value.split(',').map((e) => e.trim()).filter((e) => e);
        const answer = await api('POST', '/v1/webhooks', { idempotent: true, body: { url: url.value.trim(), eventTypes, description: description.value } });
        replace(created, secretBox('Signing secret of ' + answer.endpoint.url + ' (shown once)', answer.secret, 'webhook-secret'));
        url.value = ''; events.value = ''; description.value = '';
        await refresh();
        return 'Added.';
      });
      sections.push(el('section', { class: 'panel', 'aria-labelledby': 'webhook-new-title' },
        el('h2', { id: 'webhook-new-title' }, 'New endpoint'), form, created));
    }
    sections.push(list);
    replace($('main'), sections);
    const deliveriesTable = (deliveries) => (deliveries.length
      ? el('table', { class: 'deliveries' },
        el('thead', null, el('tr', null, el('th', null, 'Event'), el('th', null, 'Status'), el('th', { class: 'num' }, 'Attempts'),
          el('th', { class: 'num' }, 'Last HTTP status'), el('th', { class: 'num' }, 'Latency'), el('th', null, 'Created'), canWrite() ? el('th', null, '') : null)),
        el('tbody', null, deliveries.map((d) => {
          const last = (d.attempts || [])[0] || null;
          const redeliver = canWrite() && statusName(d.status) !== 'pending'
            ? el('button', { type: 'button', class: 'secondary redeliver', dataset: { deliveryId: d.id } }, 'Redeliver') : null;
          if (redeliver) {
            redeliver.addEventListener('click', async () => {
              try { await api('POST', '/v1/webhook-deliveries/' + encodeURIComponent(d.id) + '/redeliver', { body: {} }); toast('Queued again.'); await refresh(); }
              catch (error) { toast(problemText(error)); }
            });
          }
          return el('tr', { dataset: { deliveryId: d.id, status: statusName(d.status) } },
            el('td', null, d.eventType || '—'), el('td', null, badge(d.status)), el('td', { class: 'num' }, String(d.attemptCount || 0)),
            el('td', { class: 'num http' }, last ? (last.httpStatus ? String(last.httpStatus) : (last.error || '—')) : '—'),
            el('td', { class: 'num' }, last ? (Number(last.latencyUs || 0) / 1000).toFixed(0) + ' ms' : '—'),
            el('td', null, timeText(d.createdAtUs)), canWrite() ? el('td', null, redeliver) : null);
        })))
      : el('p', { class: 'muted' }, 'No deliveries yet.'));
    const endpointPanel = (endpoint, deliveries) => {
      const status = statusName(endpoint.status);
      let toggle = null;
      if (canWrite()) {
        toggle = el('button', { type: 'button', class: 'secondary toggle' }, status === 'enabled' ? 'Disable' : 'Enable');
        toggle.addEventListener('click', async () => {
          try { await api('PATCH', '/v1/webhooks/' + encodeURIComponent(endpoint.id), { body: { enabled: status !== 'enabled' } }); await refresh(); }
          catch (error) { toast(problemText(error)); }
        });
      }
      const types = endpoint.eventTypes || [];
      return el('section', { class: 'panel webhook', dataset: { endpointId: endpoint.id, status } },
        el('h2', null, el('span', { class: 'url' }, endpoint.url), ' ', badge(endpoint.status)),
        el('p', { class: 'muted' }, 'Events: ', el('span', { class: 'events' }, types.length ? types.join(', ') : 'every type'),
          endpoint.description ? [' · ', el('span', { class: 'description' }, endpoint.description)] : null,
          endpoint.disabledReason ? [' · ', el('span', { class: 'disabled-reason' }, endpoint.disabledReason)] : null),
        toggle, el('h3', null, 'Recent deliveries'), deliveriesTable(deliveries));
    };
    async function refresh() {
      const answer = await api('GET', '/v1/webhooks', { query: { pageSize: 50 } });
      const endpoints = answer.endpoints || [];
      const logs = await Promise.all(endpoints.map((e) =>
        api('GET', '/v1/webhooks/' + encodeURIComponent(e.id) + '/deliveries', { query: { pageSize: 10 } }).then((r) => r.deliveries || [])));
      if (view !== state.view) return;
      replace(list, endpoints.length ? endpoints.map((e, i) => endpointPanel(e, logs[i]))
        : el('p', { class: 'muted', id: 'no-webhooks' }, 'No webhook endpoints yet.'));
    }
    try { await refresh(); } catch (error) { replace(list, el('p', { class: 'muted' }, problemText(error))); }
    if (view === state.view) poll(refresh);
    performance.mark('purser-webhooks-rendered');
  }

  document.addEventListener('DOMContentLoaded', boot);
})();
"""##
}
