/**
 * A Node server for the legacy Iris websocket (Iris v6 to v11): the wire format of
 * `github.com/kataras/iris/websocket`, its API (`onConnection`, `c.on`, `c.emit`, `c.to(...)`, rooms)
 * and its browser script at `/iris-ws.js`, so front ends written with `new Ws(url)` keep working
 * against a Node back end. See docs/legacy.md.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { pathOf, refuseUpgrade, routeUpgrade } from '../server/http.js';
import { pingDue, sweepTick } from '../server/liveness.js';
import { LegacyConnection, type LegacyEmitter } from './connection.js';
import { All, Broadcast, encode, LegacyError, toBytes } from './protocol.js';
import { resolveLegacyConfig, type LegacyConfig, type ResolvedLegacyConfig } from './config.js';
import { irisWsSource } from './iris-ws.js';

export { LEGACY_DEFAULTS, type LegacyConfig, type ResolvedLegacyConfig } from './config.js';

const destroySocket = function (this: Duplex) {
  this.destroy();
};

/**
 * The legacy Iris websocket server.
 * @example
 * const ws = new LegacyServer({ endpoint: '/echo' });
 * ws.onConnection((c) => {
 *   c.on('chat', 'string', (msg) => c.to(Broadcast).emit('chat', msg));
 * });
 * ws.attach(http.createServer().listen(8080)); // also serves /iris-ws.js
 */
export class LegacyServer {
  /** The configuration with defaults applied. */
  readonly config: ResolvedLegacyConfig;
  /** @internal */
  readonly prefix: string;
  /** @internal */
  readonly prefixBytes: Uint8Array;
  private readonly options: LegacyConfig;
  private readonly wss: WebSocketServer;
  private readonly all = new Set<LegacyConnection>();
  private readonly byId = new Map<string, Set<LegacyConnection>>();
  private readonly rooms = new Map<string, Set<LegacyConnection>>();
  private readonly connectionFns: Array<(c: LegacyConnection) => void> = [];
  private readonly sweepTimer: ReturnType<typeof setInterval>;
  private readonly sweepTick: number;
  private script: string | undefined;
  private closed = false;

