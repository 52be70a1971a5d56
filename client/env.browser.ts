/**
 * Browser environment: the native WebSocket (what isomorphic-ws resolves to in
 * browsers, read at dial time so a polyfill installed later works); headers travel
 * as `X-Websocket-Header-*` query parameters (browsers cannot set handshake headers).
 */
import type { DialOptions, SocketLike, WebSocketConstructor } from './types.js';
import { wsUrl } from './url.js';

/**
 * Browsers' default `heartbeat` (ms): on, since a page cannot send WebSocket pings nor see the server's. A probe every
 * 15 s, unanswered for 15 s, drops the link: a dead link is noticed within 30 s, as by Node's pings.
 */
export const DEFAULT_HEARTBEAT = 15000;

/** Opens a socket to `url` (relative URLs resolve against the page) with `headers` in the query. */
export function openSocket(url: string, headers: Record<string, string>, o: DialOptions): SocketLike {
  const Ctor = (o.WebSocket ?? globalThis.WebSocket) as WebSocketConstructor;
  const ws = new Ctor(wsUrl(url, globalThis.location?.href, headers), o.protocols);
  ws.binaryType = 'arraybuffer';
  return ws;
}

/**
 * Delivers each frame's payload. Node's env returns the function that stops delivery; none is needed here, as the
 * Conn clears `onmessage` itself when it detaches a socket. Browsers cannot send pings: `pingInterval` is ignored.
 */
export function onData(ws: SocketLike, fn: (data: unknown) => void, _pingInterval?: number): undefined {
  ws.onmessage = (e) => fn(e.data);
  return undefined;
}
