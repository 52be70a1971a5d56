/** Requests the server sends to the client (docs/protocol.md §3.6): connect, disconnect, join, leave. */
import {
  BadNamespaceError, emptyReply, encode, errorToText, OnNamespaceConnect, OnNamespaceConnected, OnNamespaceDisconnect,
  OnRoomJoin, OnRoomJoined, OnRoomLeave, OnRoomLeft,
} from '../protocol/index.js';
import type { Conn } from './conn.js';
import type { NSConn } from './nsconn.js';
import type { EventMessage } from './types.js';

/**
 * A server request (connect, disconnect, join, leave), answered as Go's client answers it: the
 * local handler of the event may refuse (its error text goes back); otherwise the empty reply is
 * written first, then the local state changes and the "-ed" event fires. A disconnect cannot be
 * refused; a request that changes nothing is just acknowledged.
 */
export function serve(conn: Conn<any>, m: EventMessage, ns: NSConn<any> | undefined): void {
  const { event, room } = m;
  const answer = (e?: unknown) => conn._raw(e === undefined ? emptyReply(m.wait) : encode({ ...m, error: errorToText(e) }));
  if (event === OnNamespaceDisconnect) {
    answer();
    if (ns?.connected) ns._drop(false, m);
    return;
  }
  const target = conn._ns(m.namespace);
  if (!target) return void answer(new BadNamespaceError());
  const r = target.room(room);
  if (event === OnNamespaceConnect ? target.connected : event === OnRoomJoin ? r : !r) return void answer();
  target._call(event, m, (e) => {
    answer(e);
    if (e !== undefined) return;
    if (event === OnRoomJoin) target._joined(room, { ...m, event: OnRoomJoined });
    else if (event === OnRoomLeave) target._left(r!, { ...m, event: OnRoomLeft });
    else if (!target.connected) conn._onConnected(target, { ...m, event: OnNamespaceConnected });
  });
}
