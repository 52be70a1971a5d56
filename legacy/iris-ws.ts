/**
 * The browser script a {@link LegacyServer} serves at `/iris-ws.js`: a global `Ws` class with the API
 * of the script Iris v6 to v11 served (`new Ws(url)`, `OnConnect`, `OnDisconnect`, `On`, `OnMessage`,
 * `Emit`, `EmitMessage`, `Disconnect`), written for neffos-ts, so pages written for Iris keep working
 * unchanged. It sends what Iris's script sends, with two fixes (`Emit(e, true)` goes as a bool, and
 * `Emit(e, null)` no longer throws), and reads only frames that start with the prefix as events. Handlers
 * get the payload text, undecoded, as with Iris. The table is in docs/legacy.md.
 */
import { DEFAULT_PREFIX } from './protocol.js';

/** The `Ws` class the served script defines (for TypeScript pages that use the global). */
export interface IrisWs {
  /** The underlying browser WebSocket. */
  readonly conn: WebSocket;
  /** True once the WebSocket is open. */
  readonly isReady: boolean;
  /** Called when the WebSocket opens (at once when it already is). */
  OnConnect(fn: () => void): void;
  /** Called when the WebSocket closes. */
  OnDisconnect(fn: () => void): void;
  /** Called with every native message (a frame without the prefix). */
  OnMessage(fn: (data: string | ArrayBuffer) => void): void;
  /** Called with the payload text of each message for `event`. */
  On(event: string, fn: (message: string) => void): void;
  /** Sends a custom message: numbers and numeric strings as int, booleans as bool, objects as JSON, the rest as string. */
  Emit(event: string, data?: unknown): void;
  /** Sends a native message. */
  EmitMessage(data: string | ArrayBuffer | Blob | ArrayBufferView): void;
  /** Closes the WebSocket. */
  Disconnect(): void;
}

/** `new Ws(url, protocols?)` */
export type IrisWsConstructor = new (endpoint: string, protocols?: string | string[]) => IrisWs;

// The script, as plain ES2015 for any browser; `__PREFIX__` is replaced by the JSON of the prefix.
const SOURCE = `/* iris-ws.js, served by neffos-ts/legacy: the Ws client of the legacy Iris websocket protocol. */
(function (root) {
  "use strict";
  var PREFIX = __PREFIX__;
  var SEP = ";";
  function isNumeric(v) {
    // Iris's isNumber: a string or number that coerces to a number (not "", not false, not null).
    return v !== null && v !== "" && v !== false && v !== true && typeof v !== "object" && !isNaN(v - 0);
  }
  function encode(event, data) {
    var t = 0, m = "";
    if (typeof data === "boolean" || data instanceof Boolean) { t = 2; m = String(data.valueOf()); }
    else if ((typeof data === "number" || typeof data === "string") && isNumeric(data)) { t = 1; m = String(data); }
    else if (typeof data === "string" || data instanceof String) { t = 0; m = String(data); }
    else if (data !== null && typeof data === "object") { t = 4; m = JSON.stringify(data); }
    else if (data === null) { t = 4; m = "null"; }
    else if (typeof data !== "undefined") { t = 0; m = ""; console.warn("Ws.Emit: unsupported type of data (" + typeof data + "), sent without a payload"); }
    return PREFIX + event + SEP + t + SEP + m;
  }
  function Ws(endpoint, protocols) {
    if (!(this instanceof Ws)) return new Ws(endpoint, protocols);
    this.connectListeners = [];
    this.disconnectListeners = [];
    this.nativeMessageListeners = [];
    this.messageListeners = new Map();
    this.isReady = false;
    if (typeof WebSocket === "undefined") return;
    var url = String(endpoint);
    if (!/^[a-z][a-z0-9+.-]*:\\/\\//i.test(url)) {
      url = (typeof location !== "undefined" && location.protocol === "https:" ? "wss://" : "ws://") + url;
    }
    var self = this;
    this.conn = protocols != null && protocols.length > 0 ? new WebSocket(url, protocols) : new WebSocket(url);
    this.conn.binaryType = "arraybuffer";
    this.conn.onopen = function () {
      self.isReady = true;
      self.fire(self.connectListeners, []);
    };
    this.conn.onclose = function () {
      self.isReady = false;
      self.fire(self.disconnectListeners, []);
    };
    this.conn.onmessage = function (evt) {
      self.messageReceivedFromConn(evt);
    };
  }
  Ws.prototype.fire = function (list, args) {
    list = list.slice();
    for (var i = 0; i < list.length; i++) {
      try { list[i].apply(this, args); } catch (e) { setTimeout(function () { throw e; }); }
    }
  };
  Ws.prototype.messageReceivedFromConn = function (evt) {
    var data = evt.data;
    var text = typeof data === "string" ? data : (typeof TextDecoder !== "undefined" ? new TextDecoder().decode(data) : "");
    if (text.lastIndexOf(PREFIX, 0) === 0) {
      var rest = text.substring(PREFIX.length);
      var sep = rest.indexOf(SEP);
      if (sep > 0) {
        var list = this.messageListeners.get(rest.substring(0, sep));
        if (list) this.fire(list, [rest.substring(sep + 3)]);
        return;
      }
    }
    this.fire(this.nativeMessageListeners, [data]);
  };
  Ws.prototype.OnConnect = function (fn) {
    if (this.isReady) fn();
    this.connectListeners.push(fn);
  };
  Ws.prototype.OnDisconnect = function (fn) { this.disconnectListeners.push(fn); };
  Ws.prototype.OnMessage = function (fn) { this.nativeMessageListeners.push(fn); };
  Ws.prototype.On = function (event, fn) {
    var key = String(event);
    var list = this.messageListeners.get(key);
    if (!list) this.messageListeners.set(key, (list = []));
    list.push(fn);
  };
  Ws.prototype.EmitMessage = function (data) { this.conn.send(data); };
  Ws.prototype.Emit = function (event, data) { this.EmitMessage(encode(String(event), data)); };
  Ws.prototype.Disconnect = function () { this.conn.close(); };
  root.Ws = Ws;
})(typeof globalThis !== "undefined" ? globalThis : typeof self !== "undefined" ? self : this);
`;

/** The browser script for `prefix` (what the server serves at `clientSourcePath`). */
export function irisWsSource(prefix: string = DEFAULT_PREFIX): string {
  // JSON of the prefix, with `<` escaped so the script can also be inlined in a <script> element.
  const literal = JSON.stringify(prefix || DEFAULT_PREFIX).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return SOURCE.replace('__PREFIX__', () => literal);
}
