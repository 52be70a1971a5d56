/**
 * Cluster benchmark (issue 14): two servers on one broker, side by side in one run.
 *
 * 1. Cross-server broadcast deliveries per second, 2 servers and 1,000 clients (500 each) on one
 *    Redis: neffos-ts (RedisStackExchange) vs socket.io with @socket.io/redis-adapter vs Go neffos
 *    (e2e/go/cmd/cluster on neffos's stackexchange/redis). Fresh servers, load and prefix for every
 *    trial; trials interleaved (A B C, C B A, …); ratios are medians of per-repetition ratios.
 * 2. Idle cost at 5,000 connected clients (2,500 per server): broker connections (Redis CLIENT LIST,
 *    NATS /connz) and server memory (RSS after a full GC for Node peers, RSS for Go), on Redis and NATS.
 *
 *   node --import tsx bench/cluster.ts [--quick] [--impls ours,sio,go] [--reps N] [--no-idle]
 *   (also part of `npm run bench`; `npm run bench:cluster`)
 *
 * Writes bench/results/cluster-latest.md and the "Cluster" section of bench/results.md.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { PIN, runLoad, startPeer, type Peer } from './lib/proc.js';
import { processRssBytes, readSteal, stealPercent } from './lib/cpu.js';
import { median } from './lib/stats.js';
import { brokerMissing, startBroker, type Broker, type BrokerKind } from '../test/scale/brokers.js';
import { buildGoBinaries } from '../test/interop/go-harness.js';
import { chooseImpl } from './lib/impl-source.js';
import type { ClusterLoadConfig, ClusterLoadResult } from './load/cluster.js';

export type ClusterImpl = 'ours' | 'sio' | 'go';
const LABEL: Record<ClusterImpl, string> = {
  ours: 'neffos-ts + RedisStackExchange',
  sio: 'socket.io + @socket.io/redis-adapter',
  go: 'Go neffos + stackexchange/redis',
};

export interface IdleRow {
  impl: ClusterImpl;
  broker: BrokerKind;
  clients: number;
  brokerConnsBase: number;
  brokerConns: number;
  rssBase: number[];
  rss: number[];
  heap?: number[];
  error?: string;
}

export interface ClusterData {
  quick: boolean;
  clients: number;
  sendMs: number;
  window: number;
  trials: Array<Partial<Record<ClusterImpl, ClusterLoadResult | { error: string }>>>;
  idle: IdleRow[];
  skipped: string[];
  durationS: number;
  /** CPU steal during the throughput trials (a noisy host shows here). */
  stealPct?: number;
  /** Which neffos-ts code ran (NEFFOS_TS_IMPL). */
  code?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function argvOf(impl: ClusterImpl, broker: Broker, prefix: string, goBin: string | undefined): string[] {
  const node = ['node', '--expose-gc', '--import', 'tsx'];
  const flag = broker.kind === 'redis' ? '--redis' : '--nats';
  if (impl === 'ours') return [...node, 'bench/peers/cluster-ours.ts', flag, broker.url, '--prefix', prefix];
  if (impl === 'sio') return [...node, 'bench/peers/cluster-sio.ts', '--redis', broker.url];
  const b = broker.kind === 'redis' ? ['-redis', `127.0.0.1:${broker.port}`] : ['-nats', broker.url];
  return [goBin!, '-addr', '127.0.0.1:0', ...b, '-prefix', prefix];
}

const urlOf = (impl: ClusterImpl, port: number) => (impl === 'sio' ? `http://127.0.0.1:${port}` : `ws://127.0.0.1:${port}/ws`);

async function brokerConnections(broker: Broker): Promise<number> {
  if (broker.kind === 'redis') {
    const probe = new Redis(broker.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await probe.connect();
      const list = String(await probe.client('LIST')).trim().split('\n').filter((l) => l.length > 0);
      return list.length - 1; // not the probe itself
    } finally {
      probe.disconnect();
    }
  }
  const r = await fetch(`http://127.0.0.1:${broker.monitorPort}/connz?limit=1`);
  return ((await r.json()) as { total: number }).total;
}

async function rssOf(impl: ClusterImpl, peer: Peer): Promise<{ rss: number; heap?: number }> {
  if (impl === 'go') return { rss: processRssBytes(peer.pid) };
  const [, , heap] = (await peer.command('MEM', 'MEM ')).split(' ');
  return { rss: processRssBytes(peer.pid), heap: Number(heap) };
}

