import {
  BadNamespaceError, type Body, createMessage, errorToText, isReply, OnAnyEvent, OnNamespaceConnect, OnNamespaceConnected, OnNamespaceDisconnect,
  OnRoomJoin, OnRoomJoined, OnRoomLeave, OnRoomLeft,
} from '../protocol/index.js';
import type { Conn } from './conn.js';
import { checkBody } from './guard.js';
import { type Outcome, run } from './handler.js';
import { Room } from './room.js';
import { enter, NSCONN_MOVES, State } from './state.js';
import type { EventMap, EventMessage, Handler, NSConnState, RequestOptions, RoomState } from './types.js';

/**
 * A connected namespace: emit, ask, rooms, disconnect. The object stays valid
 * across reconnections (the namespace is connected again, its rooms rejoined).
 * @example
 * const ns = await conn.connect('default');
 * ns.emit('chat', 'hello');
 * const answer = await ns.ask('echo', 'ping', { timeout: 2000 });
 */
export class NSConn<E extends EventMap = EventMap> {
  /** @internal the one state (`disconnected` → `connecting` → `connected` → `disconnecting` → `disconnected`) */
  readonly _state: State<NSConnState>;
  /** @internal rooms joining, joined or leaving, and rooms to rejoin after a reconnect */
  readonly _rooms = new Map<string, Room<E>>();

  constructor(readonly conn: Conn<any>, readonly namespace: string, private readonly _handlers: Map<string, Handler<any, any>>) {
    this._state = new State<NSConnState>(NSCONN_MOVES, 'disconnected', (e) => conn.emit('namespaceState', { nsConn: this, ...e }));
  }

  /** `connecting`, `connected`, `disconnecting` or `disconnected`; changes are the Conn's `namespaceState` events. */
  get state(): NSConnState {
    return this._state._now;
  }

  /** Connected right now (false while connecting, reconnecting and after disconnect). */
  get connected(): boolean {
    return this._state._now === 'connected';
  }

  /** @internal frames for this namespace are delivered: connected, or disconnecting until the answer is read */
  get _live(): boolean {
    return this.connected || this._state._now === 'disconnecting';
  }

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
  async ask<K extends keyof E & string>(event: K, body: E[K] = '' as E[K], options?: RequestOptions): Promise<EventMessage> {
    checkBody(body, 'ask'); // in an async function every throw is a rejection
    this.conn._check(this);
    return this._ask(event, options, '', body);
  }

  /**
   * Joins `room` (resolves at once when already joined); rejects with the server's refusal. A second call meanwhile gets
   * the same promise; while a leave of the room is in flight, joins again once that has settled.
   */
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

  /**
   * Disconnects the namespace: once the server's answer is read its rooms are left locally and `_OnNamespaceDisconnect`
   * fires. A second call meanwhile gets the same promise; a refusal leaves it connected.
   */
  async disconnect(options?: RequestOptions): Promise<void> {
    await this._state.run(
      'disconnecting', 'connected',
      () => this._ask(OnNamespaceDisconnect, options, '', '', () => this._drop(false, this._msg(OnNamespaceDisconnect))),
      () => this.conn._check(this),
    );
  }

  /**
   * @internal a connect. Client-initiated: the local `_OnNamespaceConnect`, then the server's answer; the namespace is
   * connected as the answer is read, so a message the server sends right after it (a Go `_OnNamespaceConnected` that
   * emits) is delivered. Server-initiated (`served`, see serve.ts): the local handler decides and its verdict answers.
   */
  _connect(options?: RequestOptions, served?: EventMessage): Promise<this> {
    return enter<NSConnState, this>(this.conn._namespaces as Map<string, this>, this.namespace, this, async () => {
      const accept = () => this.conn._connected(this, this._after(OnNamespaceConnected, '', served));
      await this._fire(OnNamespaceConnect, '', served, served && accept);
      if (!served) await this._ask(OnNamespaceConnect, options, '', '', accept);
    });
  }

  /** @internal a user emit to the namespace or one of its rooms */
  _emit(event: string, body: E[string], binary?: boolean, room?: string): boolean {
    checkBody(body, 'emit');
    return this.conn._send(this, { namespace: this.namespace, room, event, body, binary });
  }

  /** @internal a request on this namespace (or one of its rooms) that waits for the answer; no body is sent as '' */
  _ask(event: string, options?: RequestOptions, room?: string, body?: Body, onAnswer?: (m: EventMessage) => void): Promise<EventMessage> {
    return this.conn._request({ namespace: this.namespace, room, event, body }, options, onAnswer);
  }

  /**
   * @internal a join. Client-initiated: the local `_OnRoomJoin` runs after the server accepted, as in Go, and as its
   * answer is read. Server-initiated (`served`): the local handler decides and its verdict answers. A second call
   * meanwhile gets the same promise (one request, one `_OnRoomJoin`).
   */
  _join(name: string, options?: RequestOptions, served?: EventMessage): Promise<Room<E>> {
    const r = this._rooms.get(name) ?? new Room<E>(this, name);
    return enter<RoomState, Room<E>>(this._rooms, name, r, () => this._exchange(OnRoomJoin, name, options, served, () => {
      // the room is joined (the same Room object as before a reconnect)
      if (!served && r._state._now !== 'joining') this.conn._check(this, true); // the link dropped meanwhile
      r._state.to('joined');
      this._call(this._after(OnRoomJoined, name, served));
    }));
  }

