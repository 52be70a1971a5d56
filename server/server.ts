/**
 * The neffos server: namespaces and options in, connections out. Speaks the Go
 * neffos protocol to Go clients, neffos.js and the neffos-ts client alike.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { ClosedError, askAbortedError, checkBody, isValidConnectionId } from '../protocol/index.js';
import { Conn } from './conn.js';
import type { UpgradeRequest } from './request.js';
import { Cluster } from './cluster.js';
import type { StackExchange, StackExchangeStats } from './exchange.js';
import { serverNamespaces, type ConnHandler, type ConnHandlerLike } from './controller.js';
import { answerPlainRequest, applyQueryHeaders, originAllowed, pathOf, refuseUpgrade, routeUpgrade, serveClientScript } from './http.js';
import { Hub } from './hub.js';
import type { NSConn } from './nsconn.js';
import { DEFAULTS } from './options.js';
import { WsSocket, wsClassFor, type ServerSocket } from './socket.js';
import type { AskOptions, BroadcastMessage, NamespaceMap, ServerEventMap, ServerMessage, ServerNamespaces, ServerOptions } from './types.js';

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
  readonly options: Readonly<ServerOptions>;
  /** @internal what the connections share (server/hub.ts) */
  readonly hub: Hub;
  readonly #wss: WebSocketServer;
  readonly #tooBig: string;
  readonly #sweepTimer: ReturnType<typeof setInterval>;

  constructor(namespaces: ServerNamespaces<N> | ConnHandler = {} as ServerNamespaces<N>, options: ServerOptions = {}) {
    super();
    this.options = options;
    const events = serverNamespaces(namespaces as ConnHandlerLike, options.controllers ?? [], options.dependencies ?? {});
    const hub = (this.hub = new Hub(events, options, this));
    const maxPayload = options.maxMessageSize ?? DEFAULTS.maxMessageSize;
    this.#tooBig = `message too big: the limit is ${maxPayload} bytes`;
    this.#wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false, clientTracking: false, WebSocket: wsClassFor(this.#tooBig) });
    const extra = Object.entries(options.responseHeaders ?? {}).map(([k, v]) => `${k}: ${v}`);
    if (extra.length > 0) this.#wss.on('headers', (headers: string[]) => headers.push(...extra));
    this.#sweepTimer = setInterval(() => hub.sweep(), hub.sweepTick);
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
    const reg = this.hub.registry;
    const old = reg.cluster;
    reg.cluster = undefined;
    if (old) void old.close();
    if (exchange.local === true || this.hub.isClosed) return this;
    const cluster = new Cluster({
      logger: this.hub.logger,
      requestTimeout: this.hub.requestTimeout,
      fanout: (ns, room, _event, frame, isBinary, skipId) => reg.fanout(ns, room, frame, isBinary, null, skipId),
      fanoutTo: (id, ns, room, event, frame, isBinary, skipId) => reg.fanoutTo(id, ns, room, event, frame, isBinary, null, skipId),
      event: (e) => {
        try {
          this.options.onStackExchange?.(e);
        } catch (err) {
          this.hub.logger.error('neffos: onStackExchange failed:', err);
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
    return this.hub.registry.cluster?.exchange;
  }

  /** Counters of the cluster traffic (undefined without a StackExchange). */
  get stackExchangeStats(): Readonly<StackExchangeStats> | undefined {
    const cluster = this.hub.registry.cluster;
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
    if (this.options.clientScript && pathOf(req.url) === this.options.clientScript) return serveClientScript(req, res, this.hub.logger, this.options.clientScriptFile);
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
    if (this.hub.isClosed) return fail(500, 'server closed');
    if (req.method !== 'GET') return fail(405, 'Method Not Allowed', 'Allow: GET\r\n');
    if (!originAllowed(req, this.options.allowedOrigins ?? 'same-origin')) {
      this.hub.logger.warn(`neffos: refused WebSocket upgrade from origin ${String(req.headers.origin)} (host ${String(req.headers.host)}); set the allowedOrigins option to allow it`);
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
    const conn = new Conn(this.hub, socket, request, id ?? (this.options.idGenerator ? this.options.idGenerator(request) : randomUUID()));
    this.hub.accepted(conn);
    if (this.hub.isClosed) {
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
    this.hub.registry.send(except, message, '');
  }

  /**
   * Asks connections (all of the namespace, or `to`); the first reply wins (Go's `Server.Ask`). Sent `to` one
   * connection, only that connection's reply resolves it. Tokens are unpredictable (server/tokens.ts).
   * @example
   * const answer = await server.ask({ namespace: 'default', event: 'status' }, { to: id, timeout: 5000 });
   */
  ask(message: BroadcastMessage, options: AskOptions & { to?: string } = {}): Promise<ServerMessage> {
    if (options.signal?.aborted) return Promise.reject(askAbortedError(options.signal));
    const reg = this.hub.registry;
    if (reg.cluster) {
      if (message.body !== undefined) checkBody(message.body, 'ask');
      const namespace = message.namespace ?? '';
      const room = message.room ?? '';
      return reg.cluster.ask(message, options, (frame, isBinary) => {
        if (options.to) reg.fanoutTo(options.to, namespace, room, message.event, frame, isBinary, null, '');
        else reg.fanout(namespace, room, frame, isBinary, null, '');
      });
    }
    const wait = this.hub.nextToken();
    const p = this.hub.pending.add(wait, options.timeout ?? this.hub.requestTimeout, options.signal);
    if (options.to) {
      this.hub.askTargets.set(wait, options.to);
      const forget = () => void this.hub.askTargets.delete(wait);
      p.then(forget, forget);
    }
    this.hub.registry.send(null, options.to ? { ...message, to: options.to } : message, wait);
    return p;
  }

  /**
   * The connections by id (a snapshot). When several share an id (an `idGenerator` that repeats ids, as Go allows)
   * this holds the newest of them: {@link Server.connectionList} and {@link Server.connectionsWithId} list them all.
   */
  get connections(): Map<string, Conn> {
    const out = new Map<string, Conn>();
    for (const id of this.hub.registry.byId.keys()) out.set(id, this.hub.registry.newest(id)!);
    return out;
  }

  /** Every open connection (a snapshot), ids shared or not. */
  connectionList(): Conn[] {
    return [...this.hub.registry.all];
  }

  /** The open connections with `id`: more than one when the `idGenerator` repeats ids (a user on two tabs). */
  connectionsWithId(id: string): Conn[] {
    return this.hub.registry.withId(id);
  }

  /**
   * Closes every connection with `id` (all of them when the id is shared) with `code` and `reason`; returns how many
   * it closed.
   * @example
   * server.disconnect('alice', 4001, 'kicked');
   */
  disconnect(id: string, code = 1000, reason = ''): number {
    const list = this.hub.registry.withId(id);
    for (const c of list) c.close(code, reason);
    return list.length;
  }

  /** How many connections are open. */
  get totalConnections(): number {
    return this.hub.registry.all.size;
  }

  /** Messages dropped by the `slowConsumer: 'drop'` policy, every connection together (each also emitted as `drop`). */
  get droppedMessages(): number {
    return this.hub.droppedTotal;
  }

  /** The connections that have `namespace` connected, by id (a snapshot). */
  connectionsByNamespace(namespace: string): Map<string, NSConn> {
    const out = new Map<string, NSConn>();
    for (const ns of this.hub.registry.byNamespace.get(namespace) ?? []) out.set(ns.conn.id, ns);
    return out;
  }

  /** Every NSConn of `namespace` (a snapshot), ids shared or not. */
  namespaceMembers(namespace: string): NSConn[] {
    return [...(this.hub.registry.byNamespace.get(namespace) ?? [])];
  }

  /** How many connections of `namespace` joined `room`. */
  roomSize(namespace: string, room: string): number {
    return this.hub.registry.byRoom.get(namespace)?.get(room)?.size ?? 0;
  }

  /** A connection by id (the newest one when the id is shared). */
  connection(id: string): Conn | undefined {
    return this.hub.registry.newest(id);
  }

  /** Whether `close()` was called. */
  get isClosed(): boolean {
    return this.hub.isClosed;
  }

  /**
   * Closes every connection, handshake finished or not, with a close frame (1001 by default); later
   * upgrades get HTTP 500 and no handshake completes afterwards. Resolves when every socket is gone.
   */
  close(code = 1001, reason = 'server closed'): Promise<void> {
    if (!this.hub.isClosed) {
      this.hub.isClosed = true;
      clearInterval(this.#sweepTimer);
      // Every socket, handshake finished or not.
      for (const c of [...this.hub.handshaking, ...this.hub.registry.all]) c.close(code, reason);
      this.hub.pending.rejectAll(new ClosedError('server closed'));
      this.#wss.close();
      const cluster = this.hub.registry.cluster;
      this.hub.registry.cluster = undefined;
      if (cluster) {
        const gone = cluster.close();
        return Promise.all([gone, this.hub.whenGone()]).then(() => undefined);
      }
    }
    return this.hub.whenGone();
  }
}

/** The upgrade request of a connection (Iris's `websocket.GetContext`): `conn.request`, an {@link UpgradeRequest}. */
export function getContext(conn: Conn): UpgradeRequest {
  return conn.request;
}
