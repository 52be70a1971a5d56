/**
 * Throughput load process, one server per process and per trial (fresh
 * server, fresh load): connect storm of N full handshakes + namespace
 * connect, idle memory per connection, then broadcast fan-out to the N
 * receivers — one message per tick, bursts of 10 per tick,
 * broadcast-except-sender and room fan-out over 10 rooms.
 *
 * "One message per tick" is closed-loop: the sender emits one message and
 * waits until all N receivers have it; a burst is 10 messages written in the
 * same tick, then the wait for 10 x N deliveries. Every receiver checks that
 * its sequence numbers only increase (no reordering).
 */
import { connectShim, type Counter, type Protocol, type Shim } from './shim.js';
import { loadMain, requestParent } from './ipc.js';
import { processCpuNs, readSteal, selfCpuNs, stealPercent } from '../lib/cpu.js';

export type FanoutMode = 'tick' | 'burst' | 'except' | 'rooms';

export interface FanoutConfig {
  server: string;
  protocol: Protocol;
  url: string;
  serverPid: number;
  clients: number;
  concurrency: number;
  memory: boolean;
  /** Messages per mode (bursts: count of 10-message bursts; rooms: rounds of one message per room). */
  messages: Record<FanoutMode, number>;
  budgetMs: number;
}

export interface ModeResult { messages: number; deliveries: number; ms: number; deliveriesPerSec: number; serverCpuNsPerDelivery: number; clientBusy: number; error?: string }
export interface MemSample { rss: number; heap: number }
export interface FanoutResult {
  server: string;
  clients: number;
  storm: { ms: number; failures: number; firstError?: string; clientBusy: number; serverCpuMs: number };
  memory?: { before: MemSample; after: MemSample; rssPerConn: number; heapPerConn: number };
  modes: Partial<Record<FanoutMode, ModeResult>>;
  seqErrors: number;
  stealPct: number;
}

const BODY = 'fanout-payload-0123456789abcdef'; // + '#<seq>'
const WAIT_TIMEOUT = 8_000;

loadMain<FanoutConfig, FanoutResult>(async (cfg) => {
  const st0 = readSteal();
  const counter: Counter = { delivered: 0, seqErrors: 0 };
  const senderCounter: Counter = { delivered: 0, seqErrors: 0 };
  const before = cfg.memory ? await requestParent<MemSample>('mem') : undefined;

  // connect storm: N full handshakes + namespace connect, `concurrency` in flight
  const shims: Shim[] = [];
  let failures = 0;
  let firstError: string | undefined;
  let next = 0;
  const s0 = processCpuNs(cfg.serverPid);
  const c0 = selfCpuNs();
  const w0 = performance.now();
  // bounded in time too: a server that stops answering must not hold the storm for N x the setup timeout
  const stormDeadline = performance.now() + 60_000;
  const worker = async (): Promise<void> => {
    while (next < cfg.clients) {
      if (performance.now() > stormDeadline || failures >= 100) {
        failures += cfg.clients - next;
        firstError ??= 'storm aborted (deadline or 100 failures)';
        next = cfg.clients;
        break;
      }
      next++;
      try {
        shims.push(await connectShim(cfg.protocol, cfg.url, counter));
      } catch (e) {
        failures++;
        firstError ??= String(e instanceof Error ? e.message : e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(cfg.concurrency, cfg.clients) }, worker));
  const stormMs = performance.now() - w0;
  const storm = { ms: stormMs, failures, firstError, clientBusy: (selfCpuNs() - c0) / (stormMs * 1e6), serverCpuMs: (processCpuNs(cfg.serverPid) - s0) / 1e6 };

  let memory: FanoutResult['memory'];
  if (before) {
    await new Promise((r) => setTimeout(r, 1000));
    const after = await requestParent<MemSample>('mem');
    const n = shims.length || 1;
    const per = (a: number | null, b: number | null): number => (typeof a === 'number' && typeof b === 'number' ? (a - b) / n : NaN); // Go: no heap figure
    memory = { before, after, rssPerConn: per(after.rss, before.rss), heapPerConn: per(after.heap, before.heap) };
  }

  const sender = await connectShim(cfg.protocol, cfg.url, senderCounter);
  const N = shims.length;
  let seq = 0;
  const waitFor = (target: number): Promise<void> =>
    new Promise((resolve, reject) => {
      if (counter.delivered >= target) return resolve();
      const t = setTimeout(() => {
        counter.onDelivery = undefined;
        reject(new Error(`only ${counter.delivered} of ${target} deliveries after ${WAIT_TIMEOUT} ms`));
      }, WAIT_TIMEOUT);
      counter.onDelivery = () => {
        if (counter.delivered >= target) {
          counter.onDelivery = undefined;
          clearTimeout(t);
          resolve();
        }
      };
    });

  // one step = what the sender writes in one tick, and how many deliveries it must produce
  const step = async (mode: FanoutMode): Promise<[number, number]> => {
    const base = counter.delivered;
    if (mode === 'tick') {
      sender.send('echoAll', '', BODY + '#' + seq++);
      await waitFor(base + N);
      return [1, N];
    }
    if (mode === 'burst') {
      for (let i = 0; i < 10; i++) sender.send('echoAll', '', BODY + '#' + seq++);
      await waitFor(base + 10 * N);
      return [10, 10 * N];
    }
    if (mode === 'except') {
      sender.send('chat', '', BODY + '#' + seq++);
      await waitFor(base + N);
      return [1, N];
    }
    for (let r = 0; r < 10; r++) sender.send('chat', 'room' + r, BODY + '#' + seq++);
    await waitFor(base + N);
    return [10, N];
  };

  const modes: FanoutResult['modes'] = {};
  for (const mode of ['tick', 'burst', 'except', 'rooms'] as FanoutMode[]) {
    const count = cfg.messages[mode];
    if (!count) continue;
    try {
      if (mode === 'rooms') {
        let i = 0;
        const joinWorker = async (): Promise<void> => {
          while (i < N) {
            const k = i++;
            await shims[k].join('room' + (k % 10));
          }
        };
        await Promise.all(Array.from({ length: 64 }, joinWorker));
        for (let r = 0; r < 10; r++) await sender.join('room' + r);
      }
      for (let w = 0; w < Math.max(2, Math.ceil(count / 10)); w++) await step(mode); // warm-up
      const ss = processCpuNs(cfg.serverPid);
      const cc = selfCpuNs();
      const t0 = performance.now();
      let messages = 0;
      let deliveries = 0;
      for (let k = 0; k < count && performance.now() - t0 < cfg.budgetMs; k++) {
        const [m, d] = await step(mode);
        messages += m;
        deliveries += d;
      }
      const ms = performance.now() - t0;
      modes[mode] = {
        messages, deliveries, ms,
        deliveriesPerSec: deliveries / (ms / 1000),
        serverCpuNsPerDelivery: (processCpuNs(cfg.serverPid) - ss) / deliveries,
        clientBusy: (selfCpuNs() - cc) / (ms * 1e6),
      };
    } catch (e) {
      modes[mode] = { messages: 0, deliveries: 0, ms: 0, deliveriesPerSec: NaN, serverCpuNsPerDelivery: NaN, clientBusy: NaN, error: String(e instanceof Error ? e.message : e) };
    }
  }
  sender.close();
  for (const s of shims) s.close();
  return { server: cfg.server, clients: N, storm, memory, modes, seqErrors: counter.seqErrors, stealPct: stealPercent(st0, readSteal()) };
});
