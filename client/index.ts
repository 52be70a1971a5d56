/**
 * neffos-ts client: one implementation for Node and browsers.
 *
 * ```ts
 * import { dial, reply } from 'neffos-ts';
 * const conn = await dial('ws://localhost:8080/echo', { default: { echo: (ns, m) => reply(m.body) } });
 * const ns = await conn.connect('default');     // NSConn
 * const room = await ns.joinRoom('lobby');      // Room
 * room.emit('chat', 'hi');
 * const answer = await ns.ask('echo', 'ping');  // Message, or rejects with the remote error
 * conn.close();
 * ```
 * @packageDocumentation
 */
export { dial } from './dial.js';
export { Conn } from './conn.js';
export { NSConn } from './nsconn.js';
export { Room } from './room.js';
export { backoff } from './backoff.js';
export type * from './types.js';
export {
  type Body, type Message, reply, Reply, isReply, marshal, unmarshal, Events, registerKnownError,
  NeffosError, BadNamespaceError, BadRoomError, WriteError, InvalidPayloadError, ClosedError, TimeoutError,
  AbortError, HandshakeRefusedError, HandshakeTimeoutError, NotConnectedError, RemoteError, type ErrorCode,
} from '../protocol/index.js';
