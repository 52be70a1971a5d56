/** A connection's membership of one namespace (Go's `*neffos.NSConn`). */
import {
  BadNamespaceError, OnNamespaceDisconnect, checkBody, OnRoomJoin, OnRoomJoined, OnRoomLeave, OnRoomLeft,
  type Body, type MessageInit,
} from '../protocol/index.js';
import { fireAndForget, fireSystem, isPromise, localMessage, type Handlers, type Outcome } from './handler.js';
import { Room } from './room.js';
import type { Conn } from './conn.js';
import type { AskOptions, BroadcastMessage, ServerMessage } from './types.js';

/** Shared by every NSConn without rooms; never written (addRoom swaps in a fresh Map first). */
const NO_ROOMS = new Map<string, Room>();

/** `nsConn.to(All)`: every connection of the namespace, this one included (Iris v6). */
export const All = '';
/** `nsConn.to(NotMe)`: every connection of the namespace except this one (Iris v6). */
export const NotMe = ';to;all;except;me;';

/** What `nsConn.to(target)` returns: an emitter bound to a room, a connection id, `All` or `NotMe`. */
export interface Emitter {
  emit(event: string, body?: Body): void;
}

/**
 * A connection inside one namespace: what every handler gets first.
 * @example
 * const namespaces = {
 *   chat: {
 *     message: (ns, msg) => { ns.broadcastOthers(msg); },       // relay to everyone else
 *     whoami: (ns) => reply(ns.conn.id),                       // answer an ask
 *     lobby: async (ns) => { (await ns.joinRoom('lobby')).emit('hi', 'joined'); },
 *   },
 * };
 */
export class NSConn {
  /** A controller instance bound to this namespace connection (see controllers). */
  controller: object | undefined;
  // Most namespace connections never join a room: they share one empty map until the first join.
  #joined: Map<string, Room> = NO_ROOMS;

  /** @internal */
  constructor(readonly conn: Conn, readonly namespace: string, /** @internal */ readonly events: Handlers) {}

  /** Sends an event to this client. Returns false when the write guard or a closed connection stops it. */
  emit(event: string, body: Body = ''): boolean {
    checkBody(body, 'emit');
    return this.conn.write({ namespace: this.namespace, event, body });
  }

  /** Sends an event in a binary frame. */
  emitBinary(event: string, body: Body): boolean {
    checkBody(body, 'emitBinary');
    return this.conn.write({ namespace: this.namespace, event, body, binary: true });
  }

  /**
   * Asks this client and waits for its handler's `reply(...)` (deadline: `timeout`, default 30 s). Rejects at once with
   * BadNamespaceError while this namespace's `disconnect()` is in flight (the client would read that first).
   * @example
   * const answer = await ns.ask('question', 'how are you?', { timeout: 5000 });
   */
  ask(event: string, body: Body = '', options?: AskOptions): Promise<ServerMessage> {
    checkBody(body, 'ask');
    // The client reads our disconnect first and would never answer.
    if (this.conn.inFlight(OnNamespaceDisconnect, this.namespace)) return Promise.reject(new BadNamespaceError());
    return this.conn.ask({ namespace: this.namespace, event, body }, options);
  }

  /**
   * Forces the client into a room (Go's `NSConn.JoinRoom` on the server): asks the client (its `_OnRoomJoin` may
   * refuse), then fires `_OnRoomJoin` and `_OnRoomJoined` here. A second call meanwhile gets the same promise; after a
   * `leave()` of the room in flight, a new join. BadNamespaceError when this NSConn is no longer its connection's
   * namespace or its `disconnect()` is in flight.
   */
  joinRoom(name: string, options?: AskOptions): Promise<Room> {
    const conn = this.conn;
    // Not while the namespace is gone (a handle kept past its disconnect: a join would land in the client's next
    // connect of it) nor while our disconnect is in flight (the client would drop the request); after a leave in
    // flight, a new join.
    if (conn.namespace(this.namespace) !== this || conn.inFlight(OnNamespaceDisconnect, this.namespace)) {
      return Promise.reject(new BadNamespaceError());
    }
    const leaving = conn.inFlight(OnRoomLeave, this.namespace, name);
    if (leaving) {
      const again = () => this.joinRoom(name, options); // once the leave settled, whichever way
      return leaving.then(again, again);
    }
    const existing = this.#joined.get(name);
    if (existing) return Promise.resolve(existing);
    return conn.once(OnRoomJoin, this.namespace, name, () =>
      conn.askThen({ namespace: this.namespace, room: name, event: OnRoomJoin }, options, () => {
        const m = localMessage(this.namespace, name, OnRoomJoin, false);
        const finish = (veto: Outcome): Room => {
          if (veto instanceof Error) throw veto;
          // the namespace went while the join was answered or its handler ran: no room on a dropped handle
          if (conn.namespace(this.namespace) !== this) throw new BadNamespaceError();
          const room = this.#joined.get(name) ?? this.addRoom(name);
          m.event = OnRoomJoined;
          fireAndForget(this.events, this, m, conn.core.logger);
          return room;
        };
        const out = fireSystem(this, m);
        if (!isPromise(out)) return finish(out);
        const p = out.then(finish);
        conn.hold(p);
        return p;
      }));
  }

