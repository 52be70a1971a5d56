/**
 * The neffos server: namespaces and options in, connections out. Speaks the Go
 * neffos protocol to Go clients, neffos.js and the neffos-ts client alike.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import {
  ClosedError, OnNativeMessage, askAbortedError, checkBody, isValidConnectionId,
  type DecodeOptions, type Message,
} from '../protocol/index.js';
import { Conn } from './conn.js';
import { Cluster } from './cluster.js';
import type { StackExchange, StackExchangeStats } from './exchange.js';
import { serverNamespaces, type ConnHandler, type ConnHandlerLike } from './controller.js';
import { type Handlers } from './handler.js';
import { answerPlainRequest, applyQueryHeaders, originAllowed, pathOf, refuseUpgrade, routeUpgrade, serveClientScript } from './http.js';
import { NSConn } from './nsconn.js';
import { sweep, sweepTick } from './liveness.js';
import { DEFAULTS, resolveLimits, resolveTimers, type Limits, type Timers } from './options.js';
import { PendingAsks } from './pending.js';
import { Registry } from './registry.js';
import { WsSocket, type ServerSocket } from './socket.js';
import type { ServerConnStateChange } from './state.js';
import { createServerTokens } from './tokens.js';
import type {
  AskOptions, BroadcastMessage, Logger, NamespaceMap, ServerEventMap, ServerMessage, ServerNamespaces, ServerOptions, SlowConsumerPolicy,
} from './types.js';

export { DEFAULTS };

/** Before the upgrade completes, a socket error just ends the socket (shared: no closure per request). */
function destroySocket(this: Duplex): void {
  this.destroy();
}

/**
 * A neffos server.
 * @example
 * import { createServer } from 'node:http';
 * import { Server, reply } from 'neffos-ts/server';
 *
 * const server = new Server({
 *   default: {
 *     echo: (ns, msg) => reply(msg.body),
 *     chat: (ns, msg) => ns.broadcastOthers(msg),
 *   },
 * });
 * const http = createServer();
 * server.attach(http, { path: '/echo' });
 * http.listen(8080);
 */
