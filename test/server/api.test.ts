// Conn, NSConn, Room and Server APIs from the server side, over loopback sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { All, NotMe, TimeoutError, RemoteError, BadRoomError, reply, type NSConn } from '../../server/index.js';
import { connectNs, loopback, type RawClient } from './helpers.js';

/** Answers the next server request with an empty reply (or an error) and returns the request frame. */
async function answer(c: RawClient, error?: string): Promise<string> {
  const req = await c.next();
  const [wait, ns, room, event] = req.split(';');
  c.send(error === undefined ? `${wait};;;;;;` : `${wait};${ns};${room};${event};1;0;${error}`);
  return req;
}

test('per-connection store: set, get, increment, decrement', async (t) => {
  const lb = await loopback({});
  t.after(() => lb.stop());
  const c = await lb.client();
  const conn = lb.server.connection(c.id)!;
  conn.set('user', { name: 'ann' });
  assert.deepEqual(conn.get('user'), { name: 'ann' });
  assert.equal(conn.increment('n'), 1);
  assert.equal(conn.increment('n', 5), 6);
  assert.equal(conn.decrement('n'), 5);
  assert.equal(conn.get('missing'), undefined);
  assert.equal(conn.wasReconnected, false);
});

test('conn.connect, nsConn.ask with deadline, joinRoom, room.leave and disconnect from the server', async (t) => {
  const seen: string[] = [];
  const lb = await loopback({
    default: {
      _OnNamespaceConnect: (_n, m) => void seen.push('connect:' + m.isLocal),
      _OnNamespaceConnected: (_n, m) => void seen.push('connected:' + m.isLocal),
      _OnRoomJoin: (_n, m) => (m.room === 'vetoed' ? new Error('local veto') : void seen.push('join:' + m.room)),
      _OnRoomJoined: (_n, m) => void seen.push('joined:' + m.room),
      _OnRoomLeave: (_n, m) => void seen.push('leave:' + m.room),
      _OnRoomLeft: (_n, m) => void seen.push('left:' + m.room),
      _OnNamespaceDisconnect: (_n, m) => void seen.push('disconnect:' + m.isLocal),
    },
  });
  t.after(() => lb.stop());
  const c = await lb.client();
  const conn = lb.server.connection(c.id)!;
  const p = conn.connect('default');
  assert.match(await answer(c), /^\d+;default;;_OnNamespaceConnect;0;0;$/);
  const ns = await p;
  assert.equal(conn.namespace('default'), ns);

  const q = ns.ask('question', 'how?', { timeout: 2000 });
  const req = await c.next();
  const wait = req.split(';')[0];
  assert.equal(req, `${wait};default;;question;0;0;how?`);
  assert.notEqual(wait[0], '$');
  c.send(`${wait};default;;question;0;0;fine`);
  assert.equal((await q).body, 'fine');

  const e = ns.ask('question', 'x', { timeout: 2000 });
  const w2 = (await c.next()).split(';')[0];
  c.send(`${w2};default;;question;1;0;nope`);
  await assert.rejects(e, (err: unknown) => err instanceof RemoteError && err.message === 'nope');

  await assert.rejects(ns.ask('silent', '', { timeout: 50 }), TimeoutError);
  await c.next();

  const jp = ns.joinRoom('r1');
  assert.match(await answer(c), /;default;r1;_OnRoomJoin;0;0;$/);
  const room = await jp;
  assert.equal(ns.room('r1'), room);
  assert.equal(lb.server.roomSize('default', 'r1'), 1);
  room.emit('note', 'only you');
  assert.equal(await c.next(), ';default;r1;note;0;0;only you');

  const refused = ns.joinRoom('r2');
  await answer(c, 'client says no');
  await assert.rejects(refused, /client says no/);
  assert.equal(ns.room('r2'), undefined);

  const vp = ns.joinRoom('vetoed');
  await answer(c);
  await assert.rejects(vp, /local veto/);

  const lp = room.leave();
  assert.match(await answer(c), /;default;r1;_OnRoomLeave;0;0;$/);
  await lp;
  assert.equal(ns.room('r1'), undefined);
  await assert.rejects(room.leave(), BadRoomError);

  const dp = ns.disconnect();
  assert.match(await answer(c), /;default;;_OnNamespaceDisconnect;0;0;$/);
  await dp;
  assert.equal(conn.namespace('default'), undefined);
  assert.deepEqual(seen, [
    'connect:true', 'connected:true', 'join:r1', 'joined:r1', 'leave:r1', 'left:r1', 'disconnect:true',
  ]);
});

async function three(lb: Awaited<ReturnType<typeof loopback>>) {
  const cs = [await lb.client(), await lb.client(), await lb.client()];
  for (const c of cs) await connectNs(c, 'default');
  return cs;
}

