/**
 * One link: the socket and its handshake (docs/protocol.md §2). `M` is sent on open; `A` + id accepts, `H` + text
 * refuses; frames that arrive before the answer wait their turn, up to `maxEarlyBytes`, and are handled right after it.
 */
import {
  ACK_ID_PREFIX, ACK_REFUSED_PREFIX, ACK_REQUEST, ClosedError, HandshakeRefusedError, HandshakeTimeoutError, OnNamespaceConnected,
} from '../protocol/index.js';
import type { Conn } from './conn.js';
import { onData, openSocket } from './env.js';
import { heartbeat } from './heartbeat.js';
import { NSConn } from './nsconn.js';
import { lost } from './reconnect.js';

/**
 * Opens a socket for `conn` and runs the handshake; `attempt` 0 is the first link, others are reconnections.
 * Resolves with `conn` once the link is accepted.
 */
export function openLink<C extends Conn<any>>(conn: C, attempt: number): Promise<C> {
  return new Promise((resolve, reject) => {
    const o = conn._options;
    // A throw here (bad URL) rejects the promise.
    const ws = (conn._ws = openSocket(conn.url, { ...o.headers, ...(attempt && { 'X-Websocket-Reconnect': '' + attempt }) }, o));
    let early: unknown[] | undefined = [];
    let earlyBytes = 0;
    /** The link ends (the handshake failed, or later: it dropped, or close()): its socket closes and is forgotten. */
    const fail = (conn._abort = (error: unknown) => {
      clearTimeout(timer);
      stopData?.();
      ws.onmessage = ws.onclose = null; // `onopen` may stay: a socket closed while connecting never opens
      ws.close(); // never throws without arguments; Node's env keeps a no-op onerror for the errors it may report
      conn._ws = undefined; // `ws` is the current socket: no other link opens while this one is up
      reject(error); // nothing once accepted
    });
    /** The handshake accepted the link with connection id `id`; then the frames that came early are handled. */
    const accept = (id = '') => {
      clearTimeout(timer);
      const frames = early!;
      early = undefined;
      accepted(conn, id, attempt);
      resolve(conn);
      for (const f of frames) conn._onFrame(f);
    };
    const timer = setTimeout(fail, o.handshakeTimeout, new HandshakeTimeoutError());
    ws.onopen = () => (o.nativeOnly ? accept() : ws.send(ACK_REQUEST));
    const stopData = onData(ws, (data) => {
      if (!early) return conn._onFrame(data);
      // The handshake's two answers by their prefix (protocol/handshake.ts; its parseAck allocates, this is the byte-lean form).
      // Only a text frame can match: a binary one's [0] is a number (bytes) or undefined (an ArrayBuffer).
      const ack = (data as string)[0];
      if (ack === ACK_ID_PREFIX || ack === ACK_REFUSED_PREFIX) {
        if (ack === ACK_ID_PREFIX) accept((data as string).slice(1));
        else fail(new HandshakeRefusedError((data as string).slice(1)));
      } else if ((earlyBytes += (data as string).length ?? (data as ArrayBuffer).byteLength) > o.maxEarlyBytes) {
        fail(new ClosedError(`over ${o.maxEarlyBytes} bytes before the ack`));
      } else early.push(data);
    }, o.pingInterval);
    ws.onclose = (e) => (early ? fail(new ClosedError(`connection closed before the handshake (code ${e.code})`)) : lost(conn, e));
  });
}

/** `conn` is up on a link accepted with connection id `id`; the first link opens it, reconnections open it after the restore. */
function accepted(conn: Conn<any>, id: string, attempt: number): void {
  conn.id = id;
  conn._upSince = Date.now();
  if (conn._options.nativeOnly) {
    const ns = conn._ns('') ?? new NSConn(conn, '', new Map());
    ns._state.to('connecting');
    conn._connected(ns, ns._msg(OnNamespaceConnected));
  }
  if (attempt) return;
  conn._heartbeat = heartbeat(conn);
  conn._state.to('open');
  conn.emit('connected', { id });
}
