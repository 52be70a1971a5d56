/**
 * A typed client for legacy Iris back ends (Iris v6 to v11, `github.com/kataras/iris/websocket`),
 * for Node and browsers: values are decoded by their type digit, sent typed the same way, and every
 * failure is a {@link LegacyError}.
 */
import WebSocketImpl from 'isomorphic-ws';
import { decode, encode, LegacyError, toBytes, DEFAULT_PREFIX, type LegacyValue, type MessageType } from './protocol.js';

/** A received custom message, next to its decoded value. */
export interface LegacyMessage {
  readonly event: string;
  /** The type digit: 0 string, 1 int, 2 bool, 3 bytes, 4 JSON. */
  readonly type: MessageType;
  /** The payload bytes as received. */
  readonly payload: Uint8Array;
  /** The payload as text. */
  readonly text: string;
}

/** The WebSocket the client needs (the browser's, `ws`'s, or one of your own). */
export interface LegacyWebSocket {
  binaryType: string;
  readonly readyState: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export interface LegacyDialOptions {
  /** The event prefix (Iris `EvtMessagePrefix`); default `'iris-websocket-message:'`. */
  messagePrefix?: string;
  /** WebSocket subprotocols. */
  protocols?: string | string[];
  /** Upgrade request headers (Node only; browsers ignore them). */
  headers?: Record<string, string>;
  /** Rejects with `ERR_LEGACY_TIMEOUT` when the WebSocket is not open after this long (ms); default 10 000. */
  timeout?: number;
  /** Aborts the dial. */
  signal?: AbortSignal;
  /** The WebSocket constructor; default the platform's (`ws` in Node). */
  WebSocket?: new (url: string, protocols?: string | string[], options?: { headers?: Record<string, string> }) => LegacyWebSocket;
}

/** Why the client closed. */
export interface LegacyCloseInfo {
  readonly code: number;
  readonly reason: string;
}

type Handler = (value: LegacyValue | undefined, message: LegacyMessage) => void;
const text = new TextDecoder();

/** An open connection to a legacy Iris websocket server. Get one with {@link dialLegacy}. */
export class LegacyClient {
  private readonly events = new Map<string, Handler[]>();
  private readonly native: Array<(data: string | Uint8Array) => void> = [];
  private readonly closeFns: Array<(info: LegacyCloseInfo) => void> = [];
  private readonly errorFns: Array<(err: LegacyError) => void> = [];
  private closedInfo: LegacyCloseInfo | undefined;
  private closing: Promise<LegacyCloseInfo> | undefined;
  private resolveClose!: (info: LegacyCloseInfo) => void;
  private readonly whenClosed: Promise<LegacyCloseInfo>;
  private readonly waiting = new Set<() => void>();

  /** @internal */
  constructor(private readonly ws: LegacyWebSocket, readonly prefix: string) {
    this.whenClosed = new Promise((r) => (this.resolveClose = r));
    // Frames that arrive before the caller of dialLegacy had a turn to add handlers (the server's
    // welcome) wait for one macrotask, then go out in order.
    let queue: Array<() => void> | undefined = [];
    const later = (fn: () => void) => (queue ? queue.push(fn) : fn());
    ws.onmessage = (ev) => later(() => this.received(ev.data));
    ws.onclose = (ev) => later(() => this.closed(ev.code, ev.reason));
    ws.onerror = () => {};
    setTimeout(() => {
      const q = queue!;
      queue = undefined;
      for (const fn of q) fn();
    }, 0);
  }

  private closed(code: number, reason: string): void {
    this.closedInfo = { code, reason };
    for (const fn of this.closeFns.slice()) this.safely(() => fn(this.closedInfo!));
    for (const fn of [...this.waiting]) fn();
    this.resolveClose(this.closedInfo);
  }

  /** `'open'`, then `'closed'` for good (no reconnection: Iris's client has none either). */
  get state(): 'open' | 'closed' {
    return this.closedInfo ? 'closed' : 'open';
  }

  /**
   * Listens to an event: the handler gets the decoded value (string, number, boolean, bytes, JSON)
   * and the message. Go writes every Go `int` with no payload (`e;1;`): its value is `undefined`.
   * Returns a function that removes the handler.
   * @example
   * client.on('chat', (msg) => console.log(msg));
   */
  on(event: string, handler: Handler): () => void {
    if (typeof event !== 'string') throw new LegacyError('ERR_LEGACY_BAD_EVENT', 'an event name must be a string');
    let list = this.events.get(event);
    if (!list) this.events.set(event, (list = []));
    list.push(handler);
    return () => {
      const l = this.events.get(event);
      const i = l ? l.indexOf(handler) : -1;
      if (i >= 0) l!.splice(i, 1);
    };
  }

  /** Waits for the next message of `event` (rejects with `ERR_LEGACY_CLOSED` if the client closes first, `ERR_LEGACY_TIMEOUT` after `timeout` ms). */
  once(event: string, timeout = 10_000): Promise<{ value: LegacyValue | undefined; message: LegacyMessage }> {
    return new Promise((resolve, reject) => {
      if (this.closedInfo) return reject(new LegacyError('ERR_LEGACY_CLOSED', 'legacy client: closed'));
      const t = setTimeout(() => {
        off();
        reject(new LegacyError('ERR_LEGACY_TIMEOUT', `legacy client: no ${JSON.stringify(event)} within ${timeout} ms`));
      }, timeout);
      let off = () => {};
      const closed = () => {
        clearTimeout(t);
        off();
        reject(new LegacyError('ERR_LEGACY_CLOSED', 'legacy client: closed'));
      };
      const unsubscribe = this.on(event, (value, message) => {
        clearTimeout(t);
        off();
        resolve({ value, message });
      });
      off = () => {
        unsubscribe();
        this.waiting.delete(closed);
      };
      this.waiting.add(closed);
    });
  }

