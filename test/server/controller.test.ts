// The controller example (examples/server-controller.ts) with an injected logger, driven by neffos.js and raw frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
// @ts-ignore neffos.js's .d.ts does not match its ESM code
import * as neffosModule from 'neffos.js';
import { ChatController, createChatServer } from '../../examples/server-controller.js';
import { controllerMethods, controllerNamespace } from '../../server/controller.js';
import { Server, BaseController, reply } from '../../server/index.js';
import { loopback, connectNs } from './helpers.js';

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
  const lines: string[] = [];
  const server = createChatServer({ info: (...a: unknown[]) => lines.push(a.join(' ')) });
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
  for (let i = 0; i < 50 && !lines.some((l) => l.includes('left after 2 messages')); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(lines.some((l) => l.includes(`[${a.ID}] left after 2 messages`)), lines.join('\n'));
  const ns = server.connection(b.ID)!.namespace('chat')!;
  assert.ok(ns.controller instanceof ChatController);
});

test('namespace from an instance property or method; several controllers per server; plain namespaces merge', async (t) => {
  class A extends BaseController { namespace = 'a'; hi() { return reply('A:' + this.nsConn.namespace); } }
  class B { nsConn: any; namespace() { return 'b'; } hi() { return reply('B'); } }
  class C { hi() { return reply('C'); } }
  assert.throws(() => new Server({}, { controllers: [C] }), /declare its namespace/);
  const lb = await loopback({ a: { extra: () => reply('plain') } }, { controllers: [A, B] });
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
});