  constructor(config: LegacyConfig = {}) {
    this.options = config;
    this.config = resolveLegacyConfig(config);
    const { maxMessageSize, messagePrefix: prefix } = this.config;
    this.prefix = prefix;
    this.prefixBytes = toBytes(prefix);
    const protocols = config.subprotocols;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: maxMessageSize,
      perMessageDeflate: this.config.enableCompression,
      clientTracking: false,
      // gorilla does not check that text frames are UTF-8: Iris reads their bytes as they are.
      skipUTF8Validation: true,
      ...(protocols && protocols.length > 0
        ? { handleProtocols: (offered: Set<string>) => protocols.find((p) => offered.has(p)) ?? false }
        : {}),
    });
    const extra = Object.entries(config.headers ?? {}).map(([k, v]) => `${k}: ${v}`);
    if (extra.length > 0) this.wss.on('headers', (headers: string[]) => headers.push(...extra));
    this.sweepTick = sweepTick(this.config);
    this.sweepTimer = setInterval(() => this.sweep(), this.sweepTick);
    this.sweepTimer.unref?.();
  }

  /** Registers the handler of every new connection (Iris `OnConnection`); frames it emits are sent first. */
  onConnection(handler: (c: LegacyConnection) => void): this {
    this.connectionFns.push(handler);
    return this;
  }

  /** The browser script served at `clientSourcePath`: a `Ws` class compatible with Iris's `iris-ws.js`, for this prefix. */
  get clientSource(): string {
    return (this.script ??= irisWsSource(this.prefix));
  }

  /**
   * Serves the endpoint on a Node http/https server: upgrades at `endpoint` (or `options.endpoint`),
   * serves the browser script at `clientSourcePath`, and passes every other request to the server's
   * existing request listeners.
   * @example
   * ws.attach(httpServer, { endpoint: '/echo' });
   */
  attach(httpServer: HttpServer | HttpsServer, options: { endpoint?: string } = {}): this {
    const endpoint = options.endpoint ?? this.config.endpoint;
    routeUpgrade(httpServer, endpoint, (req, socket, head) => this.handleUpgrade(req, socket, head));
    const script = this.config.clientSourcePath;
    if (script) {
      const previous = httpServer.listeners('request').slice() as Array<(req: IncomingMessage, res: ServerResponse) => void>;
      httpServer.removeAllListeners('request');
      httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
        if (this.handleRequest(req, res)) return;
        if (previous.length === 0) return void res.writeHead(404).end();
        for (const l of previous) l.call(httpServer, req, res);
      });
    }
    return this;
  }

  /**
   * Serves the browser script when `req` asks for `clientSourcePath`; returns false (and does nothing)
   * for any other request. For frameworks: call it from a route.
   * @example
   * app.get('/iris-ws.js', (req, res) => ws.handleRequest(req, res));
   */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean {
    const path = this.config.clientSourcePath;
    if (!path || pathOf(req.url) !== path) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return true;
    }
    const body = Buffer.from(this.clientSource);
    res.writeHead(200, { 'Content-Type': 'application/javascript; charset=utf-8', 'Content-Length': body.length, 'Cache-Control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }

  /**
   * Upgrades one request (for frameworks: call it from the http server's `upgrade` event).
   * @example
   * httpServer.on('upgrade', (req, socket, head) => ws.handleUpgrade(req, socket, head));
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', destroySocket);
    if (this.closed) return refuseUpgrade(socket, 500, 'server closed');
    if (req.method !== 'GET') return refuseUpgrade(socket, 405, 'Method Not Allowed', 'Allow: GET\r\n');
    let id: string;
    try {
      if (this.options.checkOrigin && !this.options.checkOrigin(req)) return refuseUpgrade(socket, 403, 'Forbidden: origin not allowed');
      id = this.options.idGenerator ? this.options.idGenerator(req) : randomUUID();
    } catch (e) {
      return refuseUpgrade(socket, 500, 'legacy: checkOrigin or idGenerator failed: ' + String((e as Error)?.message ?? e));
    }
    if (typeof id !== 'string' || id === '') return refuseUpgrade(socket, 500, 'legacy: the idGenerator returned an empty id');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('error', destroySocket);
      this.accept(ws, req, id);
    });
  }

  private accept(ws: WebSocket, req: IncomingMessage, id: string): void {
    const c = new LegacyConnection(this, ws, req, id);
    this.all.add(c);
    let same = this.byId.get(id);
    if (!same) this.byId.set(id, (same = new Set()));
    same.add(c);
    ws.binaryType = 'nodebuffer';
    ws.on('error', (err) => c.fireOnError(new LegacyError('ERR_LEGACY_CLOSED', `legacy: connection ${id}: ${err.message}`, { cause: err })));
    ws.on('close', () => c.internals.closed());
    ws.on('pong', () => c.pong());
    ws.on('ping', () => c.internals.touch());
    if (this.closed) return void ws.close(1001);
    for (const fn of this.connectionFns.slice()) {
      try {
        fn(c);
      } catch (e) {
        c.fireOnError(new LegacyError('ERR_LEGACY_HANDLER', `legacy: onConnection threw: ${String((e as Error)?.message ?? e)}`, { cause: e }));
      }
    }
    ws.on('message', (data: Buffer) => c.internals.receive(data));
  }

  /** Every open connection (several may share an id). */
  connections(): LegacyConnection[] {
    return [...this.all];
  }

  /** The open connections with this id (Iris `GetConnection`, which finds one). */
  getConnections(id: string): LegacyConnection[] {
    return [...(this.byId.get(id) ?? [])];
  }

  /** True when a connection with this id is open (Iris `IsConnected`). */
  isConnected(id: string): boolean {
    return (this.byId.get(id)?.size ?? 0) > 0;
  }

  /** How many connections are open (Iris `GetTotalConnections`). */
  get totalConnections(): number {
    return this.all.size;
  }

  /** The connections in a room (Iris `GetConnectionsByRoom`). */
  connectionsByRoom(room: string): LegacyConnection[] {
    return [...(this.rooms.get(room) ?? [])];
  }

  /** Joins every connection with this id to a room (Iris `Server.Join`). */
  join(room: string, id: string): void {
    for (const c of this.byId.get(id) ?? []) this.joinConnection(room, c);
  }

  /** Removes every connection with this id from a room; true if one was in it (Iris `Server.Leave`). */
  leave(room: string, id: string): boolean {
    let left = false;
    for (const c of this.byId.get(id) ?? []) left = this.leaveConnection(room, c) || left;
    return left;
  }

  /** True when a connection with this id is in the room (Iris `Server.IsJoined`). */
  isJoined(room: string, id: string): boolean {
    const members = this.rooms.get(room);
    if (!members) return false;
    for (const c of this.byId.get(id) ?? []) if (members.has(c)) return true;
    return false;
  }

  /** Sends from the server itself: `to(All)` and `to(Broadcast)` reach everyone, else a room or an id. */
  to(target: string): LegacyEmitter {
    return this.emitter(target, undefined);
  }

  /** Disconnects every connection with this id (Iris `Server.Disconnect`); resolves when they are closed. */
  async disconnect(id: string): Promise<void> {
    await Promise.all(this.getConnections(id).map((c) => c.disconnect()));
  }

  /** Disconnects everyone and refuses new upgrades; the http server is left to the caller. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweepTimer);
    await Promise.all([...this.all].map((c) => c.disconnect()));
    this.wss.close();
  }

  /** @internal */
  emitter(target: string, from: LegacyConnection | undefined): LegacyEmitter {
    if (typeof target !== 'string') throw new TypeError('legacy: to(target) needs a string');
    const send = (frame: string | Uint8Array) => {
      for (const c of this.targets(target, from)) c.write(frame);
    };
    return {
      emit: (event, value) => send(encode(event, value, this.prefix)),
      emitMessage: (data) => send(data),
    };
  }

  private targets(target: string, from: LegacyConnection | undefined): Iterable<LegacyConnection> {
    if (target === All) return this.all;
    if (target === Broadcast) return from ? [...this.all].filter((c) => c !== from) : this.all;
    const room = this.rooms.get(target);
    const ids = this.byId.get(target);
    if (!ids) return room ?? [];
    if (!room) return ids;
    return new Set([...room, ...ids]);
  }

  /** @internal */
  joinConnection(room: string, c: LegacyConnection): void {
    if (typeof room !== 'string') throw new TypeError('legacy: a room name must be a string');
    if (c.disconnected) return;
    let members = this.rooms.get(room);
    if (!members) this.rooms.set(room, (members = new Set()));
    members.add(c);
  }

  /** @internal */
  leaveConnection(room: string, c: LegacyConnection): boolean {
    const members = this.rooms.get(room);
    if (!members || !members.delete(c)) return false;
    if (members.size === 0) this.rooms.delete(room);
    c.internals.left(room);
    return true;
  }

  /** @internal */
  isConnectionJoined(room: string, c: LegacyConnection): boolean {
    return this.rooms.get(room)?.has(c) ?? false;
  }

  /** @internal */
  roomsOf(c: LegacyConnection): string[] {
    const out: string[] = [];
    for (const [name, members] of this.rooms) if (members.has(c)) out.push(name);
    return out;
  }

  /** @internal */
  removeConnection(c: LegacyConnection): void {
    for (const room of this.roomsOf(c)) this.leaveConnection(room, c);
    this.all.delete(c);
    const same = this.byId.get(c.id);
    if (same) {
      same.delete(c);
      if (same.size === 0) this.byId.delete(c.id);
    }
  }

  private sweep(): void {
    const now = Date.now();
    const { pingPeriod, pongTimeout, readTimeout, writeTimeout } = this.config;
    for (const c of this.all) {
      if (writeTimeout > 0) {
        // gorilla's write deadline, per connection: queued bytes and no byte written for writeTimeout.
        const { queued, written } = c.writeProgress();
        if (queued === 0 || written !== c.lastWritten) c.stalledSince = 0;
        else if (c.stalledSince === 0) c.stalledSince = now;
        c.lastWritten = written;
        if (c.stalledSince !== 0 && now - c.stalledSince > writeTimeout) {
          c.fireOnError(new LegacyError('ERR_LEGACY_TIMEOUT', `legacy: writes to ${c.id} waited longer than writeTimeout (${writeTimeout} ms)`));
          c.terminate();
          continue;
        }
      }
      const idle = now - c.lastRead;
      if ((pongTimeout > 0 && idle > pongTimeout) || (readTimeout > 0 && idle > readTimeout)) {
        c.fireOnError(new LegacyError('ERR_LEGACY_TIMEOUT', `legacy: connection ${c.id} sent nothing (no frame, no pong) for ${idle} ms`));
        c.terminate();
        continue;
      }
      if (pingDue(now, c.lastPing, pingPeriod, this.sweepTick)) c.internals.pinged();
    }
  }
}
