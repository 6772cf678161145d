// The node's dashboard: executors (polled every second), functions and DAGs (polled every few
// seconds), live invocations (the cloudburst.api.calls stream over the SockJS bridge), and a
// form to upload and call a function. Plain DOM, no framework, no build step.
import { Cloudburst } from './cloudburst.js';

const STATUS_EVERY_MS = 1000;
const REGISTRY_EVERY_MS = 5000;
const MAX_CALL_ROWS = 200;
const TEMPLATES = {
  python: name => `def ${name}(cloudburst, who):\n    print("greeting", who)\n    return "hello " + who\n`,
  javascript: name => `function ${name}(cloudburst, who) {\n  console.log("greeting", who);\n  return "hello " + who;\n}\n`,
};

const params = new URLSearchParams(location.search);
if (params.get('token')) sessionStorage.setItem('cloudburst.token', params.get('token'));
const cb = new Cloudburst(location.origin, { token: sessionStorage.getItem('cloudburst.token') || undefined });

const state = {
  dags: new Map(),        // name -> {functions, connections}
  stats: new Map(),       // function or DAG name -> {calls, lastError}
  selected: null,
};

const $ = sel => document.querySelector(sel);

/** el('td', {class: 'x'}, 'text', child...): strings become text nodes, never HTML. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c !== undefined && c !== null && c !== false) node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : String(c));
  return node;
}

function bytes(n) {
  if (n < 1024) return n + ' B';
  if (n < 1 << 20) return (n / 1024).toFixed(1) + ' KiB';
  return (n / (1 << 20)).toFixed(1) + ' MiB';
}

function duration(us) {
  if (us === undefined || us === null) return '';
  if (us < 1000) return us + ' µs';
  if (us < 1e6) return (us / 1000).toFixed(1) + ' ms';
  return (us / 1e6).toFixed(2) + ' s';
}

/**
 * The line of an error message that names the error: a Python traceback names it on its last line
 * ("ZeroDivisionError: division by zero"), a JS stack and any other message on its first.
 */
function errorLine(s) {
  const lines = String(s ?? '').split('\n').map(l => l.trim()).filter(Boolean);
  if (!lines.length) return '';
  return lines[0].startsWith('Traceback (most recent call last)') ? lines[lines.length - 1] : lines[0];
}

/** "CODE: the error's line", with the whole message one click away. */
function errorSummary(err) {
  if (!err) return '';
  const line = `${err.code}: ${errorLine(err.message)}`;
  const full = String(err.message ?? '');
  if (!full.includes('\n')) return line;
  return el('details', { class: 'error-detail' }, el('summary', { title: 'show the whole message' }, line), el('pre', {}, full));
}

function stat(name) {
  let s = state.stats.get(name);
  if (!s) state.stats.set(name, (s = { calls: 0, lastError: null }));
  return s;
}

// ---- executors ----

async function pollStatus() {
  try {
    renderStatus(await cb.status());
  } catch (e) {
    $('#node').textContent = 'node unreachable: ' + e.message;
  } finally {
    setTimeout(pollStatus, STATUS_EVERY_MS);
  }
}

function renderStatus(s) {
  $('#node').textContent = `node ${s.node} · ${s.runtime_mode} mode`;
  $('#status-at').textContent = 'as of ' + new Date(s.at || Date.now()).toLocaleTimeString();
  const rows = [];
  const caches = [];
  for (const n of s.nodes || []) {
    for (const e of n.executors || []) {
      const load = e.threads ? Math.min(1, e.busy / e.threads) : 0;
      const warm = e.warm || [];
      rows.push(el('tr', { 'data-executor': e.address },
        el('td', {}, n.id),
        el('td', { class: 'mono' }, e.address),
        el('td', {}, el('span', { class: 'bar', title: `${e.busy} of ${e.threads} threads busy` },
          el('span', { style: `width:${Math.round(load * 100)}%` })), el('span', { class: 'bar-label' }, `${e.busy}/${e.threads}`)),
        el('td', {}, e.queued),
        el('td', {}, e.in_flight),
        el('td', {}, el('span', { class: 'warm-count' }, String(warm.length)), ' ',
          warm.slice(0, 6).map(w => el('span', { class: 'chip' }, w.split(':')[0])),
          warm.length > 6 ? el('span', { class: 'muted small' }, ` +${warm.length - 6}`) : null)));
    }
    const c = n.cache || {};
    const rate = c.hit_rate === null || c.hit_rate === undefined ? 'no reads yet' : (c.hit_rate * 100).toFixed(1) + '% hits';
    caches.push(el('span', { class: 'chip', 'data-cache': n.id },
      `${n.id} cache: ${c.keys ?? 0} keys, ${bytes(c.bytes ?? 0)}, ${rate} (${c.hits ?? 0} hits, ${c.misses ?? 0} misses)`));
  }
  if (rows.length === 0) rows.push(el('tr', {}, el('td', { colspan: 6, class: 'muted' }, 'no executor has reported yet')));
  $('#executors tbody').replaceChildren(...rows);
  $('#caches').replaceChildren(...caches);
}

