// The handshake (docs/protocol.md §2): only M acknowledges, A+id first, queued frames in order, H+text, timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reply } from '../../server/index.js';
import { loopback, sleep } from './helpers.js';

const ns = { default: { echo: (_n: unknown, m: { body: unknown }) => reply(m.body as string) } } as const;

test('M is answered with A + the generated id', async (t) => {
  const lb = await loopback(ns, { idGenerator: (req) => 'id-' + String(req.headers['x-who']) });
  t.after(() => lb.stop());
  const c = await lb.raw('', { headers: { 'X-Who': 'bob' } });
  c.send('M');
  assert.equal(await c.next(), 'Aid-bob');
  assert.equal(lb.server.totalConnections, 1);
  assert.equal(lb.server.connection('id-bob')?.id, 'id-bob');
});

test('frames sent before M are handled in order after A', async (t) => {
  const lb = await loopback(ns);
  t.after(() => lb.stop());
  const c = await lb.raw();
  c.send('$1;default;;_OnNamespaceConnect;0;0;');
  c.send('$2;default;;echo;0;0;first');
  c.send('$3;default;;echo;0;0;second');
  await c.pingBarrier(); // the server has read the three frames
  assert.equal(c.frames.length, 0, 'nothing before the ack');
  c.send('M');
  assert.match(await c.next(), /^A.+/);
  assert.equal(await c.next(), '$1;;;;;;');
  assert.equal(await c.next(), '$2;default;;echo;0;0;first');
  assert.equal(await c.next(), '$3;default;;echo;0;0;second');
});

test('a client sending A<id> instead of M is not acknowledged and cannot choose its id', async (t) => {
  let connects = 0;
  const lb = await loopback(ns, { onConnect: () => { connects++; throw new Error('nope'); } });
  t.after(() => lb.stop());
  const c = await lb.raw();
  c.send('Aspoofed');
  c.send('$1;default;;_OnNamespaceConnect;0;0;');
  await c.pingBarrier(); // the server has read both frames
  assert.equal(c.frames.length, 0, 'no answer to a spoofed ack');
  assert.equal(lb.server.connection('spoofed'), undefined);
  c.send('M');
  assert.equal(await c.next(), 'Hnope');
  assert.equal(connects, 1);
  assert.equal((await c.waitClose()).code, 1000);
});

test('onConnect throwing refuses with H + text and closes; onDisconnect is not called', async (t) => {
  let disconnects = 0;
  let okGone!: () => void;
  const okDisconnected = new Promise<void>((r) => { okGone = r; });
  const lb = await loopback(ns, {
    onConnect: async (conn) => {
      await sleep(10); // an onConnect that takes a while: the refusal still comes as H + text
      if (conn.request.url?.includes('bad')) throw new Error('rejected; with semis');
    },
    onDisconnect: (conn) => { disconnects++; if (conn.request.url?.includes('good')) okGone(); },
  });
  t.after(() => lb.stop());
  const c = await lb.raw('?bad=1');
  c.send('M');
  assert.equal(await c.next(), 'Hrejected; with semis');
  await c.waitClose();
  assert.equal(lb.server.totalConnections, 0);
  const ok = await lb.client('?good=1');
  assert.ok(ok.id.length > 0);
  ok.close();
  await okDisconnected;
  assert.equal(disconnects, 1, 'only the accepted connection reports a disconnect');
});

test('a client that never sends M is closed after handshakeTimeout', async (t) => {
  const lb = await loopback(ns, { handshakeTimeout: 80 });
  t.after(() => lb.stop());
  const c = await lb.raw();
  const t0 = Date.now();
  const closed = await c.waitClose(2000);
  assert.equal(closed.code, 1008);
  assert.equal(closed.reason, 'handshake timeout');
  assert.ok(Date.now() - t0 >= 60);
});

test('server-initiated connect from onConnect waits for the ack: A goes out first', async (t) => {
  const lb = await loopback({ forced: {} }, {
    onConnect: (conn) => { void conn.connect('forced').then((n) => n.emit('welcome', 'hi')); },
  });
  t.after(() => lb.stop());
  const c = await lb.raw();
  await c.pingBarrier(); // onConnect has run
  assert.equal(c.frames.length, 0, 'nothing before M');
  c.send('M');
  assert.match(await c.next(), /^A/);
  const req = await c.next();
  const m = /^(\d+);forced;;_OnNamespaceConnect;0;0;$/.exec(req);
  assert.ok(m, req);
  c.send(`${m[1]};;;;;;`);
  assert.equal(await c.next(), ';forced;;welcome;0;0;hi');
});

test('native-only server: no ack, every frame is a native message', async (t) => {
  const lb = await loopback({ '': { _OnNativeMessage: (n, m) => void n.conn.write({ native: true, body: 'echo:' + String(m.body) }) } });
  t.after(() => lb.stop());
  const c = await lb.raw();
  c.send('M');
  assert.equal(await c.next(), 'echo:M');
  c.send(';default;;x;0;0;y');
  assert.equal(await c.next(), 'echo:;default;;x;0;0;y');
});