  /** @internal a leave, client-initiated or server-initiated (`served`); a second call meanwhile gets the same promise */
  async _leave(r: Room<E>, options?: RequestOptions, served?: EventMessage): Promise<void> {
    return r._state.run('leaving', 'joined', () => this._exchange(OnRoomLeave, r.name, options, served, () => {
      // the room is left (unless a forced leave came first): forgotten, then `_OnRoomLeft`
      if (r._state._now === 'left') return;
      r._state.to('left');
      this._rooms.delete(r.name); // a room not left is the one its NSConn knows by that name
      this._call(this._after(OnRoomLeft, r.name, served));
    }), () => served || this.conn._check(this, !r.joined));
  }

  /**
   * @internal the exchange of a join or leave of `room`: the local handler of `event` runs with the verdict and, when it
   * accepts, `accept`. Server-initiated (`served`): at once, and its verdict answers. Client-initiated: as the server's
   * answer is read, before the next frame (a server request right behind it in the same read sees the room moved).
   */
  async _exchange(event: string, room: string, options: RequestOptions | undefined, served: EventMessage | undefined, accept: () => void): Promise<void> {
    if (served) return this._fire(event, room, served, accept);
    // a join that waited for a leave: the namespace may have gone meanwhile (the server would not answer)
    if (!this.connected) throw new BadNamespaceError();
    let fired!: Promise<void>;
    await this._ask(event, options, room, '', () => void (fired = this._fire(event, room, undefined, accept)));
    return fired;
  }

  /**
   * @internal dispatches a user event (or a native message); a Reply or error goes back to the server.
   * A reply whose body is not a body (`reply({a: 1})`) is an error: its TypeError goes back and to `error`.
   */
  _dispatch(m: EventMessage): void {
    this._call(m, (e, result) => {
      if (e === undefined) {
        if (!isReply(result)) return;
        try {
          checkBody(result.body, 'reply');
          return this.conn._reply(this, { ...m, error: undefined, body: result.body });
        } catch (te) {
          this.conn.emit('error', (e = te));
        }
      }
      this.conn._reply(this, { ...m, error: errorToText(e) });
    });
  }

  /**
   * @internal the namespace is disconnected (by either side, or by close or link loss): each joined room
   * gets `_OnRoomLeave` and `_OnRoomLeft` with isForced, then `_OnNamespaceDisconnect` fires with `m`.
   * `keep` remembers the handle and its rooms to connect and join again after a reconnect.
   */
  _drop(keep: boolean, m: EventMessage): void {
    if (!this._live) return; // dropped already (a server disconnect crossed ours)
    const c = this.conn;
    if (!keep) c._namespaces.delete(this.namespace); // a live NSConn is the one its Conn knows by that name
    for (const r of this._rooms.values()) {
      const live = r._live; // a join in flight fails with its request
      r._state.to('left');
      if (live) {
        const left = { ...this._msg(OnRoomLeave, r.name, true), isLocal: m.isLocal };
        this._call(left);
        this._call({ ...left, event: OnRoomLeft });
      }
    }
    if (!keep) this._rooms.clear();
    this._state.to('disconnected');
    this._call(m);
  }

  /** @internal a local event message */
  _msg(event: string, room = '', isForced = false): EventMessage {
    return { ...createMessage({ namespace: this.namespace, room, event }), isLocal: true, isForced };
  }

  /** @internal the message of `event` in a request's exchange: the served request's (same wait, not local), else a local one */
  _after(event: string, room: string, served?: EventMessage): EventMessage {
    return served ? { ...served, event } : this._msg(event, room);
  }

  /** @internal runs the handler of `m.event` (or `_OnAnyEvent`); errors without a caller go to the Conn's `error` event. */
  _call(m: EventMessage, cb?: Outcome): void {
    run(this._handlers.get(m.event) ?? this._handlers.get(OnAnyEvent), this, m, cb ?? ((e) => e !== undefined && this.conn.emit('error', e)));
  }

  /**
   * @internal runs the handler of `event` (of `room`; its message as `_after` makes it) as a promise that
   * rejects with the handler's error. `served` is answered with the verdict; when it accepts, `accept` runs: both
   * synchronously, before the next frame is read.
   */
  _fire(event: string, room: string, served: EventMessage | undefined, accept?: () => void): Promise<void> {
    return new Promise((resolve, reject) => this._call(this._after(event, room, served), (e) => {
      if (served) this.conn._answer(served, e);
      try {
        if (e !== undefined) throw e;
        resolve(accept?.()); // accept throws when the link dropped meanwhile
      } catch (failure) {
        reject(failure);
      }
    }));
  }
}
