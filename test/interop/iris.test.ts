// Our Node client against a real Iris v12 application (e2e/go-iris): an MVC websocket controller
// (Namespace field, registered dependency, OnNamespaceConnected/OnNamespaceDisconnect/OnChat,
// websocket.GetContext), plain namespaces joined with it, and Iris's IDGenerator.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dial, type Conn, type Message } from '../../client/index.js';
import { startIrisPeer, type IrisPeer } from './iris-harness.js';

const noGo = spawnSync('go', ['version']).status === 0 ? undefined : 'Go is not installed: the Iris interop tests cannot run';
let iris: IrisPeer;
const conns: Conn[] = [];

before(async () => { if (!noGo) iris = await startIrisPeer(); });
after(async () => { for (const c of conns) c.close(); await iris?.stop(); });

const until = async (what: string, f: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!f()) { if (Date.now() > end) assert.fail(`timed out waiting for ${what}`); await new Promise((r) => setTimeout(r, 10)); }
};

function client(user: string, handlers: Record<string, Record<string, (ns: any, m: Message) => unknown>> = {}) {
  return dial(`${iris.url}?user=${user}`, { default: {}, rooms: {}, admin: {}, ...handlers }).then((c) => (conns.push(c), c));
}

test('iris: the MVC controller — connect, OnVisit from OnNamespaceConnected, asks, GetContext, the registered dependency, error replies', { skip: noGo }, async () => {
  const visits: string[] = [];
  const c = await client('alice', { default: { OnVisit: (_ns, m) => void visits.push(String(m.body)) } });
  assert.equal(c.id, 'alice', "Iris's IDGenerator gave the user name");
  const ns = await c.connect('default');
  await until('OnVisit', () => visits.length === 1);
  assert.equal((await ns.ask('Echo', 'hello iris', { timeout: 5000 })).body, 'hello iris');
  assert.equal((await ns.ask('Whoami', '', { timeout: 5000 })).body, 'alice|alice|/websocket|DEV', 'id, GetContext URL param and path, injected LoggerService');
  await assert.rejects(ns.ask('Fail', '', { timeout: 5000 }), (e: Error) => e.message === 'iris says no');
  await ns.disconnect();
  await until("the controller logs", () => /DEV: Connected alice/.test(iris.stderr) && /DEV: Disconnected alice/.test(iris.stderr));
});

test('iris: OnChat reaches every other client, not the sender; OnVisit counts up and down', { skip: noGo }, async () => {
  const got: Record<string, string[]> = { a: [], b: [], c: [] };
  const visits: number[] = [];
  const mk = (k: string) => client(`chat-${k}`, { default: {
    OnChat: (_ns, m) => void got[k]!.push(String(m.body)),
    ...(k === 'a' ? { OnVisit: (_ns: unknown, m: Message) => void visits.push(Number(m.body)) } : {}),
  } });
  const [a, b, c] = [await mk('a'), await mk('b'), await mk('c')];
  // One connect at a time, each visit seen before the next: Go's default asynchronous broadcaster may miss a
  // broadcast that comes before a connection took the previous one (docs/protocol.md §9.20).
  const na = await a.connect('default');
  await until('the first visit', () => visits.length === 1);
  await b.connect('default');
  await until('the second visit', () => visits.length === 2);
  const nc = await c.connect('default');
  await until('three visits', () => visits.length === 3);
  assert.deepEqual(visits.map((v) => v - visits[0]!), [0, 1, 2]);
  na.emit('OnChat', 'from a');
  await until('b and c', () => got.b!.length === 1 && got.c!.length === 1);
  // A marker from b after a's message (b has it already): Go's broadcaster goroutine of each connection takes
  // broadcasts in order, so once a and c have the marker nothing of a's message can still come.
  b.namespace('default')!.emit('OnChat', 'mark');
  await until('the marker at a and c', () => got.a!.includes('mark') && got.c!.includes('mark'));
  assert.deepEqual(got, { a: ['mark'], b: ['from a'], c: ['from a', 'mark'] });
  await nc.disconnect();
  await until('a visit down', () => visits.length === 4);
  assert.equal(visits[3], visits[2]! - 1);
  a.close(); b.close(); c.close();
});

test('iris: rooms of a joined plain namespace — refusal, room broadcast to other members only, leave; refused namespace', { skip: noGo }, async () => {
  const got: Record<string, string[]> = { x: [], y: [], z: [] };
  const mk = (k: string) => client(`room-${k}`, { rooms: { chat: (_ns, m) => void got[k]!.push(`${m.room}:${m.body}`) } });
  const [x, y, z] = [await mk('x'), await mk('y'), await mk('z')];
  const [nx, ny, nz] = [await x.connect('rooms'), await y.connect('rooms'), await z.connect('rooms')];
  await assert.rejects(nx.joinRoom('forbidden'), (e: Error) => e.message === 'no entry');
  const rx = await nx.joinRoom('r1');
  await ny.joinRoom('r1');
  await nz.joinRoom('r2');
  assert.equal((await nx.ask('roomCount', 'r1', { timeout: 5000 })).body, '2');
  rx.emit('chat', 'hi r1');
  await until('y', () => got.y!.length === 1);
  // A marker from y to the whole namespace after x's room message (y has it already): in order behind it at x and z.
  ny.emit('chat', 'mark');
  await until('the marker at x and z', () => got.x!.includes(':mark') && got.z!.includes(':mark'));
  assert.deepEqual(got, { x: [':mark'], y: ['r1:hi r1'], z: [':mark'] });
  await rx.leave();
  assert.equal((await ny.ask('roomCount', 'r1', { timeout: 5000 })).body, '1');
  await assert.rejects(x.connect('admin'), (e: Error) => e.message === 'admins only');
  assert.ok(nz.room('r2'), 'refusals leave the rest alone');
  x.close(); y.close(); z.close();
});

test('iris: connections sharing an id (IDGenerator returns the user) each keep working', { skip: noGo }, async () => {
  const got: string[][] = [[], []];
  const [a, b] = await Promise.all([0, 1].map((i) => client('same-user', { default: { OnChat: (_ns, m) => void got[i]!.push(String(m.body)) } })));
  assert.equal(a!.id, 'same-user');
  assert.equal(b!.id, 'same-user');
  const [na, nb] = [await a!.connect('default'), await b!.connect('default')];
  assert.equal((await na.ask('Echo', 'one', { timeout: 5000 })).body, 'one');
  assert.equal((await nb.ask('Echo', 'two', { timeout: 5000 })).body, 'two');
  a!.close(); b!.close();
});

test('iris: the Iris app restarts — our client reconnects, reconnects its namespace and room by itself', { skip: noGo }, async () => {
  const c = await client('phoenix', { rooms: { chat: () => {} } });
  const ns = await c.connect('rooms');
  await ns.joinRoom('again');
  await iris.restart();
  await until('reconnected', () => c.state === 'open' && c.wasReconnected, 15_000);
  await until('room back', () => ns.room('again') !== undefined, 5000);
  assert.equal((await ns.ask('roomCount', 'again', { timeout: 5000 })).body, '1', 'the new Iris process knows the room again');
  c.close();
});
