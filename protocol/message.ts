/** A message body: text for text frames, bytes for binary frames (either may be sent either way). */
export type Body = string | Uint8Array;

/** Whether a value can be a message body as it is (a string or a Uint8Array, Buffer included). */
export function isBody(value: unknown): value is Body {
  return typeof value === 'string' || value instanceof Uint8Array;
}

/**
 * Throws a TypeError naming the call site when `value` cannot be a body. Bodies are sent as they are, never
 * marshalled: send other values with `marshal(value)` (JSON, as Go's `neffos.Marshal`).
 * @example
 * checkBody(42, 'emit') // TypeError: neffos: emit: a body must be a string or a Uint8Array, got number; send values with marshal(value)
 */
export function checkBody(value: unknown, where: string): asserts value is Body {
  if (!isBody(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
    throw new TypeError(`neffos: ${where}: a body must be a string or a Uint8Array, got ${got}; send values with marshal(value)`);
  }
}

/**
 * One neffos message, the unit of the wire protocol (docs/protocol.md §1).
 *
 * Fields mirror Go's `neffos.Message` in camelCase. `error` is the error text
 * when the peer sent isError=1 (absent otherwise); `invalid` is set only by
 * {@link decode} for frames that are not neffos messages.
 */
export interface Message {
  /** Request/response correlation token; empty for fire-and-forget. */
  wait: string;
  namespace: string;
  room: string;
  event: string;
  /** Text (text frames) or bytes (binary frames). Empty string when absent. */
  body: Body;
  /** Error text (isError=1). Absent when the message carries no error. */
  error?: string;
  isNoOp: boolean;
  /** Sent or received as a binary WebSocket frame (Go's SetBinary). */
  binary: boolean;
  /** A raw frame outside the neffos format (Go's IsNative). */
  native: boolean;
  /** Server-to-server exclude-sender marker (`neffos(0x…`), written in the wait slot. */
  fromExplicit: string;
  /** The wait token carried the stackexchange `!` marker (server-to-server only). */
  fromStackExchange: boolean;
  /** Set by `decode` when the frame is not a valid neffos message. */
  invalid?: boolean;
}

/** What callers provide to build a message: every field is optional. */
export type MessageInit = Partial<Message>;

export { createMessage } from './create-message.js';

const encoder = /* @__PURE__ */ new TextEncoder();
const decoder = /* @__PURE__ */ new TextDecoder();

/** The body as text (bytes are decoded as UTF-8). */
export function bodyText(body: Body): string {
  return typeof body === 'string' ? body : decoder.decode(body);
}

/** The body as bytes (text is encoded as UTF-8). */
export function bodyBytes(body: Body): Uint8Array {
  return typeof body === 'string' ? encoder.encode(body) : body;
}

/** JSON-encodes a value into a body, as Go's `neffos.Marshal`. */
export function marshal(value: unknown): string {
  const s = JSON.stringify(value);
  if (s === undefined) throw new TypeError('marshal: value is not JSON-serialisable');
  return s;
}

/** Parses a JSON body (text or UTF-8 bytes), as Go's `Message.Unmarshal`. */
export function unmarshal<T = unknown>(body: Body): T {
  return JSON.parse(bodyText(body)) as T;
}
