/**
 * The plain-`<script>` entry: the only module that sets a global (`neffos`), holding every export of the package.
 * @example
 * <script src="https://unpkg.com/neffos-ts/dist/browser/neffos.min.js"></script>
 * <script>neffos.dial('/echo', { default: {} }).then((conn) => conn.connect('default'));</script>
 */
import type * as api from './index.js';
import {
  AbortError, BadNamespaceError, BadRoomError, ClosedError, Conn, Events, HandshakeRefusedError, HandshakeTimeoutError,
  InvalidPayloadError, NSConn, NeffosError, NotConnectedError, RemoteError, Reply, Room, TimeoutError, WriteError,
  backoff, dial, isReply, marshal, registerKnownError, reply, unmarshal,
} from './index.js';

/**
 * The built-in error classes, put on the global under their own names (`BadNamespaceError`, ...): each name comes from
 * the class at run time, so the bundle does not spell it a second time (37 B min+gzip less than listing them).
 * test/client/bundle.test.ts checks that the global has exactly the module's exports.
 */
const errors = [
  BadNamespaceError, BadRoomError, WriteError, InvalidPayloadError, ClosedError, TimeoutError, AbortError,
  HandshakeRefusedError, HandshakeTimeoutError, NotConnectedError, RemoteError,
];

(globalThis as { neffos?: typeof api }).neffos = {
  __proto__: null, // as a module namespace object: no inherited names
  ...Object.fromEntries(errors.map((E) => [E.name, E])),
  Conn, Events, NSConn, NeffosError, Reply, Room, backoff, dial, isReply, marshal, registerKnownError, reply, unmarshal,
} as unknown as typeof api;