// ---- functions and DAGs ----

async function refreshRegistry() {
  try {
    const [functions, dags] = await Promise.all([cb.functions(), cb.dags()]);
    renderFunctions(functions);
    renderDags(dags);
  } catch (e) {
    console.warn('registry', e);
  }
}

function pollRegistry() {
  refreshRegistry().finally(() => setTimeout(pollRegistry, REGISTRY_EVERY_MS));
}

function renderFunctions(functions) {
  functions.sort((a, b) => a.name.localeCompare(b.name));
  const rows = functions.map(f => {
    const s = stat(f.name);
    return el('tr', { 'data-name': f.name, class: f.name === state.selected ? 'selected' : null, onclick: () => select(f.name) },
      el('td', {}, el('strong', {}, f.name)),
      el('td', {}, f.language),
      el('td', {}, 'v' + f.version),
      el('td', { class: 'calls' }, s.calls),
      el('td', { class: 'error-text' }, errorSummary(s.lastError)));
  });
  $('#functions tbody').replaceChildren(...rows);
  $('#functions-empty').hidden = rows.length > 0;
}

async function select(name) {
  state.selected = name;
  for (const tr of document.querySelectorAll('#functions tbody tr')) tr.classList.toggle('selected', tr.dataset.name === name);
  try {
    const [f, versions] = await Promise.all([cb.getFunction(name), cb.versions(name)]);
    if (state.selected !== name) return;
    $('#fd-title').textContent = `${f.name} · v${f.version} · ${f.language} · entrypoint ${f.entrypoint}`;
    $('#fd-versions').replaceChildren(...versions.map(v => el('span', {
      class: 'chip' + (v.version === f.version ? ' current' : ''),
      title: v.created_at ? new Date(v.created_at).toLocaleString() : '',
    }, 'v' + v.version)));
    $('#fd-source').textContent = f.source;
    const err = stat(name).lastError;
    $('#fd-error').hidden = !err;
    $('#fd-error').textContent = err ? `last error, call ${err.id}: ${err.code}\n${err.message}` : '';
    $('#function-detail').hidden = false;
  } catch (e) {
    $('#fd-title').textContent = `${name}: ${e.message}`;
    $('#function-detail').hidden = false;
  }
}

function renderDags(dags) {
  const seen = new Set();
  for (const d of dags) {
    seen.add(d.name);
    const known = state.dags.get(d.name);
    const same = known && JSON.stringify(known) === JSON.stringify({ functions: d.functions, connections: d.connections });
    if (same) continue;
    state.dags.set(d.name, { functions: d.functions, connections: d.connections });
    const box = el('div', { class: 'dag', id: 'dag-' + d.name, 'data-name': d.name },
      el('h3', {}, d.name, el('span', { class: 'pill dag-status' }, 'no call yet')),
      drawDag(d));
    const old = document.getElementById('dag-' + d.name);
    if (old) old.replaceWith(box);
    else $('#dags').append(box);
  }
  for (const name of [...state.dags.keys()]) {
    if (!seen.has(name)) {
      state.dags.delete(name);
      document.getElementById('dag-' + name)?.remove();
    }
  }
  $('#dags-empty').hidden = state.dags.size > 0;
}

