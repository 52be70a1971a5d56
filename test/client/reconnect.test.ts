// Reconnection, buffering and heartbeat over a fake transport with fake timers.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { dial, ClosedError, NotConnectedError } from '../../client/index.js';
import { acceptAll, FakeServer, flush } from './fake-socket.js';

function withTimers(fn: () => Promise<void>): () => Promise<void> {
  return async () => {
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    mock.method(Math, 'random', () => 0.5);
    try {
      await fn();
    } finally {
      mock.timers.reset();
      mock.restoreAll();
    }
  };
}

test('reconnect: backoff delays, X-Websocket-Reconnect header, namespaces and rooms restored on the same objects', withTimers(async () => {
  const server = new FakeServer(acceptAll());
  const log: string[] = [];
  const conn = await dial('ws://h/echo', {
    default: { _OnRoomJoined: (_ns, m) => { log.push('joined:' + m.room); } },
  }, { WebSocket: server.WebSocket, headers: { 'X-Test': 't' }, reconnect: { minDelay: 100, maxDelay: 1000 } });
  for (const ev of ['disconnected', 'reconnecting', 'reconnected'] as const) conn.on(ev, (e: object) => log.push(ev + ':' + JSON.stringify(e)));
  const ns = await conn.connect('default');
  const room = await ns.joinRoom('r1');
  log.length = 0;

  server.autoOpen = false;
  server.last.drop();
  assert.equal(conn.state, 'reconnecting');
  assert.equal(ns.connected, false);
  assert.throws(() => ns.emit('chat', 'x'), NotConnectedError);
  await assert.rejects(ns.ask('echo', 'x'), NotConnectedError);
  // attempt 1: delay = 0.5 * min(1000, 100 * 2^0) = 50 ms; the dial fails.
  mock.timers.tick(50);
  await flush();
  assert.equal(server.sockets.length, 2);
  assert.equal(server.last.options.headers['X-Websocket-Reconnect'], '1');
  assert.equal(server.last.options.headers['X-Test'], 't');
  server.last.drop();
  await flush();
  // attempt 2: 100 ms, and this time the server is back.
  server.autoOpen = true;
  mock.timers.tick(99);
  await flush();
  assert.equal(server.sockets.length, 2);
  mock.timers.tick(1);
  await flush();
  assert.equal(server.sockets.length, 3);
  assert.equal(server.last.options.headers['X-Websocket-Reconnect'], '2');
  await flush(40);
  assert.equal(conn.state, 'open');
  assert.equal(conn.id, 'conn-2', 'the second acked socket');
  assert.equal(conn.reconnectTries, 2);
  assert.equal(conn.wasReconnected, true);
  assert.equal(conn.namespace('default'), ns);
  assert.equal(ns.room('r1'), room);
  assert.equal(room.joined, true);
  assert.deepEqual(server.last.messages().map((m) => m.event + ':' + m.room), ['_OnNamespaceConnect:', '_OnRoomJoin:r1']);
  assert.deepEqual(log, [
    'disconnected:{"code":1006,"reason":""}',
    'reconnecting:{"attempt":1,"delay":50}',
    'reconnecting:{"attempt":2,"delay":100,"error":{"code":"ERR_CLOSED","name":"ClosedError"}}',
    'joined:r1',
    'reconnected:{"id":"conn-2","attempt":2}',
  ]);
  room.emit('chat', 'after');
  assert.equal(server.last.messages().at(-1)!.body, 'after');
  conn.close();
}));

test('reconnect: close() while waiting stops it for good; no reconnect after close()', withTimers(async () => {
  const server = new FakeServer(acceptAll());
  const conn = await dial('ws://h/echo', {}, { WebSocket: server.WebSocket, reconnect: { minDelay: 100 } });
  server.last.drop();
  assert.equal(conn.state, 'reconnecting');
  conn.close();
  mock.timers.tick(100000);
  await flush();
  assert.equal(server.sockets.length, 1);
  assert.equal(conn.state, 'closed');

  const conn2 = await dial('ws://h/echo', {}, { WebSocket: server.WebSocket });
  conn2.close();
  mock.timers.tick(100000);
  assert.equal(server.sockets.length, 2);
  assert.equal(server.last.closedByClient, true);
}));

