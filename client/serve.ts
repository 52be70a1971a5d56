/** Requests the server sends to the client (docs/protocol.md §3.6): connect, disconnect, join, leave. */
import { BadNamespaceError, OnNamespaceConnect, OnNamespaceDisconnect, OnRoomJoin } from '../protocol/index.js';
import type { Conn } from './conn.js';
import type { NSConn } from './nsconn.js';
import type { EventMessage } from './types.js';

/**
 * A server request (connect, disconnect, join, leave), answered as Go's client answers it: the local handler of the
 * event may refuse (its error text goes back); otherwise the empty reply is written first, then the state changes
 * and the "-ed" event fires. It runs as the transition of the NSConn or Room, so a local `connect`/`joinRoom` meanwhile
 * shares it. A disconnect cannot be refused; a request that changes nothing (connect while not disconnected, join of a
 * room joined, leave of a room not joined) is just acknowledged; a join or leave of a room whose own join or leave is in
 * flight waits for it. A refused transition's rejection is dropped: it
 * has been answered, and nobody else waits for it.
 */
export function serve(conn: Conn<any>, m: EventMessage, ns: NSConn<any> | undefined): void {
  const { event, room } = m;
  if (event === OnNamespaceDisconnect) {
    conn._answer(m);
    ns?._drop(false, m);
    return;
  }
  const target = conn._ns(m.namespace);
  if (!target) return conn._answer(m, new BadNamespaceError());
  if (event === OnNamespaceConnect) {
    if (target._state._now !== 'disconnected') return conn._answer(m);
    return void target._connect(undefined, m).catch(() => {});
  }
  const r = target._rooms.get(room);
  // A join or leave of ours in flight: the server wrote this request before its answer to ours (from its
  // _OnRoomJoined or _OnRoomLeft, which Go fires before answering), so it applies after ours: handled once that settled.
  if (r && !r.joined && r._state._now !== 'left') {
    // by then the namespace may be gone (a disconnect crossed it): then the server hears so rather than waiting
    return void r._state._flight!.catch(() => {}).then(() => (target._live ? serve(conn, m, target) : conn._answer(m, new BadNamespaceError())));
  }
  if (event === OnRoomJoin) {
    if (r?.joined) return conn._answer(m);
    return void target._join(room, undefined, m).catch(() => {});
  }
  if (!r?.joined) return conn._answer(m);
  target._leave(r, undefined, m).catch(() => {});
}