test('server.broadcast: except a Conn/NSConn/id, to one connection, to a room; one encoding for all', async (t) => {
  const lb = await loopback({ default: {}, other: {} });
  t.after(() => lb.stop());
  const [a, b, c] = await three(lb);
  const nsA = lb.server.connection(a.id)!.namespace('default')!;
  b.send('$j;default;r;_OnRoomJoin;0;0;');
  c.send('$j;default;r;_OnRoomJoin;0;0;');
  await b.next();
  await c.next();

  lb.server.broadcast(null, { namespace: 'default', event: 'all', body: '1' });
  lb.server.broadcast(nsA, { namespace: 'default', event: 'notA', body: '2' });
  lb.server.broadcast(b.id, { namespace: 'default', event: 'notB', body: '3' });
  lb.server.broadcast(null, { namespace: 'default', event: 'toC', body: '4', to: c.id });
  lb.server.broadcast(null, { namespace: 'default', room: 'r', event: 'room', body: '5' });
  lb.server.broadcast(lb.server.connection(c.id)!, { namespace: 'default', room: 'r', event: 'roomNotC', body: '6' });
  lb.server.broadcast(null, { namespace: 'other', event: 'nobody', body: '7' });
  lb.server.broadcast(null, { namespace: 'default', event: 'bin', body: new Uint8Array([1, 2]), binary: true });
  await Promise.all([a, b, c].map((x) => x.barrier())); // whatever was broadcast to x arrived before its answer
  const text = (x: RawClient) => x.frames.map((f) => (f.binary ? 'B' + f.data : f.data.split(';').slice(2).join(';')));
  assert.deepEqual(text(a), [';all;0;0;1', ';notB;0;0;3', 'B3b64656661756c743b3b62696e3b303b303b0102']);
  assert.deepEqual(text(b), [';all;0;0;1', ';notA;0;0;2', 'r;room;0;0;5', 'r;roomNotC;0;0;6', 'B3b64656661756c743b3b62696e3b303b303b0102']);
  assert.deepEqual(text(c), [';all;0;0;1', ';notA;0;0;2', ';notB;0;0;3', ';toC;0;0;4', 'r;room;0;0;5', 'B3b64656661756c743b3b62696e3b303b303b0102']);
});

test('nsConn.to(All | NotMe | room | id).emit and broadcast/broadcastOthers', async (t) => {
  let nsA!: NSConn;
  const lb = await loopback({ default: { _OnNamespaceConnected: (ns) => { if (!nsA) nsA = ns; } } });
  t.after(() => lb.stop());
  const [a, b, c] = await three(lb);
  c.send('$j;default;r;_OnRoomJoin;0;0;');
  await c.next();
  nsA.to(All).emit('e', 'all');
  nsA.to(NotMe).emit('e', 'notme');
  nsA.to('r').emit('e', 'room');
  nsA.to(b.id).emit('e', 'b only');
  nsA.broadcast('e', 'bc');
  nsA.broadcastOthers('e', 'others');
  await Promise.all([a, b, c].map((x) => x.barrier()));
  const bodies = (x: RawClient) => x.frames.map((f) => f.data.split(';').slice(6).join(';'));
  assert.deepEqual(bodies(a), ['all', 'bc']);
  assert.deepEqual(bodies(b), ['all', 'notme', 'b only', 'bc', 'others']);
  assert.deepEqual(bodies(c), ['all', 'notme', 'room', 'bc', 'others']);
});

test('server.ask: first reply wins; to one connection; timeout', async (t) => {
  const lb = await loopback({ default: {} });
  t.after(() => lb.stop());
  const [a, b] = await three(lb);
  const p = lb.server.ask({ namespace: 'default', event: 'status' }, { to: b.id, timeout: 2000 });
  const req = await b.next();
  assert.equal(a.frames.length, 0);
  const wait = req.split(';')[0];
  b.send(`${wait};default;;status;0;0;ok from b`);
  const r = await p;
  assert.equal(r.body, 'ok from b');
  assert.equal(r.namespace, 'default');
  b.send(`${wait};default;;status;0;0;late`);
  await assert.rejects(lb.server.ask({ namespace: 'default', event: 'status' }, { timeout: 50 }), TimeoutError);
});

test('connections, totalConnections, connectionsByNamespace; close() sends a close frame to everyone', async (t) => {
  const lb = await loopback({ default: {}, other: {} });
  t.after(() => lb.stop());
  const [a, b, c] = await three(lb);
  await connectNs(a, 'other');
  assert.equal(lb.server.totalConnections, 3);
  assert.deepEqual([...lb.server.connections.keys()].sort(), [a.id, b.id, c.id].sort());
  assert.deepEqual([...lb.server.connectionsByNamespace('other').keys()], [a.id]);
  lb.server.connection(b.id)!.close(4000, 'bye');
  assert.deepEqual(await b.waitClose(), { code: 4000, reason: 'bye' });
  lb.server.close();
  assert.equal((await a.waitClose()).code, 1001);
  assert.equal((await c.waitClose()).code, 1001);
  assert.equal(lb.server.totalConnections, 0);
});

test('a server ask is rejected when the connection closes', async (t) => {
  const lb = await loopback({ default: {} });
  t.after(() => lb.stop());
  const [a] = await three(lb);
  const p = lb.server.connection(a.id)!.namespace('default')!.ask('q', '', { timeout: 5000 });
  await a.next();
  a.close();
  await assert.rejects(p, /closed/);
});

test('a client may use a namespace/room in the frame right after answering a server-forced connect/join', async (t) => {
  const lb = await loopback({ default: { echo: (_n, m) => reply(m.body) } });
  t.after(() => lb.stop());
  const c = await lb.client();
  const conn = lb.server.connection(c.id)!;
  const burst = (...frames: string[]) => c.burst(...frames);
  const p = conn.connect('default');
  const w1 = (await c.next()).split(';')[0];
  burst(`${w1};;;;;;`, '$e1;default;;echo;0;0;right after connect');
  assert.equal(await c.next(), '$e1;default;;echo;0;0;right after connect');
  const ns = await p;
  const j = ns.joinRoom('r');
  const w2 = (await c.next()).split(';')[0];
  burst(`${w2};;;;;;`, '$e2;default;r;echo;0;0;right after join');
  assert.equal(await c.next(), '$e2;default;r;echo;0;0;right after join');
  await j;
});
