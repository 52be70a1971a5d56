/**
 * The codec of the legacy Iris websocket (Iris v6 to v11, `github.com/kataras/iris/websocket`), pure:
 * no sockets, no timers. A custom (event) message is one WebSocket frame
 *
 * ```
 * <prefix><event>;<type>;<payload>      prefix = "iris-websocket-message:" by default
 * type = one digit: 0 string, 1 int, 2 bool, 3 bytes, 4 JSON; payload = the rest of the frame
 * ```
 *
 * and any frame that does not start with the prefix is a native message. Decoding follows the reader
 * of Iris v11 (`messageSerializer.deserialize`) and never throws: a frame it cannot read comes back as
 * `{ kind: 'invalid', error }` with a typed {@link LegacyError}. See docs/legacy.md.
 */

/** The default event prefix (`websocket.DefaultEvtMessageKey` in Iris). */
export const DEFAULT_PREFIX = 'iris-websocket-message:';

/** `c.to(All)`: every connection, the sender included (Iris `websocket.All`). */
export const All = '';
/** `c.to(Broadcast)`: every connection but the sender (Iris `websocket.Broadcast`). */
export const Broadcast = ';to;all;except;me;';
/** The older Iris name of {@link Broadcast}. */
export const NotMe = Broadcast;

/** The type digit of a custom message. */
export const MessageType = { String: 0, Int: 1, Bool: 2, Bytes: 3, JSON: 4 } as const;
/** 0 string, 1 int, 2 bool, 3 bytes, 4 JSON. */
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** A JSON value as `JSON.parse` returns it. */
export type JSONValue = null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };

/**
 * A decoded payload: type 0 → string, 1 → number (bigint beyond 2^53), 2 → boolean, 3 → bytes,
 * 4 → a JSON value. On the sending side, plain objects, arrays and `null` go as JSON.
 */
export type LegacyValue = string | number | bigint | boolean | Uint8Array | JSONValue | object;

/** Stable codes of {@link LegacyError}. */
export type LegacyErrorCode =
  | 'ERR_LEGACY_NO_SEPARATOR'
  | 'ERR_LEGACY_EMPTY_PAYLOAD'
  | 'ERR_LEGACY_BAD_TYPE'
  | 'ERR_LEGACY_BAD_PAYLOAD'
  | 'ERR_LEGACY_TYPE_MISMATCH'
  | 'ERR_LEGACY_UNSUPPORTED_VALUE'
  | 'ERR_LEGACY_BAD_EVENT'
  | 'ERR_LEGACY_HANDLER'
  | 'ERR_LEGACY_CLOSED'
  | 'ERR_LEGACY_CONNECT'
  | 'ERR_LEGACY_TIMEOUT';

/** Every error of `neffos-ts/legacy`: `code` tells them apart, `cause` holds the underlying error. */
export class LegacyError extends Error {
  readonly code: LegacyErrorCode;
  constructor(code: LegacyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'LegacyError';
  }
}

/** What {@link decode} makes of one frame. */
export type Decoded =
  | { kind: 'native'; data: Uint8Array }
  | {
      kind: 'event';
      event: string;
      type: MessageType;
      /** The payload bytes, undecoded. */
      payload: Uint8Array;
      /** The payload decoded by its type; `undefined` when it does not decode (see {@link DecodeOptions.empty}). */
      value: LegacyValue | undefined;
    }
  | { kind: 'invalid'; event?: string; error: LegacyError };

export interface DecodeOptions {
  /** The event prefix; default {@link DEFAULT_PREFIX}. */
  prefix?: string | Uint8Array;
  /**
   * Empty payloads: `'drop'` (the Go server's reader: `chat;0;` never reaches a handler, it comes back
   * invalid with `ERR_LEGACY_EMPTY_PAYLOAD`) or `'keep'` (clients: Go writes `int;1;` with no payload
   * for every Go `int`, and `""` strings as `e;0;`; the value is `""` for type 0 and undefined for
   * types 1 and 4; JSON `null` is kept too, where the server's reader drops it). Default `'drop'`.
   */
  empty?: 'drop' | 'keep';
}

