/**
 * Turns one run's raw data into the markdown report: machine and versions,
 * the interleaved echo table, the fan-out/storm/memory table, paired ratios,
 * bundle sizes, the codec output, and every issue-6 and issue-16 target with met/missed.
 */
import type { InterleavedResult, ScenarioName } from '../load/interleaved.js';
import type { FanoutMode, FanoutResult } from '../load/fanout.js';
import type { MachineInfo, Versions } from './sysinfo.js';
import type { BundleSize } from './bundle.js';
import { PAIRS, type ServerName } from './impls.js';
import { fmt, fmtSpread, median, spread, type Spread } from './stats.js';
import { renderCluster, type ClusterData } from '../cluster.js';

export type FanoutData = Record<string, Array<Partial<Record<ServerName, FanoutResult | { error: string }>>>>;

export interface RunData {
  quick: boolean;
  startedAt: string;
  machine: MachineInfo;
  versions: Versions;
  plan: { reps: number; sizes: number[]; memAt: number; rounds: number };
  skipped: Record<string, string>;
  buildError?: string;
  /** Which neffos-ts code ran (built dist/esm or the source through tsx). */
  code?: string;
  /** Load pinned to CPU 0 and servers to CPU 1 (taskset). */
  pinned?: boolean;
  interleaved?: InterleavedResult;
  fanout?: FanoutData;
  bundle?: BundleSize[];
  codec?: string;
  stealPct?: number;
  durationS?: number;
  targets?: Target[];
  /** The issue-16 targets (round two). */
  targets16?: Target[];
  cluster?: ClusterData;
}

export interface Target { name: string; measured: string; ratio: number; goal: string; status: 'met' | 'MISSED' | 'n/a' }

const SCEN_LABEL: Record<ScenarioName, string> = { seq: 'echo ask, sequential (1 conn, 32 B)', par64: 'echo ask, 64 in flight', churn: 'room join+leave churn (ops = join or leave)' };
const CLIENT_BOUND = 0.9;

type BlockKey = 'opsPerSec' | 'serverCpuNsPerOp' | 'clientCpuNsPerOp' | 'clientBusy' | 'p50us' | 'p99us' | 'p999us';

function scenario(d: RunData, name: ScenarioName) {
  return d.interleaved?.scenarios.find((s) => s.name === name);
}

function pairMedian(d: RunData, name: ScenarioName, id: string, key: BlockKey): number {
  const s = scenario(d, name);
  return median((s?.rounds ?? []).map((r) => r[id]?.[key]).filter((v): v is number => v !== undefined));
}

/** Median of per-round ratios a/b of `key` (rounds where both ran). */
export function roundRatio(d: RunData, name: ScenarioName, a: string, b: string, key: BlockKey): Spread {
  const s = scenario(d, name);
  return spread((s?.rounds ?? []).filter((r) => r[a] && r[b]).map((r) => (r[a][key] ?? NaN) / (r[b][key] ?? NaN)));
}

function isResult(x: FanoutResult | { error: string } | undefined): x is FanoutResult {
  return x !== undefined && !('error' in x);
}

function fanVals(d: RunData, n: string, server: ServerName, get: (r: FanoutResult) => number | undefined): number[] {
  return (d.fanout?.[n] ?? []).map((row) => row[server]).filter(isResult).map(get).filter((v): v is number => v !== undefined && Number.isFinite(v));
}

/** Paired ratio per repetition (same repetition = adjacent trials), summarised. */
export function repRatio(d: RunData, n: string, a: ServerName, b: ServerName, get: (r: FanoutResult) => number | undefined): Spread {
  const vals = (d.fanout?.[n] ?? []).map((row) => {
    const x = row[a];
    const y = row[b];
    if (!isResult(x) || !isResult(y)) return NaN;
    const vx = get(x);
    const vy = get(y);
    return vx !== undefined && vy !== undefined ? vx / vy : NaN;
  });
  return spread(vals);
}

