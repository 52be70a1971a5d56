/**
 * Node environment: `ws` (through isomorphic-ws) with real handshake headers.
 * The browser build replaces this file by env.browser.ts.
 */
import WS from 'isomorphic-ws';
import type { DialOptions, SocketLike, WebSocketConstructor } from './types.js';
import { wsUrl } from './url.js';

/** Node's default `heartbeat`: off, `ws` pings cover liveness (see `onData`). */
export const DEFAULT_HEARTBEAT = 0;

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
 *
 * Liveness (`ws` only, `pingInterval` > 0): every `pingInterval` ms the socket is terminated
 * (code 1006, as a drop: reconnect follows) if nothing — no frame, no pong — arrived since the
 * previous tick, else a WebSocket ping is sent. A black-holed link (no FIN) is noticed within
 * 2 × `pingInterval`. Go neffos (gorilla) answers pings with pongs; so does every RFC 6455 peer.
 * With `ws`, a tick's frames also leave in one socket write ({@link batchWrites}).
 */
export function onData(ws: SocketLike, fn: (data: unknown) => void, pingInterval = 15000): () => void {
  if (ws instanceof WS) {
    const node = ws as unknown as import('ws').WebSocket;
    let heard = true;
    const read = batchWrites(node);
    const listener = (data: Buffer, isBinary: boolean) => {
      heard = true;
      read();
      fn(isBinary ? data : data.toString());
    };
    const pong = () => void (heard = true);
    node.on('message', listener);
    node.on('pong', pong);
    const probe = () => {
      if (node.readyState !== 1) return;
      if (!heard) return node.terminate();
      heard = false;
      node.ping();
    };
    const timer = pingInterval > 0 ? setInterval(probe, pingInterval) : undefined;
    return () => {
      clearInterval(timer);
      node.off('message', listener);
      node.off('pong', pong);
    };
  }
  ws.onmessage = (e) => fn(e.data);
  return () => void (ws.onmessage = null);
}

/** The most frames one corked write of the Node client holds (see batchWrites; the server's is server/writer.ts CHUNK). */
const CHUNK = 8;

/**
 * Batches the frames `ws` sends together, as the server does (server/writer.ts): the first frame is written at once
 * (no added latency for a lone ask), and a second one before the next frame is read corks the TCP socket until the
 * end of the tick, so many asks sent together (answers read in one go resolve many awaits) leave in few writevs, in
 * order: one every CHUNK frames and the rest at the tick's end, so the server starts on the first asks while the
 * next ones are made (one write for the whole tick left each side waiting for the other's full batch: 0.7x the
 * throughput at 64 asks in flight; docs/benchmarks.md "Session 5"). Returns what the reader calls for every frame
 * read (a new batch starts). No timer or tick callback runs for a lone ask and its answer: a `process.nextTick` is
 * scheduled only to uncork.
 */
function batchWrites(ws: import('ws').WebSocket): () => void {
  const send = ws.send;
  let sent = false;
  let corked: { cork(): void; uncork(): void } | undefined;
  let inChunk = 0;
  const uncork = (): void => {
    sent = false;
    corked?.uncork();
    corked = undefined;
  };
  ws.send = function (this: import('ws').WebSocket, data: unknown, options?: unknown, cb?: unknown) {
    if (!sent) sent = true;
    else if (corked !== undefined) {
      if (++inChunk > CHUNK) {
        // a full chunk leaves now; this frame starts the next one
        inChunk = 1;
        corked.uncork();
        corked.cork();
      }
    } else if (this.readyState === 1) {
      // ws's TCP socket (a net.Socket); ws writes each frame to it synchronously while open
      const socket = (this as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
      if (socket) {
        (corked = socket).cork();
        inChunk = 1;
        process.nextTick(uncork);
      }
    }
    return (send as (d: unknown, o?: unknown, c?: unknown) => void).call(this, data, options, cb);
  } as typeof ws.send;
  return () => void (sent = false);
}
