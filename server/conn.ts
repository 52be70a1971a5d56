/**
 * One client connection on the server: its one state (server/state.ts), the handshake, incoming dispatch (Go's
 * `handleMessage`; requests are answered by server/responder.ts), server-initiated requests, the write path and close.
 */
import type { IncomingMessage } from 'node:http';
import {
  BadNamespaceError, ClosedError, OnNamespaceConnect, OnNamespaceDisconnect, OnRoomJoin, OnRoomLeft, decode, encode,
  encodeAckId, isClientToken, type Frame, type Message, type MessageInit,
} from '../protocol/index.js';
import { fire, fireAndForget, isPromise, localMessage, type Handlers } from './handler.js';
import { NSConn } from './nsconn.js';
import { Handshake } from './handshake.js';
import { Requests } from './requests.js';
import { ConnExtras } from './conn-extras.js';
import { answer, respond, ruleOf } from './responder.js';
import { ValueStore } from './values.js';
import { SERVER_CONN_STATE_MOVES, checkMove, type ServerConnState } from './state.js';
import type { ServerCore } from './core.js';
import type { AskOptions, ServerMessage } from './types.js';
import { ConnHandlers } from './conn-handlers.js';
import { Inbox } from './inbox.js';
import { listOf, lookup, withNamespace, withoutNamespace, type NamespaceTable } from './namespaces.js';
import { UpgradeRequest } from './request.js';
import type { ServerSocket } from './socket.js';

/**
 * A client connection (Go's `*neffos.Conn`). Handlers reach it as `nsConn.conn`; `onConnect(conn)` receives it first.
 * Its one state — `awaiting-handshake` → `open` → `closing` → `closed` — is emitted as the server's `connState`.
 * (Its own methods are TS `private`, not `#`: `#` methods give every instance a brand slot, 8 bytes a connection.)
 * @example
 * const server = new Server(namespaces, {
 *   onConnect: (conn) => { if (!conn.request.headers.authorization) throw new Error('login first'); },
 * });
 */
export class Conn extends ValueStore {
  /** The connection id sent to the client in `A`+id (from `idGenerator`). */
  readonly id: string;
  /** The HTTP upgrade request (Iris's `GetContext`): url, method, headers (`X-Websocket-Header-*` applied), socket. */
  readonly request: UpgradeRequest;
  /** @internal coarse time of the last frame read */ lastRead = 0;
  /** @internal coarse time of the last pong (or frame) read */ lastPong = 0;
  /** @internal */ stalledSince = 0;
  /** @internal rooms joined, every namespace together */ rooms = 0;
  #state: ServerConnState = 'awaiting-handshake'; // changed only by moveTo: a checked move (server/state.ts), emitted
  #nss: NamespaceTable;
  /** Made on first use (the handshake, asks, held frames...), dropped by tidyExtras when nothing in it is in use. */
  #extras: ConnExtras | undefined;

  /** @internal use `Server.accept` */
  constructor(core: ServerCore, socket: ServerSocket, request: IncomingMessage, id: string) {
    super(core, socket);
    this.request = new UpgradeRequest(request);
    this.id = id;
    this.lastRead = this.lastPong = core.clock;
  }

  /** @internal The one way the state changes: a checked move, emitted as the server's `connState`. */
  private moveTo(to: ServerConnState): void {
    const from = this.#state;
    checkMove(SERVER_CONN_STATE_MOVES, from, to);
    if (from === to) return;
    this.#state = to;
    this.core.stateChanged(this, { from, to });
  }

  /** @internal starts reading, runs `onConnect` and the handshake timer. */
  start(): void {
    const native = this.core.onlyNative;
    const h = (this.ensureExtras().handshake = new Handshake(this, native));
    this.socket.listen(new ConnHandlers(this));
    // Go native-only mode: no ack either way; namespace "" is connected at once.
    if (native) this.addNamespace(new NSConn(this, '', this.core.events.get('') as Handlers));
    h.start();
  }

  /** `awaiting-handshake`, `open`, `closing` or `closed`; every change is emitted as the server's `connState`. */
  get state(): ServerConnState {
    return this.#state;
  }

  /** Whether the id is this connection's. */
  is(id: string): boolean {
    return this.id === id;
  }

  /** `X-Websocket-Reconnect` of the upgrade request: how many times the client retried (0 = first connection). */
  get reconnectTries(): number {
    const tries = Number.parseInt(String(this.request.headers['x-websocket-reconnect'] ?? ''), 10);
    return Number.isFinite(tries) && tries > 0 ? tries : 0;
  }

  /** Whether the client reconnected (`reconnectTries > 0`). */
  get wasReconnected(): boolean {
    return this.reconnectTries > 0;
  }

  /** Whether the connection is closing or closed (nothing is dispatched or written any more). */
  get isClosed(): boolean {
    return this.#state === 'closing' || this.#state === 'closed';
  }

  /** @internal the handshake completed and the connection is not closing */
  get isOpen(): boolean {
    return this.#state === 'open';
  }

