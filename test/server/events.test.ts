// System events with Go's semantics and order (docs/protocol.md §4-5), replies and errors (§1.7, §3.4), write guard (§4.6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reply, type ServerMessage } from '../../server/index.js';
import { connectNs, loopback, sleep } from './helpers.js';

test('connect: the empty reply is written before _OnNamespaceConnected fires', async (t) => {
  const lb = await loopback({ default: { _OnNamespaceConnected: (ns) => void ns.emit('hello', 'after') } });
  t.after(() => lb.stop());
  const c = await lb.client();
  c.send('$1;default;;_OnNamespaceConnect;0;0;');
  assert.equal(await c.next(), '$1;;;;;;');
  assert.equal(await c.next(), ';default;;hello;0;0;after');
  c.send('$2;default;;_OnNamespaceConnect;0;0;');
  assert.equal(await c.next(), '$2;;;;;;', 'already connected: empty reply');
  c.send('$3;nope;;_OnNamespaceConnect;0;0;');
  assert.equal(await c.next(), '$3;nope;;_OnNamespaceConnect;1;0;bad namespace');
});

test('join: _OnRoomJoined fires before the empty reply; a veto sends the error; rejoin is an empty reply', async (t) => {
  const lb = await loopback({
    default: {
      _OnRoomJoin: (_ns, m) => (m.room === 'no' ? new Error('no entry') : undefined),
      _OnRoomJoined: (ns, m) => void ns.room(m.room)?.emit('welcome', m.room),
    },
  });
  t.after(() => lb.stop());
  const c = await lb.client();
  await connectNs(c, 'default');
  c.send('$1;default;r1;_OnRoomJoin;0;0;');
  assert.equal(await c.next(), ';default;r1;welcome;0;0;r1');
  assert.equal(await c.next(), '$1;;;;;;');
  c.send('$2;default;r1;_OnRoomJoin;0;0;');
  assert.equal(await c.next(), '$2;;;;;;');
  c.send('$3;default;no;_OnRoomJoin;0;0;');
  assert.equal(await c.next(), '$3;default;no;_OnRoomJoin;1;0;no entry');
  assert.equal(lb.server.roomSize('default', 'r1'), 1);
  assert.equal(lb.server.roomSize('default', 'no'), 0);
});

test('leave: veto keeps the room; success fires _OnRoomLeft before the reply; unknown room is an empty reply', async (t) => {
  const order: string[] = [];
  const lb = await loopback({
    default: {
      _OnRoomLeave: (_ns, m) => (m.room === 'sticky' ? new Error('stay') : void order.push('leave:' + m.room)),
      _OnRoomLeft: (ns, m) => { order.push('left:' + m.room); ns.emit('bye', m.room); },
    },
  });
  t.after(() => lb.stop());
  const c = await lb.client();
  await connectNs(c, 'default');
  for (const r of ['a', 'sticky']) {
    c.send(`$j${r};default;${r};_OnRoomJoin;0;0;`);
    await c.next();
  }
  c.send('$1;default;sticky;_OnRoomLeave;0;0;');
  assert.equal(await c.next(), '$1;default;sticky;_OnRoomLeave;1;0;stay');
  c.send('$2;default;a;_OnRoomLeave;0;0;');
  assert.equal(await c.next(), ';default;;bye;0;0;a');
  assert.equal(await c.next(), '$2;;;;;;');
  c.send('$3;default;zzz;_OnRoomLeave;0;0;');
  assert.equal(await c.next(), '$3;;;;;;');
  assert.deepEqual(order, ['leave:a', 'left:a']);
  assert.equal(lb.server.roomSize('default', 'sticky'), 1);
});