async function withPair<T>(impl: ClusterImpl, broker: Broker, prefix: string, goBin: string | undefined, fn: (peers: [Peer, Peer]) => Promise<T>): Promise<T> {
  const a = await startPeer(`${impl}-1`, argvOf(impl, broker, prefix, goBin));
  let b: Peer | undefined;
  try {
    b = await startPeer(`${impl}-2`, argvOf(impl, broker, prefix, goBin));
    return await fn([a, b]);
  } finally {
    await b?.stop();
    await a.stop();
  }
}

export async function runCluster(opts: { quick: boolean; log: (s: string) => void; impls?: ClusterImpl[]; reps?: number; idle?: boolean }): Promise<ClusterData> {
  const started = Date.now();
  const { quick, log } = opts;
  const reps = opts.reps ?? (quick ? 1 : 6);
  const clients = 1000;
  const idleClients = quick ? 1000 : 5000;
  const sendMs = quick ? 2000 : 3000;
  const window = 32;
  const data: ClusterData = { quick, clients, sendMs, window, trials: [], idle: [], skipped: [], durationS: 0, code: process.env.NEFFOS_TS_IMPL === 'dist' ? 'built dist/esm' : 'TypeScript source through tsx' };
  const missing = brokerMissing('redis');
  if (missing) {
    data.skipped.push(missing);
    return data;
  }
  const build = await buildGoBinaries();
  const goBin = 'skipped' in build ? undefined : build.cluster;
  const impls: ClusterImpl[] = (goBin ? ['ours', 'sio', 'go'] as ClusterImpl[] : ['ours', 'sio'] as ClusterImpl[]).filter((i) => !opts.impls || opts.impls.includes(i));
  if (!goBin) data.skipped.push(`Go neffos: ${(build as { skipped: string }).skipped}`);

  // The broker shares CPU 0 with the load process (servers: CPU 1) when pinned.
  const redis = await startBroker('redis', { cpu: PIN ? 0 : undefined });
  let trial = 0;
  const steal0 = readSteal();
  try {
    for (let rep = 0; rep < reps; rep++) {
      const order = rep % 2 === 0 ? impls : [...impls].reverse();
      const row: Partial<Record<ClusterImpl, ClusterLoadResult | { error: string }>> = {};
      for (const impl of order) {
        log(`cluster throughput, ${clients} clients on 2 servers, repetition ${rep + 1}/${reps}: ${impl}`);
        const prefix = `bench${trial++}`;
        try {
          row[impl] = await withPair(impl, redis, prefix, goBin, async ([a, b]) => {
            const cfg: ClusterLoadConfig = {
              mode: 'throughput', protocol: impl === 'sio' ? 'sio' : 'neffos', urls: [urlOf(impl, a.port), urlOf(impl, b.port)], pids: [a.pid, b.pid],
              clients, concurrency: 100, sendMs, window, drainMs: 5000,
            };
            return (await runLoad<ClusterLoadResult>('bench/load/cluster.ts', cfg, 90_000)).result;
          });
        } catch (e) {
          row[impl] = { error: String(e instanceof Error ? e.message : e).slice(0, 400) };
          log(`  ${impl} failed: ${(row[impl] as { error: string }).error}`);
        }
      }
      data.trials.push(row);
    }
    data.stealPct = stealPercent(steal0, readSteal());

    if (opts.idle === false) return data;
    const nats = brokerMissing('nats') ? undefined : await startBroker('nats', { monitor: true, cpu: PIN ? 0 : undefined });
    if (!nats) data.skipped.push(brokerMissing('nats')!);
    try {
      const idlePlan: Array<[ClusterImpl, Broker]> = impls.map((i) => [i, redis] as [ClusterImpl, Broker]);
      if (nats) for (const i of impls) if (i !== 'sio') idlePlan.push([i, nats]);
      for (const [impl, broker] of idlePlan) {
        log(`cluster idle cost, ${idleClients} clients on 2 servers over ${broker.kind}: ${impl}`);
        const prefix = `idle${trial++}`;
        const row: IdleRow = { impl, broker: broker.kind, clients: idleClients, brokerConnsBase: NaN, brokerConns: NaN, rssBase: [], rss: [] };
        try {
          await sleep(300); // connections of the previous trial gone
          await withPair(impl, broker, prefix, goBin, async (peers) => {
            await sleep(300);
            row.brokerConnsBase = await brokerConnections(broker);
            for (const p of peers) row.rssBase.push((await rssOf(impl, p)).rss);
            const cfg: ClusterLoadConfig = {
              mode: 'idle', protocol: impl === 'sio' ? 'sio' : 'neffos', urls: [urlOf(impl, peers[0].port), urlOf(impl, peers[1].port)], pids: [peers[0].pid, peers[1].pid],
              clients: idleClients, concurrency: 100, sendMs: 0, window: 0, drainMs: 0,
            };
            const { result } = await runLoad<ClusterLoadResult>('bench/load/cluster.ts', cfg, 120_000, async (what) => {
              if (what !== 'measure') return undefined;
              row.brokerConns = await brokerConnections(broker);
              const heaps: number[] = [];
              for (const p of peers) {
                const m = await rssOf(impl, p);
                row.rss.push(m.rss);
                if (m.heap !== undefined) heaps.push(m.heap);
              }
              if (heaps.length) row.heap = heaps;
              return true;
            });
            if (result.failures > 0) row.error = `${result.failures} connections failed: ${result.firstError}`;
          });
        } catch (e) {
          row.error = String(e instanceof Error ? e.message : e).slice(0, 400);
          log(`  ${impl} failed: ${row.error}`);
        }
        data.idle.push(row);
      }
    } finally {
      await nats?.stop();
    }
  } finally {
    await redis.stop();
  }
  data.durationS = (Date.now() - started) / 1000;
  return data;
}

