import assert from 'node:assert/strict';
import type { Message, MessageInit } from '../../protocol/index.js';

export type VectorBody = { text: string } | { hex: string } | null;
export interface VectorMessage {
  wait: string; namespace: string; room: string; event: string; body: VectorBody;
  error: string | null; errorKind: 'error' | 'reply' | null;
  isNoOp: boolean; binary: boolean; native: boolean; fromExplicit: string;
}
export interface VectorFrame { type: 'text' | 'binary'; hex: string; text?: string }
export interface VectorExpect {
  invalid: boolean; wait?: string; namespace?: string; room?: string; event?: string; body?: VectorBody;
  error?: string | null; isError?: boolean; isNoOp?: boolean; binary?: boolean; native?: boolean;
  fromExplicit?: string; fromStackExchange?: boolean;
}

/** Text frames become strings, binary frames Uint8Arrays, as a WebSocket delivers them. */
export function frameFromVector(f: VectorFrame): string | Uint8Array {
  const bytes = Buffer.from(f.hex, 'hex');
  return f.type === 'text' ? bytes.toString('utf8') : new Uint8Array(bytes);
}

/** Compares a decoded message with a vector's `expect`, field by field. */
export function expectMessage(m: Message, e: VectorExpect, binaryFrame: boolean): void {
  if (e.invalid) {
    assert.equal(m.invalid, true, 'expected invalid');
    return;
  }
  assert.notEqual(m.invalid, true, 'unexpectedly invalid');
  assert.equal(m.wait, e.wait ?? '');
  assert.equal(m.namespace, e.namespace ?? '');
  assert.equal(m.room, e.room ?? '');
  assert.equal(m.event, e.event ?? '');
  const body = e.body ?? null;
  if (body && 'hex' in body) {
    assert.ok(m.body instanceof Uint8Array, 'binary body expected');
    assert.equal(Buffer.from(m.body).toString('hex'), body.hex);
  } else {
    const want = body ? body.text : '';
    if (binaryFrame) assert.equal(Buffer.from(m.body as Uint8Array).toString('utf8'), want);
    else assert.equal(m.body, want);
  }
  assert.equal(m.error ?? null, e.error ?? null);
  assert.equal(m.error !== undefined, e.isError ?? false);
  assert.equal(m.isNoOp, e.isNoOp ?? false);
  assert.equal(m.binary, e.binary ?? false);
  assert.equal(m.native, e.native ?? false);
  assert.equal(m.fromExplicit, e.fromExplicit ?? '');
  assert.equal(m.fromStackExchange, e.fromStackExchange ?? false);
}

/**
 * Server-to-server markers (the cluster marker `neffos(0x…` in fromExplicit, the stackexchange `!`
 * wait marker): Go never writes them to a client socket, and the browser client's codec
 * (protocol/codec.browser.ts) leaves them out. These tell such cases apart.
 */
export const writesMarker = (v: VectorMessage): boolean => !!v.fromExplicit;
export const readsMarker = (e: VectorExpect): boolean => !!e.fromExplicit || !!e.fromStackExchange;

/**
 * What a codec variant must read from frame `f` whose Go reading is `e`: the same, except that the
 * browser client's codec reads a marker as a plain wait token (the frame's first field).
 */
export function expectFor(variant: 'node' | 'browser', f: VectorFrame, e: VectorExpect): VectorExpect {
  if (variant === 'node' || !readsMarker(e)) return e;
  const wait = Buffer.from(f.hex, 'hex').toString('utf8').split(';')[0];
  return { ...e, wait, fromExplicit: '', fromStackExchange: false };
}

/** Builds the message a vector describes; Go's Reply(x) is sent as the body, an ordinary error replaces it. */
export function messageFromVector(v: VectorMessage): { init: MessageInit } {
  const body = v.body == null ? '' : 'hex' in v.body ? new Uint8Array(Buffer.from(v.body.hex, 'hex')) : v.body.text;
  const init: MessageInit = {
    wait: v.wait, namespace: v.namespace, room: v.room, event: v.event, body,
    isNoOp: v.isNoOp, binary: v.binary, native: v.native, fromExplicit: v.fromExplicit,
  };
  // Go's Reply(x) goes out as the body with isError=0; an ordinary error replaces the body.
  // A native message without a wait token is its body alone: Go ignores Err there.
  if (v.native && v.wait === '' && v.errorKind !== null) return { init };
  if (v.errorKind === 'reply') init.body = v.error ?? '';
  else if (v.errorKind === 'error') init.error = v.error ?? '';
  return { init };
}
