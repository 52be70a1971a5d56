import { EventEmitter } from './emitter.js';
import {
  ACK_ID_PREFIX, ACK_REFUSED_PREFIX, ACK_REQUEST, BadNamespaceError, BadRoomError, type Body, ClosedError, createWaitTokenGenerator,
  decode, type DecodeOptions, type Frame, encode, errorFromText, HandshakeRefusedError, HandshakeTimeoutError, type MessageInit,
  NotConnectedError, OnNamespaceConnect, OnNamespaceConnected, OnNamespaceDisconnect, OnNativeMessage, OnRoomJoin, OnRoomLeave,
} from '../protocol/index.js';
import { heartbeat } from './heartbeat.js';
import { backoff, RECONNECT_DEFAULTS } from './backoff.js';
import { onData, openSocket } from './env.js';
import { checkBody } from './guard.js';
import { shared } from './shared.js';
import { NSConn } from './nsconn.js';
import { flush, restore } from './restore.js';
import { serve } from './serve.js';
import { type Done, request } from './request.js';
import type {
  AnyNamespaces, ConnEvents, ConnState, DialOptions, EventMessage, Handler, NamespaceMap, Namespaces,
  ReconnectOptions, RequestOptions, SocketLike,
} from './types.js';

/** Wait tokens: one client-side sequence for every Conn of the page or process. */
const token = createWaitTokenGenerator('client');

export class Conn<N extends NamespaceMap = AnyNamespaces> extends EventEmitter<ConnEvents> {
  /** The connection id the server assigned (`A` + id). Changes after a reconnect. */
  id = '';
  /** The one state; every change emits `state` with `{ oldState, newState }`. */
  state: ConnState = 'connecting';
  /** The attempt number of the last successful reconnection (0 = never reconnected). */
  reconnectTries = 0;
  /** @internal namespace handles: connected ones, and ones to connect again after a reconnect */
  readonly _nss = new Map<string, NSConn<any>>();
  private readonly _h = new Map<string, Map<string, Handler<any, any>>>();
  private readonly _p = new Map<string, Done<EventMessage>>();
  /** waitServerConnect callers, keyed by a fresh object holding the namespace */
  private readonly _w = new Map<{ ns: string }, Done<NSConn<any>>>();
  /** Client-initiated connects in flight, by namespace. */
  private readonly _connecting = new Map<string, Promise<NSConn<any>>>();
  /** The options with their defaults, and the decoder's (`allowNative`, `onlyNative`). */
  private readonly _o: DialOptions & DecodeOptions & { handshakeTimeout: number; requestTimeout: number; maxEarlyBytes: number };
  private readonly _rc: Required<ReconnectOptions> | false;
  /** @internal emits kept while reconnecting */
  _buf: [NSConn<any>, MessageInit][] = [];
  /** @internal the current socket */
  _ws: SocketLike | undefined;
  private _closing?: boolean;
  private _looping?: boolean;
  private _retry: ReturnType<typeof setTimeout> | undefined;
  /** Consecutive failed or short-lived links: reset only after a link stayed up `minUptime` ms. */
  private _failedLinks = 0;
  /** When the current link completed its handshake (ms since the epoch). */
  private _upSince = 0;
  private _wake: (() => void) | undefined;
  private _hb: ReturnType<typeof setInterval> | undefined;
  /** Fails the handshake in progress, if any. */
  private _cancel: ((e: unknown) => void) | undefined;
  /** Stops the current socket's frame delivery (see `onData`). */
  private _stop: (() => void) | undefined;

  /** Use `dial`: it opens the connection and resolves after the handshake. */
  constructor(readonly url: string, namespaces: Namespaces<N>, options: DialOptions = {}) {
    super();
    for (const [name, events] of Object.entries(namespaces)) this._h.set(name, new Map(Object.entries(events as object)));
    const r = options.reconnect ?? true;
    this._rc = r && { ...RECONNECT_DEFAULTS, ...(r as ReconnectOptions) }; // spreading `true` adds nothing
    this._o = {
      handshakeTimeout: 10000, requestTimeout: 30000, maxEarlyBytes: 1048576, ...options,
      onlyNative: options.nativeOnly, allowNative: options.nativeOnly || !!this._h.get('')?.has(OnNativeMessage),
    };
  }

