/**
 * One client connection on the server: its one state (server/state.ts), the handshake, incoming dispatch (Go's
 * `handleMessage`; requests are answered by server/responder.ts), server-initiated requests, the write path and close.
 */
import type { IncomingMessage } from 'node:http';
import {
  BadNamespaceError, ClosedError, InvalidPayloadError, OnNamespaceConnect, OnNamespaceConnected, OnNamespaceDisconnect,
  OnRoomJoin, OnRoomLeft, Reply, WriteError, askAbortedError, decode, emptyReply, encode, encodeAckId, encodeAckRefused,
  errorToText, isAckRequest, isBody, isClientToken,
  type Frame, type Message, type MessageInit,
} from '../protocol/index.js';
import { fire, fireAndForget, isPromise, localMessage, withDeadline, type Handlers, type Outcome } from './handler.js';
import { NSConn } from './nsconn.js';
import { PendingAsks } from './pending.js';
import { respond, ruleOf } from './responder.js';
import { SERVER_CONN_MOVES, State, type ServerConnState } from './state.js';
import type { ServerCore } from './core.js';
import type { AskOptions, ServerMessage } from './types.js';
import type { ServerSocket, SocketHandlers } from './socket.js';

/**
 * A client connection (Go's `*neffos.Conn`). Handlers reach it as `nsConn.conn`; `onConnect(conn)` receives it first.
 * Its one state — `awaiting-handshake` → `open` → `closing` → `closed` — is emitted as the server's `connState`.
 * @example
 * const server = new Server(namespaces, {
 *   onConnect: (conn) => { if (!conn.request.headers.authorization) throw new Error('login first'); },
 * });
 */
export class Conn {
  /** The connection id sent to the client in `A`+id (from `idGenerator`). */
  readonly id: string;
  /** The HTTP upgrade request (Iris's `GetContext`), with `X-Websocket-Header-*` query parameters applied as headers. */
  readonly request: IncomingMessage;
  /** `X-Websocket-Reconnect` of the upgrade request: how many times the client retried (0 = first connection). */
  readonly reconnectTries: number;
  /** @internal */ readonly core: ServerCore;
  /** @internal */ readonly socket: ServerSocket;
  /** @internal connected namespaces */ readonly nss = new Map<string, NSConn>();
  /** @internal coarse time of the last frame read */ lastRead = 0;
  /** @internal coarse time of the last pong (or frame) read */ lastPong = 0;
  /** @internal */ stalledSince = 0;
  /** @internal wrote a frame in the current tick (reset by the server's end-of-tick flush) */ wrote = false;
  /** @internal corked from the second frame of a tick until the flush */ corked = false;
  /** @internal bytes the socket had not written when this tick's first frame was sent */ backlog = 0;
  /** @internal characters sent in this tick (a burst over maxBufferedAmount is written out mid-tick) */ tickBytes = 0;
  /** @internal rooms joined, every namespace together */ rooms = 0;
  #dropped = 0;
  readonly #state: State<ServerConnState>;
  // Created on first use: most connections never store values, ask, queue frames or hold.
  #store: Map<string, unknown> | undefined;
  #pending: PendingAsks | undefined;
  /** The `onConnect` verdict: undefined while it runs, null accepted, else the refusal text. */
  #verdict: string | null | undefined;
  #gotAckRequest = false;
  #early: Array<[Frame, boolean]> | undefined;
  #earlyBytes = 0;
  #ackWaiters: Array<(ok: boolean) => void> | undefined;
  #holds = 0;
  #inbox: Message[] | undefined;
  #inboxBytes = 0;
  #handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Server-initiated requests in flight (connect, join, leave, disconnect): a second call gets the same promise. */
  #inflight: Map<string, Promise<unknown>> | undefined;
  /** NSConns being connected (a server connect in flight): a client connect meanwhile gets the same one. */
  #entering: Map<string, NSConn> | undefined;

