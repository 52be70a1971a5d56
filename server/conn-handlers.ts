/** The socket's callbacks for a Conn: a small piece of conn.ts kept apart. */
import type { Conn } from './conn.js';
import type { SocketHandlers } from './socket.js';

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
