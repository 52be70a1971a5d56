// The chat demo scaled out (examples/chat/cluster.ts, npm run demo:cluster): two chat servers on one
// Redis are one chat — a message said in a room on one server reaches the room on the other.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { brokerMissing, startBroker, type Broker } from './brokers.js';
import { rawJoined, until } from './harness.js';
import { startChatCluster } from '../../examples/chat/cluster.js';
import type { ChatServer } from '../../examples/chat/server.js';
import type { RawClient } from '../server/helpers.js';

const skip = brokerMissing('redis');
let broker: Broker;
let servers: ChatServer[] = [];
const opened: RawClient[] = [];

before(async () => {
  if (skip) return;
  broker = await startBroker('redis');
  servers = await startChatCluster(broker.url, { port: 0, prefix: 'chat-test' });
});
after(async () => {
  for (const c of opened) c.close();
  for (const s of servers) await s.stop();
  await broker?.stop();
});

test('two chat servers on one Redis: a room message crosses servers, the rosters stay per server', { skip }, async () => {
  const ws = (s: ChatServer) => `ws://127.0.0.1:${s.port}/chat`;
  const a = await rawJoined(ws(servers[0]!), '?X-Websocket-Header-X-Nick=ann', 'chat');
  const b = await rawJoined(ws(servers[1]!), '?X-Websocket-Header-X-Nick=bob', 'chat');
  opened.push(a, b);
  for (const c of [a, b]) {
    c.send('$j;chat;lobby;_OnRoomJoin;0;0;');
    await until(() => c.frames.some((f) => f.data === '$j;;;;;;'), 3000, 'the join reply');
  }
  let n = 0;
  await until(() => {
    a.send(`$s${++n};chat;lobby;say;0;0;${JSON.stringify({ room: 'lobby', text: 'hello from 8080' })}`);
    return b.frames.some((f) => f.data.startsWith(';chat;lobby;message;0;0;'));
  }, 10_000, 'a message across the cluster');
  const m = b.frames.find((f) => f.data.startsWith(';chat;lobby;message;0;0;'))!;
  const body = JSON.parse(m.data.split(';').slice(6).join(';')) as { from: string; text: string };
  assert.deepEqual([body.from, body.text], ['ann', 'hello from 8080']);
  // The sender is excluded on its own server; the roster each server sends lists its own members.
  assert.ok(!a.frames.some((f) => f.data.startsWith(';chat;lobby;message;')));
  const roster = b.frames.filter((f) => f.data.startsWith(';chat;lobby;members;')).at(-1)!;
  assert.equal(roster.data, ';chat;lobby;members;0;0;["bob"]');
});
