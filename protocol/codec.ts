/**
 * The neffos message codec (docs/protocol.md §1): pure, no I/O, no timers.
 *
 * A frame is `wait;namespace;room;event;isError;isNoOp;body` — seven fields,
 * split at the first six `;` exactly like Go's `bytes.SplitN(b, ";", 7)`.
 * Text frames are JS strings, binary frames are Uint8Arrays.
 */
import { escape, unescape } from './escape.js';
import { OnNativeMessage } from './events.js';
import { checkBody, type Body, type Message, type MessageInit } from './message.js';

/** A WebSocket payload: text frames are strings, binary frames are bytes. */
export type Frame = string | Uint8Array;

/** Receiver settings for {@link decode} (docs/protocol.md §2.4-2.5). */
export interface DecodeOptions {
  /** Namespace `""` with an `_OnNativeMessage` handler exists: frames that are not neffos messages become native messages. */
  allowNative?: boolean;
  /** Go's native-only mode: every frame is a native message, whatever its content. */
  onlyNative?: boolean;
}

const SEMI = 0x3b;
const EXPLICIT_PREFIX = 'neffos(0x';
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });
const EMPTY_BYTES = new Uint8Array(0);

/**
 * Encodes a message into one frame, byte-exact with Go neffos `serializeMessage`.
 *
 * Returns a string for a text frame and a Uint8Array for a binary frame
 * (`binary: true`). A byte body that is not valid UTF-8 cannot travel in a text
 * frame (browsers and ws close with 1007), so such a message is sent binary.
 *
 * @example
 * encode({ namespace: 'default', event: 'chat', body: 'hello' }) // ';default;;chat;0;0;hello'
 */
export function encode(m: MessageInit): Frame {
  const body = m.body ?? '';
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) checkBody(body, 'encode');
  if (m.error !== undefined && typeof m.error !== 'string') throw new TypeError(`neffos: encode: an error text must be a string, got ${typeof m.error}`);
  const wait = m.wait ?? '';
  if (m.native && wait === '') {
    if (m.binary) return toBytes(body);
    return typeof body === 'string' ? body : textOrBytes('', body);
  }
  let first = wait;
  if (m.fromExplicit) {
    if (wait !== '') throw new TypeError('neffos: a message cannot carry both a wait token and fromExplicit');
    first = m.fromExplicit;
  }
  const isError = m.error !== undefined;
  const header =
    first + ';' +
    escape(m.namespace ?? '') + ';' +
    escape(m.room ?? '') + ';' +
    escape(m.event ?? '') +
    (isError ? ';1;' : ';0;') +
    (m.isNoOp ? '1;' : '0;');
  const payload: Body = isError ? (m.error as string) : body;
  if (m.binary) return concat(header, payload);
  if (typeof payload === 'string') return header + payload;
  return textOrBytes(header, payload);
}

function toBytes(body: Body): Uint8Array {
  return typeof body === 'string' ? encoder.encode(body) : body;
}