const mode = (m: FanoutMode) => (r: FanoutResult): number | undefined => r.modes[m]?.deliveriesPerSec;

function target(name: string, s: Spread | number, goal: string, ok: (v: number) => boolean, unit = 'x'): Target {
  const v = typeof s === 'number' ? s : s.median;
  const measured = typeof s === 'number' ? `${fmt(s)}${unit === 'x' ? 'x' : ' ' + unit}` : Number.isFinite(s.median) ? `${fmtSpread(s)}x` : 'n/a';
  return { name, measured, ratio: v, goal, status: Number.isFinite(v) ? (ok(v) ? 'met' : 'MISSED') : 'n/a' };
}

/** Issue 16 (performance, round two): the same data against the stricter goals. */
export function computeTargets16(d: RunData): Target[] {
  const t: Target[] = [];
  if (d.interleaved) {
    t.push(target('echo sequential: ours/ours vs raw ws', roundRatio(d, 'seq', 'ours/ours', 'raw/raw', 'opsPerSec'), '>= 0.95x', (v) => v >= 0.95));
    t.push(target('echo sequential: ours server vs Go neffos (both with our client)', roundRatio(d, 'seq', 'ours/ours', 'go/ours', 'opsPerSec'), '>= 1.0x', (v) => v >= 1.0));
    t.push(target('echo sequential: p99 latency ours/ours vs raw ws', roundRatio(d, 'seq', 'ours/ours', 'raw/raw', 'p99us'), '<= 1.2x', (v) => v <= 1.2));
    t.push(target('echo 64 in flight: ours/ours vs raw ws', roundRatio(d, 'par64', 'ours/ours', 'raw/raw', 'opsPerSec'), '>= 0.90x', (v) => v >= 0.9));
    t.push(target('echo 64 in flight: ours server vs Go neffos (both with our client)', roundRatio(d, 'par64', 'ours/ours', 'go/ours', 'opsPerSec'), '>= 1.0x', (v) => v >= 1.0));
    t.push(target('client CPU per ask (64 in flight): ours vs raw ws client, both against the raw ws server', roundRatio(d, 'par64', 'raw/ours', 'raw/raw', 'clientCpuNsPerOp'), '<= 1.10x', (v) => v <= 1.1));
    for (const sc of ['seq', 'par64'] as ScenarioName[]) {
      t.push(target(`server CPU per message (${sc === 'seq' ? 'sequential' : '64 in flight'}): ours vs raw ws server, whole process, both driven by the raw ws client`, roundRatio(d, sc, 'ours/raw', 'raw/raw', 'serverCpuNsPerOp'), '<= 1.10x', (v) => v <= 1.1));
    }
  }
  for (const n of Object.keys(d.fanout ?? {})) {
    t.push(target(`fan-out ${n}, one message per tick: ours vs raw ws`, repRatio(d, n, 'ours', 'raw', mode('tick')), '>= 1.0x', (v) => v >= 1.0));
    t.push(target(`fan-out ${n}, one message per tick: ours vs socket.io`, repRatio(d, n, 'ours', 'sio', mode('tick')), '>= 1.3x', (v) => v >= 1.3));
    t.push(target(`fan-out ${n}, one message per tick: server CPU per delivery ours vs raw ws`, repRatio(d, n, 'ours', 'raw', (r) => r.modes.tick?.serverCpuNsPerDelivery), '<= 1.05x', (v) => v <= 1.05));
    t.push(target(`fan-out ${n}, bursts of 10 per tick: ours vs socket.io`, repRatio(d, n, 'ours', 'sio', mode('burst')), '>= 3x', (v) => v >= 3));
    if (Number(n) === d.plan.memAt) {
      const rss = median(fanVals(d, n, 'ours', (r) => r.memory?.rssPerConn));
      const heap = median(fanVals(d, n, 'ours', (r) => r.memory?.heapPerConn));
      t.push(target(`idle memory at ${n} connections: RSS per connection (ours)`, rss / 1024, '<= 9 KB', (v) => v <= 9, 'KB'));
      t.push(target(`idle memory at ${n} connections: heap per connection (ours)`, heap / 1024, '<= 3.5 KB', (v) => v <= 3.5, 'KB'));
    }
  }
  const b = d.bundle?.find((x) => x.name.startsWith('neffos-ts'));
  if (b) t.push(target('browser client min+gzip (dist/browser/neffos.min.js)', b.gzip, '<= 5,000 B', (v) => v <= 5000, 'B'));
  return t;
}