  /** @internal use `Server.accept` */
  constructor(core: ServerCore, socket: ServerSocket, request: IncomingMessage, id: string) {
    this.core = core;
    this.socket = socket;
    this.request = request;
    this.id = id;
    const tries = Number.parseInt(String(request.headers['x-websocket-reconnect'] ?? ''), 10);
    this.reconnectTries = Number.isFinite(tries) && tries > 0 ? tries : 0;
    this.lastRead = this.lastPong = core.clock;
    this.#state = new State<ServerConnState>(SERVER_CONN_MOVES, 'awaiting-handshake', (e) => core.stateChanged(this, e));
  }

  /** @internal starts reading, runs `onConnect` and the handshake timer. */
  start(): void {
    this.socket.listen(new ConnHandlers(this));
    if (this.core.onlyNative) {
      // Go native-only mode: no ack either way; namespace "" is connected at once.
      this.#gotAckRequest = true;
      this.addNamespace(new NSConn(this, '', this.core.events.get('') as Handlers));
    }
    if (this.core.handshakeTimeout > 0) this.#handshakeTimer = setTimeout(() => this.close(1008, 'handshake timeout'), this.core.handshakeTimeout);
    const onConnect = this.core.onConnect;
    if (!onConnect) return this.#ready(undefined);
    try {
      const r = onConnect(this);
      if (r && typeof (r as Promise<void>).then === 'function') {
        Promise.resolve(r).then(() => this.#ready(undefined), (e) => this.#ready(e ?? new Error('refused')));
      } else this.#ready(undefined);
    } catch (e) {
      this.#ready(e ?? new Error('refused'));
    }
  }

  /** `awaiting-handshake`, `open`, `closing` or `closed`; every change is emitted as the server's `connState`. */
  get state(): ServerConnState {
    return this.#state._now;
  }

  /** Whether the id is this connection's. */
  is(id: string): boolean {
    return this.id === id;
  }

  /** Whether the client reconnected (`reconnectTries > 0`). */
  get wasReconnected(): boolean {
    return this.reconnectTries > 0;
  }

  /** Whether the connection is closing or closed (nothing is dispatched or written any more). */
  get isClosed(): boolean {
    const s = this.#state._now;
    return s === 'closing' || s === 'closed';
  }

  /** @internal the handshake completed and the connection is not closing */
  get isOpen(): boolean {
    return this.#state._now === 'open';
  }

  /** The handshake completed (`A`+id sent) and the connection is open. */
  get isAcknowledged(): boolean {
    return this.#state._now === 'open';
  }

  /** Messages dropped by the `slowConsumer: 'drop'` policy on this connection (each also emitted as the server's `drop`). */
  get droppedMessages(): number {
    return this.#dropped;
  }

  /** Stores a value on this connection (local only). */
  set(key: string, value: unknown): void {
    (this.#store ??= new Map()).set(key, value);
  }

  /** A stored value. */
  get<T = unknown>(key: string): T | undefined {
    return this.#store?.get(key) as T | undefined;
  }

  /** Adds 1 (or `by`) to a numeric value and returns it; a missing or non-numeric value counts as 0. */
  increment(key: string, by = 1): number {
    const v = this.#store?.get(key);
    const n = (typeof v === 'number' ? v : 0) + by;
    this.set(key, n);
    return n;
  }

  /** Subtracts 1 (or `by`) and returns the value. */
  decrement(key: string, by = 1): number {
    return this.increment(key, -by);
  }

  /** A connected namespace, or undefined. */
  namespace(name: string): NSConn | undefined {
    return this.nss.get(name);
  }

  /** The connected namespaces. */
  namespaces(): NSConn[] {
    return [...this.nss.values()];
  }

  /**
   * Server-initiated namespace connect (Go's `Conn.Connect`): fires the local `_OnNamespaceConnect` (a thrown error
   * aborts), asks the client, then fires `_OnNamespaceConnected`. Called from `onConnect`, it accepts the connection
   * first and waits for the handshake. A second call meanwhile gets the same promise (one NSConn, one controller).
   * @example
   * onConnect: (conn) => { void conn.connect('forced').then((ns) => ns.emit('welcome', 'hi')); }
   */
  connect(namespace: string, options?: AskOptions): Promise<NSConn> {
    return this.once(OnNamespaceConnect, namespace, '', async () => {
      if (this.isClosed) throw new ClosedError();
      if (this.#verdict === undefined) this.#ready(undefined);
      if (!this.isOpen) await this.#waitAck(options?.timeout ?? 10_000);
      const existing = this.nss.get(namespace);
      if (existing) return existing;
      const ns = this.entering(namespace);
      if (!ns) throw new BadNamespaceError();
      try {
        const m = localMessage(namespace, '', OnNamespaceConnect, false);
        const veto = await this.withDeadline(fire(ns.events, ns, m), OnNamespaceConnect);
        if (veto instanceof Error) throw veto;
        return await this.askThen({ namespace, event: OnNamespaceConnect }, options, () => {
          const again = this.nss.get(namespace);
          if (again) return again;
          this.addNamespace(ns);
          m.event = OnNamespaceConnected;
          fireAndForget(ns.events, ns, m, this.core.logger);
          return ns;
        });
      } finally {
        this.entered(ns);
      }
    });
  }

  /** Sends a message and waits for the client's answer (a reply, or an error that rejects). Prefer `nsConn.ask`. */
  ask(message: MessageInit, options?: AskOptions): Promise<ServerMessage> {
    return this.#ask<ServerMessage>(message, options, undefined);
  }

  /**
   * @internal asks, and runs `then` on the reply synchronously, before the next frame is handled (the client may use
   * a namespace or room right after answering). A promise from `then` holds later frames until it settles.
   */
  askThen<T>(message: MessageInit, options: AskOptions | undefined, then: (m: ServerMessage) => T | Promise<T>): Promise<T> {
    return this.#ask(message, options, then);
  }

  /** The one path of every server ask: deadline, signal, a fresh unpredictable token, the per-connection bound. */
  #ask<T>(message: MessageInit, options: AskOptions | undefined, then: ((m: ServerMessage) => T | Promise<T>) | undefined): Promise<T> {
    if (this.isClosed) return Promise.reject(new ClosedError());
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(askAbortedError(signal));
    const pending = (this.#pending ??= new PendingAsks());
    if (pending.size >= this.core.limits.maxPendingAsks) {
      this.close(1008, 'too many pending asks');
      return Promise.reject(new ClosedError('too many pending asks'));
    }
    const wait = this.core.nextToken();
    const p = pending.add(wait, options?.timeout ?? this.core.requestTimeout, signal, then);
    if (!this.write({ ...message, wait })) pending.reject(wait, new WriteError());
    return p;
  }

  /** @internal runs `work` once per (event, namespace, room) at a time: a second call meanwhile gets the same promise. */
  once<T>(event: string, namespace: string, room: string, work: () => Promise<T>): Promise<T> {
    const key = event + ';' + namespace + ';' + room;
    const map = (this.#inflight ??= new Map());
    const running = map.get(key);
    if (running) return running as Promise<T>;
    const p = work().finally(() => map.delete(key));
    map.set(key, p);
    return p;
  }

  /** @internal the NSConn being connected for `namespace` (created if declared); undefined when not declared. */
  entering(namespace: string): NSConn | undefined {
    const known = this.#entering?.get(namespace);
    if (known) return known;
    const events = this.core.events.get(namespace);
    if (!events) return undefined;
    const ns = new NSConn(this, namespace, events);
    (this.#entering ??= new Map()).set(namespace, ns);
    return ns;
  }

  /** @internal the connect of `ns` ended (accepted or not): a later connect starts afresh */
  entered(ns: NSConn): void {
    if (this.#entering?.get(ns.namespace) === ns) this.#entering.delete(ns.namespace);
  }

  /** @internal a system handler's outcome with the server's `systemHandlerTimeout` */
  withDeadline(out: Outcome | Promise<Outcome>, event: string): Outcome | Promise<Outcome> {
    return withDeadline(out, this.core.systemHandlerTimeout, event);
  }

  /**
   * Writes a message if the write guard allows it (PROTOCOL.md §4.6): the namespace must be connected and a room
   * joined. Returns false otherwise, when closing or closed, or when a slow consumer's message is dropped.
   * A `native: true` message is sent as its raw body.
   */
  write(m: MessageInit): boolean {
    if (!this.isOpen || !this.canWrite(m.namespace ?? '', m.room ?? '', m.event ?? '')) return false;
    const frame = encode(m);
    return this.send(frame, typeof frame !== 'string');
  }

  /** Closes the connection with a close frame (default 1000); namespaces are force-disconnected first. */
  close(code = 1000, reason = ''): void {
    if (this.isClosed) return;
    this.#end('closing');
    this.socket.close(code, reason);
  }

  /** @internal holds incoming frames (except replies to our asks) until `p` settles. */
  hold(p: Promise<unknown>): void {
    this.#holds++;
    const release = () => this.#release();
    p.then(release, release);
  }

  #release(): void {
    if (--this.#holds > 0) return;
    const inbox = this.#inbox;
    while (this.#holds === 0 && inbox !== undefined && inbox.length > 0 && this.isOpen) {
      const m = inbox.shift() as Message;
      this.#inboxBytes -= sizeOf(m);
      this.#dispatch(m);
    }
  }

  /** @internal write guard */
  canWrite(namespace: string, room: string, event: string): boolean {
    if (event === OnNamespaceConnect || event === OnNamespaceDisconnect) return true;
    const ns = this.nss.get(namespace);
    if (ns === undefined) return false;
    if (room !== '' && event !== OnRoomJoin && event !== OnRoomLeft) return ns.hasRoom(room);
    return true;
  }

  /**
   * @internal sends one frame, batching a tick's frames into one socket write. The slow-consumer policy looks at what
   * the socket could not write: its backlog when the tick's first frame went out (a burst being corked is not a
   * backlog), re-measured whenever a tick's burst passes `maxBufferedAmount` and is written out mid-tick.
   */
  send(frame: Frame | Buffer, isBinary: boolean): boolean {
    const st = this.#state._now;
    if (st === 'closing' || st === 'closed') return false;
    const s = this.socket;
    const limit = this.core.maxBufferedAmount;
    if (!this.wrote) {
      // The first frame of a tick goes straight out; from the second on, the socket is corked
      // until the server's end-of-tick flush, so a burst leaves in one writev, in order.
      this.wrote = true;
      this.core.touched(this);
      if (limit > 0) this.backlog = s.bufferedAmount;
    } else if (!this.corked && s.cork) {
      this.corked = true;
      s.cork();
    }
    if (limit > 0 && this.backlog > limit) return this.#overflow(limit);
    s.send(frame, isBinary);
    if (limit > 0 && (this.tickBytes += frame.length) > limit) {
      this.flush();
      this.wrote = true; // still listed for this tick's flush
      this.backlog = s.bufferedAmount;
    }
    return true;
  }

  /** A slow consumer: drop (counted and emitted) or close, by the server's policy. */
  #overflow(limit: number): false {
    if (this.core.slowConsumer === 'drop') {
      this.#dropped++;
      this.core.dropped(this, this.backlog);
    } else this.close(1008, 'slow consumer: send buffer over ' + limit + ' bytes');
    return false;
  }

  /** @internal the end-of-tick flush */
  flush(): void {
    this.wrote = false;
    this.tickBytes = 0;
    if (this.corked) {
      this.corked = false;
      this.socket.uncork?.();
    }
  }

  /** @internal */
  writeEmptyReply(wait: string): void {
    this.send(emptyReply(wait), false);
  }

  /** @internal registers a connected namespace (and the server's index). */
  addNamespace(ns: NSConn): void {
    this.nss.set(ns.namespace, ns);
    this.core.indexNamespace(ns, true);
  }

  /** @internal */
  removeNamespace(ns: NSConn): void {
    if (this.nss.get(ns.namespace) === ns) this.nss.delete(ns.namespace);
    this.core.indexNamespace(ns, false);
  }

  /** @internal a client may join one more room; past `maxRooms` the connection is closed (1008). */
  mayJoin(): boolean {
    if (this.rooms < this.core.limits.maxRooms) return true;
    this.close(1008, 'too many rooms');
    return false;
  }

  #waitAck(timeout: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new ClosedError('handshake did not complete')), timeout);
      (this.#ackWaiters ??= []).push((ok) => {
        clearTimeout(t);
        if (ok) resolve();
        else reject(new ClosedError());
      });
    });
  }

  #ready(error: unknown): void {
    if (this.#verdict !== undefined) {
      // onConnect failed after it had already accepted (e.g. by calling connect): close.
      if (error !== undefined) this.close(1008, errorToText(error));
      return;
    }
    this.#verdict = error === undefined ? null : errorToText(error);
    if (this.#gotAckRequest) this.#finishHandshake();
  }

  #finishHandshake(): void {
    if (this.#state._now !== 'awaiting-handshake') return;
    // No handshake completes once the server is closed.
    if (this.core.isClosed) return this.close(1001, 'server closed');
    clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = undefined;
    const refusal = this.#verdict;
    if (typeof refusal === 'string') {
      if (this.core.onlyNative) return this.close(1008, refusal);
      this.send(encodeAckRefused(refusal), false);
      return this.close(1000, '');
    }
    this.#state.to('open');
    this.core.register(this);
    if (!this.core.onlyNative) this.send(encodeAckId(this.id), false);
    const waiters = this.#ackWaiters;
    this.#ackWaiters = undefined;
    if (waiters) for (const w of waiters) w(true);
    const queued = this.#early;
    this.#early = undefined;
    if (queued) for (const [data, isBinary] of queued) this.onFrame(data, isBinary);
  }

  /** @internal one frame, handled by the rule of the state it arrives in */
  onFrame(data: Frame, isBinary: boolean): void {
    this.lastRead = this.lastPong = this.core.clock;
    const st = this.#state._now;
    if (st === 'open') {
      if (data.length === 0) return;
      const m = decode(data, this.core.decodeOptions);
      if (m.invalid === true) return this.#invalidFrame(data);
      if (this.#holds === 0) return this.#dispatch(m);
      if (this.#resolveReply(m)) return;
      if ((this.#inboxBytes += sizeOf(m)) > this.core.limits.maxHeldBytes) return this.close(1008, 'too many bytes while a request is pending');
      (this.#inbox ??= []).push(m);
    } else if (st === 'awaiting-handshake') {
      if (!this.#gotAckRequest && isAckRequest(data)) {
        this.#gotAckRequest = true;
        if (this.#verdict !== undefined) this.#finishHandshake();
        return;
      }
      if (data.length === 0) return;
      if ((this.#earlyBytes += data.length) > this.core.limits.maxEarlyBytes) return this.close(1008, 'too many bytes before the handshake');
      (this.#early ??= []).push([data, isBinary]);
    }
    // closing, closed: nothing more is dispatched
  }

  /** Go drops a frame it cannot parse and keeps reading; the application may observe it. */
  #invalidFrame(data: Frame): void {
    const cb = this.core.onInvalidFrame;
    if (!cb) return;
    try {
      cb(new InvalidPayloadError(), this, data);
    } catch (e) {
      this.core.logger.error('neffos: onInvalidFrame failed:', e);
    }
  }

  /** Go's `handleMessage`, server side. */
  #dispatch(m: Message): void {
    if (this.core.onlyNative) {
      const ns = this.nss.get('');
      if (ns) this.#answerEvent(m as ServerMessage, ns);
      return;
    }
    const max = this.core.limits.maxNameLength;
    if (m.namespace.length > max || m.room.length > max || m.event.length > max) return this.close(1008, 'name too long');
    if (this.#resolveReply(m)) return;
    const rule = ruleOf(m.event);
    if (rule !== undefined) {
      // An async system handler: later frames wait, so state changes keep their order.
      const r = respond(this, rule, m as ServerMessage);
      if (r !== undefined) this.hold(r);
      return;
    }
    const ns = this.nss.get(m.namespace);
    // Go answers `bad namespace`, but its own write guard drops it: silence.
    if (ns) this.#answerEvent(m as ServerMessage, ns);
  }

  /** Server tokens (not a client's `$…`) may be replies to `Conn.ask` or `Server.ask`. */
  #resolveReply(m: Message): boolean {
    const w = m.wait;
    if (w === '' || isClientToken(w)) return false;
    return this.core.resolveReply(m, this) || (this.#pending !== undefined && this.#pending.resolve(w, m));
  }

  #answerEvent(m: ServerMessage, ns: NSConn): void {
    m.isLocal = false;
    m.isForced = false;
    const out = fire(ns.events, ns, m);
    if (out === undefined) return;
    if (isPromise(out)) out.then((o) => this.answer(m, o));
    else this.answer(m, out);
  }

  /** @internal writes a handler's Reply or Error back on the incoming message (same wait, names, frame type). */
  answer(m: ServerMessage, o: Outcome): void {
    if (o === undefined) return;
    m.fromExplicit = '';
    if (o instanceof Reply && isBody(o.body)) {
      m.body = o.body;
      m.error = undefined;
    } else if (o instanceof Reply) {
      // A handler replied with a value that is not a body: the peer gets an error reply, nothing crashes.
      this.core.logger.error('neffos: handler of', m.event, 'replied with a value that is not a body; send values with marshal(value)');
      m.error = 'neffos: reply: a body must be a string or a Uint8Array';
    } else m.error = errorToText(o);
    try {
      this.write(m);
    } catch (e) {
      this.core.logger.error('neffos: writing the answer to', m.event, 'failed:', e);
    }
  }

  /** @internal the socket closed (its close event) */
  gone(): void {
    if (this.#state._now !== 'closed') this.#end('closed');
    this.core.socketGone(this);
  }

  /** The one way out of `awaiting-handshake` and `open`: local cleanup, no protocol message. */
  #end(to: 'closing' | 'closed'): void {
    const from = this.#state._now;
    this.#state.to(to);
    if (from === 'closing') return; // cleaned up when it started closing
    clearTimeout(this.#handshakeTimer);
    for (const ns of [...this.nss.values()]) {
      ns.forceLeaveAll(true);
      fireAndForget(ns.events, ns, localMessage(ns.namespace, '', OnNamespaceDisconnect, true), this.core.logger);
      this.removeNamespace(ns);
    }
    this.#pending?.rejectAll(new ClosedError());
    const waiters = this.#ackWaiters;
    this.#ackWaiters = undefined;
    if (waiters) for (const w of waiters) w(false);
    this.#inbox = this.#early = undefined;
    if (from === 'open') this.core.unregister(this);
  }
}

/** What a held message costs against `maxHeldBytes` (the length of its frame's parts). */
function sizeOf(m: Message): number {
  return m.wait.length + m.namespace.length + m.room.length + m.event.length + m.body.length + (m.error?.length ?? 0) + 6;
}

/** The socket's callbacks for one connection: one small object with prototype methods, no closures. */
class ConnHandlers implements SocketHandlers {
  constructor(private readonly conn: Conn) {}
  message(data: string | Uint8Array, isBinary: boolean): void {
    this.conn.onFrame(data, isBinary);
  }
  close(): void {
    this.conn.gone();
  }
  pong(): void {
    this.conn.lastPong = this.conn.core.clock;
  }
}