  /** True after a successful reconnection (Go's `WasReconnected`). */
  get wasReconnected(): boolean {
    return this.reconnectTries > 0;
  }

  /** Requests waiting for an answer (asks, connects, joins, leaves, waitServerConnect): for tests and diagnostics. */
  get pendingCount(): number {
    return this._p.size + this._w.size;
  }

  /**
   * Connects namespace `name` (declared in `dial`'s namespaces). Its local
   * `_OnNamespaceConnect` may refuse; the server may refuse (the promise rejects
   * with its error text, e.g. `BadNamespaceError`). Resolves at once when connected.
   */
  async connect<K extends keyof N & string>(name: K, options?: RequestOptions): Promise<NSConn<N[K]>> {
    this._check();
    return this._connectNs(name, options);
  }

  /** Waits until the server connects namespace `name` (server-initiated connect); resolves at once if connected. */
  async waitServerConnect<K extends keyof N & string>(name: K, options: RequestOptions = {}): Promise<NSConn<N[K]>> {
    if (this.state === 'closed') throw new ClosedError();
    if (!this._h.has(name)) throw new BadNamespaceError();
    return this.namespace(name) ?? (request(this._w, { ns: name }, options.timeout ?? this._o.requestTimeout, options.signal) as Promise<NSConn<N[K]>>);
  }

  /** The connected namespace `name`, if any. */
  namespace<K extends keyof N & string>(name: K): NSConn<N[K]> | undefined {
    const ns = this._nss.get(name);
    return ns?.connected ? ns : undefined;
  }

  /**
   * Sends a native frame (no neffos fields) on namespace `""`, which must be
   * connected (or `nativeOnly` set). Bytes go binary, strings as text.
   */
  sendNative(body: Body): boolean {
    checkBody(body, 'sendNative');
    const ns = this._nss.get('');
    if (!ns) throw new BadNamespaceError();
    return this._send(ns, { native: true, body, binary: typeof body !== 'string' });
  }

  /**
   * Closes the connection for good: every namespace is disconnected locally
   * (forced events), everything pending rejects with ClosedError, no reconnect.
   */
  close(): void {
    if (this.state === 'closed') return;
    this._closing = true;
    clearTimeout(this._retry);
    this._wake?.();
    this._cancel?.(new ClosedError());
    if (this._ws) this._detach(this._ws);
    this._cleanup(false, new ClosedError());
    this._finish('client');
  }

  /** @internal opens the first link; `dial` returns this. */
  async _start(): Promise<this> {
    const o = this._o;
    try {
      await this._open(0);
    } catch (e) {
      this.state = 'closed'; // nobody can listen yet: dial rejects
      throw e;
    }
    if (o.heartbeat && !o.nativeOnly) this._hb = heartbeat(this, o.heartbeat, o.heartbeatTimeout || o.heartbeat);
    return this;
  }

  /** @internal the error a user operation on `ns` fails with right now, if any */
  _fail(ns?: NSConn<any>): Error | undefined {
    if (this.state === 'closed') return new ClosedError();
    if (this.state !== 'connected') return new NotConnectedError();
    if (ns && !ns.connected) return new BadNamespaceError();
  }

  /** @internal throws the error of {@link Conn._fail}, or BadRoomError when `badRoom` */
  _check(ns?: NSConn<any>, badRoom?: boolean): void {
    const e = this._fail(ns) ?? (badRoom ? new BadRoomError() : undefined);
    if (e) throw e;
  }

  /** @internal a user emit: write guard, fail fast or buffer while reconnecting */
  _send(ns: NSConn<any>, m: MessageInit): boolean {
    if (this.state === 'reconnecting' && this._nss.get(ns.namespace) === ns && this._buf.length < (this._o.bufferWhileDisconnected ?? 0)) {
      return !!this._buf.push([ns, m]);
    }
    this._check(ns, !!m.room && !ns.room(m.room));
    return this._raw(encode(m));
  }

  /** @internal an answer from a handler: dropped (as in Go) when the namespace or room is gone */
  _reply(ns: NSConn<any>, m: MessageInit): void {
    if (ns.connected && (!m.room || ns.room(m.room))) this._raw(encode(m));
  }

