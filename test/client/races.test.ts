// Races of issue 12, over real sockets: concurrent connects and joins, and a message sent right after a connect reply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dial } from '../../client/index.js';
import { startLoopbackServer } from './loopback-server.js';

test('races: a message the server writes right after the connect reply (same read) is delivered, after _OnNamespaceConnected', async (t) => {
  const server = await startLoopbackServer();
  t.after(() => server.stop());
  const got: string[] = [];
  const conn = await dial(server.url, {
    welcome: {
      _OnNamespaceConnected: () => { got.push('connected'); },
      welcome: (_ns, m) => { got.push('welcome:' + m.body); },
    },
  }, { reconnect: false });
  t.after(() => conn.close());
  const ns = await conn.connect('welcome');
  await ns.ask('echo', 'barrier'); // the server answers after the welcome: it has been read by now
  assert.deepEqual(got, ['connected', 'welcome:hi']);
});

test('races: two concurrent connect(ns) send one request and build one NSConn; two concurrent joinRoom(r) send one request and run _OnRoomJoin once', async (t) => {
  const server = await startLoopbackServer();
  t.after(() => server.stop());
  let joins = 0;
  let connects = 0;
  const conn = await dial(server.url, {
    default: { _OnNamespaceConnected: () => { connects++; }, _OnRoomJoin: () => { joins++; } },
  }, { reconnect: false });
  t.after(() => conn.close());
  const [a, b] = await Promise.all([conn.connect('default'), conn.connect('default')]);
  assert.equal(a, b);
  const [r1, r2] = await Promise.all([a.joinRoom('r'), a.joinRoom('r')]);
  assert.equal(r1, r2);
  await a.ask('echo', 'barrier');
  assert.deepEqual(server.requests, ['_OnNamespaceConnect:default:', '_OnRoomJoin:default:r']);
  assert.deepEqual([connects, joins], [1, 1]);
  // After the first completed, a new call is a new request only when needed: joined already → at once.
  assert.equal(await a.joinRoom('r'), r1);
  assert.equal(server.requests.length, 2);
});
