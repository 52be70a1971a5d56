/**
 * Errors with stable codes, mapped to and from the exact neffos error texts
 * (docs/protocol.md §1.7). A received error text that matches a known error comes
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

/** A built-in error class: a fixed `code`, a default message (`text`) and a `name` that survives minifiers. */
export interface CodedError<C extends ErrorCode> {
  new (message?: string, options?: Options): NeffosError & { readonly code: C };
  /** The default message; for the first five classes, Go neffos's exact error text. */
  readonly text: string;
}

/**
 * Makes a built-in error class from its key (`BadNamespace`): name `BadNamespaceError`, and
 * unless given, default text `bad namespace` and code `ERR_BAD_NAMESPACE`. The class's name comes from the key at
 * run time, not from its source name, so it stays right when a bundler renames classes; subclasses keep their own.
 */
function coded<C extends ErrorCode>(key: string, text = key.replace(/\B[A-Z]/g, ' $&').toLowerCase(), code = 'ERR_' + key.replace(/\B[A-Z]/g, '_$&').toUpperCase()): CodedError<C> {
  // A class defined as the value of a computed key takes the key as its name (`E.name`, read by NeffosError).
  const classes = {
    [key + 'Error']: class extends NeffosError {
      static readonly text = text;
      constructor(message = text, options?: Options) {
        super(message, code, options);
      }
    },
  };
  return classes[key + 'Error'] as unknown as CodedError<C>;
}

/** `bad namespace`: the namespace is not declared (or not connected), locally or by the peer. */
export const BadNamespaceError = coded<'ERR_BAD_NAMESPACE'>('BadNamespace');
export type BadNamespaceError = InstanceType<typeof BadNamespaceError>;

/** `bad room`: leaving or emitting to a room that is not joined. */
export const BadRoomError = coded<'ERR_BAD_ROOM'>('BadRoom');
export type BadRoomError = InstanceType<typeof BadRoomError>;

/** `write closed`: the connection is closed or the write failed. */
export const WriteError = coded<'ERR_WRITE'>('Write', 'write closed');
export type WriteError = InstanceType<typeof WriteError>;

/** `invalid payload`: a frame that is not a neffos message. */
export const InvalidPayloadError = coded<'ERR_INVALID_PAYLOAD'>('InvalidPayload');
export type InvalidPayloadError = InstanceType<typeof InvalidPayloadError>;

/** `use of closed connection`: the connection was closed while the request was pending (or before it). */
export const ClosedError = coded<'ERR_CLOSED'>('Closed', 'use of closed connection');
export type ClosedError = InstanceType<typeof ClosedError>;

/** A request (ask, connect, join, leave, handshake) passed its deadline. */
export const TimeoutError = coded<'ERR_TIMEOUT'>('Timeout');
export type TimeoutError = InstanceType<typeof TimeoutError>;

/** A request was cancelled through its AbortSignal. */
export const AbortError = coded<'ERR_ABORTED'>('Abort', 'aborted', 'ERR_ABORTED');
export type AbortError = InstanceType<typeof AbortError>;

/** The server refused the connection (`H` + text): `message` is exactly the server's text. */
export const HandshakeRefusedError = coded<'ERR_HANDSHAKE_REFUSED'>('HandshakeRefused');
export type HandshakeRefusedError = InstanceType<typeof HandshakeRefusedError>;

/** The server did not answer the handshake (`M`) with `A` or `H` in time. */
export const HandshakeTimeoutError = coded<'ERR_HANDSHAKE_TIMEOUT'>('HandshakeTimeout');
export type HandshakeTimeoutError = InstanceType<typeof HandshakeTimeoutError>;

/** The link is down (reconnecting) and the operation cannot wait: emit, ask, connect and join fail fast. */
export const NotConnectedError = coded<'ERR_NOT_CONNECTED'>('NotConnected');
export type NotConnectedError = InstanceType<typeof NotConnectedError>;

/** An error sent by the peer whose text is not a known error: `message` is exactly that text. */
export const RemoteError = coded<'ERR_REMOTE'>('Remote', 'remote error');
export type RemoteError = InstanceType<typeof RemoteError>;

/** Known errors, Go's five first, then the registered ones: [exact text or predicate, create]. */
const known: [string | ((text: string) => boolean), (text: string) => NeffosError][] =
  [BadNamespaceError, BadRoomError, WriteError, InvalidPayloadError, ClosedError].map((E) => [E.text, () => new E()]);

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
  known.push([match, create]);
}



/** Turns a received error text into an Error: a known error's class, else a {@link RemoteError}. */
export function errorFromText(text: string): NeffosError {
  for (const [match, create] of known) if (typeof match === 'string' ? match === text : match(text)) return create(text);
  return new RemoteError(text);
}

/** The text that goes on the wire for a thrown value (Go's `err.Error()`). */
export function errorToText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The error of an ask (client or server side, any request that waits for an answer) that passed its deadline:
 * a TimeoutError (`ERR_TIMEOUT`) with the text `ask timed out after <ms> ms` and no cause. Both sides use it.
 * @example
 * askTimeoutError(5000).message // 'ask timed out after 5000 ms'
 */
export function askTimeoutError(timeout: number): TimeoutError {
  return new TimeoutError(`ask timed out after ${timeout} ms`);
}

/**
 * The error of an ask cancelled through its AbortSignal (also when the signal was aborted before the ask, which is
 * then not sent): an AbortError (`ERR_ABORTED`) with the text `aborted` and the signal's reason as `cause`.
 * @example
 * askAbortedError(AbortSignal.abort('bye')).cause // 'bye'
 */
export function askAbortedError(signal?: AbortSignal): AbortError {
  return new AbortError(undefined, { cause: signal?.reason });
}