const utf8 = new TextEncoder();
const text = new TextDecoder();
const SEMI = 0x3b;

/** Bytes of a string (UTF-8) or the bytes themselves. */
export function toBytes(data: string | Uint8Array | ArrayBuffer): Uint8Array {
  if (typeof data === 'string') return utf8.encode(data);
  return data instanceof Uint8Array ? data : new Uint8Array(data);
}

function startsWith(data: Uint8Array, prefix: Uint8Array): boolean {
  if (data.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
}

const prefixCache = new Map<string, Uint8Array>();
function prefixBytes(prefix: string | Uint8Array | undefined): Uint8Array {
  if (prefix instanceof Uint8Array) return prefix;
  const p = prefix === undefined || prefix === '' ? DEFAULT_PREFIX : prefix;
  let b = prefixCache.get(p);
  if (!b) prefixCache.set(p, (b = utf8.encode(p)));
  return b;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's `strconv.Atoi` on a 64-bit platform: optional sign, decimal digits, within int64. */
export function parseGoInt(s: string): number | bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  if (n < INT64_MIN || n > INT64_MAX) return undefined;
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/**
 * Decodes one frame (text or binary alike) as the Iris v11 server reads it: the event runs from the
 * prefix to the first `;`, the type is the one digit after it, the byte after the digit is skipped
 * unchecked, and the payload is the rest.
 */
export function decode(frame: string | Uint8Array | ArrayBuffer, options: DecodeOptions = {}): Decoded {
  const data = toBytes(frame);
  const prefix = prefixBytes(options.prefix);
  if (!startsWith(data, prefix)) return { kind: 'native', data };
  const sep = data.indexOf(SEMI, prefix.length);
  if (sep < 0) return { kind: 'invalid', error: new LegacyError('ERR_LEGACY_NO_SEPARATOR', 'legacy frame: no ";" after the event name') };
  const event = text.decode(data.subarray(prefix.length, sep));
  const bad = (code: LegacyErrorCode, message: string): Decoded => ({ kind: 'invalid', event, error: new LegacyError(code, `legacy frame for event ${JSON.stringify(event)}: ${message}`) });
  const start = sep + 3;
  const keep = options.empty === 'keep';
  if (data.length <= start && !(keep && data.length === start)) {
    return bad(data.length > sep + 1 ? 'ERR_LEGACY_EMPTY_PAYLOAD' : 'ERR_LEGACY_BAD_TYPE', data.length > sep + 1 ? 'empty payload' : 'no type digit');
  }
  const digit = data[sep + 1]! - 0x30;
  if (!(digit >= 0 && digit <= 4)) return bad('ERR_LEGACY_BAD_TYPE', `unknown type ${JSON.stringify(String.fromCharCode(data[sep + 1]!))}`);
  const type = digit as MessageType;
  const payload = data.subarray(start);
  if (payload.length === 0) {
    // only with empty: 'keep'
    return { kind: 'event', event, type, payload, value: type === 0 ? '' : type === 2 ? false : type === 3 ? payload : undefined };
  }
  switch (type) {
    case 0:
      return { kind: 'event', event, type, payload, value: text.decode(payload) };
    case 1: {
      const n = parseGoInt(text.decode(payload));
      if (n === undefined) return bad('ERR_LEGACY_BAD_PAYLOAD', 'the int payload is not a decimal int64');
      return { kind: 'event', event, type, payload, value: n };
    }
    case 2:
      return { kind: 'event', event, type, payload, value: payload.length === 4 && text.decode(payload) === 'true' };
    case 3:
      return { kind: 'event', event, type, payload, value: payload };
    case 4: {
      let value: JSONValue;
      try {
        value = JSON.parse(text.decode(payload)) as JSONValue;
      } catch {
        return bad('ERR_LEGACY_BAD_PAYLOAD', 'the JSON payload does not parse');
      }
      if (value === null && !keep) return bad('ERR_LEGACY_BAD_PAYLOAD', 'the JSON payload is null');
      return { kind: 'event', event, type, payload, value };
    }
  }
}

/** `JSON.stringify` written as Go's `encoding/json`: `<`, `>`, `&`, U+2028 and U+2029 escaped. */
export function goJSON(value: unknown): string {
  let s: string | undefined;
  try {
    s = JSON.stringify(value, (_k, v: unknown) => {
      if (typeof v === 'bigint') return Number(v);
      if (typeof v === 'number' && !Number.isFinite(v)) throw new LegacyError('ERR_LEGACY_UNSUPPORTED_VALUE', `cannot send ${v} as JSON`);
      if (v instanceof Uint8Array) return bytesToBase64(v);
      return v;
    });
  } catch (e) {
    if (e instanceof LegacyError) throw e;
    throw new LegacyError('ERR_LEGACY_UNSUPPORTED_VALUE', 'the value does not serialize as JSON: ' + String((e as Error)?.message ?? e), { cause: e });
  }
  if (s === undefined) throw new LegacyError('ERR_LEGACY_UNSUPPORTED_VALUE', `cannot send a ${typeof value} as JSON`);
  return s.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

// Go's encoding/json writes []byte inside JSON as base64.
function bytesToBase64(b: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < b.length; i++) bin += String.fromCharCode(b[i]!);
  return btoa(bin);
}

/** The type digit and the payload a value is sent with (see {@link encode}). */
export function payloadOf(value: unknown): { type: MessageType; payload: string | Uint8Array } {
  switch (typeof value) {
    case 'undefined':
      return { type: 0, payload: '' };
    case 'string':
      return { type: 0, payload: value };
    case 'boolean':
      return { type: 2, payload: value ? 'true' : 'false' };
    case 'bigint':
      if (value < INT64_MIN || value > INT64_MAX) throw new LegacyError('ERR_LEGACY_UNSUPPORTED_VALUE', 'a bigint beyond int64 cannot be sent as an int');
      return { type: 1, payload: value.toString() };
    case 'number':
      if (Number.isSafeInteger(value)) return { type: 1, payload: String(value) };
      return { type: 4, payload: goJSON(value) };
    case 'object':
      if (value instanceof Uint8Array) return { type: 3, payload: value };
      if (value instanceof ArrayBuffer) return { type: 3, payload: new Uint8Array(value) };
      return { type: 4, payload: goJSON(value) };
    default:
      throw new LegacyError('ERR_LEGACY_UNSUPPORTED_VALUE', `cannot send a ${typeof value}`);
  }
}

/**
 * Encodes a custom message. Strings go as type 0, safe integers (and int64 bigints) as 1 with their
 * decimal text, booleans as 2, bytes as 3, everything else (other numbers, objects, arrays, `null`) as
 * JSON (4), as Go's `encoding/json` writes it; `undefined` as an empty string. Returns a string when the
 * payload is text, bytes when it holds bytes. Throws {@link LegacyError} `ERR_LEGACY_UNSUPPORTED_VALUE`
 * for values that have no encoding (functions, symbols, NaN, cycles) and `ERR_LEGACY_BAD_EVENT` for an
 * event name containing `;`.
 */
export function encode(event: string, value?: unknown, prefix: string = DEFAULT_PREFIX): string | Uint8Array {
  if (typeof event !== 'string' || event.includes(';')) throw new LegacyError('ERR_LEGACY_BAD_EVENT', `invalid event name ${JSON.stringify(String(event))}: it must be a string without ";"`);
  const { type, payload } = payloadOf(value);
  const head = (prefix || DEFAULT_PREFIX) + event + ';' + type + ';';
  if (typeof payload === 'string') return head + payload;
  const h = utf8.encode(head);
  const out = new Uint8Array(h.length + payload.length);
  out.set(h, 0);
  out.set(payload, h.length);
  return out;
}
