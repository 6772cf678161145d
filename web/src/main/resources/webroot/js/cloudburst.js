/**
 * Cloudburst browser client: a plain ES module, no build step, served by every node at
 * /js/cloudburst.js.
 *
 *   import { Cloudburst } from '/js/cloudburst.js';
 *   const cb = new Cloudburst();                      // this page's node; or new Cloudburst('http://host:8080', { token })
 *   await cb.registerFunction('sq', 'python', 'def sq(cloudburst, x):\n    return x * x\n');
 *   (await cb.invoke('sq', [3])).result;              // 9, over HTTP (fetch)
 *   const { id } = await cb.invoke('sq', [4], { wait: false });
 *   (await cb.future(id)).result;                     // 16, over the WebSocket /v1/futures
 *   const stop = await cb.watchKey('k', v => console.log(v.value));  // over the SockJS event-bus bridge
 *
 * Calls answer the result JSON of the API ({id, status, result | error, ...}); a failed call is
 * such a result with status 'failed'. Requests that fail before a call exists (a bad body, an
 * unknown function) throw a CloudburstError with the API's error code.
 */

const BUS_SCRIPTS = [
  ['vendor/sockjs-client-1.6.1/sockjs.min.js', () => globalThis.SockJS],
  ['vendor/vertx-eventbus-1.0.0/vertx-eventbus.js', () => globalThis.EventBus],
];

/** The public event-bus addresses (the README's "Event-bus bridges"). */
export const Addresses = Object.freeze({
  invoke: 'cloudburst.api.invoke',
  calls: 'cloudburst.api.calls',
  results: id => 'cloudburst.api.results.' + id,
  keys: key => 'cloudburst.api.keys.' + key,
});

export class CloudburstError extends Error {
  constructor(code, message, httpStatus, body) {
    super(message);
    this.name = 'CloudburstError';
    this.code = code;
    this.httpStatus = httpStatus;
    this.body = body;
  }
}

export class Cloudburst {
  #futures = null;              // the shared WebSocket of /v1/futures, opened on first use
  #waiting = new Map();         // call id -> [resolve functions] waiting on the WebSocket
  #bus = null;                  // a promise of the vert.x EventBus over SockJS, opened on first use
  #listeners = new Map();       // bus address -> Set of callbacks

  /**
   * @param {string} base the node's URL (default: this page's origin)
   * @param {{token?: string}} options the API token, when the node requires one
   */
  constructor(base = globalThis.location?.origin, { token } = {}) {
    this.base = String(base).replace(/\/+$/, '');
    this.token = token || null;
    /** Called with the error frames of the event-bus bridge (e.g. access_denied). */
    this.onBusError = err => console.warn('cloudburst event bus:', err);
  }

  // ---- HTTP ----

  async request(method, path, body) {
    const headers = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = 'Bearer ' + this.token;
    const res = await fetch(this.base + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      throw new CloudburstError('BAD_RESPONSE', `HTTP ${res.status}: ${text.slice(0, 200)}`, res.status, text);
    }
    // A finished call is an answer even when it failed: its status says so.
    if (res.ok || (json && typeof json.status === 'string' && json.id)) return json;
    const err = json && json.error ? json.error : { code: 'HTTP_' + res.status, message: text };
    throw new CloudburstError(err.code, err.message, res.status, json);
  }

  health() { return this.request('GET', '/health'); }
  status() { return this.request('GET', '/v1/status'); }

  functions() { return this.request('GET', '/v1/functions'); }
  getFunction(name, version) {
    return this.request('GET', '/v1/functions/' + enc(name) + (version ? '?version=' + version : ''));
  }
  versions(name) { return this.request('GET', '/v1/functions/' + enc(name) + '/versions'); }
  registerFunction(name, language, source, entrypoint) {
    const body = { name, language, source };
    if (entrypoint) body.entrypoint = entrypoint;
    return this.request('POST', '/v1/functions', body);
  }
  deleteFunction(name) { return this.request('DELETE', '/v1/functions/' + enc(name)); }

  dags() { return this.request('GET', '/v1/dags'); }
  getDag(name) { return this.request('GET', '/v1/dags/' + enc(name)); }
  registerDag(name, functions, connections = []) { return this.request('POST', '/v1/dags', { name, functions, connections }); }
  deleteDag(name) { return this.request('DELETE', '/v1/dags/' + enc(name)); }

  /** Calls a function; options: wait (default true), timeout_ms, version, await_refs_ms, request_id. */
  invoke(name, args = [], options = {}) {
    return this.request('POST', '/v1/functions/' + enc(name) + '/invoke', { args, ...options });
  }
  /** Calls a DAG with {fn: [args]}; options: consistency, wait, timeout_ms, output_key, client_id. */
  invokeDag(name, args = {}, options = {}) {
    return this.request('POST', '/v1/dags/' + enc(name) + '/invoke', { args, ...options });
  }
  result(id) { return this.request('GET', '/v1/results/' + enc(id)); }

  /** Stores a value; lattice: 'lww' (default), 'set', 'counter', 'causal', 'multi_causal'. */
  put(key, value, lattice) {
    const body = { value };
    if (lattice) body.lattice = lattice;
    return this.request('PUT', '/v1/kvs/' + enc(key), body);
  }
  /** {key, lattice, value}, or null when the key is absent. */
  async get(key) {
    try {
      return await this.request('GET', '/v1/kvs/' + enc(key));
    } catch (e) {
      if (e instanceof CloudburstError && e.code === 'KEY_NOT_FOUND') return null;
      throw e;
    }
  }
  deleteKey(key) { return this.request('DELETE', '/v1/kvs/' + enc(key)); }

