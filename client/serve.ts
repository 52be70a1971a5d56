/** Requests the server sends to the client (docs/protocol.md §3.6): connect, disconnect, join, leave. */
import {
  BadNamespaceError, OnNamespaceConnect, OnNamespaceConnected, OnNamespaceDisconnect,
  OnRoomJoin, OnRoomJoined, OnRoomLeft,
} from '../protocol/index.js';
import type { Conn } from './conn.js';
import type { NSConn } from './nsconn.js';
import { Room } from './room.js';
import { enter } from './state.js';
import type { EventMessage, NSConnState, RoomState } from './types.js';

/**
 * A server request (connect, disconnect, join, leave), answered as Go's client answers it: the local handler of the
 * event may refuse (its error text goes back); otherwise the empty reply is written first, then the state changes
 * and the "-ed" event fires. It runs as the transition of the NSConn or Room, so a local `connect`/`joinRoom` meanwhile
 * shares it. A disconnect cannot be refused; a request that changes nothing (connect while not disconnected, join of a
 * room not left, leave of a room not joined) is just acknowledged.
 */
export function serve(conn: Conn<any>, m: EventMessage, ns: NSConn<any> | undefined): void {
  const { event, room } = m;
  /** The local handler's verdict, answered; `accept` runs after the reply (synchronously for a sync handler). */
  const decide = (target: NSConn<any>, accept: () => void) => () => target._fire(event, m, m, accept);
  const ignore = () => {}; // a refusal has been answered; nobody else waits for it
  if (event === OnNamespaceDisconnect) {
    conn._answer(m);
    ns?._drop(false, m);
    return;
  }
  const target = conn._ns(m.namespace);
  if (!target) return conn._answer(m, new BadNamespaceError());
  if (event === OnNamespaceConnect) {
    if (target.state !== 'disconnected') return conn._answer(m);
    return void enter<NSConnState, NSConn<any>>(conn._namespaces, target.namespace, target, 'connected', 'connecting', 'disconnected', decide(target, () => conn._connected(target, { ...m, event: OnNamespaceConnected }))).catch(ignore);
  }
  const r = target._rooms.get(room);
  if (event === OnRoomJoin) {
    if (r && r.state !== 'left') return conn._answer(m);
    const joining = r ?? new Room(target, room);
    return void enter<RoomState, Room<any>>(target._rooms, room, joining, 'joined', 'joining', 'left', decide(target, () => target._joined(joining, { ...m, event: OnRoomJoined }))).catch(ignore);
  }
  if (!r?.joined) return conn._answer(m);
  r._state.run('leaving', 'joined', decide(target, () => target._left(r, { ...m, event: OnRoomLeft }))).catch(ignore);
}
