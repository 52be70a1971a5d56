/**
 * The server's indexes: open connections (as a set and by id: several may share an id, as Go allows), namespace and
 * room memberships, and the fan-out of broadcasts over them (encoded once). With a cluster (docs/protocol.md §7) a
 * broadcast is delivered here and published for the other servers; what arrives from them fans out through the same
 * paths. Names are data: Maps only.
 */
import { checkBody, encode } from '../protocol/index.js';
import type { Cluster } from './cluster.js';
import { Conn } from './conn.js';
import { NSConn } from './nsconn.js';
import { serverFrame } from './socket.js';
import type { BroadcastMessage } from './types.js';

type Frame = string | Uint8Array | Buffer;

export class Registry {
  /** Open connections by id: one, or (ids shared) every one of them in the order they opened. */
  readonly byId = new Map<string, Conn | Conn[]>();
  /** Open connections. */
  readonly all = new Set<Conn>();
  readonly byNamespace = new Map<string, Set<NSConn>>();
  readonly byRoom = new Map<string, Map<string, Set<NSConn>>>();
  /** The cluster this server is part of (undefined: this process only). */
  cluster: Cluster | undefined;

  add(conn: Conn): void {
    this.all.add(conn);
    const same = this.byId.get(conn.id);
    if (same === undefined) {
      this.byId.set(conn.id, conn);
      this.cluster?.idUsed(conn.id, true);
    } else if (Array.isArray(same)) same.push(conn);
    else this.byId.set(conn.id, [same, conn]);
  }

  /** False when `conn` was not registered. */
  delete(conn: Conn): boolean {
    if (!this.all.delete(conn)) return false;
    const same = this.byId.get(conn.id);
    if (same === conn) {
      this.byId.delete(conn.id);
      this.cluster?.idUsed(conn.id, false);
    } else if (Array.isArray(same)) {
      const rest = same.filter((c) => c !== conn);
      this.byId.set(conn.id, rest.length === 1 ? rest[0]! : rest);
    }
    return true;
  }

  /** The open connections with `id` (several when the id generator repeats ids). */
  withId(id: string): Conn[] {
    const same = this.byId.get(id);
    return same === undefined ? [] : Array.isArray(same) ? [...same] : [same];
  }

  /** The newest open connection with `id`. */
  newest(id: string): Conn | undefined {
    const same = this.byId.get(id);
    return Array.isArray(same) ? same[same.length - 1] : same;
  }

  namespace(ns: NSConn, connected: boolean): void {
    let set = this.byNamespace.get(ns.namespace);
    if (connected) {
      if (!set) {
        this.byNamespace.set(ns.namespace, (set = new Set()));
        this.cluster?.namespaceUsed(ns.namespace, true);
      }
      set.add(ns);
    } else if (set) {
      set.delete(ns);
      if (set.size === 0) {
        this.byNamespace.delete(ns.namespace);
        this.cluster?.namespaceUsed(ns.namespace, false);
      }
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

  /**
   * Encodes `message` once and sends it to its receivers (a namespace, a room, or every connection with id
   * `message.to`), except `except`. A broadcast (no wait token) is also published to the cluster.
   */
  send(except: Conn | NSConn | string | null, message: BroadcastMessage, wait: string): void {
    const namespace = message.namespace ?? '';
    const room = message.room ?? '';
    const skip = except instanceof NSConn ? except.conn : except instanceof Conn ? except : null;
    const skipId = typeof except === 'string' ? except : '';
    if (message.body !== undefined) checkBody(message.body, 'broadcast');
    const frame = encode({
      wait, namespace, room, event: message.event, body: message.body ?? '', binary: message.binary ?? false, error: message.error,
    });
    const isBinary = typeof frame !== 'string';
    // Cluster: deliver here at once and publish for the other servers (our copy is skipped on receipt).
    if (this.cluster && wait === '') this.cluster.publish(message, this.cluster.marker(skip, skipId));
    if (message.to) this.fanoutTo(message.to, namespace, room, message.event, frame, isBinary, skip, skipId);
    else this.fanout(namespace, room, frame, isBinary, skip, skipId);
  }

  /** Local delivery to a namespace (or one of its rooms); returns how many connections got the frame. */
  fanout(namespace: string, room: string, frame: Frame, isBinary: boolean, skip: Conn | null, skipId: string): number {
    const targets = this.targets(namespace, room);
    if (!targets || targets.size === 0) return 0;
    // Encode and frame once: a text frame becomes one Buffer, and its wire frame one more, shared by every receiver.
    let framed: Buffer | undefined;
    if (targets.size > 1) {
      if (typeof frame === 'string') frame = Buffer.from(frame);
      framed = serverFrame(frame, isBinary);
    }
    let n = 0;
    for (const ns of targets) {
      const c = ns.conn;
      if (c === skip || (skipId !== '' && c.id === skipId)) continue;
      if (c.send(frame, isBinary, framed)) n++;
    }
    return n;
  }

  /** Local delivery to every connection with `id` that passes the write guard. */
  fanoutTo(id: string, namespace: string, room: string, event: string, frame: Frame, isBinary: boolean, skip: Conn | null, skipId: string): number {
    const same = this.byId.get(id);
    if (same === undefined || id === skipId) return 0;
    if (!Array.isArray(same)) return deliverTo(same, namespace, room, event, frame, isBinary, skip);
    let n = 0;
    for (const c of same) n += deliverTo(c, namespace, room, event, frame, isBinary, skip);
    return n;
  }
}

/** One connection of a `to(id)` delivery: 1 when the write guard let the frame through and it was sent. */
function deliverTo(c: Conn, namespace: string, room: string, event: string, frame: Frame, isBinary: boolean, skip: Conn | null): number {
  return c !== skip && c.canWrite(namespace, room, event) && c.send(frame, isBinary) ? 1 : 0;
}