  // ---- futures over the WebSocket /v1/futures ----

  /** A promise of the call's result JSON, over the WebSocket; resolves at once if it already finished. */
  future(id) {
    return new Promise(resolve => {
      const first = !this.#waiting.has(id);
      if (first) this.#waiting.set(id, []);
      this.#waiting.get(id).push(resolve);
      if (first) this.#futuresSend(id);
    });
  }

  #futuresSend(id) {
    const ws = this.#futuresSocket();
    const frame = JSON.stringify({ subscribe: id });
    if (ws.readyState === WebSocket.OPEN) ws.send(frame);
    else ws.addEventListener('open', () => ws.send(frame), { once: true });
  }

  #futuresSocket() {
    if (this.#futures && this.#futures.readyState <= WebSocket.OPEN) return this.#futures;
    const url = new URL(this.base + '/v1/futures');
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (this.token) url.searchParams.set('token', this.token);
    const ws = new WebSocket(url);
    ws.onmessage = e => {
      let msg;
      try { msg = JSON.parse(e.data); } catch { return; }
      if (!msg.id) { this.onBusError(msg.error || msg); return; }
      const resolvers = this.#waiting.get(msg.id) || [];
      this.#waiting.delete(msg.id);
      resolvers.forEach(r => r(msg));
    };
    // Calls still awaited when the socket drops are asked for again on a new one.
    ws.onclose = () => {
      if (this.#futures === ws && this.#waiting.size > 0) {
        setTimeout(() => { for (const id of this.#waiting.keys()) this.#futuresSend(id); }, 1000);
      }
    };
    this.#futures = ws;
    return ws;
  }

  // ---- the SockJS event-bus bridge ----

  /** The vert.x EventBus over SockJS, loading the vendored client scripts on first use. */
  eventBus() {
    if (!this.#bus) {
      this.#bus = (async () => {
        for (const [path, loaded] of BUS_SCRIPTS) await loadScript(this.base + '/' + path, loaded);
        const url = this.base + '/eventbus' + (this.token ? '?token=' + encodeURIComponent(this.token) : '');
        const eb = new globalThis.EventBus(url, { vertxbus_reconnect_delay_max: 5000 });
        eb.enableReconnect(true);
        eb.onerror = err => this.onBusError(err);
        // The bus client forgets its handlers on reconnect: register ours again.
        eb.onreconnect = () => { for (const address of this.#listeners.keys()) this.#busRegister(eb, address); };
        await new Promise((resolve, reject) => {
          eb.onopen = resolve;
          eb.onclose = () => reject(new CloudburstError('DISCONNECTED', 'the event bus at ' + url + ' closed'));
        });
        eb.onopen = null;
        eb.onclose = null;
        return eb;
      })();
      this.#bus.catch(() => { this.#bus = null; });
    }
    return this.#bus;
  }

  #busRegister(eb, address) {
    eb.registerHandler(address, (err, msg) => {
      if (err) { this.onBusError(err); return; }
      for (const callback of this.#listeners.get(address) || []) callback(msg.body);
    });
  }

  /** Listens on a public bus address; resolves to a function that stops listening. */
  async listen(address, callback) {
    const eb = await this.eventBus();
    let set = this.#listeners.get(address);
    if (!set) {
      set = new Set();
      this.#listeners.set(address, set);
      this.#busRegister(eb, address);
    }
    set.add(callback);
    return () => {
      set.delete(callback);
      if (set.size === 0 && this.#listeners.get(address) === set) {
        this.#listeners.delete(address);
        if (eb.state === globalThis.EventBus.OPEN) {
          // One bus handler per address: unregister them all, so the bridge drops the address.
          for (const h of [...(eb.handlers[address] || [])]) eb.unregisterHandler(address, h);
        }
      }
    };
  }

  /**
   * Watches a key of the store: callback({key, lattice, value}) now and each time its merged
   * value changes (lattice and value null while absent; {key, error} if it cannot be watched).
   */
  watchKey(key, callback) { return this.listen(Addresses.keys(key), callback); }

  /** Every finished call of the node: {id, function, status, duration_us, executor, at, error?, logs?}; the recent ones first. */
  onCalls(callback) { return this.listen(Addresses.calls, callback); }

  /** A promise of the call's result JSON, over the event bus. */
  async busResult(id) {
    let stop;
    const result = new Promise(resolve => {
      stop = this.listen(Addresses.results(id), body => resolve(body));
    });
    const value = await result;
    (await stop)();
    return value;
  }

  /** Calls a function ({function: name}) or a DAG ({dag: name}) over the event bus: {function, args, wait?, timeout_ms?, ...}. */
  async busInvoke(request) {
    const eb = await this.eventBus();
    return new Promise((resolve, reject) => {
      eb.send(Addresses.invoke, request, {}, (err, msg) => {
        if (err) reject(new CloudburstError(String(err.failureCode ?? 'BUS_ERROR'), err.message || String(err.failureType)));
        else resolve(msg.body);
      });
    });
  }

  /** Closes the WebSocket and the event bus. */
  async close() {
    if (this.#futures) this.#futures.close();
    this.#futures = null;
    if (this.#bus) {
      const eb = await this.#bus.catch(() => null);
      this.#bus = null;
      if (eb) eb.close();
    }
  }
}

function enc(s) { return encodeURIComponent(s); }

/** Loads a classic script once (the vendored UMD builds set globals). */
function loadScript(src, loaded) {
  if (loaded()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = () => (loaded() ? resolve() : reject(new Error(src + ' defined nothing')));
    s.onerror = () => reject(new Error('could not load ' + src));
    document.head.appendChild(s);
  });
}