export function computeTargets(d: RunData): Target[] {
  const t: Target[] = [];
  if (d.interleaved) {
    for (const sc of ['seq', 'par64'] as ScenarioName[]) {
      const label = sc === 'seq' ? 'sequential' : '64 in flight';
      t.push(target(`echo ${label}: ours/ours vs raw ws`, roundRatio(d, sc, 'ours/ours', 'raw/raw', 'opsPerSec'), '>= 0.90x', (v) => v >= 0.9));
      t.push(target(`echo ${label}: ours/ours vs socket.io`, roundRatio(d, sc, 'ours/ours', 'sio/sio', 'opsPerSec'), '>= 1.5x', (v) => v >= 1.5));
      t.push(target(`echo ${label}: ours server vs Go neffos (both with our client)`, roundRatio(d, sc, 'ours/ours', 'go/ours', 'opsPerSec'), '>= 1.0x', (v) => v >= 1.0));
      // CPU targets compare one side with the other side held equal (a slower peer changes batching, hence CPU per op)
      t.push(target(`server CPU per ask (${label}): ours vs raw ws server, both driven by the raw ws client`, roundRatio(d, sc, 'ours/raw', 'raw/raw', 'serverCpuNsPerOp'), '<= 1.15x', (v) => v <= 1.15));
      t.push(target(`client CPU per ask (${label}): ours vs raw ws client, both against the raw ws server`, roundRatio(d, sc, 'raw/ours', 'raw/raw', 'clientCpuNsPerOp'), '<= 1.10x', (v) => v <= 1.1));
    }
    const pend = d.interleaved.pendingAfterPar64;
    // only our side counts: neffos.js never frees its waitingMessages entries (reported in the table)
    const ours: string[] = [];
    let total = 0;
    for (const [id, p] of Object.entries(pend)) {
      const [server, client] = id.split('/');
      // null/NaN = not observable (e.g. the server's pending table was renamed): shown, not counted
      const count = (label: string, v: number | null): void => {
        ours.push(`${id} ${label} ${Number.isFinite(v) ? v : 'n/a'}`);
        if (typeof v === 'number' && Number.isFinite(v)) total += v;
      };
      if (client === 'ours') count('client', p.client);
      if (server === 'ours') count('server', p.server);
    }
    t.push({ name: 'pending asks after 64-in-flight (our client and our server, every pair)', measured: ours.join('; ') || 'n/a', ratio: total, goal: '0', status: ours.length ? (total === 0 ? 'met' : 'MISSED') : 'n/a' });
  }
  for (const n of Object.keys(d.fanout ?? {})) {
    t.push(target(`fan-out ${n}, one message per tick: ours vs raw ws`, repRatio(d, n, 'ours', 'raw', mode('tick')), '>= 0.90x', (v) => v >= 0.9));
    t.push(target(`fan-out ${n}, one message per tick: ours vs socket.io`, repRatio(d, n, 'ours', 'sio', mode('tick')), '>= 1.2x', (v) => v >= 1.2));
    t.push(target(`fan-out ${n}, bursts of 10 per tick: ours vs socket.io`, repRatio(d, n, 'ours', 'sio', mode('burst')), '>= 3x', (v) => v >= 3));
    const seq = fanVals(d, n, 'ours', (r) => r.seqErrors).reduce((a, b) => a + b, 0);
    if (fanVals(d, n, 'ours', (r) => r.seqErrors).length) t.push({ name: `fan-out ${n}: messages reordered (ours)`, measured: String(seq), ratio: seq, goal: '0', status: seq === 0 ? 'met' : 'MISSED' });
    if (Number(n) === d.plan.memAt) {
      const rss = median(fanVals(d, n, 'ours', (r) => r.memory?.rssPerConn));
      t.push(target(`idle memory at ${n} connections: RSS per connection (ours)`, rss / 1024, '<= 10 KB', (v) => v <= 10, 'KB'));
      t.push(target(`connect storm ${n}: time ours vs raw ws`, repRatio(d, n, 'ours', 'raw', (r) => r.storm.ms), '<= 1.2x', (v) => v <= 1.2));
      const fails = fanVals(d, n, 'ours', (r) => r.storm.failures);
      const f = fails.reduce((a, b) => a + b, 0);
      t.push({ name: `connect storm ${n}: failures (ours, all repetitions)`, measured: fails.length ? String(f) : 'n/a', ratio: f, goal: '0', status: fails.length ? (f === 0 ? 'met' : 'MISSED') : 'n/a' });
    }
  }
  const b = d.bundle?.find((x) => x.name.startsWith('neffos-ts'));
  if (b) t.push(target('browser client min+gzip (dist/browser/neffos.min.js)', b.gzip, '<= 5 kB (5,000 B; neffos.js 0.1.34: 4,759 B)', (v) => v <= 5000, 'B'));
  return t;
}

