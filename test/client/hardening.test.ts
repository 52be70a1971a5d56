// Client hardening over real sockets (issue 13): bad bodies, handlers that throw or reply with non-bodies,
// the pre-handshake queue bound, dead-link detection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dial, reply, type Body } from '../../client/index.js';
import { startLoopbackServer } from './loopback-server.js';

test('hardening: reply({a:1}), reply(42), throws and async rejections in handlers never crash; the server gets an error answer', async (t) => {
  const server = await startLoopbackServer();
  t.after(() => server.stop());
  const errors: unknown[] = [];
  const conn = await dial(server.url, {
    default: {
      object: () => reply({ a: 1 } as unknown as Body),
      number: async () => reply(42 as unknown as Body),
      throws: () => { throw new Error('sync boom'); },
      rejects: async () => { throw new Error('async boom'); },
      throwsValue: () => { throw 7; },
      fine: () => reply('ok'),
    },
  }, { reconnect: false });
  t.after(() => conn.close());
  conn.on('error', (e) => errors.push(e));
  const ns = await conn.connect('default');
  const ask = async (event: string) => String((await ns.ask('askClient', event)).body);
  assert.match(await ask('object'), /^error:neffos: reply: a body must be a string or a Uint8Array, got Object/);
  assert.match(await ask('number'), /^error:neffos: reply: a body must be a string or a Uint8Array, got number/);
  assert.equal(await ask('throws'), 'error:sync boom');
  assert.equal(await ask('rejects'), 'error:async boom');
  assert.equal(await ask('throwsValue'), 'error:7');
  assert.equal(await ask('fine'), 'ok');
  assert.equal(errors.length, 2);
  assert.ok(errors.every((e) => e instanceof TypeError));
  assert.equal(conn.state, 'connected');
});

test('hardening: emit, ask, room emit, sendNative with a non-body throw a TypeError naming the call', async (t) => {
  const server = await startLoopbackServer();
  t.after(() => server.stop());
  const conn = await dial(server.url, { default: {}, '': {} }, { reconnect: false });
  t.after(() => conn.close());
  const ns = await conn.connect('default');
  const room = await ns.joinRoom('r');
  const bad = (where: string, got: string) => (e: Error) => e instanceof TypeError && e.message.startsWith(`neffos: ${where}: a body must be a string or a Uint8Array, got ${got}`);
  assert.throws(() => ns.emit('x', 42 as unknown as Body), bad('emit', 'number'));
  assert.throws(() => ns.emitBinary('x', { a: 1 } as unknown as Body), bad('emit', 'Object'));
  assert.throws(() => room.emit('x', null as unknown as Body), bad('emit', 'null'));
  await assert.rejects(ns.ask('echo', [1] as unknown as Body), bad('ask', 'array'));
  await conn.connect('');
  assert.throws(() => conn.sendNative(1n as unknown as Body), bad('sendNative', 'bigint'));
  assert.equal(conn.pendingCount, 0);
  assert.equal((await ns.ask('echo', 'still fine')).body, 'still fine');
});