  /** @internal sends `m` with a fresh wait token and waits for the answer (`onAnswer` runs as it is read) */
  _request(m: MessageInit, o: RequestOptions = {}, onAnswer?: (m: EventMessage) => void): Promise<EventMessage> {
    const wait = (m.wait = token()); // callers pass a fresh `m`
    const p = request(this._p, wait, o.timeout ?? this._o.requestTimeout, o.signal, onAnswer);
    const done = this._p.get(wait); // none when the signal was aborted already: then nothing is sent
    if (done && !this._raw(encode(m))) done(new NotConnectedError());
    return p;
  }

  /** @internal writes one frame if the link is open */
  _raw(frame: Frame): boolean {
    const ws = this._ws;
    return ws?.readyState === 1 ? (ws.send(frame), true) : false;
  }

  /** The handle of namespace `name`: the remembered one or a new one; none when `name` is not declared. */
  /** @internal */
  _ns(name: string): NSConn<any> | undefined {
    const h = this._h.get(name);
    return h && (this._nss.get(name) ?? new NSConn(this, name, h));
  }

  /** Connects `ns`; a second call while one is in flight gets the same promise (one request, one NSConn). */
  /** @internal */
  async _connectNs(name: string, o?: RequestOptions, ns = this._ns(name)): Promise<NSConn<any>> {
    if (!ns) throw new BadNamespaceError();
    if (ns.connected) return ns;
    return shared(this._connecting, name, () => this._connectOnce(ns, o));
  }

  /**
   * The local `_OnNamespaceConnect` may refuse; then the server's answer. The namespace is connected as the
   * answer is read, so a message the server sends right after it (a Go `_OnNamespaceConnected` that emits) is delivered.
   */
  private async _connectOnce(ns: NSConn<any>, o?: RequestOptions): Promise<NSConn<any>> {
    await ns._fire(OnNamespaceConnect, ns._msg(OnNamespaceConnect));
    await ns._ask(OnNamespaceConnect, o, '', '', () => this.namespace(ns.namespace) || this._onConnected(ns, ns._msg(OnNamespaceConnected)));
    return this.namespace(ns.namespace) ?? ns;
  }

  /** @internal */
  _onConnected(ns: NSConn<any>, m: EventMessage): void {
    ns.connected = true;
    this._nss.set(ns.namespace, ns);
    ns._call(OnNamespaceConnected, m);
    for (const [k, done] of [...this._w]) if (k.ns === ns.namespace) done(undefined, ns);
  }

