import { EventEmitter } from './emitter.js';
import {
  BadNamespaceError, BadRoomError, type Body, ClosedError, createWaitTokenGenerator, decode, type DecodeOptions, type Frame,
  emptyReply, encode, errorFromText, errorToText, type MessageInit, NotConnectedError, OnNamespaceConnect, OnNamespaceDisconnect,
  OnNativeMessage, OnRoomJoin, OnRoomLeave,
} from '../protocol/index.js';
import { DEFAULT_HEARTBEAT } from './env.js';
import { checkBody } from './guard.js';
import { NSConn } from './nsconn.js';
import { serve } from './serve.js';
import { type Done, request } from './request.js';
import { CONN_MOVES, State } from './state.js';
import type {
  AnyNamespaces, ConnEvents, ConnState, DialOptions, EventMessage, Handler, NamespaceMap, Namespaces,
  RequestOptions, SocketLike,
} from './types.js';

/** Wait tokens: one client-side sequence for every Conn of the page or process. */
const token = createWaitTokenGenerator('client');

/** The options with their defaults, and the decoder's (`allowNative`, `onlyNative`). */
type Options = DialOptions & DecodeOptions & { handshakeTimeout: number; requestTimeout: number; maxEarlyBytes: number };

/**
 * A connection to a neffos server (see `dial`). Its one state — `connecting` → `open` ⇄ `reconnecting` → `closed` —
 * is emitted as `state` `{ from, to }`; its namespaces and rooms report theirs as `namespaceState` and `roomState`.
 */
export class Conn<N extends NamespaceMap = AnyNamespaces> extends EventEmitter<ConnEvents> {
  /** The connection id the server assigned (`A` + id). Changes after a reconnect. */
  id = '';
  /** The attempt number of the last successful reconnection (0 = never reconnected). */
  reconnectTries = 0;
  /** @internal namespace handles: connecting or connected ones, and ones to connect again after a reconnect */
  readonly _namespaces = new Map<string, NSConn<any>>();
  /** @internal */
  readonly _options: Options;
  /** @internal emits kept while reconnecting */
  _buffered: [NSConn<any>, MessageInit][] = [];
  /** @internal the current socket */
  _ws: SocketLike | undefined;
  /**
   * @internal ends the current link, called by close() and as the link drops: the handshake in progress fails (its
   * socket is closed), or the link that is up closes its socket, or the wait before a reconnection attempt ends. Set
   * by each link as it opens (with the socket) and by the wait, which starts only after the previous link ended.
   */
  _abort: ((e: unknown) => void) | undefined;
  private readonly _handlers: Map<string, Map<string, Handler<any, any>>>;
  /**
   * @internal requests waiting for their answer, by wait token, and waitServerConnect callers, keyed by a fresh object holding
   * the namespace (they outlive a reconnection).
   */
  readonly _pending = new Map<string | { ns: string }, Done<any>>();
  /** @internal consecutive failed or short-lived links: reset only after a link stayed up `minUptime` ms */
  _failedLinks = 0;
  /** @internal when the current link completed its handshake (ms since the epoch) */
  _upSince!: number; // set as each link is accepted
  /** @internal the keep-alive probes, started as the first link is accepted */
  _heartbeat: ReturnType<typeof setInterval> | undefined;
  /** @internal */
  readonly _state = new State<ConnState>(CONN_MOVES, 'connecting', (e) => this.emit('state', e));

  /** Use `dial`: it opens the connection and resolves after the handshake. */
  constructor(readonly url: string, namespaces: Namespaces<N>, options?: DialOptions) {
    super();
    this._handlers = new Map(Object.entries(namespaces).map(([name, events]) => [name, new Map(Object.entries(events as object))]));
    this._options = {
      handshakeTimeout: 10000, requestTimeout: 30000, maxEarlyBytes: 2 ** 20, heartbeat: DEFAULT_HEARTBEAT, ...options,
      onlyNative: options?.nativeOnly, allowNative: options?.nativeOnly || this._handlers.get('')?.has(OnNativeMessage),
    };
  }

