import type { NSConn } from './nsconn.js';
import { ROOM_MOVES, State } from './state.js';
import type { EventMap, RequestOptions, RoomState } from './types.js';

/**
 * A room of a namespace. The object stays valid across reconnections: the room is joined again
 * after the link comes back. Its one state (`joining` → `joined` → `leaving` → `left`) is reported
 * by the Conn's `roomState` event.
 * @example
 * const room = await nsConn.joinRoom('lobby');
 * room.emit('chat', 'hi lobby');
 * await room.leave();
 */
export class Room<E extends EventMap = EventMap> {
  /** @internal the one state; moved by the NSConn (join, leave, forced leave) */
  readonly _state: State<RoomState>;

  constructor(readonly nsConn: NSConn<E>, readonly name: string) {
    this._state = new State<RoomState>(ROOM_MOVES, 'left', (e) => nsConn.conn.emit('roomState', { room: this, ...e }));
  }

  /** `joining`, `joined`, `leaving` or `left`. */
  get state(): RoomState {
    return this._state._now;
  }

  /** Joined right now (false while joining, reconnecting and after leave). */
  get joined(): boolean {
    return this._state._now === 'joined';
  }

  /** @internal joined, or leaving until the server's answer is read: answers to the server's asks in it still go out (as Go) */
  get _live(): boolean {
    return this.joined || this._state._now === 'leaving';
  }

  /** Sends `event` to this room (the server decides whom it reaches). Throws like {@link NSConn.emit}, and `BadRoomError` when not joined. */
  emit<K extends keyof E & string>(event: K, body: E[K] = '' as E[K]): boolean {
    return this.nsConn._emit(event, body, false, this.name);
  }

  /** Like {@link Room.emit} in a binary frame. */
  emitBinary<K extends keyof E & string>(event: K, body: E[K]): boolean {
    return this.nsConn._emit(event, body, true, this.name);
  }

  /** Leaves the room: rejects with `BadRoomError` when not joined, or with the server's error. A second call meanwhile gets the same promise. */
  leave(options?: RequestOptions): Promise<void> {
    return this.nsConn._leave(this, options);
  }
}