test('reconnect: gives up after maxRetries with giveUp then closed', withTimers(async () => {
  const server = new FakeServer(acceptAll());
  const conn = await dial('ws://h/echo', { default: {} }, { WebSocket: server.WebSocket, reconnect: { minDelay: 10, maxDelay: 10, maxRetries: 2 } });
  const ns = await conn.connect('default');
  const events: string[] = [];
  conn.on('giveUp', (e) => events.push('giveUp:' + e.attempts));
  conn.on('closed', (e) => events.push('closed:' + e.reason));
  server.respond = () => {};
  server.autoOpen = false;
  server.last.drop();
  for (let i = 0; i < 2; i++) {
    mock.timers.tick(10);
    await flush();
    server.last.drop();
    await flush();
  }
  assert.deepEqual(events, ['giveUp:2', 'closed:giveUp']);
  assert.equal(conn.state, 'closed');
  assert.throws(() => ns.emit('x'), ClosedError);
}));

test('reconnect off: a dropped link closes the Conn with reason remote and rejects pending asks', async () => {
  const server = new FakeServer(acceptAll());
  const conn = await dial('ws://h/echo', { default: {} }, { WebSocket: server.WebSocket, reconnect: false });
  const ns = await conn.connect('default');
  const pending = ns.ask('silent');
  const closed = new Promise((r) => conn.once('closed', r));
  server.last.drop();
  await assert.rejects(pending, ClosedError);
  assert.deepEqual(await closed, { reason: 'remote', code: 1006, error: undefined });
  assert.equal(conn.pendingCount, 0);
});

test('bufferWhileDisconnected: emits are kept (bounded) and flushed after the rooms are back', withTimers(async () => {
  const server = new FakeServer(acceptAll());
  const conn = await dial('ws://h/echo', { default: {} }, { WebSocket: server.WebSocket, bufferWhileDisconnected: 2, reconnect: { minDelay: 10, maxDelay: 10 } });
  const ns = await conn.connect('default');
  const room = await ns.joinRoom('r');
  server.last.drop();
  assert.equal(ns.emit('chat', 'one'), true);
  assert.equal(room.emit('chat', 'two'), true);
  assert.throws(() => ns.emit('chat', 'three'), NotConnectedError);
  mock.timers.tick(10);
  await flush(40);
  assert.equal(conn.state, 'open');
  const sent = server.last.messages().map((m) => `${m.event}:${m.room}:${m.body}`);
  assert.deepEqual(sent, ['_OnNamespaceConnect::', '_OnRoomJoin:r:', 'chat::one', 'chat:r:two']);
  conn.close();
}));

test('heartbeat: probes while connected; an unanswered probe drops the link and reconnects', withTimers(async () => {
  const server = new FakeServer(acceptAll());
  const conn = await dial('ws://h/echo', {}, { WebSocket: server.WebSocket, heartbeat: 1000, heartbeatTimeout: 500, reconnect: { minDelay: 10, maxDelay: 10 } });
  const first = server.last;
  mock.timers.tick(1000);
  const probe = first.messages()[0];
  assert.equal(probe.event, '_OnNamespaceDisconnect');
  assert.match(probe.wait, /^\$/);
  await flush();
  assert.equal(conn.pendingCount, 0, 'the probe was answered');
  server.respond = () => {};
  mock.timers.tick(1000);
  assert.equal(conn.pendingCount, 1);
  mock.timers.tick(500);
  await flush();
  assert.equal(conn.state, 'reconnecting');
  assert.equal(first.closedByClient, true);
  conn.close();
}));

test('close() during a reconnect handshake settles at once: no timer keeps the process alive', withTimers(async () => {
  const server = new FakeServer(acceptAll());
  const conn = await dial('ws://h/echo', {}, { WebSocket: server.WebSocket, reconnect: { minDelay: 10, maxDelay: 10 } });
  server.respond = () => {};
  server.last.drop();
  mock.timers.tick(10);
  await flush();
  assert.equal(server.sockets.length, 2);
  conn.close();
  await flush();
  assert.equal(conn.state, 'closed');
  assert.equal(server.last.closedByClient, true);
  mock.timers.tick(60000);
  await flush();
  assert.equal(server.sockets.length, 2, 'no further attempt');
}));