const fmtInt = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '–' : Math.round(n).toLocaleString('en-US'));
const mb = (b: number) => (Number.isFinite(b) ? (b / 1048576).toFixed(1) : '–');

function ok(r: ClusterLoadResult | { error: string } | undefined): ClusterLoadResult | undefined {
  return r && !('error' in r) && r.crossPerSec !== undefined ? r : undefined;
}

/** The markdown section. */
export function renderCluster(d: ClusterData): string[] {
  const out: string[] = ['## Cluster: two servers on one broker (bench/cluster.ts)', ''];
  out.push(`Run ${d.quick ? '(quick) ' : ''}in ${d.durationS.toFixed(0)} s; neffos-ts code: ${d.code ?? '?'}. Throughput: ${d.clients.toLocaleString('en-US')} raw-ws receivers split over 2 servers on one redis-server; one sender on server 1 triggers namespace broadcasts (\`chatAll\`, everyone), ${d.window} messages in flight, ${d.sendMs / 1000} s per trial; deliveries/s counts what the ${d.clients / 2} receivers on server 2 got (cross-server), until the last delivery. Fresh servers, load process and prefix per trial; implementations interleaved (A B C, C B A, …): on a shared host whole trials run slow now and then, so the per-trial ratios (same repetition) are the figures to read${d.stealPct !== undefined ? `; CPU steal during the trials ${d.stealPct.toFixed(1)} %` : ''}. Pinning (bench/lib/proc.ts, off with BENCH_PIN=0): both servers on CPU 1, the load process and the broker on CPU 0.`, '');
  if (d.skipped.length) out.push(...d.skipped.map((s) => `- skipped: ${s}`), '');
  const impls = (['ours', 'sio', 'go'] as ClusterImpl[]).filter((i) => d.trials.some((t) => t[i]));
  if (d.trials.length) {
    out.push('| implementation | cross-server deliveries/s (median) | trials | server CPU µs per delivery (both servers, all deliveries) | load process busy | lost | reordered |', '|---|---:|---|---:|---:|---:|---:|');
    for (const i of impls) {
      const rs = d.trials.map((t) => ok(t[i]));
      const vals = rs.filter((r): r is ClusterLoadResult => r !== undefined).map((r) => r.crossPerSec!);
      const errs = d.trials.map((t) => t[i]).filter((r) => r && 'error' in r) as Array<{ error: string }>;
      const good = rs.filter((r): r is ClusterLoadResult => r !== undefined);
      const cpu = median(good.map((r) => r.serverCpuUsPerDelivery ?? NaN));
      const busy = median(good.map((r) => r.clientBusy ?? NaN));
      out.push(`| ${LABEL[i]} | ${fmtInt(median(vals))} | ${vals.map(fmtInt).join(', ')}${errs.length ? ` (${errs.length} failed: ${errs[0].error.slice(0, 80)})` : ''} | ${Number.isFinite(cpu) ? cpu.toFixed(2) : '–'} | ${Number.isFinite(busy) ? Math.round(busy * 100) + ' %' : '–'}${busy >= 0.9 ? ' (client-bound)' : ''} | ${fmtInt(good.reduce((s, r) => s + (r.lost ?? 0), 0))} | ${fmtInt(good.reduce((s, r) => s + (r.seqErrors ?? 0), 0))} |`);
    }
    out.push('');
    const ratio = (a: ClusterImpl, b: ClusterImpl) => {
      const per = d.trials.map((t) => [ok(t[a]), ok(t[b])]).filter(([x, y]) => x && y).map(([x, y]) => x!.crossPerSec! / y!.crossPerSec!);
      return per.length ? `${median(per).toFixed(2)}x (per trial: ${per.map((p) => p.toFixed(2)).join(', ')})` : '–';
    };
    out.push('| ratio | measured | target |', '|---|---:|---|');
    if (impls.includes('sio')) out.push(`| neffos-ts vs socket.io + redis-adapter | ${ratio('ours', 'sio')} | >= 1.5x |`);
    if (impls.includes('go')) out.push(`| neffos-ts vs Go neffos | ${ratio('ours', 'go')} | >= 1.0x |`);
    out.push('');
  }
  if (d.idle.length) {
    out.push(`Idle cost: ${d.idle[0].clients.toLocaleString('en-US')} clients connected (namespace \`default\`), half on each of the 2 servers. Broker connections counted by the broker (Redis \`CLIENT LIST\`, NATS \`/connz\`), without the probe; memory is each server's RSS (Node: after a full GC; heap = V8 heapUsed).`, '');
    out.push('| implementation | broker | broker connections, 0 clients → with clients | server RSS MB (2 servers), 0 clients → with clients | RSS per connection | Node heap MB |', '|---|---|---:|---:|---:|---:|');
    for (const r of d.idle) {
      const label = r.broker === 'nats' ? LABEL[r.impl].replace('redis', 'nats').replace('RedisStackExchange', 'NatsStackExchange') : LABEL[r.impl];
      if (r.error && r.rss.length === 0) {
        out.push(`| ${label} | ${r.broker} | failed: ${r.error.slice(0, 100)} | | | |`);
        continue;
      }
      const sum = (a: number[]) => a.reduce((s, x) => s + x, 0);
      const per = (sum(r.rss) - sum(r.rssBase)) / r.clients;
      out.push(`| ${label} | ${r.broker} | ${fmtInt(r.brokerConnsBase)} → ${fmtInt(r.brokerConns)} | ${r.rssBase.map(mb).join(' + ')} → ${r.rss.map(mb).join(' + ')} | ${(per / 1024).toFixed(1)} KiB | ${r.heap ? r.heap.map(mb).join(' + ') : '–'} |${r.error ? ` (${r.error.slice(0, 80)})` : ''}`);
    }
    out.push('');
  }
  return out;
}

