/**
 * Public types of the client: event maps, handlers, options and Conn events.
 * Types only — this module emits no code.
 */
import type { Body, Message, Reply } from '../protocol/index.js';
import type { NSConn } from './nsconn.js';
import type { Room } from './room.js';

/**
 * Event name → body type of one namespace. Bodies travel as text (`string`) or
 * bytes (`Uint8Array`); a text frame arrives as a string and a binary frame as
 * bytes, so name the type the peer actually sends.
 * @example
 * type Chat = { chat: string; avatar: Uint8Array };
 */
export type EventMap = Record<string, Body>;

/** Namespace name → its {@link EventMap}. */
export type NamespaceMap = Record<string, EventMap>;

/** The untyped default: any namespace, any event, any body. */
export type AnyNamespaces = Record<string, EventMap>;

/** A received (or locally fired) message, as handlers see it. */
export interface EventMessage<B extends Body = Body> extends Omit<Message, 'body'> {
  body: B;
  /** Fired by this side (client-initiated connect/join/leave/disconnect, close), not by the server. */
  isLocal: boolean;
  /** Fired by a forced cleanup: the link closed or a namespace was disconnected with rooms still joined. */
  isForced: boolean;
}

/** What a handler may return: nothing, `reply(body)` (answers an ask), or an Error (sent back as an error reply). */
export type HandlerResult = void | undefined | Reply | Error;

/**
 * An event handler. Return `reply(body)` to answer an ask, return or throw an
 * Error to send an error back; a promise of either works too. Sync handlers run
 * synchronously, so answers to server requests are written before anything else.
 * @example
 * const onEcho: Handler = (ns, msg) => reply(msg.body);
 */
export type Handler<E extends EventMap = EventMap, B extends Body = Body> =
  (nsConn: NSConn<E>, message: EventMessage<B>) => HandlerResult | Promise<HandlerResult>;

/** The system events a namespace may handle (docs/protocol.md §4.1). */
export type SystemEvent =
  | '_OnNamespaceConnect' | '_OnNamespaceConnected' | '_OnNamespaceDisconnect'
  | '_OnRoomJoin' | '_OnRoomJoined' | '_OnRoomLeave' | '_OnRoomLeft'
  | '_OnAnyEvent' | '_OnNativeMessage';

/** The handlers of one namespace: its own events plus any system event. */
export type EventHandlers<E extends EventMap = EventMap> =
  { [K in keyof E]?: Handler<E, E[K]> } & { [K in SystemEvent]?: Handler<E, Body> };

/**
 * The `namespaces` argument of `dial`: namespace → event → handler.
 * @example
 * const namespaces: Namespaces<{ default: { chat: string } }> = {
 *   default: { chat: (ns, msg) => console.log(msg.body) },
 * };
 */
export type Namespaces<N extends NamespaceMap = AnyNamespaces> = { [K in keyof N]: EventHandlers<N[K]> };

/** Deadline and cancellation of one request (ask, connect, join, leave, disconnect). */
export interface RequestOptions {
  /** Milliseconds; defaults to `DialOptions.requestTimeout`. 0 waits forever. */
  timeout?: number;
  signal?: AbortSignal;
}

/** Reconnection policy: exponential backoff with full jitter (see `backoff`). */
export interface ReconnectOptions {
  /** Base delay in ms of the first retry (default 250). */
  minDelay?: number;
  /** Cap in ms of any delay (default 10000). */
  maxDelay?: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** Consecutive failed or short-lived links before `giveUp` (default Infinity). */
  maxRetries?: number;
  /**
   * Ms a link must stay up before the attempt count starts again from 1 (default 5000). A server that accepts
   * and drops at once keeps counting (backoff grows, `maxRetries` is reached) instead of being retried forever.
   */
  minUptime?: number;
}

/** The parts of the WebSocket API the client uses (browsers' WebSocket and `ws` both fit). */
export interface SocketLike {
  readonly readyState: number;
  binaryType?: string;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: any) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: any) => void) | null;
}

/** A WebSocket constructor: the browser's, `ws`, or any compatible one (tests, Deno, Bun, React Native). */
export type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: any) => SocketLike;

