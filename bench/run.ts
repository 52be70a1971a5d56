/**
 * Benchmark orchestrator: `npm run bench` (full, <= 15 min) and
 * `npm run bench:quick` (<= 2 min). See docs/benchmarks.md.
 *
 * It starts every server in its own process, runs the load in other
 * processes, and writes bench/results/<timestamp>.json and
 * bench/results/latest.md (one table, ratios measured in the same run).
 *
 * Flags: --quick, --reps N, --only interleaved,fanout,cluster,bundle,codec, --servers ours,go,sio,raw, --impl src|dist, --pairs ours/raw,raw/raw
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { PIN, runLoad, startPeer, type Peer } from './lib/proc.js';
import { processRssBytes, readSteal, stealPercent } from './lib/cpu.js';
import { machineInfo, versions } from './lib/sysinfo.js';
import { buildGoServer, clientAvailable, PAIRS, serverImpls, type ServerImpl, type ServerName } from './lib/impls.js';
import { bundleSizes } from './lib/bundle.js';
import { chooseImpl } from './lib/impl-source.js';
import { renderReport, type RunData } from './lib/report.js';
import type { InterleavedConfig, InterleavedResult } from './load/interleaved.js';
import type { FanoutConfig, FanoutResult, MemSample } from './load/fanout.js';
import { renderCluster, runCluster, spliceResults } from './cluster.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const only = flag('--only')?.split(',');
const enabled = (part: string): boolean => !only || only.includes(part);
const partial = only !== undefined || argv.includes('--servers') || argv.includes('--pairs');
const started = Date.now();
const DEADLINE_MS = quick ? 110_000 : 14 * 60_000;
const remaining = (): number => DEADLINE_MS - (Date.now() - started);
const log = (s: string): void => void process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(0)}s] ${s}\n`);

const plan = quick
  ? { reps: Number(flag('--reps') ?? 2), sizes: [1000], memAt: 1000, rounds: 40, budgetMs: 10_000, fanMsgs: { tick: 20, burst: 4, except: 20, rounds: 10 }, codecRounds: 3 }
  : { reps: Number(flag('--reps') ?? 5), sizes: [1000, 5000], memAt: 5000, rounds: 100, budgetMs: 60_000, fanMsgs: { tick: 60, burst: 10, except: 40, rounds: 30 }, codecRounds: 7 };

async function withServer<T>(impl: ServerImpl, fn: (peer: Peer) => Promise<T>): Promise<T> {
  const peer = await startPeer(impl.name, impl.argv);
  try {
    return await fn(peer);
  } finally {
    await peer.stop();
  }
}

async function memOf(impl: ServerImpl, peer: Peer): Promise<MemSample> {
  if (!impl.node) return { rss: processRssBytes(peer.pid), heap: NaN };
  const [, rss, heap] = (await peer.command('MEM', 'MEM ')).split(' ');
  return { rss: Number(rss), heap: Number(heap) };
}

async function runInterleaved(servers: ServerImpl[]): Promise<InterleavedResult | undefined> {
  const avail = new Map(servers.filter((s) => s.available).map((s) => [s.name, s]));
  const pick = flag('--pairs')?.split(',');
  const pairs = PAIRS.filter((p) => avail.has(p.server) && clientAvailable(p.client) && (!pick || pick.includes(p.id)));
  const peers = new Map<ServerName, Peer>();
  try {
    for (const name of new Set(pairs.map((p) => p.server))) {
      peers.set(name, await startPeer(name, avail.get(name)!.argv));
    }
    const config: InterleavedConfig = {
      targets: pairs.map((p) => ({ id: p.id, server: p.server, client: p.client, url: avail.get(p.server)!.url(peers.get(p.server)!.port), serverPid: peers.get(p.server)!.pid })),
      warmupOps: quick ? 200 : 500,
      scenarios: [
        { name: 'seq', block: 500, rounds: plan.rounds, budgetMs: plan.budgetMs },
        { name: 'par64', block: 2000, rounds: plan.rounds, budgetMs: plan.budgetMs },
        { name: 'churn', block: 500, rounds: Math.ceil(plan.rounds / 2), budgetMs: plan.budgetMs / 2 },
      ],
    };
    log(`interleaved: ${pairs.map((p) => p.id).join(', ')}`);
    const { result } = await runLoad<InterleavedResult>('bench/load/interleaved.ts', config, plan.budgetMs * 3 + 120_000, async (what, arg) => {
      if (what === 'pending') {
        const peer = peers.get(arg as ServerName)!;
        if (!avail.get(arg as ServerName)!.node) return NaN;
        return Number((await peer.command('PENDING', 'PENDING ')).split(' ')[1]);
      }
      return undefined;
    });
    return result;
  } finally {
    for (const p of peers.values()) await p.stop();
  }
}

async function runFanout(servers: ServerImpl[]): Promise<Record<string, Array<Partial<Record<ServerName, FanoutResult | { error: string }>>>>> {
  const impls = servers.filter((s) => s.available);
  const out: Record<string, Array<Partial<Record<ServerName, FanoutResult | { error: string }>>>> = {};
  for (const n of plan.sizes) {
    out[n] = [];
    for (let rep = 0; rep < plan.reps; rep++) {
      // A B B A: every other repetition runs the implementations in reverse order
      const order = rep % 2 === 0 ? impls : [...impls].reverse();
      const row: Partial<Record<ServerName, FanoutResult | { error: string }>> = {};
      const perTrial = n >= 5000 ? 40_000 : 15_000;
      if (rep >= 2 && remaining() < perTrial * impls.length * (plan.sizes.length - plan.sizes.indexOf(n))) {
        log(`fan-out ${n}: stopping after ${rep} repetitions (time budget)`);
        break;
      }
      for (const impl of order) {
        log(`fan-out ${n} clients, repetition ${rep + 1}/${plan.reps}: ${impl.name}`);
        try {
          row[impl.name] = await withServer(impl, async (peer) => {
            const cfg: FanoutConfig = {
              server: impl.name, protocol: impl.protocol, url: impl.url(peer.port), serverPid: peer.pid,
              clients: n, concurrency: 128, memory: n === plan.memAt, budgetMs: 10_000,
              messages: { tick: plan.fanMsgs.tick, burst: plan.fanMsgs.burst, except: plan.fanMsgs.except, rooms: plan.fanMsgs.rounds },
            };
            const { result } = await runLoad<FanoutResult>('bench/load/fanout.ts', cfg, 120_000, async (what) => (what === 'mem' ? memOf(impl, peer) : undefined));
            return result;
          });
        } catch (e) {
          row[impl.name] = { error: String(e instanceof Error ? e.message : e).slice(0, 400) };
          log(`  ${impl.name} failed: ${(row[impl.name] as { error: string }).error}`);
        }
      }
      out[n].push(row);
    }
  }
  return out;
}

function ensureBuilt(): string | undefined {
  if (existsSync('dist/browser/neffos.min.js')) return undefined;
  log('dist/ missing: running npm run build');
  const r = spawnSync('npm', ['run', 'build'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
  return r.status === 0 ? undefined : `npm run build failed: ${String(r.stderr).slice(-300)}`;
}

function runCodec(): string {
  try {
    return execFileSync('node', ['--import', 'tsx', 'bench/codec.ts', '--rounds', String(plan.codecRounds), '--ops', quick ? '100000' : '300000'], { encoding: 'utf8', timeout: 120_000 });
  } catch (e) {
    return `codec benchmark failed: ${String(e).slice(0, 300)}`;
  }
}

async function main(): Promise<void> {
  const buildError = ensureBuilt();
  const forced = flag('--impl');
  const code = forced === 'src' || forced === 'dist' ? { impl: forced, why: `${forced} (forced with --impl)` } : chooseImpl();
  process.env.NEFFOS_TS_IMPL = code.impl; // inherited by every peer and load process
  log(`neffos-ts code under test: ${code.why}`);
  log('building the Go neffos server (e2e/go/cmd/server)');
  const go = await buildGoServer();
  if ('error' in go) log(`Go server unavailable: ${go.error}`);
  const pick = flag('--servers')?.split(',');
  const servers = serverImpls(go).map((s) => (pick && !pick.includes(s.name) ? { ...s, available: false, reason: 'not selected (--servers)' } : s));
  for (const s of servers) if (!s.available) log(`skipping ${s.name}: ${s.reason}`);
  const steal0 = readSteal();
  const data: RunData = {
    quick, startedAt: new Date(started).toISOString(), machine: machineInfo(), versions: versions(),
    plan, skipped: Object.fromEntries(servers.filter((s) => !s.available).map((s) => [s.name, s.reason ?? ''])),
    buildError, code: code.why, pinned: PIN,
  };
  if (enabled('interleaved')) data.interleaved = await runInterleaved(servers).catch((e: unknown) => (log(`interleaved failed: ${String(e)}`), undefined));
  if (enabled('fanout')) data.fanout = await runFanout(servers);
  if (enabled('cluster')) {
    data.cluster = await runCluster({ quick, log }).catch((e: unknown) => (log(`cluster failed: ${String(e)}`), undefined));
  }
  if (enabled('bundle')) data.bundle = bundleSizes();
  if (enabled('codec')) {
    log('codec micro-benchmark');
    data.codec = runCodec();
  }
  data.stealPct = stealPercent(steal0, readSteal());
  data.durationS = (Date.now() - started) / 1000;
  const md = renderReport(data);
  mkdirSync('bench/results', { recursive: true });
  const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');
  writeFileSync(`bench/results/${stamp}.json`, JSON.stringify(data, null, 1));
  writeFileSync('bench/results/latest.md', md);
  if (!quick && !partial) copyFileSync('bench/results/latest.md', 'bench/results.md');
  else if (!quick && data.cluster) spliceResults(renderCluster(data.cluster).join('\n')); // a partial run updates the cluster section only
  process.stdout.write(md + '\n');
  log(`wrote bench/results/${stamp}.json and bench/results/latest.md in ${data.durationS.toFixed(0)} s`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