function concat(header: string, payload: Body): Uint8Array {
  const b = toBytes(payload);
  const n = header.length;
  let ascii = true;
  for (let i = 0; i < n; i++) {
    if (header.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (!ascii) {
    const h = encoder.encode(header);
    const out = new Uint8Array(h.length + b.length);
    out.set(h, 0);
    out.set(b, h.length);
    return out;
  }
  // Headers are almost always ASCII: copy the code units directly, no TextEncoder round trip.
  const out = new Uint8Array(n + b.length);
  for (let i = 0; i < n; i++) out[i] = header.charCodeAt(i);
  out.set(b, n);
  return out;
}

function textOrBytes(header: string, bytes: Uint8Array): Frame {
  try {
    return header + strictDecoder.decode(bytes);
  } catch {
    return concat(header, bytes);
  }
}

/**
 * Decodes one frame, exactly as Go neffos `DeserializeMessage`. Never throws.
 *
 * Strings are text frames; Uint8Array/ArrayBuffer/any ArrayBufferView are binary
 * frames (their body stays bytes). A frame that is not a neffos message comes back
 * with `invalid: true` — or as a native message when `allowNative` is set.
 */
export function decode(frame: string | Uint8Array | ArrayBuffer | ArrayBufferView, options?: DecodeOptions): Message {
  try {
    if (typeof frame === 'string') return decodeText(frame, options);
    const bytes = asBytes(frame);
    return bytes ? decodeBinary(bytes, options) : invalidMessage(false);
  } catch {
    return invalidMessage(typeof frame !== 'string');
  }
}

function asBytes(frame: unknown): Uint8Array | null {
  if (frame instanceof Uint8Array) return frame;
  if (frame instanceof ArrayBuffer) return new Uint8Array(frame);
  if (ArrayBuffer.isView(frame)) return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
  return null;
}

function decodeText(s: string, o: DecodeOptions | undefined): Message {
  if (s.length === 0) return invalidMessage(false);
  if (o?.onlyNative) return nativeMessage(s, false, o);
  const i0 = s.indexOf(';');
  const i1 = i0 < 0 ? -1 : s.indexOf(';', i0 + 1);
  const i2 = i1 < 0 ? -1 : s.indexOf(';', i1 + 1);
  const i3 = i2 < 0 ? -1 : s.indexOf(';', i2 + 1);
  const i4 = i3 < 0 ? -1 : s.indexOf(';', i3 + 1);
  const i5 = i4 < 0 ? -1 : s.indexOf(';', i4 + 1);
  if (i5 < 0) return o?.allowNative ? nativeMessage(s, false, o) : invalidMessage(false);
  const rest = s.slice(i5 + 1);
  return build(
    s.slice(0, i0), s.slice(i0 + 1, i1), s.slice(i1 + 1, i2), s.slice(i2 + 1, i3),
    s.slice(i3 + 1, i4) === '1', s.slice(i4 + 1, i5) === '1',
    rest, rest, false, o,
  );
}

function decodeBinary(b: Uint8Array, o: DecodeOptions | undefined): Message {
  if (b.length === 0) return invalidMessage(true);
  if (o?.onlyNative) return nativeMessage(b.slice(), true, o);
  let end = -1;
  for (let n = 0; n < 6; n++) {
    end = b.indexOf(SEMI, end + 1);
    if (end < 0) return o?.allowNative ? nativeMessage(b.slice(), true, o) : invalidMessage(true);
  }
  // UTF-8 continuation bytes are never 0x3B, so byte positions and characters split alike.
  const header = headerText(b, end);
  const i0 = header.indexOf(';');
  const i1 = header.indexOf(';', i0 + 1);
  const i2 = header.indexOf(';', i1 + 1);
  const i3 = header.indexOf(';', i2 + 1);
  const i4 = header.indexOf(';', i3 + 1);
  const isError = header.slice(i3 + 1, i4) === '1';
  const rest = b.slice(end + 1);
  return build(
    header.slice(0, i0), header.slice(i0 + 1, i1), header.slice(i1 + 1, i2), header.slice(i2 + 1, i3),
    isError, header.slice(i4 + 1) === '1',
    isError && rest.length > 0 ? decoder.decode(rest) : '', rest, true, o,
  );
}

/** Decodes the header bytes; short ASCII headers (the usual case) skip TextDecoder. */
function headerText(b: Uint8Array, end: number): string {
  if (end > 256) return decoder.decode(b.subarray(0, end));
  let s = '';
  for (let i = 0; i < end; i++) {
    const c = b[i];
    if (c > 0x7f) return decoder.decode(b.subarray(0, end));
    s += String.fromCharCode(c);
  }
  return s;
}

function build(
  wait: string, namespace: string, room: string, event: string,
  isError: boolean, isNoOp: boolean,
  errorText: string, body: Body, binary: boolean, o: DecodeOptions | undefined,
): Message {
  let fromExplicit = '';
  if (wait.startsWith(EXPLICIT_PREFIX)) {
    fromExplicit = wait;
    wait = '';
  }
  // Go checks the second *byte*: only an ASCII first character can put '!' there.
  const fromStackExchange = wait.length > 2 && wait.charCodeAt(1) === 0x21 && wait.charCodeAt(0) < 0x80;
  if (fromStackExchange) wait = wait[0] + wait.slice(2);
  event = unescape(event);
  const m: Message = {
    wait,
    namespace: unescape(namespace),
    room: unescape(room),
    event,
    body,
    isNoOp,
    binary,
    native: o?.allowNative === true && event === OnNativeMessage,
    fromExplicit,
    fromStackExchange,
  };
  // Go: isError=1 with an empty text is no error at all (vector D05).
  if (isError && errorText.length > 0) {
    m.error = errorText;
    m.body = binary ? EMPTY_BYTES : '';
  }
  return m;
}

function nativeMessage(body: Body, binary: boolean, o: DecodeOptions): Message {
  return {
    wait: '', namespace: '', room: '', event: OnNativeMessage, body,
    isNoOp: false, binary, native: o.allowNative === true,
    fromExplicit: '', fromStackExchange: false,
  };
}

function invalidMessage(binary: boolean): Message {
  return {
    wait: '', namespace: '', room: '', event: '', body: binary ? EMPTY_BYTES : '',
    isNoOp: false, binary, native: false, fromExplicit: '', fromStackExchange: false,
    invalid: true,
  };
}
