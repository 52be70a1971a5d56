/**
 * Node environment: `ws` (through isomorphic-ws) with real handshake headers.
 * The browser build replaces this file by env.browser.ts.
 */
import WS from 'isomorphic-ws';
import type { DialOptions, SocketLike, WebSocketConstructor } from './types.js';
import { wsUrl } from './url.js';

/** Opens a socket to `url` with `headers` sent as HTTP headers. Relative URLs throw: Node has no page to resolve them against. */
export function openSocket(url: string, headers: Record<string, string>, o: DialOptions): SocketLike {
  const Ctor = (o.WebSocket ?? WS) as WebSocketConstructor;
  // ws delivers text frames as strings and binary frames as Buffers (Uint8Arrays) through onmessage.
  return new Ctor(wsUrl(url), o.protocols, { ...o.wsOptions, headers: { ...(o.wsOptions?.headers as object), ...headers } });
}
