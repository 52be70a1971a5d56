// Requests that cross each other, client and our server over a real socket: each case below was found by the random
// model (test/client/model.test.ts) and failed before its fix, with an internal error, a lost answer (a timeout)
// or the two sides disagreeing about a room.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dial, reply, type Conn } from '../../client/index.js';
import { WebSocket } from 'ws';
import { BadNamespaceError, NotConnectedError } from '../../protocol/index.js';
import type { Conn as ServerConn, ServerNamespaces } from '../../server/index.js';
import { loopback } from '../server/helpers.js';

/** Our server on loopback and one client connected to namespace `a`; `zz` is declared only on the client (a barrier). */
async function pair(t: import('node:test').TestContext, serverEvents: ServerNamespaces<any> = { a: {} }) {
  const lb = await loopback(serverEvents);
  t.after(() => lb.stop());
  const conn = await dial(lb.url, { a: { echo: (_n, m) => reply(m.body as string) }, zz: {} }, { reconnect: false, requestTimeout: 3000 });
  t.after(() => conn.close());
  const ns = await conn.connect('a');
  const server = lb.server.connection(conn.id)!;
  return { conn, ns, server };
}

/** Everything written before it has been read on both sides: a connect the server refuses (`zz` is not declared there). */
async function barrier(conn: Conn): Promise<void> {
  await assert.rejects(conn.connect('zz' as never), BadNamespaceError);
}

/** The rooms of namespace `a` on each side. */
function rooms(conn: Conn, server: ServerConn) {
  return { client: conn.namespace('a')?.rooms().map((r) => r.name) ?? null, server: server.namespace('a')?.rooms().map((r) => r.name) ?? null };
}

test('crossing: disconnect() then connect(), not awaited, ends connected with the same NSConn (was: an internal illegal state change)', async (t) => {
  const { conn, ns, server } = await pair(t);
  const [left, again] = await Promise.all([ns.disconnect(), conn.connect('a')]);
  assert.equal(left, undefined);
  assert.equal(again, ns);
  assert.equal(ns.state, 'connected');
  await barrier(conn);
  assert.ok(server.namespace('a'), 'connected at the server too');
});

test('crossing: leave() then joinRoom(), not awaited, ends joined on both sides (was: an internal illegal state change)', async (t) => {
  const { conn, ns, server } = await pair(t);
  const room = await ns.joinRoom('x');
  const [, back] = await Promise.all([room.leave(), ns.joinRoom('x')]);
  assert.equal(back.state, 'joined');
  await barrier(conn);
  assert.deepEqual(rooms(conn, server), { client: ['x'], server: ['x'] });
});

test('crossing: joinRoom() then disconnect(), not awaited, go out in call order: the join is answered (was: a timeout)', async (t) => {
  const { conn, ns, server } = await pair(t);
  const [room] = await Promise.all([ns.joinRoom('x'), ns.disconnect()]);
  assert.equal(room.state, 'left'); // joined, then left by the disconnect
  await barrier(conn);
  assert.equal(server.namespace('a'), undefined);
});

test('crossing: a join that waited for a leave fails at once when a server disconnect came meanwhile (was: a timeout)', async (t) => {
  const { conn, ns, server } = await pair(t);
  const room = await ns.joinRoom('x');
  const results = await Promise.allSettled([server.namespace('a')!.disconnect(), room.leave(), ns.joinRoom('x')]);
  assert.equal(results[0].status, 'fulfilled');
  assert.ok(results[2].status === 'rejected' && results[2].reason instanceof BadNamespaceError, String((results[2] as PromiseRejectedResult).reason));
  await barrier(conn);
  assert.equal(conn.namespace('a'), undefined);
  assert.equal(server.namespace('a'), undefined);
});

test('crossing: a server ask that crosses the client\'s disconnect gets its answer, as from a Go client (was: a timeout)', async (t) => {
  const { ns, server } = await pair(t);
  const [answer] = await Promise.all([server.namespace('a')!.ask('echo', 'still here', { timeout: 3000 }), ns.disconnect()]);
  assert.equal(answer.body, 'still here');
});

test('crossing: a server leave right behind the answer to the client\'s join (one read) finds the room joined (was: the sides disagreed)', async (t) => {
  // The server's _OnRoomJoined asks the client to leave at once: its request goes out in the same write as the answer.
  const { conn, ns, server } = await pair(t, { a: { _OnRoomJoined: (n: any, m: any) => void n.room(m.room)?.leave() } });
  const states: string[] = [];
  conn.on('roomState', (e) => states.push(e.to));
  await ns.joinRoom('x');
  await barrier(conn);
  assert.deepEqual(rooms(conn, server), { client: [], server: [] });
  assert.deepEqual(states, ['joining', 'joined', 'leaving', 'left']);
});

