import type { NSConn } from './nsconn.js';
import type { EventMap, RequestOptions } from './types.js';

/**
 * A joined room of a namespace. The object stays valid across reconnections:
 * the room is joined again after the link comes back.
 * @example
 * const room = await nsConn.joinRoom('lobby');
 * room.emit('chat', 'hi lobby');
 * await room.leave();
 */
export class Room<E extends EventMap = EventMap> {
  /** Joined right now (false while reconnecting and after leave). */
  joined = false;

  constructor(readonly nsConn: NSConn<E>, readonly name: string) {}

  /** Sends `event` to this room (the server decides whom it reaches). Throws like {@link NSConn.emit}, and `BadRoomError` when not joined. */
  emit<K extends keyof E & string>(event: K, body: E[K] = '' as E[K]): boolean {
    return this.nsConn._emit(event, body, false, this.name);
  }

  /** Like {@link Room.emit} in a binary frame. */
  emitBinary<K extends keyof E & string>(event: K, body: E[K]): boolean {
    return this.nsConn._emit(event, body, true, this.name);
  }

  /** Leaves the room: rejects with `BadRoomError` when not joined, or with the server's error. */
  leave(options?: RequestOptions): Promise<void> {
    return this.nsConn._leave(this, options);
  }
}
