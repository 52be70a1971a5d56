import { Conn } from './conn.js';
import { openLink } from './link.js';
import type { AnyNamespaces, DialOptions, NamespaceMap, Namespaces } from './types.js';

/**
 * Opens a connection to a neffos server and completes the handshake: sends
 * `M`, resolves on `A` + id, rejects with HandshakeRefusedError (message = the
 * server's text) on `H`, HandshakeTimeoutError after `handshakeTimeout`.
 *
 * `namespaces` maps namespace → event → handler, including the system events
 * (`_OnNamespaceConnect`, `_OnRoomJoined`, `_OnAnyEvent`, `_OnNativeMessage`...).
 * A handler may return `reply(body)` to answer an ask, or return/throw an Error.
 * @example
 * import { dial, reply } from 'neffos-ts';
 * const conn = await dial('ws://localhost:8080/echo', {
 *   default: {
 *     chat: (ns, msg) => console.log('chat:', msg.body),
 *     question: (ns, msg) => reply('fine, thanks'),
 *   },
 * }, { headers: { Authorization: 'Bearer t' }, reconnect: { maxRetries: 10 } });
 * const ns = await conn.connect('default');
 * ns.emit('chat', 'hello');
 */
export async function dial<N extends NamespaceMap = AnyNamespaces>(url: string, namespaces: Namespaces<N>, options?: DialOptions): Promise<Conn<N>> {
  // A failed first link leaves a Conn nobody can reach (no handler ran, no listener could be added): nothing to close.
  return openLink(new Conn<N>(url, namespaces, options), 0);
}
