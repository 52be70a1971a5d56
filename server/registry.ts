/**
 * The server's indexes: open connections (by id and as a set), and namespace and room memberships, which
 * broadcasts iterate. Names are data: Maps only.
 */
import type { Conn } from './conn.js';
import type { NSConn } from './nsconn.js';

export class Registry {
  /** Open connections by id. */
  readonly byId = new Map<string, Conn>();
  /** Open connections. */
  readonly all = new Set<Conn>();
  readonly byNamespace = new Map<string, Set<NSConn>>();
  readonly byRoom = new Map<string, Map<string, Set<NSConn>>>();

  add(conn: Conn): void {
    this.all.add(conn);
    this.byId.set(conn.id, conn);
  }

  /** False when `conn` was not registered. */
  delete(conn: Conn): boolean {
    if (!this.all.delete(conn)) return false;
    if (this.byId.get(conn.id) === conn) this.byId.delete(conn.id);
    return true;
  }

  namespace(ns: NSConn, connected: boolean): void {
    let set = this.byNamespace.get(ns.namespace);
    if (connected) {
      if (!set) this.byNamespace.set(ns.namespace, (set = new Set()));
      set.add(ns);
    } else if (set) {
      set.delete(ns);
      if (set.size === 0) this.byNamespace.delete(ns.namespace);
    }
  }

  room(ns: NSConn, room: string, joined: boolean): void {
    let rooms = this.byRoom.get(ns.namespace);
    if (joined) {
      if (!rooms) this.byRoom.set(ns.namespace, (rooms = new Map()));
      let set = rooms.get(room);
      if (!set) rooms.set(room, (set = new Set()));
      set.add(ns);
    } else if (rooms) {
      const set = rooms.get(room);
      if (!set) return;
      set.delete(ns);
      if (set.size === 0) rooms.delete(room);
      if (rooms.size === 0) this.byRoom.delete(ns.namespace);
    }
  }

  /** The members of a namespace (room `''`) or of one of its rooms. */
  targets(namespace: string, room: string): Set<NSConn> | undefined {
    return room === '' ? this.byNamespace.get(namespace) : this.byRoom.get(namespace)?.get(room);
  }
}
