// Reconnect against servers that accept and then drop (issue 12): maxRetries counts consecutive short-lived links;
// the count starts again only after a link stayed up `minUptime`. Real sockets on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { dial } from '../../client/index.js';

/** A server that acks `M` and terminates the link `after` ms later. */
async function flappingServer(after: number) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  let accepted = 0;
  wss.on('connection', (ws) => {
    ws.once('message', () => {
      accepted++;
      ws.send('Aflap-' + accepted);
      setTimeout(() => ws.terminate(), after);
    });
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`,
    get accepted() { return accepted; },
    stop: () => new Promise((r) => { for (const c of wss.clients) c.terminate(); wss.close(r); }),
  };
}

test('flapping: a server that accepts then drops at once hits maxRetries (giveUp, then closed)', { timeout: 10000 }, async (t) => {
  const server = await flappingServer(5); // 5 ms: the ack is surely read before the drop
  t.after(() => server.stop());
  const conn = await dial(server.url, {}, { reconnect: { minDelay: 5, maxDelay: 20, maxRetries: 3 } });
  t.after(() => conn.close());
  const attempts: number[] = [];
  conn.on('reconnecting', (e) => attempts.push(e.attempt));
  const gaveUp = await new Promise<{ attempts: number }>((r) => conn.once('giveUp', r));
  assert.equal(gaveUp.attempts, 3);
  assert.equal(conn.state, 'closed');
  // Every link was accepted, yet the attempts kept counting: 1, 2, 3 (never back to 1).
  assert.deepEqual(attempts, [1, 2, 3]);
  assert.ok(server.accepted >= 3, `accepted ${server.accepted}`);
});

test('flapping: a link that stayed up minUptime resets the count (maxRetries is never reached)', { timeout: 10000 }, async (t) => {
  const server = await flappingServer(120);
  t.after(() => server.stop());
  const conn = await dial(server.url, {}, { reconnect: { minDelay: 5, maxDelay: 20, maxRetries: 2, minUptime: 50 } });
  t.after(() => conn.close());
  const attempts: number[] = [];
  conn.on('reconnecting', (e) => attempts.push(e.attempt));
  let giveUp = false;
  conn.on('giveUp', () => (giveUp = true));
  for (let n = 0; n < 4; n++) await new Promise((r) => conn.once('reconnected', r));
  assert.equal(giveUp, false);
  assert.deepEqual(attempts, [1, 1, 1, 1]);
});
