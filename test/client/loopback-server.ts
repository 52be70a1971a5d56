/**
 * A tiny in-process neffos server on `ws` for loopback tests (port 0): `M` → `A`+id,
 * every connect/disconnect/join/leave accepted with an empty reply, `echo` replied,
 * `headers` answered with the handshake headers (`X-Websocket-Header-*` query parameters applied, as Go does), `closeMe` drops the TCP link (as Go does).
 * `askClient` (body = an event name) asks the client that event and answers with what came back (`error:` + text for an error).
 * Namespace `welcome`: the connect reply and a `welcome` emit leave in one write, as a Go `_OnNamespaceConnected` that emits.
 * Refusals: joining room `forbidden` (`no entry`) and disconnecting namespace `sticky` (`stay`).
 */
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { decode, emptyReply, encode, type Message } from '../../protocol/index.js';
import { applyQueryHeaders } from '../../server/http.js';

export interface LoopbackServer {
  url: string;
  port: number;
  /** Live server-side sockets. */
  sockets: Set<WebSocket>;
  /** Every system request received, as `event:namespace:room`. */
  requests: string[];
  /** The body of every message received, in order. */
  bodies: string[];
  stop(): Promise<void>;
}

export async function startLoopbackServer(port = 0): Promise<LoopbackServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => { wss.once('listening', resolve); wss.once('error', reject); });
  const sockets = new Set<WebSocket>();
  const requests: string[] = [];
  const bodies: string[] = [];
  let ids = 0;
  wss.on('connection', (ws, req) => {
    applyQueryHeaders(req);
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    const id = `lb-${++ids}`;
    let acked = false;
    /** server asks in flight: token → the client's ask to answer */
    const asks = new Map<string, Message>();
    let tokens = 900000;
    ws.on('message', (data, isBinary) => {
      const frame = isBinary ? new Uint8Array(data as Buffer) : data.toString();
      if (!acked) {
        if (frame === 'M') { acked = true; ws.send('A' + id); }
        return;
      }
      const m = decode(frame);
      if (m.invalid) return;
      bodies.push(String(m.body));
      if (m.wait && m.event.startsWith('_On')) requests.push(`${m.event}:${m.namespace}:${m.room}`);
      const asked = asks.get(m.wait);
      if (asked) {
        asks.delete(m.wait);
        return ws.send(encode({ ...asked, error: undefined, body: m.error !== undefined ? 'error:' + m.error : m.body }));
      }
      if (m.wait && m.namespace === 'welcome' && m.event === '_OnNamespaceConnect') {
        // Both frames are written in this tick; the client (same process) reads them in one chunk.
        ws.send(emptyReply(m.wait));
        return ws.send(encode({ namespace: 'welcome', event: 'welcome', body: 'hi' }));
      }
      if (m.wait && m.event === '_OnRoomJoin' && m.room === 'forbidden') return ws.send(encode({ ...m, error: 'no entry' }));
      if (m.wait && m.event === '_OnNamespaceDisconnect' && m.namespace === 'sticky') return ws.send(encode({ ...m, error: 'stay' }));
      if (m.wait && m.event.startsWith('_On')) return ws.send(emptyReply(m.wait));
      switch (m.event) {
        case 'echo': return ws.send(encode({ ...m, error: undefined }));
        case 'headers': return ws.send(encode({ ...m, body: JSON.stringify({ xTest: req.headers['x-test'] ?? '', reconnect: req.headers['x-websocket-reconnect'] ?? '' }) }));
        case 'closeMe': return ws.terminate();
        case 'askClient': {
          const wait = String(++tokens);
          asks.set(wait, m);
          return ws.send(encode({ wait, namespace: m.namespace, event: String(m.body), body: 'q' }));
        }
      }
    });
  });
  const actual = (wss.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${actual}/echo`,
    port: actual,
    sockets,
    requests,
    bodies,
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.terminate();
      wss.close(() => resolve());
    }),
  };
}
