// The built browser bundles (npx rollup -c): no Node modules inside, a `neffos` global, and they work against a real server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { runInNewContext } from 'node:vm';
import WebSocket from 'ws';
import * as client from '../../client/index.js';
import { startLoopbackServer } from './loopback-server.js';

const file = new URL('../../dist/browser/neffos.min.js', import.meta.url);

// The budget is 5,000 B (issue 12; neffos.js 0.1.34 measures 4,759 B the same way) and is NOT met yet: 5,283 B
// measured (docs/client.md "Size"; `npm run bench -- --only bundle` reports it against the budget). Until it is,
// this test holds the line where the bundle stands, so no change makes it bigger unnoticed.
const BUNDLE_CEILING = 5_290;
test('browser bundle: no bigger than it stands now (5,290 B min+gzip ceiling; the 5,000 B budget is not met yet)', (t) => {
  if (!existsSync(file)) return t.skip('dist/browser/neffos.min.js not built (run npx rollup -c)');
  const size = gzipSync(readFileSync(file), { level: 9 }).length;
  t.diagnostic(`${size} B min+gzip (level 9); budget 5,000 B: ${size <= 5000 ? 'met' : `over by ${size - 5000} B`}`);
  assert.ok(size <= BUNDLE_CEILING, `neffos.min.js grew to ${size} B min+gzip (ceiling ${BUNDLE_CEILING} B; budget 5,000 B)`);
});

test('browser bundle: global neffos, no ws/Buffer/process, dial + ask + binary over a real socket', async (t) => {
  if (!existsSync(file)) return t.skip('dist/browser/neffos.min.js not built (run npx rollup -c)');
  const code = readFileSync(file, 'utf8');
  for (const re of [/\brequire\(/, /\bBuffer\b/, /\bprocess\./, /from\s*['"]ws['"]/]) assert.doesNotMatch(code, re);
  t.diagnostic(`neffos.min.js: ${code.length} bytes, ${gzipSync(code, { level: 9 }).length} bytes min+gzip`);
  const server = await startLoopbackServer();
  t.after(() => server.stop());
  // A browser-like global scope: WebSocket, location, timers, TextEncoder/Decoder, URL — nothing Node-specific.
  const intervals: number[] = [];
  const scope: Record<string, unknown> = {
    WebSocket, location: { href: `http://127.0.0.1:${server.port}/app/` }, setTimeout, clearTimeout, clearInterval,
    setInterval: (fn: () => void, ms: number) => (intervals.push(ms), setInterval(fn, ms)),
    TextEncoder, TextDecoder, URL, URLSearchParams, queueMicrotask, console,
    // One realm for binary data: the socket (ws, this realm) hands over ArrayBuffers made here.
    ArrayBuffer, Uint8Array, JSON, Promise, Error, TypeError, Map, Set,
  };
  scope.globalThis = scope;
  runInNewContext(code, scope);
  const neffos = scope.neffos as any;
  assert.equal(typeof neffos.dial, 'function');
  assert.equal(typeof neffos.reply, 'function');
  // The global holds exactly the module's exports (client/browser-global.ts lists them), with no prototype, as a
  // module namespace object; the error classes sit under their own names.
  assert.deepEqual(Object.keys(neffos).sort(), Object.keys(client).sort());
  assert.equal(Object.getPrototypeOf(neffos), null);
  for (const key of Object.keys(client)) assert.equal(typeof neffos[key], typeof (client as Record<string, unknown>)[key], key);
  for (const key of Object.keys(client).filter((k) => k.endsWith('Error'))) assert.equal(neffos[key].name, key);
  const xTest = 'via query: a+b & ü=%;';
  const conn = await neffos.dial('/echo?k=v', { default: {} }, { headers: { 'X-Test': xTest }, reconnect: false });
  t.after(() => conn.close());
  // Browsers cannot ping: the data-frame heartbeat is on by default, every 15 s.
  assert.deepEqual(intervals, [15000]);
  const ns = await conn.connect('default');
  // Browsers cannot send handshake headers: they travel as X-Websocket-Header-* query parameters.
  assert.equal(JSON.parse((await ns.ask('headers')).body).xTest, xTest);
  assert.equal((await ns.ask('echo', 'from the bundle')).body, 'from the bundle');
  const back = await ns.ask('echo', new Uint8Array([1, 0x3b, 0xff]));
  assert.ok(back.body instanceof Uint8Array);
  assert.deepEqual([...back.body], [1, 0x3b, 0xff]);
  await assert.rejects(conn.connect('nope'), (e: Error & { code: string }) => e.code === 'ERR_BAD_NAMESPACE' && e.name === 'BadNamespaceError');
  // Minification renames classes; the errors' names and codes come from their keys and stay right.
  const codes = {
    BadNamespaceError: 'ERR_BAD_NAMESPACE', BadRoomError: 'ERR_BAD_ROOM', WriteError: 'ERR_WRITE', InvalidPayloadError: 'ERR_INVALID_PAYLOAD',
    ClosedError: 'ERR_CLOSED', TimeoutError: 'ERR_TIMEOUT', AbortError: 'ERR_ABORTED', HandshakeRefusedError: 'ERR_HANDSHAKE_REFUSED',
    HandshakeTimeoutError: 'ERR_HANDSHAKE_TIMEOUT', NotConnectedError: 'ERR_NOT_CONNECTED', RemoteError: 'ERR_REMOTE',
  };
  for (const [name, code] of Object.entries(codes)) {
    const e = new neffos[name]('x');
    assert.deepEqual([e.name, e.code, e.message, e instanceof neffos.NeffosError], [name, code, 'x', true]);
  }
  class Mine extends neffos.TimeoutError {}
  assert.deepEqual([new Mine().name, new Mine().code], ['Mine', 'ERR_TIMEOUT']);
  // The Conn's events come from the bundle's own emitter (emitter.browser.ts).
  const states: string[] = [];
  let closed: { reason: string } | undefined;
  conn.on('state', (e: { to: string }) => states.push(e.to));
  conn.once('closed', (e: { reason: string }) => (closed = e));
  assert.equal(conn.listenerCount('state'), 1);
  conn.close();
  assert.deepEqual(states, ['closed']);
  assert.equal(closed?.reason, 'client');
  assert.equal(conn.listenerCount('closed'), 0);
});