const START = '<!-- cluster:start -->';
const END = '<!-- cluster:end -->';

/** Puts the section into bench/results.md between the cluster markers (appended the first time). */
export function spliceResults(md: string, file = 'bench/results.md'): void {
  const block = `${START}\n${md.trim()}\n${END}`;
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# neffos-ts benchmarks\n';
  const i = old.indexOf(START);
  const j = old.indexOf(END);
  const next = i >= 0 && j > i ? old.slice(0, i) + block + old.slice(j + END.length) : old.trimEnd() + '\n\n' + block + '\n';
  writeFileSync(file, next);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quick = process.argv.includes('--quick');
  const t0 = Date.now();
  const log = (s: string) => void process.stderr.write(`[cluster +${((Date.now() - t0) / 1000).toFixed(0)}s] ${s}\n`);
  const code = chooseImpl();
  process.env.NEFFOS_TS_IMPL ??= code.impl;
  log(`neffos-ts code under test: ${code.why}`);
  const flag = (n: string) => {
    const i = process.argv.indexOf(n);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const d = await runCluster({
    quick, log, impls: flag('--impls')?.split(',') as ClusterImpl[] | undefined,
    reps: flag('--reps') ? Number(flag('--reps')) : undefined, idle: !process.argv.includes('--no-idle'),
  });
  const md = renderCluster(d).join('\n');
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/cluster-latest.md', md + '\n');
  writeFileSync(`bench/results/cluster-${new Date(t0).toISOString().replace(/[:.]/g, '-')}.json`, JSON.stringify(d, null, 1));
  if (!quick && !process.argv.some((a) => ['--impls', '--reps', '--no-idle'].includes(a))) spliceResults(md);
  process.stdout.write(md + '\n');
}