  /** Opens a socket and runs the handshake; `attempt` 0 is the first link, others are reconnections. */
  private _open(attempt: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const o = this._o;
      // A throw here (bad URL) rejects the promise.
      const ws = (this._ws = openSocket(this.url, { ...o.headers, ...(attempt && { 'X-Websocket-Reconnect': '' + attempt }) }, o));
      let queue: unknown[] | undefined = [];
      let queued = 0;
      /** The handshake ends: failed with `error`, or accepted with `id` (then the frames that came early are processed). */
      const end = (this._cancel = (error?: unknown, id = '') => {
        clearTimeout(timer);
        this._cancel = undefined;
        const early = queue!;
        queue = undefined;
        if (error) {
          this._detach(ws);
          return reject(error);
        }
        this.id = id;
        if (o.nativeOnly) {
          const ns = this._ns('') ?? new NSConn(this, '', new Map());
          this._onConnected(ns, ns._msg(OnNamespaceConnected));
        }
        this._upSince = Date.now();
        if (!attempt) this._set('connected', { id });
        resolve();
        for (const d of early) this._onFrame(d);
      });
      const timer = setTimeout(end, o.handshakeTimeout, new HandshakeTimeoutError());
      ws.onopen = () => (o.nativeOnly ? end() : ws.send(ACK_REQUEST));
      this._stop = onData(ws, (data) => {
        if (!queue) return this._onFrame(data);
        const ack = typeof data === 'string' && data[0];
        // `A` + id accepts, `H` + text refuses (docs/protocol.md §2); anything else before `A` waits its turn, up to `maxEarlyBytes`.
        if (ack === ACK_ID_PREFIX || ack === ACK_REFUSED_PREFIX) end(ack === ACK_REFUSED_PREFIX && new HandshakeRefusedError((data as string).slice(1)), (data as string).slice(1));
        else if ((queued += (data as string).length ?? (data as ArrayBuffer).byteLength) > o.maxEarlyBytes) {
          end(new ClosedError(`over ${o.maxEarlyBytes} bytes before the ack`));
        } else queue.push(data);
      }, o.pingInterval);
      ws.onclose = (e) => (queue ? end(new ClosedError(`connection closed before the handshake (code ${e.code})`)) : this._lost(ws, e));
    });
  }

  private _onFrame(data: unknown): void {
    const m = decode(data as Frame, this._o) as EventMessage;
    if (m.invalid) return;
    const done = this._p.get(m.wait); // tokens are never empty
    if (done) return done(m.error !== undefined ? errorFromText(m.error) : undefined, m);
    m.isLocal = m.isForced = false;
    const ev = m.event;
    const ns = this._nss.get(m.namespace);
    const on = ns?.connected;
    if (ev === OnNamespaceConnect || ev === OnNamespaceDisconnect || (on && (ev === OnRoomJoin || ev === OnRoomLeave))) {
      if (m.wait && !m.isNoOp) serve(this, m, ns);
    } else if (on) ns!._dispatch(m);
  }

  /** The link dropped after the handshake. */
  /** @internal */
  _lost(ws: SocketLike, e: { code: number; reason: string }): void {
    if (ws !== this._ws) return;
    this._detach(ws);
    this.emit('disconnected', { code: e.code, reason: e.reason });
    const keep = !!this._rc && !this._closing;
    if (keep && Date.now() - this._upSince >= this._rc.minUptime) this._failedLinks = 0;
    this._cleanup(keep, new ClosedError('connection lost'));
    if (!keep) this._finish('remote', e.code);
    else if (!this._looping) void this._reconnect();
  }

  private async _reconnect(): Promise<void> {
    this._looping = true;
    const rc = this._rc as Required<ReconnectOptions>;
    let error: unknown;
    for (let attempt = this._failedLinks + 1; !this._closing; attempt++) {
      this._failedLinks = attempt;
      if (attempt > rc.maxRetries) {
        this.emit('giveUp', { attempts: attempt - 1, error });
        this._cleanup(false, new ClosedError());
        this._finish('giveUp', undefined, error);
        break;
      }
      const delay = backoff(attempt - 1, rc);
      this._set('reconnecting', { attempt, delay, error });
      await new Promise<void>((res) => {
        this._wake = res;
        this._retry = setTimeout(res, delay);
      });
      if (this._closing) break;
      try {
        await this._open(attempt);
        const ws = this._ws;
        await restore(this);
        if (this._closing) break;
        if (this._ws !== ws) throw new ClosedError('connection lost');
        this.reconnectTries = attempt;
        this._looping = false;
        this._set('connected', { id: this.id, attempt }, 'reconnected');
        flush(this);
        break;
      } catch (e) {
        error = e;
      }
    }
    this._looping = false;
  }

  /** Local teardown: pending requests reject with `error`; namespaces get forced disconnect events. */
  private _cleanup(keep: boolean, error: Error): void {
    for (const done of this._p.values()) done(error); // each removes itself: safe while iterating
    for (const ns of this._nss.values()) {
      if (!ns.connected) continue;
      ns._drop(keep, ns._msg(OnNamespaceDisconnect, '', true));
    }
    if (keep) return;
    clearInterval(this._hb);
    for (const done of this._w.values()) done(error);
    this._nss.clear();
    this._buf = [];
  }

  private _detach(ws: SocketLike): void {
    this._stop?.();
    ws.onopen = ws.onmessage = ws.onclose = null;
    ws.close(); // never throws without arguments; Node's env keeps a no-op onerror for the errors it may report
    if (this._ws === ws) this._ws = undefined;
  }

  private _finish(reason: 'client' | 'remote' | 'giveUp', code?: number, error?: unknown): void {
    this._set('closed', { reason, code, error });
  }

  /** Moves to state `s` (emitting `state` if it changed), then emits `event` (the state's own event by default) with `data`. */
  private _set(s: Exclude<ConnState, 'connecting'>, data: object, event: keyof ConnEvents = s): void {
    const oldState = this.state;
    if (oldState !== s) {
      this.state = s;
      this.emit('state', { oldState, newState: s });
    }
    (this.emit as (e: string, d: unknown) => boolean)(event, data);
  }
}
