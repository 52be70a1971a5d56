/**
 * The one state of a server Conn (docs/server.md "States"), held in the client's {@link State} (client/state.ts):
 * changed only through `State.to`, which checks the move against the table below and reports `{ from, to }`.
 *
 * ```
 *  awaiting-handshake ──A+id──▶ open ──close()──▶ closing ──socket gone──▶ closed
 *          │  (H+text, close(), timeout) ─────────▶ closing                  ▲
 *          └──────────────── socket gone (either) ───────────────────────────┘
 * ```
 * Only `open` dispatches frames; `awaiting-handshake` queues them (bounded); `closing` and `closed` drop them.
 */
import { checkMove, type Moves } from '../client/state.js';

/** A server Conn's state: `awaiting-handshake` → `open` → `closing` → `closed`. */
export type ServerConnState = 'awaiting-handshake' | 'open' | 'closing' | 'closed';

/** A change of a Conn's state, as emitted (`server.on('connState', (conn, { from, to }) => …)`). */
export interface ServerConnStateChange {
  from: ServerConnState;
  to: ServerConnState;
}

/** Each state → the states it may move to. */
export const SERVER_CONN_MOVES: Moves<ServerConnState> = {
  'awaiting-handshake': ['open', 'closing', 'closed'],
  open: ['closing', 'closed'],
  closing: ['closed'],
  closed: [],
};

export { checkMove };
