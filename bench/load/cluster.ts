/**
 * Cluster load process (bench/cluster.ts): clients split over two servers of one cluster.
 *
 * - `throughput`: one sender on server 1 triggers broadcasts to the whole namespace (`chatAll`);
 *   the receivers on server 2 count what crosses the broker. Closed loop with a window of
 *   `window` messages in flight (a message is "done" when every server-2 receiver has it), for
 *   `sendMs`, then a bounded drain. Deliveries/s = server-2 deliveries / (last delivery − start).
 * - `idle`: connects the clients, asks the orchestrator to measure (memory, broker connections), closes.
 *
 * Receivers are the raw-ws shims of bench/load/shim.ts (the same cheap receiver for every server).
 */
import { connectShim, type Counter, type Protocol, type Shim } from './shim.js';
import { loadMain, requestParent } from './ipc.js';
import { processCpuNs, selfCpuNs } from '../lib/cpu.js';

export interface ClusterLoadConfig {
  mode: 'throughput' | 'idle';
  protocol: Protocol;
  urls: [string, string];
  /** The two servers' pids (server CPU per delivery). */
  pids: [number, number];
  clients: number;
  concurrency: number;
  sendMs: number;
  window: number;
  drainMs: number;
}

export interface ClusterLoadResult {
  clients: number;
  connectMs: number;
  failures: number;
  firstError?: string;
  sent?: number;
  crossDeliveries?: number;
  localDeliveries?: number;
  lost?: number;
  ms?: number;
  crossPerSec?: number;
  seqErrors?: number;
  /** Share of one core this load process used while sending (≥ 0.9: client-bound). */
  clientBusy?: number;
  /** CPU time of both servers per cross-server delivery, in µs. */
  serverCpuUsPerDelivery?: number;
  measured?: unknown;
}

const BODY = 'cluster-payload-0123456789abcdef'; // + '#<seq>'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

loadMain<ClusterLoadConfig, ClusterLoadResult>(async (cfg) => {
  const local: Counter = { delivered: 0, seqErrors: 0 };
  const cross: Counter = { delivered: 0, seqErrors: 0 };
  const own: Counter = { delivered: 0, seqErrors: 0 };
  const shims: Shim[] = [];
  let failures = 0;
  let firstError: string | undefined;
  const n2 = Math.floor(cfg.clients / 2);
  const n1 = cfg.clients - n2;
  const plan: Array<0 | 1> = [];
  for (let i = 0; i < cfg.clients; i++) plan.push(i % 2 === 0 ? 0 : 1);
  let next = 0;
  const w0 = performance.now();
  const worker = async () => {
    while (next < plan.length) {
      const which = plan[next++];
      try {
        shims.push(await connectShim(cfg.protocol, cfg.urls[which], which === 0 ? local : cross));
      } catch (e) {
        failures++;
        firstError ??= String(e instanceof Error ? e.message : e);
      }
    }
  };
  await Promise.all(Array.from({ length: cfg.concurrency }, worker));
  const connectMs = performance.now() - w0;
  const base: ClusterLoadResult = { clients: shims.length, connectMs, failures, firstError };
  if (failures > 0) {
    for (const s of shims) s.close();
    return base;
  }

  if (cfg.mode === 'idle') {
    await sleep(500); // let the servers' (and Go's per-connection) subscriptions settle
    const measured = await requestParent<unknown>('measure');
    for (const s of shims) s.close();
    return { ...base, measured };
  }

  const sender = await connectShim(cfg.protocol, cfg.urls[0], own);
  let seq = 0;
  const send = () => sender.send('chatAll', '', `${BODY}#${seq++}`);
  // Warm-up: every server-2 receiver must get one message (subscriptions are asynchronous, Go's per connection).
  const warmDeadline = Date.now() + 15_000;
  for (;;) {
    cross.delivered = 0;
    send();
    const t = Date.now() + 1000;
    while (cross.delivered < n2 && Date.now() < t) await sleep(5);
    if (cross.delivered >= n2) break;
    if (Date.now() > warmDeadline) throw new Error(`warm-up: only ${cross.delivered}/${n2} server-2 receivers got a message`);
  }
  await sleep(200);
  cross.delivered = 0;
  local.delivered = 0;
  cross.seqErrors = 0;
  local.seqErrors = 0;

  let sent = 0;
  let sending = true;
  let last = performance.now();
  const c0 = selfCpuNs();
  const s0 = cfg.pids.map(processCpuNs);
  const t0 = performance.now();
  const pump = () => {
    while (sending && sent - cross.delivered / n2 < cfg.window) {
      send();
      sent++;
    }
  };
  cross.onDelivery = () => {
    last = performance.now();
    pump();
  };
  pump();
  const stopAt = t0 + cfg.sendMs;
  while (performance.now() < stopAt) {
    await sleep(20);
    pump(); // in case every message in flight was lost
  }
  sending = false;
  const drainUntil = performance.now() + cfg.drainMs;
  while (cross.delivered < sent * n2 && performance.now() < drainUntil) await sleep(10);
  cross.onDelivery = undefined;
  const ms = last - t0;
  const clientBusy = (selfCpuNs() - c0) / 1e6 / (performance.now() - t0);
  const serverNs = cfg.pids.map(processCpuNs).reduce((a, x, i) => a + x - s0[i], 0);
  const result: ClusterLoadResult = {
    ...base, sent, crossDeliveries: cross.delivered, localDeliveries: local.delivered, lost: sent * n2 - cross.delivered,
    ms, crossPerSec: (cross.delivered / ms) * 1000, seqErrors: cross.seqErrors + local.seqErrors,
    clientBusy, serverCpuUsPerDelivery: serverNs / 1000 / Math.max(1, cross.delivered + local.delivered),
  };
  void n1;
  sender.close();
  for (const s of shims) s.close();
  return result;
});
