// The legacy Iris websocket faces the internet too: random frames from a peer (fast-check, over real sockets) never
// crash the LegacyServer nor disturb a well-behaved client, whatever the handlers' types; and a LegacyClient fed random
// frames by a hostile server keeps working. Bounded in count and time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import WebSocket, { WebSocketServer } from 'ws';
import { dialLegacy, LegacyServer } from '../../legacy/index.js';
import { noEscapes } from '../fixtures/no-escapes.js';

const PREFIX = 'iris-websocket-message:';
const nasty = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'string', 'int', 'bool', 'bytes', 'any', '', 'x'];
const type = fc.constantFrom('0', '1', '2', '3', '4', '5', '9', '', '-1', '00', 'x');
const payload = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('{"a":', '[1,2', 'null', 'true', '1e999', '-0', 'NaN', ';;;', '\u0000'));
const frame = fc.oneof(
  fc.tuple(fc.constantFrom(...nasty), type, payload).map(([e, t, p]) => `${PREFIX}${e};${t};${p}`),
  fc.tuple(fc.constantFrom(...nasty), payload).map(([e, p]) => `${PREFIX}${e}${p}`), // no separator after the event
  fc.string({ maxLength: 60 }), // native messages
  fc.constantFrom(PREFIX, PREFIX + ';', PREFIX.slice(0, 10), ';'.repeat(3000)),
  fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b)),
);

test('legacy fuzz: random frames from one peer never crash the LegacyServer nor disturb a well-behaved client', async (t) => {
  const legacy = new LegacyServer({ endpoint: '/echo' });
  const seen = { native: 0, events: 0 };
  legacy.onConnection((c) => {
    c.on('string', 'string', (v) => c.emit('string', v));
    c.on('int', 'int', (v) => c.emit('int', v));
    c.on('bool', 'bool', () => void seen.events++);
    c.on('bytes', 'bytes', () => void seen.events++);
    c.on('any', () => void seen.events++);
    c.on('__proto__', () => void seen.events++);
    c.onMessage(() => void seen.native++);
    c.onError(() => {});
  });
  const http = createServer();
  legacy.attach(http);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/echo`;
  t.after(async () => { await legacy.close(); http.closeAllConnections(); await new Promise((r) => http.close(r)); });
  await noEscapes(async () => {
    const good = await dialLegacy(url);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 25 }), async (frames) => {
        const bad = new WebSocket(url);
        await new Promise((r, j) => { bad.once('open', r); bad.once('error', j); });
        for (const f of frames) if (bad.readyState === WebSocket.OPEN) bad.send(f, { binary: typeof f !== 'string' });
        // the good client keeps getting its echo while the bad peer talks
        const body = `ok-${++n};`;
        const back = good.once('string', 3000);
        good.emit('string', body);
        assert.equal((await back).value, body);
        const closed = new Promise((r) => bad.once('close', r));
        if (bad.readyState === WebSocket.OPEN) bad.close();
        await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]); // a bound, then terminate
        bad.terminate();
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 100), interruptAfterTimeLimit: 20_000 },
    );
    await good.close();
  });
});

test('legacy fuzz: a LegacyClient fed random frames by a hostile server keeps working', async (t) => {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  let script: (string | Buffer)[] = [];
  wss.on('connection', (ws) => {
    for (const f of script) ws.send(f, { binary: typeof f !== 'string' });
    // then an echo of every text frame, like an Iris server echoing events
    ws.on('message', (data, isBinary) => { if (!isBinary) ws.send(data.toString()); });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  t.after(() => { wss.close(); http.closeAllConnections(); http.close(); });
  await noEscapes(async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { maxLength: 25 }), async (frames) => {
        script = frames;
        const client = await dialLegacy(url);
        client.on('string', () => {});
        client.on('__proto__', () => {});
        try {
          // `zz` is never among the random frames' events: its echo is the answer to this emit
          const back = client.once('zz', 3000);
          client.emit('zz', 'still fine');
          assert.equal((await back).value, 'still fine');
        } finally {
          await client.close();
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 40), interruptAfterTimeLimit: 15_000 },
    );
  });
});
