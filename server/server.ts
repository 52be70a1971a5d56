/**
 * The neffos server: namespaces and options in, connections out. Speaks the Go
 * neffos protocol to Go clients, neffos.js and the neffos-ts client alike.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import {
  AbortError, ClosedError, OnNativeMessage, checkBody, createWaitTokenGenerator, encode, isValidConnectionId,
  type DecodeOptions, type Message,
} from '../protocol/index.js';
import { Conn } from './conn.js';
import { Cluster } from './cluster.js';
import type { StackExchange, StackExchangeStats } from './exchange.js';
import { serverNamespaces, type ConnHandler, type ConnHandlerLike } from './controller.js';
import { type Handlers } from './handler.js';
import { answerPlainRequest, applyQueryHeaders, originAllowed, pathOf, refuseUpgrade, routeUpgrade, serveClientScript } from './http.js';
import { NSConn } from './nsconn.js';
import { PendingAsks } from './pending.js';
import { WsSocket, type ServerSocket } from './socket.js';
import type { AskOptions, BroadcastMessage, Logger, NamespaceMap, ServerMessage, ServerNamespaces, ServerOptions, SlowConsumerPolicy } from './types.js';

/** Defaults of every limit (documented in docs/server.md). */
export const DEFAULTS = {
  handshakeTimeout: 10_000,
  requestTimeout: 30_000,
  readTimeout: 0,
  writeTimeout: 0,
  pongTimeout: 60_000,
  maxMessageSize: 1 << 20,
  maxBufferedAmount: 4 << 20,
  slowConsumer: 'close' as SlowConsumerPolicy,
} as const;

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
export class Server<N extends NamespaceMap = NamespaceMap> {
  /** @internal */ readonly events: Map<string, Handlers>;
  /** @internal */ readonly allowNative: boolean;
  /** @internal */ readonly onlyNative: boolean;
  /** @internal */ readonly onConnect: ServerOptions['onConnect'];
  /** @internal */ readonly handshakeTimeout: number;
  /** @internal */ readonly requestTimeout: number;
  /** @internal */ readonly maxBufferedAmount: number;
  /** @internal */ readonly slowConsumer: SlowConsumerPolicy;
  /** @internal */ readonly logger: Logger;
  /** @internal */ readonly onInvalidFrame: ServerOptions['onInvalidFrame'];
  /** @internal */ clock = Date.now();
  readonly options: Readonly<ServerOptions>;
  private readonly conns = new Map<string, Conn>();
  // Every open connection by id: several may share one (Go allows it); `to(id)` reaches them all.
  private readonly byId = new Map<string, Conn | Set<Conn>>();
  // Scale-out (docs/protocol.md §7): undefined while the in-memory default is in use.
  private cluster: Cluster | undefined;
  private readonly all = new Set<Conn>();
  // Every accepted socket until its close event, handshake done or not (close() waits for them).
  private readonly sockets = new Set<Conn>();
  private goneWaiters: Array<() => void> = [];
  private readonly byNamespace = new Map<string, Set<NSConn>>();
  private readonly byRoom = new Map<string, Map<string, Set<NSConn>>>();
  private readonly pending = new PendingAsks();
  // wait token → the connection id an ask was sent `to`: only that connection's reply resolves it.
  private readonly askTargets = new Map<string, string>();
  /** @internal */ readonly decodeOptions: DecodeOptions;
  // Connections that wrote in this tick; one nextTick flushes them all (not one callback per socket).
  private dirty: Conn[] = [];
  private readonly flushDirty = (): void => {
    const list = this.dirty;
    this.dirty = [];
    for (let i = 0; i < list.length; i++) list[i].flush();
  };
  private readonly token = createWaitTokenGenerator('server');
  private readonly wss: WebSocketServer;
  private readonly tooBig: string;
  private readonly sweepTimer: ReturnType<typeof setInterval>;
  private readonly pingEvery: number;
  private lastPing = 0;
  private closed = false;