  /** The handshake completed (`A`+id sent) and the connection is open. */
  get isAcknowledged(): boolean {
    return this.#state === 'open';
  }

  /** A connected namespace, or undefined. */
  namespace(name: string): NSConn | undefined {
    return lookup(this.#nss, name);
  }

  /** The connected namespaces. */
  namespaces(): NSConn[] {
    return listOf(this.#nss);
  }

  /**
   * Server-initiated namespace connect (Go's `Conn.Connect`): fires the local `_OnNamespaceConnect` (a thrown error
   * aborts), asks the client, then fires `_OnNamespaceConnected`. Called from `onConnect`, it accepts the connection
   * first and waits for the handshake. A second call meanwhile gets the same promise (one NSConn, one controller);
   * during this namespace's `disconnect()`, it connects again once that settled.
   * @example
   * onConnect: (conn) => { void conn.connect('forced').then((ns) => ns.emit('welcome', 'hi')); }
   */
  connect(namespace: string, options?: AskOptions): Promise<NSConn> {
    return this.requester().connect(namespace, options);
  }

  /** @internal accepts the connection if `onConnect` has not decided yet, and waits until it is open */
  async untilOpen(timeout: number): Promise<void> {
    if (this.isClosed) throw new ClosedError();
    const h = this.#extras?.handshake;
    if (h?.undecided) h.ready(undefined);
    if (!this.isOpen) await (this.#extras?.handshake?.wait(timeout) ?? Promise.reject(new ClosedError()));
  }

  /** Sends a message and waits for the client's answer (a reply, or an error that rejects). Prefer `nsConn.ask`. */
  ask(message: MessageInit, options?: AskOptions): Promise<ServerMessage> {
    return this.requester().ask<ServerMessage>(message, options, undefined);
  }

  /**
   * @internal asks, and runs `then` on the reply synchronously, before the next frame is handled (the client may use
   * a namespace or room right after answering). A promise from `then` holds later frames until it settles.
   */
  askThen<T>(message: MessageInit, options: AskOptions | undefined, then: (m: ServerMessage) => T | Promise<T>): Promise<T> {
    return this.requester().ask(message, options, then);
  }

  /** @internal this side's request of `event` for (namespace, room) in flight (a connect, join, leave, disconnect), if any */
  inFlight(event: string, namespace: string, room = ''): Promise<unknown> | undefined {
    return this.#extras?.requests?.inFlight(event, namespace, room);
  }

  /** @internal the request table (server asks), made on first use */
  private requester(): Requests {
    return (this.ensureExtras().requests ??= new Requests(this));
  }

  /** @internal the rarely used fields, made on first use */
  private ensureExtras(): ConnExtras {
    return (this.#extras ??= new ConnExtras());
  }

  /** @internal Drops the extras once nothing in them is in use (async handlers keep them: made again for each would cost). */
  private tidyExtras(): void {
    if (this.#extras?.isEmpty) this.#extras = undefined;
  }

  /** @internal runs `work` once per (event, namespace, room) at a time: a second call meanwhile gets the same promise. */
  once<T>(event: string, namespace: string, room: string, work: () => Promise<T>): Promise<T> {
    return this.requester().once(event, namespace, room, work);
  }

  /**
   * @internal the NSConn being connected for `namespace` (created if declared; undefined when not declared): a client
   * connect crossing a server connect of the namespace gets the same one (kept only while it is entering).
   */
  entering(namespace: string): NSConn | undefined {
    const known = lookup(this.#extras?.entering, namespace);
    if (known) return known;
    const events = this.core.events.get(namespace);
    if (!events) return undefined;
    const ns = new NSConn(this, this.core.namespaceNames.get(namespace) ?? namespace, events);
    const x = this.ensureExtras();
    x.entering = withNamespace(x.entering, ns);
    return ns;
  }

  /** @internal the connect of `ns` ended (accepted or not): a later connect starts afresh */
  entered(ns: NSConn): void {
    if (this.#extras) this.#extras.entering = withoutNamespace(this.#extras.entering, ns);
    this.tidyExtras();
  }

  /**
   * Writes a message if the write guard allows it (docs/protocol.md §4.6): the namespace must be connected and a room
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
    this.shutDown('closing');
    this.socket.close(code, reason);
  }

  /** @internal holds incoming frames (except replies to our asks) until `p` settles. */
  hold(p: Promise<unknown>): void {
    const held = (this.ensureExtras().held ??= new Inbox());
    held.holds++;
    const release = () => this.release(held);
    p.then(release, release);
  }

  /** @internal one hold on `held` ends; the last one dispatches what it kept */
  private release(held: Inbox): void {
    if (--held.holds > 0) return;
    let m: Message | undefined;
    while (held.holds === 0 && this.isOpen && (m = held.next()) !== undefined) this.dispatch(m);
    if (held.holds === 0 && this.#extras?.held === held) this.#extras.held = undefined;
    this.tidyExtras();
  }

  /** @internal write guard */
  canWrite(namespace: string, room: string, event: string): boolean {
    if (event === OnNamespaceConnect || event === OnNamespaceDisconnect) return true;
    const ns = lookup(this.#nss, namespace);
    if (ns === undefined) return false;
    if (room !== '' && event !== OnRoomJoin && event !== OnRoomLeft) return ns.hasRoom(room);
    return true;
  }

  /** @internal registers a connected namespace (and the server's index). */
  addNamespace(ns: NSConn): void {
    this.#nss = withNamespace(this.#nss, ns);
    this.core.indexNamespace(ns, true);
  }

  /** @internal */
  removeNamespace(ns: NSConn): void {
    this.#nss = withoutNamespace(this.#nss, ns);
    this.core.indexNamespace(ns, false);
    this.#extras?.held?.went(ns.namespace);
  }

  /** @internal the handshake completed: open, registered, `A` + id sent */
  open(): void {
    if (this.#extras) this.#extras.handshake = undefined;
    this.tidyExtras();
    this.moveTo('open');
    this.core.register(this);
    if (!this.core.onlyNative) this.send(encodeAckId(this.id), false);
  }

  /** @internal one frame, handled by the rule of the state it arrives in */
  onFrame(data: Frame, isBinary: boolean): void {
    this.lastRead = this.lastPong = this.core.clock;
    const st = this.#state;
    if (st === 'open') {
      if (data.length === 0) return;
      const m = decode(data, this.core.decodeOptions);
      if (m.invalid === true) return this.core.invalidFrame(this, data);
      const held = this.#extras?.held;
      if (held === undefined) return this.dispatch(m);
      if (this.resolveReply(m)) return;
      if (!held.keep(m, this.core.limits.maxHeldBytes)) return this.close(1008, 'too many bytes while a request is pending');
    } else if (st === 'awaiting-handshake') this.#extras?.handshake?.frame(data, isBinary);
    // closing, closed: nothing more is dispatched
  }

  /** @internal Go's `handleMessage`, server side. */
  private dispatch(m: Message): void {
    if (this.core.onlyNative) {
      const ns = lookup(this.#nss, '');
      if (ns) this.answerEvent(m as ServerMessage, ns);
      return;
    }
    const max = this.core.limits.maxNameLength;
    if (m.namespace.length > max || m.room.length > max || m.event.length > max) return this.close(1008, 'name too long');
    if (this.resolveReply(m)) return;
    const ns = lookup(this.#nss, m.namespace);
    // Held while its namespace went away (a disconnect crossed it): answered, where Go's is silent (below).
    const went = ns === undefined && this.#extras?.held?.gone?.has(m.namespace) === true;
    const rule = ruleOf(m.event);
    if (rule !== undefined) {
      // An async system handler: later frames wait, so state changes keep their order.
      const r = respond(this, rule, m as ServerMessage, went);
      if (r !== undefined) this.hold(r);
      return;
    }
    if (ns) this.answerEvent(m as ServerMessage, ns);
    // Go answers `bad namespace` and its write guard drops it: silence; a request that `went` hears it.
    else if (went && m.wait !== '') this.writeRefusal(m, new BadNamespaceError());
  }

  /** @internal Server tokens (not a client's `$…`) may be replies to `Conn.ask` or `Server.ask`. */
  private resolveReply(m: Message): boolean {
    const w = m.wait;
    if (w === '' || isClientToken(w)) return false;
    return this.core.resolveReply(m, this) || (this.#extras?.requests?.pending.resolve(w, m) ?? false);
  }

  /** @internal a user event: its handler runs, and a Reply or error goes back */
  private answerEvent(m: ServerMessage, ns: NSConn): void {
    m.isLocal = false;
    m.isForced = false;
    const out = fire(ns.events, ns, m);
    if (out === undefined) return;
    if (!isPromise(out)) return answer(this, m, out);
    const x = this.ensureExtras();
    if (++x.busy > this.core.limits.maxPendingHandlers) return this.close(1008, 'too many pending handlers');
    out.then((o) => {
      x.busy--;
      answer(this, m, o);
    });
  }

  /** @internal the socket closed (its close event; once) */
  gone(): void {
    if (this.#state === 'closed') return;
    this.shutDown('closed');
    this.core.socketGone(this);
  }

  /** @internal The one way out of `awaiting-handshake` and `open`: local cleanup, no protocol message. */
  private shutDown(to: 'closing' | 'closed'): void {
    const from = this.#state;
    this.moveTo(to);
    if (from === 'closing') return; // cleaned up when it started closing
    this.#extras?.handshake?.end(false);
    if (this.#extras) this.#extras.handshake = undefined;
    for (const ns of listOf(this.#nss)) {
      ns.forceLeaveAll(true);
      fireAndForget(ns.events, ns, localMessage(ns.namespace, '', OnNamespaceDisconnect, true), this.core.logger);
      this.removeNamespace(ns);
    }
    this.#extras?.requests?.pending.rejectAll(new ClosedError());
    if (this.#extras) this.#extras.held = undefined;
    if (from === 'open') this.core.unregister(this);
  }
}
