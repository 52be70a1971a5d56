/**
 * The one state of each client object (docs/client.md "States"): a Conn, an NSConn and a Room each
 * hold one {@link State}, whose value changes only through {@link State.to}. A move the table does
 * not list throws (a bug in this package, never something a peer can cause); every change is
 * reported as `{ from, to }`. {@link State.run} is the transition in flight: a second call while it
 * runs gets the same promise (one request, one local handler call).
 */
import type { ConnState, NSConnState, RoomState } from './types.js';

/**
 * The moves of one kind of object: its states in order, and the legal moves as bits — bit `4 × from + to` (state
 * indexes) is set when `from` may move to `to`. Written in binary, each group of four is one `from` state, the last
 * state first, and each bit in it one `to` state, the first state rightmost.
 */
export interface Moves<S extends string> {
  readonly states: readonly S[];
  readonly legal: number;
}

/** Conn: `connecting` → `open` ⇄ `reconnecting`; any → `closed`. */
export const CONN_MOVES: Moves<ConnState> = {
  states: ['connecting', 'open', 'reconnecting', 'closed'],
  legal: 0b0000_1010_1100_1010, // closed → none; reconnecting → closed, open; open → closed, reconnecting; connecting → closed, open
};

/**
 * The moves of an NSConn and of a Room (out, entering, in, leaving): an enter or a leave in flight ends in either
 * state (refused, failed, forced). leaving → in, out; in → leaving, out; entering → in, out; out → entering.
 */
const ENTER_LEAVE = 0b0101_1001_0101_0010;

/** NSConn: connect and disconnect. */
export const NSCONN_MOVES: Moves<NSConnState> = { states: ['disconnected', 'connecting', 'connected', 'disconnecting'], legal: ENTER_LEAVE };

/** Room: join and leave. */
export const ROOM_MOVES: Moves<RoomState> = { states: ['left', 'joining', 'joined', 'leaving'], legal: ENTER_LEAVE };

/** Throws when `moves` has no `from` → `to` (staying is always allowed). */
export function checkMove<S extends string>(moves: Moves<S>, from: S, to: S): void {
  if (from !== to) checkChange(moves, from, to);
}

/** Throws when `moves` has no change `from` → `to` (`from` is not `to`). */
function checkChange<S extends string>({ states, legal }: Moves<S>, from: S, to: S): void {
  if (!((legal >> (4 * states.indexOf(from) + states.indexOf(to))) & 1)) throw new Error(`neffos: illegal state change ${from} → ${to}`);
}

/** @internal One object's state: the value, its transition method and the transition in flight. */
export class State<S extends string> {
  /** The state now; changed only by {@link State.to}. */
  _now: S;
  /** The transition that last entered a `via` state (`enter` and serve.ts wait for one in flight to settle). */
  _flight: Promise<unknown> | undefined;
  /** The moves this state may make (`enter` reads the states it goes through; the class is internal as a whole). */
  readonly _moves: Moves<S>;
  private readonly _changed: (e: { from: S; to: S }) => void;

  /** `changed` hears every change, after the value changed. */
  constructor(moves: Moves<S>, initial: S, changed: (e: { from: S; to: S }) => void) {
    this._moves = moves;
    this._now = initial;
    this._changed = changed;
  }

  /** Moves to `to` (throws when illegal) and reports it; staying is no change. */
  to(to: S): void {
    const from = this._now;
    if (from === to) return;
    checkChange(this._moves, from, to);
    this._now = to;
    this._changed({ from, to });
  }

  /**
   * The transition in flight, or a new one: move to `via`, then `work()`. A second call meanwhile (the state is
   * `via`: a `via` state is left at once when entered otherwise, as the native-only connect does) gets the same
   * promise. `check` (run only when a new transition starts) may throw the API error of a call that cannot start one.
   * When `work` fails while the state is still `via`, the state goes `back`.
   */
  run<T>(via: S, back: S, work: () => Promise<T>, check?: () => void): Promise<T> {
    if (this._now === via) return this._flight as Promise<T>;
    check?.();
    this.to(via);
    // The flight is not cleared when it settles: by then the state has left `via` (work ends by moving it on, or
    // fails and it goes `back`), and `via` is entered only here, which starts a new flight.
    return (this._flight = work().catch((e) => {
      if (this._now === via) this.to(back);
      throw e;
    }));
  }
}

/**
 * @internal `work` as the entering transition of `member` (a connect or a join, either side's): `member` is in
 * `table` under `key` meanwhile, and is forgotten when `work` fails, unless it was there before (remembered for a
 * reconnect) or another path entered it meanwhile. Resolves with `member`, at once when it is `done` already; a second
 * call meanwhile waits for the same transition (one `work`); a call while `member` is leaving waits for that leave to
 * settle first (so `disconnect()` then `connect()`, not awaited, ends connected). The states are the table's: before
 * (`back`, where a failed `work` returns), during (`via`), after (`done`) and leaving: `disconnected`, `connecting`,
 * `connected`, `disconnecting` for an NSConn, `left`, `joining`, `joined`, `leaving` for a Room.
 */
export async function enter<S extends string, M extends { _state: State<S> }>(
  table: Map<string, M>, key: string, member: M, work: () => Promise<unknown>,
): Promise<M> {
  const state = member._state;
  const [back, via, done, leaving] = state._moves.states;
  // A leave in flight (a disconnect, or the room's leave) settles first, whichever way; then this one enters.
  if (state._now === leaving) await state._flight!.catch(() => {});
  if (state._now === done) return member;
  const known = table.get(key) === member;
  table.set(key, member);
  try {
    await member._state.run(via, back, work);
    return member;
  } catch (e) {
    if (!known && member._state._now === back) table.delete(key);
    throw e;
  }
}
