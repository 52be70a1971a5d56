/**
 * What a connection needs from its server (an interface, so conn.ts and
 * server.ts do not import each other's classes).
 */
import type { DecodeOptions, Message } from '../protocol/index.js';
import type { Handlers } from './handler.js';
import type { Conn } from './conn.js';
import type { NSConn } from './nsconn.js';
import type { Limits } from './options.js';
import type { ServerConnStateChange } from './state.js';
import type { BroadcastMessage, Logger, SlowConsumerPolicy } from './types.js';

/** @internal */
export interface ServerCore {
  readonly events: Map<string, Handlers>;
  /** Each declared namespace's name, as declared (one string for every NSConn of the namespace). */
  readonly namespaceNames: Map<string, string>;
  readonly allowNative: boolean;
  readonly onlyNative: boolean;
  /** Shared by every connection's decode calls. */
  readonly decodeOptions: DecodeOptions;
  readonly onConnect: ((conn: Conn) => void | Promise<void>) | undefined;
  readonly handshakeTimeout: number;
  readonly requestTimeout: number;
  /** Deadline of connect/disconnect/join/leave handlers (0 = none). */
  readonly systemHandlerTimeout: number;
  readonly maxBufferedAmount: number;
  readonly slowConsumer: SlowConsumerPolicy;
  /** Per-connection bounds. */
  readonly limits: Limits;
  readonly logger: Logger;
  /** A coarse clock (ms since the server started, from 1), advanced by the server's sweep timer. */
  readonly clock: number;
  /** A fresh unpredictable server wait token. */
  nextToken(): string;
  /** Go drops a frame it cannot parse and keeps reading; `onInvalidFrame` may observe it (a throw is logged). */
  invalidFrame(conn: Conn, frame: string | Uint8Array): void;
  /** A connection changed state. */
  stateChanged(conn: Conn, change: ServerConnStateChange): void;
  /** The `drop` policy dropped a message of `conn` (its send buffer held `bufferedAmount` bytes). */
  dropped(conn: Conn, bufferedAmount: number): void;
  /** The current write tick (advanced at the end of every tick in which something was written). */
  readonly tick: number;
  /** A connection wrote its first frame of this tick: end the tick (advance `tick`) once the tick's work is done. */
  wrote(): void;
  /** A connection corked its socket in this tick: uncork it when the tick ends. */
  corked(conn: Conn): void;
  register(conn: Conn): void;
  unregister(conn: Conn): void;
  indexNamespace(ns: NSConn, connected: boolean): void;
  indexRoom(ns: NSConn, room: string, joined: boolean): void;
  /** A reply to a server ask, read from `from` (an ask sent `to` one connection is resolved only by it). */
  resolveReply(m: Message, from: Conn): boolean;
  broadcast(except: Conn | NSConn | string | null, message: BroadcastMessage): void;
  hasConnection(id: string): boolean;
  /** True while this server is part of a cluster (a StackExchange with a broker): other servers hold connections too. */
  readonly clustered: boolean;
  /** `close()` was called. */
  readonly isClosed: boolean;
  /** The socket of `conn` closed (its close event). */
  socketGone(conn: Conn): void;
}
