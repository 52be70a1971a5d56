// Our own client (client/) against our own server (test/fixtures/scenario-server.ts): the contract end to end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dial, reply, HandshakeRefusedError, RemoteError, type Conn } from '../../client/index.js';
import { startScenarioServer, type ScenarioServer } from '../fixtures/scenario-server.js';

let s: ScenarioServer;
const conns: Conn<any>[] = [];
before(async () => { s = await startScenarioServer(); });
after(async () => {
  for (const c of conns) c.close();
  await s.stop();
});

async function open(query = '', namespaces: Parameters<typeof dial>[1] = { default: {} }, options: Parameters<typeof dial>[2] = {}) {
  const c = await dial(s.url + query, namespaces, { reconnect: false, requestTimeout: 3000, ...options });
  conns.push(c);
  return c;
}

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
};

test('refused connection and namespace, echo, error reply', async () => {
  await assert.rejects(open('?reject=1'), (e: unknown) => e instanceof HandshakeRefusedError && e.message === 'rejected by server');
  const c = await open('', { default: {}, secret: {} });
  await assert.rejects(c.connect('secret'), (e: unknown) => e instanceof RemoteError && e.message === 'access denied');
  const ns = await c.connect('default');
  assert.equal((await ns.ask('echo', 'a;b')).body, 'a;b');
  assert.equal((await ns.ask('ping', '')).body, 'PONG');
  await assert.rejects(ns.ask('fail', 'x'), /boom;with;semis/);
});

test('rooms: the sender is excluded from a room broadcast', async () => {
  const got: Record<string, string[]> = { a: [], b: [], c: [] };
  const mk = (k: string) => ({ default: { chat: (_n: unknown, m: { room: string; body: unknown }) => void got[k].push(`${m.room}|${String(m.body)}`) } });
  const [a, b, c] = await Promise.all([open('', mk('a')), open('', mk('b')), open('', mk('c'))]);
  const [na, nb, nc] = await Promise.all([a.connect('default'), b.connect('default'), c.connect('default')]);
  const ra = await na.joinRoom('room1');
  await nb.joinRoom('room1');
  await assert.rejects(nc.joinRoom('forbidden'), /no entry/);
  ra.emit('chat', 'to room');
  na.emit('chat', 'to all');
  await until(() => got.b.length === 2 && got.c.length === 1, 'deliveries');
  for (const ns of [na, nb, nc]) await ns.ask('echo', 'sync');
  assert.deepEqual(got, { a: [], b: ['room1|to room', '|to all'], c: ['|to all'] });
});

test('server ask, forced connect, forced join/leave/disconnect, natives', async () => {
  const events: string[] = [];
  const c = await open('?force=1', {
    default: {
      question: (_n, m) => reply('fine: ' + String(m.body)),
      answer: (_n, m) => void events.push('answer:' + String(m.body)),
      joined: (_n, m) => void events.push('joined:' + String(m.body)),
      left: (_n, m) => void events.push('left:' + String(m.body)),
      _OnNamespaceDisconnect: (_n, m) => void events.push('disconnect:' + m.isLocal),
    },
    forced: { welcome: (_n, m) => void events.push('welcome:' + String(m.body)) },
    '': { _OnNativeMessage: (_n, m) => void events.push('native:' + String(m.body)) },
  });
  const forced = await c.waitServerConnect('forced');
  assert.equal((await forced.ask('ping', '')).body, 'PONG');
  const ns = await c.connect('default');
  ns.emit('askMe', 'ok?');
  ns.emit('joinMe', 'r2');
  await until(() => events.includes('joined:r2'), 'joined');
  assert.equal((await ns.ask('roomCount', 'r2')).body, '1');
  ns.emit('leaveMe', 'r2');
  await until(() => events.includes('left:r2'), 'left');
  assert.equal((await ns.ask('roomCount', 'r2')).body, '0');
  await c.connect('');
  c.sendNative('from client');
  c.namespace('')!.emit('native', '');
  await until(() => events.includes('native:raw from server') && events.includes('native:echo:from client'), 'natives');
  ns.emit('kickMe', '');
  await until(() => events.includes('disconnect:false'), 'kicked');
  assert.ok(events.includes('answer:fine: ok?'));
  assert.ok(events.includes('welcome:hello from forced'));
});
