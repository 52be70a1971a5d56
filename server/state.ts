/**
 * The one state of a server Conn (docs/server.md "States"): a field of the Conn (no State object per connection),
 * changed only by its `#to`, which checks the move against the table below (`checkMove`, client/state.ts) and emits
 * `{ from, to }` as the server's `connState`.
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

/** Each state → the states it may move to (public: docs/server.md "States"). */
export const SERVER_CONN_MOVES: { readonly [K in ServerConnState]: readonly ServerConnState[] } = {
  'awaiting-handshake': ['open', 'closing', 'closed'],
  open: ['closing', 'closed'],
  closing: ['closed'],
  closed: [],
};

/** The table above in the form `State` checks (the states in order, one bit per legal move). */
export const SERVER_CONN_STATE_MOVES: Moves<ServerConnState> = movesOf(SERVER_CONN_MOVES);

/** Builds the compact form of a move table: bit `4 × from + to` is set for each legal move. */
function movesOf<S extends string>(table: { readonly [K in S]: readonly S[] }): Moves<S> {
  const states = Object.keys(table) as S[];
  let legal = 0;
  for (const from of states) for (const to of table[from]) legal |= 1 << (4 * states.indexOf(from) + states.indexOf(to));
  return { states, legal };
}

export { checkMove };
