// Unit tests of the client over a fake transport: handshake, asks, server requests, close.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import {
  Conn, dial, reply, AbortError, BadNamespaceError, BadRoomError, ClosedError, HandshakeRefusedError,
  HandshakeTimeoutError, RemoteError, TimeoutError, type Namespaces,
} from '../../client/index.js';
import { acceptAll, FakeServer, flush } from './fake-socket.js';

test('handshake: sends M on open, resolves with the id from A', async () => {
  const server = new FakeServer(acceptAll());
  const conn = await dial('ws://h/echo', {}, { WebSocket: server.WebSocket, reconnect: false });
  assert.equal(conn.id, 'conn-1');
  assert.equal(conn.state, 'open');
  assert.deepEqual(server.last.sent, ['M']);
  conn.close();
});

test('a Conn made with `new Conn` (no link yet) closes cleanly: closed, no TypeError', () => {
  const conn = new Conn('ws://h/echo', { default: {} });
  const closed: unknown[] = [];
  conn.on('closed', (e) => closed.push(e.reason));
  conn.close();
  assert.equal(conn.state, 'closed');
  assert.deepEqual(closed, ['client']);
});

test('handshake: H rejects with exactly the server text and closes the socket', async () => {
  const server = new FakeServer((s, f) => f === 'M' && queueMicrotask(() => s.receive('Hrejected; by server')));
  await assert.rejects(dial('ws://h/echo', {}, { WebSocket: server.WebSocket }), (e: Error) => {
    assert.ok(e instanceof HandshakeRefusedError);
    assert.equal(e.message, 'rejected; by server');
    assert.equal((e as HandshakeRefusedError).code, 'ERR_HANDSHAKE_REFUSED');
    return true;
  });
  assert.equal(server.last.readyState, 3);
});

test('handshake: no answer rejects with HandshakeTimeoutError after handshakeTimeout', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const server = new FakeServer(() => {});
    const p = dial('ws://h/echo', {}, { WebSocket: server.WebSocket, handshakeTimeout: 500 });
    await flush();
    mock.timers.tick(499);
    await flush();
    let settled = false;
    p.catch(() => {}).finally(() => (settled = true));
    await flush();
    assert.equal(settled, false);
    mock.timers.tick(1);
    await assert.rejects(p, (e: Error) => e instanceof HandshakeTimeoutError && (e as HandshakeTimeoutError).code === 'ERR_HANDSHAKE_TIMEOUT');
  } finally {
    mock.timers.reset();
  }
});

test('handshake: frames that arrive before A are processed after it (server-forced connect)', async () => {
  const server = new FakeServer((s, f) => {
    if (f !== 'M') return;
    queueMicrotask(() => {
      s.receive('77;forced;;_OnNamespaceConnect;0;0;');
      s.receive('Aconn-x');
    });
  });
  const conn = await dial('ws://h/echo', { forced: {} }, { WebSocket: server.WebSocket, reconnect: false });
  assert.equal(conn.id, 'conn-x');
  assert.deepEqual(server.last.sent, ['M', '77;;;;;;']);
  assert.ok(conn.namespace('forced'));
  conn.close();
});

test('headers go to the ws constructor as HTTP headers in Node; relative URLs are refused', async () => {
  const server = new FakeServer(acceptAll());
  const conn = await dial('127.0.0.1:8080/echo', {}, { WebSocket: server.WebSocket, headers: { 'X-Id': 'a' }, protocols: ['p1'] });
  assert.equal(server.last.url, 'ws://127.0.0.1:8080/echo');
  assert.deepEqual(server.last.options.headers, { 'X-Id': 'a' });
  assert.deepEqual(server.last.protocols, ['p1']);
  conn.close();
  await assert.rejects(dial('/echo', {}, { WebSocket: server.WebSocket }), /relative URL "\/echo"/);
});

async function connected(namespaces: Namespaces = { default: {} }, other?: Parameters<typeof acceptAll>[0]) {
  const server = new FakeServer(acceptAll(other));
  const conn = await dial('ws://h/echo', namespaces, { WebSocket: server.WebSocket, reconnect: false, requestTimeout: 1000 });
  const ns = await conn.connect('default');
  return { server, conn, ns, s: server.last };
}

test('connect: the request is an ask on _OnNamespaceConnect; undeclared namespaces fail locally', async () => {
  const { conn, ns, s } = await connected();
  const [m] = s.messages();
  assert.equal(m.event, '_OnNamespaceConnect');
  assert.match(m.wait, /^\$\d+$/);
  assert.equal(ns.namespace, 'default');
  assert.equal(await conn.connect('default'), ns);
  await assert.rejects(conn.connect('nope' as string), BadNamespaceError);
  conn.close();
});