  constructor(namespaces: ServerNamespaces<N> | ConnHandler = {} as ServerNamespaces<N>, options: ServerOptions = {}) {
    this.options = options;
    this.events = serverNamespaces(namespaces as ConnHandlerLike, options.controllers ?? [], options.dependencies ?? {});
    const empty = this.events.get('');
    this.allowNative = empty?.has(OnNativeMessage) ?? false;
    this.onlyNative = this.events.size === 1 && empty !== undefined && empty.size === 1 && this.allowNative;
    this.decodeOptions = { allowNative: this.allowNative, onlyNative: this.onlyNative };
    this.onConnect = options.onConnect;
    this.handshakeTimeout = options.handshakeTimeout ?? DEFAULTS.handshakeTimeout;
    this.requestTimeout = DEFAULTS.requestTimeout;
    this.maxBufferedAmount = options.maxBufferedAmount ?? DEFAULTS.maxBufferedAmount;
    this.slowConsumer = options.slowConsumer ?? DEFAULTS.slowConsumer;
    this.logger = options.logger ?? console;
    this.onInvalidFrame = options.onInvalidFrame;
    const maxPayload = options.maxMessageSize ?? DEFAULTS.maxMessageSize;
    this.wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false, clientTracking: false });
    this.tooBig = `message too big: the limit is ${maxPayload} bytes`;
    const extra = Object.entries(options.responseHeaders ?? {}).map(([k, v]) => `${k}: ${v}`);
    if (extra.length > 0) this.wss.on('headers', (headers: string[]) => headers.push(...extra));
    const pong = options.pongTimeout ?? DEFAULTS.pongTimeout;
    this.pingEvery = pong > 0 ? options.pingPeriod ?? Math.floor((pong * 9) / 10) : 0;
    const periods = [this.pingEvery, options.readTimeout ?? 0, options.writeTimeout ?? 0].filter((n) => n > 0);
    const tick = Math.max(10, Math.min(1000, ...periods.map((p) => Math.floor(p / 4))));
    this.sweepTimer = setInterval(() => this.sweep(), tick);
    this.sweepTimer.unref();
    if (options.stackExchange) this.useStackExchange(options.stackExchange);
  }

  /**
   * Scales out over a StackExchange (Redis, NATS, or the in-memory default): broadcasts, `to`
   * and asks then reach the connections of every server on the same broker and prefix, Go
   * neffos servers included. Replaces the previous exchange (which is closed).
   * @example
   * import { RedisStackExchange } from 'neffos-ts/server/redis';
   * server.useStackExchange(new RedisStackExchange({ url: 'redis://127.0.0.1:6379' }, 'MyChatApp'));
   */
  useStackExchange(exchange: StackExchange): this {
    const old = this.cluster;
    this.cluster = undefined;
    if (old) void old.close();
    if (exchange.local === true || this.closed) return this;
    const cluster = new Cluster({
      logger: this.logger,
      requestTimeout: this.requestTimeout,
      fanout: (ns, room, event, frame, isBinary, skipId) => this.fanout(ns, room, frame, isBinary, null, skipId),
      fanoutTo: (id, ns, room, event, frame, isBinary, skipId) => this.fanoutTo(id, ns, room, event, frame, isBinary, null, skipId),
      event: (e) => {
        try {
          this.options.onStackExchange?.(e);
        } catch (err) {
          this.logger.error('neffos: onStackExchange failed:', err);
        }
      },
    }, exchange);
    this.cluster = cluster;
    for (const ns of this.byNamespace.keys()) cluster.namespaceUsed(ns, true);
    for (const id of this.byId.keys()) cluster.idUsed(id, true);
    void cluster.open();
    return this;
  }

  /** The StackExchange in use (undefined: the in-memory default). */
  get stackExchange(): StackExchange | undefined {
    return this.cluster?.exchange;
  }

  /** Counters of the cluster traffic (undefined without a StackExchange). */
  get stackExchangeStats(): Readonly<StackExchangeStats> | undefined {
    return this.cluster ? { ...this.cluster.stats } : undefined;
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
    if (this.closed) return fail(500, 'server closed');
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
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // ws watches the socket's errors from here on: no listener of ours stays per connection.
      socket.off('error', destroySocket);
      this.accept(new WsSocket(ws, this.tooBig), req, id);
    });
  }

  /**
   * Starts a connection on an already upgraded socket: the seam for transports other than `ws`.
   * @example
   * server.accept(myUwsAdapter, request);
   */
  accept(socket: ServerSocket, request: IncomingMessage, id?: string): Conn {
    const conn = new Conn(this, socket, request, id ?? (this.options.idGenerator ? this.options.idGenerator(request) : randomUUID()));
    this.sockets.add(conn);
    if (this.closed) {
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
    this.send(except, message, '');
  }

  /**
   * Asks connections (all of the namespace, or `to`); the first reply wins (Go's `Server.Ask`).
   * @example
   * const answer = await server.ask({ namespace: 'default', event: 'status' }, { to: id, timeout: 5000 });
   */
  ask(message: BroadcastMessage, options: AskOptions & { to?: string } = {}): Promise<ServerMessage> {
    if (options.signal?.aborted) return Promise.reject(new AbortError());
    if (this.cluster) {
      if (message.body !== undefined) checkBody(message.body, 'ask');
      const namespace = message.namespace ?? '';
      const room = message.room ?? '';
      return this.cluster.ask(message, options, (frame, isBinary) => {
        if (options.to) this.fanoutTo(options.to, namespace, room, message.event, frame, isBinary, null, '');
        else this.fanout(namespace, room, frame, isBinary, null, '');
      });
    }
    const wait = this.token();
    const p = this.pending.add(wait, options.timeout ?? this.requestTimeout, options.signal);
    if (options.to) {
      this.askTargets.set(wait, options.to);
      const forget = () => void this.askTargets.delete(wait);
      p.then(forget, forget);
    }
    this.send(null, options.to ? { ...message, to: options.to } : message, wait);
    return p;
  }

  /** The connections by id (a snapshot). */
  get connections(): Map<string, Conn> {
    return new Map(this.conns);
  }

  /** How many connections are open. */
  get totalConnections(): number {
    return this.all.size;
  }

  /** The connections that have `namespace` connected, by id (a snapshot). */
  connectionsByNamespace(namespace: string): Map<string, NSConn> {
    const out = new Map<string, NSConn>();
    for (const ns of this.byNamespace.get(namespace) ?? []) out.set(ns.conn.id, ns);
    return out;
  }

  /** How many connections of `namespace` joined `room`. */
  roomSize(namespace: string, room: string): number {
    return this.byRoom.get(namespace)?.get(room)?.size ?? 0;
  }

  /** A connection by id. */
  connection(id: string): Conn | undefined {
    return this.conns.get(id);
  }

  /** Whether `close()` was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Closes every connection, handshake finished or not, with a close frame (1001 by default); later
   * upgrades get HTTP 500 and no handshake completes afterwards. Resolves when every socket is gone.
   */
  close(code = 1001, reason = 'server closed'): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      clearInterval(this.sweepTimer);
      // Every socket, handshake finished or not.
      for (const c of [...this.sockets]) c.close(code, reason);
      this.pending.rejectAll(new ClosedError('server closed'));
      this.wss.close();
      const cluster = this.cluster;
      this.cluster = undefined;
      if (cluster) {
        const gone = cluster.close();
        if (this.sockets.size === 0) return gone;
        return Promise.all([gone, new Promise<void>((resolve) => this.goneWaiters.push(resolve))]).then(() => undefined);
      }
    }
    if (this.sockets.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.goneWaiters.push(resolve));
  }

  /** @internal */
  socketGone(conn: Conn): void {
    this.sockets.delete(conn);
    if (this.sockets.size > 0 || this.goneWaiters.length === 0) return;
    const w = this.goneWaiters;
    this.goneWaiters = [];
    for (const f of w) f();
  }

  // ---- ServerCore (internal) ----

  /** @internal */
  nextToken(): string {
    return this.token();
  }

  /** @internal */
  touched(conn: Conn): void {
    if (this.dirty.push(conn) === 1) process.nextTick(this.flushDirty);
  }

  /** @internal */
  register(conn: Conn): void {
    this.all.add(conn);
    this.conns.set(conn.id, conn);
    const same = this.byId.get(conn.id);
    if (same === undefined) {
      this.byId.set(conn.id, conn);
      this.cluster?.idUsed(conn.id, true);
    } else if (same instanceof Set) same.add(conn);
    else this.byId.set(conn.id, new Set([same, conn]));
  }

  /** @internal */
  unregister(conn: Conn): void {
    if (!this.all.delete(conn)) return;
    if (this.conns.get(conn.id) === conn) this.conns.delete(conn.id);
    const same = this.byId.get(conn.id);
    if (same === conn) {
      this.byId.delete(conn.id);
      this.cluster?.idUsed(conn.id, false);
    } else if (same instanceof Set) {
      same.delete(conn);
      if (same.size === 1) this.byId.set(conn.id, same.values().next().value as Conn);
      // Another connection with the id took over the `connections` entry.
      if (!this.conns.has(conn.id)) this.conns.set(conn.id, [...same][same.size - 1]);
    }
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
    return this.conns.has(id);
  }

  /** @internal */
  indexNamespace(ns: NSConn, connected: boolean): void {
    let set = this.byNamespace.get(ns.namespace);
    if (connected) {
      if (!set) {
        this.byNamespace.set(ns.namespace, (set = new Set()));
        this.cluster?.namespaceUsed(ns.namespace, true);
      }
      set.add(ns);
    } else if (set) {
      set.delete(ns);
      if (set.size === 0) {
        this.byNamespace.delete(ns.namespace);
        this.cluster?.namespaceUsed(ns.namespace, false);
      }
    }
  }

  /** @internal */
  indexRoom(ns: NSConn, room: string, joined: boolean): void {
    let rooms = this.byRoom.get(ns.namespace);
    if (joined) {
      if (!rooms) this.byRoom.set(ns.namespace, (rooms = new Map()));
      let set = rooms.get(room);
      if (!set) rooms.set(room, (set = new Set()));
      set.add(ns);
    } else if (rooms) {
      const set = rooms.get(room);
      if (!set) return;
      set.delete(ns);
      if (set.size === 0) rooms.delete(room);
      if (rooms.size === 0) this.byRoom.delete(ns.namespace);
    }
  }

  /** @internal */
  resolveReply(m: Message, from: Conn): boolean {
    const to = this.askTargets.get(m.wait);
    if (to !== undefined && to !== from.id) return false;
    return this.pending.resolve(m.wait, m) || (this.cluster !== undefined && this.cluster.reply(m));
  }

  private send(except: Conn | NSConn | string | null, message: BroadcastMessage, wait: string): void {
    const namespace = message.namespace ?? '';
    const room = message.room ?? '';
    const skip = except instanceof NSConn ? except.conn : except instanceof Conn ? except : null;
    const skipId = typeof except === 'string' ? except : '';
    if (message.body !== undefined) checkBody(message.body, 'broadcast');
    const frame = encode({
      wait, namespace, room, event: message.event, body: message.body ?? '', binary: message.binary ?? false, error: message.error,
    });
    const isBinary = typeof frame !== 'string';
    // Cluster: deliver here at once and publish for the other servers (our copy is skipped on receipt).
    if (this.cluster && wait === '') this.cluster.publish(message, this.cluster.marker(skip, skipId));
    if (message.to) {
      this.fanoutTo(message.to, namespace, room, message.event, frame, isBinary, skip, skipId);
      return;
    }
    this.fanout(namespace, room, frame, isBinary, skip, skipId);
  }

  /** Local delivery to a namespace (or one of its rooms); returns how many connections got the frame. */
  private fanout(namespace: string, room: string, frame: string | Uint8Array | Buffer, isBinary: boolean, skip: Conn | null, skipId: string): number {
    const targets = room === '' ? this.byNamespace.get(namespace) : this.byRoom.get(namespace)?.get(room);
    if (!targets || targets.size === 0) return 0;
    // Encode once: a text frame becomes one Buffer shared by every receiver.
    if (typeof frame === 'string' && targets.size > 1) frame = Buffer.from(frame);
    let n = 0;
    for (const ns of targets) {
      const c = ns.conn;
      if (c === skip || (skipId !== '' && c.id === skipId)) continue;
      if (c.send(frame, isBinary)) n++;
    }
    return n;
  }

  /** Local delivery to every connection with `id` that passes the write guard. */
  private fanoutTo(id: string, namespace: string, room: string, event: string, frame: string | Uint8Array | Buffer, isBinary: boolean, skip: Conn | null, skipId: string): number {
    const same = this.byId.get(id);
    if (same === undefined || id === skipId) return 0;
    let n = 0;
    for (const c of same instanceof Set ? same : [same]) {
      if (c !== skip && c.canWrite(namespace, room, event) && c.send(frame, isBinary)) n++;
    }
    return n;
  }

  private sweep(): void {
    const now = (this.clock = Date.now());
    const readTimeout = this.options.readTimeout ?? 0;
    const writeTimeout = this.options.writeTimeout ?? 0;
    const ping = this.pingEvery > 0 && now - this.lastPing >= this.pingEvery;
    if (ping) this.lastPing = now;
    if (!ping && readTimeout <= 0 && writeTimeout <= 0) return;
    for (const c of this.all) {
      if (readTimeout > 0 && now - c.lastRead > readTimeout) {
        c.close(1001, 'read timeout');
        continue;
      }
      if (writeTimeout > 0) {
        if (c.socket.bufferedAmount === 0) c.stalledSince = 0;
        else if (c.stalledSince === 0) c.stalledSince = now;
        else if (now - c.stalledSince > writeTimeout) {
          c.socket.terminate();
          continue;
        }
      }
      if (ping) {
        if (!c.alive) {
          c.socket.terminate();
          continue;
        }
        c.alive = false;
        c.socket.ping?.();
      }
    }
  }
}

/** The upgrade request of a connection (Iris's `websocket.GetContext`). */
export function getContext(conn: Conn): IncomingMessage {
  return conn.request;
}
