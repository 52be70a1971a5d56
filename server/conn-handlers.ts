/** The socket's callbacks for a Conn, and what a held message costs: small pieces of conn.ts kept apart. */
import type { Message } from '../protocol/index.js';
import type { Conn } from './conn.js';
import type { SocketHandlers } from './socket.js';

/** What a held message costs against `maxHeldBytes` (the length of its frame's parts). */
export function sizeOf(m: Message): number {
  return m.wait.length + m.namespace.length + m.room.length + m.event.length + m.body.length + (m.error?.length ?? 0) + 6;
}

/** The socket's callbacks for one connection: one small object with prototype methods, no closures. */
export class ConnHandlers implements SocketHandlers {
  constructor(private readonly conn: Conn) {}
  message(data: string | Uint8Array, isBinary: boolean): void {
    this.conn.onFrame(data, isBinary);
  }
  close(): void {
    this.conn.gone();
  }
  pong(): void {
    this.conn.lastPong = this.conn.core.clock;
  }
}