export class Server<N extends NamespaceMap = NamespaceMap> extends EventEmitter<ServerEventMap> {
  /** @internal */ readonly events: Map<string, Handlers>;
  /** @internal */ readonly allowNative: boolean;
  /** @internal */ readonly onlyNative: boolean;
  /** @internal */ readonly onConnect: ServerOptions['onConnect'];
  /** @internal */ readonly handshakeTimeout: number;
  /** @internal */ readonly requestTimeout: number;
  /** @internal */ readonly systemHandlerTimeout: number;
  /** @internal */ readonly maxBufferedAmount: number;
  /** @internal */ readonly slowConsumer: SlowConsumerPolicy;
  /** @internal */ readonly limits: Limits;
  /** @internal */ readonly logger: Logger;
  /** @internal */ readonly onInvalidFrame: ServerOptions['onInvalidFrame'];
  /** @internal */ clock = Date.now();
  /** @internal */ readonly decodeOptions: DecodeOptions;
  readonly options: Readonly<ServerOptions>;
  readonly #registry = new Registry();
  // Every accepted socket until its close event, handshake done or not (close() waits for them).
  readonly #sockets = new Set<Conn>();
  #goneWaiters: Array<() => void> = [];
  readonly #pending = new PendingAsks();
  // wait token → the connection id an ask was sent `to`: only that connection's reply resolves it.
  readonly #askTargets = new Map<string, string>();
  // Connections that wrote in this tick; one nextTick flushes them all (not one callback per socket).
  #dirty: Conn[] = [];
  readonly #flushDirty = (): void => {
    const list = this.#dirty;
    this.#dirty = [];
    for (let i = 0; i < list.length; i++) list[i]!.flush();
  };
  readonly #token = createServerTokens();
  readonly #wss: WebSocketServer;
  readonly #tooBig: string;
  readonly #timers: Timers;
  readonly #sweepTimer: ReturnType<typeof setInterval>;
  #lastPing = 0;
  #closed = false;
  #dropped = 0;

  constructor(namespaces: ServerNamespaces<N> | ConnHandler = {} as ServerNamespaces<N>, options: ServerOptions = {}) {
    super();
    this.options = options;
    this.events = serverNamespaces(namespaces as ConnHandlerLike, options.controllers ?? [], options.dependencies ?? {});
    const empty = this.events.get('');
    this.allowNative = empty?.has(OnNativeMessage) ?? false;
    this.onlyNative = this.events.size === 1 && empty !== undefined && empty.size === 1 && this.allowNative;
    this.decodeOptions = { allowNative: this.allowNative, onlyNative: this.onlyNative };
    this.onConnect = options.onConnect;
    this.handshakeTimeout = options.handshakeTimeout ?? DEFAULTS.handshakeTimeout;
    this.requestTimeout = options.requestTimeout ?? DEFAULTS.requestTimeout;
    this.systemHandlerTimeout = options.systemHandlerTimeout ?? DEFAULTS.systemHandlerTimeout;
    this.maxBufferedAmount = options.maxBufferedAmount ?? DEFAULTS.maxBufferedAmount;
    this.slowConsumer = options.slowConsumer ?? DEFAULTS.slowConsumer;
    this.limits = resolveLimits(options);
    this.logger = options.logger ?? console;
    this.onInvalidFrame = options.onInvalidFrame;
    const maxPayload = options.maxMessageSize ?? DEFAULTS.maxMessageSize;
    this.#wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false, clientTracking: false });
    this.#tooBig = `message too big: the limit is ${maxPayload} bytes`;
    const extra = Object.entries(options.responseHeaders ?? {}).map(([k, v]) => `${k}: ${v}`);
    if (extra.length > 0) this.#wss.on('headers', (headers: string[]) => headers.push(...extra));
    this.#timers = resolveTimers(options);
    this.#sweepTimer = setInterval(() => this.#sweep(), sweepTick(this.#timers));
    this.#sweepTimer.unref();
    if (options.stackExchange) this.useStackExchange(options.stackExchange);
  }

  /**
   * Scales out over a StackExchange (Redis, NATS, or the in-memory default): broadcasts, `to`
   * and asks then reach the connections of every server on the same broker and prefix, Go
   * neffos servers included (docs/scale.md). Replaces the previous exchange (which is closed).
   * @example
   * import { RedisStackExchange } from 'neffos-ts/server/redis';
   * server.useStackExchange(new RedisStackExchange({ url: 'redis://127.0.0.1:6379' }, 'MyChatApp'));
   */
  useStackExchange(exchange: StackExchange): this {
    const reg = this.#registry;
    const old = reg.cluster;
    reg.cluster = undefined;
    if (old) void old.close();
    if (exchange.local === true || this.#closed) return this;
    const cluster = new Cluster({
      logger: this.logger,
      requestTimeout: this.requestTimeout,
      fanout: (ns, room, _event, frame, isBinary, skipId) => reg.fanout(ns, room, frame, isBinary, null, skipId),
      fanoutTo: (id, ns, room, event, frame, isBinary, skipId) => reg.fanoutTo(id, ns, room, event, frame, isBinary, null, skipId),
      event: (e) => {
        try {
          this.options.onStackExchange?.(e);
        } catch (err) {
          this.logger.error('neffos: onStackExchange failed:', err);
        }
      },
    }, exchange);
    reg.cluster = cluster;
    for (const ns of reg.byNamespace.keys()) cluster.namespaceUsed(ns, true);
    for (const id of reg.byId.keys()) cluster.idUsed(id, true);
    void cluster.open();
    return this;
  }

  /** The StackExchange in use (undefined: the in-memory default). */
  get stackExchange(): StackExchange | undefined {
    return this.#registry.cluster?.exchange;
  }

  /** Counters of the cluster traffic (undefined without a StackExchange). */
  get stackExchangeStats(): Readonly<StackExchangeStats> | undefined {
    const cluster = this.#registry.cluster;
    return cluster ? { ...cluster.stats } : undefined;
  }

  /**
   * Serves the endpoint on a Node http/https server: upgrades at `path`, answers HEAD (302)
   * and other methods (405) there, serves `clientScript`, and passes other requests to the
   * server's existing request listeners.
   * @example
   * server.attach(httpServer, { path: '/echo' });
   */
  attach(httpServer: HttpServer, options: { path?: string } = {}): this {
    const path = options.path ?? '/';
    routeUpgrade(httpServer, path, (req, socket, head) => this.handleUpgrade(req, socket, head));
    const previous = httpServer.listeners('request').slice() as Array<(req: IncomingMessage, res: ServerResponse) => void>;
    httpServer.removeAllListeners('request');
    httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const p = pathOf(req.url);
      if (p === path || (this.options.clientScript && p === this.options.clientScript)) return void this.handleRequest(req, res);
      if (previous.length === 0) return void res.writeHead(404).end();
      for (const l of previous) l.call(httpServer, req, res);
    });
    return this;
  }

  /**
   * Answers a plain HTTP request for the endpoint (HEAD → 302, non-GET → 405, GET → 400)
   * or for `clientScript`. For frameworks: call it from the route of the endpoint.
   * @example
   * app.head('/echo', (req, res) => server.handleRequest(req, res));
   */
  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.options.clientScript && pathOf(req.url) === this.options.clientScript) return serveClientScript(req, res, this.logger, this.options.clientScriptFile);
    answerPlainRequest(req, res);
  }

  /**
   * Upgrades one request (Express, Fastify, Koa and the rest: call it from the http server's
   * `upgrade` event for the endpoint's path).
   * @example
   * httpServer.on('upgrade', (req, socket, head) => {
   *   if (req.url?.startsWith('/echo')) server.handleUpgrade(req, socket, head);
   * });
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', destroySocket);
    const fail = (status: number, text: string, extra = '') => {
      refuseUpgrade(socket, status, text, extra);
      this.options.onUpgradeError?.(new Error(text), req);
    };
    if (this.#closed) return fail(500, 'server closed');
    if (req.method !== 'GET') return fail(405, 'Method Not Allowed', 'Allow: GET\r\n');
    if (!originAllowed(req, this.options.allowedOrigins ?? 'same-origin')) {
      this.logger.warn(`neffos: refused WebSocket upgrade from origin ${String(req.headers.origin)} (host ${String(req.headers.host)}); set the allowedOrigins option to allow it`);
      return fail(403, 'Forbidden: origin not allowed');
    }
    applyQueryHeaders(req);
    let id: string;
    try {
      id = this.options.idGenerator ? this.options.idGenerator(req) : randomUUID();
    } catch (e) {
      return fail(500, 'id generator failed: ' + String((e as Error)?.message ?? e));
    }
    if (!isValidConnectionId(id)) return fail(500, 'invalid connection id (empty or containing ";")');
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      // ws watches the socket's errors from here on: no listener of ours stays per connection.
      socket.off('error', destroySocket);
      // The socket itself is handed over too: WsSocket corks it (ws exposes no cork of its own).
      this.accept(new WsSocket(ws, this.#tooBig, socket), req, id);
    });
  }

  /**
   * Starts a connection on an already upgraded socket: the seam for transports other than `ws`.
   * @example
   * server.accept(myUwsAdapter, request);
   */
  accept(socket: ServerSocket, request: IncomingMessage, id?: string): Conn {
    const conn = new Conn(this, socket, request, id ?? (this.options.idGenerator ? this.options.idGenerator(request) : randomUUID()));
    this.#sockets.add(conn);
    if (this.#closed) {
      conn.close(1001, 'server closed');
      return conn;
    }
    conn.start();
    return conn;
  }

  /**
   * Sends a message to every connection that has its namespace connected (and its room joined),
   * except `except` (a Conn or NSConn, or a connection id), or only to `message.to`.
   * The frame is encoded once for every receiver.
   * @example
   * server.broadcast(null, { namespace: 'default', event: 'news', body: 'hi all' });
   * server.broadcast(nsConn, { namespace: 'default', room: 'r1', event: 'chat', body: 'hi room' });
   */
  broadcast(except: Conn | NSConn | string | null, message: BroadcastMessage): void {
    this.#registry.send(except, message, '');
  }

  /**
   * Asks connections (all of the namespace, or `to`); the first reply wins (Go's `Server.Ask`). Sent `to` one
   * connection, only that connection's reply resolves it. Tokens are unpredictable (server/tokens.ts).
   * @example
   * const answer = await server.ask({ namespace: 'default', event: 'status' }, { to: id, timeout: 5000 });
   */
  ask(message: BroadcastMessage, options: AskOptions & { to?: string } = {}): Promise<ServerMessage> {
    if (options.signal?.aborted) return Promise.reject(askAbortedError(options.signal));
    const reg = this.#registry;
    if (reg.cluster) {
      if (message.body !== undefined) checkBody(message.body, 'ask');
      const namespace = message.namespace ?? '';
      const room = message.room ?? '';
      return reg.cluster.ask(message, options, (frame, isBinary) => {
        if (options.to) reg.fanoutTo(options.to, namespace, room, message.event, frame, isBinary, null, '');
        else reg.fanout(namespace, room, frame, isBinary, null, '');
      });
    }
    const wait = this.nextToken();
    const p = this.#pending.add(wait, options.timeout ?? this.requestTimeout, options.signal);
    if (options.to) {
      this.#askTargets.set(wait, options.to);
      const forget = () => void this.#askTargets.delete(wait);
      p.then(forget, forget);
    }
    this.#registry.send(null, options.to ? { ...message, to: options.to } : message, wait);
    return p;
  }

  /**
   * The connections by id (a snapshot). When several share an id (an `idGenerator` that repeats ids, as Go allows)
   * this holds the newest of them: {@link Server.connectionList} and {@link Server.connectionsWithId} list them all.
   */
  get connections(): Map<string, Conn> {
    const out = new Map<string, Conn>();
    for (const id of this.#registry.byId.keys()) out.set(id, this.#registry.newest(id)!);
    return out;
  }

  /** Every open connection (a snapshot), ids shared or not. */
  connectionList(): Conn[] {
    return [...this.#registry.all];
  }

  /** The open connections with `id`: more than one when the `idGenerator` repeats ids (a user on two tabs). */
  connectionsWithId(id: string): Conn[] {
    return this.#registry.withId(id);
  }

  /**
   * Closes every connection with `id` (all of them when the id is shared) with `code` and `reason`; returns how many
   * it closed.
   * @example
   * server.disconnect('alice', 4001, 'kicked');
   */
  disconnect(id: string, code = 1000, reason = ''): number {
    const list = this.#registry.withId(id);
    for (const c of list) c.close(code, reason);
    return list.length;
  }

  /** How many connections are open. */
  get totalConnections(): number {
    return this.#registry.all.size;
  }

  /** Messages dropped by the `slowConsumer: 'drop'` policy, every connection together (each also emitted as `drop`). */
  get droppedMessages(): number {
    return this.#dropped;
  }

  /** The connections that have `namespace` connected, by id (a snapshot). */
  connectionsByNamespace(namespace: string): Map<string, NSConn> {
    const out = new Map<string, NSConn>();
    for (const ns of this.#registry.byNamespace.get(namespace) ?? []) out.set(ns.conn.id, ns);
    return out;
  }

  /** Every NSConn of `namespace` (a snapshot), ids shared or not. */
  namespaceMembers(namespace: string): NSConn[] {
    return [...(this.#registry.byNamespace.get(namespace) ?? [])];
  }

  /** How many connections of `namespace` joined `room`. */
  roomSize(namespace: string, room: string): number {
    return this.#registry.byRoom.get(namespace)?.get(room)?.size ?? 0;
  }

  /** A connection by id (the newest one when the id is shared). */
  connection(id: string): Conn | undefined {
    return this.#registry.newest(id);
  }

  /** Whether `close()` was called. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Closes every connection, handshake finished or not, with a close frame (1001 by default); later
   * upgrades get HTTP 500 and no handshake completes afterwards. Resolves when every socket is gone.
   */
  close(code = 1001, reason = 'server closed'): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      clearInterval(this.#sweepTimer);
      // Every socket, handshake finished or not.
      for (const c of [...this.#sockets]) c.close(code, reason);
      this.#pending.rejectAll(new ClosedError('server closed'));
      this.#wss.close();
      const cluster = this.#registry.cluster;
      this.#registry.cluster = undefined;
      if (cluster) {
        const gone = cluster.close();
        if (this.#sockets.size === 0) return gone;
        return Promise.all([gone, new Promise<void>((resolve) => this.#goneWaiters.push(resolve))]).then(() => undefined);
      }
    }
    if (this.#sockets.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#goneWaiters.push(resolve));
  }

  // ---- ServerCore (internal) ----

  /** @internal */
  socketGone(conn: Conn): void {
    this.#sockets.delete(conn);
    if (this.#sockets.size > 0 || this.#goneWaiters.length === 0) return;
    const w = this.#goneWaiters;
    this.#goneWaiters = [];
    for (const f of w) f();
  }

  /** @internal a fresh unpredictable wait token, unused by any pending ask of this server */
  nextToken(): string {
    let t = this.#token();
    while (this.#pending.has(t)) t = this.#token();
    return t;
  }

  /** @internal */
  touched(conn: Conn): void {
    if (this.#dirty.push(conn) === 1) process.nextTick(this.#flushDirty);
  }

  /** @internal a Conn changed state: `connState` listeners hear it (a throwing listener is logged, never fatal) */
  stateChanged(conn: Conn, change: ServerConnStateChange): void {
    if (this.listenerCount('connState') === 0) return;
    try {
      this.emit('connState', conn, change);
    } catch (e) {
      this.logger.error('neffos: a connState listener failed:', e);
    }
  }

  /** @internal the slow-consumer policy dropped a message of `conn` */
  dropped(conn: Conn, bufferedAmount: number): void {
    this.#dropped++;
    if (this.listenerCount('drop') === 0) {
      if (conn.droppedMessages === 1) this.logger.warn(`neffos: slow consumer ${conn.id}: dropping messages (send buffer ${bufferedAmount} bytes); listen to the server's 'drop' event`);
      return;
    }
    try {
      this.emit('drop', conn, { dropped: conn.droppedMessages, bufferedAmount });
    } catch (e) {
      this.logger.error('neffos: a drop listener failed:', e);
    }
  }

  /** @internal */
  register(conn: Conn): void {
    this.#registry.add(conn);
  }

  /** @internal */
  unregister(conn: Conn): void {
    if (!this.#registry.delete(conn)) return;
    const cb = this.options.onDisconnect;
    if (cb) {
      try {
        cb(conn);
      } catch (e) {
        this.logger.error('neffos: onDisconnect failed:', e);
      }
    }
  }

  /** @internal */
  hasConnection(id: string): boolean {
    return this.#registry.byId.has(id);
  }

  /** @internal */
  indexNamespace(ns: NSConn, connected: boolean): void {
    this.#registry.namespace(ns, connected);
  }

  /** @internal */
  indexRoom(ns: NSConn, room: string, joined: boolean): void {
    this.#registry.room(ns, room, joined);
  }

  /** @internal */
  resolveReply(m: Message, from: Conn): boolean {
    const to = this.#askTargets.get(m.wait);
    if (to !== undefined && to !== from.id) return false;
    if (this.#pending.resolve(m.wait, m)) return true;
    const cluster = this.#registry.cluster;
    return cluster !== undefined && cluster.reply(m);
  }

  #sweep(): void {
    const now = (this.clock = Date.now());
    const period = this.#timers.pingPeriod;
    const ping = period > 0 && now - this.#lastPing >= period;
    if (ping) this.#lastPing = now;
    sweep(this.#registry.all, now, this.#timers, ping);
  }
}

/** The upgrade request of a connection (Iris's `websocket.GetContext`). */
export function getContext(conn: Conn): IncomingMessage {
  return conn.request;
}
