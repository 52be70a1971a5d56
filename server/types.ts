/**
 * Public types of the server: handlers, namespaces, options. Types only.
 */
import type { ControllerEntry } from './controller.js';
import type { IncomingMessage } from 'node:http';
import type { Body, InvalidPayloadError, Message, Reply } from '../protocol/index.js';
import type { Conn } from './conn.js';
import type { NSConn } from './nsconn.js';
import type { StackExchange, StackExchangeEvent } from './exchange.js';
import type { ServerConnStateChange } from './state.js';

/** A received (or locally fired) message, as server handlers see it. */
export interface ServerMessage<B extends Body = Body> extends Omit<Message, 'body'> {
  body: B;
  /** Fired by the server itself (server-initiated connect/join/leave/disconnect, close cleanup). */
  isLocal: boolean;
  /** Fired by a forced cleanup: the connection closed or the namespace was disconnected with rooms joined. */
  isForced: boolean;
}

/** What a handler may return: nothing, `reply(body)` (answers an ask), or an Error (sent back as an error reply, and a veto for connect/join/leave/disconnect). */
export type HandlerResult = void | undefined | Reply | Error;

/**
 * A server event handler, the same shape as the client's: `(nsConn, message)`.
 * Return `reply(body)` to answer an ask; return or throw an Error to send its text back
 * (and to refuse a connect, join, leave or disconnect). Promises work too.
 * @example
 * const echo: ServerHandler = (ns, msg) => reply(msg.body);
 */
export type ServerHandler<B extends Body = Body> =
  (nsConn: NSConn, message: ServerMessage<B>) => HandlerResult | Promise<HandlerResult>;

/** Event name → body type of one namespace (as on the client). */
export type EventMap = Record<string, Body>;
/** Namespace name → its {@link EventMap}. */
export type NamespaceMap = Record<string, EventMap>;

/** The system events a namespace may handle (docs/protocol.md §4.1). */
export type SystemEvent =
  | '_OnNamespaceConnect' | '_OnNamespaceConnected' | '_OnNamespaceDisconnect'
  | '_OnRoomJoin' | '_OnRoomJoined' | '_OnRoomLeave' | '_OnRoomLeft'
  | '_OnAnyEvent' | '_OnNativeMessage';

/** The handlers of one namespace: its own events plus any system event. */
export type ServerEvents<E extends EventMap = EventMap> =
  { [K in keyof E]?: ServerHandler<E[K]> } & { [K in SystemEvent]?: ServerHandler<Body> };

/**
 * The `namespaces` argument of `new Server`: namespace → event → handler (the client's shape).
 * @example
 * const namespaces: ServerNamespaces = { default: { echo: (ns, msg) => reply(msg.body) } };
 */
export type ServerNamespaces<N extends NamespaceMap = NamespaceMap> = { [K in keyof N]: ServerEvents<N[K]> };

/** What to do when a connection's send buffer passes `maxBufferedAmount`. */
export type SlowConsumerPolicy = 'close' | 'drop';

/** A message to broadcast: every field optional; `to` targets one connection id. */
export interface BroadcastMessage {
  namespace?: string;
  room?: string;
  event: string;
  body?: Body;
  /** Only the connection with this id receives it. */
  to?: string;
  binary?: boolean;
  /** Error text (isError=1). */
  error?: string;
}

