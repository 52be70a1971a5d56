/**
 * Every limit of the server with its default (docs/server.md "Options" and SECURITY.md list the same numbers; a
 * test checks them). Over a byte or count limit a connection is closed with 1008 (policy violation), over
 * `maxMessageSize` with 1009; other connections are never affected.
 */
import type { ServerOptions, SlowConsumerPolicy } from './types.js';

/** Defaults of every limit and timer. */
export const DEFAULTS = {
  handshakeTimeout: 10_000,
  requestTimeout: 30_000,
  systemHandlerTimeout: 10_000,
  readTimeout: 0,
  writeTimeout: 0,
  pongTimeout: 30_000,
  /** Derived: 9/10 of `pongTimeout` unless set (Iris and gorilla's PingPeriod). */
  pingPeriod: 27_000,
  maxMessageSize: 1 << 20,
  maxBufferedAmount: 4 << 20,
  slowConsumer: 'close' as SlowConsumerPolicy,
  maxEarlyBytes: 1 << 20,
  maxHeldBytes: 4 << 20,
  maxRooms: 1024,
  maxNameLength: 256,
  maxPendingAsks: 1024,
  maxPendingHandlers: 1024,
} as const;

/** The per-connection bounds a Conn checks (resolved once per server). */
export interface Limits {
  readonly maxEarlyBytes: number;
  readonly maxHeldBytes: number;
  readonly maxRooms: number;
  readonly maxNameLength: number;
  readonly maxPendingAsks: number;
  readonly maxPendingHandlers: number;
}

/** A limit of 0 (or a negative one) means none. */
const bound = (n: number | undefined, d: number): number => {
  const v = n ?? d;
  return v > 0 ? v : Infinity;
};

export function resolveLimits(o: ServerOptions): Limits {
  return {
    maxEarlyBytes: bound(o.maxEarlyBytes, DEFAULTS.maxEarlyBytes),
    maxHeldBytes: bound(o.maxHeldBytes, DEFAULTS.maxHeldBytes),
    maxRooms: bound(o.maxRooms, DEFAULTS.maxRooms),
    maxNameLength: bound(o.maxNameLength, DEFAULTS.maxNameLength),
    maxPendingAsks: bound(o.maxPendingAsks, DEFAULTS.maxPendingAsks),
    maxPendingHandlers: bound(o.maxPendingHandlers, DEFAULTS.maxPendingHandlers),
  };
}

/** The liveness and timeout timers of the sweep (ms; 0 = off). */
export interface Timers {
  readonly pingPeriod: number;
  readonly pongTimeout: number;
  readonly readTimeout: number;
  readonly writeTimeout: number;
}

export function resolveTimers(o: ServerOptions): Timers {
  const pongTimeout = o.pongTimeout ?? DEFAULTS.pongTimeout;
  return {
    pongTimeout,
    pingPeriod: pongTimeout > 0 ? o.pingPeriod ?? Math.max(1, Math.floor((pongTimeout * 9) / 10)) : 0,
    readTimeout: o.readTimeout ?? DEFAULTS.readTimeout,
    writeTimeout: o.writeTimeout ?? DEFAULTS.writeTimeout,
  };
}
