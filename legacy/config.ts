/**
 * The legacy server's configuration (Iris v11's `websocket.Config` in TypeScript spelling) and its defaults.
 */
import type { IncomingMessage } from 'node:http';
import { DEFAULT_PREFIX } from './protocol.js';

/** The server's configuration, Iris's `websocket.Config` in TypeScript spelling. Durations in ms. */
export interface LegacyConfig {
  /** The path `attach` upgrades at (Iris `Endpoint`); default `'/'`. */
  endpoint?: string;
  /** Where `attach` / `handleRequest` serve the browser script with the `Ws` class; default `'/iris-ws.js'`, `false` for none. */
  clientSourcePath?: string | false;
  /** The event prefix (Iris `EvtMessagePrefix`); default `'iris-websocket-message:'`. The served script uses it too. */
  messagePrefix?: string;
  /** The id of a new connection from its upgrade request (Iris `IDGenerator`); default a random UUID. Ids may repeat. */
  idGenerator?: (request: IncomingMessage) => string;
  /** Refuses an upgrade (403) when it returns false (Iris `CheckOrigin`); default: every origin is allowed, as Iris. */
  checkOrigin?: (request: IncomingMessage) => boolean;
  /** Extra response headers of the upgrade (Iris `Headers`). */
  headers?: Record<string, string>;
  /** Queued writes that make no progress for this long drop the connection (Iris `WriteTimeout`); 0 (default) = none. */
  writeTimeout?: number;
  /** Read deadline: no frame and no pong for this long drops the connection (Iris `ReadTimeout`); 0 (default) = none. */
  readTimeout?: number;
  /** Read deadline refreshed by any frame or pong (Iris `PongTimeout`; gorilla semantics); default 60 000, 0 = none. */
  pongTimeout?: number;
  /** Ping interval (Iris `PingPeriod`); default pongTimeout × 9/10 (54 000), and 54 000 when pongTimeout is 0. */
  pingPeriod?: number;
  /** A bigger frame closes the connection with 1009 (Iris `MaxMessageSize`); default 1024 bytes, as Iris. */
  maxMessageSize?: number;
  /** Write every frame as binary (Iris `BinaryMessages`); default text frames. */
  binaryMessages?: boolean;
  /** Accepted for Iris parity (Iris `ReadBufferSize`): `ws` has no read buffer setting, so it has no effect. */
  readBufferSize?: number;
  /** Accepted for Iris parity (Iris `WriteBufferSize`): `ws` has no write buffer setting, so it has no effect. */
  writeBufferSize?: number;
  /** Negotiate permessage-deflate (Iris `EnableCompression`); default false. */
  enableCompression?: boolean;
  /** Subprotocols the server picks from, in order of preference (Iris `Subprotocols`). */
  subprotocols?: string[];
}

/** The configuration with its defaults applied (`server.config`). */
export interface ResolvedLegacyConfig {
  endpoint: string;
  clientSourcePath: string | false;
  messagePrefix: string;
  writeTimeout: number;
  readTimeout: number;
  pongTimeout: number;
  pingPeriod: number;
  maxMessageSize: number;
  binaryMessages: boolean;
  readBufferSize: number;
  writeBufferSize: number;
  enableCompression: boolean;
}

/** Iris v11's defaults (`websocket.Config.Validate`), in ms and bytes. */
export const LEGACY_DEFAULTS = Object.freeze({
  endpoint: '/',
  clientSourcePath: '/iris-ws.js',
  messagePrefix: DEFAULT_PREFIX,
  writeTimeout: 0,
  readTimeout: 0,
  pongTimeout: 60_000,
  pingPeriod: 54_000,
  maxMessageSize: 1024,
  readBufferSize: 4096,
  writeBufferSize: 4096,
});

function duration(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new TypeError(`legacy: config.${name} must be a number >= 0 (got ${String(v)})`);
  return v;
}

/** Applies the defaults and checks the values (a TypeError names a bad one). */
export function resolveLegacyConfig(config: LegacyConfig): ResolvedLegacyConfig {
  const pongTimeout = duration('pongTimeout', config.pongTimeout, LEGACY_DEFAULTS.pongTimeout);
  const pingPeriod = config.pingPeriod !== undefined && config.pingPeriod > 0
    ? duration('pingPeriod', config.pingPeriod, 0)
    : pongTimeout > 0 ? Math.floor((pongTimeout * 9) / 10) : LEGACY_DEFAULTS.pingPeriod;
  const maxMessageSize = config.maxMessageSize !== undefined && config.maxMessageSize > 0 ? duration('maxMessageSize', config.maxMessageSize, 0) : LEGACY_DEFAULTS.maxMessageSize;
  const prefix = config.messagePrefix || DEFAULT_PREFIX;
  if (typeof prefix !== 'string') throw new TypeError('legacy: config.messagePrefix must be a string');
  return Object.freeze({
    endpoint: config.endpoint ?? LEGACY_DEFAULTS.endpoint,
    clientSourcePath: config.clientSourcePath === undefined ? LEGACY_DEFAULTS.clientSourcePath : config.clientSourcePath,
    messagePrefix: prefix,
    writeTimeout: duration('writeTimeout', config.writeTimeout, 0),
    readTimeout: duration('readTimeout', config.readTimeout, 0),
    pongTimeout,
    pingPeriod,
    maxMessageSize,
    binaryMessages: config.binaryMessages === true,
    readBufferSize: config.readBufferSize && config.readBufferSize > 0 ? config.readBufferSize : LEGACY_DEFAULTS.readBufferSize,
    writeBufferSize: config.writeBufferSize && config.writeBufferSize > 0 ? config.writeBufferSize : LEGACY_DEFAULTS.writeBufferSize,
    enableCompression: config.enableCompression === true,
  });
}
