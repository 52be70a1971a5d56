import {
  createMessage, errorToText, isReply, OnAnyEvent, OnNamespaceDisconnect, OnRoomJoin, OnRoomJoined,
  OnRoomLeave, OnRoomLeft,
} from '../protocol/index.js';
import type { Conn } from './conn.js';
import { checkBody } from './guard.js';
import { shared } from './shared.js';
import { type Outcome, run } from './handler.js';
import { Room } from './room.js';
import type { EventMap, EventMessage, Handler, RequestOptions } from './types.js';

/**
 * A connected namespace: emit, ask, rooms, disconnect. The object stays valid
 * across reconnections (the namespace is connected again, its rooms rejoined).
 * @example
 * const ns = await conn.connect('default');
 * ns.emit('chat', 'hello');
 * const answer = await ns.ask('echo', 'ping', { timeout: 2000 });
 */
export class NSConn<E extends EventMap = EventMap> {
  /** Connected right now (false while reconnecting and after disconnect). */
  connected = false;
  /** @internal joined rooms, and rooms to rejoin after a reconnect */
  readonly _rooms = new Map<string, Room<E>>();
  /** Client-initiated joins in flight, by room. */
  private readonly _joining = new Map<string, Promise<Room<E>>>();

  constructor(readonly conn: Conn<any>, readonly namespace: string, private readonly _h: Map<string, Handler<any, any>>) {}

  /**
   * Sends `event` with `body` to the server (fire and forget). Throws
   * NotConnectedError while reconnecting (unless buffering), ClosedError after
   * close, BadNamespaceError once disconnected.
   */
  emit<K extends keyof E & string>(event: K, body: E[K] = '' as E[K]): boolean {
    return this._emit(event, body);
  }

  /** Like {@link NSConn.emit} in a binary frame. */
  emitBinary<K extends keyof E & string>(event: K, body: E[K]): boolean {
    return this._emit(event, body, true);
  }

  /**
   * Sends `event` and waits for the server handler's `Reply` (resolves with the
   * reply message) or error (rejects with an Error whose message is the remote
   * text and whose `code` tells known errors apart). Also rejects on timeout,
   * abort and close.
   */
  ask<K extends keyof E & string>(event: K, body: E[K] = '' as E[K], options?: RequestOptions): Promise<EventMessage> {
    try {
      checkBody(body, 'ask');
    } catch (e) {
      return Promise.reject(e);
    }
    const e = this.conn._fail(this);
    return e ? Promise.reject(e) : this._ask(event, options, '', body);
  }

  /** Joins `room` (resolves at once when already joined); rejects with the server's refusal. */
  async joinRoom(room: string, options?: RequestOptions): Promise<Room<E>> {
    this.conn._check(this);
    return this._join(room, options);
  }

  /** The joined room named `name`, if any. */
  room(name: string): Room<E> | undefined {
    const r = this._rooms.get(name);
    return r?.joined ? r : undefined;
  }

  /** The joined rooms. */
  rooms(): Room<E>[] {
    return [...this._rooms.values()].filter((r) => r.joined);
  }

  /** Leaves every joined room, one after another (stops at the first error). */
  async leaveAll(options?: RequestOptions): Promise<void> {
    for (const r of this.rooms()) await r.leave(options);
  }

  /** Disconnects the namespace: leaves its rooms locally and fires `_OnNamespaceDisconnect`. */
  async disconnect(options?: RequestOptions): Promise<void> {
    this.conn._check(this);
    await this._ask(OnNamespaceDisconnect, options);
    this._drop(false, this._msg(OnNamespaceDisconnect));
  }

  /** @internal a user emit to the namespace or one of its rooms */
  _emit(event: string, body: E[string], binary?: boolean, room?: string): boolean {
    checkBody(body, 'emit');
    return this.conn._send(this, { namespace: this.namespace, room, event, body, binary });
  }

  /** @internal a request on this namespace (or one of its rooms) that waits for the answer */
  _ask(event: string, options?: RequestOptions, room?: string, body?: E[string], onAnswer?: (m: EventMessage) => void): Promise<EventMessage> {
    return this.conn._request({ namespace: this.namespace, room, event, body }, options, onAnswer);
  }

