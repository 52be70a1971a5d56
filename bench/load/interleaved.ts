/**
 * Interleaved load process (echo ask sequential, 64 asks in flight, room
 * join/leave churn). ONE process holds a connection to every implementation
 * pair and runs blocks of operations, rotating the order every round, so
 * every pair sees the same machine conditions; the orchestrator turns the
 * per-round figures into per-round ratios.
 *
 * Per block it records wall time, this process's CPU (the client's cost) and
 * the server process's CPU read from /proc (the server's cost).
 */
import { connectClient, type BenchClient, type ClientKind } from './clients.js';
import { loadMain, requestParent } from './ipc.js';
import { processCpuNs, readSteal, selfCpuNs, stealPercent } from '../lib/cpu.js';

export type ScenarioName = 'seq' | 'par64' | 'churn';

export interface Target { id: string; server: string; client: ClientKind; url: string; serverPid: number }
export interface ScenarioConfig { name: ScenarioName; block: number; rounds: number; budgetMs: number }
export interface InterleavedConfig { targets: Target[]; scenarios: ScenarioConfig[]; warmupOps: number }

export interface BlockResult { ops: number; ms: number; opsPerSec: number; clientCpuNsPerOp: number; serverCpuNsPerOp: number; clientBusy: number; /** sequential only: per-ask latency in the block */ p50us?: number; p99us?: number; p999us?: number }
export interface ScenarioResult {
  name: ScenarioName;
  rounds: Array<Record<string, BlockResult>>;
  stealPct: number;
  failures: Record<string, string>;
}
export interface InterleavedResult {
  scenarios: ScenarioResult[];
  pendingAfterPar64: Record<string, { client: number; server: number }>;
  connectErrors: Record<string, string>;
}

const BODY = 'abcdefghijklmnopqrstuvwxyz012345'; // 32 bytes
const BLOCK_TIMEOUT = 20_000;

const lat = new Float64Array(100_000);

async function runOps(c: BenchClient, name: ScenarioName, ops: number): Promise<void> {
  if (name === 'seq') {
    for (let i = 0; i < ops; i++) {
      const t0 = performance.now();
      const r = await c.ask(BODY);
      lat[i] = performance.now() - t0;
      if (r !== BODY) throw new Error(`echo returned ${JSON.stringify(r).slice(0, 60)}`);
    }
  } else if (name === 'par64') {
    let started = 0;
    const worker = async (): Promise<void> => {
      while (started < ops) {
        started++;
        const r = await c.ask(BODY);
        if (r !== BODY) throw new Error(`echo returned ${JSON.stringify(r).slice(0, 60)}`);
      }
    };
    await Promise.all(Array.from({ length: 64 }, worker));
  } else {
    for (let i = 0; i < ops / 2; i++) {
      const room = 'room' + (i % 10);
      await c.join(room);
      await c.leave(room);
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, rej) => (t = setTimeout(() => rej(new Error(`${what}: timed out after ${ms} ms`)), ms)))]).finally(() => clearTimeout(t));
}

async function block(c: BenchClient, t: Target, name: ScenarioName, ops: number): Promise<BlockResult> {
  const s0 = processCpuNs(t.serverPid);
  const c0 = selfCpuNs();
  const w0 = process.hrtime.bigint();
  await withTimeout(runOps(c, name, ops), BLOCK_TIMEOUT, `${t.id} ${name}`);
  const ns = Number(process.hrtime.bigint() - w0);
  const cpu = selfCpuNs() - c0;
  const scpu = processCpuNs(t.serverPid) - s0;
  const r: BlockResult = { ops, ms: ns / 1e6, opsPerSec: ops / (ns / 1e9), clientCpuNsPerOp: cpu / ops, serverCpuNsPerOp: scpu / ops, clientBusy: cpu / ns };
  if (name === 'seq') {
    const l = Array.from(lat.subarray(0, ops)).sort((a, b) => a - b);
    r.p50us = l[Math.floor(ops * 0.5)] * 1000;
    r.p99us = l[Math.min(ops - 1, Math.floor(ops * 0.99))] * 1000;
    r.p999us = l[Math.min(ops - 1, Math.floor(ops * 0.999))] * 1000;
  }
  return r;
}

loadMain<InterleavedConfig, InterleavedResult>(async (config) => {
  const clients = new Map<string, BenchClient>();
  const connectErrors: Record<string, string> = {};
  for (const t of config.targets) {
    try {
      clients.set(t.id, await withTimeout(connectClient(t.client, t.url), 15_000, `${t.id} connect`));
    } catch (e) {
      connectErrors[t.id] = String(e instanceof Error ? e.message : e);
    }
  }
  const live = config.targets.filter((t) => clients.has(t.id));
  const result: InterleavedResult = { scenarios: [], pendingAfterPar64: {}, connectErrors };
  for (const sc of config.scenarios) {
    const failures: Record<string, string> = {};
    // warm-up: every pair runs the scenario once, not recorded
    for (const t of live) {
      try {
        await block(clients.get(t.id)!, t, sc.name, config.warmupOps);
      } catch (e) {
        failures[t.id] = String(e instanceof Error ? e.message : e);
      }
    }
    const st0 = readSteal();
    const start = Date.now();
    const rounds: Array<Record<string, BlockResult>> = [];
    for (let r = 0; r < sc.rounds && Date.now() - start < sc.budgetMs; r++) {
      const active = live.filter((t) => !(t.id in failures));
      const order = active.map((_, i) => active[(i + r) % active.length]);
      if (r % 2 === 1) order.reverse();
      const row: Record<string, BlockResult> = {};
      for (const t of order) {
        try {
          row[t.id] = await block(clients.get(t.id)!, t, sc.name, sc.block);
        } catch (e) {
          failures[t.id] = String(e instanceof Error ? e.message : e);
        }
      }
      rounds.push(row);
    }
    result.scenarios.push({ name: sc.name, rounds, stealPct: stealPercent(st0, readSteal()), failures });
    if (sc.name === 'par64') {
      await new Promise((r) => setTimeout(r, 300));
      for (const t of live) {
        const server = await requestParent<number>('pending', t.server).catch(() => NaN);
        result.pendingAfterPar64[t.id] = { client: clients.get(t.id)!.pending(), server };
      }
    }
  }
  for (const c of clients.values()) c.close();
  return result;
});
