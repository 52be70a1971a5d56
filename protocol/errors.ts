/**
 * Errors with stable codes, mapped to and from the exact neffos error texts
 * (PROTOCOL.md §1.7). A received error text that matches a known error comes
 * back as an instance of its class, so `err instanceof BadNamespaceError` (or
 * `err.code === 'ERR_BAD_NAMESPACE'`) works across the wire, as
 * `err == neffos.ErrBadNamespace` does in Go.
 */

/** Stable error codes. User-registered known errors may add their own. */
export type ErrorCode =
  | 'ERR_BAD_NAMESPACE'
  | 'ERR_BAD_ROOM'
  | 'ERR_WRITE'
  | 'ERR_INVALID_PAYLOAD'
  | 'ERR_CLOSED'
  | 'ERR_TIMEOUT'
  | 'ERR_ABORTED'
  | 'ERR_HANDSHAKE_REFUSED'
  | 'ERR_HANDSHAKE_TIMEOUT'
  | 'ERR_NOT_CONNECTED'
  | 'ERR_REMOTE'
  | (string & {});

/** Base class of every neffos-ts error: `message` is the neffos text, `code` tells them apart. */
export class NeffosError extends Error {
  readonly code: ErrorCode;
  constructor(message: string, code: ErrorCode, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

type Options = { cause?: unknown };

/** The base of a built-in error class: a fixed `code` and a default message (`text`). */
function coded<C extends ErrorCode>(code: C, text: string) {
  return class extends NeffosError {
    /** The default message; for the first five classes, Go neffos's exact error text. */
    static readonly text = text;
    declare readonly code: C;
    constructor(message = text, options?: Options) {
      super(message, code, options);
    }
  };
}

/** `bad namespace`: the namespace is not declared (or not connected), locally or by the peer. */
export class BadNamespaceError extends coded('ERR_BAD_NAMESPACE', 'bad namespace') {}

/** `bad room`: leaving or emitting to a room that is not joined. */
export class BadRoomError extends coded('ERR_BAD_ROOM', 'bad room') {}

/** `write closed`: the connection is closed or the write failed. */
export class WriteError extends coded('ERR_WRITE', 'write closed') {}

/** `invalid payload`: a frame that is not a neffos message. */
export class InvalidPayloadError extends coded('ERR_INVALID_PAYLOAD', 'invalid payload') {}

/** `use of closed connection`: the connection was closed while the request was pending (or before it). */
export class ClosedError extends coded('ERR_CLOSED', 'use of closed connection') {}

/** A request (ask, connect, join, leave, handshake) passed its deadline. */
export class TimeoutError extends coded('ERR_TIMEOUT', 'timeout') {}

/** A request was cancelled through its AbortSignal. */
export class AbortError extends coded('ERR_ABORTED', 'aborted') {}

/** The server refused the connection (`H` + text): `message` is exactly the server's text. */
export class HandshakeRefusedError extends coded('ERR_HANDSHAKE_REFUSED', 'handshake refused') {}

/** The server did not answer the handshake (`M`) with `A` or `H` in time. */
export class HandshakeTimeoutError extends coded('ERR_HANDSHAKE_TIMEOUT', 'handshake timeout') {}

/** The link is down (reconnecting) and the operation cannot wait: emit, ask, connect and join fail fast. */
export class NotConnectedError extends coded('ERR_NOT_CONNECTED', 'not connected') {}

/** An error sent by the peer whose text is not a known error: `message` is exactly that text. */
export class RemoteError extends coded('ERR_REMOTE', 'remote error') {}

/** Registered known errors: [matches, create]. */
const known: [(text: string) => boolean, (text: string) => NeffosError][] = [];

/**
 * Registers a known error, as Go's `neffos.RegisterKnownError`: a received error
 * whose text matches comes back from {@link errorFromText} as `create(text)`.
 *
 * @param match the exact text, or a predicate (Go's `ResolveError(text) bool`)
 * @example
 * class QuotaError extends NeffosError { constructor() { super('quota exceeded', 'ERR_QUOTA'); } }
 * registerKnownError('quota exceeded', () => new QuotaError());
 */
export function registerKnownError(match: string | ((text: string) => boolean), create: (text: string) => NeffosError): void {
  known.push([typeof match === 'string' ? (t) => t === match : match, create]);
}

for (const E of [BadNamespaceError, BadRoomError, WriteError, InvalidPayloadError, ClosedError]) registerKnownError(E.text, () => new E());

/** Turns a received error text into an Error: a known error's class, else a {@link RemoteError}. */
export function errorFromText(text: string): NeffosError {
  for (const [matches, create] of known) if (matches(text)) return create(text);
  return new RemoteError(text);
}

/** The text that goes on the wire for a thrown value (Go's `err.Error()`). */
export function errorToText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
