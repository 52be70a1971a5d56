/**
 * What few connections need (a piece of conn.ts kept apart): server-initiated requests, namespaces being connected,
 * the handshake, held frames and running async handlers, in one object made on first use. An idle open connection
 * carries none of it: one field in the Conn instead of five.
 */
import type { Handshake } from './handshake.js';
import type { Inbox } from './inbox.js';
import type { NamespaceTable } from './namespaces.js';
import type { Requests } from './requests.js';

/** @internal a Conn's rarely used state */
export class ConnExtras {
  /** Server-initiated asks, connects and joins (server/requests.ts). */
  requests: Requests | undefined = undefined;
  /** NSConns whose connect is under way (a client connect crossing a server connect gets the same one). */
  entering: NamespaceTable = undefined;
  /** While `awaiting-handshake`. */
  handshake: Handshake | undefined = undefined;
  /** While a system handler holds later frames. */
  held: Inbox | undefined = undefined;
  /** Async event handlers still running (bounded by `maxPendingHandlers`). */
  busy = 0;

  /** Nothing in use: the Conn may drop the object. */
  get isEmpty(): boolean {
    return this.requests === undefined && this.entering === undefined && this.handshake === undefined && this.held === undefined && this.busy === 0;
  }
}