test('connect: a remote refusal rejects with the remote text and a code', async () => {
  const server = new FakeServer(acceptAll());
  server.respond = (s, f) => {
    if (f === 'M') return queueMicrotask(() => s.receive('Aid'));
    const w = String(f).split(';')[0];
    queueMicrotask(() => s.receive(`${w};secret;;_OnNamespaceConnect;1;0;access denied`));
  };
  const conn = await dial('ws://h/echo', { secret: {}, other: {} }, { WebSocket: server.WebSocket, reconnect: false });
  await assert.rejects(conn.connect('secret'), (e: Error) => e instanceof RemoteError && e.message === 'access denied');
  server.respond = (s, f) => {
    const w = String(f).split(';')[0];
    queueMicrotask(() => s.receive(`${w};other;;_OnNamespaceConnect;1;0;bad namespace`));
  };
  await assert.rejects(conn.connect('other'), (e: Error) => e instanceof BadNamespaceError && (e as BadNamespaceError).code === 'ERR_BAD_NAMESPACE');
  assert.equal(conn.namespace('secret'), undefined);
  assert.equal(conn.pendingCount, 0);
  conn.close();
});

test('ask: resolves with the reply, rejects with remote errors, times out, aborts, and frees its entry', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { conn, ns, s } = await connected({ default: {} }, (sock, m) => {
      if (m.event === 'fail') sock.receive(`${m.wait};default;;fail;1;0;boom;with;semis`);
    });
    assert.equal((await ns.ask('echo', 'hi')).body, 'hi');
    await assert.rejects(ns.ask('fail'), (e: Error) => e instanceof RemoteError && e.message === 'boom;with;semis' && (e as RemoteError).code === 'ERR_REMOTE');
    const slow = ns.ask('silent', 'x', { timeout: 200 });
    await flush();
    assert.equal(conn.pendingCount, 1);
    mock.timers.tick(200);
    await assert.rejects(slow, TimeoutError);
    assert.equal(conn.pendingCount, 0);
    const ac = new AbortController();
    const aborted = ns.ask('silent', 'x', { signal: ac.signal, timeout: 0 });
    ac.abort();
    await assert.rejects(aborted, AbortError);
    await assert.rejects(ns.ask('silent', 'x', { signal: ac.signal }), AbortError);
    assert.equal(conn.pendingCount, 0);
    // A late reply to a timed-out ask is ignored (goes to normal dispatch: no handler, nothing happens).
    const lateWait = s.messages().find((m) => m.event === 'silent')!.wait;
    s.receive(`${lateWait};default;;silent;0;0;late`);
    const pendingClose = ns.ask('silent');
    conn.close();
    await assert.rejects(pendingClose, ClosedError);
    assert.equal(conn.pendingCount, 0);
    await assert.rejects(ns.ask('echo'), ClosedError);
    assert.throws(() => ns.emit('chat', 'x'), ClosedError);
  } finally {
    mock.timers.reset();
  }
});

test('server ask: reply(body) answers with the same token, a thrown error goes back as an error frame', async () => {
  const { conn, s } = await connected({
    default: {
      question: (_ns, m) => reply('fine: ' + m.body),
      boom: () => { throw new Error('nope;really'); },
      returned: () => new Error('returned'),
      later: async (_ns, m) => { await flush(2); return reply(m.body); },
      quiet: () => {},
    },
  });
  s.sent.length = 0;
  s.receive('11;default;;question;0;0;how are you?');
  s.receive('12;default;;boom;0;0;');
  s.receive('13;default;;returned;0;0;');
  s.receive('15;default;;quiet;0;0;');
  assert.deepEqual(s.sent, ['11;default;;question;0;0;fine: how are you?', '12;default;;boom;1;0;nope;really', '13;default;;returned;1;0;returned']);
  s.receive('14;default;;later;0;0;async');
  assert.equal(s.sent.length, 3);
  await flush();
  assert.equal(s.sent[3], '14;default;;later;0;0;async');
  // A binary request gets a binary reply (docs/protocol.md §1.5).
  s.receive(new TextEncoder().encode('16;default;;later;0;0;bin'));
  await flush();
  const binReply: unknown = s.sent[4];
  assert.ok(binReply instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(binReply), '16;default;;later;0;0;bin');
  conn.close();
});

