/**
 * The codec for browser builds (rollup substitutes this file for codec.ts there): the same
 * Go-exact results in fewer bytes — no Node-oriented ASCII fast paths. Conformance tests run
 * the golden vectors and the generated Go cases against both files.
 */
import { escape, unescape } from './escape.js';
import { OnNativeMessage } from './events.js';
import { type Body, createMessage, type Message, type MessageInit } from './message.js';
import type { DecodeOptions, Frame } from './codec.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const strict = new TextDecoder('utf-8', { fatal: true });
const bytes = (b: Body): Uint8Array => (typeof b == 'string' ? enc.encode(b) : b);

function join(head: string, b: Body): Uint8Array {
  const h = enc.encode(head);
  const p = bytes(b);
  const out = new Uint8Array(h.length + p.length);
  out.set(h);
  out.set(p, h.length);
  return out;
}

function text(head: string, b: Uint8Array): Frame {
  try {
    return head + strict.decode(b);
  } catch {
    return join(head, b);
  }
}

export function encode(m: MessageInit): Frame {
  const body = m.body ?? '';
  let wait = m.wait ?? '';
  if (m.native && !wait) return m.binary ? bytes(body) : typeof body == 'string' ? body : text('', body);
  if (m.fromExplicit) {
    if (wait) throw new TypeError('neffos: a message cannot carry both a wait token and fromExplicit');
    wait = m.fromExplicit;
  }
  const err = m.error !== undefined;
  const head = [wait, escape(m.namespace ?? ''), escape(m.room ?? ''), escape(m.event ?? ''), err ? 1 : 0, m.isNoOp ? 1 : 0, ''].join(';');
  const p: Body = err ? (m.error as string) : body;
  return m.binary ? join(head, p) : typeof p == 'string' ? head + p : text(head, p);
}

export function decode(frame: string | Uint8Array | ArrayBuffer | ArrayBufferView, o: DecodeOptions = {}): Message {
  const binary = typeof frame != 'string';
  try {
    const b: Uint8Array | string = !binary
      ? (frame as string)
      : ArrayBuffer.isView(frame)
        ? new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength)
        : frame instanceof ArrayBuffer
          ? new Uint8Array(frame)
          : '';
    if (!b.length) return msg(binary, { invalid: true });
    if (o.onlyNative) return msg(binary, { event: OnNativeMessage, body: b.slice(0), native: !!o.allowNative });
    let end = -1;
    for (let n = 0; n < 6; n++) {
      end = (b as string).indexOf((binary ? 0x3b : ';') as string, end + 1);
      if (end < 0) return o.allowNative ? msg(binary, { event: OnNativeMessage, body: b.slice(0), native: true }) : msg(binary, { invalid: true });
    }
    const f = (binary ? dec.decode((b as Uint8Array).subarray(0, end)) : (b as string).slice(0, end)).split(';');
    const rest = b.slice(end + 1);
    let wait = f[0];
    let fromExplicit = '';
    if (wait.startsWith('neffos(0x')) {
      fromExplicit = wait;
      wait = '';
    }
    const fromStackExchange = wait.length > 2 && wait[1] == '!' && wait.charCodeAt(0) < 128;
    if (fromStackExchange) wait = wait[0] + wait.slice(2);
    const event = unescape(f[3]);
    const m = msg(binary, {
      wait, namespace: unescape(f[1]), room: unescape(f[2]), event, body: rest, isNoOp: f[5] == '1',
      native: !!o.allowNative && event == OnNativeMessage, fromExplicit, fromStackExchange,
    });
    // Go: isError=1 with an empty text is no error at all.
    if (f[4] == '1' && rest.length) {
      m.error = typeof rest == 'string' ? rest : dec.decode(rest);
      m.body = binary ? new Uint8Array(0) : '';
    }
    return m;
  } catch {
    return msg(binary, { invalid: true });
  }
}

function msg(binary: boolean, m: MessageInit): Message {
  return createMessage({ body: binary ? new Uint8Array(0) : '', binary, ...m });
}