/** Options of `dial`. */
export interface DialOptions {
  /** Handshake headers: real HTTP headers in Node; `X-Websocket-Header-*` query parameters in browsers (Go neffos reads both). */
  headers?: Record<string, string>;
  /** WebSocket subprotocols. */
  protocols?: string | string[];
  /** The WebSocket implementation (default: `ws` in Node, the global WebSocket in browsers). */
  WebSocket?: WebSocketConstructor;
  /** Extra options for the `ws` constructor in Node (agent, TLS...); ignored in browsers. */
  wsOptions?: Record<string, unknown>;
  /** Ms to wait for `A`/`H` after `M` (default 10000). */
  handshakeTimeout?: number;
  /** Default deadline in ms of ask, connect, join, leave, disconnect and waitServerConnect (default 30000; 0 = none). */
  requestTimeout?: number;
  /** Reconnect after the link drops (default on). `false` turns it off. */
  reconnect?: boolean | ReconnectOptions;
  /** Emits kept while reconnecting and flushed after (default 0: emit throws NotConnectedError). */
  bufferWhileDisconnected?: number;
  /**
   * Ms between keep-alive probes: data frames any neffos server answers (see docs/client.md "Liveness"). A probe
   * unanswered for `heartbeatTimeout` ms drops the link (code 4000), which then reconnects. Default: 15000 in browsers
   * (they cannot ping), 0 = off in Node, where `pingInterval` does the same with WebSocket pings.
   */
  heartbeat?: number;
  /** Ms to wait for a probe's answer (default: the heartbeat interval). */
  heartbeatTimeout?: number;
  /**
   * Bytes of frames that may arrive before the handshake ack `A` (kept, then handled after it; default 1048576 = 1 MiB).
   * Past it the dial fails with ClosedError (or the reconnect attempt does) and the socket is closed.
   */
  maxEarlyBytes?: number;
  /**
   * Node (`ws`) only: ms between liveness checks (default 15000; 0 = off). A link on which nothing arrived (no frame,
   * no pong) since the previous check is closed (1006) and reconnected; otherwise a WebSocket ping is sent. A dead
   * link (no FIN) is detected within 2 × pingInterval (30 s by default). Browsers cannot ping: use `heartbeat`.
   */
  pingInterval?: number;
  /** Talk to a Go native-only server: no `M`/`A` handshake; namespace `""` is connected at once and every frame is a native message. */
  nativeOnly?: boolean;
}

/** The one state of a Conn (docs/client.md "States"); changes are emitted as `state` events. */
export type ConnState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** The one state of an NSConn; changes are emitted as `namespaceState` events of its Conn. */
export type NSConnState = 'connecting' | 'connected' | 'disconnecting' | 'disconnected';

/** The one state of a Room; changes are emitted as `roomState` events of its Conn. */
export type RoomState = 'joining' | 'joined' | 'leaving' | 'left';

/** A state change: the state left and the state entered. */
export interface StateChange<S extends string> {
  from: S;
  to: S;
}

/** The Conn's own events (an eventemitter3 emitter), each with one context object. */
export interface ConnEvents {
  /** The Conn's state changed (before the event of the state itself: `connected`, `reconnecting`...). */
  state: (e: StateChange<ConnState>) => void;
  /** A namespace's state changed. */
  namespaceState: (e: StateChange<NSConnState> & { nsConn: NSConn<any> }) => void;
  /** A room's state changed. */
  roomState: (e: StateChange<RoomState> & { room: Room<any> }) => void;
  connected: (e: { id: string }) => void;
  /** The link dropped (code 1006 when a Go server closes without a close frame). */
  disconnected: (e: { code: number; reason: string }) => void;
  reconnecting: (e: { attempt: number; delay: number; error?: unknown }) => void;
  reconnected: (e: { id: string; attempt: number }) => void;
  /** Reconnection stopped after `maxRetries` attempts; `closed` follows. */
  giveUp: (e: { attempts: number; error?: unknown }) => void;
  closed: (e: { reason: 'client' | 'remote' | 'giveUp'; code?: number; error?: unknown }) => void;
  /** Errors with no caller to reject: failed restores, flushes and handlers of fire-and-forget events. */
  error: (error: unknown) => void;
}