/** Minimal logger; `console` fits. */
export interface Logger {
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** A controller class (see `docs/server.md`): methods are events of one namespace. */
export interface ControllerClass<D = any> {
  /** Built once per namespace connection with the dependencies, `conn`, `nsConn` and `request`. */
  new (dependencies: D): object;
  /** The namespace (also `static Namespace`), unless the class has a `namespace()` method or the instance a `namespace` field. */
  namespace?: string;
}

/** Options of `new Server`. Every limit has a safe default. */
export interface ServerOptions {
  /** The connection id of a request (default `crypto.randomUUID()`); must not contain `;`. Headers from `X-Websocket-Header-*` query parameters are already applied. */
  idGenerator?: (request: IncomingMessage) => string;
  /** Runs for every new connection; throwing (or rejecting) refuses it with `H` + the error text. */
  onConnect?: (conn: Conn) => void | Promise<void>;
  /** Runs when an accepted connection closes (after its namespaces were force-disconnected). */
  onDisconnect?: (conn: Conn) => void;
  /**
   * A frame from `conn` that is not a neffos message (`InvalidPayloadError`, code ERR_INVALID_PAYLOAD).
   * The frame is dropped and the connection keeps reading, as in Go neffos; nothing else is affected.
   * @example
   * onInvalidFrame: (err, conn) => metrics.increment('neffos.invalid', { id: conn.id })
   */
  onInvalidFrame?: (error: InvalidPayloadError, conn: Conn, frame: string | Uint8Array) => void;
  /** Upgrade failures (refused origin, bad request, server closed, id generator errors). */
  onUpgradeError?: (error: Error, request: IncomingMessage) => void;
  /** Ms a client may take to complete the handshake (send `M`, and `onConnect` to finish) after the upgrade (default 10000); then 1008. */
  handshakeTimeout?: number;
  /** Default deadline of server asks and server-initiated connect/join/leave/disconnect, in ms (default 30000). */
  requestTimeout?: number;
  /**
   * Deadline of the handlers of a client's connect, disconnect, join and leave (and of the local handlers of
   * server-initiated ones), in ms (default 10000; 0 = none). On expiry the request is refused with a
   * TimeoutError text (`_OnRoomJoin handler timed out after 10000 ms`), the frames held meanwhile are handled,
   * and the connection carries on; the handler's late outcome is ignored.
   */
  systemHandlerTimeout?: number;
  /** Close a connection that sends nothing for this many ms (default 0 = off; Iris/Go ReadTimeout). */
  readTimeout?: number;
  /** Close a connection whose pending output has not drained for this many ms (default 0 = off; Iris/Go WriteTimeout). */
  writeTimeout?: number;
  /**
   * Ms a connection may stay without sending anything, not even a pong, before it is dropped (default 30000;
   * 0 turns WebSocket pings off). A dead link is detected within `pongTimeout` plus one sweep tick (at most 1 s).
   */
  pongTimeout?: number;
  /** Ms between WebSocket pings (default 9/10 of `pongTimeout`, as Iris's PingPeriod). */
  pingPeriod?: number;
  /** Largest incoming message in bytes (default 1 MiB); a bigger one closes the connection with 1009. */
  maxMessageSize?: number;
  /**
   * Per-connection bound of what the socket could not write, in bytes (default 4 MiB; 0 = none). Measured as the
   * socket's unwritten bytes (`bufferedAmount`) when a tick's first frame goes out, so a burst being written in this
   * tick is not counted and a fast reader never trips it; one tick's burst may add up to 4× the bound.
   */
  maxBufferedAmount?: number;
  /**
   * Past `maxBufferedAmount`: `close` (default) closes the connection with 1008 `slow consumer…`; `drop` drops the
   * message (the send returns false), counts it (`conn.droppedMessages`, `server.droppedMessages`) and emits the
   * server's `drop` event.
   */
  slowConsumer?: SlowConsumerPolicy;
  /** Bytes of frames a connection may send before its handshake completes, queued meanwhile (default 1 MiB; then 1008). */
  maxEarlyBytes?: number;
  /** Bytes of frames queued while a connect/disconnect/join/leave handler runs (default 4 MiB; then 1008). */
  maxHeldBytes?: number;
  /** Rooms one connection may join, every namespace together (default 1024; a join over it closes the connection, 1008). */
  maxRooms?: number;
  /** Longest namespace, room or event name a client may send, in characters (default 256; then 1008). */
  maxNameLength?: number;
  /** Server asks pending on one connection (default 1024; one more closes the connection, 1008, and rejects). */
  maxPendingAsks?: number;
  /** Async event handlers still running for one connection (default 1024; one more closes the connection, 1008). */
  maxPendingHandlers?: number;
  /**
   * Which `Origin` headers may connect. Default `'same-origin'`: a request with an Origin whose host
   * differs from its Host header is refused with 403 (as gorilla's default upgrader). `'*'` allows all;
   * an array lists allowed origins (e.g. `['https://app.example.com']`); a function decides.
   */
  allowedOrigins?: 'same-origin' | '*' | string[] | ((origin: string, request: IncomingMessage) => boolean);
  /** Extra headers on the 101 upgrade response. */
  responseHeaders?: Record<string, string>;
  /** Serve the bundled browser client at this path (e.g. `'/neffos.js'`) from `attach`/`handleRequest`. Default off. */
  clientScript?: string | false;
  /** The file served at `clientScript` (default: `<package root>/dist/browser/neffos.min.js`). */
  clientScriptFile?: string;
  /** Controllers: classes, instances (templates), `controller(...)` registrations or `ControllerGroup`s (see `docs/server.md`). */
  controllers?: ControllerEntry[];
  /**
   * Given to every controller: to a class's constructor (with `conn`, `nsConn` and `request`), and to
   * fields declared without a value under the same name. `scoped(fn)` values are computed per instance.
   */
  dependencies?: Record<string, unknown>;
  /**
   * Scale-out (docs/scale.md): a Redis or NATS StackExchange shared by every server of the cluster (Go neffos servers
   * included). Default: in-memory, this process only.
   * @example
   * stackExchange: new RedisStackExchange({ url: 'redis://127.0.0.1:6379' }, 'MyChatApp')
   */
  stackExchange?: StackExchange;
  /** The StackExchange's broker link went down, came back, or failed (also logged as a warning). */
  onStackExchange?: (event: StackExchangeEvent) => void;
  /** Where warnings go (refused origins, handler errors); default `console`. */
  logger?: Logger;
}

/** Deadline of a server-side request (ask, connect, join, leave, disconnect). */
export interface AskOptions {
  /** Ms; default 30000; 0 waits forever. */
  timeout?: number;
  signal?: AbortSignal;
}

/**
 * The server's events (`server.on(...)`): `connState` for every change of a Conn's state, `drop` for every message
 * the `slowConsumer: 'drop'` policy dropped (`dropped` is that connection's count so far).
 * @example
 * server.on('connState', (conn, { from, to }) => log(conn.id, from, '→', to));
 * server.on('drop', (conn, { dropped }) => metrics.gauge('neffos.dropped', dropped, { id: conn.id }));
 */
export interface ServerEventMap {
  connState: [conn: Conn, change: ServerConnStateChange];
  drop: [conn: Conn, info: { dropped: number; bufferedAmount: number }];
}
