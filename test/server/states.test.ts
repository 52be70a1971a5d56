// Issue 12, server side: one state per Conn, emitted as {from, to}; the races it removes, over real sockets
// (our client and raw ws peers). Tests wait for events or a barrier (a final request), never a sleep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dial } from '../../client/index.js';
import { AbortError, TimeoutError, reply, type Conn, type NSConn, type ServerConnStateChange } from '../../server/index.js';
import { SERVER_CONN_MOVES, SERVER_CONN_STATE_MOVES, checkMove } from '../../server/state.js';
import type { ServerConnState } from '../../server/index.js';
import { connectNs, loopback } from './helpers.js';

const quiet = { warn() {}, error() {} };

function record(lb: Awaited<ReturnType<typeof loopback>>): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  lb.server.on('connState', (conn: Conn, e: ServerConnStateChange) => {
    const list = seen.get(conn.id) ?? [];
    list.push(`${e.from}>${e.to}`);
    seen.set(conn.id, list);
  });
  return seen;
}

async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setImmediate(r));
  }
}

test('states: the move table (closing and closed are final ways out; nothing goes back to awaiting-handshake)', () => {
  assert.deepEqual(SERVER_CONN_MOVES, {
    'awaiting-handshake': ['open', 'closing', 'closed'],
    open: ['closing', 'closed'],
    closing: ['closed'],
    closed: [],
  });
  // The compact form State checks allows exactly the table's moves (and staying).
  const states = Object.keys(SERVER_CONN_MOVES) as ServerConnState[];
  for (const from of states) {
    for (const to of states) {
      const legal = from === to || SERVER_CONN_MOVES[from].includes(to);
      if (legal) assert.doesNotThrow(() => checkMove(SERVER_CONN_STATE_MOVES, from, to), `${from} → ${to}`);
      else assert.throws(() => checkMove(SERVER_CONN_STATE_MOVES, from, to), /illegal state change/, `${from} → ${to}`);
    }
  }
});

test('states: connState {from,to} for a handshake, a close() by the server, a peer that drops, and a refusal', async (t) => {
  const lb = await loopback({ default: {} }, { onConnect: (c) => { if (c.request.url?.includes('no')) throw new Error('no'); } });
  t.after(() => lb.stop());
  const seen = record(lb);
  const a = await lb.client();
  const conn = lb.server.connection(a.id)!;
  assert.equal(conn.state, 'open');
  conn.close(4001, 'kicked');
  assert.equal(conn.state, 'closing');
  assert.equal((await a.waitClose()).code, 4001);
  await until(() => conn.state === 'closed', 'closed');
  assert.deepEqual(seen.get(a.id), ['awaiting-handshake>open', 'open>closing', 'closing>closed']);

  const b = await lb.client();
  const bConn = lb.server.connection(b.id)!;
  b.close();
  await until(() => bConn.state === 'closed', 'b closed');
  assert.deepEqual(seen.get(b.id), ['awaiting-handshake>open', 'open>closed']);

  const c = await lb.raw('?no');
  c.send('M');
  assert.equal(await c.next(), 'Hno');
  await c.waitClose();
  const refused = [...seen.entries()].find(([id]) => id !== a.id && id !== b.id)!;
  assert.deepEqual(refused[1].slice(0, 1), ['awaiting-handshake>closing']);
});

test('states: a throwing connState listener is logged, never fatal', async (t) => {
  const errors: unknown[] = [];
  const lb = await loopback({ default: { echo: (_n, m) => reply(m.body) } }, { logger: { warn() {}, error: (...a) => void errors.push(a) } });
  t.after(() => lb.stop());
  lb.server.on('connState', () => { throw new Error('listener bug'); });
  const c = await lb.client();
  await connectNs(c, 'default');
  c.send('$1;default;;echo;0;0;ok');
  assert.equal(await c.next(), '$1;default;;echo;0;0;ok');
  assert.ok(errors.length >= 1);
});

