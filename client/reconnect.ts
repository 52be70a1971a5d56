/** Reconnection: new links with backoff until one is up and restored (docs/client.md "Reconnection"). */
import { ClosedError } from '../protocol/index.js';
import { backoff, RECONNECT_DEFAULTS } from './backoff.js';
import type { Conn } from './conn.js';
import { openLink } from './link.js';
import { flush, restore } from './restore.js';
import type { ReconnectOptions } from './types.js';

/**
 * `conn`'s current link dropped after the handshake (its socket closed, or its heartbeat timed out). Only the current
 * one can: a socket's handlers are cleared as it is detached, and a drop fails every probe in flight.
 */
export function lost(conn: Conn<any>, { code, reason }: { code: number; reason: string }): void {
  const error = new ClosedError('connection lost');
  conn._abort!(error); // the current link's end (set as it opened): closes its socket
  conn.emit('disconnected', { code, reason });
  conn._teardown(error, conn._options.reconnect === false && 'remote', code);
  if (conn.state === 'open') void reconnect(conn); // while reconnecting, the loop in progress goes on
}

/**
 * Reconnects `conn` until a link is up and restored, `maxRetries` consecutive links failed, or close(). The count goes
 * on from the links before unless the one that dropped stayed up `minUptime` ms.
 */
async function reconnect(conn: Conn<any>): Promise<void> {
  // on (the Conn closes on a drop without it); spreading `true` adds nothing
  const rc: Required<ReconnectOptions> = { ...RECONNECT_DEFAULTS, ...(conn._options.reconnect as ReconnectOptions) };
  if (Date.now() - conn._upSince >= rc.minUptime) conn._failedLinks = 0;
  let error: unknown;
  while (conn.state !== 'closed') {
    const attempt = ++conn._failedLinks;
    if (attempt > rc.maxRetries) {
      conn.emit('giveUp', { attempts: attempt - 1, error });
      return conn._teardown(new ClosedError(), 'giveUp', undefined, error);
    }
    const delay = backoff(attempt - 1, rc);
    // close() may run from here on (a listener of the events below, or while the wait, the handshake or the restore
    // awaits): each then fails and the loop ends. The wait starts first, so such a close() ends it too.
    const wait = new Promise((wake, fail) => {
      const timer = setTimeout(wake, delay);
      conn._abort = (e) => (clearTimeout(timer), fail(e));
    });
    conn._state.to('reconnecting');
    conn.emit('reconnecting', { attempt, delay, error });
    try {
      await wait;
      await openLink(conn, attempt);
      await restore(conn);
      if (!conn._ws) throw new ClosedError('connection lost'); // dropped (or closed) meanwhile: no other link opens
      conn.reconnectTries = attempt;
      conn._state.to('open');
      conn.emit('reconnected', { id: conn.id, attempt });
      return flush(conn);
    } catch (e) {
      error = e;
    }
  }
}
