// Issue 13 item 8: the hostile-peer suite (bounded: well under a minute per test on a 2-core machine, 127.0.0.1 only).
// Fuzzed frames from many connections while a good client keeps asking (its p99 latency and errors reported), byte
// floods against each queue with default settings (peak RSS reported), 10,000-connection churn, and leak loops
// (heap after GC back near its baseline, server and client side). Figures go to the test's diagnostics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { dial } from '../../client/index.js';
import { reply } from '../../server/index.js';
import { connectNs, loopback, waitFor, type RawClient } from '../server/helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MB = 1024 * 1024;
const quiet = { warn() {}, error() {} };
const mb = (n: number) => (n / MB).toFixed(1) + ' MB';

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** Samples the process RSS every 5 ms while `fn` runs; resolves with the peak increase over the start. */
async function peakRss(fn: () => Promise<void>): Promise<number> {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 5);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, process.memoryUsage.rss()) - start;
}

/** Sends `frame` up to `count` times while the socket is open, waiting for ws to write every 4th (bounded client memory). */
async function flood(c: RawClient, frame: string, count: number): Promise<number> {
  let sent = 0;
  while (sent < count && !c.closed && c.ws.readyState === WebSocket.OPEN) {
    const wrote = new Promise<void>((r) => c.ws.send(frame, () => r()));
    sent++;
    if (sent % 4 === 0) await Promise.race([wrote, c.waitClose(5000).then(() => undefined, () => undefined)]);
  }
  return sent;
}

const nasty = ['__proto__', 'constructor', 'toString', 'prototype', 'default', '', 'nope'];
const frameArb = fc.oneof(
  fc.tuple(
    fc.constantFrom('', '$1', '#1', '123', 'neffos(0xabc(id))', 'x!y', '$'),
    fc.constantFrom(...nasty), fc.constantFrom(...nasty, 'room1'),
    fc.constantFrom(...nasty, '_OnNamespaceConnect', '_OnNamespaceDisconnect', '_OnRoomJoin', '_OnRoomLeave', 'echo'),
    fc.constantFrom('0', '1', ''), fc.constantFrom('0', '1', ''), fc.string({ maxLength: 40 }),
  ).map((f) => f.join(';')),
  fc.string({ maxLength: 80 }),
  fc.constantFrom('M', 'Aspoofed', ';;;;;;', ';'.repeat(2000)),
);