  /**
   * @internal client-initiated join; the local `_OnRoomJoin` runs after the server accepted, as in Go.
   * A second call while one is in flight gets the same promise (one request, one `_OnRoomJoin`).
   */
  async _join(name: string, options?: RequestOptions): Promise<Room<E>> {
    const r = this.room(name);
    if (r) return r;
    return shared(this._joining, name, () => this._joinOnce(name, options));
  }

  private async _joinOnce(name: string, options?: RequestOptions): Promise<Room<E>> {
    await this._ask(OnRoomJoin, options, name);
    await this._fire(OnRoomJoin, this._msg(OnRoomJoin, name));
    return this._joined(name, this._msg(OnRoomJoined, name));
  }

  /** @internal the room is joined (the same Room object as before a reconnect); `_OnRoomJoined` fires once. */
  _joined(name: string, m: EventMessage): Room<E> {
    const r = this._rooms.get(name) ?? new Room<E>(this, name);
    if (!r.joined) {
      r.joined = true;
      this._rooms.set(name, r);
      this._call(OnRoomJoined, m);
    }
    return r;
  }

  /** @internal client-initiated leave */
  async _leave(r: Room<E>, options?: RequestOptions): Promise<void> {
    this.conn._check(this, this.room(r.name) !== r);
    await this._ask(OnRoomLeave, options, r.name);
    await this._fire(OnRoomLeave, this._msg(OnRoomLeave, r.name));
    this._left(r, this._msg(OnRoomLeft, r.name));
  }

  /**
   * @internal dispatches a user event (or a native message); a Reply or error goes back to the server.
   * A reply whose body is not a body (`reply({a: 1})`) is an error: its TypeError goes back and to `error`.
   */
  _dispatch(m: EventMessage): void {
    this._call(m.event, m, (e, result) => {
      if (e === undefined && isReply(result)) {
        try {
          checkBody(result.body, 'reply');
          return this.conn._reply(this, { ...m, error: undefined, body: result.body });
        } catch (te) {
          this.conn.emit('error', (e = te));
        }
      }
      if (e !== undefined) this.conn._reply(this, { ...m, error: errorToText(e) });
    });
  }

  /**
   * @internal the namespace is disconnected (by either side, or by close or link loss): each joined room
   * gets `_OnRoomLeave` and `_OnRoomLeft` with isForced, then `_OnNamespaceDisconnect` fires with `m`.
   * `keep` remembers the handle and its rooms to connect and join again after a reconnect.
   */
  _drop(keep: boolean, m: EventMessage): void {
    const c = this.conn;
    this.connected = false;
    if (!keep && c._nss.get(this.namespace) === this) c._nss.delete(this.namespace);
    for (const r of this._rooms.values()) {
      if (!r.joined) continue;
      r.joined = false;
      const left = this._msg(OnRoomLeave, r.name, true, m.isLocal);
      this._call(OnRoomLeave, left);
      this._call(OnRoomLeft, { ...left, event: OnRoomLeft });
    }
    if (!keep) this._rooms.clear();
    this._call(OnNamespaceDisconnect, m);
  }

  /** @internal the room is left: forgotten, then `_OnRoomLeft` */
  _left(r: Room<E>, m: EventMessage): void {
    r.joined = false;
    if (this._rooms.get(r.name) === r) this._rooms.delete(r.name);
    this._call(OnRoomLeft, m);
  }

  /** @internal a local event message */
  _msg(event: string, room = '', isForced = false, isLocal = true): EventMessage {
    return { ...createMessage({ namespace: this.namespace, room, event }), isLocal, isForced };
  }

  /** @internal runs the handler of `event` (or `_OnAnyEvent`); errors without a caller go to the Conn's `error` event. */
  _call(event: string, m: EventMessage, cb?: Outcome): void {
    run(this._h.get(event) ?? this._h.get(OnAnyEvent), this, m, cb ?? ((e) => e !== undefined && this.conn.emit('error', e)));
  }

  /** @internal like `_call`, as a promise that rejects with the handler's error */
  _fire(event: string, m: EventMessage): Promise<void> {
    return new Promise((resolve, reject) => this._call(event, m, (e) => (e !== undefined ? reject(e) : resolve())));
  }
}
