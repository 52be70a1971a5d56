// The legacy Iris codec, pure: how each value is typed on the way out, how frames are read on the way in
// (the Iris v11 reader, checked against the real Go server in test/interop/legacy-iris11.test.ts), and
// that untrusted bytes never throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decode, encode, goJSON, LegacyError, parseGoInt, type Decoded } from '../../legacy/index.js';

const P = 'iris-websocket-message:';
const text = (f: string | Uint8Array) => (typeof f === 'string' ? f : Buffer.from(f).toString('latin1'));

test('legacy codec: encode types each value as the Go server reads it', () => {
  assert.equal(encode('e', 'hi;there'), `${P}e;0;hi;there`);
  assert.equal(encode('e'), `${P}e;0;`);
  assert.equal(encode('e', 42), `${P}e;1;42`);
  assert.equal(encode('e', -7), `${P}e;1;-7`);
  assert.equal(encode('e', 2n ** 62n), `${P}e;1;4611686018427387904`);
  assert.equal(encode('e', 1.5), `${P}e;4;1.5`);
  assert.equal(encode('e', true), `${P}e;2;true`);
  assert.equal(encode('e', false), `${P}e;2;false`);
  assert.equal(text(encode('e', Uint8Array.of(0x61, 0, 0xff))), `${P}e;3;a\0\xff`);
  assert.equal(encode('e', null), `${P}e;4;null`);
  assert.equal(encode('e', { s: 'x<é>&\u2028', a: [1, null] }), `${P}e;4;{"s":"x\\u003cé\\u003e\\u0026\\u2028","a":[1,null]}`);
  assert.equal(encode('e', 'x', 'my:'), 'my:e;0;x');
  assert.equal(goJSON({ b: Uint8Array.of(1, 2, 3) }), '{"b":"AQID"}', 'bytes inside JSON as base64, as encoding/json');
});

test('legacy codec: values and event names with no encoding throw a typed LegacyError', () => {
  const code = (c: string) => (e: unknown) => e instanceof LegacyError && e.code === c;
  assert.throws(() => encode('a;b', 1), code('ERR_LEGACY_BAD_EVENT'));
  assert.throws(() => encode(42 as unknown as string, 1), code('ERR_LEGACY_BAD_EVENT'));
  assert.throws(() => encode('e', () => 1), code('ERR_LEGACY_UNSUPPORTED_VALUE'));
  assert.throws(() => encode('e', Symbol('s')), code('ERR_LEGACY_UNSUPPORTED_VALUE'));
  assert.throws(() => encode('e', { n: NaN }), code('ERR_LEGACY_UNSUPPORTED_VALUE'));
  assert.throws(() => encode('e', 2n ** 64n), code('ERR_LEGACY_UNSUPPORTED_VALUE'));
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  assert.throws(() => encode('e', cycle), code('ERR_LEGACY_UNSUPPORTED_VALUE'));
});

test('legacy codec: decode reads as the Iris v11 server', () => {
  const v = (frame: string) => {
    const d = decode(frame);
    return d.kind === 'event' ? d.value : d.kind === 'invalid' ? d.error.code : 'native';
  };
  assert.equal(v(`${P}e;0;a;b`), 'a;b');
  assert.equal(v(`${P}e;0Xskipped`), 'skipped', 'the byte after the type digit is not checked');
  assert.equal(v(`${P}e;1;+5`), 5);
  assert.equal(v(`${P}e;1;9007199254740993`), 9007199254740993n);
  assert.equal(v(`${P}e;1;9223372036854775808`), 'ERR_LEGACY_BAD_PAYLOAD');
  for (const bad of ['4.5', ' 5', '0x10', '1e3', 'true']) assert.equal(v(`${P}e;1;${bad}`), 'ERR_LEGACY_BAD_PAYLOAD', bad);
  assert.equal(v(`${P}e;2;true`), true);
  assert.equal(v(`${P}e;2;TRUE`), false);
  assert.deepEqual(v(`${P}e;4;{"a":[1]}`), { a: [1] });
  assert.equal(v(`${P}e;4;null`), 'ERR_LEGACY_BAD_PAYLOAD');
  assert.equal(v(`${P}e;4;{`), 'ERR_LEGACY_BAD_PAYLOAD');
  assert.equal(v(`${P}e;7;x`), 'ERR_LEGACY_BAD_TYPE');
  assert.equal(v(`${P}e;0;`), 'ERR_LEGACY_EMPTY_PAYLOAD');
  assert.equal(v(`${P}e;`), 'ERR_LEGACY_BAD_TYPE');
  assert.equal(v(`${P}e`), 'ERR_LEGACY_NO_SEPARATOR');
  assert.equal(v(P), 'ERR_LEGACY_NO_SEPARATOR');
  assert.equal(v(`x ${P}e;0;x`), 'native');
  assert.equal(v('plain'), 'native');
  // Clients keep what Go writes: its ints with no payload, empty strings, JSON null.
  const keep = (frame: string) => (decode(frame, { empty: 'keep' }) as Extract<Decoded, { kind: 'event' }>).value;
  assert.equal(keep(`${P}e;1;`), undefined);
  assert.equal(keep(`${P}e;0;`), '');
  assert.equal(keep(`${P}e;4;null`), null);
  assert.equal(parseGoInt('-0042'), -42);
});

test('legacy codec: event names __proto__ and constructor are plain strings; JSON payloads do not reach prototypes', () => {
  const d = decode(`${P}__proto__;4;{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}`);
  assert.equal(d.kind, 'event');
  if (d.kind !== 'event') return;
  assert.equal(d.event, '__proto__');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(d.value), Object.prototype);
  assert.ok(Object.hasOwn(d.value as object, '__proto__'));
});

test('legacy codec: decode never throws on arbitrary bytes and round-trips what encode writes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (bytes, withPrefix) => {
      const frame = withPrefix ? Buffer.concat([Buffer.from(P), bytes]) : bytes;
      const d = decode(frame);
      assert.ok(['native', 'event', 'invalid'].includes(d.kind));
      if (d.kind === 'invalid') assert.ok(d.error instanceof LegacyError);
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(
      fc.string().filter((s) => !s.includes(';')),
      fc.oneof(fc.string({ minLength: 1 }), fc.integer(), fc.boolean(), fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean()), { minKeys: 1, noNullPrototype: true })),
      (event, value) => {
        const d = decode(encode(event, value));
        assert.equal(d.kind, 'event');
        if (d.kind === 'event') {
          assert.equal(d.event, event);
          assert.deepEqual(d.value, value);
        }
      },
    ),
    { numRuns: 500 },
  );
});