test('races: after conn.close(4001, "kicked") the frames that peer still sends dispatch nothing (raw ws peer)', async (t) => {
  let connects = 0;
  let events = 0;
  const lb = await loopback({
    default: {
      _OnNamespaceConnect: () => { connects++; },
      kick: (ns) => { ns.conn.close(4001, 'kicked'); },
      other: () => { events++; },
    },
  });
  t.after(() => lb.stop());
  const c = await lb.client();
  await connectNs(c, 'default');
  assert.equal(connects, 1);
  // The kick and 50 more frames in one TCP write: the server reads them all in the same tick, after the close.
  const more = Array.from({ length: 25 }, (_, i) => [`$c${i};n${i};;_OnNamespaceConnect;0;0;`, `$o${i};default;;other;0;0;`]).flat();
  c.burst(';default;;kick;0;0;', ...more.map((f) => f.replace(/;n\d+;/, ';default;')));
  const closed = await c.waitClose();
  assert.deepEqual([closed.code, closed.reason], [4001, 'kicked']);
  assert.deepEqual([connects, events], [1, 0], 'no handler ran after the close');
  assert.equal(c.frames.length, 0, 'nothing was answered after the close');
});

test('races: a kicked neffos-ts client that keeps connecting: no _OnNamespaceConnect runs after the kick', async (t) => {
  let connects = 0;
  const lb = await loopback({
    default: { _OnNamespaceConnect: () => { connects++; }, kick: (ns) => { ns.conn.close(4001, 'kicked'); } },
    other: { _OnNamespaceConnect: () => { connects++; } },
  });
  t.after(() => lb.stop());
  const conn = await dial(lb.url, { default: {}, other: {} }, { reconnect: false });
  t.after(() => conn.close());
  const ns = await conn.connect('default');
  const closed = new Promise<{ code?: number }>((r) => conn.once('closed', r));
  ns.emit('kick');
  const late = conn.connect('other').catch((e: unknown) => e); // written right after the kick, before the close frame arrives
  assert.equal((await closed).code, 4001);
  assert.ok((await late) instanceof Error);
  assert.equal(connects, 1);
});

test('races: concurrent conn.connect(ns) send one request, build one NSConn and one controller instance', async (t) => {
  let built = 0;
  class Ctl {
    static namespace = 'ctl';
    constructor() { built++; }
    hello(): void {}
  }
  const lb = await loopback({}, { controllers: [Ctl] });
  t.after(() => lb.stop());
  const c = await lb.client();
  const conn = lb.server.connection(c.id)!;
  const p1 = conn.connect('ctl');
  const p2 = conn.connect('ctl');
  assert.equal(p1, p2, 'the second call gets the same promise');
  const req = await c.next();
  const wait = req.split(';')[0];
  assert.equal(req, `${wait};ctl;;_OnNamespaceConnect;0;0;`);
  c.send(`${wait};;;;;;`);
  const [a, b] = await Promise.all([p1, p2]);
  assert.equal(a, b);
  assert.equal(conn.namespace('ctl'), a);
  assert.equal(built, 1, 'one controller instance');
  assert.equal(a.controller, conn.namespace('ctl')!.controller);
  assert.ok(await c.quiet(), 'one connect request only');
  assert.equal(await conn.connect('ctl'), a, 'connected already: the same NSConn at once');
});

test('races: a server connect crossing the client\'s own connect of that namespace: one NSConn, one controller instance', async (t) => {
  let built = 0;
  class Ctl {
    static namespace = 'ctl';
    constructor() { built++; }
    echo(m: { body: string }) { return reply(m.body); }
  }
  const lb = await loopback({}, { controllers: [Ctl] });
  t.after(() => lb.stop());
  const c = await lb.client();
  const conn = lb.server.connection(c.id)!;
  const p = conn.connect('ctl');
  const wait = (await c.next()).split(';')[0];
  // The client connects on its own before answering the server's request.
  c.send('$mine;ctl;;_OnNamespaceConnect;0;0;');
  assert.equal(await c.next(), '$mine;;;;;;');
  c.send(`${wait};;;;;;`);
  const ns = await p;
  assert.equal(conn.namespace('ctl'), ns);
  assert.equal(built, 1);
  assert.equal(lb.server.connectionsByNamespace('ctl').size, 1);
});