  /** `connecting`, `open`, `reconnecting` or `closed`; every change is emitted as `state` `{ from, to }`. */
  get state(): ConnState {
    return this._state._now;
  }

  /** True after a successful reconnection (Go's `WasReconnected`). */
  get wasReconnected(): boolean {
    return this.reconnectTries > 0;
  }

  /** Requests waiting for an answer (asks, connects, joins, leaves, waitServerConnect): for tests and diagnostics. */
  get pendingCount(): number {
    return this._pending.size;
  }

  /**
   * Connects namespace `name` (declared in `dial`'s namespaces). Its local `_OnNamespaceConnect` may refuse; the
   * server may refuse (the promise rejects with its error text, e.g. `BadNamespaceError`). Resolves at once when
   * connected; a second call meanwhile gets the same promise (one request, one NSConn); while a disconnect of it is in
   * flight, connects again once that has settled.
   */
  async connect<K extends keyof N & string>(name: K, options?: RequestOptions): Promise<NSConn<N[K]>> {
    this._check();
    const ns = this._ns(name);
    if (!ns) throw new BadNamespaceError();
    return ns._connect(options);
  }

  /** Waits until the server connects namespace `name` (server-initiated connect); resolves at once if connected. */
  async waitServerConnect<K extends keyof N & string>(name: K, options?: RequestOptions): Promise<NSConn<N[K]>> {
    if (this.state === 'closed') throw new ClosedError();
    const ns = this._ns(name);
    if (!ns) throw new BadNamespaceError();
    return ns.connected ? ns : request<NSConn<N[K]>>(this, { ns: name }, options);
  }

  /** The connected namespace `name`, if any. */
  namespace<K extends keyof N & string>(name: K): NSConn<N[K]> | undefined {
    const ns = this._namespaces.get(name);
    return ns?.connected ? ns : undefined;
  }

  /** Sends a native frame (no neffos fields) on namespace `""`, which must be connected (or `nativeOnly` set). Bytes go binary, strings as text. */
  sendNative(body: Body): boolean {
    checkBody(body, 'sendNative');
    const ns = this._namespaces.get('');
    if (!ns) throw new BadNamespaceError();
    return this._send(ns, { native: true, body, binary: typeof body !== 'string' });
  }

  /** Closes the connection for good: every namespace is disconnected locally (forced events), everything pending rejects with ClosedError, no reconnect. */
  close(): void {
    if (this.state === 'closed') return;
    this._abort?.(new ClosedError()); // closes the current socket, if any (none on a Conn made without dial)
    this._teardown(new ClosedError(), 'client');
  }

  /**
   * @internal throws the error a user operation on `ns` fails with right now, if any: ClosedError after close,
   * NotConnectedError unless open, BadNamespaceError when `ns` is not connected, BadRoomError when `badRoom`
   */
  _check(ns?: NSConn<any>, badRoom?: unknown): void {
    const s = this.state;
    if (s === 'closed') throw new ClosedError();
    if (s !== 'open') throw new NotConnectedError();
    if (ns && !ns.connected) throw new BadNamespaceError();
    if (badRoom) throw new BadRoomError();
  }

  /**
   * @internal a user emit: write guard, fail fast or buffer while the link is down: reconnecting, or its socket gone
   * before the Conn has read the close (still `open`). Sent, kept or thrown: never dropped with a `false`.
   */
  _send(ns: NSConn<any>, m: MessageInit): boolean {
    const down = this.state === 'reconnecting' || this._ws?.readyState !== 1;
    // bufferWhileDisconnected unset: `length < undefined` is false, as `length < 0` (nothing is kept)
    if (down && this._namespaces.get(ns.namespace) === ns && this._buffered.length < this._options.bufferWhileDisconnected!) {
      return !!this._buffered.push([ns, m]);
    }
    this._check(ns, m.room && !ns.room(m.room));
    if (down) throw new NotConnectedError();
    return this._raw(encode(m));
  }

