// Client hardening over real sockets (issue 13): bad bodies, handlers that throw or reply with non-bodies,
// the pre-handshake queue bound, dead-link detection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { dial, reply, type Body } from '../../client/index.js';
import { askTimeoutError } from '../../protocol/index.js';
import { startLoopbackServer } from './loopback-server.js';
import { within } from '../server/helpers.js';

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
  assert.equal(conn.state, 'open');
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

test('hardening: frames before the ack are bounded in bytes (maxEarlyBytes); over it the dial fails with a clear ClosedError', async (t) => {
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  t.after(() => new Promise((r) => wss.close(r)));
  let closedByClient!: () => void;
  const clientClosed = new Promise<void>((r) => { closedByClient = r; });
  wss.on('connection', (ws) => {
    ws.on('close', () => closedByClient());
    // A hostile server: never acks, floods 64 KiB frames.
    ws.once('message', () => { for (let i = 0; i < 40 && ws.readyState === 1; i++) ws.send('x'.repeat(65536)); });
  });
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
  await assert.rejects(dial(url, {}, { reconnect: false, maxEarlyBytes: 1 << 20 }),
    (e: Error & { code?: string }) => e.code === 'ERR_CLOSED' && e.message === 'over 1048576 bytes before the ack');
  await within(clientClosed, 'the client to close the socket');
});

test('hardening: a black-holed link (no FIN) is detected by the ping check and reconnected', async (t) => {
  const server = await startLoopbackServer();
  t.after(() => server.stop());
  // A TCP proxy that can swallow every byte of its live links without closing them.
  const links = new Set<Socket>();
  let holed = false;
  const proxy = createServer((client) => {
    const upstream = connect(server.port, '127.0.0.1');
    links.add(client);
    links.add(upstream);
    const forward = (from: Socket, to: Socket) => from.on('data', (d) => void (holed || to.write(d)));
    forward(client, upstream);
    forward(upstream, client);
    const end = () => { client.destroy(); upstream.destroy(); links.delete(client); links.delete(upstream); };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => { for (const s of links) s.destroy(); proxy.close(r); }));
  const url = `ws://127.0.0.1:${(proxy.address() as AddressInfo).port}/echo`;
  const conn = await dial(url, { default: {} }, { pingInterval: 100, reconnect: { minDelay: 10, maxDelay: 20 } });
  t.after(() => conn.close());
  const ns = await conn.connect('default');
  // Pings are answered while the link is good: no drop over several intervals (three pings reach the
  // server and its pongs go back; the echo after them is a barrier on the same link).
  const serverSide = [...server.sockets][0]!;
  let pings = 0;
  let thirdPing!: () => void;
  const threePings = new Promise<void>((r) => { thirdPing = r; });
  serverSide.on('ping', () => { if (++pings === 3) thirdPing(); });
  await within(threePings, 'three pings', 2000);
  assert.equal((await ns.ask('echo', 'still up')).body, 'still up');
  assert.equal(conn.state, 'open');
  const started = Date.now();
  const disconnected = new Promise<{ code: number }>((r) => conn.once('disconnected', r));
  const reconnected = new Promise((r) => conn.once('reconnected', r));
  holed = true;
  assert.equal((await disconnected).code, 1006);
  const took = Date.now() - started;
  t.diagnostic(`dead link detected after ${took} ms (pingInterval 100)`);
  assert.ok(took <= 400, `detected after ${took} ms`);
  holed = false;
  await reconnected;
  assert.equal((await ns.ask('echo', 'back')).body, 'back');
});

test('asks: timeout and abort errors carry the shared text, code and cause; an ask with an aborted signal is never sent', async (t) => {
  const server = await startLoopbackServer();
  t.after(() => server.stop());
  const conn = await dial(server.url, { default: {} }, { reconnect: false });
  t.after(() => conn.close());
  const ns = await conn.connect('default');
  await assert.rejects(ns.ask('silent', 'x', { timeout: 30 }), (e: Error & { code?: string }) =>
    e.constructor === askTimeoutError(30).constructor && e.message === askTimeoutError(30).message && e.code === 'ERR_TIMEOUT' && e.cause === undefined);
  const ac = new AbortController();
  const pending = ns.ask('silent', 'x', { signal: ac.signal, timeout: 0 });
  ac.abort('changed my mind');
  await assert.rejects(pending, (e: Error & { code?: string }) => e.message === 'aborted' && e.code === 'ERR_ABORTED' && e.cause === 'changed my mind');
  const before = server.requests.length;
  await assert.rejects(ns.ask('echo', 'never', { signal: AbortSignal.abort('early') }), (e: Error & { code?: string }) => e.code === 'ERR_ABORTED' && e.cause === 'early');
  await assert.rejects(ns.joinRoom('never', { signal: AbortSignal.abort() }), (e: Error & { code?: string }) => e.code === 'ERR_ABORTED');
  // Barrier: the echo below is answered; had the aborted ask been sent, its echo would have come first and been ignored,
  // and the aborted join would show in the server's requests.
  assert.equal((await ns.ask('echo', 'after')).body, 'after');
  assert.equal(server.requests.length, before);
  assert.equal(server.bodies.includes('never'), false);
  assert.equal(conn.pendingCount, 0);
});