test('disconnect: a veto keeps the namespace; success force-leaves rooms, then the empty reply', async (t) => {
  const seen: string[] = [];
  let allow = false;
  const lb = await loopback({
    default: {
      _OnNamespaceDisconnect: () => (allow ? void seen.push('disconnect') : new Error('not now')),
      _OnRoomLeave: (_ns, m) => void seen.push(`leave:${m.room}:${m.isForced}:${m.isLocal}`),
      _OnRoomLeft: (_ns, m) => void seen.push(`left:${m.room}`),
    },
  });
  t.after(() => lb.stop());
  const c = await lb.client();
  await connectNs(c, 'default');
  c.send('$j;default;r;_OnRoomJoin;0;0;');
  await c.next();
  c.send('$1;default;;_OnNamespaceDisconnect;0;0;');
  assert.equal(await c.next(), '$1;default;;_OnNamespaceDisconnect;1;0;not now');
  allow = true;
  c.send('$2;default;;_OnNamespaceDisconnect;0;0;');
  assert.equal(await c.next(), '$2;;;;;;');
  assert.deepEqual(seen, ['disconnect', 'leave:r:true:false', 'left:r']);
  assert.equal(lb.server.connectionsByNamespace('default').size, 0);
  c.send('$3;default;;_OnNamespaceDisconnect;0;0;');
  assert.equal(await c.next(), '$3;;;;;;', 'not connected: empty reply');
});

test('requests with an empty wait or isNoOp are ignored', async (t) => {
  const lb = await loopback({ default: {} });
  t.after(() => lb.stop());
  const c = await lb.client();
  c.send(';default;;_OnNamespaceConnect;0;0;');
  c.send('$1;default;;_OnNamespaceConnect;0;1;');
  assert.equal(await c.quiet(), true);
  assert.equal(lb.server.connectionsByNamespace('default').size, 0);
});

test('_OnAnyEvent receives system events and can veto a connect', async (t) => {
  const seen: string[] = [];
  const lb = await loopback({
    default: { _OnAnyEvent: (_ns, m) => { seen.push(m.event); return m.event === '_OnNamespaceConnect' && m.body === '' && seen.length === 1 ? new Error('veto') : undefined; } },
  });
  t.after(() => lb.stop());
  const c = await lb.client();
  c.send('$1;default;;_OnNamespaceConnect;0;0;');
  assert.equal(await c.next(), '$1;default;;_OnNamespaceConnect;1;0;veto');
  c.send('$2;default;;_OnNamespaceConnect;0;0;');
  assert.equal(await c.next(), '$2;;;;;;');
  c.send(';default;;custom;0;0;x');
  await c.barrier(); // the server has handled `custom`
  assert.deepEqual(seen, ['_OnNamespaceConnect', '_OnNamespaceConnect', '_OnNamespaceConnected', 'custom']);
});

test('handlers: reply(body), returned/thrown/async errors, reply(""), binary requests get binary replies', async (t) => {
  const lb = await loopback({
    default: {
      echo: (_ns, m) => reply(m.body),
      empty: () => reply(''),
      ret: () => new Error('returned'),
      thrown: () => { throw new Error('thrown;semi'); },
      str: () => { throw 'a string'; },
      later: async () => { await sleep(5); return reply('async'); }, // deliberately slow: an async handler
      laterFail: async () => { await sleep(5); throw new Error('async fail'); }, // deliberately slow
      nothing: () => undefined,
      failEmpty: () => new Error(''),
    },
  });
  t.after(() => lb.stop());
  const c = await lb.client();
  await connectNs(c, 'default');
  const cases: Array<[string, string]> = [
    ['$1;default;;echo;0;0;a;b', '$1;default;;echo;0;0;a;b'],
    ['$2;default;;empty;0;0;incoming', '$2;default;;empty;0;0;'],
    ['$3;default;;ret;0;0;', '$3;default;;ret;1;0;returned'],
    ['$4;default;;thrown;0;0;', '$4;default;;thrown;1;0;thrown;semi'],
    ['$5;default;;str;0;0;', '$5;default;;str;1;0;a string'],
    ['$6;default;;later;0;0;', '$6;default;;later;0;0;async'],
    ['$7;default;;laterFail;0;0;', '$7;default;;laterFail;1;0;async fail'],
    ['$8;default;;failEmpty;0;0;x', '$8;default;;failEmpty;1;0;'],
  ];
  for (const [req, res] of cases) {
    c.send(req);
    assert.equal(await c.next(), res, req);
  }
  c.send('$9;default;;nothing;0;0;');
  assert.equal(await c.quiet(), true, 'no answer when the handler returns nothing');
  c.send(Buffer.concat([Buffer.from('$10;default;;echo;0;0;'), Buffer.from([0, 1, 0x3b, 0xff])]));
  await c.barrier(); // the echo, if any, came before the barrier's answer
  const f = c.frames;
  assert.equal(f.length, 1);
  assert.equal(f[0].binary, true);
  assert.equal(f[0].data, Buffer.concat([Buffer.from('$10;default;;echo;0;0;'), Buffer.from([0, 1, 0x3b, 0xff])]).toString('hex'));
});

