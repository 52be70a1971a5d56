/**
 * One client connection on the server: handshake, incoming dispatch (Go's
 * `handleMessage`), server-initiated requests, the write path and close.
 */
import type { IncomingMessage } from 'node:http';
import {
  ACK_REQUEST, AbortError, BadNamespaceError, ClosedError, InvalidPayloadError, OnNamespaceConnect, OnNamespaceConnected, OnNamespaceDisconnect,
  OnRoomJoin, OnRoomLeave, OnRoomLeft, Reply, WriteError, decode, emptyReply,
  encode, encodeAckId, encodeAckRefused, errorToText, isBody,
  type DecodeOptions, type Frame, type Message, type MessageInit,
} from '../protocol/index.js';
import { fire, fireAndForget, isPromise, localMessage, type Handlers, type Outcome } from './handler.js';
import { NSConn } from './nsconn.js';
import { PendingAsks } from './pending.js';
import type { ServerCore } from './core.js';
import type { AskOptions, ServerMessage } from './types.js';
import type { ServerSocket, SocketHandlers } from './socket.js';

type Readiness = 'pending' | 'accepted' | 'refused';

const MAX_PRE_ACK_FRAMES = 256;
const MAX_HELD_FRAMES = 4096;

/**
 * A client connection (Go's `*neffos.Conn`). Handlers reach it as `nsConn.conn`;
 * `onConnect(conn)` receives it first.
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
  /** @internal */ lastRead = 0;
  /** @internal */ stalledSince = 0;
  /** @internal */ alive = true;
  /** @internal */ registered = false;
  /** @internal wrote a frame in the current tick (reset by the server's end-of-tick flush) */ wrote = false;
  /** @internal corked from the second frame of a tick until the flush */ corked = false;
  // Created on first use: most connections never store values, ask, queue frames or hold.
  private store: Map<string, unknown> | undefined;
  private pending: PendingAsks | undefined;
  private readonly decodeOptions: DecodeOptions;
  private readiness: Readiness = 'pending';
  private refusal = '';
  private acknowledged = false;
  private gotAckRequest = false;
  private preAck: Array<[Frame, boolean]> | undefined;
  private ackWaiters: Array<(ok: boolean) => void> | undefined;
  private closed = false;
  private holds = 0;
  private inbox: Message[] | undefined;
  private handshakeTimer: ReturnType<typeof setTimeout> | undefined;

  /** @internal use `Server.accept` */
  constructor(core: ServerCore, socket: ServerSocket, request: IncomingMessage, id: string) {
    this.core = core;
    this.socket = socket;
    this.request = request;
    this.id = id;
    const tries = Number.parseInt(String(request.headers['x-websocket-reconnect'] ?? ''), 10);
    this.reconnectTries = Number.isFinite(tries) && tries > 0 ? tries : 0;
    this.decodeOptions = core.decodeOptions;
    this.lastRead = core.clock;
  }

  /** @internal starts reading, runs `onConnect` and the handshake timer. */
  start(): void {
    this.socket.listen(new ConnHandlers(this));
    if (this.core.onlyNative) {
      // Go native-only mode: no ack either way; namespace "" is connected at once.
      this.gotAckRequest = true;
      const events = this.core.events.get('') as Handlers;
      this.addNamespace(new NSConn(this, '', events));
    } else if (this.core.handshakeTimeout > 0) {
      this.handshakeTimer = setTimeout(() => this.close(1008, 'handshake timeout'), this.core.handshakeTimeout);
    }
    const onConnect = this.core.onConnect;
    if (!onConnect) return this.ready(undefined);
    try {
      const r = onConnect(this);
      if (r && typeof (r as Promise<void>).then === 'function') {
        Promise.resolve(r).then(() => this.ready(undefined), (e) => this.ready(e ?? new Error('refused')));
      } else this.ready(undefined);
    } catch (e) {
      this.ready(e ?? new Error('refused'));
    }
  }

  /** Whether the id is this connection's. */
  is(id: string): boolean {
    return this.id === id;
  }

  /** Whether the client reconnected (`reconnectTries > 0`). */
  get wasReconnected(): boolean {
    return this.reconnectTries > 0;
  }

  /** Whether the connection is closed. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The handshake completed (`A`+id sent). */
  get isAcknowledged(): boolean {
    return this.acknowledged;
  }

  /** Stores a value on this connection (local only). */
  set(key: string, value: unknown): void {
    (this.store ??= new Map()).set(key, value);
  }

  /** A stored value. */
  get<T = unknown>(key: string): T | undefined {
    return this.store?.get(key) as T | undefined;
  }

  /** Adds 1 (or `by`) to a numeric value and returns it; a missing or non-numeric value counts as 0. */
  increment(key: string, by = 1): number {
    const v = this.store?.get(key);
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
   * Server-initiated namespace connect (Go's `Conn.Connect`): fires the local
   * `_OnNamespaceConnect` (a thrown error aborts), asks the client, then fires
   * `_OnNamespaceConnected`. Called from `onConnect`, it accepts the connection
   * first and waits for the handshake.
   * @example
   * onConnect: (conn) => { void conn.connect('forced').then((ns) => ns.emit('welcome', 'hi')); }
   */
  async connect(namespace: string, options?: AskOptions): Promise<NSConn> {
    if (this.closed) throw new ClosedError();
    if (this.readiness === 'pending') this.ready(undefined);
    if (!this.acknowledged) await this.waitAck(options?.timeout ?? 10_000);
    const existing = this.nss.get(namespace);
    if (existing) return existing;
    const events = this.core.events.get(namespace);
    if (!events) throw new BadNamespaceError();
    const ns = new NSConn(this, namespace, events);
    const m = localMessage(namespace, '', OnNamespaceConnect, false);
    const veto = await fire(events, ns, m);
    if (veto instanceof Error) throw veto;
    return this.askThen({ namespace, event: OnNamespaceConnect }, options, () => {
      const again = this.nss.get(namespace);
      if (again) return again;
      this.addNamespace(ns);
      m.event = OnNamespaceConnected;
      fireAndForget(events, ns, m, this.core.logger);
      return ns;
    });
  }

  /**
   * Sends a message and waits for the client's answer (a reply, or an error
   * that rejects). Prefer `nsConn.ask`.
   */
  ask(message: MessageInit, options?: AskOptions): Promise<ServerMessage> {
    if (this.closed) return Promise.reject(new ClosedError());
    if (options?.signal?.aborted) return Promise.reject(new AbortError());
    const wait = this.core.nextToken();
    const pending = (this.pending ??= new PendingAsks());
    const p = pending.add(wait, options?.timeout ?? this.core.requestTimeout, options?.signal);
    if (!this.write({ ...message, wait })) pending.reject(wait, new WriteError());
    return p;
  }

  /**
   * Writes a message if the write guard allows it (docs/protocol.md §4.6): the namespace
   * must be connected and a room joined. Returns false otherwise or when closed.
   * A `native: true` message is sent as its raw body.
   */
  write(m: MessageInit): boolean {
    if (this.closed || !this.canWrite(m.namespace ?? '', m.room ?? '', m.event ?? '')) return false;
    const frame = encode(m);
    return this.send(frame, typeof frame !== 'string');
  }

  /** Closes the connection with a close frame (default 1000); namespaces are force-disconnected first. */
  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    this.cleanup();
    this.socket.close(code, reason);
  }

  /**
   * @internal asks, and runs `then` on the reply synchronously, before the next frame is handled
   * (the client may use a namespace or room right after answering). A promise from `then` holds
   * later frames until it settles.
   */
  askThen<T>(message: MessageInit, options: AskOptions | undefined, then: (m: ServerMessage) => T | Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new ClosedError());
    if (options?.signal?.aborted) return Promise.reject(new AbortError());
    const wait = this.core.nextToken();
    const pending = (this.pending ??= new PendingAsks());
    const p = pending.add(wait, options?.timeout ?? this.core.requestTimeout, options?.signal, then);
    if (!this.write({ ...message, wait })) pending.reject(wait, new WriteError());
    return p;
  }

  /** @internal holds incoming frames (except replies to our asks) until `p` settles. */
  hold(p: Promise<unknown>): void {
    this.holds++;
    const release = () => this.release();
    p.then(release, release);
  }

  private release(): void {
    if (--this.holds > 0) return;
    const inbox = this.inbox;
    while (this.holds === 0 && inbox !== undefined && inbox.length > 0 && !this.closed) this.dispatch(inbox.shift() as Message);
  }

  /** @internal write guard */
  canWrite(namespace: string, room: string, event: string): boolean {
    if (event === OnNamespaceConnect || event === OnNamespaceDisconnect) return true;
    const ns = this.nss.get(namespace);
    if (ns === undefined) return false;
    if (room !== '' && event !== OnRoomJoin && event !== OnRoomLeft) return ns.hasRoom(room);
    return true;
  }

  /** @internal sends one frame, batching a tick's frames into one socket write. */
  send(frame: Frame | Buffer, isBinary: boolean): boolean {
    if (this.closed) return false;
    const s = this.socket;
    const limit = this.core.maxBufferedAmount;
    if (limit > 0 && s.bufferedAmount > limit) {
      if (this.core.slowConsumer === 'drop') return false;
      this.close(1008, 'slow consumer: send buffer over ' + limit + ' bytes');
      return false;
    }
    // The first frame of a tick goes straight out; from the second on, the socket is corked
    // until the server's end-of-tick flush, so a burst leaves in one writev, in order.
    if (!this.wrote) {
      this.wrote = true;
      this.core.touched(this);
    } else if (!this.corked && s.cork) {
      this.corked = true;
      s.cork();
    }
    s.send(frame, isBinary);
    return true;
  }

  /** @internal the end-of-tick flush */
  flush(): void {
    this.wrote = false;
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

  private waitAck(timeout: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new ClosedError('handshake did not complete')), timeout);
      (this.ackWaiters ??= []).push((ok) => {
        clearTimeout(t);
        if (ok) resolve();
        else reject(new ClosedError());
      });
    });
  }

  private ready(error: unknown): void {
    if (this.readiness !== 'pending') {
      // onConnect failed after it had already accepted (e.g. by calling connect): close.
      if (error !== undefined && !this.closed) this.close(1008, errorToText(error));
      return;
    }
    this.readiness = error === undefined ? 'accepted' : 'refused';
    if (error !== undefined) this.refusal = errorToText(error);
    if (this.gotAckRequest) this.finishHandshake();
  }

  private finishHandshake(): void {
    if (this.closed) return;
    // No handshake completes once the server is closed.
    if (this.core.isClosed) return this.close(1001, 'server closed');
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    if (this.readiness === 'refused') {
      if (this.core.onlyNative) return this.close(1008, this.refusal);
      this.send(encodeAckRefused(this.refusal), false);
      return this.close(1000, '');
    }
    this.acknowledged = true;
    this.registered = true;
    this.core.register(this);
    if (!this.core.onlyNative) this.send(encodeAckId(this.id), false);
    const waiters = this.ackWaiters;
    this.ackWaiters = undefined;
    if (waiters) for (const w of waiters) w(true);
    const queued = this.preAck;
    this.preAck = undefined;
    if (queued) for (const [data, isBinary] of queued) this.onFrame(data, isBinary);
  }

  /** @internal */
  onFrame(data: Frame, isBinary: boolean): void {
    this.lastRead = this.core.clock;
    if (!this.acknowledged) {
      if (this.closed) return;
      if (!this.gotAckRequest && (data === ACK_REQUEST || (isBinary && data.length === 1 && (data as Uint8Array)[0] === 0x4d))) {
        this.gotAckRequest = true;
        if (this.readiness !== 'pending') this.finishHandshake();
        return;
      }
      if (data.length === 0) return;
      const q = (this.preAck ??= []);
      if (q.length >= MAX_PRE_ACK_FRAMES) return this.close(1008, 'too many frames before the handshake');
      q.push([data, isBinary]);
      return;
    }
    if (data.length === 0) return;
    const m = decode(data, this.decodeOptions);
    if (m.invalid === true) return this.invalidFrame(data);
    if (this.holds > 0) {
      if (this.resolveReply(m)) return;
      const inbox = (this.inbox ??= []);
      if (inbox.length >= MAX_HELD_FRAMES) return this.close(1008, 'too many frames while a request is pending');
      inbox.push(m);
      return;
    }
    this.dispatch(m);
  }

  /** Go drops a frame it cannot parse and keeps reading; the application may observe it. */
  private invalidFrame(data: Frame): void {
    const cb = this.core.onInvalidFrame;
    if (!cb) return;
    try {
      cb(new InvalidPayloadError(), this, data);
    } catch (e) {
      this.core.logger.error('neffos: onInvalidFrame failed:', e);
    }
  }

  /** Go's `handleMessage`, server side. */
  private dispatch(m: Message): void {
    if (this.core.onlyNative) {
      const ns = this.nss.get('');
      if (ns) this.answerEvent(m as ServerMessage, ns);
      return;
    }
    if (this.resolveReply(m)) return;
    let r: void | Promise<void> = undefined;
    switch (m.event) {
      case OnNamespaceConnect:
        r = this.replyConnect(m as ServerMessage);
        break;
      case OnNamespaceDisconnect:
        r = this.replyDisconnect(m as ServerMessage);
        break;
      case OnRoomJoin: {
        const ns = this.nss.get(m.namespace);
        if (ns) r = ns.replyRoomJoin(m as ServerMessage);
        break;
      }
      case OnRoomLeave: {
        const ns = this.nss.get(m.namespace);
        if (ns) r = ns.replyRoomLeave(m as ServerMessage);
        break;
      }
      default: {
        const ns = this.nss.get(m.namespace);
        // Go answers `bad namespace`, but its own write guard drops it: silence.
        if (ns) this.answerEvent(m as ServerMessage, ns);
        return;
      }
    }
    // An async system handler: later frames wait, so state changes keep their order.
    if (r !== undefined) this.hold(r);
  }

  /** Server tokens (not `$`) may be replies to `Conn.ask` or `Server.ask`. */
  private resolveReply(m: Message): boolean {
    const w = m.wait;
    if (w === '' || w.charCodeAt(0) === 0x24) return false;
    return this.core.resolveReply(m, this) || (this.pending !== undefined && this.pending.resolve(w, m));
  }

  private answerEvent(m: ServerMessage, ns: NSConn): void {
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

  private replyConnect(m: ServerMessage): void | Promise<void> {
    if (m.wait === '' || m.isNoOp) return;
    if (this.nss.has(m.namespace)) return this.writeEmptyReply(m.wait);
    const events = this.core.events.get(m.namespace);
    if (!events) {
      m.error = BadNamespaceError.text;
      this.write(m);
      return;
    }
    const ns = new NSConn(this, m.namespace, events);
    m.isLocal = false;
    m.isForced = false;
    const out = fire(events, ns, m);
    if (isPromise(out)) return out.then((o) => this.finishConnect(m, ns, o));
    this.finishConnect(m, ns, out);
  }

  private finishConnect(m: ServerMessage, ns: NSConn, o: Outcome): void {
    if (this.closed) return;
    if (o !== undefined) return this.answer(m, o);
    if (this.nss.has(m.namespace)) return this.writeEmptyReply(m.wait);
    this.addNamespace(ns);
    // Go: the empty reply goes out before `_OnNamespaceConnected` fires.
    this.writeEmptyReply(m.wait);
    m.event = OnNamespaceConnected;
    fireAndForget(ns.events, ns, m, this.core.logger);
  }

  private replyDisconnect(m: ServerMessage): void | Promise<void> {
    if (m.wait === '' || m.isNoOp) return;
    const ns = this.nss.get(m.namespace);
    if (!ns) return this.writeEmptyReply(m.wait);
    m.isLocal = false;
    m.isForced = false;
    const out = fire(ns.events, ns, m);
    if (isPromise(out)) return out.then((o) => this.finishDisconnect(m, ns, o));
    this.finishDisconnect(m, ns, out);
  }

  private finishDisconnect(m: ServerMessage, ns: NSConn, o: Outcome): void {
    if (this.closed) return;
    if (o !== undefined) return this.answer(m, o);
    ns.forceLeaveAll(false);
    this.removeNamespace(ns);
    this.writeEmptyReply(m.wait);
  }

  /** Local cleanup when the socket closes or `close()` is called (no protocol message). */
  /** @internal */
  cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.handshakeTimer);
    for (const ns of [...this.nss.values()]) {
      ns.forceLeaveAll(true);
      const m = localMessage(ns.namespace, '', OnNamespaceDisconnect, true);
      fireAndForget(ns.events, ns, m, this.core.logger);
      this.removeNamespace(ns);
    }
    this.pending?.rejectAll(new ClosedError());
    const waiters = this.ackWaiters;
    this.ackWaiters = undefined;
    if (waiters) for (const w of waiters) w(false);
    this.inbox = undefined;
    if (this.registered) this.core.unregister(this);
  }
}

/** The socket's callbacks for one connection: one small object with prototype methods, no closures. */
class ConnHandlers implements SocketHandlers {
  constructor(private readonly conn: Conn) {}
  message(data: string | Uint8Array, isBinary: boolean): void {
    this.conn.onFrame(data, isBinary);
  }
  close(): void {
    this.conn.cleanup();
    this.conn.core.socketGone(this.conn);
  }
  pong(): void {
    this.conn.alive = true;
  }
}
