// Bad input loses nothing else: a peer sending garbage never crashes the process, never
// harms other connections, and names like __proto__ stay data. Both directions, over real
// sockets, with random frames from fast-check (bounded in count and time).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { WebSocket, WebSocketServer } from 'ws';
import { dial } from '../../client/index.js';
import { InvalidPayloadError } from '../../protocol/index.js';
import { startScenarioServer } from '../fixtures/scenario-server.js';
import { noEscapes } from '../fixtures/no-escapes.js';
import { Server, reply, type ServerOptions } from '../../server/index.js';
import { connStates, waitFor } from '../server/helpers.js';

const nasty = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype', 'default', '', 'nope'];
const token = fc.constantFrom('', '$1', '#1', '123', 'neffos(0xabc(id))', 'x!y', '1!2345', '$', ';');
const flag = fc.constantFrom('0', '1', 'true', '', '11');
const event = fc.constantFrom(...nasty, '_OnNamespaceConnect', '_OnNamespaceDisconnect', '_OnRoomJoin', '_OnRoomLeave', '_OnRoomLeft', 'echo', 'kickMe', 'closeMe');
const structured = fc
  .tuple(token, fc.constantFrom(...nasty), fc.constantFrom(...nasty, 'room1'), event, flag, flag, fc.string({ maxLength: 20 }))
  .map((f) => f.join(';'));
const frame = fc.oneof(
  structured,
  fc.string({ maxLength: 60 }),
  fc.constantFrom('M', 'A', 'Aspoofed', 'Hno', ';;;;;;', ';;;;;', ';'.repeat(5000), '@%!semicolon@%!'.repeat(50)),
  fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b)),
);

/** A plain server (no native messages, so garbage is invalid rather than native) on port 0. */
async function startPlainServer(options: ServerOptions) {
  const server = new Server({ default: { echo: (_ns, m) => reply(m.body) } }, options);
  const http = createServer();
  server.attach(http, { path: '/echo' });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  return {
    server,
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/echo`,
    stop: async () => { server.close(); http.closeAllConnections(); await new Promise((r) => http.close(r)); },
  };
}

for (const kind of ['scenario server (natives allowed)', 'plain server'] as const) {
  test(`server: random frames from one peer never crash it nor disturb a well-behaved client — ${kind}`, async () => {
    const invalid: unknown[] = [];
    const options: ServerOptions = { logger: { warn() {}, error() {} } as unknown as Console, onInvalidFrame: (err) => void invalid.push(err) };
    const s = kind === 'plain server' ? await startPlainServer(options) : await startScenarioServer({ serverOptions: options });
    try {
      await noEscapes(async () => {
        const good = await dial(s.url, { default: {} });
        const ns = await good.connect('default');
        let n = 0;
        await fc.assert(
          fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 25 }), fc.boolean(), async (frames, ackFirst) => {
            const bad = new WebSocket(s.url);
            await new Promise((r, j) => { bad.once('open', r); bad.once('error', j); });
            if (ackFirst) bad.send('M');
            for (const f of frames) if (bad.readyState === bad.OPEN) bad.send(f, { binary: typeof f !== 'string' });
            // The good client keeps getting correct answers while the bad peer talks.
            const body = `ask-${++n};`;
            assert.equal((await ns.ask('echo', body, { timeout: 3000 })).body, body);
            // A close handshake after the frames: the server has read every one of them when it answers.
            const closed = new Promise((r) => bad.once('close', r));
            if (bad.readyState === bad.OPEN) bad.close();
            await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]); // a bound, then terminate
            bad.terminate();
          }),
          { numRuns: 100, interruptAfterTimeLimit: 20_000 },
        );
        // Once the bad peers are gone only the good client remains.
        await waitFor(() => s.server.totalConnections === 1, 'the bad peers gone at the server', 3000);
        assert.equal(s.server.totalConnections, 1);
        // Unparsable frames are reported as typed errors (and dropped, as Go does); with natives allowed
        // such frames are native messages instead.
        if (kind === 'plain server') assert.ok(invalid.length > 0, 'onInvalidFrame saw the garbage');
        assert.ok(invalid.every((e) => e instanceof InvalidPayloadError && e.code === 'ERR_INVALID_PAYLOAD'));
        const goodGone = connStates(s.server, (c, e) => c.id === good.id && e.to === 'closed', 'the good client gone at the server');
        good.close();
        await goodGone;
      });
    } finally {
      await s.stop();
    }
  });
}

test('client: a malicious server sending random frames never crashes it; later asks still work', async () => {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  let script: (string | Buffer)[] = [];
  const closes: Promise<unknown>[] = [];
  wss.on('connection', (ws) => {
    closes.push(new Promise((r) => ws.once('close', r)));
    ws.on('message', (data, isBinary) => {
      const text = data.toString();
      if (!isBinary && text === 'M') {
        // Frames before the ack, the ack, a second ack and a refusal after it, then the garbage.
        ws.send(';default;;echo;0;0;early');
        ws.send('Aserver-id');
        ws.send('Aagain');
        ws.send('Hlate refusal');
        for (const f of script) ws.send(f, { binary: typeof f !== 'string' });
        return;
      }
      const [wait, namespace, , ev, , , body] = text.split(';');
      // Answer connects and echo asks like a neffos server would.
      if (ev === '_OnNamespaceConnect') ws.send(`${wait};;;;;;`);
      else if (ev === 'echo') ws.send(`${wait};${namespace};;echo;0;0;${body}`);
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  try {
    await noEscapes(async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(frame, { maxLength: 25 }), async (frames) => {
          script = frames;
          const conn = await dial(url, { default: { echo: () => undefined }, '': { _OnNativeMessage: () => undefined } }, { reconnect: false });
          conn.on('error', () => {});
          try {
            const ns = await conn.connect('default', { timeout: 3000 });
            assert.equal(conn.id, 'server-id');
            assert.equal((await ns.ask('echo', 'still fine', { timeout: 3000 })).body, 'still fine');
          } finally {
            conn.close();
          }
        }),
        { numRuns: 40, interruptAfterTimeLimit: 15_000 },
      );
      await Promise.all(closes); // every link closed at the server: the client's teardown is over
    });
  } finally {
    wss.close();
    http.closeAllConnections();
    http.close();
  }
});
