// The Cloudburst prelude: evaluated in every JavaScript context before user code. It converts
// values at the executor edge (JSON text with $bytes markers; Uint8Array for bytes) and wraps
// the host library object as the `cloudburst` argument. It returns its helpers as an object, so
// the executor keeps references that user code cannot rebind.
(function () {
  // Held here, at load: user code that replaces JSON.stringify, Number.isFinite or Array.from cannot change how
  // values are encoded.
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const finite = Number.isFinite;
  const arrayFrom = Array.from;
  const SetType = Set;
  const MapType = Map;
  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const LOOKUP = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64.length; i++) LOOKUP[B64.charCodeAt(i)] = i;

  function b64encode(bytes) {
    let out = "";
    let i = 0;
    for (; i + 2 < bytes.length; i += 3) {
      const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
    }
    if (i < bytes.length) {
      const n = (bytes[i] << 16) | ((i + 1 < bytes.length ? bytes[i + 1] : 0) << 8);
      out += B64[n >> 18] + B64[(n >> 12) & 63] + (i + 1 < bytes.length ? B64[(n >> 6) & 63] : "=") + "=";
    }
    return out;
  }

  function b64decode(s) {
    const clean = s.replace(/=+$/, "");
    const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
    let bits = 0, acc = 0, o = 0;
    for (let i = 0; i < clean.length; i++) {
      const c = clean.charCodeAt(i);
      const v = c < 128 ? LOOKUP[c] : -1;
      if (v < 0) throw new TypeError("invalid base64");
      acc = (acc << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[o++] = (acc >> bits) & 255;
      }
    }
    return out;
  }

  class CloudburstError extends Error {
    constructor(code, message) {
      super(code + ": " + message);
      this.name = "CloudburstError";
      this.code = code;
    }
  }

  function replacer(key, v) {
    if (v instanceof Uint8Array) return { $bytes: b64encode(v) };
    if (v instanceof ArrayBuffer) return { $bytes: b64encode(new Uint8Array(v)) };
    if (typeof v === "number" && !finite(v)) throw new TypeError("cannot return a non-finite number: " + v);
    if (typeof v === "bigint") throw new TypeError("cannot return a BigInt");
    return v;
  }

  function reviver(key, v) {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1) {
        if (keys[0] === "$bytes") return b64decode(v.$bytes);
        if (keys[0] === "$pickle") {
          throw new TypeError("a Python-private (pickled) value cannot be passed to a JavaScript function");
        }
      }
    }
    return v;
  }

  const encode = (v) => stringify(v === undefined ? null : v, replacer);
  const decode = (text) => parse(text, reviver);

  // A function's result must be a Cloudburst value: JSON would drop a function or a Symbol
  // silently (or make {} of a Map), so those are refused by name; a Set becomes a list.
  class NotAValue {
    constructor(type) {
      this.type = type;
    }
  }

  function resultReplacer(key, v) {
    const t = typeof v;
    if (t === "function" || t === "symbol" || t === "bigint") throw new NotAValue(t === "bigint" ? "BigInt" : t === "symbol" ? "Symbol" : "function");
    if (v instanceof SetType) return arrayFrom(v);
    if (v instanceof MapType) throw new NotAValue("Map");
    return replacer(key, v);
  }

  function reply(text) {
    if (text.startsWith('{"$error"')) {
      const e = parse(text).$error;
      throw new CloudburstError(e.code, e.message);
    }
    return decode(text);
  }

  function makeLib(host) {
    return Object.freeze({
      Error: CloudburstError,
      id: () => host.id(),
      getid: () => host.id(), // the original Cloudburst's name of id()
      get: (key) => {
        if (Array.isArray(key)) return reply(host.getMany(encode(key)));
        const r = host.get(String(key));
        const t = typeof r;
        return t === "string" || t === "number" || t === "boolean" ? r : reply(r[0]);
      },
      put: (key, value) => {
        const t = typeof value;
        const r = t === "string" || t === "boolean" || (t === "number" && finite(value))
          ? host.putPlain(String(key), value)
          : host.put(String(key), encode(value));
        if (r !== true) reply(r[0]);
      },
      call: (name, ...args) => reply(host.call(String(name), encode(args))),
      send: (dest, data) => { reply(host.send(String(dest), encode(data instanceof Uint8Array ? data : utf8(data)))); },
      recv: () => reply(host.recv()),
    });
  }

  // Strings sent as messages are carried as their UTF-8 bytes.
  function utf8(s) {
    const str = unescape(encodeURIComponent(String(s)));
    const out = new Uint8Array(str.length);
    for (let i = 0; i < str.length; i++) out[i] = str.charCodeAt(i);
    return out;
  }

  function run(fn, lib, ...args) {
    const r = fn(lib, ...args);
    if (r === undefined || r === null) return null;
    const t = typeof r;
    if (t === "string" || t === "boolean" || (t === "number" && finite(r))) return r;
    try {
      return [stringify(r, resultReplacer)];
    } catch (e) {
      if (e instanceof NotAValue) return [null, e.type];
      throw e;
    }
  }

  function format(e) {
    if (e instanceof Error) return e.stack || String(e);
    return "uncaught value: " + String(e);
  }

  function lookup(name) {
    return globalThis[name];
  }

  return { decode, makeLib, run, format, lookup };
})();