function interleavedTables(d: RunData): string[] {
  const out: string[] = [];
  const il = d.interleaved!;
  const ids = PAIRS.map((p) => p.id).filter((id) => il.scenarios.some((s) => s.rounds.some((r) => r[id])));
  for (const s of il.scenarios) {
    out.push(`### ${SCEN_LABEL[s.name]} — ${s.rounds.length} rounds, steal ${fmt(s.stealPct, 1)}%`, '');
    const seq = s.name === 'seq';
    out.push(`| server / client | ops/s (median) | vs raw ws (p25–p75) | server CPU µs/op | client CPU µs/op | load CPU busy |${seq ? ' latency p50 / p99 / p99.9 µs |' : ''}`, `|---|---:|---:|---:|---:|---:|${seq ? '---:|' : ''}`);
    for (const id of ids) {
      const busy = pairMedian(d, s.name, id, 'clientBusy');
      const latency = seq ? ` ${fmt(pairMedian(d, s.name, id, 'p50us'), 0)} / ${fmt(pairMedian(d, s.name, id, 'p99us'), 0)} / ${fmt(pairMedian(d, s.name, id, 'p999us'), 0)} |` : '';
      out.push(`| ${PAIRS.find((p) => p.id === id)!.label} | ${fmt(pairMedian(d, s.name, id, 'opsPerSec'), 0)} | ${fmtSpread(roundRatio(d, s.name, id, 'raw/raw', 'opsPerSec'))} | ${fmt(pairMedian(d, s.name, id, 'serverCpuNsPerOp') / 1000)} | ${fmt(pairMedian(d, s.name, id, 'clientCpuNsPerOp') / 1000)} | ${fmt(busy * 100, 0)}%${busy >= CLIENT_BOUND ? ' client-bound' : ''} |${latency}`);
    }
    for (const [id, why] of Object.entries(s.failures)) out.push(`\nFailed: ${id}: ${why}`);
    out.push('');
  }
  if (Object.keys(il.connectErrors).length) out.push(`Could not connect: ${Object.entries(il.connectErrors).map(([k, v]) => `${k} (${v})`).join('; ')}`, '');
  out.push('Requests still pending at the end of the 64-in-flight scenario (neffos.js never deletes answered asks from its `waitingMessages` map): ' + Object.entries(il.pendingAfterPar64).map(([id, p]) => `${id} client ${p.client} / server ${Number.isFinite(p.server) ? p.server : 'n/a'}`).join('; '), '');
  return out;
}

