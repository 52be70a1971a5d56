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
  if (/^[./?#]/.test(url)) throw new TypeError(`neffos: relative URL "${url}" has no base outside a browser: pass a ws:// or wss:// URL`);
  // ws delivers text frames as strings and binary frames as Buffers (Uint8Arrays) through onmessage.
  const ws = new Ctor(wsUrl(url), o.protocols, { ...o.wsOptions, headers: { ...(o.wsOptions?.headers as object), ...headers } });
  // An 'error' event nobody listens to throws in ws (a failed dial, a close before the upgrade); the close that follows reports it.
  ws.onerror = () => {};
  return ws;
}

/**
 * Delivers each frame's payload (strings for text frames, bytes for binary ones). With `ws`,
 * its own 'message' event skips the MessageEvent that `onmessage` allocates per frame; any
 * other (injected) WebSocket uses `onmessage`. Returns the function that stops delivery.
 */
export function onData(ws: SocketLike, fn: (data: unknown) => void): () => void {
  if (ws instanceof WS) {
    const node = ws as unknown as import('ws').WebSocket;
    const listener = (data: Buffer, isBinary: boolean) => fn(isBinary ? data : data.toString());
    node.on('message', listener);
    return () => void node.off('message', listener);
  }
  ws.onmessage = (e) => fn(e.data);
  return () => void (ws.onmessage = null);
}
