/**
 * The server's indexes: open connections (by id and as a set), and namespace and room memberships, and the
 * fan-out of broadcasts over them (encoded once). Names are data: Maps only.
 */
import { checkBody, encode } from '../protocol/index.js';
import { Conn } from './conn.js';
import { NSConn } from './nsconn.js';
import type { BroadcastMessage } from './types.js';

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

  /** Encodes `message` once and sends it to its receivers (a namespace, a room, or `message.to`), except `except`. */
  send(except: Conn | NSConn | string | null, message: BroadcastMessage, wait: string): void {
    const namespace = message.namespace ?? '';
    const room = message.room ?? '';
    const skip = except instanceof NSConn ? except.conn : except instanceof Conn ? except : null;
    const skipId = typeof except === 'string' ? except : '';
    if (message.body !== undefined) checkBody(message.body, 'broadcast');
    let frame: string | Uint8Array | Buffer = encode({
      wait, namespace, room, event: message.event, body: message.body ?? '', binary: message.binary ?? false, error: message.error,
    });
    const isBinary = typeof frame !== 'string';
    if (message.to) {
      const c = this.byId.get(message.to);
      if (c && c !== skip && c.id !== skipId && c.canWrite(namespace, room, message.event)) c.send(frame, isBinary);
      return;
    }
    const targets = this.targets(namespace, room);
    if (!targets || targets.size === 0) return;
    // Encode once: a text frame becomes one Buffer shared by every receiver.
    if (typeof frame === 'string' && targets.size > 1) frame = Buffer.from(frame);
    for (const ns of targets) {
      const c = ns.conn;
      if (c === skip || (skipId !== '' && c.id === skipId)) continue;
      c.send(frame, isBinary);
    }
  }
}