function fanoutTables(d: RunData): string[] {
  const out: string[] = [];
  const servers: ServerName[] = ['ours', 'go', 'sio', 'raw'];
  const label: Record<ServerName, string> = { ours: 'neffos-ts', go: 'Go neffos', sio: 'socket.io', raw: 'raw ws (ceiling)' };
  for (const [n, rows] of Object.entries(d.fanout ?? {})) {
    out.push(`### ${n} clients — ${rows.length} repetitions (A B B A, fresh processes), medians`, '');
    out.push('| server | tick deliveries/s | burst ×10 deliveries/s | except-sender deliveries/s | 10 rooms deliveries/s | server CPU ns/delivery (tick / burst) | connect storm ms (failures) | RSS / heap per idle conn | load busy (tick) |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const s of servers) {
      const ok = fanVals(d, n, s, () => 1).length;
      const errs = rows.map((r) => r[s]).filter((x): x is { error: string } => x !== undefined && 'error' in x);
      if (!ok) {
        if (errs.length) out.push(`| ${label[s]} | failed: ${errs[0].error.slice(0, 120)} | | | | | | | |`);
        continue;
      }
      const m = (f: (r: FanoutResult) => number | undefined, digits = 0): string => fmt(median(fanVals(d, n, s, f)), digits);
      const fails = fanVals(d, n, s, (r) => r.storm.failures).reduce((a, b) => a + b, 0);
      const busy = median(fanVals(d, n, s, (r) => r.modes.tick?.clientBusy));
      const modeErr = rows.map((r) => r[s]).filter(isResult).flatMap((r) => Object.entries(r.modes).filter(([, v]) => v?.error).map(([k, v]) => `${k}: ${v!.error}`));
      out.push(`| ${label[s]}${errs.length ? ` (${errs.length} failed trials)` : ''}${modeErr.length ? ` (${modeErr[0]})` : ''} | ${m(mode('tick'))} | ${m(mode('burst'))} | ${m(mode('except'))} | ${m(mode('rooms'))} | ${m((r) => r.modes.tick?.serverCpuNsPerDelivery)} / ${m((r) => r.modes.burst?.serverCpuNsPerDelivery)} | ${m((r) => r.storm.ms)} (${fails}) | ${Number(n) === d.plan.memAt ? `${m((r) => (typeof r.memory?.rssPerConn === 'number' ? r.memory.rssPerConn / 1024 : undefined), 1)} KB / ${m((r) => (typeof r.memory?.heapPerConn === 'number' ? r.memory.heapPerConn / 1024 : undefined), 1)} KB` : '—'} | ${fmt(busy * 100, 0)}%${busy >= CLIENT_BOUND ? ' client-bound' : ''} |`.replace(/n\/a KB/g, 'n/a'));
    }
    out.push('', `Paired ratios for ${n} clients (median of per-repetition ratios, p25–p75):`, '');
    out.push('| ratio | tick | burst ×10 | except-sender | 10 rooms | connect storm time | server CPU/delivery (tick) |', '|---|---:|---:|---:|---:|---:|---:|');
    for (const [a, b] of [['ours', 'raw'], ['ours', 'sio'], ['ours', 'go'], ['go', 'raw'], ['sio', 'raw']] as Array<[ServerName, ServerName]>) {
      const r = (f: (x: FanoutResult) => number | undefined): string => fmtSpread(repRatio(d, n, a, b, f));
      out.push(`| ${label[a]} ÷ ${label[b]} | ${r(mode('tick'))} | ${r(mode('burst'))} | ${r(mode('except'))} | ${r(mode('rooms'))} | ${r((x) => x.storm.ms)} | ${r((x) => x.modes.tick?.serverCpuNsPerDelivery)} |`);
    }
    out.push('');
  }
  return out;
}

