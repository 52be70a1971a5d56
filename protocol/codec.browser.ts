/**
 * The client's codec in browser builds (rollup substitutes this file for codec.ts there; only the
 * browser client bundles it — `neffos-ts/protocol` is codec.ts everywhere). Go-exact for every
 * frame a client writes or reads, in fewer bytes: no Node-oriented ASCII fast paths, and none of
 * the server-to-server markers, which Go never writes to a client socket (`Conn.Write` clears
 * `FromExplicit`; the stackexchange `!` wait marker only crosses stackexchanges): `fromExplicit`
 * is not written, and a `neffos(0x…` or `x!…` wait is read as a plain wait token. Binary frames
 * are what a socket delivers, an ArrayBuffer (browsers, binaryType 'arraybuffer') or a Uint8Array
 * (Buffer), not any ArrayBufferView.
 * Conformance tests run the golden vectors and the generated Go cases against both files
 * (server-to-server cases against this reading).
 */
import { escape, unescape } from './escape.js';
import { OnNativeMessage } from './events.js';
import { bodyText, createMessage, type Message, type MessageInit } from './message.js';
import type { DecodeOptions, Frame } from './codec.js';

const enc = new TextEncoder();
const strict = new TextDecoder('utf-8', { fatal: true });

export function encode(m: MessageInit): Frame {
  let { wait = '', body = '', error } = m; // body: the error text replaces it
  let head = '';
  // A native message is its body alone.
  if (!m.native || wait) {
    head = [wait, escape(m.namespace), escape(m.room), escape(m.event), +(error !== undefined), +!!m.isNoOp, ''].join(';');
    body = error ?? body;
  }
  // A text frame unless binary, or bytes that are not UTF-8 (a text frame must be: browsers and ws close with 1007).
  if (!m.binary) {
    try {
      return head + (typeof body == 'string' ? body : strict.decode(body));
    } catch {}
  }
  // A binary frame: the header's bytes, then the body's.
  const h = enc.encode(head);
  const b = typeof body == 'string' ? enc.encode(body) : body;
  const out = new Uint8Array(h.length + b.length);
  out.set(h);
  out.set(b, h.length);
  return out;
}

export function decode(frame: string | Uint8Array | ArrayBuffer, o: DecodeOptions = {}): Message {
  const binary = typeof frame != 'string';
  // `m` holds no undefined values (createMessage may copy them in browser builds)
  const msg = (m: MessageInit): Message => createMessage({ binary, body: binary ? new Uint8Array() : '', ...m });
  try {
    // An ArrayBuffer is viewed, a Uint8Array copied; a non-frame gives no bytes (or throws) and is invalid.
    const b = binary ? new Uint8Array(frame) : frame;
    // the 6 separators of the header
    let end = -1;
    let n = 6;
    while (n && (end = (b as string).indexOf((binary ? 0x3b : ';') as string, end + 1)) >= 0) n--;
    if (n || o.onlyNative) {
      // an empty frame (no separator) is not even a native message
      return msg(b.length && (o.onlyNative || o.allowNative) ? { event: OnNativeMessage, body: b, native: !!o.allowNative } : { invalid: true });
    }
    const [wait, namespace, room, escaped, isError, isNoOp] = bodyText(b.slice(0, end)).split(';');
    const body = b.slice(end + 1);
    const event = unescape(escaped);
    // Go: isError=1 with an empty text is no error at all.
    return msg({
      wait, namespace: unescape(namespace), room: unescape(room), event,
      ...(isError == '1' && body.length ? { error: bodyText(body) } : { body }),
      isNoOp: isNoOp == '1', native: !!o.allowNative && event == OnNativeMessage,
    });
  } catch {
    return msg({ invalid: true });
  }
}
