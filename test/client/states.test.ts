// Issue 12 item 1: one state per object, moved only through its transition method; events {from, to}; transitions in
// flight shared. The tables are checked directly; the events over real sockets (test/client/loopback-server.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dial, type Conn } from '../../client/index.js';
import { checkMove, CONN_MOVES, type Moves, NSCONN_MOVES, ROOM_MOVES, State } from '../../client/state.js';
import { startLoopbackServer } from './loopback-server.js';

test('states: the tables allow exactly the documented moves; State.to throws on any other and reports each change once', () => {
  // Every pair of states through checkMove: the legal moves are the ones it lets through.
  const legal = <S extends string>(m: Moves<S>) =>
    m.states.flatMap((from) => m.states.filter((to) => to !== from && !throws(() => checkMove(m, from, to))).map((to) => `${from}>${to}`)).sort();
  const throws = (f: () => void) => { try { f(); return false; } catch { return true; } };
  assert.deepEqual(legal(CONN_MOVES), ['connecting>closed', 'connecting>open', 'open>closed', 'open>reconnecting', 'reconnecting>closed', 'reconnecting>open']);
  assert.deepEqual(legal(NSCONN_MOVES), ['connected>disconnected', 'connected>disconnecting', 'connecting>connected', 'connecting>disconnected',
    'disconnected>connecting', 'disconnecting>connected', 'disconnecting>disconnected']);
  assert.deepEqual(legal(ROOM_MOVES), ['joined>leaving', 'joined>left', 'joining>joined', 'joining>left', 'leaving>joined', 'leaving>left', 'left>joining']);
  assert.throws(() => checkMove(CONN_MOVES, 'closed', 'open'), /illegal state change closed → open/);
  assert.throws(() => checkMove(NSCONN_MOVES, 'disconnected', 'connected'), /illegal state change/);
  assert.throws(() => checkMove(ROOM_MOVES, 'left', 'leaving'), /illegal state change/);
  const seen: string[] = [];
  const s = new State(ROOM_MOVES, 'left', (e) => seen.push(`${e.from}>${e.to}`));
  s.to('joining');
  s.to('joining'); // staying is no change
  assert.throws(() => s.to('leaving'));
  assert.equal(s._now, 'joining'); // an illegal move changes nothing
  s.to('joined');
  assert.deepEqual(seen, ['left>joining', 'joining>joined']);
});

test('states: State.run shares the transition in flight and goes back when it fails', async () => {
  const s = new State(NSCONN_MOVES, 'disconnected', () => {});
  let runs = 0;
  let finish!: () => void;
  const work = () => { runs++; return new Promise<void>((r) => (finish = r)); };
  const a = s.run('connecting', 'disconnected', work);
  const b = s.run('connecting', 'disconnected', work);
  assert.equal(a, b);
  s.to('connected');
  finish();
  await a;
  assert.equal(runs, 1);
  const failed = s.run('disconnecting', 'connected', () => Promise.reject(new Error('refused')));
  assert.equal(s._now, 'disconnecting');
  await assert.rejects(failed, /refused/);
  assert.equal(s._now, 'connected');
});

/** Every state event of `conn` as `kind:name:from>to`. */
function record(conn: Conn<any>): string[] {
  const log: string[] = [];
  conn.on('state', (e) => log.push(`conn:${e.from}>${e.to}`));
  conn.on('namespaceState', (e) => log.push(`ns:${e.nsConn.namespace}:${e.from}>${e.to}`));
  conn.on('roomState', (e) => log.push(`room:${e.room.name}:${e.from}>${e.to}`));
  return log;
}

test('states: connect, join, leave, refused join, refused disconnect, disconnect and close emit {from, to} in order', async (t) => {
  const server = await startLoopbackServer();
  t.after(() => server.stop());
  const conn = await dial(server.url, { default: {}, sticky: {} }, { reconnect: false });
  t.after(() => conn.close());
  assert.equal(conn.state, 'open');
  const log = record(conn);
  const ns = await conn.connect('default');
  assert.equal(ns.state, 'connected');
  const room = await ns.joinRoom('r1');
  assert.deepEqual([room.state, room.joined], ['joined', true]);
  await room.leave();
  assert.deepEqual([room.state, room.joined], ['left', false]);
  await assert.rejects(ns.joinRoom('forbidden'), /no entry/);
  assert.equal(ns.room('forbidden'), undefined);
  await ns.joinRoom('r2');
  const sticky = await conn.connect('sticky');
  await assert.rejects(sticky.disconnect(), /stay/);
  assert.equal(sticky.state, 'connected'); // a refused disconnect goes back
  await ns.disconnect();
  assert.deepEqual([ns.state, ns.connected], ['disconnected', false]);
  conn.close();
  assert.deepEqual(log, [
    'ns:default:disconnected>connecting', 'ns:default:connecting>connected',
    'room:r1:left>joining', 'room:r1:joining>joined', 'room:r1:joined>leaving', 'room:r1:leaving>left',
    'room:forbidden:left>joining', 'room:forbidden:joining>left',
    'room:r2:left>joining', 'room:r2:joining>joined',
    'ns:sticky:disconnected>connecting', 'ns:sticky:connecting>connected',
    'ns:sticky:connected>disconnecting', 'ns:sticky:disconnecting>connected',
    'ns:default:connected>disconnecting', 'room:r2:joined>left', 'ns:default:disconnecting>disconnected',
    'ns:sticky:connected>disconnected', 'conn:open>closed',
  ]);
});