test('server-initiated join/leave: answered before anything the handlers emit; _OnRoomJoin may refuse', async () => {
  const { conn, ns, s } = await connected({
    default: {
      _OnRoomJoin: (_ns, m) => (m.room === 'forbidden' ? new Error('no entry') : undefined),
      _OnRoomJoined: (n, m) => { n.emit('hello', m.room); },
      _OnRoomLeft: (n, m) => { n.emit('bye', m.room); },
    },
  });
  s.sent.length = 0;
  s.receive('21;default;room2;_OnRoomJoin;0;0;');
  assert.deepEqual(s.sent, ['21;;;;;;', ';default;;hello;0;0;room2']);
  assert.equal(ns.room('room2')?.name, 'room2');
  s.receive('22;default;forbidden;_OnRoomJoin;0;0;');
  assert.equal(s.sent[2], '22;default;forbidden;_OnRoomJoin;1;0;no entry');
  s.receive('23;default;room2;_OnRoomLeave;0;0;');
  assert.deepEqual(s.sent.slice(3), ['23;;;;;;', ';default;;bye;0;0;room2']);
  assert.equal(ns.room('room2'), undefined);
  s.receive('24;default;nothere;_OnRoomLeave;0;0;');
  assert.equal(s.sent[5], '24;;;;;;');
  // Requests without a wait token or with isNoOp are ignored (docs/protocol.md §1.8).
  s.receive(';default;room3;_OnRoomJoin;0;0;');
  s.receive('25;default;room3;_OnRoomJoin;0;1;');
  assert.equal(s.sent.length, 6);
  conn.close();
});

test('server-initiated disconnect: empty reply first, then forced room events and _OnNamespaceDisconnect', async () => {
  const events: string[] = [];
  const record = (_ns: unknown, m: { event: string; room: string; isLocal: boolean; isForced: boolean }) => {
    events.push(`${m.event}:${m.room}:${m.isLocal}:${m.isForced}`);
  };
  const { conn, ns, s } = await connected({ default: { _OnRoomLeave: record, _OnRoomLeft: record, _OnNamespaceDisconnect: record } });
  await ns.joinRoom('r1');
  s.sent.length = 0;
  s.receive('31;default;;_OnNamespaceDisconnect;0;0;');
  assert.deepEqual(s.sent, ['31;;;;;;']);
  assert.deepEqual(events, ['_OnRoomLeave:r1:false:true', '_OnRoomLeft:r1:false:true', '_OnNamespaceDisconnect::false:false']);
  assert.equal(conn.namespace('default'), undefined);
  assert.throws(() => ns.emit('x'), BadNamespaceError);
  conn.close();
});

test('server-initiated connect: undeclared namespace → bad namespace; _OnNamespaceConnect may refuse; waitServerConnect resolves', async () => {
  const { conn, s } = await connected({ default: {}, forced: {}, picky: { _OnNamespaceConnect: () => new Error('not now') } });
  const waiting = conn.waitServerConnect('forced');
  s.sent.length = 0;
  s.receive('41;ghost;;_OnNamespaceConnect;0;0;');
  s.receive('42;picky;;_OnNamespaceConnect;0;0;');
  s.receive('43;forced;;_OnNamespaceConnect;0;0;');
  s.receive('44;forced;;_OnNamespaceConnect;0;0;');
  assert.deepEqual(s.sent, ['41;ghost;;_OnNamespaceConnect;1;0;bad namespace', '42;picky;;_OnNamespaceConnect;1;0;not now', '43;;;;;;', '44;;;;;;']);
  const forced = await waiting;
  assert.equal(forced.namespace, 'forced');
  assert.equal(conn.pendingCount, 0);
  await assert.rejects(conn.waitServerConnect('ghost' as string), BadNamespaceError);
  conn.close();
});