  /** Native messages (frames without the prefix): text frames as strings, binary frames as bytes. */
  onMessage(handler: (data: string | Uint8Array) => void): void {
    this.native.push(handler);
  }

  /** Called once when the connection closes (by either side). */
  onDisconnect(handler: (info: LegacyCloseInfo) => void): void {
    if (this.closedInfo) this.safely(() => handler(this.closedInfo!));
    else this.closeFns.push(handler);
  }

  /** Handler exceptions and unreadable frames. */
  onError(handler: (err: LegacyError) => void): void {
    this.errorFns.push(handler);
  }

  /**
   * Sends a custom message: strings as string, safe integers as int, booleans as bool, bytes as
   * []byte, anything else as JSON. Throws `ERR_LEGACY_CLOSED` when closed, `ERR_LEGACY_UNSUPPORTED_VALUE`
   * for a value with no encoding.
   * @example
   * client.emit('chat', 'hello');
   */
  emit(event: string, value?: unknown): void {
    this.send(encode(event, value, this.prefix));
  }

  /** Sends a native message. */
  emitMessage(data: string | Uint8Array): void {
    this.send(data);
  }

  /** Closes the connection; resolves with the close code and reason. */
  close(code = 1000, reason = ''): Promise<LegacyCloseInfo> {
    if (this.closedInfo) return Promise.resolve(this.closedInfo);
    if (!this.closing) {
      this.closing = this.whenClosed;
      try {
        this.ws.close(code, reason);
      } catch {
        this.ws.close();
      }
    }
    return this.closing;
  }

  private send(frame: string | Uint8Array): void {
    if (this.closedInfo || this.ws.readyState !== 1) throw new LegacyError('ERR_LEGACY_CLOSED', 'legacy client: the connection is not open');
    this.ws.send(frame);
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      const err = new LegacyError('ERR_LEGACY_HANDLER', `legacy client: a handler threw: ${String((e as Error)?.message ?? e)}`, { cause: e });
      for (const f of this.errorFns.slice()) {
        try {
          f(err);
        } catch {
          /* nowhere to go */
        }
      }
    }
  }

  private received(data: unknown): void {
    const isText = typeof data === 'string';
    let bytes: Uint8Array;
    if (isText) bytes = toBytes(data);
    else if (data instanceof ArrayBuffer || data instanceof Uint8Array) bytes = toBytes(data);
    else if (Array.isArray(data)) bytes = toBytes(concat(data as Uint8Array[]));
    else return;
    const d = decode(bytes, { prefix: this.prefix, empty: 'keep' });
    if (d.kind === 'native') {
      const payload = isText ? (data as string) : bytes;
      for (const fn of this.native.slice()) this.safely(() => fn(payload));
      return;
    }
    if (d.kind === 'invalid') {
      const list = d.event === undefined ? undefined : this.events.get(d.event);
      if (d.event !== undefined && !list) return;
      for (const f of this.errorFns.slice()) this.safely(() => f(d.error));
      return;
    }
    const list = this.events.get(d.event);
    if (!list) return;
    const message: LegacyMessage = { event: d.event, type: d.type, payload: d.payload, text: text.decode(d.payload) };
    for (const fn of list.slice()) this.safely(() => fn(d.value, message));
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Connects to a legacy Iris websocket endpoint; resolves once the WebSocket is open (the protocol has
 * no handshake). Rejects with {@link LegacyError} `ERR_LEGACY_CONNECT` or `ERR_LEGACY_TIMEOUT`.
 * @example
 * const client = await dialLegacy('ws://localhost:8080/echo');
 * client.on('chat', (msg) => console.log(msg));
 * client.emit('chat', 'hello');
 */
export function dialLegacy(url: string, options: LegacyDialOptions = {}): Promise<LegacyClient> {
  const Ctor = options.WebSocket ?? (WebSocketImpl as unknown as NonNullable<LegacyDialOptions['WebSocket']>);
  const prefix = options.messagePrefix || DEFAULT_PREFIX;
  return new Promise((resolve, reject) => {
    let ws: LegacyWebSocket;
    try {
      ws = options.headers ? new Ctor(url, options.protocols, { headers: options.headers }) : options.protocols ? new Ctor(url, options.protocols) : new Ctor(url);
    } catch (e) {
      return reject(new LegacyError('ERR_LEGACY_CONNECT', `legacy client: cannot connect to ${url}: ${String((e as Error)?.message ?? e)}`, { cause: e }));
    }
    ws.binaryType = 'arraybuffer';
    const fail = (err: LegacyError) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      ws.onopen = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch {
        /* not open */
      }
      reject(err);
    };
    const timeout = options.timeout ?? 10_000;
    const timer = setTimeout(() => fail(new LegacyError('ERR_LEGACY_TIMEOUT', `legacy client: ${url} did not open within ${timeout} ms`)), timeout);
    const abort = () => fail(new LegacyError('ERR_LEGACY_CONNECT', `legacy client: dial of ${url} aborted`, { cause: options.signal?.reason }));
    if (options.signal?.aborted) return abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    ws.onerror = (ev) => fail(new LegacyError('ERR_LEGACY_CONNECT', `legacy client: cannot connect to ${url}: ${String((ev as { message?: string })?.message ?? 'WebSocket error')}`));
    ws.onclose = (ev) => fail(new LegacyError('ERR_LEGACY_CONNECT', `legacy client: ${url} closed before opening (${ev.code})`));
    ws.onopen = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      resolve(new LegacyClient(ws, prefix));
    };
  });
}