test('hostile: 20 peers send fuzzed frames at once while a good client keeps asking (p99 and errors reported)', async (t) => {
  const invalid = { n: 0 };
  const lb = await loopback({ default: { echo: (_n, m) => reply(m.body) }, nope: {} }, { logger: quiet, onInvalidFrame: () => void invalid.n++ });
  t.after(() => lb.stop());
  const good = await dial(lb.url, { default: {} }, { reconnect: false });
  t.after(() => good.close());
  const ns = await good.connect('default');
  const frames = fc.sample(frameArb, { numRuns: 4000, seed: 13 });
  let running = true;
  const latencies: number[] = [];
  let errors = 0;
  const asking = (async () => {
    let i = 0;
    while (running) {
      const t0 = performance.now();
      try {
        const body = 'ask-' + i++;
        if ((await ns.ask('echo', body, { timeout: 3000 })).body !== body) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  })();
  let sent = 0;
  for (let round = 0; round < 5; round++) {
    const peers = await Promise.all(Array.from({ length: 20 }, () => lb.raw()));
    peers.forEach((p, k) => {
      if (k % 2 === 0) p.send('M');
      for (let j = 0; j < 40; j++) {
        if (p.ws.readyState !== WebSocket.OPEN) break;
        p.send(frames[(round * 800 + k * 40 + j) % frames.length]!);
        sent++;
      }
    });
    await ns.ask('echo', 'barrier');
    for (const p of peers) p.close();
  }
  running = false;
  await asking;
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.floor(latencies.length * 0.99)]!;
  t.diagnostic(`frames fuzzed: ${sent} from 100 peers; good client: ${latencies.length} asks, ${errors} errors, p50 ${latencies[latencies.length >> 1]!.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms; invalid frames reported: ${invalid.n}`);
  assert.equal(errors, 0);
  assert.ok(p99 < 1000, `p99 ${p99} ms`);
  await waitFor(() => lb.server.totalConnections === 1, 'the peers gone at the server', 3000);
  assert.equal(lb.server.totalConnections, 1, 'only the good client is left');
});

test('hostile: byte floods against each queue, default settings — closed at the bound, peak RSS reported', async (t) => {
  const never = () => new Promise<undefined>(() => undefined);
  const lb = await loopback({ default: { echo: (_n, m) => reply(m.body), _OnRoomJoin: (_n, m) => (m.room === 'slow' ? never() : undefined) } }, { logger: quiet });
  t.after(() => lb.stop());
  const bystander = await lb.client();
  await connectNs(bystander, 'default');
  const big = ';default;;echo;0;0;' + 'x'.repeat(MB - 64);
  const report: string[] = [];

  // Before the handshake: 4 sockets that never send M, each trying 255 frames of 1 MiB.
  let sent = 0;
  const pre = await peakRss(async () => {
    const cs = await Promise.all(Array.from({ length: 4 }, () => lb.raw()));
    const counts = await Promise.all(cs.map((c) => flood(c, big, 255)));
    sent = counts.reduce((a, b) => a + b, 0);
    for (const c of cs) assert.equal((await c.waitClose()).code, 1008);
  });
  report.push(`pre-handshake (4 x 255 x 1 MiB tried, ${sent} sent before the close): peak RSS +${mb(pre)}`);

  // While an async _OnRoomJoin is pending: 1,000 frames of 1 MiB.
  const held = await peakRss(async () => {
    const c = await lb.client();
    await connectNs(c, 'default');
    c.send('$j;default;slow;_OnRoomJoin;0;0;');
    sent = await flood(c, big, 1000);
    assert.equal((await c.waitClose()).code, 1008);
  });
  report.push(`held while _OnRoomJoin pends (1,000 x 1 MiB tried, ${sent} sent): peak RSS +${mb(held)}`);

  // 300 joins with 1 MiB room names.
  const rooms = await peakRss(async () => {
    const c = await lb.client();
    await connectNs(c, 'default');
    sent = await flood(c, '$r;default;' + 'r'.repeat(MB - 64) + ';_OnRoomJoin;0;0;', 300);
    assert.deepEqual((await c.waitClose()).reason, 'name too long');
  });
  report.push(`300 joins with 1 MiB room names (${sent} sent): peak RSS +${mb(rooms)}`);
  t.diagnostic(report.join('; '));
  for (const r of [pre, held, rooms]) assert.ok(r < 200 * MB, `peak RSS +${mb(r)}`);
  bystander.send('$ok;default;;echo;0;0;fine');
  assert.equal(await bystander.next(), '$ok;default;;echo;0;0;fine');
});

test('hostile: 10,000-connection churn leaves no connection, socket or heap behind', async (t) => {
  const lb = await loopback({ default: {} }, { logger: quiet });
  t.after(() => lb.stop());
  const before = heapAfterGc();
  const started = Date.now();
  // Plain ws clients (the loopback helper keeps every client it made): open, M, A+id, close.
  const once = () => new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(lb.url);
    ws.once('open', () => ws.send('M'));
    ws.once('message', (d) => (String(d).startsWith('A') ? ws.close() : reject(new Error('no ack: ' + String(d)))));
    ws.once('close', () => resolve());
    ws.once('error', reject);
  });
  for (let batch = 0; batch < 40; batch++) await Promise.all(Array.from({ length: 250 }, once));
  await waitFor(() => lb.server.totalConnections === 0, 'every connection gone at the server', 5000);
  assert.equal(lb.server.totalConnections, 0);
  const after = heapAfterGc();
  t.diagnostic(`10,000 connections in ${Date.now() - started} ms; heap after GC ${mb(before)} → ${mb(after)}`);
  assert.ok(after - before < 16 * MB, `heap grew ${mb(after - before)}`);
});

test('hostile: leak loops — 100,000 asks each way, 10,000 namespace connects and 10,000 room joins; heap back near baseline', async (t) => {
  const lb = await loopback({ default: { echo: (_n, m) => reply(m.body) }, other: {} }, { logger: quiet });
  t.after(() => lb.stop());
  const client = await dial(lb.url, { default: { q: (_n, m) => reply(m.body) }, other: {} }, { reconnect: false });
  t.after(() => client.close());
  const ns = await client.connect('default');
  const sns = [...lb.server.connectionsByNamespace('default').values()][0]!;
  const report: string[] = [];
  const loop = async (name: string, n: number, inFlight: number, one: (i: number) => Promise<unknown>) => {
    const run = async (count: number) => {
      let next = 0;
      await Promise.all(Array.from({ length: inFlight }, async () => { while (next < count) await one(next++); }));
    };
    await run(Math.min(n, 10_000)); // warm-up: JIT code and table capacities settle
    const before = heapAfterGc();
    await run(n);
    const after = heapAfterGc();
    report.push(`${name}: heap ${mb(before)} → ${mb(after)}`);
    assert.ok(after - before < 8 * MB, `${name}: heap grew ${mb(after - before)}`);
  };
  await loop('100,000 client asks', 100_000, 64, (i) => ns.ask('echo', 'a' + (i & 255)));
  await loop('100,000 server asks', 100_000, 64, (i) => sns.ask('q', 's' + (i & 255)));
  await loop('10,000 namespace connects', 10_000, 1, async () => { const o = await client.connect('other'); await o.disconnect(); });
  await loop('10,000 room joins', 10_000, 1, async (i) => { const r = await ns.joinRoom('r' + (i & 15)); await r.leave(); });
  t.diagnostic(report.join('; '));
  assert.equal(client.pendingCount, 0);
  assert.equal(lb.server.roomSize('default', 'r1'), 0);
});