test('rooms: join asks the server, local events follow; leave, leaveAll, room emits and their write guard', async () => {
  const events: string[] = [];
  const rec = (_ns: unknown, m: { event: string; room: string; isLocal: boolean }) => { events.push(`${m.event}:${m.room}:${m.isLocal}`); };
  const { conn, ns, s } = await connected({ default: { _OnRoomJoin: rec, _OnRoomJoined: rec, _OnRoomLeave: rec, _OnRoomLeft: rec } });
  const r1 = await ns.joinRoom('r1');
  assert.equal(await ns.joinRoom('r1'), r1);
  await ns.joinRoom('r2');
  r1.emit('chat', 'hi');
  r1.emitBinary('bin', new Uint8Array([1, 2]));
  const sent = s.messages();
  assert.deepEqual(sent.filter((m) => m.event === '_OnRoomJoin').map((m) => m.room), ['r1', 'r2']);
  assert.equal(sent.find((m) => m.event === 'chat')!.room, 'r1');
  assert.deepEqual(sent.find((m) => m.event === 'bin')!.body, new Uint8Array([1, 2]));
  await r1.leave();
  await assert.rejects(r1.leave(), BadRoomError);
  assert.throws(() => r1.emit('chat', 'x'), BadRoomError);
  await ns.leaveAll();
  assert.deepEqual(ns.rooms(), []);
  assert.deepEqual(s.messages().filter((m) => m.event === '_OnRoomLeave').map((m) => m.room), ['r1', 'r2']);
  assert.deepEqual(events.slice(0, 2), ['_OnRoomJoin:r1:true', '_OnRoomJoined:r1:true']);
  assert.ok(events.includes('_OnRoomLeft:r2:true'));
  conn.close();
});

test('disconnect: client-initiated, then the handle refuses emits; close fires forced local events', async () => {
  const events: string[] = [];
  const rec = (_ns: unknown, m: { event: string; isLocal: boolean; isForced: boolean }) => { events.push(`${m.event}:${m.isLocal}:${m.isForced}`); };
  const { conn, ns } = await connected({ default: { _OnNamespaceDisconnect: rec, _OnRoomLeft: rec }, other: { _OnNamespaceDisconnect: rec } });
  await ns.disconnect();
  assert.deepEqual(events, ['_OnNamespaceDisconnect:true:false']);
  assert.throws(() => ns.emit('x'), BadNamespaceError);
  const other = await conn.connect('other');
  const closed: unknown[] = [];
  conn.on('closed', (e) => closed.push(e));
  conn.close();
  conn.close();
  assert.deepEqual(events.slice(1), ['_OnNamespaceDisconnect:true:true']);
  assert.deepEqual(closed, [{ reason: 'client', code: undefined, error: undefined }]);
  assert.equal(other.connected, false);
  assert.equal(conn.state, 'closed');
});

test('event names are data: __proto__ / constructor never reach Object.prototype', async () => {
  const seen: string[] = [];
  const { conn, s } = await connected({ default: { _OnAnyEvent: (_ns, m) => { seen.push(m.event); } } });
  s.receive(';default;;__proto__;0;0;x');
  s.receive(';default;;constructor;0;0;x');
  s.receive('9;__proto__;;_OnNamespaceConnect;0;0;');
  s.receive('not a neffos frame');
  // _OnAnyEvent also sees the system events of the connect (as in Go), then the two user events.
  assert.deepEqual(seen, ['_OnNamespaceConnect', '_OnNamespaceConnected', '__proto__', 'constructor']);
  assert.equal(s.sent[s.sent.length - 1], '9;__proto__;;_OnNamespaceConnect;1;0;bad namespace');
  conn.close();
});

test('native messages on namespace "": delivered to _OnNativeMessage; sendNative writes the raw body', async () => {
  const got: unknown[] = [];
  const server = new FakeServer(acceptAll());
  const conn = await dial('ws://h/echo', { '': { _OnNativeMessage: (_ns, m) => { got.push(m.body); } } }, { WebSocket: server.WebSocket, reconnect: false });
  const s = server.last;
  s.receive('raw before connect');
  assert.deepEqual(got, []);
  await conn.connect('');
  s.receive('raw from server');
  s.receive(new Uint8Array([1, 2, 3]));
  assert.equal(got[0], 'raw from server');
  assert.deepEqual(got[1], new Uint8Array([1, 2, 3]));
  conn.sendNative('native from ts');
  conn.sendNative(new Uint8Array([7]));
  assert.deepEqual(s.sent.slice(-2), ['native from ts', new Uint8Array([7])]);
  conn.close();
});

test('nativeOnly: no M, namespace "" connected at once, every frame raw', async () => {
  const got: unknown[] = [];
  const server = new FakeServer(() => {});
  const conn = await dial('ws://h/native', { '': { _OnNativeMessage: (_ns, m) => { got.push(m.body); } } }, { WebSocket: server.WebSocket, nativeOnly: true, reconnect: false });
  const s = server.last;
  assert.deepEqual(s.sent, []);
  s.receive('$1;default;;chat;0;0;looks like neffos');
  assert.deepEqual(got, ['$1;default;;chat;0;0;looks like neffos']);
  conn.sendNative('hello');
  assert.deepEqual(s.sent, ['hello']);
  assert.ok(conn.namespace(''));
  conn.close();
});