/** A layered drawing: each function in the column of its longest path from a source. */
function drawDag(d) {
  const W = 130, H = 32, GAP_X = 50, GAP_Y = 18, PAD = 8;
  const preds = new Map(d.functions.map(f => [f, []]));
  const succs = new Map(d.functions.map(f => [f, []]));
  for (const [from, to] of d.connections) {
    succs.get(from)?.push(to);
    preds.get(to)?.push(from);
  }
  const layer = new Map();
  const indegree = new Map(d.functions.map(f => [f, preds.get(f).length]));
  const queue = d.functions.filter(f => indegree.get(f) === 0);
  queue.forEach(f => layer.set(f, 0));
  while (queue.length) {
    const f = queue.shift();
    for (const t of succs.get(f)) {
      layer.set(t, Math.max(layer.get(t) ?? 0, layer.get(f) + 1));
      indegree.set(t, indegree.get(t) - 1);
      if (indegree.get(t) === 0) queue.push(t);
    }
  }
  const columns = [];
  for (const f of d.functions) (columns[layer.get(f) ?? 0] ??= []).push(f);
  const pos = new Map();
  columns.forEach((col, i) => col.forEach((f, j) => pos.set(f, { x: PAD + i * (W + GAP_X), y: PAD + j * (H + GAP_Y) })));
  const width = PAD * 2 + columns.length * W + (columns.length - 1) * GAP_X;
  const height = PAD * 2 + Math.max(...columns.map(c => c.length)) * (H + GAP_Y) - GAP_Y;
  const id = 'arrow-' + d.name.replace(/[^A-Za-z0-9_-]/g, '_');
  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'DAG ' + d.name },
    svg('defs', {}, svg('marker', { id, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      svg('path', { d: 'M 0 0 L 10 5 L 0 10 z' }))));
  for (const [from, to] of d.connections) {
    const a = pos.get(from), b = pos.get(to);
    if (!a || !b) continue;
    const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2, mid = (x1 + x2) / 2;
    root.append(svg('path', { d: `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`, 'marker-end': `url(#${id})` }));
  }
  for (const f of d.functions) {
    const p = pos.get(f);
    const kind = preds.get(f).length === 0 ? 'source' : succs.get(f).length === 0 ? 'sink' : '';
    const label = f.length > 16 ? f.slice(0, 15) + '…' : f;
    root.append(svg('g', { 'data-function': f },
      svg('rect', { x: p.x, y: p.y, width: W, height: H, rx: 6, class: kind }),
      svg('text', { x: p.x + W / 2, y: p.y + H / 2 + 4, 'text-anchor': 'middle' }, label),
      svg('title', {}, f)));
  }
  return root;
}

// ---- live invocations ----

function callRow(c) {
  const detail = [];
  if (c.error) detail.push(el('div', { class: 'error-text' }, `${c.error.code}: ${errorLine(c.error.message)}`));
  const more = [c.error && c.error.message, c.logs].filter(Boolean).join('\n');
  if (more) detail.push(el('details', {}, el('summary', {}, c.logs ? 'logs' : 'details'), el('pre', {}, more)));
  return el('tr', { 'data-id': c.id, 'data-function': c.function, 'data-status': c.status },
    el('td', { class: 'mono' }, new Date(c.at || Date.now()).toLocaleTimeString()),
    el('td', { class: 'mono' }, c.id),
    el('td', {}, c.function, state.dags.has(c.function) ? el('span', { class: 'muted small' }, ' (DAG)') : null),
    el('td', {}, el('span', { class: 'pill ' + c.status }, c.status)),
    el('td', {}, duration(c.duration_us)),
    el('td', {}, detail));
}

function showCall(c) {
  const tbody = $('#calls tbody');
  const row = callRow(c);
  const old = tbody.querySelector(`tr[data-id="${CSS.escape(c.id)}"]`);
  const seenFinished = old && old.dataset.status !== 'pending';
  if (old) {
    if (seenFinished && c.status === 'pending') return; // it finished before our own row went in
    old.replaceWith(row);
  } else {
    tbody.prepend(row);
    while (tbody.rows.length > MAX_CALL_ROWS) tbody.deleteRow(-1);
  }
  $('#calls-empty').hidden = true;
  if (c.status === 'pending' || seenFinished) return;
  countCall(c.function, c);
  // A DAG's result names only the DAG: a DAG call that finished done ran each of its functions
  // once. (A failed one ran some of them, which its summary does not say: it counts for the DAG only.)
  const known = state.dags.get(c.function);
  if (known && c.status === 'done') {
    for (const f of new Set(known.functions)) countCall(f, c);
  }
  const dag = document.getElementById('dag-' + c.function);
  if (dag) {
    const pill = dag.querySelector('.dag-status');
    pill.className = 'pill dag-status ' + c.status;
    pill.textContent = `${c.status} in ${duration(c.duration_us)}`;
    dag.classList.remove('flash-done', 'flash-failed');
    void dag.offsetWidth; // restart the transition
    dag.classList.add('flash-' + c.status);
    setTimeout(() => dag.classList.remove('flash-' + c.status), 1500);
  }
}