test('write guard: events for an unconnected namespace get no answer; room replies need the room', async (t) => {
  const lb = await loopback({ default: { echo: (_ns, m) => reply(m.body) } });
  t.after(() => lb.stop());
  const c = await lb.client();
  c.send('$1;default;;echo;0;0;x');
  c.send('$2;default;r;_OnRoomJoin;0;0;');
  assert.equal(await c.quiet(), true);
  await connectNs(c, 'default');
  c.send('$3;default;notjoined;echo;0;0;x');
  assert.equal(await c.quiet(), true, 'room not joined: reply dropped');
  c.send('$4;default;r;_OnRoomJoin;0;0;');
  await c.next();
  c.send('$5;default;r;echo;0;0;x');
  assert.equal(await c.next(), '$5;default;r;echo;0;0;x');
});

test('close forces leave and disconnect events (isForced, isLocal), then onDisconnect', async (t) => {
  const seen: string[] = [];
  let disconnected!: () => void;
  const gone = new Promise<void>((r) => { disconnected = r; });
  const fmt = (m: ServerMessage) => `${m.event}:${m.room}:${m.isForced}:${m.isLocal}`;
  const lb = await loopback(
    { default: { _OnRoomLeave: (_n, m) => void seen.push(fmt(m)), _OnRoomLeft: (_n, m) => void seen.push(fmt(m)), _OnNamespaceDisconnect: (_n, m) => void seen.push(fmt(m)) } },
    { onDisconnect: (conn) => { seen.push('onDisconnect:' + conn.isClosed); disconnected(); } },
  );
  t.after(() => lb.stop());
  const c = await lb.client();
  await connectNs(c, 'default');
  c.send('$j;default;r;_OnRoomJoin;0;0;');
  await c.next();
  c.close();
  await gone;
  assert.deepEqual(seen, [
    '_OnRoomLeave:r:true:true', '_OnRoomLeft:r:true:true', '_OnNamespaceDisconnect::true:true', 'onDisconnect:true',
  ]);
  assert.equal(lb.server.totalConnections, 0);
  assert.equal(lb.server.roomSize('default', 'r'), 0);
});

test('an async connect handler holds later frames until it decides', async (t) => {
  const lb = await loopback({
    default: {
      _OnNamespaceConnect: async () => { await sleep(40); }, // deliberately slow: later frames must wait
      echo: (_ns, m) => reply(m.body),
    },
  });
  t.after(() => lb.stop());
  const c = await lb.client();
  c.send('$1;default;;_OnNamespaceConnect;0;0;');
  c.send('$2;default;;echo;0;0;after connect');
  assert.equal(await c.next(), '$1;;;;;;');
  assert.equal(await c.next(), '$2;default;;echo;0;0;after connect');
});

test('native messages: dispatched on namespace "" once connected; conn.write({ native }) sends raw', async (t) => {
  const lb = await loopback({ '': { _OnNativeMessage: (ns, m) => void ns.conn.write({ native: true, body: 'echo:' + String(m.body) }) }, default: {} });
  t.after(() => lb.stop());
  const c = await lb.client();
  c.send('hello native');
  assert.equal(await c.quiet(), true, 'dropped before namespace "" is connected');
  await connectNs(c, '');
  c.send('hello native');
  assert.equal(await c.next(), 'echo:hello native');
  c.send('0;if;we;have;same;number;of;tokens');
  assert.equal(await c.quiet(), true, 'six semicolons make it a neffos message (D11)');
});

test('malformed frames never break the connection', async (t) => {
  const lb = await loopback({ default: { echo: (_ns, m) => reply(m.body) }, ['__proto__']: { x: () => reply('proto') } });
  t.after(() => lb.stop());
  const c = await lb.client();
  await connectNs(c, 'default');
  for (const bad of ['', ';', 'garbage', '$1;constructor;;x;0;0;', '$2;__proto__;;toString;0;0;', Buffer.from([0xff, 0x3b])]) c.send(bad as string);
  c.send('$9;default;;echo;0;0;still alive');
  const got = await c.next();
  assert.equal(got, '$9;default;;echo;0;0;still alive');
});
