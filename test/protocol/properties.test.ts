import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createMessage, SEMICOLON_REPLACEMENT, type Message } from '../../protocol/index.js';
import * as nodeCodec from '../../protocol/codec.js';
import * as browserCodec from '../../protocol/codec.browser.js';

const text = fc.string({ unit: 'binary', maxLength: 40 });
// Names may hold ';' (escaped) but not the lossy replacement token itself (docs/protocol.md §1.3).
const name = text.filter((s) => !s.includes(SEMICOLON_REPLACEMENT));
// Wait tokens never contain ';' and are not cluster markers or stackexchange tokens.
const wait = fc.oneof(
  fc.constant(''),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 24 })
    .filter((s) => !s.includes(';') && !s.startsWith('neffos(0x') && !(s.length > 2 && s[1] === '!')),
);
const marker = fc.string({ maxLength: 30 }).filter((s) => !s.includes(';')).map((s) => `neffos(0x${s}`);

/** Valid messages; with `markers`, some carry a cluster marker (server-to-server, not in the browser client's codec). */
const validMessage = (markers: boolean): fc.Arbitrary<Message> => fc
  .record({
    wait, namespace: name, room: name, event: name,
    text, bytes: fc.uint8Array({ maxLength: 64 }),
    error: fc.option(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), { nil: undefined }),
    isNoOp: fc.boolean(), binary: fc.boolean(),
    fromExplicit: markers ? fc.option(marker, { nil: undefined }) : fc.constant(undefined),
  })
  .map((r) => createMessage({
    wait: r.fromExplicit ? '' : r.wait,
    namespace: r.namespace, room: r.room, event: r.event,
    // An error replaces the body on the wire; a binary frame's body comes back as bytes.
    body: r.error !== undefined ? (r.binary ? new Uint8Array(0) : '') : r.binary ? r.bytes : r.text,
    error: r.error, isNoOp: r.isNoOp, binary: r.binary, fromExplicit: r.fromExplicit ?? '',
  }));

for (const [variant, { encode, decode }] of [['node', nodeCodec], ['browser', browserCodec]] as const) {
test(`${variant} codec: decode(encode(m)) equals m for every valid message`, () => {
  fc.assert(
    fc.property(validMessage(variant === 'node'), (m) => {
      const back = decode(encode(m));
      assert.deepEqual({ ...back, body: norm(back.body) }, { ...m, body: norm(m.body) });
    }),
    { numRuns: 3000 },
  );
});

test(`${variant} codec: decode never throws on arbitrary strings and bytes, whatever the options`, () => {
  const options = fc.record({ allowNative: fc.boolean(), onlyNative: fc.boolean() });
  const frames = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.array(fc.constantFrom(';', '1', '0', '$', '!', 'neffos(0x', SEMICOLON_REPLACEMENT, 'a', 'é'), { maxLength: 20 }).map((a) => a.join('')),
    fc.uint8Array({ maxLength: 80 }),
    fc.uint8Array({ maxLength: 80 }).map((b) => b.buffer as ArrayBuffer),
  );
  fc.assert(
    fc.property(frames, options, (frame, o) => {
      const m = decode(frame, o);
      assert.equal(typeof m.event, 'string');
      assert.equal(typeof m.wait, 'string');
      assert.ok(typeof m.body === 'string' || m.body instanceof Uint8Array);
    }),
    { numRuns: 5000 },
  );
});

test(`${variant} codec: decode turns non-frames into invalid messages instead of throwing`, () => {
  for (const junk of [null, undefined, 42, {}, [], new Date()] as unknown[]) {
    assert.equal(decode(junk as string).invalid, true);
  }
});

if (variant === 'node') {
  test('node codec: encode refuses a message carrying both a wait token and a cluster marker', () => {
    assert.throws(() => encode({ wait: '$1', fromExplicit: 'neffos(0xa)' }), TypeError);
  });
} else {
  test('browser codec: server-to-server markers are plain wait tokens to the client', () => {
    for (const wait of ['neffos(0xc000123)', '$!12', '1!2']) {
      const m = decode(`${wait};default;;chat;0;0;hi`);
      assert.deepEqual([m.wait, m.fromExplicit, m.fromStackExchange, m.body], [wait, '', false, 'hi']);
    }
  });
}

test(`${variant} codec: a byte body that is not UTF-8 is sent as a binary frame rather than a broken text frame`, () => {
  const frame = encode({ namespace: 'default', event: 'x', body: new Uint8Array([0xff, 0xfe]) });
  assert.ok(frame instanceof Uint8Array);
  const m = decode(frame);
  assert.deepEqual([...(m.body as Uint8Array)], [0xff, 0xfe]);
  assert.equal(encode({ namespace: 'default', event: 'x', body: new TextEncoder().encode('héllo') }), ';default;;x;0;0;héllo');
});
}

function norm(b: string | Uint8Array): string {
  return typeof b === 'string' ? `s:${b}` : `b:${Buffer.from(b).toString('hex')}`;
}
