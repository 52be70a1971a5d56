// The server examples run: neffos.js talks to them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
// @ts-ignore neffos.js's .d.ts does not match its ESM code
import * as neffosModule from 'neffos.js';
import { startBasicServer } from '../../examples/server-basic.js';
import { createApp } from '../../examples/server-handle-upgrade.js';
import { Recorder } from './helpers.js';

const neffos = neffosModule as any;

test('examples/server-basic.ts: echo, forced join, chat in a room, refusal', async (t) => {
  const { server, http, url } = await startBasicServer(0);
  t.after(async () => { server.close(); http.closeAllConnections(); await new Promise((r) => http.close(r)); });
  const notices: string[] = [];
  const heard = new Recorder<string>();
  const chats = heard.items;
  const a = await neffos.dial(url, { default: { notice: (_n: any, m: any) => { notices.push(m.Body); } } });
  const b = await neffos.dial(url, { default: { chat: (_n: any, m: any) => { heard.push(`${m.Room}:${m.Body}`); } } });
  t.after(() => { a.close(); b.close(); });
  const na = await a.connect('default');
  const nb = await b.connect('default');
  assert.equal((await na.ask('echo', 'hi')).Body, 'hi');
  assert.equal((await na.ask('join', 'r1')).Body, 'joined r1');
  assert.equal((await nb.ask('join', 'r1')).Body, 'joined r1');
  na.room('r1').emit('chat', 'room hello');
  assert.equal((await na.ask('echo', 'sync')).Body, 'sync');
  await heard.until((c) => c.length > 0, 'the room chat at b');
  assert.equal((await nb.ask('echo', 'sync')).Body, 'sync'); // a barrier on b's connection: no duplicate behind it
  assert.deepEqual(chats, ['r1:room hello']);
  assert.match((await na.ask('hello', '')).Body, new RegExp(`^welcome ${a.ID}, connected at \\d+$`));
  assert.deepEqual(notices, []);
  await assert.rejects(neffos.dial(url, { default: {} }, { headers: { 'X-Ban': 'yes' } }), /banned/);
});

test('examples/server-handle-upgrade.ts: routed upgrade, HEAD probe, origin list', async (t) => {
  const { neffos: server, http } = createApp();
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  t.after(async () => { server.close(); http.closeAllConnections(); await new Promise((r) => http.close(r)); });
  const port = (http.address() as AddressInfo).port;
  const head = await fetch(`http://127.0.0.1:${port}/ws`, { method: 'HEAD', redirect: 'manual' });
  assert.equal(head.status, 302);
  const c = await neffos.dial(`ws://127.0.0.1:${port}/ws`, { default: {} });
  t.after(() => c.close());
  const ns = await c.connect('default');
  assert.equal((await ns.ask('echo', 'via handleUpgrade')).Body, 'via handleUpgrade');
});

test('examples/server-users.ts: a user on two connections is one id; notify and kick reach both', async (t) => {
  const { startUsersServer } = await import('../../examples/server-users.js');
  const { dial } = await import('../../client/index.js');
  const { server, http, url, base } = await startUsersServer(0);
  t.after(async () => { server.close(); http.closeAllConnections(); await new Promise((r) => http.close(r)); });
  const notices = new Recorder<string>();
  const got = notices.items;
  const open = () => dial(`${url}?user=alice`, { default: { notice: (_ns, m) => notices.push(String(m.body)) } }, { reconnect: false });
  const tab1 = await open();
  const tab2 = await open();
  const bob = await dial(`${url}?user=bob`, { default: {} }, { reconnect: false });
  t.after(() => { tab1.close(); tab2.close(); bob.close(); });
  const ns1 = await tab1.connect('default');
  const ns2 = await tab2.connect('default');
  assert.equal(String((await ns1.ask('tabs')).body), '2');
  assert.equal(await (await fetch(`${base}/notify?user=alice&text=hi`, { method: 'POST' })).text(), 'sent to 2 connection(s)\n');
  await notices.until((g) => g.length >= 2, 'the notice on both tabs');
  await Promise.all([ns1.ask('tabs'), ns2.ask('tabs')]); // barriers on both tabs: no third notice behind them
  assert.deepEqual(got, ['hi', 'hi']);
  const closed = Promise.all([tab1, tab2].map((c) => new Promise((r) => c.once('closed', r))));
  assert.equal(await (await fetch(`${base}/kick?user=alice`, { method: 'POST' })).text(), 'closed 2 connection(s)\n');
  await closed;
  assert.equal(bob.state, 'open');
});
