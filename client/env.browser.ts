/**
 * Browser environment: the native WebSocket; headers travel as
 * `X-Websocket-Header-*` query parameters (browsers cannot set handshake headers).
 */
import WS from 'isomorphic-ws';
import type { DialOptions, SocketLike, WebSocketConstructor } from './types.js';
import { headerQuery, wsUrl } from './url.js';

/** Opens a socket to `url` (relative URLs resolve against the page) with `headers` in the query. */
export function openSocket(url: string, headers: Record<string, string>, o: DialOptions): SocketLike {
  const Ctor = (o.WebSocket ?? WS) as WebSocketConstructor;
  const ws = new Ctor(headerQuery(wsUrl(url, globalThis.location?.href), headers), o.protocols);
  ws.binaryType = 'arraybuffer';
  return ws;
}
