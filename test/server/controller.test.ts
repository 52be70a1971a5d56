// The controller example (examples/server-controller.ts) with an injected logger, driven by neffos.js and raw frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
// @ts-ignore neffos.js's .d.ts does not match its ESM code
import * as neffosModule from 'neffos.js';
import { ChatController, createChatServer } from '../../examples/server-controller.js';
import { controllerMethods, controllerNamespace } from '../../server/controller.js';
import {
  Server, BaseController, ControllerGroup, controller, joinConnHandlers, scoped, eventTrimPrefixMatcher, reply, bodyText,
  type NSConn, type ServerMessage, type Conn,
} from '../../server/index.js';
import { loopback, connectNs, Recorder } from './helpers.js';

const neffos = neffosModule as any;

test('controller methods map to events; On* names map to system events', () => {
  assert.equal(controllerNamespace(ChatController, {}), 'chat');
  const m = controllerMethods(ChatController);
  assert.deepEqual(Object.fromEntries(m), {
    _OnNamespaceConnected: 'OnNamespaceConnected',
    _OnRoomJoin: 'OnRoomJoin',
    _OnNamespaceDisconnect: 'OnNamespaceDisconnect',
    message: 'message',
    count: 'count',
    shout: 'shout',
  });
});

test('the controller example runs with an injected logger: one instance per connection', async (t) => {
  const log = new Recorder<string>();
  const lines = log.items;
  const server = createChatServer({ info: (...a: unknown[]) => log.push(a.join(' ')) });
  const http = createServer();
  server.attach(http, { path: '/chat' });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  t.after(async () => { server.close(); http.closeAllConnections(); await new Promise((r) => http.close(r)); });
  const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/chat`;
  const got: string[] = [];
  const a = await neffos.dial(url, { chat: {} });
  const b = await neffos.dial(url, { chat: { message: (_ns: any, m: any) => { got.push(m.Body); } } });
  t.after(() => { a.close(); b.close(); });
  const na = await a.connect('chat');
  const nb = await b.connect('chat');
  na.emit('message', 'hi b');
  na.emit('message', 'again');
  assert.equal((await na.ask('count', '')).Body, '2');
  assert.equal((await nb.ask('count', '')).Body, '0', 'b has its own instance');
  assert.equal((await nb.ask('shout', 'quiet')).Body, 'QUIET');
  assert.deepEqual(got, ['hi b', 'again']);
  await assert.rejects(na.joinRoom('admins'), /admins only/);
  assert.ok(lines.some((l) => l.includes(`[${a.ID}] connected to chat`)), lines.join('\n'));
  a.close();
  await log.until((ls) => ls.some((l) => l.includes('left after 2 messages')), 'the "left after" line');
  assert.ok(lines.some((l) => l.includes(`[${a.ID}] left after 2 messages`)), lines.join('\n'));
  const ns = server.connection(b.ID)!.namespace('chat')!;
  assert.ok(ns.controller instanceof ChatController);
});

test('namespace from an instance property or method; several controllers per server; plain namespaces merge', async (t) => {
  class A extends BaseController { namespace = 'a'; hi() { return reply('A:' + this.nsConn.namespace); } }
  class B { nsConn: any; namespace() { return 'b'; } hi() { return reply('B'); } }
  class C { hi() { return reply('C'); } }
  assert.equal(controllerNamespace(C), '', 'no namespace declared: the empty namespace, as Go');
  const lb = await loopback({ a: { extra: () => reply('plain') } }, { controllers: [A, B, C] });
  t.after(() => lb.stop());
  const c = await lb.client();
  await connectNs(c, 'a');
  await connectNs(c, 'b');
  c.send('$1;a;;hi;0;0;');
  assert.equal(await c.next(), '$1;a;;hi;0;0;A:a');
  c.send('$2;b;;hi;0;0;');
  assert.equal(await c.next(), '$2;b;;hi;0;0;B');
  c.send('$3;a;;extra;0;0;');
  assert.equal(await c.next(), '$3;a;;extra;0;0;plain');
  await connectNs(c, '');
  c.send('$4;;;hi;0;0;');
  assert.equal(await c.next(), '$4;;;hi;0;0;C');
});

// Iris parity (docs/migration-from-iris.md): `mvcApp.HandleWebsocket(&ctrl{Namespace: "default"})`.
test('an instance is a template: Go spelling Namespace field, its fields copied per connection, declared fields injected', async (t) => {
  interface Logger { log(s: string): void }
  class WebsocketController {
    nsConn!: NSConn;
    Namespace = 'default';
    Age = 42;
    Logger: Logger | undefined = undefined;
    visits = 0;
    OnNamespaceConnected() { this.Logger!.log(`connected ${this.nsConn.conn.id}`); }
    OnChat(msg: ServerMessage) { this.visits++; return reply(`${this.Age}:${this.visits}:${bodyText(msg.body)}`); }
  }
  const lines: string[] = [];
  const group = new ControllerGroup().register({ Logger: { log: (s: string) => lines.push(s) } });
  group.handle(new WebsocketController());
  const lb = await loopback(group);
  t.after(() => lb.stop());
  const [a, b] = [await lb.client(), await lb.client()];
  await connectNs(a, 'default');
  await connectNs(b, 'default');
  a.send('$1;default;;OnChat;0;0;x');
  assert.equal(await a.next(), '$1;default;;OnChat;0;0;42:1:x');
  a.send('$2;default;;OnChat;0;0;y');
  assert.equal(await a.next(), '$2;default;;OnChat;0;0;42:2:y');
  b.send('$3;default;;OnChat;0;0;z');
  assert.equal(await b.next(), '$3;default;;OnChat;0;0;42:1:z', 'each connection has its own copy');
  assert.deepEqual(lines.sort(), [`connected ${a.id}`, `connected ${b.id}`].sort());
});

test('namespace from setNamespace, a Namespace() method or a static; an event matcher trims the On prefix', async (t) => {
  class Chat {
    static Namespace = 'static-ns';
    OnChat(msg: ServerMessage) { return reply('chat:' + bodyText(msg.body)); }
    OnNamespaceConnect() { /* a system method: never renamed by the matcher */ }
    helper() { return reply('not an event'); }
  }
  class ByMethod { Namespace() { return 'method-ns'; } hi() { return reply('method'); } }
  const renamed = controller(Chat).setNamespace('chat').setEventMatcher(eventTrimPrefixMatcher('On'));
  const lb = await loopback(joinConnHandlers(renamed, controller(ByMethod), controller(Chat, { namespace: undefined })));
  t.after(() => lb.stop());
  const c = await lb.client();
  await connectNs(c, 'chat');
  c.send('$1;chat;;Chat;0;0;hello');
  assert.equal(await c.next(), '$1;chat;;Chat;0;0;chat:hello', 'OnChat answers Chat');
  assert.deepEqual(Object.fromEntries(controllerMethods(Chat, eventTrimPrefixMatcher('On'))), { Chat: 'OnChat', _OnNamespaceConnect: 'OnNamespaceConnect' }, 'helper is no event');
  await connectNs(c, 'method-ns');
  c.send('$3;method-ns;;hi;0;0;');
  assert.equal(await c.next(), '$3;method-ns;;hi;0;0;method');
  await connectNs(c, 'static-ns');
  c.send('$4;static-ns;;OnChat;0;0;s');
  assert.equal(await c.next(), '$4;static-ns;;OnChat;0;0;chat:s', 'without a matcher every method is an event under its own name');
  // A function matcher: only methods ending in Event, named without it.
  const fn = controller(class { pingEvent() { return reply('pong'); } other() {} }, { namespace: 'fn', eventMatcher: (m) => m.endsWith('Event') && m.slice(0, -5) });
  const lb2 = await loopback(joinConnHandlers(fn));
  t.after(() => lb2.stop());
  const d = await lb2.client();
  await connectNs(d, 'fn');
  d.send('$5;fn;;ping;0;0;');
  assert.equal(await d.next(), '$5;fn;;ping;0;0;pong');
  assert.throws(() => new Server(joinConnHandlers(controller(class { a() {} }, { eventMatcher: () => false })).getNamespaces() as never), /no method is an event/);
});

test('request-scoped dependencies: the connection and its upgrade request when the controller is built', async (t) => {
  const built: string[] = [];
  class Me {
    static namespace = 'me';
    constructor(readonly deps: { user: string; conn: Conn; request: { url?: string }; version: string }) {
      built.push(`${deps.user}@${deps.conn.id}:${deps.version}:${deps.request.url}`);
    }
    whoami() { return reply(this.deps.user); }
  }
  const lb = await loopback({}, {
    controllers: [Me],
    dependencies: { version: 'v1', user: scoped(({ request }) => String(request.headers['x-user'] ?? 'guest')) },
  });
  t.after(() => lb.stop());
  const a = await lb.client('', { headers: { 'X-User': 'alice' } });
  const g = await lb.client('?X-Websocket-Header-X-User=bob');
  await connectNs(a, 'me');
  await connectNs(g, 'me');
  a.send('$1;me;;whoami;0;0;');
  assert.equal(await a.next(), '$1;me;;whoami;0;0;alice');
  g.send('$2;me;;whoami;0;0;');
  assert.equal(await g.next(), '$2;me;;whoami;0;0;bob');
  assert.deepEqual(built.sort(), [`alice@${a.id}:v1:/ws`, `bob@${g.id}:v1:/ws?X-Websocket-Header-X-User=bob`].sort());
});

test('several controller groups with their own dependencies join on one server (JoinConnHandlers)', async (t) => {
  class Greeter { static namespace = 'shared'; greeting: string | undefined = undefined; hi() { return reply(this.greeting!); } }
  class Counter { static namespace = 'shared'; n = 0; count() { return reply(String(++this.n)); } }
  const en = new ControllerGroup({ greeting: 'hello' });
  en.handle(Greeter);
  const other = new ControllerGroup();
  other.handle(Counter);
  const fr = new ControllerGroup({ greeting: 'bonjour' });
  fr.handle(Greeter).setNamespace('fr');
  const lb = await loopback({ shared: { plain: () => reply('plain') } }, { controllers: [en, other, fr] });
  t.after(() => lb.stop());
  const c = await lb.client();
  await connectNs(c, 'shared');
  await connectNs(c, 'fr');
  for (const [i, [ns, ev, want]] of [['shared', 'hi', 'hello'], ['shared', 'count', '1'], ['shared', 'count', '2'], ['shared', 'plain', 'plain'], ['fr', 'hi', 'bonjour']].entries()) {
    c.send(`$${i};${ns};;${ev};0;0;`);
    assert.equal(await c.next(), `$${i};${ns};;${ev};0;0;${want}`);
  }
});

test('the ported Iris MVC example (examples/server-iris-controller.ts) with our client', async (t) => {
  const { createIrisStyleServer } = await import('../../examples/server-iris-controller.js');
  const { dial } = await import('../../client/index.js');
  const lines: string[] = [];
  const server = createIrisStyleServer({ log: (l) => lines.push(l) });
  const http = createServer();
  server.attach(http, { path: '/websocket' });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  t.after(async () => { await server.close(); http.closeAllConnections(); await new Promise((r) => http.close(r)); });
  const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/websocket`;
  const visits = new Recorder<string>();
  const chats = new Recorder<string>();
  const visitsA = visits.items;
  const chatB = chats.items;
  const a = await dial(url, { default: { OnVisit: (_ns, m) => visits.push(String(m.body)) } });
  const b = await dial(url, { default: { OnChat: (_ns, m) => chats.push(String(m.body)) } });
  t.after(() => { a.close(); b.close(); });
  const na = await a.connect('default');
  await visits.until((v) => v.length >= 1, 'the first visit count');
  await b.connect('default');
  await visits.until((v) => v.length >= 2, 'the visit count of b connecting');
  na.emit('OnChat', 'hi from a');
  await chats.until((c) => c.length >= 1, 'the chat at b');
  assert.deepEqual(chatB, ['hi from a']);
  await b.namespace('default')!.disconnect();
  await visits.until((v) => v.length >= 3, 'the visit count of b leaving');
  assert.deepEqual(visitsA.map(Number).slice(-3).map((n, i, all) => n - all[0]!), [0, 1, 0], 'visits go up on connect and down on disconnect');
  assert.ok(lines.some((l) => l.startsWith('[IP: 127.0.0.1] [ID: ') && l.endsWith('the message [hi from a]')), lines.join('\n'));
  assert.equal(lines.filter((l) => l === 'Connected').length, 2);
});
