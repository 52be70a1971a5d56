/**
 * The data-frame keep-alive (`heartbeat` option; browsers cannot send WebSocket pings): every `heartbeat` ms while
 * connected, a disconnect request for a namespace no application declares, which Go neffos answers with an empty
 * reply; no answer within `heartbeatTimeout` ms (default: the interval) drops the link (code 4000), and the Conn
 * reconnects.
 */
import { OnNamespaceDisconnect, TimeoutError } from '../protocol/index.js';
import type { Conn } from './conn.js';
import { lost } from './reconnect.js';

/** Starts the probes for the Conn's life, as its options say (none when `heartbeat` is 0 or `nativeOnly` is set); returns the interval to clear. */
export function heartbeat(conn: Conn<any>): ReturnType<typeof setInterval> | undefined {
  const o = conn._options;
  if (!o.heartbeat || o.nativeOnly) return;
  return setInterval(() => {
    if (conn.state !== 'open') return;
    const timeout = o.heartbeatTimeout || o.heartbeat; // 0 or unset: the interval
    // `\0heartbeat`: a namespace no application declares, so a disconnect request for it is answered with an empty reply
    conn._request({ namespace: '\u0000heartbeat', event: OnNamespaceDisconnect }, { timeout }).catch((e) => {
      // A probe times out only while the link it was sent on is up: a drop or close() meanwhile fails it (ClosedError).
      if (e instanceof TimeoutError) lost(conn, { code: 4000, reason: 'heartbeat timeout' });
    });
  }, o.heartbeat);
}