export function renderReport(d: RunData): string {
  d.targets = computeTargets(d);
  d.targets16 = computeTargets16(d);
  const v = d.versions;
  const out: string[] = [
    `# neffos-ts benchmarks${d.quick ? ' (QUICK MODE: fewer rounds/repetitions, 1,000 clients only — not the reference figures)' : ''}`,
    '',
    `Run ${d.startedAt}, ${fmt(d.durationS, 0)} s. Machine: ${d.machine.cores} cores, ${d.machine.model}, ${d.machine.memoryGiB} GiB RAM, ${d.machine.kernel}, fd limit per process ${d.machine.fdLimit}. CPU steal during the run: ${fmt(d.stealPct, 1)}%.`,
    '',
    `Versions: node ${v.node}, ws ${v.ws}, socket.io ${v.socketIo} / socket.io-client ${v.socketIoClient}, neffos.js ${v.neffosJs}, Go ${v.go} with neffos ${v.goNeffos}; git ${v.gitCommit}${v.gitDirty ? ' (with uncommitted changes)' : ''}.`,
    '',
    `neffos-ts code under test: ${d.code ?? 'source'}. CPU pinning: ${d.pinned ? 'load on CPU 0, every server on CPU 1 (taskset)' : 'off'}.`,
    '',
    `Method: see docs/benchmarks.md. Echo scenarios interleave every pair in one load process (blocks rotated every round; ratios are medians of per-round ratios with p25–p75). Fan-out, storm and memory trials use fresh server and load processes in A B B A order (${d.plan.reps} repetitions planned). "client-bound" marks a load process using ≥ ${CLIENT_BOUND * 100}% of a core.`,
    '',
  ];
  for (const [k, why] of Object.entries(d.skipped)) out.push(`Skipped ${k}: ${why}.`, '');
  const needFds = Math.max(...d.plan.sizes) + 200;
  if (Number(d.machine.fdLimit) < needFds) out.push(`WARNING: the fd limit could only be raised to ${d.machine.fdLimit}; ${needFds} are needed per process for ${Math.max(...d.plan.sizes)} sockets.`, '');
  if (d.buildError) out.push(`Build: ${d.buildError}`, '');
  if (d.targets16?.length) {
    out.push('## Targets (issue 16, round two)', '', '| target | measured (median, p25–p75) | goal | status |', '|---|---:|---|---|');
    for (const t of d.targets16) out.push(`| ${t.name} | ${t.measured} | ${t.goal} | ${t.status} |`);
    out.push('');
  }
  if (d.targets.length) {
    out.push('## Targets (issue 6)', '', '| target | measured (median, p25–p75) | goal | status |', '|---|---:|---|---|');
    for (const t of d.targets) out.push(`| ${t.name} | ${t.measured} | ${t.goal} | ${t.status} |`);
    out.push('');
  }
  if (d.interleaved) out.push('## Echo and room churn (interleaved)', '', ...interleavedTables(d));
  if (d.fanout) out.push('## Fan-out, connect storm, idle memory (fresh processes per trial)', '', 'Receivers are the same raw-ws shim for every server (full handshake + namespace connect), so the load costs the same for each; deliveries/s counts frames received by all receivers.', '', ...fanoutTables(d));
  if (d.bundle) {
    out.push('## Browser bundle size', '', '| bundle | file | min | min+gzip |', '|---|---|---:|---:|');
    for (const b of d.bundle) out.push(`| ${b.name} | ${b.file} | ${fmt(b.min / 1024)} kB | ${fmt(b.gzip / 1024)} kB (${b.gzip} B)${b.note ? ' ' + b.note : ''} |`);
    out.push('');
  }
  if (d.codec) out.push('## Codec micro-benchmark (bench/codec.ts)', '', d.codec.trim(), '');
  if (d.cluster) out.push('<!-- cluster:start -->', ...renderCluster(d.cluster), '<!-- cluster:end -->', '');
  return out.join('\n');
}