test('races: concurrent joinRoom/leave/disconnect from the server send one request each and fire the local handlers once', async (t) => {
  const fired: string[] = [];
  const lb = await loopback({
    default: {
      _OnRoomJoin: (_n, m) => void fired.push('join:' + m.room),
      _OnRoomLeave: (_n, m) => void fired.push('leave:' + m.room),
      _OnNamespaceDisconnect: () => void fired.push('disconnect'),
    },
  });
  t.after(() => lb.stop());
  const client = await dial(lb.url, { default: {} }, { reconnect: false });
  t.after(() => client.close());
  await client.connect('default');
  const ns = [...lb.server.connectionsByNamespace('default').values()][0] as NSConn;
  const j1 = ns.joinRoom('r');
  const j2 = ns.joinRoom('r');
  assert.equal(j1, j2);
  const [r1, r2] = await Promise.all([j1, j2]);
  assert.equal(r1, r2);
  assert.equal(lb.server.roomSize('default', 'r'), 1);
  const l1 = r1.leave();
  assert.equal(r1.leave(), l1);
  await l1;
  assert.equal(lb.server.roomSize('default', 'r'), 0);
  const d1 = ns.disconnect();
  assert.equal(ns.disconnect(), d1);
  await d1;
  assert.deepEqual(fired, ['join:r', 'leave:r', 'disconnect']);
  assert.equal(client.namespace('default'), undefined, 'the client was disconnected once');
});

test('errors: a server ask and a client ask time out and abort with the same text, code and cause', async (t) => {
  const lb = await loopback({ default: { silent: () => undefined } });
  t.after(() => lb.stop());
  const client = await dial(lb.url, { default: { silent: () => undefined } }, { reconnect: false });
  t.after(() => client.close());
  const cns = await client.connect('default');
  const sns = [...lb.server.connectionsByNamespace('default').values()][0] as NSConn;
  const fail = (p: Promise<unknown>) => p.then(() => assert.fail('resolved'), (e: unknown) => e as Error & { code: string });
  const [ct, st] = await Promise.all([fail(cns.ask('silent', '', { timeout: 30 })), fail(sns.ask('silent', '', { timeout: 30 }))]);
  assert.ok(ct instanceof TimeoutError && st instanceof TimeoutError);
  assert.deepEqual([st.message, st.code, st.cause, st.name], [ct.message, ct.code, ct.cause, ct.name]);
  assert.equal(st.message, 'ask timed out after 30 ms');
  const ac1 = new AbortController();
  const ac2 = new AbortController();
  const cp = fail(cns.ask('silent', '', { signal: ac1.signal }));
  const sp = fail(sns.ask('silent', '', { signal: ac2.signal }));
  ac1.abort('bye');
  ac2.abort('bye');
  const [ca, sa] = await Promise.all([cp, sp]);
  assert.ok(ca instanceof AbortError && sa instanceof AbortError);
  assert.deepEqual([sa.message, sa.code, sa.cause], [ca.message, ca.code, ca.cause]);
  assert.equal(sa.cause, 'bye');
  // Already aborted: rejected at once with the same error, on both sides.
  const [cb, sb] = await Promise.all([fail(cns.ask('silent', '', { signal: AbortSignal.abort('x') })), fail(sns.ask('silent', '', { signal: AbortSignal.abort('x') }))]);
  assert.deepEqual([sb.message, sb.code, sb.cause], [cb.message, cb.code, cb.cause]);
  const so = await fail(lb.server.ask({ namespace: 'default', event: 'silent' }, { signal: AbortSignal.abort('x') }));
  assert.deepEqual([so.message, so.code, so.cause], [cb.message, cb.code, cb.cause]);
  void quiet;
});
