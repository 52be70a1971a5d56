import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  errorFromText, errorToText, registerKnownError, NeffosError, BadNamespaceError, BadRoomError, WriteError,
  InvalidPayloadError, ClosedError, RemoteError, parseAck, encodeAckId, encodeAckRefused, emptyReply,
  createWaitTokenGenerator, isClientToken, reply, isReply, marshal, unmarshal, decode, isSystemEvent, Events,
} from '../../protocol/index.js';

test('known error texts map to classes with stable codes, both ways', () => {
  const cases: [string, new () => NeffosError, string][] = [
    ['bad namespace', BadNamespaceError, 'ERR_BAD_NAMESPACE'],
    ['bad room', BadRoomError, 'ERR_BAD_ROOM'],
    ['write closed', WriteError, 'ERR_WRITE'],
    ['invalid payload', InvalidPayloadError, 'ERR_INVALID_PAYLOAD'],
    ['use of closed connection', ClosedError, 'ERR_CLOSED'],
  ];
  for (const [text, cls, code] of cases) {
    const e = errorFromText(text);
    assert.ok(e instanceof cls, text);
    assert.equal(e.code, code);
    assert.equal(e.message, text);
    assert.equal(errorToText(new cls()), text);
  }
  const other = errorFromText('access denied');
  assert.ok(other instanceof RemoteError);
  assert.equal(other.code, 'ERR_REMOTE');
  assert.equal(other.message, 'access denied');
});

test('registerKnownError resolves exact texts and predicates, as Go RegisterKnownError/ResolveError', () => {
  class QuotaError extends NeffosError { constructor(t: string) { super(t, 'ERR_QUOTA'); } }
  registerKnownError((t) => t.startsWith('quota exceeded'), (t) => new QuotaError(t));
  const e = errorFromText('quota exceeded: 10/10');
  assert.ok(e instanceof QuotaError);
  assert.equal(e.code, 'ERR_QUOTA');
  assert.equal(e.message, 'quota exceeded: 10/10');
});

test('handshake frames match the vectors', () => {
  assert.deepEqual(parseAck('M'), { kind: 'request' });
  assert.deepEqual(parseAck(encodeAckId('conn-1')), { kind: 'accepted', id: 'conn-1' });
  assert.deepEqual(parseAck(encodeAckRefused('rejected by server')), { kind: 'refused', error: 'rejected by server' });
  assert.equal(encodeAckRefused('rejected by server'), 'Hrejected by server');
  assert.equal(parseAck(';default;;chat;0;0;x'), null);
  assert.equal(parseAck('Mx'), null);
  assert.equal(emptyReply('$12345'), '$12345;;;;;;');
  assert.equal(emptyReply('1712345678901234567'), '1712345678901234567;;;;;;');
});

test('wait tokens: $ for clients, digits for servers, unique within one tick', () => {
  const c = createWaitTokenGenerator('client');
  const s = createWaitTokenGenerator('server');
  const seen = new Set<string>();
  for (let i = 0; i < 10000; i++) {
    const a = c();
    const b = s();
    assert.ok(isClientToken(a) && /^\$\d+$/.test(a));
    assert.ok(/^[1-9]\d+$/.test(b) && !isClientToken(b));
    assert.ok(!seen.has(a) && !seen.has(b));
    seen.add(a).add(b);
    // A server token survives decoding unchanged (no '!' second, no marker).
    assert.equal(decode(`${b};;;;;;`).wait, b);
  }
});

test('reply, marshal and system events', () => {
  const r = reply('PONG');
  assert.ok(isReply(r) && r.body === 'PONG');
  assert.equal(reply().body, '');
  assert.equal(marshal({ a: 1, b: 'x;y' }), '{"a":1,"b":"x;y"}');
  assert.deepEqual(unmarshal(new TextEncoder().encode('{"a":1}')), { a: 1 });
  assert.throws(() => marshal(undefined), TypeError);
  assert.ok(isSystemEvent(Events.OnRoomJoin));
  assert.ok(!isSystemEvent(Events.OnAnyEvent));
  assert.ok(!isSystemEvent('__proto__'));
});