test('crossing (server): asks, joins and leaves while the server\'s own disconnect is in flight reject at once with BadNamespaceError (was: timeouts)', async (t) => {
  const { conn, ns, server } = await pair(t);
  await ns.joinRoom('x');
  const sns = server.namespace('a')!;
  const room = sns.room('x')!;
  const disconnect = sns.disconnect();
  const started = Date.now();
  for (const p of [sns.ask('echo', 'x'), sns.joinRoom('y'), room.leave()]) await assert.rejects(p, BadNamespaceError);
  assert.ok(Date.now() - started < 1000, 'at once, not at a deadline');
  await disconnect;
  await barrier(conn);
  assert.equal(conn.namespace('a'), undefined);
});

test('crossing (server): a server connect while its disconnect is in flight connects again once that settled', async (t) => {
  const { conn, server } = await pair(t);
  const [, again] = await Promise.all([server.namespace('a')!.disconnect(), server.connect('a')]);
  assert.equal(server.namespace('a'), again);
  await barrier(conn);
  assert.equal(conn.namespace('a')?.state, 'connected');
});

test('crossing (server): joinRoom on a namespace handle kept past its disconnect rejects (was: the room landed in the next connect)', async (t) => {
  const { conn, ns, server } = await pair(t);
  const stale = server.namespace('a')!;
  await ns.disconnect();
  await conn.connect('a');
  await assert.rejects(stale.joinRoom('x'), BadNamespaceError);
  await barrier(conn);
  assert.deepEqual(rooms(conn, server), { client: [], server: [] });
});

test('crossing (server): joins held behind an async _OnRoomJoin while the server\'s disconnect crosses them are refused at once, and no room stays indexed (were: timeouts, and roomSize 1 on a dropped handle)', async (t) => {
  const lb = await loopback({ a: { _OnRoomJoin: () => new Promise<void>((resolve) => setImmediate(resolve)) } });
  t.after(() => lb.stop());
  const conn = await dial(lb.url, { a: {}, zz: {} }, { reconnect: false, requestTimeout: 3000 });
  t.after(() => conn.close());
  const ns = await conn.connect('a');
  const server = lb.server.connection(conn.id)!;
  const started = Date.now();
  // r2's join runs the async handler; the disconnect's answer arrives meanwhile; r1's join is held behind r2's.
  const [r2, , r1] = await Promise.allSettled([ns.joinRoom('r2'), server.namespace('a')!.disconnect(), ns.joinRoom('r1')]);
  for (const r of [r2, r1]) assert.ok(r.status === 'rejected' && r.reason instanceof BadNamespaceError, String((r as PromiseRejectedResult).reason));
  assert.ok(Date.now() - started < 1000, 'at once, not at the deadline');
  await barrier(conn);
  assert.deepEqual([lb.server.roomSize('a', 'r1'), lb.server.roomSize('a', 'r2')], [0, 0]);
});

/** `ws` whose last instance can be made to report CLOSING, as a socket does once its peer has gone and before the close event. */
function closingSocket() {
  const made: { ws?: WebSocket & { closing: boolean } } = {};
  const state = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'readyState')!.get!;
  class Closing extends WebSocket {
    closing = false;
    constructor(url: string, protocols?: string | string[], options?: object) {
      super(url, protocols, options);
      made.ws = this;
      Object.defineProperty(this, 'readyState', { get: () => (this.closing ? WebSocket.CLOSING : state.call(this)) });
    }
  }
  return { Closing, made };
}

test('crossing: an emit while the socket is gone but its close not read yet throws NotConnectedError (was: false, the message lost)', async (t) => {
  const lb = await loopback({ a: {} });
  t.after(() => lb.stop());
  const { Closing, made } = closingSocket();
  const conn = await dial(lb.url, { a: {} }, { reconnect: false, WebSocket: Closing as never });
  t.after(() => conn.close());
  const ns = await conn.connect('a');
  made.ws!.closing = true;
  assert.equal(conn.state, 'open');
  assert.throws(() => ns.emit('x', 'y'), NotConnectedError);
});

test('crossing: with bufferWhileDisconnected, such an emit is kept and arrives after the reconnection (was: false, lost)', async (t) => {
  const got: string[] = [];
  const lb = await loopback({ a: { note: (_n: any, m: any) => void got.push(String(m.body)) } });
  t.after(() => lb.stop());
  const { Closing, made } = closingSocket();
  const conn = await dial(lb.url, { a: {} }, { reconnect: { minDelay: 1, maxDelay: 5 }, bufferWhileDisconnected: 10, WebSocket: Closing as never });
  t.after(() => conn.close());
  const ns = await conn.connect('a');
  const first = made.ws!;
  first.closing = true;
  assert.equal(ns.emit('note', 'kept'), true);
  const back = new Promise((r) => conn.once('reconnected', r));
  first.terminate(); // the close the Conn had not read yet
  await back;
  await ns.ask('echo' as never).catch(() => undefined); // a barrier: the flush went out before it
  assert.deepEqual(got, ['kept']);
});