  /** A joined room, or undefined. */
  room(name: string): Room | undefined {
    return this.#joined.get(name);
  }

  /** The joined rooms. */
  rooms(): Room[] {
    return [...this.#joined.values()];
  }

  /** Whether the room is joined. */
  hasRoom(name: string): boolean {
    return this.#joined.has(name);
  }

  /** Forces the client out of every room, one after another (Go's `LeaveAll`). */
  async leaveAll(options?: AskOptions): Promise<void> {
    for (const room of [...this.#joined.values()]) await room.leave(options);
  }

  /**
   * Disconnects the client from this namespace (Go's `NSConn.Disconnect` on the server): asks the client,
   * force-leaves the rooms and fires `_OnNamespaceDisconnect` locally. A second call meanwhile gets the same promise.
   */
  disconnect(options?: AskOptions): Promise<void> {
    if (this.conn.namespace(this.namespace) !== this) return Promise.reject(new BadNamespaceError());
    return this.conn.once(OnNamespaceDisconnect, this.namespace, '', () =>
      this.conn.askThen({ namespace: this.namespace, event: OnNamespaceDisconnect }, options, () => {
        if (this.conn.namespace(this.namespace) !== this) return;
        this.forceLeaveAll(true);
        this.conn.removeNamespace(this);
        fireAndForget(this.events, this, localMessage(this.namespace, '', OnNamespaceDisconnect, false), this.conn.core.logger);
      }));
  }

  /**
   * Broadcasts to every connection of this namespace, this one included (Go's `NSConn.Broadcast`).
   * Pass a received message to relay it (its room is kept), or an event and a body.
   */
  broadcast(message: BroadcastMessage | ServerMessage | string, body?: Body): void {
    this.conn.core.broadcast(null, this.toBroadcast(message, body));
  }

  /** Broadcasts to every other connection of this namespace (Go's `NSConn.BroadcastOthers`). */
  broadcastOthers(message: BroadcastMessage | ServerMessage | string, body?: Body): void {
    this.conn.core.broadcast(this.conn, this.toBroadcast(message, body));
  }

  /**
   * Iris v6 vocabulary: `to(target).emit(event, body)` where target is a room name,
   * a connection id, {@link All} or {@link NotMe}.
   * @example
   * ns.to(NotMe).emit('chat', 'hello others');
   * ns.to('room1').emit('chat', 'hello room');
   * ns.to(otherId).emit('private', 'psst');
   */
  to(target: string): Emitter {
    const core = this.conn.core;
    const namespace = this.namespace;
    if (target === All) return { emit: (event, body = '') => core.broadcast(null, { namespace, event, body }) };
    if (target === NotMe) return { emit: (event, body = '') => core.broadcast(this.conn, { namespace, event, body }) };
    return {
      // A local connection id goes to that id (on every server); otherwise the target is a room. In a cluster an id
      // held only by another server cannot be told from a room here, so it goes to both: the room's members and the
      // connections with that id (Iris v6 put every connection in a room named by its id, where both are one).
      emit: (event, body = '') => {
        const id = core.hasConnection(target);
        if (id || core.clustered) core.broadcast(null, { namespace, event, body, to: target });
        if (!id) core.broadcast(null, { namespace, room: target, event, body });
      },
    };
  }

  /** @internal force-leaves every room: `_OnRoomLeave` then `_OnRoomLeft`, isForced (no wire messages). */
  forceLeaveAll(isLocal: boolean): void {
    const logger = this.conn.core.logger;
    for (const name of [...this.#joined.keys()]) {
      const m = localMessage(this.namespace, name, OnRoomLeave, true);
      m.isLocal = isLocal;
      fireAndForget(this.events, this, m, logger);
      this.dropRoom(name);
      m.event = OnRoomLeft;
      fireAndForget(this.events, this, m, logger);
    }
  }

  /** @internal */
  addRoom(name: string): Room {
    const known = this.#joined.get(name);
    if (known) return known;
    const room = new Room(this, name);
    if (this.#joined === NO_ROOMS) this.#joined = new Map();
    this.#joined.set(name, room);
    this.conn.rooms++;
    this.conn.core.indexRoom(this, name, true);
    return room;
  }

  /** @internal */
  dropRoom(name: string): void {
    if (!this.#joined.delete(name)) return;
    this.conn.rooms--;
    this.conn.core.indexRoom(this, name, false);
  }

  private toBroadcast(message: BroadcastMessage | ServerMessage | string, body?: Body): BroadcastMessage {
    if (typeof message === 'string') return { namespace: this.namespace, event: message, body: body ?? '' };
    const m = message as BroadcastMessage & Partial<ServerMessage>;
    const out: BroadcastMessage = {
      namespace: m.namespace ?? this.namespace, room: m.room ?? '', event: m.event, body: m.body ?? '', binary: m.binary ?? false,
    };
    if (m.to) out.to = m.to;
    if (m.error !== undefined) out.error = m.error;
    return out;
  }
}

export type { MessageInit };
