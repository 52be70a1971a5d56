/**
 * The one state of each client object (docs/client.md "States"): a Conn, an NSConn and a Room each
 * hold one {@link State}, whose value changes only through {@link State.to}. A move the table does
 * not list throws (a bug in this package, never something a peer can cause); every change is
 * reported as `{ from, to }`. {@link State.run} is the transition in flight: a second call while it
 * runs gets the same promise (one request, one local handler call).
 */
import type { ConnState, NSConnState, RoomState } from './types.js';

/** Each state → the states it may move to. */
export type Moves<S extends string> = { readonly [K in S]: readonly S[] };

/** Conn: `connecting` → `open` ⇄ `reconnecting`; any → `closed`. */
export const CONN_MOVES: Moves<ConnState> = {
  connecting: ['open', 'closed'],
  open: ['reconnecting', 'closed'],
  reconnecting: ['open', 'closed'],
  closed: [],
};

/** NSConn: a connect or a disconnect in flight ends in either state (refused, failed, forced). */
export const NSCONN_MOVES: Moves<NSConnState> = {
  disconnected: ['connecting'],
  connecting: ['connected', 'disconnected'],
  connected: ['disconnecting', 'disconnected'],
  disconnecting: ['disconnected', 'connected'],
};

/** Room: like the NSConn's, for join and leave. */
export const ROOM_MOVES: Moves<RoomState> = {
  left: ['joining'],
  joining: ['joined', 'left'],
  joined: ['leaving', 'left'],
  leaving: ['left', 'joined'],
};

/** Throws when `moves` has no `from` → `to` (staying is always allowed). */
export function checkMove<S extends string>(moves: Moves<S>, from: S, to: S): void {
  if (from !== to && !moves[from].includes(to)) throw new Error(`neffos: illegal state change ${from} → ${to}`);
}

/** @internal One object's state: the value, its transition method and the transition in flight. */
export class State<S extends string> {
  /** The state now; changed only by {@link State.to}. */
  _now: S;
  private _flight: Promise<unknown> | undefined;
  private readonly _moves: Moves<S>;
  private readonly _changed: (e: { from: S; to: S }) => void;

  /** `changed` hears every change, after the value changed. */
  constructor(moves: Moves<S>, initial: S, changed: (e: { from: S; to: S }) => void) {
    this._moves = moves;
    this._now = initial;
    this._changed = changed;
  }

  /** Moves to `to` (throws when illegal); reports it unless the state stays. */
  to(to: S): void {
    const from = this._now;
    checkMove(this._moves, from, to);
    if (from === to) return;
    this._now = to;
    this._changed({ from, to });
  }

  /**
   * The transition in flight, or a new one: move to `via`, then `work()`. A second call meanwhile gets the same
   * promise. When `work` fails while the state is still `via`, the state goes `back`.
   */
  run<T>(via: S, back: S, work: () => Promise<T>): Promise<T> {
    if (this._now === via && this._flight) return this._flight as Promise<T>;
    this.to(via);
    const p: Promise<T> = work()
      .catch((e) => {
        if (this._now === via) this.to(back);
        throw e;
      })
      .finally(() => {
        if (this._flight === p) this._flight = undefined;
      });
    return (this._flight = p);
  }
}

/**
 * @internal `work` as the entering transition of `member` (a connect or a join, either side's): `member` is in
 * `table` under `key` meanwhile, and is forgotten when `work` fails, unless it was there before (remembered for a
 * reconnect) or another path entered it meanwhile. Resolves with `member`, at once when it is `done` already; a second
 * call meanwhile gets the same promise.
 */
export function enter<S extends string, M extends { _state: State<S> }>(
  table: Map<string, M>, key: string, member: M, done: S, via: S, back: S, work: () => Promise<unknown>,
): Promise<M> {
  if (member._state._now === done) return Promise.resolve(member);
  const known = table.get(key) === member;
  table.set(key, member);
  return member._state.run(via, back, async () => (await work(), member)).catch((e) => {
    if (!known && member._state._now === back) table.delete(key);
    throw e;
  });
}
