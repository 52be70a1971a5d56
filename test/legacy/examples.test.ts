// The legacy examples run: examples/legacy/client.ts against examples/legacy/server.ts (the page,
// examples/legacy/index.html, runs in Chromium in e2e/legacy.spec.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLegacyExample } from '../../examples/legacy/server.js';
import { chat } from '../../examples/legacy/client.js';
import { dialLegacy } from '../../legacy/index.js';
import { waitFor } from '../server/helpers.js';

test('examples/legacy: the Node client chats through the example server; the int handler’s reply comes back typed', async (t) => {
  const { ws, http, origin } = await startLegacyExample(0);
  t.after(async () => { await ws.close(); http.closeAllConnections(); await new Promise((r) => http.close(r)); });
  const url = origin.replace('http', 'ws') + '/echo';
  const page = await fetch(`${origin}/`);
  assert.match(await page.text(), /new Ws\(/);
  assert.equal((await fetch(`${origin}/iris-ws.js`)).status, 200);
  const other = await dialLegacy(`${url}?user=other`);
  const heard = other.once('chat');
  const log = t.mock.method(console, 'log', () => {});
  const client = await chat(url, 'ana');
  t.after(() => { void client.close(); void other.close(); });
  assert.equal((await heard).value, 'hello from ana');
  const logged = () => log.mock.calls.map((c) => String(c.arguments[0]));
  await waitFor(() => logged().includes('score: 42 (type 1)'), 'the score line in the log').catch(() => undefined); // asserted below, with the log
  log.mock.restore();
  assert.ok(logged().includes('score: 42 (type 1)'), logged().join('\n'));
  assert.ok(ws.isConnected('ana') && ws.isConnected('other'));
});