/** One more finished call of function (or DAG) {@code name}; {@code c} its summary. */
function countCall(name, c) {
  const s = stat(name);
  s.calls++;
  if (c.status === 'failed') s.lastError = { id: c.id, ...c.error };
  const fnRow = document.querySelector(`#functions tr[data-name="${CSS.escape(name)}"]`);
  if (fnRow) {
    fnRow.querySelector('.calls').textContent = s.calls;
    fnRow.lastElementChild.replaceChildren(errorSummary(s.lastError));
  }
}

async function liveCalls() {
  const pill = $('#bus-state');
  try {
    await cb.onCalls(showCall);
    pill.textContent = 'live view: connected';
    pill.className = 'pill up';
  } catch (e) {
    pill.textContent = 'live view: unavailable (' + e.message + ')';
    pill.className = 'pill down';
    setTimeout(liveCalls, 5000);
  }
}

// ---- upload and call ----

function setupForms() {
  const name = $('#fn-name'), language = $('#fn-language'), source = $('#fn-source');
  const template = () => TEMPLATES[language.value](name.value || 'hello');
  let lastTemplate = template();
  source.value = lastTemplate;
  const retemplate = () => {
    // Only while the source is still the untouched template.
    if (source.value === lastTemplate) source.value = lastTemplate = template();
  };
  language.addEventListener('change', retemplate);
  name.addEventListener('input', retemplate);

  $('#upload').addEventListener('submit', async e => {
    e.preventDefault();
    const status = $('#fn-register-status');
    const button = $('#fn-register');
    button.disabled = true;
    status.className = 'muted';
    status.textContent = 'registering…';
    try {
      const r = await cb.registerFunction(name.value, language.value, source.value, $('#fn-entrypoint').value || undefined);
      status.className = '';
      status.textContent = `registered ${r.name} version ${r.version}`;
      await refreshRegistry();
      select(r.name);
    } catch (err) {
      status.className = 'error-text';
      status.textContent = `${err.code || 'ERROR'}: ${err.message}`;
    } finally {
      button.disabled = false;
    }
  });

  $('#call').addEventListener('submit', async e => {
    e.preventDefault();
    const out = $('#call-result');
    const button = $('#call-invoke');
    out.hidden = false;
    out.className = 'code';
    let args;
    try {
      args = JSON.parse($('#call-args').value || '[]');
      if (!Array.isArray(args)) throw new Error('the arguments must be a JSON array, e.g. [1, "two"]');
    } catch (err) {
      out.className = 'error';
      out.textContent = 'BAD_REQUEST: ' + err.message;
      return;
    }
    button.disabled = true;
    out.textContent = `calling ${name.value}…`;
    try {
      // Started without waiting, then awaited as a future over the WebSocket.
      const started = await cb.invoke(name.value, args, { wait: false });
      showCall({ id: started.id, function: started.function || name.value, status: 'pending', at: Date.now() });
      out.textContent = `call ${started.id}: pending…`;
      const r = await cb.future(started.id);
      showResult(out, r);
    } catch (err) {
      out.className = 'error';
      out.textContent = `${err.code || 'ERROR'}: ${err.message}`;
    } finally {
      button.disabled = false;
    }
  });
}

function showResult(out, r) {
  if (r.status === 'done') {
    out.className = 'code';
    out.textContent = `call ${r.id}: done in ${duration(r.duration_us)}\nresult: ${JSON.stringify(r.result, null, 2)}`
      + (r.logs ? `\nlogs:\n${r.logs}` : '');
  } else {
    out.className = 'error';
    out.textContent = `call ${r.id}: ${r.status}\n${r.error ? r.error.code + ': ' + r.error.message : ''}`
      + (r.logs ? `\nlogs:\n${r.logs}` : '');
  }
  out.dataset.status = r.status;
}

setupForms();
pollStatus();
// The DAGs first: the recent calls the live view replays count for the functions of their DAGs.
refreshRegistry().finally(() => {
  setTimeout(pollRegistry, REGISTRY_EVERY_MS);
  liveCalls();
});
