/** A room joined by one connection in one namespace (Go's `*neffos.Room`). */
import { BadNamespaceError, BadRoomError, checkBody, OnNamespaceDisconnect, OnRoomLeave, OnRoomLeft, type Body } from '../protocol/index.js';
import { fireAndForget, fireSystem, isPromise, localMessage, type Outcome } from './handler.js';
import type { NSConn } from './nsconn.js';
import type { AskOptions } from './types.js';

/**
 * A room of a server-side connection.
 * @example
 * const room = await nsConn.joinRoom('lobby');   // forced from the server
 * room.emit('notice', 'welcome to the lobby');     // to this client only, room field set
 * await room.leave();
 */
export class Room {
  constructor(readonly nsConn: NSConn, readonly name: string) {}

  /** Sends an event with this room set, to this one client (Go's `Room.Emit`). */
  emit(event: string, body: Body = ''): boolean {
    checkBody(body, 'room.emit');
    return this.nsConn.conn.write({ namespace: this.nsConn.namespace, room: this.name, event, body });
  }

  /** Sends to every member of this room on this server, this connection included unless `exceptSelf`. */
  broadcast(event: string, body: Body = '', exceptSelf = false): void {
    this.nsConn.conn.core.broadcast(exceptSelf ? this.nsConn.conn : null, { namespace: this.nsConn.namespace, room: this.name, event, body });
  }

  /**
   * Forces the client out of this room (Go's `Room.Leave` on the server): asks the client, then fires `_OnRoomLeave`
   * (an error keeps the room) and `_OnRoomLeft` locally. A second call meanwhile gets the same promise. BadRoomError
   * when not joined; BadNamespaceError while the namespace's `disconnect()` is in flight (it leaves the room anyway).
   */
  leave(options?: AskOptions): Promise<void> {
    const ns = this.nsConn;
    const conn = ns.conn;
    // While our disconnect of the namespace is in flight the client would drop the request (the disconnect leaves it).
    if (conn.inFlight(OnNamespaceDisconnect, ns.namespace)) return Promise.reject(new BadNamespaceError());
    if (!ns.hasRoom(this.name)) return Promise.reject(new BadRoomError());
    return conn.once(OnRoomLeave, ns.namespace, this.name, () =>
      conn.askThen({ namespace: ns.namespace, room: this.name, event: OnRoomLeave }, options, () => {
        const m = localMessage(ns.namespace, this.name, OnRoomLeave, false);
        const finish = (veto: Outcome): void => {
          if (veto instanceof Error) throw veto;
          if (!ns.hasRoom(this.name)) return;
          ns.dropRoom(this.name);
          m.event = OnRoomLeft;
          fireAndForget(ns.events, ns, m, conn.core.logger);
        };
        const out = fireSystem(ns, m);
        if (!isPromise(out)) return finish(out);
        const p = out.then(finish);
        conn.hold(p);
        return p;
      }));
  }
}