  /**
   * @internal an answer from a handler: dropped (as in Go) when the namespace or room is gone; sent while a disconnect
   * or leave of ours is in flight (Go keeps both until the answer: a server ask crossing our disconnect gets its reply)
   */
  _reply(ns: NSConn<any>, m: MessageInit): void {
    if (ns._live && (!m.room || ns._rooms.get(m.room)?._live)) this._raw(encode(m));
  }

  /**
   * @internal every request of this side (ask, connect, join, leave, disconnect, heartbeat): sends `m` with a fresh
   * wait token and waits for the answer; `onAnswer` runs as it is read, before the next frame
   */
  _request(m: MessageInit, o?: RequestOptions, onAnswer?: (m: EventMessage) => void): Promise<EventMessage> {
    // callers pass a fresh `m`; it is not sent when the signal was aborted already
    return request(this, (m.wait = token()), o, onAnswer, m);
  }

  /** @internal answers server request `m`: the empty reply (accepted), or `error`'s text */
  _answer(m: EventMessage, error?: unknown): void {
    this._raw(error === undefined ? emptyReply(m.wait) : encode({ ...m, error: errorToText(error) }));
  }

  /** @internal writes one frame if the link is open */
  _raw(frame: Frame): boolean {
    return this._ws?.readyState === 1 && (this._ws.send(frame), true);
  }

  /** @internal the handle of namespace `name`: the known one or a new one; none when `name` is not declared */
  _ns(name: string): NSConn<any> | undefined {
    const h = this._handlers.get(name);
    return h && (this._namespaces.get(name) ?? new NSConn(this, name, h));
  }

  /** @internal `ns` is connected (either side's connect): `_OnNamespaceConnected` fires, waitServerConnect callers resolve */
  _connected(ns: NSConn<any>, m: EventMessage): void {
    ns._state.to('connected');
    this._namespaces.set(ns.namespace, ns);
    ns._call(m); // its event is _OnNamespaceConnected
    // each removes itself: safe while iterating
    for (const [k, done] of this._pending) if ((k as { ns?: string }).ns === ns.namespace) done(undefined, ns);
  }

  /** @internal one frame, handled by the rule of the state it arrives in: answers settle their request at once */
  _onFrame(data: unknown): void {
    const m = decode(data as Frame, this._options) as EventMessage;
    if (m.invalid) return;
    const done = this._pending.get(m.wait); // tokens are never empty
    if (done) return done(m.error !== undefined ? errorFromText(m.error) : undefined, m);
    m.isLocal = m.isForced = false;
    const ev = m.event;
    const ns = this._namespaces.get(m.namespace);
    const live = ns?._live;
    if (ev === OnNamespaceConnect || ev === OnNamespaceDisconnect || (live && (ev === OnRoomJoin || ev === OnRoomLeave))) {
      if (m.wait && !m.isNoOp) serve(this, m, ns);
    } else if (live) ns!._dispatch(m);
  }

  /**
   * @internal local teardown: pending requests reject with `error` and namespaces get forced disconnect events. Without a
   * `reason` (or with `false`) the link only dropped: waitServerConnect callers and the handles to restore are kept.
   * With one, the Conn closes for good: `closed` is emitted with `reason`, `code` and `cause` (its `error`).
   */
  _teardown(error: Error, reason?: 'client' | 'remote' | 'giveUp' | false, code?: number, cause?: unknown): void {
    const keep = !reason;
    for (const [k, done] of this._pending) if (!keep || typeof k == 'string') done(error); // each removes itself: safe while iterating
    for (const ns of this._namespaces.values()) ns._drop(keep, ns._msg(OnNamespaceDisconnect, '', true));
    if (keep) return;
    this._namespaces.clear();
    this._buffered = [];
    clearInterval(this._heartbeat);
    this._state.to('closed');
    this.emit('closed', { reason, code, error: cause });
  }
}