test('states: a second leave or disconnect while one is in flight shares it (one request); illegal calls reject with the API errors', async (t) => {
  const server = await startLoopbackServer();
  t.after(() => server.stop());
  const conn = await dial(server.url, { default: {} }, { reconnect: false });
  t.after(() => conn.close());
  const ns = await conn.connect('default');
  const room = await ns.joinRoom('r');
  await Promise.all([room.leave(), room.leave()]);
  await assert.rejects(room.leave(), (e: Error & { code: string }) => e.code === 'ERR_BAD_ROOM'); // left: nothing to leave
  await Promise.all([ns.disconnect(), ns.disconnect()]);
  await assert.rejects(ns.disconnect(), (e: Error & { code: string }) => e.code === 'ERR_BAD_NAMESPACE');
  assert.throws(() => ns.emit('x', 'y'), (e: Error & { code: string }) => e.code === 'ERR_BAD_NAMESPACE');
  assert.deepEqual(server.requests, ['_OnNamespaceConnect:default:', '_OnRoomJoin:default:r', '_OnRoomLeave:default:r', '_OnNamespaceDisconnect:default:']);
});

test('states: a dropped link moves open → reconnecting → open; namespaces and rooms are forced down, then restored', async (t) => {
  const server = await startLoopbackServer();
  t.after(() => server.stop());
  const conn = await dial(server.url, { default: {} }, { reconnect: { minDelay: 10, maxDelay: 20 } });
  t.after(() => conn.close());
  const ns = await conn.connect('default');
  await ns.joinRoom('r');
  const log = record(conn);
  const back = new Promise((resolve) => conn.once('reconnected', resolve));
  for (const s of server.sockets) s.terminate();
  await back;
  assert.deepEqual(log, [
    'room:r:joined>left', 'ns:default:connected>disconnected', 'conn:open>reconnecting',
    'ns:default:disconnected>connecting', 'ns:default:connecting>connected', 'room:r:left>joining', 'room:r:joining>joined',
    'conn:reconnecting>open',
  ]);
  assert.equal(ns.room('r')?.state, 'joined');
});

test('states: frames follow the state they arrive in — dropped while connecting, delivered while connected and disconnecting, dropped after', async (t) => {
  const { WebSocketServer } = await import('ws');
  const { decode, emptyReply } = await import('../../protocol/index.js');
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  t.after(() => new Promise((r) => { for (const c of wss.clients) c.terminate(); wss.close(r); }));
  wss.on('connection', (ws) => ws.on('message', (d) => {
    const f = String(d);
    if (f === 'M') return ws.send('A1');
    const m = decode(f);
    if (m.event === '_OnNamespaceConnect') {
      ws.send(';default;;got;0;0;before the connect answer'); // the namespace is connecting: dropped
      ws.send(emptyReply(m.wait));
      ws.send(';default;;got;0;0;after the connect answer'); // connected: delivered
    } else if (m.event === '_OnNamespaceDisconnect') {
      ws.send(';default;;got;0;0;before the disconnect answer'); // disconnecting: delivered
      ws.send(emptyReply(m.wait));
      ws.send(';default;;got;0;0;after the disconnect answer'); // disconnected: dropped
    } else if (m.event === 'echo') ws.send(f);
  }));
  const got: string[] = [];
  const conn = await dial(`ws://127.0.0.1:${(wss.address() as import('node:net').AddressInfo).port}/`,
    { default: { got: (_ns, m) => void got.push(String(m.body)) }, other: {} }, { reconnect: false });
  t.after(() => conn.close());
  const ns = await conn.connect('default');
  await ns.disconnect();
  const barrier = await conn.connect('other');
  await barrier.ask('echo', 'barrier'); // the frames after the disconnect answer have been read by now
  assert.deepEqual(got, ['after the connect answer', 'before the disconnect answer']);
});
